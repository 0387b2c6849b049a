// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim mutate SUITE... [--profile P] [--json] [-j N]
 *     [--synthesize [--seed N] [--runs N] [--time S] [--out DIR]
 *      [--mutant NAME] [--model-only]]
 * Mutation coverage of a scenario suite: the kill matrix (mutant x
 * scenario), the mutants no scenario kills, and the score; with
 * --synthesize, killers for the survivors (explore/synth.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config/profile.h"
#include "explore/mutate.h"
#include "explore/synth.h"
#include "kernel/exec_kernel.h"
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

struct synth_cli {
	bool on, model_only;
	const char *out;
	struct synth_opts o;
};

static int write_killers(const struct synth_cli *c,
			 const struct synth_result *r)
{
	int m;

	if (mkdir(c->out, 0777) && errno != EEXIST)
		return cli_error("cannot create %s: %s", c->out,
				 strerror(errno));
	for (m = 0; m < r->before.nr_mutants; m++) {
		char name[128], *path;
		FILE *f;

		if (!r->v[m].killer)
			continue;
		synth_file_name(r->before.mutants[m].name, name, sizeof(name));
		if (asprintf(&path, "%s/%s", c->out, name) < 0)
			return cli_error("out of memory");
		f = fopen(path, "w");
		if (!f || fputs(r->v[m].killer, f) < 0 || fclose(f)) {
			cli_error("cannot write %s", path);
			free(path);
			return 2;
		}
		free(path);
	}
	return 0;
}

static void print_synth(const struct synth_cli *c,
			const struct synth_result *r)
{
	const struct mut_result *b = &r->before;
	int m, n = 0, nr = b->nr_mutants ? b->nr_mutants : 1;

	printf("\nkillers (%ld generated runs searched, seed %llu, %.1f s%s):\n",
	       r->runs, (unsigned long long)c->o.seed, r->seconds,
	       r->out_of_time ? ", out of time" : "");
	for (m = 0; m < b->nr_mutants; m++) {
		const struct synth_mutant *v = &r->v[m];
		char name[128];

		if (v->fate == SYNTH_FOUND) {
			synth_file_name(b->mutants[m].name, name, sizeof(name));
			printf("  %-40s %s/%s\n      %s\n", b->mutants[m].name,
			       c->out, name, v->differs);
			n++;
		} else if (v->fate == SYNTH_BY_OTHER) {
			printf("  %-40s killed by the killer of %s\n",
			       b->mutants[m].name,
			       b->mutants[v->other].name);
		}
		if (v->discarded)
			printf("  %-40s %d candidate%s discarded: the kernel "
			       "disagreed\n", b->mutants[m].name, v->discarded,
			       v->discarded > 1 ? "s" : "");
	}
	if (!n)
		printf("  (none)\n");
	if (r->kernel_error)
		printf("\nconfirming stopped: %s\n", r->kernel_error);
	printf("\nno killer found:\n");
	for (m = n = 0; m < b->nr_mutants; m++)
		if (r->v[m].fate == SYNTH_NONE && ++n)
			printf("  %-40s %s\n", b->mutants[m].name, r->v[m].why);
	if (!n)
		printf("  (none)\n");
	printf("\nscore before: %d of %d mutants killed (%.1f %%), the suite "
	       "alone\nscore after:  %d of %d mutants killed (%.1f %%), "
	       "the suite and the killers\n", r->killed_before,
	       b->nr_mutants, 100.0 * r->killed_before / nr, r->killed_after,
	       b->nr_mutants, 100.0 * r->killed_after / nr);
}

static int run_synth(struct synth_cli *c, const struct scn_scenario *s,
		     const struct cli_suite *suite)
{
	struct synth_result r;
	char err[256];
	int st;

	if (!c->model_only) {
		if (exec_kernel_check(err, sizeof(err))) {
			fprintf(stderr, "foliosim: %s (--model-only searches "
				"without confirming)\n", err);
			return EXEC_CANNOT_RUN;
		}
		c->o.confirm = synth_kernel_confirm;
	}
	if (synth_run(&c->o, s, (const char *const *)suite->files, suite->nr,
		      &r))
		return cli_error("out of memory");
	if (c->o.only && mut_find(&r.before, c->o.only) < 0) {
		synth_result_free(&r);
		return cli_error("--mutant: no mutant '%s' (the matrix of "
				 "'foliosim mutate' names them)", c->o.only);
	}
	print_text(&r.before);
	print_synth(c, &r);
	st = write_killers(c, &r);
	if (!st && r.kernel_error)
		st = EXEC_CANNOT_RUN;
	synth_result_free(&r);
	return st;
}

/* The options only --synthesize takes; 1 if @a was not one of them. */
static int synth_opt(struct synth_cli *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	char *end = NULL;

	if (!strcmp(a, "--synthesize"))
		return c->on = true, 0;
	if (!strcmp(a, "--model-only"))
		return c->model_only = true, 0;
	if (strcmp(a, "--seed") && strcmp(a, "--runs") &&
	    strcmp(a, "--time") && strcmp(a, "--out") && strcmp(a, "--mutant"))
		return 1;
	if (!v)
		return cli_error("%s needs a value", a);
	(*i)++;
	if (!strcmp(a, "--out") || !strcmp(a, "--mutant")) {
		*(a[2] == 'o' ? &c->out : &c->o.only) = v;
		return 0;
	}
	errno = 0;
	if (!strcmp(a, "--seed"))
		c->o.seed = strtoull(v, &end, 0);
	else if (!strcmp(a, "--runs"))
		c->o.runs = strtol(v, &end, 0);
	else
		c->o.seconds = strtod(v, &end);
	if (errno || !end || *end || end == v || c->o.runs < 1 ||
	    c->o.seconds < 0)
		return cli_error("%s: bad value '%s'", a, v);
	return 0;
}

int cmd_mutate(int argc, char **argv)
{
	const char *profile = profile_default()->name;
	struct cli_suite suite = { 0 };
	struct scn_scenario *s = NULL;
	struct synth_cli syn = {
		.out = "tests/scenarios/killers",
		.o = { .seed = 1, .runs = 2000, .max_discards = 3,
		       .log = stderr },
	};
	struct mut_result r;
	bool json = false;
	int i, st = 0, parsed = 0, k;
	long threads = sysconf(_SC_NPROCESSORS_ONLN);

	for (i = 1; i < argc && !st; i++) {
		const char *a = argv[i];

		if ((k = synth_opt(&syn, argc, argv, &i)) != 1) {
			st = k;
		} else if (!strcmp(a, "--json")) {
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
	if (!st && !syn.on && (syn.model_only || syn.o.seconds > 0 ||
			       syn.o.only))
		st = cli_error("--model-only, --mutant and --time go with "
			       "--synthesize");
	if (!st && syn.on && json)
		st = cli_error("--synthesize has no --json output");
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
	syn.o.profile = profile;
	syn.o.threads = (int)threads;
	if (!st && syn.on)
		st = run_synth(&syn, s, &suite);
	else if (!st && mutate_run(profile, s, (const char *const *)suite.files,
				   suite.nr, (int)threads,
				   isatty(STDERR_FILENO) ? show_progress : NULL,
				   &r))
		st = cli_error("out of memory");
	else if (!st) {
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
