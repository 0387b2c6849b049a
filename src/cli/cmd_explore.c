// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim explore [--profiles A,B[,...]] [--seed S] [--runs N | --time S]
 *   [-j THREADS] [--shard K/N] [--set PATH=VALUE]... [--max-procs P]
 *   [--max-pmds R] [--max-ops K] [--out DIR] [--json]
 * foliosim explore --merge DIR... [--out DIR] [--json]
 * foliosim explore --against kernel [--seed S] [--runs N] [--time S]
 *   [--set PATH=VALUE]... [--max-ops K] [--out DIR] [--json]
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "exec/exec.h"
#include "explore/explore.h"
#include "kernel/exec_kernel.h"
#include "config/profile.h"

static int parse_profiles(struct explore_opts *o, char *arg)
{
	char *save = NULL, *tok;

	o->nr_profiles = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct exec_model_opts mo;
		char name[PROFILE_NAME_MAX];

		if (o->nr_profiles == EXP_MAX_PROFILES ||
		    exp_profile_opts(tok, &mo, name, sizeof(name)))
			return cli_error("unknown profile '%s' (profiles: v6.9 "
					 "v6.10 v6.15 v6.18 with +modifiers, "
					 "exact, or PROFILE:PREDICATE; see "
					 "foliosim help profiles)", tok);
		o->profiles[o->nr_profiles++] = tok;
	}
	return o->nr_profiles < 2 ?
		       cli_error("explore needs at least two profiles") : 0;
}

static int parse_long(const char *opt, const char *v, long min, long max,
		      long *out)
{
	char *end;

	if (!v)
		return cli_error("%s needs a value", opt);
	*out = strtol(v, &end, 10);
	if (end == v || *end || *out < min || *out > max)
		return cli_error("%s: expected a number from %ld to %ld", opt,
				 min, max);
	return 0;
}

static void defaults(struct explore_opts *o)
{
	explore_opts_init(o);
	o->progress = isatty(STDERR_FILENO);
}

/* One option at argv[*i]; returns 0 or 2. */
static int parse_opt(struct explore_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	long n;
	int st = 0;

	if (!strcmp(a, "--json")) {
		o->json = true;
		return 0;
	}
	if (!strncmp(a, "-j", 2) && a[2]) {	/* -jN */
		st = parse_long("-j", a + 2, 1, 64, &n);
		o->threads = (int)n;
		return st;
	}
	(*i)++;
	if (!strcmp(a, "--profiles"))
		return v ? parse_profiles(o, argv[*i]) :
			   cli_error("--profiles needs a list");
	if (!strcmp(a, "--seed")) {
		st = parse_long(a, v, 0, 0x7fffffffffffffffL, &n);
		o->seed = (uint64_t)n;
	} else if (!strcmp(a, "--runs")) {
		st = parse_long(a, v, 1, 1000000000L, &o->runs);
	} else if (!strcmp(a, "--time")) {
		st = parse_long(a, v, 1, 86400 * 365L, &n);
		o->seconds = (double)n;
		o->runs = 0;
	} else if (!strcmp(a, "-j")) {
		st = parse_long(a, v, 1, 64, &n);
		o->threads = (int)n;
	} else if (!strcmp(a, "--shard")) {
		if (!v || sscanf(v, "%d/%d", &o->shard_k, &o->shard_n) != 2 ||
		    o->shard_n < 1 || o->shard_k < 0 || o->shard_k >= o->shard_n)
			return cli_error("--shard: expected K/N with 0 <= K < N");
	} else if (!strcmp(a, "--set")) {
		if (!v || !strchr(v, '='))
			return cli_error("--set needs PATH=VALUE");
		o->sets[o->nr_sets++] = v;
	} else if (!strcmp(a, "--force")) {
		char err[160];

		if (!v)
			return cli_error("--force needs POINT=true|false");
		if (exec_force_parse(v, &o->forces[o->nr_forces++], err,
				     sizeof(err)))
			return cli_error("%s", err);
	} else if (!strcmp(a, "--exhaustive")) {
		st = parse_long(a, v, 1, 8, &n);
		o->exhaustive = (int)n;
		o->runs = exp_exhaustive_runs(o->exhaustive);
	} else if (!strcmp(a, "--max-procs")) {
		st = parse_long(a, v, 1, 8, &n);
		o->max_procs = (int)n;
	} else if (!strcmp(a, "--max-pmds")) {
		st = parse_long(a, v, 1, 8, &n);
		o->max_pmds = (int)n;
	} else if (!strcmp(a, "--max-ops")) {
		st = parse_long(a, v, 1, 200, &n);
		o->max_ops = (int)n;
	} else if (!strcmp(a, "--out")) {
		if (!v)
			return cli_error("--out needs a directory");
		o->out_dir = v;
	} else {
		return cli_error("unknown option '%s' (see foliosim help explore)",
				 a);
	}
	return st;
}

static int merge(int argc, char **argv, struct explore_opts *o)
{
	const char **dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	int i, n = 0, st;

	if (!dirs)
		return cli_error("out of memory");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--merge"))
			continue;
		if (!strcmp(argv[i], "--json"))
			o->json = true;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			o->out_dir = argv[++i];
		else
			dirs[n++] = argv[i];
	}
	if (!n)
		st = cli_error("--merge needs directories");
	else
		st = explore_merge(dirs, n, o->out_dir ? o->out_dir : "merged",
				   o->json) ? 2 : 0;
	free(dirs);
	return st;
}

/* Options a search against the kernel does not take. */
static bool model_only_opt(const char *a)
{
	static const char *const opts[] = { "--profiles", "-j", "--shard",
					    "--exhaustive", "--max-procs",
					    "--max-pmds", NULL };
	int i;

	for (i = 0; opts[i]; i++)
		if (!strncmp(a, opts[i], strlen(opts[i])))
			return true;
	return false;
}

/*
 * 'explore --against kernel': --runs and --time may both be given (the
 * first limit reached ends it); neither means --time 600.
 */
static int against_kernel(int argc, char **argv, struct explore_opts *o)
{
	struct kexp_result r;
	bool runs = false, secs = false;
	char err[512];
	int i, st = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--against")) {
			if (i + 1 >= argc || strcmp(argv[i + 1], "kernel"))
				return cli_error("--against: expected 'kernel'");
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--why")) {
			o->why = true;
			continue;
		}
		if (model_only_opt(argv[i]))
			return cli_error("%s does not apply to --against "
					 "kernel (see foliosim help explore)",
					 argv[i]);
		runs |= !strcmp(argv[i], "--runs");
		secs |= !strcmp(argv[i], "--time");
		st = parse_opt(o, argc, argv, &i);
		if (st)
			return st;
	}
	if (runs && secs) {	/* parse_opt let the later one win */
		for (i = 1; i + 1 < argc; i++)
			if (!strcmp(argv[i], "--runs"))
				parse_long("--runs", argv[i + 1], 1,
					   1000000000L, &o->runs);
	} else if (!runs) {
		o->runs = 0;
		if (!secs)
			o->seconds = 600;
	} else {
		o->seconds = 0;
	}
	o->against_kernel = true;
	if (exec_kernel_check(err, sizeof(err))) {
		fprintf(stderr, "foliosim: explore --against kernel: %s\n",
			err);
		return EXEC_CANNOT_RUN;
	}
	if (kexplore_run(o, &r, err, sizeof(err))) {
		fprintf(stderr, "foliosim: explore --against kernel: %s\n",
			err);
		st = EXEC_CANNOT_RUN;
	}
	if (o->out_dir && kexplore_write(o, &r))
		st = cli_error("cannot write the results to %s", o->out_dir);
	kexplore_print_summary(stdout, o, &r, o->json);
	kexplore_result_free(&r);
	return st;
}

int cmd_explore(int argc, char **argv)
{
	struct explore_opts o;
	struct explore_result r;
	int i, st = 0;

	defaults(&o);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--merge"))
			return merge(argc, argv, &o);
	o.sets = calloc((size_t)argc + 1, sizeof(*o.sets));
	o.forces = calloc((size_t)argc + 1, sizeof(*o.forces));
	if (!o.sets || !o.forces) {
		free(o.sets);
		free(o.forces);
		return cli_error("out of memory");
	}
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--against")) {
			o.max_ops = 20;
			st = against_kernel(argc, argv, &o);
			free(o.sets);
			free(o.forces);
			return st;
		}
	for (i = 1; i < argc && !st; i++)
		st = parse_opt(&o, argc, argv, &i);
	if (!st && explore_run(&o, &r))
		st = cli_error("explore failed: out of memory");
	if (!st) {
		if (o.out_dir && explore_write(&o, &r))
			st = cli_error("cannot write findings to %s", o.out_dir);
		explore_print_summary(stdout, &o, &r, o.json);
		explore_result_free(&r);
	}
	free(o.sets);
	free(o.forces);
	return st;
}
