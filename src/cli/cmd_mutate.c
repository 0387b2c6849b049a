// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim mutate SUITE... [--profile P] [--json] [-j N]
 * Mutation coverage of a scenario suite: the kill matrix (mutant x
 * scenario), the mutants no scenario kills, and the score.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "explore/mutate.h"
#include "config/profile.h"
#include "report/report.h"

static const char cell_char[] = {
	[MUT_SAME] = '.', [MUT_DIFFERS] = 'd', [MUT_KILLED] = 'K',
	[MUT_NO_BASE] = '-',
};

static void show_progress(long done, long total)
{
	fprintf(stderr, "\rmutate: %ld of %ld runs%s", done, total,
		done == total ? "\r\033[K" : "   ");
}

static void print_text(const struct mut_result *r)
{
	int m, f, killed = 0, nr_surv = 0;

	printf("foliosim mutate: %d scenarios x %d mutants under %s "
	       "(%.1f s)\n\nscenarios (matrix columns):\n", r->nr_files,
	       r->nr_mutants, r->profile, r->seconds);
	for (f = 0; f < r->nr_files; f++)
		printf("  %3d  %s\n", f + 1, r->files[f]);
	printf("\nkill matrix (K: an expectation fails, d: the end state "
	       "differs but nothing asserts it,\n.: no change, -: the "
	       "scenario fails unmutated):\n");
	for (m = 0; m < r->nr_mutants; m++) {
		printf("  %-46s ", r->mutants[m].name);
		for (f = 0; f < r->nr_files; f++)
			putchar(cell_char[mut_cell(r, m, f)]);
		putchar('\n');
		killed += mut_killed(r, m);
	}
	printf("\nsurvivors:\n");
	for (m = 0; m < r->nr_mutants; m++) {
		int differs = 0;

		if (mut_killed(r, m))
			continue;
		for (f = 0; f < r->nr_files; f++)
			differs += mut_cell(r, m, f) == MUT_DIFFERS;
		nr_surv++;
		printf("  %-46s %s\n", r->mutants[m].name,
		       differs ? "changes an end state no expectation checks" :
				 "changes nothing in any scenario");
	}
	if (!nr_surv)
		printf("  (none)\n");
	printf("\nscore: %d of %d mutants killed (%.1f %%)\n", killed,
	       r->nr_mutants, 100.0 * killed / (r->nr_mutants ? r->nr_mutants : 1));
}

static void print_names(const struct mut_result *r, int m,
			enum mut_outcome want)
{
	int f, n = 0;

	putchar('[');
	for (f = 0; f < r->nr_files; f++)
		if (mut_cell(r, m, f) == want) {
			fputs(n++ ? ", " : "", stdout);
			json_string(stdout, r->files[f]);
		}
	putchar(']');
}

static void print_json(const struct mut_result *r)
{
	int m, f, killed = 0;

	printf("{\"profile\": ");
	json_string(stdout, r->profile);
	printf(", \"scenarios\": [");
	for (f = 0; f < r->nr_files; f++) {
		fputs(f ? ", " : "", stdout);
		json_string(stdout, r->files[f]);
	}
	printf("], \"mutants\": [");
	for (m = 0; m < r->nr_mutants; m++) {
		printf("%s{\"name\": ", m ? ", " : "");
		json_string(stdout, r->mutants[m].name);
		printf(", \"killed\": %s, \"killed_by\": ",
		       mut_killed(r, m) ? "true" : "false");
		print_names(r, m, MUT_KILLED);
		printf(", \"differs_unasserted\": ");
		print_names(r, m, MUT_DIFFERS);
		putchar('}');
		killed += mut_killed(r, m);
	}
	printf("], \"killed\": %d, \"total\": %d}\n", killed, r->nr_mutants);
}

int cmd_mutate(int argc, char **argv)
{
	const char *profile = profile_default()->name;
	struct cli_suite suite = { 0 };
	struct scn_scenario *s = NULL;
	struct mut_result r;
	bool json = false;
	int i, st = 0, parsed = 0;
	long threads = sysconf(_SC_NPROCESSORS_ONLN);

	for (i = 1; i < argc && !st; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--profile")) {
			profile = i + 1 < argc ? argv[++i] : NULL;
			st = cli_profile(profile);
		} else if (!strcmp(a, "-j")) {
			threads = i + 1 < argc ? atol(argv[++i]) : 0;
			if (threads < 1 || threads > 64)
				st = cli_error("-j needs a number from 1 to 64");
		} else if (a[0] == '-') {
			st = cli_error("unknown option '%s'", a);
		} else {
			st = cli_suite_add(&suite, a);
		}
	}
	if (!st && !suite.nr)
		st = cli_error("mutate needs scenario files or directories");
	if (!st && !(s = calloc((size_t)suite.nr, sizeof(*s))))
		st = cli_error("out of memory");
	while (!st && parsed < suite.nr) {
		char err[512];

		if (scn_parse_file(suite.files[parsed], &s[parsed], err,
				   sizeof(err)))
			st = cli_error("%s", err);
		else
			parsed++;	/* counts the scenarios to free */
	}
	if (!st && mutate_run(profile, s, (const char *const *)suite.files,
			      suite.nr, (int)threads,
			      isatty(STDERR_FILENO) ? show_progress : NULL, &r))
		st = cli_error("out of memory");
	if (!st) {
		if (json)
			print_json(&r);
		else
			print_text(&r);
		mut_result_free(&r);
	}
	for (i = 0; i < parsed; i++)
		scn_free(&s[i]);
	free(s);
	cli_suite_free(&suite);
	return st;
}
