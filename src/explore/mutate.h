/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Mutation coverage: flip each khugepaged decision point (forced true,
 * forced false) and swap the era's "is it shared?" predicate for each
 * other one, run every scenario of a suite under each mutant, and record
 * which scenarios notice.
 */
#ifndef FSIM_EXPLORE_MUTATE_H
#define FSIM_EXPLORE_MUTATE_H

#include <stdbool.h>

#include "scenario/scenario.h"

struct mut_mutant {
	char name[64];		/* "young=false", "shared=always" */
	int point;		/* a forced decision point, or -1 */
	bool value;
	int pred;		/* a replacement predicate, or -1 */
};

enum mut_outcome {
	MUT_SAME,		/* same expectations, same end state */
	MUT_DIFFERS,		/* the end state differs, no expect fails */
	MUT_KILLED,		/* an expectation fails (or the run errs) */
	MUT_NO_BASE,		/* the scenario fails unmutated: no verdict */
};

struct mut_result {
	const char *profile;
	struct mut_mutant *mutants;
	int nr_mutants;
	const char *const *files;
	int nr_files;
	unsigned char *cell;	/* [mutant * nr_files + file] */
	double seconds;
};

/* Called under a lock, from any worker: cells done of total. */
typedef void (*mut_progress_fn)(long done, long total);

/*
 * Run every mutant of @profile over the parsed scenarios @s (named by
 * @files) with @threads workers; the result does not depend on @threads.
 * @progress, if not NULL, hears after every 64th cell and the last.
 * Returns 0, or -1 when out of memory.
 */
int mutate_run(const char *profile, const struct scn_scenario *s,
	       const char *const *files, int nr_files, int threads,
	       mut_progress_fn progress, struct mut_result *r);
void mut_result_free(struct mut_result *r);

static inline enum mut_outcome mut_cell(const struct mut_result *r, int m,
					int f)
{
	return (enum mut_outcome)r->cell[(long)m * r->nr_files + f];
}

struct exec_force;
struct exec_model_opts;
struct exec_result;
/* The model options of @mu (NULL: the original); @f holds its force. */
void mut_model_opts(const char *profile, const struct mut_mutant *mu,
		    struct exec_force *f, struct exec_model_opts *mo);
/*
 * Can @mu change a run whose original evaluated the points as @r says?
 * A point forced false changes only a run where it held, forced true only
 * one where it failed; a predicate only a run that asked it.
 */
bool mut_may_change(const struct mut_mutant *mu, const struct exec_result *r);

/* Killed by at least one scenario? */
bool mut_killed(const struct mut_result *r, int m);
/* The index of the mutant called @name ("POINT=true", ...), or -1. */
int mut_find(const struct mut_result *r, const char *name);

#endif
