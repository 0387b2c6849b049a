/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Killers for the mutants a suite leaves alive: search generated scenarios
 * (the explorer's generator) for one whose end state differs between the
 * mutant and the original, shrink it while it still differs, add the
 * expectations that hold for the original and fail for the mutant, and
 * have the live kernel confirm them.
 *
 * Determinism: the runs are generated from (seed, run) and measured in
 * parallel batches, but every decision is taken in run order and mutant
 * order, so the killers depend only on the seed, the run budget and the
 * kernel's answers (a --time budget only stops the search earlier).
 */
#ifndef FSIM_EXPLORE_SYNTH_H
#define FSIM_EXPLORE_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "mutate.h"

/*
 * Does the kernel keep every expectation of @text?  1 yes (@release: the
 * kernel's), 0 no (@why: which one failed and what it saw), -1 the kernel
 * cannot run it at all (@why: the reason; the search stops).
 */
typedef int (*synth_confirm_fn)(void *ctx, const char *text, char *release,
				size_t rlen, char *why, size_t wlen);

struct synth_opts {
	const char *profile;
	uint64_t seed;
	long runs;		/* generated scenarios searched, at most */
	double seconds;		/* wall-clock budget; 0: none */
	int threads;
	int max_discards;	/* kernel refusals before a mutant is given up */
	const char *only;	/* search for this mutant alone; NULL: all */
	synth_confirm_fn confirm;	/* NULL: model only */
	void *confirm_ctx;
	FILE *log;		/* one line per candidate, or NULL */
};

enum synth_fate {
	SYNTH_SUITE,		/* the suite already kills it */
	SYNTH_FOUND,		/* a killer of its own */
	SYNTH_BY_OTHER,		/* another mutant's killer kills it */
	SYNTH_NONE,		/* no killer within the budget */
};

struct synth_mutant {
	enum synth_fate fate;
	int other;		/* SYNTH_BY_OTHER: the mutant whose killer */
	char *killer;		/* SYNTH_FOUND: the file's text */
	long run;		/* SYNTH_FOUND: the run it was shrunk from */
	int orig_statements, statements;
	char differs[256];	/* original vs mutant, in the asserted fields */
	char release[64];	/* the kernel that confirmed it */
	int discarded;		/* candidates the kernel disagreed with */
	bool skipped;		/* not searched (synth_opts.only) */
	/* Original runs (suite and search) that evaluated the point, that
	 * the mutant could change, and whose end state it changed. */
	long evaluated, changeable, differed;
	char why[192];		/* SYNTH_NONE: the reason class */
};

struct synth_result {
	struct mut_result before;	/* the suite alone */
	struct synth_mutant *v;		/* per mutant of @before */
	int killed_before, killed_after;	/* after: suite + killers */
	long runs;			/* generated scenarios searched */
	bool out_of_time;
	const char *kernel_error;	/* why confirming stopped, or NULL */
	char kernel_why[256];
	double seconds;
};

int synth_run(const struct synth_opts *o, const struct scn_scenario *s,
	      const char *const *files, int nr_files, struct synth_result *r);
void synth_result_free(struct synth_result *r);
/* "scan:exceed_none_pte=false" -> "scan-exceed_none_pte=false.fsim" */
void synth_file_name(const char *mutant, char *buf, size_t len);
/* The mutant a killer's text names in its "# killer: NAME" line. */
int synth_killer_of(const char *text, char *name, size_t len);

/*
 * Killer candidates (synth_killer.c).  synth_candidate(): shrink @text
 * while the mutant's end state still differs in something an expectation
 * can see, then append the expectations; NULL if it no longer differs.
 * @differs receives what they assert.
 */
char *synth_candidate(const char *profile, const struct mut_mutant *mu,
		      const char *text, int *orig_statements, int *statements,
		      char *differs, size_t len);
/* Does @text (with expects) fail under @mu and pass unmutated?  */
bool synth_kills(const char *profile, const struct mut_mutant *mu,
		 const char *text);
/* Does the end state of @text differ in what an expectation can see? */
bool synth_differs(const char *profile, const struct mut_mutant *mu,
		   const struct scn_scenario *s, const struct exec_result *orig);

/* The live-kernel confirmation (synth_kernel.c), ctx unused. */
int synth_kernel_confirm(void *ctx, const char *text, char *release,
			 size_t rlen, char *why, size_t wlen);

#endif
