/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Executors: run an op list and observe.  Both the model executor (here)
 * and the kernel executor (kernel/) fill the same struct exec_result
 * through the same observer interface, so expectations are evaluated by
 * one piece of code and model and kernel can be compared page by page.
 */
#ifndef FSIM_EXEC_EXEC_H
#define FSIM_EXEC_EXEC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/eligible.h"
#include "config/profile.h"
#include "scenario/scenario.h"

/* Exit statuses of the language contract. */
enum exec_status {
	EXEC_OK = 0,		/* every assertion held */
	EXEC_FAILED = 1,	/* an assertion failed */
	EXEC_BAD_INPUT = 2,	/* bad input or usage */
	EXEC_DATA_LOST = 3,	/* data lost or a model invariant broke */
	EXEC_CANNOT_RUN = 4,	/* the kernel executor cannot run here */
};

enum obs_state { OBS_NONE, OBS_ZERO, OBS_PRESENT, OBS_SWAP };

/* What one virtual page of one process looks like from outside. */
struct obs_page {
	uint8_t state;		/* enum obs_state */
	uint8_t order;		/* order of the folio (present pages) */
	bool pmd_mapped;	/* part of a PMD-mapped THP */
	bool ksm;
	uint64_t frame;		/* physical frame: compared for identity only */
};

/*
 * How an executor answers questions about its current state.  Addresses
 * are in bytes; @proc and region indices are the scenario's.
 */

struct exec_observer {
	void *ctx;
	/* Fill @out[0..npages) for the pages at @addr in process @proc. */
	int (*pages)(void *ctx, int proc, uint64_t addr, unsigned long npages,
		     struct obs_page *out);
	bool (*alive)(void *ctx, int proc);
	/* smaps totals of a process in KiB */
	void (*smaps)(void *ctx, int proc, uint64_t *rss_kb,
		      uint64_t *anon_huge_kb, uint64_t *swap_kb);
	/* Change of a /proc/vmstat counter since the start; false if none */
	bool (*vmstat)(void *ctx, const char *name, int64_t *delta);
	/* RAM held by anonymous folios, and by PMD THPs, in KiB */
	void (*memory)(void *ctx, uint64_t *anon_kb, uint64_t *thp_kb);
	/*
	 * --why: may khugepaged collapse the PMD at @addr of @proc now?  If
	 * not, the answer and @why (of @len bytes) say what stops it.
	 */
	enum pmd_elig (*pmd_eligible)(void *ctx, int proc, uint64_t addr,
				      char *why, size_t len);
};

struct exec_expect {
	int op;			/* index in scenario->ops */
	bool passed;
	char got[64];		/* what was observed, as text */
};

struct exec_region_final {
	bool mapped;
	uint64_t thp, present, swapped, shared;
};

struct exec_proc_final {
	bool alive;
	uint64_t rss_kb, anon_huge_kb, swap_kb;
	struct exec_region_final *regions;	/* per scenario region */
};

struct exec_vmstat {
	const char *name;
	int64_t delta;
};

/* A map captured by "show", one cell per page. */
struct exec_show {
	int op;
	char *cells;		/* NUL-terminated, see exec_map_legend */
};

/*
 * One PMD scan of khugepaged or MADV_COLLAPSE (the mm_khugepaged_scan_pmd
 * tracepoint, with the process and PMD attributed), as both executors
 * record it under --trace.
 */
#define EXEC_SCAN_NO_ADDR	UINT64_MAX	/* PMD not attributed */
#define EXEC_SCAN_UNKNOWN	(-1)	/* a field the executor cannot see */

struct exec_scan {
	int op;			/* the statement (khugepaged N or madvise) */
	long pass;		/* khugepaged's pass in the run, from 1; 0: madvise */
	int proc;		/* scenario process, -1 not attributed */
	uint64_t addr;		/* PMD address */
	int status;		/* the kernel's enum scan_result value */
	int none_or_zero, unmapped, shared, referenced;
	int limit;		/* the max_ptes_* a SCAN_EXCEED_* passed, or -1 */
	int order;		/* 0, or an mTHP collapse attempt's order */
};

/*
 * --why: the fate of one PMD of a scenario region in a live process at
 * the end of the run, from the final map, the PMD scans and the
 * executor's eligibility check (why.c).
 */
enum exec_why_kind {
	EXEC_WHY_THP,		/* a PMD-mapped THP */
	EXEC_WHY_HUGE_ZERO,	/* the huge zero page, mapped by a read fault */
	EXEC_WHY_SCANNED,	/* not a THP: its last scan says why */
	EXEC_WHY_INELIGIBLE,	/* khugepaged may not collapse it: reason */
	EXEC_WHY_UNSCANNED,	/* eligible, but no scan reached it */
};

struct exec_why {
	int proc, region;
	uint64_t addr;
	enum exec_why_kind kind;
	int scan;		/* its last PMD scan in scans[], or -1 */
	int collapsed;		/* the scan that collapsed it, or -1 */
	int unplaced;		/* the process's scans with no PMD (kernel) */
	enum pmd_elig elig;
	char reason[96];	/* what keeps it from khugepaged, or "" */
};

struct exec_result {
	char profile[PROFILE_NAME_MAX]; /* "v6.18", ..., or "kernel" */
	char release[64];	/* kernel release, for "kernel" */
	/*
	 * "kernel": what a read fault maps there, probed by the run: the
	 * zero page (1), a real page (0), or could not tell (-1); where no
	 * THP applies and in an advised PMD range.  Unset for the model.
	 */
	bool zero_probed;
	signed char zero_page, huge_zero_page;
	enum exec_status status;
	char error[512];	/* "file:line:col: ..." when status is 2/3/4 */
	int passed, failed;
	struct exec_expect *expects;
	int nr_expects;
	long data_lost;
	long invariant_violations;
	struct exec_proc_final *procs;	/* per scenario process */
	int nr_procs, nr_regions;
	uint64_t anon_kb, thp_kb;
	struct exec_vmstat *vmstat;	/* deltas, in a fixed name order */
	int nr_vmstat;
	struct exec_show *shows;
	int nr_shows;
	int *collapse_err;	/* per op: last MADV_COLLAPSE errno (0 ok) */
	long pred_fn, pred_fp;	/* khugepaged's predicate vs the truth */
	/*
	 * Model runs: bit p set when decision point p (exec_point_name()) was
	 * evaluated, when its condition held at least once, and when it failed
	 * at least once (after forcing): what a mutant of it can change.
	 */
	uint64_t points_evaluated, points_held, points_failed;
	/* per process, region and PMD: 'H' PMD-mapped THP, '.' not, '-' gone */
	char *pmd_map;
	bool traced;		/* --trace: scans[] was recorded */
	/* --cost: mapcount atomics of the run per scheme (model only) */
	bool costed;
	uint64_t atomics[NR_MAPCOUNT_SCHEMES];
	struct exec_scan *scans;	/* in the order they happened */
	int nr_scans, cap_scans;
	bool why;		/* --why (needs scans): whys[] at the end */
	struct exec_why *whys;	/* by process, region, address */
	int nr_whys;
};

/* A khugepaged decision point forced to one outcome (mutation runs). */
struct exec_force {
	int point;		/* enum kh_point */
	bool value;
};

/*
 * Parse "POINT=true|false" (or "=1|0"); 0, or -1 with a message naming
 * the points.
 */
int exec_force_parse(const char *arg, struct exec_force *f, char *err,
		     size_t len);
/* The decision points: name, kernel function, SCAN_* result; NULL after. */
const char *exec_point_name(int point);
const char *exec_point_function(int point);
const char *exec_point_result(int point);
/*
 * Where the kernel executor's keeper maps its THP (and the model's, see
 * exec_model_opts.keeper): far from any scenario region, and in what
 * AddressSanitizer leaves to the program (its shadow ends at 0x10007fff8000).
 */
#define EXEC_KEEPER_ADDR	0x200000000000UL

struct exec_model_opts {
	const char *profile;	/* NULL: the default */
	int shared_pred;	/* -1: the profile's */
	bool check;		/* run the invariant checker after each op */
	bool track_truth;	/* count predicate answers against exact */
	/*
	 * The explorer's measure: at the end observe only the memory totals,
	 * the PMD map and the predicate counts, not every region's pages.
	 */
	bool metrics_only;
	bool trace;		/* record the PMD scans in exec_result.scans */
	bool why;		/* and explain every PMD at the end (--why) */
	bool cost;		/* record exec_result.atomics */
	/*
	 * Give the model the kernel executor's keeper (EXEC_KEEPER_ADDR): an
	 * mm registered with khugepaged before any scenario process (set up
	 * under the default tunables), with one PMD-mapped THP, left out of
	 * every observation and of scans[], so that khugepaged's passes
	 * cover the same PMDs as on the kernel; and, as the kernel executor
	 * does, a 'set' that starts the khugepaged thread makes its first
	 * pass with pages_to_scan 1.
	 */
	bool keeper;
	/* "--set PATH=VALUE" applied before the first statement */
	const char *const *sets;
	int nr_sets;
	/* "--force POINT=true|false": decision points forced from the start */
	const struct exec_force *forces;
	int nr_forces;
};

/* Map cell characters. */
#define CELL_NONE '.'
#define CELL_ZERO '0'
#define CELL_HUGE_ZERO 'Z'
#define CELL_EXCL 'x'
#define CELL_SHARED 's'
#define CELL_SWAP 'S'
#define CELL_THP 'H'
#define CELL_MTHP 'm'
#define CELL_KSM 'k'
extern const char exec_map_legend[];

/*
 * An executor run, statement by statement, so that "foliosim diff" can
 * compare model and kernel after each one.  step() runs statement @op
 * (statements must be stepped in order); observer() answers questions about
 * the state now; finish() fills the final summary, releases everything and
 * returns the run's status.  Both executors implement these.
 */
struct exec_run_ops {
	enum exec_status (*step)(void *x, int op);
	const struct exec_observer *(*observer)(void *x);
	enum exec_status (*finish)(void *x);
};

struct exec_run {
	const struct exec_run_ops *ops;
	void *x;
	const struct scn_scenario *s;
	struct exec_result *r;
};

/*
 * Stop a run at @op with a run-time error: @r->error becomes
 * "file:line:col: " (without @op, before any statement: "file: "), @who
 * (the executor: "" or "kernel: ") and the message, as the parser writes
 * its errors (error.c).  Return: @st.
 */
enum exec_status exec_op_error(struct exec_result *r,
			       const struct scn_scenario *s,
			       const struct scn_op *op, const char *who,
			       enum exec_status st, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void exec_op_verror(struct exec_result *r, const struct scn_scenario *s,
		    const struct scn_op *op, const char *who, const char *fmt,
		    va_list ap) __attribute__((format(printf, 5, 0)));

/*
 * Start a model run of @s; 0, or -1 (out of memory, in r->error).  The run
 * keeps pointers to @s, @o and @r: they must outlive it (until finish()).
 */
int exec_model_begin(const struct scn_scenario *s,
		     const struct exec_model_opts *o, struct exec_result *r,
		     struct exec_run *run);
/* Step every statement (stopping at the first error), then finish. */
enum exec_status exec_run_all(struct exec_run *run);
/* Run @s on the model.  Returns the status also stored in @r. */
enum exec_status exec_model(const struct scn_scenario *s,
			    const struct exec_model_opts *o,
			    struct exec_result *r);
void exec_result_free(struct exec_result *r);
/*
 * exec_model(), keeping the map of each region at the end in *@maps:
 * maps[p * nr_regions + g], NULL where process p maps no page of region g
 * (or *@maps NULL when out of memory).  Free with exec_maps_free().
 */
enum exec_status exec_model_maps(const struct scn_scenario *s,
				 const struct exec_model_opts *o,
				 struct exec_result *r, char ***maps);
void exec_maps_free(const struct scn_scenario *s, char **maps);

/* scan.c: "SCAN_SUCCEED", ... for a status; NULL if out of range */
const char *exec_scan_status_name(int status);
/* The status of a tracepoint symbol ("exceed_none_pte"); -1 if none. */
int exec_scan_status_lookup(const char *symbol);
/* The max_ptes_* tunable a status says was exceeded, or NULL. */
const char *exec_scan_limit_name(int status);
/* khugepaged's referenced threshold when a PTE was swapped (HPAGE_PMD_NR/2) */
#define EXEC_SCAN_HALF_PMD	256
/* Which check decided @sc, e.g. "none_or_zero 300 > max_ptes_none 256"; "" */
void exec_scan_why(const struct exec_scan *sc, char *buf, size_t len);
/* --why: fill r->whys from the final state (why.c); -1 out of memory. */
int exec_why_collect(const struct scn_scenario *s,
		     const struct exec_observer *obs, struct exec_result *r);
/* "thp", "scanned", "ineligible", "unscanned" (JSON). */
const char *exec_why_kind_name(enum exec_why_kind kind);
/* One PMD's verdict as a sentence. */
void exec_why_format(const struct exec_result *r, const struct exec_why *w,
		     char *buf, size_t len);
/* One line: "pass 3  P  0x...  SCAN_...  none_or_zero N  swap N ..." */
void exec_scan_format(const struct scn_scenario *s, const struct exec_scan *sc,
		      char *buf, size_t len);
/* Append @sc to r->scans.  0, or -1 out of memory. */
int exec_scan_add(struct exec_result *r, const struct exec_scan *sc);

/* 0, or -1 with "file:line:col: ..." if expect[] names no profile. */
int exec_validate(const struct scn_scenario *s, char *err, size_t len);
/*
 * "--set PATH=VALUE": split it (PATH into @path, @value points into @arg),
 * or check that PATH is a setting and VALUE valid for it.  0, or -1 with
 * "--set ARG: why" in @err.
 */
int exec_set_split(const char *arg, char *path, size_t pathlen,
		   const char **value, char *err, size_t len);
int exec_set_check(const char *arg, char *err, size_t len);

/* Shared by both executors (observe.c). */
bool exec_eval_expect(const struct scn_scenario *s, const struct scn_op *op,
		      const struct exec_observer *obs, const int *collapse_err,
		      char *got, size_t gotlen);
int exec_final(const struct scn_scenario *s, const struct exec_observer *obs,
	       struct exec_result *r);
/* The part of exec_final() the explorer measures: memory and PMD map. */
int exec_final_metrics(const struct scn_scenario *s,
		       const struct exec_observer *obs, struct exec_result *r);
/* The map cell of one page; @shared: another process maps its frame. */
char exec_map_cell(const struct obs_page *pg, bool shared);
/* One cell per page of region @region in @proc; caller frees. */
char *exec_map(const struct scn_scenario *s, const struct exec_observer *obs,
	       int proc, int region);
/* The vmstat names reported (and compared) for every run. */
extern const char *const exec_vmstat_names[];
extern const int exec_nr_vmstat_names;

#endif
