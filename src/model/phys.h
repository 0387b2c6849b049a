/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Simulated physical memory: a struct page per PFN, a buddy allocator over
 * the PFNs, and folios of order 0..MAX_PAGE_ORDER built on top of it.
 *
 * A struct page is 16 bytes.  The fields the kernel keeps in page[1] and
 * page[2] of a large folio (_large_mapcount, _entire_mapcount, the MM_ID
 * slots, the deferred-split list ...) live in a struct folio_large that the
 * spare word of page[1] points to, so order-0 pages pay nothing for them.
 * A folio is named by its head page, as in the kernel.
 */
#ifndef FSIM_MODEL_PHYS_H
#define FSIM_MODEL_PHYS_H

#include "types.h"

/* struct page.flags: low 4 bits hold the order of the page's folio. */
#define PG_ORDER_MASK 0xfU
#define PG_buddy (1U << 4)	/* head of a free buddy block */
#define PG_allocated (1U << 5)	/* part of an allocated folio */
#define PG_anon_exclusive (1U << 6) /* per page */
#define PG_anon (1U << 7)	/* folio-level flags from here: head only */
#define PG_lru (1U << 8)
#define PG_locked (1U << 9)
#define PG_swapcache (1U << 10)
#define PG_ksm (1U << 11)
#define PG_young (1U << 12)
#define PG_referenced (1U << 13)
#define PG_dirty (1U << 14)
#define PG_partially_mapped (1U << 15)
#define PG_deferred (1U << 16)	/* on the deferred-split queue */
#define PG_isolated (1U << 17)	/* taken off the LRU by a collapse */
#define PG_readahead (1U << 18)	/* read by swap readahead, not yet used */

struct page {
	uint32_t flags;
	int32_t _mapcount;	/* raw: -1 = no PTE maps this page */
	content_t content;	/* what the page holds; 0 = zero-filled */
	union {
		int32_t _refcount;	/* head of an allocated folio */
		uint32_t large_idx;	/* page[1] of a large folio */
		uint32_t buddy_next;	/* free block: next in its free list */
					/* (_mapcount holds the previous) */
	};
};

/* A folio is its head page; &folio->page + i is page i. */
struct folio {
	struct page page;
};

#define MM_ID_DUMMY 0

/* Per-large-folio fields, the kernel's page[1]/page[2] words (raw values). */
struct folio_large {
	int32_t _large_mapcount;
	int32_t _entire_mapcount;
	int32_t _nr_pages_mapped;	/* ENTIRELY_MAPPED | #pages PTE-mapped */
	int32_t _pincount;
	uint32_t _mm_id[2];		/* MM_ID_DUMMY = slot free */
	int32_t _mm_id_mapcount[2];
	bool mm_ids_shared;		/* FOLIO_MM_IDS_SHARED_BIT */
	uint32_t swap_offset;		/* first swap slot while in swap cache */
	unsigned long index;		/* linear page index of page 0 (rmap) */
	pfn_t deferred_prev, deferred_next;	/* deferred-split queue links */
	uint32_t next_free;		/* pool free list */
};

#define ENTIRELY_MAPPED 0x800000
#define FOLIO_PAGES_MAPPED (ENTIRELY_MAPPED - 1)

struct fsim_phys {
	struct page *pages;
	pfn_t nr_pages;
	uint32_t free_head[MAX_PAGE_ORDER + 1];	/* NO_PFN terminated */
	uint64_t nr_free;		/* free base pages */
	struct folio_large *large;	/* pool, index 0 unused */
	uint32_t nr_large, cap_large, large_free;
	pfn_t deferred_head, deferred_tail;	/* deferred-split queue */
	uint32_t deferred_len;
};

int phys_init(struct fsim_phys *ph, uint64_t ram_bytes);
void phys_destroy(struct fsim_phys *ph);

/* Returns the head pfn of a new block of 2^order pages, or NO_PFN. */
pfn_t buddy_alloc(struct fsim_phys *ph, unsigned int order);
void buddy_free(struct fsim_phys *ph, pfn_t pfn, unsigned int order);
/* Largest free block order, or -1 when memory is full. */
int buddy_max_free_order(const struct fsim_phys *ph);

static inline struct page *pfn_to_page(const struct fsim_phys *ph, pfn_t pfn)
{
	return &ph->pages[pfn];
}

static inline pfn_t page_to_pfn(const struct fsim_phys *ph,
				const struct page *page)
{
	return (pfn_t)(page - ph->pages);
}

static inline unsigned int page_order(const struct page *page)
{
	return page->flags & PG_ORDER_MASK;
}

static inline struct folio *page_folio(const struct fsim_phys *ph,
				       const struct page *page)
{
	pfn_t pfn = page_to_pfn(ph, page);

	pfn &= ~((1U << page_order(page)) - 1);
	return (struct folio *)&ph->pages[pfn];
}

static inline struct folio *pfn_folio(const struct fsim_phys *ph, pfn_t pfn)
{
	return page_folio(ph, &ph->pages[pfn]);
}

static inline struct page *folio_page(struct folio *folio, long i)
{
	return &folio->page + i;
}

static inline pfn_t folio_pfn(const struct fsim_phys *ph,
			      const struct folio *folio)
{
	return page_to_pfn(ph, &folio->page);
}

static inline unsigned int folio_order(const struct folio *folio)
{
	return page_order(&folio->page);
}

static inline long folio_nr_pages(const struct folio *folio)
{
	return 1L << folio_order(folio);
}

static inline bool folio_test_large(const struct folio *folio)
{
	return folio_order(folio) > 0;
}

static inline bool folio_test_pmd_mappable(const struct folio *folio)
{
	return folio_order(folio) >= HPAGE_PMD_ORDER;
}

static inline long folio_page_idx(const struct folio *folio,
				  const struct page *page)
{
	return page - &folio->page;
}

static inline struct folio_large *folio_large(const struct fsim_phys *ph,
					      const struct folio *folio)
{
	return &ph->large[(&folio->page)[1].large_idx];
}

static inline bool folio_test(const struct folio *folio, uint32_t flag)
{
	return folio->page.flags & flag;
}

static inline void folio_set(struct folio *folio, uint32_t flag)
{
	folio->page.flags |= flag;
}

static inline void folio_clear(struct folio *folio, uint32_t flag)
{
	folio->page.flags &= ~flag;
}

static inline int folio_ref_count(const struct folio *folio)
{
	return folio->page._refcount;
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	folio->page._refcount += nr;
}

static inline bool PageAnonExclusive(const struct page *page)
{
	return page->flags & PG_anon_exclusive;
}

static inline void SetPageAnonExclusive(struct page *page)
{
	page->flags |= PG_anon_exclusive;
}

static inline void ClearPageAnonExclusive(struct page *page)
{
	page->flags &= ~PG_anon_exclusive;
}

/*
 * Allocate a folio of @order with refcount 1, every page zero-filled and
 * every mapcount field in its initial state.  NULL when no block is free.
 */
struct folio *folio_alloc(struct fsim_phys *ph, unsigned int order);
/* Free a folio whose refcount dropped to zero (leaves the deferred queue). */
void folio_free(struct fsim_phys *ph, struct folio *folio);
/*
 * Turn a large folio into folios of @new_order (the caller has torn down
 * every mapping); returns the number of pieces.  Metadata of each new
 * large piece starts fresh; refcounts are set to 0 for the caller to fill.
 */
long folio_carve(struct fsim_phys *ph, struct folio *folio,
		 unsigned int new_order);

/* The deferred-split queue (a FIFO, as the kernel's list_add_tail). */
void deferred_list_add(struct fsim_phys *ph, struct folio *folio);
void deferred_list_del(struct fsim_phys *ph, struct folio *folio);

#endif
