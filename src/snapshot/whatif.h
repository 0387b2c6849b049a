/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What khugepaged would do to a snapshot: rebuild it in the model under
 * one profile and settings, run khugepaged to its fixpoint, and collect
 * the verdict of every PMD it scanned, the memory totals before and after,
 * and each VMA's figures in the vocabulary of the kernel's
 * tools/mm/thpmaps.
 */
#ifndef FSIM_SNAPSHOT_WHATIF_H
#define FSIM_SNAPSHOT_WHATIF_H

#include "replay.h"

/* One VMA as tools/mm/thpmaps counts it, in kB. */
struct thp_stats {
	uint64_t anon_kb;			/* smaps Anonymous */
	uint64_t pmd_kb;			/* anon-thp-pmd-aligned-2048kB */
	uint64_t pte_aligned_kb[10];		/* by order, 2..9 */
	uint64_t pte_unaligned_kb[10];
	uint64_t partial_kb;			/* anon-thp-pte-partial */
};

struct whatif_pmd {
	int proc;
	uint64_t addr;
	bool collapsed;			/* some scan collapsed it */
	const char *status;		/* else: the last scan's result */
	int referenced, none_or_zero, unmapped;
};

struct whatif_result {
	long passes;
	struct whatif_pmd *pmds;	/* sorted by process and address */
	int nr_pmds;
	uint64_t anon_before, anon_after;	/* bytes of anon folios */
	uint64_t thp_before, thp_after;		/* bytes PMD-mapped (smaps) */
	struct thp_stats *before, *after;	/* per snapshot VMA */
	long degraded, missed;		/* from the replay */
	int violations;			/* fsim_check() after the run */
};

void thp_stats_of(struct fsim_machine *m, struct mm_struct *mm,
		  uint64_t start, uint64_t end, struct thp_stats *out);

/* 0, or -1 with @err. */
int whatif_run(const struct snapshot *s, const char *profile,
	       const char *const *sets, int nr_sets, struct whatif_result *r,
	       char *err, size_t errlen);
void whatif_free(struct whatif_result *r);

#endif
