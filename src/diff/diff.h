/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Model versus kernel, statement by statement ('foliosim diff'): both
 * executors step the same scenario, and after every statement that can
 * change state both are observed through their exec_observer and compared:
 *
 *  - per process: alive or not;
 *  - per process and page of the scenario's regions: the state (none,
 *    zero, present, swap), PMD mapping, the folio order and KSM flag of
 *    present pages;
 *  - the sharing structure: which (process, page) entries map the same
 *    physical page, compared as groups (never as raw frame numbers);
 *  - the vmstat deltas of exec_vmstat_names, exactly, except the per-pass
 *    thp_scan_exceed_{none,swap,share}_pte, compared as zero or non-zero
 *    (the kernel counts them once per pass, and its passes are paced
 *    differently);
 *  - the success of MADV_COLLAPSE.
 *
 * The model is made this machine's kernel where they differ by
 * configuration, found by a probe of the kernel at each run (see
 * zero_page.h): on a kernel that maps no zero page at read faults it runs
 * with model/zero_page=0, on one that maps no huge zero page with
 * model/huge_zero_page=0.  A zero page that differs anyway is reported
 * with a note saying what the probe found and what the model had.
 */
#ifndef FSIM_DIFF_DIFF_H
#define FSIM_DIFF_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario/scenario.h"

struct kx_guard;

/* What the first difference was, for callers that classify it. */
struct kx_diff_verdict {
	int op;			/* the statement after which, or -1 */
	/* a page that differs is the zero page on one side */
	bool zero_page;
	/*
	 * The class of the first difference, stable for grouping: "alive",
	 * "page:state:M/K" (the model's and the kernel's state:
	 * none, zero, present, swap), "page:pmd", "page:order", "page:ksm", "page:share",
	 * "vmstat:NAME", "collapse", with --trace first "scan:passes",
	 * "scan:pmd", "scan:status", "scan:counts", with --why at the end
	 * "why:M/K" (the verdict kinds); empty when none.
	 */
	char what[64];
	/* One line saying it, e.g. "P R[3]: model zero, kernel present". */
	char detail[192];
};

struct kx_diff_opts {
	const char *profile;	/* the model's profile; NULL: the default */
	FILE *out;		/* where the verdict and differences go */
	struct kx_diff_verdict *verdict;	/* filled when not NULL */
	/*
	 * When not NULL: write the maps of both sides there as SVG, in the
	 * state where they first differ, or at the end when they agree.
	 */
	const char *svg;
	/*
	 * Also compare the PMD scans of every khugepaged pass and
	 * MADV_COLLAPSE, record by record (see scan.c).
	 */
	bool trace;
	/*
	 * Also (with the scans) compare every PMD's verdict at the end
	 * (exec/why.c).
	 */
	bool why;
};

/**
 * kx_diff() - run @s on the model and the kernel and compare them
 * @g: the open guard
 *
 * Prints one line when they agree after every statement; otherwise
 * "FILE:LINE:COL: after 'statement'" and what differs (maps side by side,
 * counters with both values).  Return: 0 agreement, 1 a difference, 2 bad
 * input, 3 data lost, 4 the kernel executor cannot run (enum exec_status).
 */
int kx_diff(const struct scn_scenario *s, struct kx_guard *g,
	    const struct kx_diff_opts *o);

#endif
