/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "Is this folio shared?" — the predicates of each kernel era, kept apart
 * from the tracking they read (rmap.c), plus the exact answer.
 */
#ifndef FSIM_MODEL_PREDICATE_H
#define FSIM_MODEL_PREDICATE_H

#include "rmap.h"

/* 6.15+: the MM_ID shared bit (include/linux/mm.h) */
bool folio_maybe_mapped_shared(struct fsim_machine *m, struct folio *folio);
/* 6.10-6.14: with its guess from page 0 */
bool folio_likely_mapped_shared(struct fsim_machine *m, struct folio *folio);
/* <= 6.9 khugepaged: page_mapcount(page) > 1 for the scanned page */
bool page_mapcount_shared(struct fsim_machine *m, struct folio *folio,
			  struct page *page);
/* The truth: mapped by more than one mm (found by walking every mm). */
bool folio_exact_mapped_shared(struct fsim_machine *m, struct folio *folio);

/* Evaluate @pred for the PTE that maps @page of @folio. */
bool shared_pred_eval(struct fsim_machine *m, enum shared_pred pred,
		      struct folio *folio, struct page *page);

#endif
