/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged's vocabulary outside the model: the scan results of the
 * mm_khugepaged_scan_pmd tracepoint and the named decision points that
 * mutation runs force.  The state that counts them is in khugepaged.h,
 * internal to model/.
 */
#ifndef FSIM_MODEL_KH_POINTS_H
#define FSIM_MODEL_KH_POINTS_H

/* enum scan_result of 6.18 (values 0..30), plus <= 6.17's SCAN_PAGE_RO. */
#define FSIM_SCAN_RESULTS(X)                                 \
	X(SCAN_FAIL, "failed")                               \
	X(SCAN_SUCCEED, "succeeded")                         \
	X(SCAN_PMD_NULL, "pmd_null")                         \
	X(SCAN_PMD_NONE, "pmd_none")                         \
	X(SCAN_PMD_MAPPED, "page_pmd_mapped")                \
	X(SCAN_EXCEED_NONE_PTE, "exceed_none_pte")           \
	X(SCAN_EXCEED_SWAP_PTE, "exceed_swap_pte")           \
	X(SCAN_EXCEED_SHARED_PTE, "exceed_shared_pte")       \
	X(SCAN_PTE_NON_PRESENT, "pte_non_present")           \
	X(SCAN_PTE_UFFD_WP, "pte_uffd_wp")                   \
	X(SCAN_PTE_MAPPED_HUGEPAGE, "pte_mapped_hugepage")   \
	X(SCAN_LACK_REFERENCED_PAGE, "lack_referenced_page") \
	X(SCAN_PAGE_NULL, "page_null")                       \
	X(SCAN_SCAN_ABORT, "scan_aborted")                   \
	X(SCAN_PAGE_COUNT, "not_suitable_page_count")        \
	X(SCAN_PAGE_LRU, "page_not_in_lru")                  \
	X(SCAN_PAGE_LOCK, "page_locked")                     \
	X(SCAN_PAGE_ANON, "page_not_anon")                   \
	X(SCAN_PAGE_COMPOUND, "page_compound")               \
	X(SCAN_ANY_PROCESS, "no_process_for_page")           \
	X(SCAN_VMA_NULL, "vma_null")                         \
	X(SCAN_VMA_CHECK, "vma_check_failed")                \
	X(SCAN_ADDRESS_RANGE, "not_suitable_address_range")  \
	X(SCAN_DEL_PAGE_LRU, "could_not_delete_page_from_lru") \
	X(SCAN_ALLOC_HUGE_PAGE_FAIL, "alloc_huge_page_failed") \
	X(SCAN_CGROUP_CHARGE_FAIL, "ccgroup_charge_failed")  \
	X(SCAN_TRUNCATED, "truncated")                       \
	X(SCAN_PAGE_HAS_PRIVATE, "page_has_private")         \
	X(SCAN_STORE_FAILED, "store_failed")                 \
	X(SCAN_COPY_MC, "copy_poisoned_page")                \
	X(SCAN_PAGE_FILLED, "page_filled")                   \
	X(SCAN_PAGE_RO, "no_writable_page")

enum scan_result {
#define X(id, name) id,
	FSIM_SCAN_RESULTS(X)
#undef X
	NR_SCAN_RESULTS
};

extern const char *const scan_result_names[NR_SCAN_RESULTS];

/*
 * Decision points: each is a condition that, when true, stops the collapse
 * with the result in the comment (or, for "shared" and "young", counts a
 * PTE as shared / referenced).  Names are stable: tests and mutation runs
 * refer to them.
 */
#define FSIM_KH_POINTS(X)                                                  \
	X(KH_SCAN_PMD_STATE, "scan:pmd_state")	/* PMD_NULL/NONE/MAPPED */ \
	X(KH_SCAN_EXCEED_SWAP, "scan:exceed_swap_pte")                     \
	X(KH_SCAN_EXCEED_NONE, "scan:exceed_none_pte")                     \
	X(KH_SCAN_PAGE_ANON, "scan:page_not_anon")                         \
	X(KH_SHARED, "shared")		/* the era's "is it shared?" */    \
	X(KH_SCAN_EXCEED_SHARED, "scan:exceed_shared_pte")                 \
	X(KH_SCAN_PAGE_LRU, "scan:page_not_in_lru")                        \
	X(KH_SCAN_PAGE_LOCK, "scan:page_locked")                           \
	X(KH_SCAN_PAGE_COUNT, "scan:not_suitable_page_count")              \
	X(KH_YOUNG, "young")		/* a PTE counts as referenced */   \
	X(KH_SCAN_PAGE_RO, "scan:no_writable_page")	/* <= 6.17 */       \
	X(KH_SCAN_LACK_REFERENCED, "scan:lack_referenced_page")            \
	X(KH_ALLOC, "collapse:alloc_huge_page_failed")                     \
	X(KH_REVALIDATE, "collapse:revalidate")                            \
	X(KH_COLLAPSE_PMD_STATE, "collapse:pmd_state")                     \
	X(KH_SWAPIN, "collapse:swapin_failed")                             \
	X(KH_ISO_EXCEED_NONE, "isolate:exceed_none_pte")                   \
	X(KH_ISO_NON_PRESENT, "isolate:pte_non_present")                   \
	X(KH_ISO_EXCEED_SHARED, "isolate:exceed_shared_pte")               \
	X(KH_ISO_PAGE_LOCK, "isolate:page_locked")                         \
	X(KH_ISO_PAGE_COUNT, "isolate:not_suitable_page_count")            \
	X(KH_ISO_DEL_LRU, "isolate:could_not_delete_page_from_lru")        \
	X(KH_ISO_PAGE_RO, "isolate:no_writable_page")	/* <= 6.17 */      \
	X(KH_ISO_LACK_REFERENCED, "isolate:lack_referenced_page")

enum kh_point {
#define X(id, name) id,
	FSIM_KH_POINTS(X)
#undef X
	NR_KH_POINTS
};

extern const char *const kh_point_names[NR_KH_POINTS];

enum kh_force {
	KH_FORCE_NONE,		/* evaluate the check */
	KH_FORCE_FALSE,		/* skip it: the condition never holds */
	KH_FORCE_TRUE,		/* force it: the condition always holds */
};

/* The point called @name ("shared", "scan:exceed_none_pte"), or -1. */
int kh_point_lookup(const char *name);

#endif
