// SPDX-License-Identifier: GPL-2.0-only
/*
 * MADV_PAGEOUT and MADV_COLD on anonymous memory, as Linux 6.18 does them
 * (madvise_cold_or_pageout_pte_range(), then reclaim_pages() and
 * shrink_folio_list() with references ignored): folios that may be mapped
 * by another mm are left alone, large folios only partly inside the range
 * are split first, and every selected folio is written to swap whole if
 * the swap space has room for it (or split and written page by page).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "predicate.h"
#include "swap.h"

/* "Do not interfere with other mappings": the era's folio-level question. */
static bool pageout_maybe_shared(struct fsim_machine *m, struct folio *folio)
{
	return shared_pred_eval(m, m->profile->shared, folio, &folio->page);
}

/* Replace every PTE mapping of @folio by a swap entry (try_to_unmap()). */
static void unmap_to_swap(struct fsim_machine *m, struct folio *folio,
			  uint32_t offset)
{
	struct rmap_hit *hits = NULL;
	int nr, i;

	if (folio_test_large(folio)) {
		nr = rmap_walk_large(m, folio, &hits);
		for (i = 0; i < nr; i++)
			if (!hits[i].ptep)	/* TTU_SPLIT_HUGE_PMD */
				__split_huge_pmd(m, hits[i].mm, hits[i].vma,
						 hits[i].addr);
		free(hits);
		nr = rmap_walk_large(m, folio, &hits);
	} else {
		nr = 0;
	}
	for (i = 0; i < nr; i++) {
		struct page *page = &m->phys.pages[pte_pfn(*hits[i].ptep)];
		long idx = folio_page_idx(folio, page);
		bool excl = PageAnonExclusive(page);

		folio_try_share_anon_rmap_pte(m, folio, page);
		swap_duplicate(m, offset + (uint32_t)idx);
		set_pte_keep(hits[i].ptep,
			     swp_entry_pte(offset + (uint32_t)idx, excl));
		folio_remove_rmap_ptes(m, folio, page, 1, hits[i].mm);
		folio_put_refs(m, folio, 1);
		mm_inc_rss(hits[i].mm, MM_ANONPAGES, -1);
		mm_inc_rss(hits[i].mm, MM_SWAPENTS, 1);
	}
	free(hits);
}

/* The one PTE of a small, unshared folio. */
static void unmap_small_to_swap(struct fsim_machine *m, struct mm_struct *mm,
				pte_t *ptep, struct folio *folio,
				uint32_t offset)
{
	bool excl = PageAnonExclusive(&folio->page);

	folio_try_share_anon_rmap_pte(m, folio, &folio->page);
	swap_duplicate(m, offset);
	set_pte_keep(ptep, swp_entry_pte(offset, excl));
	folio_remove_rmap_ptes(m, folio, &folio->page, 1, mm);
	folio_put_refs(m, folio, 1);
	mm_inc_rss(mm, MM_ANONPAGES, -1);
	mm_inc_rss(mm, MM_SWAPENTS, 1);
}

static int reclaim_small(struct fsim_machine *m, struct mm_struct *mm,
			 pte_t *ptep, struct folio *folio);

/* Reclaim the piece of a split folio still mapped at @addr, if any. */
static void reclaim_piece(struct fsim_machine *m, struct mm_struct *mm,
			  unsigned long addr)
{
	pte_t *ptep = pte_lookup(mm, addr);

	if (ptep && pte_present(*ptep) && !pte_special(*ptep))
		reclaim_small(m, mm, ptep, pfn_folio(&m->phys, pte_pfn(*ptep)));
}

/*
 * Reclaim the pieces of a folio split at [addr, addr+N) in mm, in the
 * order shrink_folio_list() meets them: the first piece (the folio it was
 * working on) at once, then the others from its folio list, which it
 * takes from the tail.  Since 6.15 the split appends the new folios in
 * address order, so the last piece comes next; before, the first.  When
 * swap runs out midway, this decides which pages stay in memory.
 */
static void reclaim_split(struct fsim_machine *m, struct mm_struct *mm,
			  unsigned long addr, long nr)
{
	long k;

	reclaim_piece(m, mm, addr);
	for (k = 1; k < nr; k++) {
		long i = m->profile->split_list_in_order ? nr - k : k;

		reclaim_piece(m, mm, addr + (unsigned long)i * PAGE_SIZE);
	}
}

static int reclaim_small(struct fsim_machine *m, struct mm_struct *mm,
			 pte_t *ptep, struct folio *folio)
{
	uint32_t offset;

	if (folio_test(folio, PG_swapcache)) {
		/*
		 * Kept in the swap cache after a swap-in: written again only
		 * if dirtied since (try_to_unmap() moves the PTE's dirty bit
		 * to the folio), else the slot still holds it.
		 */
		bool dirty = pte_dirty(*ptep) || folio_test(folio, PG_dirty);

		offset = folio_swap_offset(m, folio);
		unmap_small_to_swap(m, mm, ptep, folio, offset);
		if (dirty)
			swap_writeout(m, folio);
		else
			swap_cache_reclaim(m, folio);
		return 0;
	}
	if (swap_alloc(m, 1, &offset) || add_to_swap_cache(m, folio, offset))
		return -ENOSPC;
	unmap_small_to_swap(m, mm, ptep, folio, offset);
	swap_writeout(m, folio);
	return 0;
}

/*
 * shrink_folio_list() for one large folio mapped only in @mm at
 * [addr, addr + N): split it if partially mapped or if the swap space has
 * no room for it whole, else swap it out whole.
 */
static void reclaim_large(struct fsim_machine *m, struct mm_struct *mm,
			  unsigned long addr, struct folio *folio)
{
	long nr = folio_nr_pages(folio);
	bool pmd = folio_test_pmd_mappable(folio);
	bool partial = folio_test(folio, PG_partially_mapped);
	uint32_t offset;

	if (partial || swap_alloc(m, nr, &offset)) {
		if (split_folio_to_order(m, folio, 0))
			return;
		if (pmd && !partial)
			count_vm_event(m, THP_SWPOUT_FALLBACK);
		reclaim_split(m, mm, addr, nr);
		return;
	}
	if (add_to_swap_cache(m, folio, offset))
		return;
	unmap_to_swap(m, folio, offset);
	swap_writeout(m, folio);
}

/* Clear the accessed state the way MADV_COLD/PAGEOUT does. */
static void mkold_folio(struct folio *folio)
{
	folio_clear(folio, PG_referenced | PG_young);
}

static void pageout_huge_pmd(struct fsim_machine *m, struct mm_struct *mm,
			     struct vm_area_struct *vma, unsigned long addr,
			     unsigned long next, bool pageout, bool *split)
{
	pmd_t *pmd = pmd_lookup(mm, addr);
	struct folio *folio;

	*split = false;
	if (pmd_huge_zero(*pmd))
		return;
	folio = pfn_folio(&m->phys, pmd_pfn(*pmd));
	if (pageout_maybe_shared(m, folio))
		return;
	if (next - addr != PMD_SIZE) {
		*split = !split_folio_to_order(m, folio, 0);
		return;
	}
	*pmd &= ~_PMD_YOUNG;
	mkold_folio(folio);
	if (pageout)
		reclaim_large(m, mm, ALIGN_DOWN_PMD(addr), folio);
	(void)vma;
}

static void pageout_ptes(struct fsim_machine *m, struct mm_struct *mm,
			 unsigned long addr, unsigned long end, bool pageout)
{
	while (addr < end) {
		pte_t *ptep = pte_lookup(mm, addr);
		struct folio *folio;
		long nr = 1, k;

		if (!ptep || !pte_present(*ptep) || pte_special(*ptep)) {
			addr += PAGE_SIZE;
			continue;
		}
		folio = pfn_folio(&m->phys, pte_pfn(*ptep));
		if (folio_test_large(folio)) {
			nr = folio_pte_batch(m, ptep,
					     (int)((end - addr) >> PAGE_SHIFT),
					     _PTE_YOUNG | _PTE_WRITE |
						     _PTE_DIRTY);
			if (nr < folio_nr_pages(folio)) {
				if (!pageout_maybe_shared(m, folio) &&
				    !split_folio_to_order(m, folio, 0))
					nr = 0;	/* look at it again, split */
				addr += (unsigned long)nr * PAGE_SIZE;
				continue;
			}
		}
		if (folio_test(folio, PG_lru) &&
		    !pageout_maybe_shared(m, folio)) {
			for (k = 0; k < nr; k++)
				ptep[k] &= ~_PTE_YOUNG;
			mkold_folio(folio);
			if (pageout && folio_test_large(folio))
				reclaim_large(m, mm,
					      addr - (unsigned long)folio_page_idx(
						      folio,
						      &m->phys.pages[pte_pfn(*ptep)]) *
						      PAGE_SIZE,
					      folio);
			else if (pageout)
				reclaim_small(m, mm, ptep, folio);
		}
		addr += (unsigned long)nr * PAGE_SIZE;
	}
}

static void pageout_vma_range(struct fsim_machine *m, struct mm_struct *mm,
			      struct vm_area_struct *vma, unsigned long start,
			      unsigned long end, bool pageout)
{
	unsigned long addr, next;
	bool split;

	for (addr = start; addr < end; addr = next) {
		pmd_t *pmd = pmd_lookup(mm, addr);

		next = pmd_addr_end(addr, end);
		if (!pmd || pmd_none(*pmd))
			continue;
		if (pmd_trans_huge(*pmd)) {
			pageout_huge_pmd(m, mm, vma, addr, next, pageout,
					 &split);
			if (!split)
				continue;
		}
		pageout_ptes(m, mm, addr, next, pageout);
	}
}

static int pageout_one_vma(struct fsim_machine *m, struct mm_struct *mm,
			   struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, void *arg)
{
	pageout_vma_range(m, mm, vma, start, end, *(bool *)arg);
	return 0;
}

int madvise_pageout_range(struct fsim_machine *m, struct mm_struct *mm,
			  unsigned long start, unsigned long end, bool pageout)
{
	int err = madvise_walk_vmas(m, mm, start, end, pageout_one_vma,
				    &pageout);

	return err ? fsim_err(m, err, "range has unmapped holes") : 0;
}
