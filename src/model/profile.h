/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-era profiles.  A profile names a kernel and carries every rule of
 * its era that changes behaviour in the model; the "is it shared?" predicate
 * used by khugepaged is one of them and can be overridden on its own.
 */
#ifndef FSIM_MODEL_PROFILE_H
#define FSIM_MODEL_PROFILE_H

#include <stdbool.h>

enum shared_pred {
	PRED_PAGE_MAPCOUNT,	/* page_mapcount(page) > 1, <= 6.9 */
	PRED_LIKELY,		/* folio_likely_mapped_shared, 6.10-6.14 */
	PRED_MAYBE,		/* folio_maybe_mapped_shared, 6.15+ */
	PRED_EXACT,		/* mapped by more than one mm (rmap walk) */
	PRED_ALWAYS,		/* fault injection */
	PRED_NEVER,		/* fault injection */
	NR_SHARED_PREDS
};

struct fsim_profile {
	const char *name;
	const char *kernels;		/* e.g. "6.10-6.14" */
	enum shared_pred shared;
	bool large_cow_reuse;		/* 6.15: reuse PTE-mapped large folios */
	bool huge_zero_wp_alloc;	/* 6.13: write to huge zero PMD -> THP */
	bool huge_zero_wp_queue;	/* 6.18: ... and queue it as underused */
	bool collapse_needs_writable;	/* <= 6.17: SCAN_PAGE_RO */
	bool underused_shrinker;	/* 6.12: thp_underused, zero remap */
	bool large_mapcount;		/* 6.10: O(1) folio_mapcount */
	bool mm_id;			/* 6.15: MM_ID slots drive answers */
	bool pt_reclaim;		/* 6.14: DONTNEED frees empty tables */
	bool swap_zeromap;		/* 6.12: zero folios are not written */
	bool mthp_swapin;		/* 6.13: alloc_swap_folio() */
};

extern const struct fsim_profile fsim_profiles[];
extern const int fsim_nr_profiles;
extern const char *const shared_pred_names[NR_SHARED_PREDS];

/* The default profile: the running kernel's rules (6.18). */
const struct fsim_profile *profile_default(void);
const struct fsim_profile *profile_lookup(const char *name);
/* Accepts page_mapcount|likely|maybe|exact|always|never; -1 if unknown. */
int shared_pred_lookup(const char *name);

#endif
