/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to diff.c and diff_report.c: the two sides of a comparison and
 * what differed.  Pages are indexed over the union of the regions' address
 * ranges (a page that two overlapping regions share is compared once):
 * entry e = process * npages + j, j the page's index in that union.
 */
#ifndef FSIM_KERNEL_DIFFINT_H
#define FSIM_KERNEL_DIFFINT_H

#include "diff.h"
#include "exec/exec.h"
#include "observe.h"
#include "zero_page.h"

#define NO_LABEL UINT64_MAX

/* What differs at one entry. */
enum {
	D_STATE = 1,		/* none / zero / present / swap */
	D_PMD = 2,		/* PMD-mapped or not */
	D_ORDER = 4,		/* folio order */
	D_KSM = 8,		/* KSM page or not */
	D_SHARE = 16,		/* shares its page with other entries */
};

struct dside {
	char name[PROFILE_NAME_MAX + 8];	/* "model v6.18", "kernel" */
	struct exec_run run;
	struct exec_result r;
	bool begun;
	const struct exec_observer *obs;
	bool *alive;		/* per process */
	struct obs_page *pg;	/* per entry */
	uint64_t *label;	/* per entry: first entry with the same frame */
};

struct kx_diff {
	const struct scn_scenario *s;
	const struct kx_diff_opts *o;
	struct kx_zero_page zero;	/* what read faults map here (probed) */
	/* the model setting that follows it and why, or NULL */
	const char *zero_set, *zero_why;
	struct exec_model_opts mo;
	struct kx_span *spans;
	int nr_spans;
	uint64_t *span_off;	/* union index of each span's first page */
	uint64_t npages;	/* pages in the union */
	struct dside m, k;
	uint8_t *bad;		/* per entry: D_* bits */
	int64_t *vm_m, *vm_k;	/* per exec_vmstat_names */
	bool *vm_bad;
	bool alive_bad, collapse_bad;
	bool zero_page;		/* a differing page is a zero page */
	int first_op;		/* the statement after which they differ */
	/* --trace: each side's scans before this statement, first bad one */
	int scan_m, scan_k, scan_bad;
	const char *scan_what;	/* its verdict class, or NULL */
	long scans_compared;
};

/* diff_scan.c: the PMD scans of the statement just stepped (--trace) */
bool kx_diff_compare_scans(struct kx_diff *d);
void kx_diff_classify_scans(const struct kx_diff *d,
			    struct kx_diff_verdict *v);
void kx_diff_report_scans(const struct kx_diff *d);

/* The union index of @addr, or -1 if it lies in no region. */
int64_t kx_diff_index(const struct kx_diff *d, uint64_t addr);
/* What differs (D_*) at @addr of process @p, 0 outside the regions. */
uint8_t kx_diff_entry_bad(const struct kx_diff *d, int p, uint64_t addr);
/*
 * The maps of both sides now as an SVG picture into @path, the differing
 * pages marked; @op is the statement after which they differ, or -1 when
 * they agreed to the end (diff_svg.c).  0, or -1 with errno.
 */
int kx_diff_svg(const struct kx_diff *d, int op, const char *path);
/* The first difference after statement @op as a verdict (diff_report.c) */
void kx_diff_classify(const struct kx_diff *d, int op,
		      struct kx_diff_verdict *v);
/* Print what differs after statement @op (diff_report.c). */
void kx_diff_report(struct kx_diff *d, int op);

#endif
