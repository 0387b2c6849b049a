/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Mapcount tracking, as Linux 6.18 keeps it with CONFIG_PAGE_MAPCOUNT=y and
 * CONFIG_MM_ID=y: per-page _mapcount, and for large folios
 * _entire_mapcount, _large_mapcount, _nr_pages_mapped (with
 * ENTIRELY_MAPPED), two MM_ID slots with per-slot mapcounts and the shared
 * bit, PG_anon_exclusive per page, and deferred-split queueing.
 *
 * Every field is maintained in every profile; profiles only differ in how
 * they *ask* (predicate.h, and mapcount.c for the schemes without
 * per-page counts, which also change NR_ANON_MAPPED and deferred-split
 * queueing).  Counters are stored raw, with the kernel's -1
 * bias.  The rmap functions never touch refcounts: callers do, as in the
 * kernel (take references before mapping, drop them after unmapping).
 */
#ifndef FSIM_MODEL_RMAP_H
#define FSIM_MODEL_RMAP_H

#include "machine.h"

#define RMAP_NONE 0
#define RMAP_EXCLUSIVE 1

static inline int folio_large_mapcount(struct fsim_machine *m,
				       const struct folio *folio)
{
	return folio_large(&m->phys, folio)->_large_mapcount + 1;
}

static inline int folio_entire_mapcount(struct fsim_machine *m,
					const struct folio *folio)
{
	return folio_large(&m->phys, folio)->_entire_mapcount + 1;
}

/* Mapping units: each PTE counts 1 and each PMD counts 1. */
static inline int folio_mapcount(struct fsim_machine *m,
				 const struct folio *folio)
{
	if (!folio_test_large(folio))
		return folio->page._mapcount + 1;
	return folio_large_mapcount(m, folio);
}

static inline bool folio_mapped(struct fsim_machine *m,
				const struct folio *folio)
{
	return folio_mapcount(m, folio) >= 1;
}

static inline int folio_nr_pages_mapped(struct fsim_machine *m,
					const struct folio *folio)
{
	return folio_large(&m->phys, folio)->_nr_pages_mapped &
	       FOLIO_PAGES_MAPPED;
}

/* PTEs mapping @page plus PMD mappings of its folio (<= 6.9 page_mapcount) */
int folio_precise_page_mapcount(struct fsim_machine *m, struct folio *folio,
				const struct page *page);

/* The profile's mapcount scheme and its answers (mapcount.c). */
enum mapcount_scheme folio_mapcount_scheme(struct fsim_machine *m);
/* PTE mappings plus nr_pages per PMD mapping (the RFC's counter). */
long folio_total_mapped_pages(struct fsim_machine *m,
			      const struct folio *folio);
/* fs/proc's folio_average_page_mapcount() of the profile's scheme */
int folio_average_page_mapcount(struct fsim_machine *m,
				const struct folio *folio);
/* What /proc (kpagecount, PSS) reads for @page under the scheme. */
int folio_page_mapcount_proc(struct fsim_machine *m, struct folio *folio,
			     const struct page *page);
/* Schemes without per-page counts: "some page is surely unmapped". */
bool folio_certainly_partially_mapped(struct fsim_machine *m,
				      const struct folio *folio);
/* Count the atomics of one rmap call for all three schemes. */
void rmap_cost_ptes(struct fsim_machine *m, int nr, bool crossed);
void rmap_cost_pmd(struct fsim_machine *m, bool crossed);
void rmap_cost_small(struct fsim_machine *m);

bool folio_maybe_dma_pinned(struct fsim_machine *m, struct folio *folio);

void folio_add_new_anon_rmap(struct fsim_machine *m, struct folio *folio,
			     struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long addr, int flags);
void folio_add_anon_rmap_ptes(struct fsim_machine *m, struct folio *folio,
			      struct page *page, int nr, struct mm_struct *mm,
			      int flags);
void folio_add_anon_rmap_pmd(struct fsim_machine *m, struct folio *folio,
			     struct page *page, struct mm_struct *mm,
			     int flags);
int folio_try_dup_anon_rmap_ptes(struct fsim_machine *m, struct folio *folio,
				 struct page *page, int nr,
				 struct mm_struct *dst, struct mm_struct *src);
int folio_try_dup_anon_rmap_pmd(struct fsim_machine *m, struct folio *folio,
				struct page *page, struct mm_struct *dst,
				struct mm_struct *src);
void folio_remove_rmap_ptes(struct fsim_machine *m, struct folio *folio,
			    struct page *page, int nr, struct mm_struct *mm);
void folio_remove_rmap_pmd(struct fsim_machine *m, struct folio *folio,
			   struct page *page, struct mm_struct *mm);
int folio_try_share_anon_rmap_pte(struct fsim_machine *m, struct folio *folio,
				  struct page *page);
int folio_try_share_anon_rmap_pmd(struct fsim_machine *m, struct folio *folio,
				  struct page *page);

void deferred_split_folio(struct fsim_machine *m, struct folio *folio,
			  bool partially_mapped);

#endif
