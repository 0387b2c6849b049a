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

#include "kh_points.h"
#include "machine.h"

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
