/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The explorer: generate random scenarios (as text, from a seed), run each
 * under every requested profile, classify differences, shrink each finding
 * to a minimal scenario and deduplicate by signature.
 *
 * Determinism: run i of seed S uses its own generator seeded from (S, i);
 * findings are kept per run index and sorted by cost then run index, so
 * the result of --runs N does not depend on -j.
 */
#ifndef FSIM_EXPLORE_EXPLORE_H
#define FSIM_EXPLORE_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EXP_MAX_PROFILES 6

enum exp_class {
	EXP_EXTRA_RAM,		/* one profile holds more RAM (bytes) */
	EXP_LOST_THP,		/* one profile has less PMD THP coverage */
	EXP_PRED_FN,		/* predicate said "not shared", truth: shared */
	EXP_PRED_FP,		/* predicate said "shared", truth: not */
	NR_EXP_CLASSES
};

extern const char *const exp_class_names[NR_EXP_CLASSES];

struct exec_force;

struct explore_opts {
	const char *profiles[EXP_MAX_PROFILES];	/* "exact" allowed */
	int nr_profiles;
	uint64_t seed;
	long runs;			/* 0: use seconds */
	double seconds;
	int threads;
	int shard_k, shard_n;		/* run i belongs to shard i % n == k */
	const char **sets;		/* PATH=VALUE */
	int nr_sets;
	struct exec_force *forces;	/* --force: in every profile's runs */
	int nr_forces;
	int max_procs, max_pmds, max_ops;
	const char *out_dir;
	bool json, progress;
	int exhaustive;			/* >0: bounded exhaustive, depth */
	bool against_kernel;		/* --against kernel (kexplore.c) */
	/* ... comparing PMD scans and every PMD's verdict too (--why) */
	bool why;
	/*
	 * The caller holds KX_TEST_LOCK for the whole search (a kernel
	 * test); otherwise each diff takes it and drops it.
	 */
	bool test_lock_held;
};

/*
 * The defaults of 'foliosim explore': v6.10 against v6.18, seed 1, 1000
 * runs on one thread, one shard, at most 3 processes, 2 PMDs a region and
 * 12 statements; everything else off.
 */
void explore_opts_init(struct explore_opts *o);

/* What one profile's run of a scenario looked like. */
struct exp_metrics {
	bool ok;			/* ran without error */
	uint64_t anon_bytes, thp_bytes;
	long pred_fn, pred_fp;
	char pmds[512];			/* per (proc, region, PMD): H or . */
};

struct exp_finding {
	enum exp_class cls;
	int a, b;			/* profile indices: b is worse */
	int64_t cost;			/* bytes, or a count */
	long run;			/* run index that found it */
	char *text;			/* shrunk scenario, canonical */
	int nr_statements;
	uint64_t signature;
	int64_t orig_cost;
	int orig_statements;
};

/* A finding as measured, before any shrinking: what --merge replays. */
struct exp_candidate {
	long run;
	int k;				/* its place among the run's findings */
	int cls, a, b;
	int64_t cost;
};

struct explore_result {
	struct exp_finding *v;
	int nr, cap;
	long runs_done, generated_invalid;
	double seconds;
	struct exp_candidate *cands;	/* in run order */
	long nr_cands, cap_cands;
};

struct exec_model_opts;
/* "v6.18", "v6.18:likely" or "exact" as model options; -1 if unknown. */
int exp_profile_opts(const char *name, struct exec_model_opts *mo,
		     char *buf, size_t len);
/* Runs of the bounded exhaustive mode of @depth statements. */
long exp_exhaustive_runs(int depth);
/* Generator: scenario text for run @run of @o->seed (caller frees). */
char *exp_generate(const struct explore_opts *o, long run);
/* Run @text under every profile; false if it does not parse or run. */
bool exp_measure(const struct explore_opts *o, const char *text,
		 struct exp_metrics *m);
/*
 * The findings that @m shows (one per class and profile pair, worst
 * first); appends to @out and returns how many.
 */
int exp_classify(const struct explore_opts *o, const struct exp_metrics *m,
		 struct exp_finding *out, int max);
/* Does @text still show @f's class for its pair with cost >= @min_cost? */
bool exp_still_shows(const struct explore_opts *o, const char *text,
		     const struct exp_finding *f, int64_t min_cost,
		     int64_t *cost);
/* Shrink @f->text in place (delta debugging). */
void exp_shrink(const struct explore_opts *o, struct exp_finding *f);
/* Does the candidate text still show what is being shrunk? */
typedef bool (*exp_keep_fn)(void *ctx, const char *text);
/*
 * Shrink @text (delta debugging over its canonical form) while @keep
 * holds, calling it at most @max_tries times.  Returns the shrunk text
 * (caller frees) and the statement counts before and after.
 */
char *exp_shrink_text(const char *text, exp_keep_fn keep, void *ctx,
		      int max_tries, int *orig_statements, int *statements);
/* A signature of what the finding does, independent of names. */
uint64_t exp_signature(const struct exp_finding *f);

int explore_run(const struct explore_opts *o, struct explore_result *r);
/*
 * Take the shrink decisions for @n candidates (sorted by run) in run
 * order, shrink the chosen ones and keep the worst per signature, exactly
 * as explore_run() does: the merge of shards replays their candidates so
 * that it finds what one search over all their runs finds.
 */
int explore_replay(const struct explore_opts *o,
		   const struct exp_candidate *c, long n,
		   struct explore_result *r);

/*
 * Searching against the live kernel (kgen.c, kexplore.c, koutput.c).
 * exp_kgenerate(): scenario text for run @run of @o->seed, sized for the
 * kernel, over the whole language; it parses and runs clean on the model
 * (caller frees).  exp_model_clean(): does @text parse and run on the
 * model (v6.18) with the invariant checker clean?  If not, why.
 */
char *exp_kgenerate(const struct explore_opts *o, long run);
bool exp_model_clean(const char *text, char *why, size_t len);

/*
 * One class of disagreement: the first differing field (as
 * kx_diff_classify() names it) and the kind of statement after which it
 * showed: "page:pmd@madvise:mergeable", "vmstat:pswpin@read".
 */
struct kexp_class {
	char what[96];
	long real, nondet;	/* runs that showed it, by kind */
	long run;		/* the run its reproducer comes from */
	char *text;		/* the reproducer (shrunk if real) */
	char *report;		/* the diff's report of the reproducer */
	char detail[192];
	int orig_statements, statements;
	int confirmed;		/* reruns of the reproducer that agreed */
	bool is_real;		/* the reproducer is a real difference */
	bool shrunk;
	char file[128];		/* reproducer's file name */
};

struct kexp_result {
	long runs;		/* scenarios diffed */
	long agree, real, nondet;
	long cannot;		/* the kernel could not run one */
	long kernel_runs;	/* every diff, reruns and shrinking too */
	char release[64];
	struct kexp_class *v;
	int nr, cap;
	double seconds;
};

/* The search loop; 0, or -1 with a reason in @err. */
int kexplore_run(const struct explore_opts *o, struct kexp_result *r,
		 char *err, size_t len);
void kexplore_result_free(struct kexp_result *r);
/* Reproducers, summary.txt and summary.json in o->out_dir; 0 or -1. */
int kexplore_write(const struct explore_opts *o, struct kexp_result *r);
void kexplore_print_summary(FILE *f, const struct explore_opts *o,
			    const struct kexp_result *r, bool json);
void explore_result_free(struct explore_result *r);
/* Write reproducers and summary.md / summary.json into o->out_dir. */
int explore_write(const struct explore_opts *o, struct explore_result *r);
void explore_print_summary(FILE *f, const struct explore_opts *o,
			   const struct explore_result *r, bool json);
/* Write @o->out_dir/candidates.txt: the options and r->cands. */
int explore_write_candidates(const struct explore_opts *o,
			     const struct explore_result *r);
/* Merge the output directories of the shards of one search; 0 or -1. */
int explore_merge(const char *const *dirs, int nr, const char *out_dir,
		  bool json);

/* splitmix64 / xoshiro256** (public domain algorithms) */
struct exp_rng {
	uint64_t s[4];
};

void exp_rng_seed(struct exp_rng *r, uint64_t seed, uint64_t stream);
uint64_t exp_rng_next(struct exp_rng *r);
/* Uniform in [0, n). */
uint64_t exp_rng_below(struct exp_rng *r, uint64_t n);

#endif
