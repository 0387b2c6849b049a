// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated RAM: the page array, a binary buddy allocator, folio set-up and
 * tear-down, and the deferred-split queue links.
 */
#include <stdlib.h>
#include <string.h>

#include "phys.h"

static void free_list_add(struct fsim_phys *ph, pfn_t pfn, unsigned int order)
{
	struct page *page = &ph->pages[pfn];
	uint32_t next = ph->free_head[order];

	page->flags = PG_buddy | order;
	page->buddy_next = next;
	page->_mapcount = (int32_t)NO_PFN;
	if (next != NO_PFN)
		ph->pages[next]._mapcount = (int32_t)pfn;
	ph->free_head[order] = pfn;
}

static void free_list_del(struct fsim_phys *ph, pfn_t pfn, unsigned int order)
{
	struct page *page = &ph->pages[pfn];
	pfn_t prev = (pfn_t)page->_mapcount;
	pfn_t next = page->buddy_next;

	if (prev == NO_PFN)
		ph->free_head[order] = next;
	else
		ph->pages[prev].buddy_next = next;
	if (next != NO_PFN)
		ph->pages[next]._mapcount = (int32_t)prev;
	page->flags = 0;
	page->_mapcount = -1;
	page->buddy_next = 0;
}

int phys_init(struct fsim_phys *ph, uint64_t ram_bytes)
{
	uint64_t nr = ram_bytes >> PAGE_SHIFT;
	unsigned int o;
	pfn_t pfn;

	memset(ph, 0, sizeof(*ph));
	if (nr < (1U << MAX_PAGE_ORDER) || nr > PFN_LIMIT)
		return -1;
	nr &= ~((uint64_t)(1U << MAX_PAGE_ORDER) - 1);
	ph->pages = calloc(nr, sizeof(struct page));
	if (!ph->pages)
		return -1;
	ph->nr_pages = (pfn_t)nr;
	for (o = 0; o <= MAX_PAGE_ORDER; o++)
		ph->free_head[o] = NO_PFN;
	/* Add blocks from the top so that allocation starts at low pfns. */
	for (pfn = ph->nr_pages; pfn > 0;) {
		pfn -= 1U << MAX_PAGE_ORDER;
		free_list_add(ph, pfn, MAX_PAGE_ORDER);
	}
	ph->nr_free = nr;
	ph->cap_large = 64;
	ph->large = calloc(ph->cap_large, sizeof(*ph->large));
	if (!ph->large) {
		free(ph->pages);
		return -1;
	}
	ph->nr_large = 1;	/* index 0 means "none" */
	ph->deferred_head = ph->deferred_tail = NO_PFN;
	return 0;
}

void phys_destroy(struct fsim_phys *ph)
{
	free(ph->pages);
	free(ph->large);
	memset(ph, 0, sizeof(*ph));
}

pfn_t buddy_alloc(struct fsim_phys *ph, unsigned int order)
{
	unsigned int o;
	pfn_t pfn;

	for (o = order; o <= MAX_PAGE_ORDER; o++)
		if (ph->free_head[o] != NO_PFN)
			break;
	if (o > MAX_PAGE_ORDER)
		return NO_PFN;
	pfn = ph->free_head[o];
	free_list_del(ph, pfn, o);
	/* Give back the upper halves, as expand() does. */
	while (o > order) {
		o--;
		free_list_add(ph, pfn + (1U << o), o);
	}
	ph->nr_free -= 1UL << order;
	return pfn;
}

void buddy_free(struct fsim_phys *ph, pfn_t pfn, unsigned int order)
{
	ph->nr_free += 1UL << order;
	while (order < MAX_PAGE_ORDER) {
		pfn_t buddy = pfn ^ (1U << order);
		struct page *bp = &ph->pages[buddy];

		if (!(bp->flags & PG_buddy) || page_order(bp) != order)
			break;
		free_list_del(ph, buddy, order);
		pfn &= ~(1U << order);
		order++;
	}
	free_list_add(ph, pfn, order);
}

int buddy_max_free_order(const struct fsim_phys *ph)
{
	int o;

	for (o = MAX_PAGE_ORDER; o >= 0; o--)
		if (ph->free_head[o] != NO_PFN)
			return o;
	return -1;
}

static uint32_t large_alloc(struct fsim_phys *ph)
{
	struct folio_large *fl;
	uint32_t idx;

	if (ph->large_free) {
		idx = ph->large_free;
		ph->large_free = ph->large[idx].next_free;
	} else {
		if (ph->nr_large == ph->cap_large) {
			/* grow by a quarter: the pool is host memory per page */
			uint32_t cap = ph->cap_large + ph->cap_large / 4 + 64;
			void *p = realloc(ph->large, cap * sizeof(*ph->large));

			if (!p)
				return 0;
			ph->large = p;
			ph->cap_large = cap;
		}
		idx = ph->nr_large++;
	}
	fl = &ph->large[idx];
	memset(fl, 0, sizeof(*fl));
	/* prep_compound_head(): biased counters start at -1 */
	fl->_large_mapcount = -1;
	fl->_entire_mapcount = -1;
	fl->_mm_id_mapcount[0] = -1;
	fl->_mm_id_mapcount[1] = -1;
	fl->deferred_prev = fl->deferred_next = NO_PFN;
	return idx;
}

static void large_free(struct fsim_phys *ph, uint32_t idx)
{
	ph->large[idx].next_free = ph->large_free;
	ph->large_free = idx;
}

/* Make pages [pfn, pfn + 2^order) one folio; refcount left to the caller. */
static bool folio_prep(struct fsim_phys *ph, pfn_t pfn, unsigned int order,
		       uint32_t head_flags)
{
	long i, nr = 1L << order;

	for (i = 0; i < nr; i++) {
		struct page *page = &ph->pages[pfn + i];

		page->flags = PG_allocated | order |
			      (page->flags & PG_anon_exclusive);
		page->_mapcount = -1;
		page->_refcount = 0;
	}
	ph->pages[pfn].flags |= head_flags;
	if (order) {
		uint32_t idx = large_alloc(ph);

		if (!idx)
			return false;
		ph->pages[pfn + 1].large_idx = idx;
	}
	return true;
}

struct folio *folio_alloc(struct fsim_phys *ph, unsigned int order)
{
	pfn_t pfn = buddy_alloc(ph, order);
	long i;

	if (pfn == NO_PFN)
		return NULL;
	for (i = 0; i < (1L << order); i++) {
		ph->pages[pfn + i].flags = 0;
		ph->pages[pfn + i].content = 0;	/* __GFP_ZERO */
	}
	if (!folio_prep(ph, pfn, order, 0)) {
		buddy_free(ph, pfn, order);
		return NULL;
	}
	ph->pages[pfn]._refcount = 1;
	return (struct folio *)&ph->pages[pfn];
}

/*
 * Tail pages keep their stale state while free: the buddy allocator only
 * reads block heads, and folio_alloc() sets up every page again.
 */
void folio_free(struct fsim_phys *ph, struct folio *folio)
{
	unsigned int order = folio_order(folio);
	pfn_t pfn = folio_pfn(ph, folio);

	if (folio_test(folio, PG_deferred))
		deferred_list_del(ph, folio);
	if (order) {
		large_free(ph, folio_page(folio, 1)->large_idx);
		folio_page(folio, 1)->large_idx = 0;
	}
	folio->page.flags = 0;
	folio->page._mapcount = -1;
	folio->page._refcount = 0;
	buddy_free(ph, pfn, order);
}

long folio_carve(struct fsim_phys *ph, struct folio *folio,
		 unsigned int new_order)
{
	uint32_t keep = folio->page.flags &
			(PG_anon | PG_lru | PG_locked | PG_dirty | PG_young |
			 PG_referenced | PG_swapcache);
	unsigned int order = folio_order(folio);
	pfn_t pfn = folio_pfn(ph, folio);
	long i, nr = 1L << (order - new_order);

	if (folio_test(folio, PG_deferred))
		deferred_list_del(ph, folio);
	large_free(ph, folio_page(folio, 1)->large_idx);
	for (i = 0; i < nr; i++)
		folio_prep(ph, pfn + (pfn_t)(i << new_order), new_order, keep);
	return nr;
}

void deferred_list_add(struct fsim_phys *ph, struct folio *folio)
{
	struct folio_large *fl = folio_large(ph, folio);
	pfn_t pfn = folio_pfn(ph, folio);

	fl->deferred_prev = ph->deferred_tail;
	fl->deferred_next = NO_PFN;
	if (ph->deferred_tail == NO_PFN)
		ph->deferred_head = pfn;
	else
		folio_large(ph, pfn_folio(ph, ph->deferred_tail))
			->deferred_next = pfn;
	ph->deferred_tail = pfn;
	ph->deferred_len++;
	folio_set(folio, PG_deferred);
}

void deferred_list_del(struct fsim_phys *ph, struct folio *folio)
{
	struct folio_large *fl = folio_large(ph, folio);

	if (fl->deferred_prev == NO_PFN)
		ph->deferred_head = fl->deferred_next;
	else
		folio_large(ph, pfn_folio(ph, fl->deferred_prev))
			->deferred_next = fl->deferred_next;
	if (fl->deferred_next == NO_PFN)
		ph->deferred_tail = fl->deferred_prev;
	else
		folio_large(ph, pfn_folio(ph, fl->deferred_next))
			->deferred_prev = fl->deferred_prev;
	fl->deferred_prev = fl->deferred_next = NO_PFN;
	ph->deferred_len--;
	folio_clear(folio, PG_deferred | PG_partially_mapped);
}
