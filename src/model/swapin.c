// SPDX-License-Identifier: GPL-2.0-only
/*
 * Swap-in: do_swap_page() of 6.18 on a zram-like device
 * (SWP_SYNCHRONOUS_IO).  An entry no one else references (swap count 1)
 * and not in the swap cache is read straight into a new folio, as large
 * as alloc_swap_folio() allows: the largest enabled mTHP order whose
 * naturally aligned range of PTEs holds swap entries for consecutive,
 * equally aligned slots, all alike (swap_pte_batch(), can_swapin_thp()).
 * A shared entry is read into the swap cache, order 0, and the folio stays
 * there unless should_try_to_free_swap() says otherwise; its neighbours
 * in the VMA are read ahead into the swap cache too (swap_vma_readahead(),
 * page-cluster 3, vma_ra_enabled: the default), in a window that adapts
 * to the readahead hits recorded in the VMA.
 */
#include "internal.h"
#include "swap.h"

/*
 * can_swapin_thp(): the @nr PTEs of the aligned range around the fault
 * are the faulting entry's neighbours — the same PTE bits, slot offsets
 * consecutive from an offset aligned like the address — with the same
 * zeromap state and none of them in the swap cache.
 */
static bool can_swapin_thp(struct fsim_machine *m, const pte_t *table,
			   unsigned long addr, pte_t orig, long nr)
{
	const struct fsim_swap *s = &m->swap;
	long start = (long)pte_index(addr) & ~(nr - 1);
	long idx = (long)pte_index(addr) - start, k;
	uint32_t first = pte_swp_offset(orig) - (uint32_t)idx, off;
	pte_t want;

	if (pte_swp_offset(orig) < (uint32_t)idx)
		return false;
	for (k = 0; k < nr; k++) {
		off = first + (uint32_t)k;
		want = (orig & _PTE_FLAGS_MASK) | ((pte_t)off << _PTE_PFN_SHIFT);
		if ((table[start + k] & 0xffffffffULL) != want ||
		    s->zeromap[off] != s->zeromap[first] ||
		    s->cache[off] != NO_PFN)
			return false;
	}
	return true;
}

/*
 * The orders alloc_swap_folio() may try, highest first: allowed for a
 * fault (hugepages-*kB/enabled), fitting the VMA, with the slot offset
 * aligned like the address, from the highest whose range passes
 * can_swapin_thp() downwards.  Orders below it need no check: every
 * aligned part of a range that passes passes too.
 */
static unsigned long swapin_orders(struct fsim_machine *m,
				   struct vm_area_struct *vma,
				   unsigned long addr, const pte_t *table,
				   pte_t orig)
{
	unsigned long orders, nr;
	int o;

	orders = thp_vma_allowable_orders(m, vma,
					  (1UL << HPAGE_PMD_ORDER) - 1,
					  TVA_PAGEFAULT);
	for (o = HPAGE_PMD_ORDER - 1; o >= 2; o--) {
		if (!(orders & (1UL << o)))
			continue;
		nr = 1UL << o;
		if (thp_vma_suitable_order(vma, addr, o) &&
		    (addr >> PAGE_SHIFT) % nr == pte_swp_offset(orig) % nr &&
		    can_swapin_thp(m, table, addr, orig, (long)nr))
			return orders & ((2UL << o) - 1);
		orders &= ~(1UL << o);
	}
	return 0;
}

/* alloc_swap_folio(): the highest order that allocates, else order 0. */
static struct folio *alloc_swap_folio(struct fsim_machine *m,
				      struct vm_area_struct *vma,
				      unsigned long addr, const pte_t *table,
				      pte_t orig)
{
	unsigned long orders = 0;
	struct folio *folio = NULL;
	int o;

	if (m->profile->mthp_swapin)	/* 6.13+ */
		orders = swapin_orders(m, vma, addr, table, orig);
	for (o = HPAGE_PMD_ORDER - 1; o >= 2 && !folio; o--)
		if (orders & (1UL << o))
			folio = folio_alloc(&m->phys, (unsigned int)o);
	return folio ? folio : folio_alloc(&m->phys, 0);
}

/* should_try_to_free_swap(), with the fault's own reference counted. */
static bool should_try_to_free_swap(struct fsim_machine *m,
				    struct folio *folio, bool write)
{
	if (!folio_test(folio, PG_swapcache))
		return false;
	if (vm_swap_full(m))
		return true;
	return write && !folio_test(folio, PG_ksm) &&
	       folio_ref_count(folio) == 1 + folio_nr_pages(folio);
}

#define SWAP_RA_MAX_WIN 8	/* 1 << page-cluster (3) */
#define SWAP_RA_HITS_MAX 63

/* A VMA never faulted through the swap cache counts as 4 hits. */
static unsigned int vma_swap_ra_hits(const struct vm_area_struct *vma)
{
	return vma->swap_ra_addr ? vma->swap_ra_hits : 4;
}

/*
 * swap_update_readahead(): a fault found its folio in the swap cache;
 * if readahead brought it there, that is a hit for the VMA's window.
 */
static void swap_update_readahead(struct fsim_machine *m, struct folio *folio,
				  struct vm_area_struct *vma,
				  unsigned long addr)
{
	unsigned int hits = vma_swap_ra_hits(vma);
	bool readahead = folio_test(folio, PG_readahead);

	folio_clear(folio, PG_readahead);
	if (readahead && hits < SWAP_RA_HITS_MAX)
		hits++;
	vma->swap_ra_addr = addr;
	vma->swap_ra_hits = (uint8_t)hits;
	if (readahead)
		count_vm_event(m, SWAP_RA_HIT);
}

/*
 * __swapin_nr_pages(): hits + 2 pages rounded up to a power of two (at
 * least 4); with no hits, one page unless this fault is next to the last
 * one (then 2).  Never more than the maximum, nor under half the last
 * window.
 */
static unsigned int swapin_nr_pages(unsigned long prev_pfn, unsigned long pfn,
				    unsigned int hits, unsigned int prev_win)
{
	unsigned int pages = hits + 2, p = 4;

	if (pages == 2) {
		if (pfn != prev_pfn + 1 && pfn + 1 != prev_pfn)
			pages = 1;
	} else {
		while (p < pages)
			p *= 2;
		pages = p;
	}
	if (pages > SWAP_RA_MAX_WIN)
		pages = SWAP_RA_MAX_WIN;
	return pages < prev_win / 2 ? prev_win / 2 : pages;
}

/*
 * swap_vma_readahead() without the target: read the swap entries of the
 * window around @addr (forwards or backwards after a neighbouring fault,
 * else centred; inside the VMA and the PMD) into the swap cache, each
 * into an order-0 folio marked as read ahead.
 */
static void swap_vma_readahead(struct fsim_machine *m,
			       struct vm_area_struct *vma, unsigned long addr,
			       const pte_t *table)
{
	struct fsim_swap *s = &m->swap;
	unsigned long prev = vma->swap_ra_addr, left, right, a;
	unsigned long pmd_start = ALIGN_DOWN_PMD(addr);
	unsigned int win;

	win = swapin_nr_pages(prev >> PAGE_SHIFT, addr >> PAGE_SHIFT,
			      vma_swap_ra_hits(vma), vma->swap_ra_win);
	vma->swap_ra_addr = addr;
	vma->swap_ra_win = (uint8_t)win;
	vma->swap_ra_hits = 0;
	if (win == 1)
		return;
	if (addr == prev + PAGE_SIZE)
		left = addr;
	else if (prev == addr + PAGE_SIZE)
		left = addr - (unsigned long)(win - 1) * PAGE_SIZE;
	else
		left = addr - (unsigned long)((win - 1) / 2) * PAGE_SIZE;
	right = left + (unsigned long)win * PAGE_SIZE;
	if (left < vma->vm_start)
		left = vma->vm_start;
	if (left < pmd_start)
		left = pmd_start;
	if (right > vma->vm_end)
		right = vma->vm_end;
	if (right > pmd_start + PMD_SIZE)
		right = pmd_start + PMD_SIZE;
	for (a = left; a < right; a += PAGE_SIZE) {
		pte_t pte = table[pte_index(a)];
		uint32_t off = pte_swp_offset(pte);
		struct folio *folio;

		if (a == addr || !pte_is_swap(pte) || s->cache[off] != NO_PFN)
			continue;
		folio = folio_alloc(&m->phys, 0);
		if (!folio)
			break;
		if (add_to_swap_cache(m, folio, off)) {
			folio_put_refs(m, folio, 1);
			break;
		}
		swap_read_folio(m, folio, off);
		folio_set(folio, PG_lru | PG_readahead);
		count_vm_event(m, SWAP_RA);
		folio_put_refs(m, folio, 1);	/* the cache keeps it */
	}
}

/*
 * A shared entry, or one already in the swap cache: the swap cache's
 * folio, or a new one read into it after the readahead around it.
 */
static struct folio *swapin_cached(struct fsim_machine *m,
				   struct vm_area_struct *vma,
				   unsigned long addr, const pte_t *table,
				   uint32_t offset)
{
	struct fsim_swap *s = &m->swap;
	struct folio *folio;

	if (s->cache[offset] != NO_PFN) {
		folio = page_folio(&m->phys, &m->phys.pages[s->cache[offset]]);
		folio_ref_add(folio, 1);
		swap_update_readahead(m, folio, vma, addr);
		return folio;
	}
	swap_vma_readahead(m, vma, addr, table);
	folio = folio_alloc(&m->phys, 0);
	if (!folio)
		return NULL;
	if (add_to_swap_cache(m, folio, offset)) {
		folio_put_refs(m, folio, 1);
		return NULL;
	}
	swap_read_folio(m, folio, offset);
	return folio;
}

int do_swap_page(struct fsim_machine *m, struct mm_struct *mm,
		 struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
		 bool write)
{
	struct fsim_swap *s = &m->swap;
	pte_t orig = *ptep, entry = _PTE_YOUNG;
	pte_t *table = ptep - pte_index(addr);
	uint32_t offset = pte_swp_offset(orig);
	bool exclusive = pte_swp_exclusive(orig), fresh = false;
	struct folio *folio;
	struct page *page;
	long nr = 1, idx = 0, k;

	addr &= ~(PAGE_SIZE - 1);
	if (s->cache[offset] == NO_PFN && s->count[offset] == 1) {
		/* SWP_SYNCHRONOUS_IO: skip the swap cache */
		folio = alloc_swap_folio(m, vma, addr, table, orig);
		if (!folio)
			return VM_FAULT_OOM;
		nr = folio_nr_pages(folio);
		idx = (long)pte_index(addr) & (nr - 1);
		folio_ref_add(folio, (int)nr - 1);
		swap_read_folio(m, folio, offset - (uint32_t)idx);
		fresh = exclusive = true;
	} else {
		folio = swapin_cached(m, vma, addr, table, offset);
		if (!folio)
			return VM_FAULT_OOM;
	}
	page = folio_page(folio, idx);
	if (fresh) {
		for (k = 0; k < nr; k++)
			swap_free(m, offset - (uint32_t)idx + (uint32_t)k);
	} else {
		s->count[offset]--;
		if (should_try_to_free_swap(m, folio, write))
			folio_free_swap(m, folio);
	}
	if (folio_test(folio, PG_ksm))
		exclusive = false;
	if (!folio_test(folio, PG_ksm) &&
	    (exclusive || folio_ref_count(folio) == 1)) {
		if (vma->vm_flags & VM_WRITE) {
			entry |= _PTE_WRITE;
			if (write)
				entry |= _PTE_DIRTY;
		}
		exclusive = true;
	}
	mm_inc_rss(mm, MM_ANONPAGES, nr);
	mm_inc_rss(mm, MM_SWAPENTS, -nr);
	if (fresh || !folio_test(folio, PG_anon)) {
		folio_add_new_anon_rmap(m, folio, mm, vma,
					addr - (unsigned long)idx * PAGE_SIZE,
					exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
		folio_set(folio, PG_lru);
	} else {
		folio_add_anon_rmap_ptes(m, folio, page, 1, mm,
					 exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
	}
	for (k = 0; k < nr; k++)
		set_pte_keep(ptep - idx + k,
			     pfn_pte(folio_pfn(&m->phys, folio) + (pfn_t)k,
				     entry));
	return VM_FAULT_DONE;
}
