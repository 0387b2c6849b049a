/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged and MADV_COLLAPSE for anonymous memory, as Linux 6.18 does
 * them, with the per-era rules of the profile.
 *
 * Every check that can stop a collapse is a named decision point with
 * counters and a forcing knob (for mutation coverage); every PMD scan
 * leaves a record with the fields of the mm_khugepaged_scan_pmd tracepoint.
 */
#ifndef FSIM_MODEL_KHUGEPAGED_H
#define FSIM_MODEL_KHUGEPAGED_H

#include "machine.h"

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

/* One mm_khugepaged_scan_pmd event (khugepaged or MADV_COLLAPSE). */
struct kh_scan_record {
	int mm_idx;
	unsigned long addr;
	enum scan_result status;
	int referenced, none_or_zero, unmapped;
	int shared;			/* not in the tracepoint */
	pfn_t pfn;			/* last folio looked at, NO_PFN if none */
	bool is_khugepaged;
	unsigned long pass;		/* khugepaged's pass, 0 for MADV_COLLAPSE */
	int order;	/* 0: the PMD scan; 2..8: one mTHP collapse attempt */
};

/* Per-size collapse counters of the mTHP series (hugepages-*kB/stats). */
enum mthp_collapse_stat {
	MTHP_STAT_COLLAPSE_ALLOC,
	MTHP_STAT_COLLAPSE_ALLOC_FAILED,
	MTHP_STAT_COLLAPSE_EXCEED_NONE,
	MTHP_STAT_COLLAPSE_EXCEED_SWAP,
	MTHP_STAT_COLLAPSE_EXCEED_SHARED,
	NR_MTHP_COLLAPSE_STATS
};

struct khugepaged_state {
	struct mm_struct **slots;	/* mm_slot list, registration order */
	int nr_slots, cap_slots;
	struct mm_struct *cursor;	/* khugepaged_scan.mm_slot, or NULL */
	unsigned long cursor_addr;	/* khugepaged_scan.address */
	uint64_t pages_collapsed;
	uint64_t full_scans;
	unsigned long passes;		/* khugepaged_do_scan() calls */
	uint64_t evaluated[NR_KH_POINTS];
	uint64_t fired[NR_KH_POINTS];
	enum kh_force force[NR_KH_POINTS];
	struct kh_scan_record *records;
	size_t nr_records, cap_records;
	bool keep_records;
	/* Counted under every profile; only +mthp_collapse* fills 2..8. */
	uint64_t mthp_stat[HPAGE_PMD_ORDER + 1][NR_MTHP_COLLAPSE_STATS];
};

struct khugepaged_state *khugepaged_state_new(void);
void khugepaged_state_free(struct khugepaged_state *k);

/* Unlink @mm's slot (if it has one) and clear MMF_VM_HUGEPAGE. */
void khugepaged_remove_slot(struct khugepaged_state *k, struct mm_struct *mm);
/* -1 if unknown */
int kh_point_lookup(const char *name);
void khugepaged_force(struct fsim_machine *m, enum kh_point p,
		      enum kh_force how);

/*
 * khugepaged runs: an order it may collapse to is enabled (PMD only, but
 * any of 2..PMD under +mthp_collapse; collapse_mthp.c).
 */
bool khugepaged_enabled(struct fsim_machine *m);
/* One khugepaged pass (khugepaged_do_scan()). */
void khugepaged_do_scan(struct fsim_machine *m);
/*
 * The language's "khugepaged N": passes until at least N full scans have
 * completed within this call (a full scan is the span between two
 * increments of full_scans) and the last of them collapsed nothing.
 * Returns the number of passes, 0 if khugepaged has nothing to scan.
 */
long khugepaged_run(struct fsim_machine *m, long n);

#endif
