// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant checker, the model's CONFIG_DEBUG_VM: walk every page
 * table of every mm, recount every mapcount field, refcount, RSS counter,
 * swap count and statistic from scratch, and compare with what the model
 * keeps; check the MM_ID rules and the exclusive flags; and check that
 * every mapped page still holds what its process last wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model.h"

struct recount {
	int32_t *ptes;		/* per pfn: PTEs mapping the page */
	int32_t *pmds;		/* per head: PMDs mapping the folio */
	int32_t *units;		/* per head: mapping units, all mms */
	int32_t *mm_units;	/* per head: units of the current mm */
	int32_t *nr_mms;	/* per head: mms mapping the folio */
	int32_t *page_mms;	/* per pfn: mms mapping the page */
	int32_t *page_seen;	/* per pfn: last mm idx + 1 that mapped it */
	pfn_t *touched;		/* heads mapped by the current mm */
	long nr_touched;
	uint32_t *swap_refs;
	long violations;
	FILE *log;
};

#define VIOLATION(rc, ...)                                       \
	do {                                                     \
		(rc)->violations++;                              \
		if ((rc)->log) {                                 \
			fprintf((rc)->log, "invariant: " __VA_ARGS__); \
			fputc('\n', (rc)->log);                  \
		}                                                \
	} while (0)

static void count_unit(struct fsim_machine *m, struct recount *rc,
		       struct mm_struct *mm, pfn_t head)
{
	if (!rc->mm_units[head]++) {
		rc->touched[rc->nr_touched++] = head;
		rc->nr_mms[head]++;
	}
	rc->units[head]++;
	(void)m;
	(void)mm;
}

static void count_page(struct recount *rc, struct mm_struct *mm, pfn_t pfn)
{
	if (rc->page_seen[pfn] != mm->idx + 1) {
		rc->page_seen[pfn] = mm->idx + 1;
		rc->page_mms[pfn]++;
	}
}

static void check_pte(struct fsim_machine *m, struct recount *rc,
		      struct mm_struct *mm, unsigned long addr, pte_t pte,
		      long *anon, long *swap)
{
	struct page *page;

	if (pte_none(pte)) {
		if (pte_expected(pte))
			VIOLATION(rc, "mm %u 0x%lx: none PTE expects data",
				  mm->mm_id, addr);
		return;
	}
	if (pte_is_swap(pte)) {
		uint32_t off = pte_swp_offset(pte);

		(*swap)++;
		rc->swap_refs[off]++;
		if (m->swap.content[off] != pte_expected(pte))
			VIOLATION(rc, "mm %u 0x%lx: data lost in swap slot %u",
				  mm->mm_id, addr, off);
		return;
	}
	if (pte_special(pte)) {
		if (pte_expected(pte))
			VIOLATION(rc, "mm %u 0x%lx: zero page, data lost",
				  mm->mm_id, addr);
		if (pte_write(pte))
			VIOLATION(rc, "mm %u 0x%lx: writable zero page",
				  mm->mm_id, addr);
		return;
	}
	(*anon)++;
	page = &m->phys.pages[pte_pfn(pte)];
	if (!(page->flags & PG_allocated)) {
		VIOLATION(rc, "mm %u 0x%lx: PTE maps free pfn %u", mm->mm_id,
			  addr, pte_pfn(pte));
		return;
	}
	if (page->content != pte_expected(pte))
		VIOLATION(rc, "mm %u 0x%lx: data lost (page %x, wrote %x)",
			  mm->mm_id, addr, page->content, pte_expected(pte));
	if (pte_write(pte) && !PageAnonExclusive(page))
		VIOLATION(rc, "mm %u 0x%lx: writable PTE, page not exclusive",
			  mm->mm_id, addr);
	rc->ptes[pte_pfn(pte)]++;
	count_page(rc, mm, pte_pfn(pte));
	count_unit(m, rc, mm, folio_pfn(&m->phys, page_folio(&m->phys, page)));
}

static void check_huge_pmd(struct fsim_machine *m, struct recount *rc,
			   struct mm_struct *mm, unsigned long addr, pmd_t pmd,
			   const pte_t *deposit, long *anon)
{
	pfn_t head = pmd_pfn(pmd);
	struct folio *folio;
	int k;

	if (!deposit) {
		VIOLATION(rc, "mm %u 0x%lx: huge PMD without deposit",
			  mm->mm_id, addr);
		return;
	}
	if (pmd_huge_zero(pmd)) {
		for (k = 0; k < HPAGE_PMD_NR; k++)
			if (pte_expected(deposit[k]))
				VIOLATION(rc, "mm %u 0x%lx: huge zero, data lost",
					  mm->mm_id, addr + k * PAGE_SIZE);
		return;
	}
	folio = pfn_folio(&m->phys, head);
	if (folio_pfn(&m->phys, folio) != head ||
	    folio_order(folio) != HPAGE_PMD_ORDER) {
		VIOLATION(rc, "mm %u 0x%lx: PMD maps no PMD-sized folio",
			  mm->mm_id, addr);
		return;
	}
	*anon += HPAGE_PMD_NR;
	for (k = 0; k < HPAGE_PMD_NR; k++) {
		if (folio_page(folio, k)->content != pte_expected(deposit[k]))
			VIOLATION(rc, "mm %u 0x%lx: data lost in THP",
				  mm->mm_id, addr + k * PAGE_SIZE);
		count_page(rc, mm, head + (pfn_t)k);
	}
	if (pmd_write(pmd) && !PageAnonExclusive(&folio->page))
		VIOLATION(rc, "mm %u 0x%lx: writable PMD, folio not exclusive",
			  mm->mm_id, addr);
	rc->pmds[head]++;
	count_unit(m, rc, mm, head);
}

/* After one mm: per-slot counts must not exceed what the mm really has. */
static void check_mm_slots(struct fsim_machine *m, struct recount *rc,
			   struct mm_struct *mm)
{
	long i;

	for (i = 0; i < rc->nr_touched; i++) {
		pfn_t head = rc->touched[i];
		struct folio *folio = pfn_folio(&m->phys, head);
		int s;

		if (folio_test_large(folio)) {
			struct folio_large *fl = folio_large(&m->phys, folio);

			for (s = 0; s < 2; s++)
				if (fl->_mm_id[s] == mm->mm_id &&
				    fl->_mm_id_mapcount[s] + 1 >
					    rc->mm_units[head])
					VIOLATION(rc,
						  "pfn %u: slot %d of mm %u counts %d > %d",
						  head, s, mm->mm_id,
						  fl->_mm_id_mapcount[s] + 1,
						  rc->mm_units[head]);
		}
		rc->mm_units[head] = 0;
	}
	rc->nr_touched = 0;
}

static void walk_mm(struct fsim_machine *m, struct recount *rc,
		    struct mm_struct *mm)
{
	long anon = 0, swap = 0;
	int v;

	for (v = 0; v < mm->nr_vmas; v++) {
		struct vm_area_struct *vma = &mm->vmas[v];
		unsigned long addr = vma->vm_start, next;
		long before = anon + swap;

		for (; addr < vma->vm_end; addr = next) {
			struct pmd_table *t = pmd_table_lookup(mm, addr, false);
			int i = (int)pmd_index(addr);

			next = ALIGN_DOWN_PMD(addr) + PMD_SIZE;
			if (next > vma->vm_end)
				next = vma->vm_end;
			if (!t || pmd_none(t->e[i]))
				continue;
			if (pmd_trans_huge(t->e[i])) {
				if (addr & ~PMD_MASK || next - addr != PMD_SIZE)
					VIOLATION(rc, "mm %u: huge PMD 0x%lx crosses a VMA",
						  mm->mm_id, addr);
				else
					check_huge_pmd(m, rc, mm, addr, t->e[i],
						       t->deposit[i], &anon);
				continue;
			}
			for (; addr < next; addr += PAGE_SIZE)
				check_pte(m, rc, mm, addr,
					  pmd_table(t->e[i])[pte_index(addr)],
					  &anon, &swap);
		}
		/* rmap could never find these pages (folio_add_anon_rmap) */
		if (anon + swap != before && !vma->anon_vma)
			VIOLATION(rc, "mm %u: VMA 0x%lx has anon pages but no "
				  "anon_vma", mm->mm_id, vma->vm_start);
	}
	if (anon != mm->rss_stat[MM_ANONPAGES] ||
	    swap != mm->rss_stat[MM_SWAPENTS])
		VIOLATION(rc, "mm %u: RSS anon %ld swap %ld, counters say %ld %ld",
			  mm->mm_id, anon, swap, mm->rss_stat[MM_ANONPAGES],
			  mm->rss_stat[MM_SWAPENTS]);
	check_mm_slots(m, rc, mm);
}

/* Invariants 5 and 7 of the mapcount spec: slots and the shared bit. */
static void check_mm_ids(struct recount *rc, pfn_t head,
			 const struct folio_large *fl)
{
	int total = fl->_large_mapcount + 1, s, used = 0;

	for (s = 0; s < 2; s++) {
		bool free_id = fl->_mm_id[s] == MM_ID_DUMMY;

		if (free_id != (fl->_mm_id_mapcount[s] == -1))
			VIOLATION(rc, "pfn %u: slot %d id %u count %d", head,
				  s, fl->_mm_id[s], fl->_mm_id_mapcount[s]);
		used += !free_id;
	}
	if (!total && (used || fl->mm_ids_shared))
		VIOLATION(rc, "pfn %u: unmapped folio keeps MM_ID state", head);
	if (used == 2 && !fl->mm_ids_shared)
		VIOLATION(rc, "pfn %u: two slots used, shared bit clear", head);
	if (total && !fl->mm_ids_shared &&
	    (used != 1 || (fl->_mm_id_mapcount[0] + 1 != total &&
			   fl->_mm_id_mapcount[1] + 1 != total)))
		VIOLATION(rc, "pfn %u: shared bit clear, no slot owns all %d",
			  head, total);
	if (total && !fl->mm_ids_shared && rc->nr_mms[head] > 1)
		VIOLATION(rc, "pfn %u: mapped by %d mms, shared bit clear",
			  head, rc->nr_mms[head]);
}

static void check_large(struct fsim_machine *m, struct recount *rc,
			struct folio *folio, pfn_t head, long nr)
{
	const struct folio_large *fl = folio_large(&m->phys, folio);
	long k, mapped = 0, sum = 0;

	for (k = 0; k < nr; k++) {
		sum += rc->ptes[head + k];
		mapped += rc->ptes[head + k] > 0;
	}
	if (fl->_entire_mapcount + 1 != rc->pmds[head])
		VIOLATION(rc, "pfn %u: entire mapcount %d, found %d PMDs", head,
			  fl->_entire_mapcount + 1, rc->pmds[head]);
	if (fl->_large_mapcount + 1 != sum + rc->pmds[head])
		VIOLATION(rc, "pfn %u: large mapcount %d, found %ld", head,
			  fl->_large_mapcount + 1, sum + rc->pmds[head]);
	if (fl->_nr_pages_mapped !=
	    mapped + (rc->pmds[head] ? ENTIRELY_MAPPED : 0))
		VIOLATION(rc, "pfn %u: nr_pages_mapped %#x, found %ld%s", head,
			  fl->_nr_pages_mapped, mapped,
			  rc->pmds[head] ? " + ENTIRELY_MAPPED" : "");
	if (fl->_pincount)
		VIOLATION(rc, "pfn %u: pinned", head);
	check_mm_ids(rc, head, fl);
	if (folio_test(folio, PG_partially_mapped) &&
	    !folio_test(folio, PG_deferred))
		VIOLATION(rc, "pfn %u: partially mapped but not queued", head);
}

static void check_folio(struct fsim_machine *m, struct recount *rc,
			struct folio *folio, pfn_t head)
{
	long nr = folio_nr_pages(folio), k, units = rc->units[head];
	long swapcache = folio_test(folio, PG_swapcache) ? nr : 0;

	for (k = 0; k < nr; k++) {
		struct page *page = folio_page(folio, k);

		if (page->_mapcount + 1 != rc->ptes[head + k])
			VIOLATION(rc, "pfn %u: _mapcount %d, found %d PTEs",
				  (pfn_t)(head + k), page->_mapcount + 1,
				  rc->ptes[head + k]);
		if (PageAnonExclusive(page) && rc->page_mms[head + k] > 1 &&
		    (k == 0 || !rc->pmds[head]))
			VIOLATION(rc, "pfn %u: exclusive but mapped by %d mms",
				  (pfn_t)(head + k), rc->page_mms[head + k]);
	}
	if (folio_test_large(folio))
		check_large(m, rc, folio, head, nr);
	if (folio_ref_count(folio) != units + swapcache)
		VIOLATION(rc, "pfn %u: refcount %d, expected %ld", head,
			  folio_ref_count(folio), units + swapcache);
	if (!units && !swapcache)
		VIOLATION(rc, "pfn %u: folio leaked (unmapped, unreferenced)",
			  head);
}

static void check_folios(struct fsim_machine *m, struct recount *rc)
{
	struct fsim_phys *ph = &m->phys;
	long anon_mapped = 0, thps = 0;
	uint64_t free_pages = 0;
	pfn_t pfn;

	for (pfn = 0; pfn < ph->nr_pages;) {
		struct page *page = &ph->pages[pfn];
		long nr = 1L << page_order(page), k;

		if (page->flags & PG_buddy) {
			free_pages += (uint64_t)nr;
		} else if (page->flags & PG_allocated) {
			long mapped = 0;

			check_folio(m, rc, (struct folio *)page, pfn);
			for (k = 0; k < nr; k++)
				mapped += rc->ptes[pfn + k] || rc->pmds[pfn];
			/* without per-page counts: all or nothing */
			if (mapped && m->profile->mapcount != MAPCOUNT_PER_PAGE)
				mapped = nr;
			anon_mapped += mapped;
			thps += rc->pmds[pfn] > 0;
		} else {
			VIOLATION(rc, "pfn %u: neither free nor allocated", pfn);
		}
		pfn += (pfn_t)nr;
	}
	if (free_pages != ph->nr_free)
		VIOLATION(rc, "buddy: %llu pages free, counter says %llu",
			  (unsigned long long)free_pages,
			  (unsigned long long)ph->nr_free);
	if ((long)m->ev[NR_ANON_MAPPED] != anon_mapped ||
	    (long)m->ev[NR_ANON_THPS] != thps)
		VIOLATION(rc, "vmstat: nr_anon_pages %lld THPs %lld, found %ld %ld",
			  (long long)m->ev[NR_ANON_MAPPED],
			  (long long)m->ev[NR_ANON_THPS], anon_mapped, thps);
}

static void check_deferred(struct fsim_machine *m, struct recount *rc)
{
	struct fsim_phys *ph = &m->phys;
	uint32_t n = 0;
	pfn_t pfn;

	for (pfn = ph->deferred_head; pfn != NO_PFN && n <= ph->deferred_len;
	     n++) {
		struct folio *folio = pfn_folio(ph, pfn);

		if (!folio_test(folio, PG_deferred) || folio_order(folio) < 2)
			VIOLATION(rc, "pfn %u: on the split queue unflagged",
				  pfn);
		pfn = folio_large(ph, folio)->deferred_next;
	}
	if (n != ph->deferred_len)
		VIOLATION(rc, "split queue has %u entries, length says %u", n,
			  ph->deferred_len);
}

static void check_swap(struct fsim_machine *m, struct recount *rc)
{
	struct fsim_swap *s = &m->swap;
	uint32_t off, used = 0;

	for (off = 0; off < s->nr_slots; off++) {
		if (s->count[off] != rc->swap_refs[off])
			VIOLATION(rc, "swap slot %u: count %u, found %u", off,
				  s->count[off], rc->swap_refs[off]);
		if (s->cache[off] != NO_PFN) {
			struct folio *folio = pfn_folio(&m->phys, s->cache[off]);

			if (!folio_test(folio, PG_swapcache))
				VIOLATION(rc, "swap slot %u: cached folio unflagged",
					  off);
		}
		used += s->count[off] || s->cache[off] != NO_PFN;
	}
	if (used != s->nr_used)
		VIOLATION(rc, "swap: %u slots in use, counter says %u", used,
			  s->nr_used);
}

/*
 * The recount arrays live in one block the machine keeps between calls:
 * the checker runs after every statement, and a fresh calloc() each time
 * costs more than the check itself.
 */
static int recount_init(struct fsim_machine *m, struct recount *rc)
{
	size_t n = m->phys.nr_pages, slots = m->swap.nr_slots + 1;
	size_t size = (8 * n + slots) * sizeof(int32_t);
	int32_t *b;

	if (m->check_buf_size < size) {
		free(m->check_buf);
		m->check_buf = malloc(size);
		m->check_buf_size = m->check_buf ? size : 0;
		if (!m->check_buf)
			return -1;
	}
	b = memset(m->check_buf, 0, size);
	rc->ptes = b;
	rc->pmds = b + n;
	rc->units = b + 2 * n;
	rc->mm_units = b + 3 * n;
	rc->nr_mms = b + 4 * n;
	rc->page_mms = b + 5 * n;
	rc->page_seen = b + 6 * n;
	rc->touched = (pfn_t *)(b + 7 * n);
	rc->swap_refs = (uint32_t *)(b + 8 * n);
	return 0;
}

int fsim_check(struct fsim_machine *m, FILE *log)
{
	struct recount rc = { .log = log };
	int i;

	if (recount_init(m, &rc)) {
		VIOLATION(&rc, "out of host memory for the checker");
		return 1;
	}
	for (i = 0; i < m->nr_mms; i++)
		if (m->mms[i]->alive)
			walk_mm(m, &rc, m->mms[i]);
	check_folios(m, &rc);
	check_deferred(m, &rc);
	check_swap(m, &rc);
	return rc.violations > 0x7fffffff ? 0x7fffffff : (int)rc.violations;
}
