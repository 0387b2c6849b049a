/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmstat-style counters with the kernel's /proc/vmstat names, plus the
 * mapcount-update cost counters used by the benchmarks.
 */
#ifndef FSIM_MODEL_STATS_H
#define FSIM_MODEL_STATS_H

#include <stdint.h>

#include "config/profile.h"

/* One table: the enum and the names are generated from it. */
#define FSIM_VM_EVENTS(X)                                \
	X(NR_ANON_MAPPED, "nr_anon_pages")               \
	X(NR_ANON_THPS, "nr_anon_transparent_hugepages") \
	X(PGFAULT, "pgfault")                            \
	X(THP_FAULT_ALLOC, "thp_fault_alloc")            \
	X(THP_FAULT_FALLBACK, "thp_fault_fallback")      \
	X(THP_COLLAPSE_ALLOC, "thp_collapse_alloc")      \
	X(THP_COLLAPSE_ALLOC_FAILED, "thp_collapse_alloc_failed") \
	X(THP_SPLIT_PAGE, "thp_split_page")              \
	X(THP_SPLIT_PAGE_FAILED, "thp_split_page_failed") \
	X(THP_DEFERRED_SPLIT_PAGE, "thp_deferred_split_page") \
	X(THP_UNDERUSED_SPLIT_PAGE, "thp_underused_split_page") \
	X(THP_SPLIT_PMD, "thp_split_pmd")                \
	X(THP_SCAN_EXCEED_NONE_PTE, "thp_scan_exceed_none_pte") \
	X(THP_SCAN_EXCEED_SWAP_PTE, "thp_scan_exceed_swap_pte") \
	X(THP_SCAN_EXCEED_SHARE_PTE, "thp_scan_exceed_share_pte") \
	X(THP_ZERO_PAGE_ALLOC, "thp_zero_page_alloc")    \
	X(THP_SWPOUT, "thp_swpout")                      \
	X(THP_SWPOUT_FALLBACK, "thp_swpout_fallback")    \
	X(PSWPIN, "pswpin")                              \
	X(PSWPOUT, "pswpout")                            \
	X(SWPIN_ZERO, "swpin_zero")                      \
	X(SWPOUT_ZERO, "swpout_zero")                    \
	X(SWAP_RA, "swap_ra")                            \
	X(SWAP_RA_HIT, "swap_ra_hit")                    \
	X(COW_KSM, "cow_ksm")                            \
	X(KSM_SWPIN_COPY, "ksm_swpin_copy")

enum vm_event_item {
#define X(id, name) id,
	FSIM_VM_EVENTS(X)
#undef X
	NR_VM_EVENTS
};

extern const char *const vm_event_names[NR_VM_EVENTS];

/* Returns the item for a /proc/vmstat name, or -1. */
int vm_event_lookup(const char *name);

/*
 * Atomic read-modify-writes the kernel would do for mapcount tracking,
 * split by field, so the benchmark can show what each scheme costs.
 */
struct rmap_cost {
	uint64_t page_mapcount_ops;	/* page->_mapcount */
	uint64_t nr_pages_mapped_ops;	/* _nr_pages_mapped */
	uint64_t entire_mapcount_ops;	/* _entire_mapcount */
	uint64_t large_mapcount_ops;	/* _large_mapcount (+ MM_ID slots) */
	/*
	 * Atomic read-modify-writes each scheme would do for the same rmap
	 * calls, whatever the profile (rmap_cost.c): an update of
	 * _large_mapcount with its MM_ID slots under the bit lock counts 1.
	 */
	uint64_t atomics[NR_MAPCOUNT_SCHEMES];
};

#endif
