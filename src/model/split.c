// SPDX-License-Identifier: GPL-2.0-only
/*
 * Splitting: a huge PMD into a PTE table (__split_huge_pmd_locked(), non
 * freezing), a large folio into smaller folios (__folio_split(): every
 * mapping is torn down and rebuilt, so the MM_ID state becomes exact
 * again), the rmap walk that finds the mappings, and the deferred-split
 * shrinker with the underused-THP test (6.12+).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

void __split_huge_pmd(struct fsim_machine *m, struct mm_struct *mm,
		      struct vm_area_struct *vma, unsigned long addr)
{
	struct pmd_table *t = pmd_table_lookup(mm, addr, false);
	int i = (int)pmd_index(addr), k;
	pte_t *table, bits = 0;
	struct folio *folio;
	pmd_t pmd;
	int flags;

	(void)vma;
	if (!t || !pmd_trans_huge(t->e[i]))
		return;
	pmd = t->e[i];
	table = pte_table_own(mm, &t->deposit[i]);
	if (!table)
		abort();	/* out of host memory */
	t->deposit[i] = NULL;
	count_vm_event(m, THP_SPLIT_PMD);
	if (pmd_huge_zero(pmd)) {
		for (k = 0; k < PTRS_PER_TABLE; k++)
			set_pte_keep(&table[k], pte_mkzero());
		t->e[i] = pmd_mktable(table);
		return;
	}
	folio = pfn_folio(&m->phys, pmd_pfn(pmd));
	bits = pmd & (_PTE_WRITE | _PTE_DIRTY | _PTE_YOUNG);
	flags = PageAnonExclusive(&folio->page) ? RMAP_EXCLUSIVE : RMAP_NONE;
	folio_ref_add(folio, HPAGE_PMD_NR - 1);
	folio_add_anon_rmap_ptes(m, folio, &folio->page, HPAGE_PMD_NR, mm,
				 flags);
	for (k = 0; k < PTRS_PER_TABLE; k++)
		set_pte_keep(&table[k],
			     pfn_pte(pmd_pfn(pmd) + (pfn_t)k, bits));
	folio_remove_rmap_pmd(m, folio, &folio->page, mm);
	t->e[i] = pmd_mktable(table);
}

void split_huge_pmd_address(struct fsim_machine *m, struct mm_struct *mm,
			    struct vm_area_struct *vma, unsigned long addr)
{
	pmd_t *pmd = pmd_lookup(mm, addr);

	if (pmd && pmd_trans_huge(*pmd))
		__split_huge_pmd(m, mm, vma, addr);
}

static int rmap_hit_add(struct rmap_hit **hits, int *nr, int *cap,
			const struct rmap_hit *h)
{
	if (*nr == *cap) {
		int c = *cap ? *cap * 2 : 16;
		void *p = realloc(*hits, (size_t)c * sizeof(**hits));

		if (!p)
			return -ENOMEM;
		*hits = p;
		*cap = c;
	}
	(*hits)[(*nr)++] = *h;
	return 0;
}

/* Mappings of @folio in @vma of @mm, from the folio's linear index. */
static int rmap_walk_vma(struct fsim_machine *m, struct folio *folio,
			 struct mm_struct *mm, struct vm_area_struct *vma,
			 struct rmap_hit **hits, int *nr, int *cap)
{
	unsigned long index = folio_large(&m->phys, folio)->index;
	long n = folio_nr_pages(folio), k;
	pfn_t pfn = folio_pfn(&m->phys, folio);
	struct rmap_hit h = { .mm = mm, .vma = vma };

	for (k = 0; k < n; k++) {
		unsigned long addr = vma->vm_start +
			((index + (unsigned long)k - vma->vm_pgoff)
			 << PAGE_SHIFT);
		struct pmd_table *t;
		pmd_t pmd;

		if (index + (unsigned long)k < vma->vm_pgoff ||
		    addr < vma->vm_start || addr >= vma->vm_end)
			continue;
		t = pmd_table_lookup(mm, addr, false);
		if (!t)
			continue;
		pmd = t->e[pmd_index(addr)];
		if (pmd_trans_huge(pmd) && !pmd_huge_zero(pmd) &&
		    pmd_pfn(pmd) == pfn) {
			h.addr = addr;
			h.ptep = NULL;
			h.pmd_table = t;
			h.pmd_idx = (int)pmd_index(addr);
			if (rmap_hit_add(hits, nr, cap, &h))
				return -ENOMEM;
			k += HPAGE_PMD_NR - 1;
			continue;
		}
		if (!pmd_is_table(pmd))
			continue;
		h.ptep = &pmd_table(pmd)[pte_index(addr)];
		if (!pte_present(*h.ptep) || pte_special(*h.ptep) ||
		    pte_pfn(*h.ptep) != pfn + (pfn_t)k)
			continue;
		h.addr = addr;
		h.pmd_table = NULL;
		if (rmap_hit_add(hits, nr, cap, &h))
			return -ENOMEM;
	}
	return 0;
}

struct walk_vma {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
};

/* The anon_vma interval tree's order: page offset, then link time. */
static int cmp_walk_vma(const void *x, const void *y)
{
	const struct vm_area_struct *a = ((const struct walk_vma *)x)->vma;
	const struct vm_area_struct *b = ((const struct walk_vma *)y)->vma;

	if (a->vm_pgoff != b->vm_pgoff)
		return a->vm_pgoff < b->vm_pgoff ? -1 : 1;
	if (a->avc_seq != b->avc_seq)
		return a->avc_seq < b->avc_seq ? -1 : 1;
	return ((const struct walk_vma *)x)->mm->idx -
	       ((const struct walk_vma *)y)->mm->idx;
}

int rmap_walk_large(struct fsim_machine *m, struct folio *folio,
		    struct rmap_hit **hits)
{
	struct walk_vma *v;
	int nr = 0, cap = 0, n = 0, i, j;

	*hits = NULL;
	for (i = 0; i < m->nr_mms; i++)
		if (m->mms[i]->alive)
			n += m->mms[i]->nr_vmas;
	v = malloc((size_t)(n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < m->nr_mms; i++) {
		struct mm_struct *mm = m->mms[i];

		for (j = 0; mm->alive && j < mm->nr_vmas; j++)
			if (mm->vmas[j].anon_vma)
				v[n++] = (struct walk_vma){ mm, &mm->vmas[j] };
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_walk_vma);
	for (i = 0; i < n; i++)
		if (rmap_walk_vma(m, folio, v[i].mm, v[i].vma, hits, &nr,
				  &cap)) {
			free(*hits);
			*hits = NULL;
			nr = -ENOMEM;
			break;
		}
	free(v);
	return nr;
}

/* A PTE mapping torn down for the split: what remove_migration_pte needs. */
struct split_map {
	struct mm_struct *mm;
	pte_t *ptep;
	bool exclusive;
};

/*
 * __split_huge_pmd_locked() with freeze = true, as try_to_migrate() does it
 * for a split: the PMD becomes N migration entries (here: PTEs that no rmap
 * counts, recorded in @maps for the remap), exclusivity moves from the head
 * page into the entries, and only the PMD mapping leaves the rmap.  No PTE
 * rmap is added first, so a THP mapped only by PMDs is never seen as
 * partially mapped (nor counted as a deferred split) on its way to the
 * split.  The PMD's reference is left for folio_carve() to reset.
 */
static int split_huge_pmd_freeze(struct fsim_machine *m, struct folio *folio,
				 const struct rmap_hit *h,
				 struct split_map *maps)
{
	struct pmd_table *t = h->pmd_table;
	pmd_t pmd = t->e[h->pmd_idx];
	pte_t *table = pte_table_own(h->mm, &t->deposit[h->pmd_idx]);
	pte_t bits = pmd & (_PTE_WRITE | _PTE_DIRTY | _PTE_YOUNG);
	bool exclusive = PageAnonExclusive(&folio->page);
	int k;

	if (!table)
		abort();	/* out of host memory */
	count_vm_event(m, THP_SPLIT_PMD);
	/* cannot fail: can_split_folio() ruled out pins */
	folio_try_share_anon_rmap_pmd(m, folio, &folio->page);
	for (k = 0; k < HPAGE_PMD_NR; k++) {
		set_pte_keep(&table[k],
			     pfn_pte(pmd_pfn(pmd) + (pfn_t)k, bits));
		maps[k].mm = h->mm;
		maps[k].ptep = &table[k];
		maps[k].exclusive = exclusive;
	}
	t->deposit[h->pmd_idx] = NULL;
	t->e[h->pmd_idx] = pmd_mktable(table);
	folio_remove_rmap_pmd(m, folio, &folio->page, h->mm);
	return HPAGE_PMD_NR;
}

/*
 * unmap_folio() with TTU_SPLIT_HUGE_PMD: freeze-split every PMD mapping
 * and record and remove each PTE mapping, in rmap-walk order.  Returns the
 * number of records, or -ENOMEM.
 */
static int unmap_folio(struct fsim_machine *m, struct folio *folio,
		       struct split_map **out)
{
	struct rmap_hit *hits;
	struct split_map *maps;
	int nr, i, n = 0, slots = 0;

	nr = rmap_walk_large(m, folio, &hits);
	if (nr < 0)
		return nr;
	for (i = 0; i < nr; i++)
		slots += hits[i].ptep ? 1 : HPAGE_PMD_NR;
	maps = calloc((size_t)slots + 1, sizeof(*maps));
	if (!maps) {
		free(hits);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		struct page *page;

		if (!hits[i].ptep) {
			n += split_huge_pmd_freeze(m, folio, &hits[i],
						   &maps[n]);
			continue;
		}
		page = &m->phys.pages[pte_pfn(*hits[i].ptep)];
		maps[n].mm = hits[i].mm;
		maps[n].ptep = hits[i].ptep;
		maps[n].exclusive = PageAnonExclusive(page);
		folio_try_share_anon_rmap_pte(m, folio, page);
		folio_remove_rmap_ptes(m, folio, page, 1, hits[i].mm);
		n++;
	}
	free(hits);
	*out = maps;
	return n;
}

/*
 * remove_migration_pte(): map the page again in its new folio; a zero-filled
 * order-0 page goes to the shared zero page instead (6.12+).
 */
static void remap_page(struct fsim_machine *m, struct split_map *sm,
		       bool use_zeropage)
{
	struct page *page = &m->phys.pages[pte_pfn(*sm->ptep)];
	struct folio *folio = page_folio(&m->phys, page);

	if (use_zeropage && !folio_test_large(folio) && !page->content) {
		set_pte_keep(sm->ptep, pte_mkzero());
		mm_inc_rss(sm->mm, MM_ANONPAGES, -1);
		return;
	}
	folio_ref_add(folio, 1);
	folio_add_anon_rmap_ptes(m, folio, page, 1, sm->mm,
				 sm->exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
}

/*
 * 6.12+ remaps zero-filled pages to the shared zero page after any anon
 * split to order 0; +zero_remap_gated only with shrink_underused on.
 */
static bool split_use_zeropage(struct fsim_machine *m, unsigned int new_order)
{
	if (!m->profile->underused_shrinker || new_order)
		return false;
	return !m->profile->zero_remap_gated || m->set.shrink_underused;
}

int split_folio_to_order(struct fsim_machine *m, struct folio *folio,
			 unsigned int new_order)
{
	unsigned int order = folio_order(folio);
	pfn_t pfn = folio_pfn(&m->phys, folio);
	long extra = folio_test(folio, PG_swapcache) ? folio_nr_pages(folio) : 0;
	bool pmd_mappable = folio_test_pmd_mappable(folio);
	struct split_map *maps;
	long i, nr_pieces;
	int n, k;

	if (!order || new_order >= order || new_order == 1)
		return -EINVAL;
	/* can_split_folio(): no references beyond mappings and swap cache */
	if (folio_ref_count(folio) != folio_mapcount(m, folio) + extra) {
		if (pmd_mappable)
			count_vm_event(m, THP_SPLIT_PAGE_FAILED);
		return -EAGAIN;
	}
	n = unmap_folio(m, folio, &maps);
	if (n < 0)
		return n;
	nr_pieces = folio_carve(&m->phys, folio, new_order);
	/* the swap cache keeps one reference per page of each piece */
	for (i = 0; i < nr_pieces; i++)
		m->phys.pages[pfn + (pfn_t)(i << new_order)]._refcount =
			extra ? 1 << new_order : 0;
	for (k = 0; k < n; k++)
		remap_page(m, &maps[k], split_use_zeropage(m, new_order));
	free(maps);
	for (i = 0; i < nr_pieces; i++) {
		struct folio *piece = pfn_folio(&m->phys,
						pfn + (pfn_t)(i << new_order));

		if (!folio_ref_count(piece))
			folio_free(&m->phys, piece);
	}
	if (pmd_mappable)
		count_vm_event(m, THP_SPLIT_PAGE);
	return 0;
}

/* thp_underused(): judged by page contents, not by mapcounts. */
bool thp_underused(struct fsim_machine *m, struct folio *folio)
{
	long none = m->set.max_ptes_none, zero = 0, filled = 0, i;

	/* +underused_all_zero: at 511 only an all-zero THP is underused */
	if (none == HPAGE_PMD_NR - 1 && !m->profile->underused_all_zero)
		return false;
	for (i = 0; i < folio_nr_pages(folio); i++) {
		if (!folio_page(folio, i)->content) {
			if (++zero > none)
				return true;
		} else if (++filled >= HPAGE_PMD_NR - none) {
			return false;
		}
	}
	return false;
}

/*
 * deferred_split_scan(): walk up to @nr_to_scan queued folios in queue
 * order.  Partially mapped folios are split (and stay queued if that
 * fails); others are split only if underused, and leave the queue either
 * way.  Returns the number of folios split.
 */
unsigned long deferred_split_scan(struct fsim_machine *m,
				  unsigned long nr_to_scan)
{
	struct fsim_phys *ph = &m->phys;
	unsigned long split = 0, n = 0;
	pfn_t *batch;

	batch = calloc(ph->deferred_len + 1, sizeof(*batch));
	if (!batch)
		return 0;
	while (ph->deferred_head != NO_PFN && n < nr_to_scan) {
		struct folio *folio = pfn_folio(ph, ph->deferred_head);

		batch[n++] = ph->deferred_head;
		bool partial = folio_test(folio, PG_partially_mapped);

		/* onto a private list: the flag stays with the folio */
		deferred_list_del(ph, folio);
		if (partial)
			folio_set(folio, PG_partially_mapped);
	}
	for (unsigned long i = 0; i < n; i++) {
		struct folio *folio = pfn_folio(ph, batch[i]);
		bool partial = folio_test(folio, PG_partially_mapped);
		bool underused = false;

		if (!partial) {
			if (!m->profile->underused_shrinker ||
			    !thp_underused(m, folio))
				continue;	/* considered used */
			underused = true;
		}
		/*
		 * The flag stays set while the folio is split, as on the
		 * kernel's private list: unmapping it must not count it as
		 * newly partially mapped.
		 */
		if (!split_folio_to_order(m, folio, 0)) {
			split++;
			if (underused)
				count_vm_event(m, THP_UNDERUSED_SPLIT_PAGE);
		} else if (partial) {
			/* back on the queue, still flagged, not counted again */
			if (!folio_test(folio, PG_deferred))
				deferred_list_add(ph, folio);
			folio_set(folio, PG_partially_mapped);
		}
	}
	free(batch);
	return split;
}
