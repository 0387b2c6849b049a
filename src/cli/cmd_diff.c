// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim diff FILE... [--profile P] [--svg OUT.svg] [--trace] [--why]
 * Runs each scenario on the model and on this machine's kernel, statement
 * by statement, and prints the first difference (or one line saying they
 * agree).  The exit status is the worst of the files'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diff/diff.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "config/profile.h"

struct diff_args {
	const char *profile;
	const char *svg;
	bool trace, why;
	const char **files;
	int nr_files;
};

static int parse_args(int argc, char **argv, struct diff_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->files = calloc((size_t)argc + 1, sizeof(*a->files));
	if (!a->files)
		return cli_error("out of memory");
	for (i = 1; i < argc; i++) {
		const char *v = argv[i];

		if (!strcmp(v, "--profile") || !strncmp(v, "--profile=", 10)) {
			v = v[9] ? v + 10 : argv[++i];
			if (cli_profile(v))
				return 2;
			a->profile = v;
		} else if (!strcmp(v, "--svg") || !strncmp(v, "--svg=", 6)) {
			a->svg = v[5] ? v + 6 : argv[++i];
			if (!a->svg || !*a->svg)
				return cli_error("--svg needs a file name");
		} else if (!strcmp(v, "--trace")) {
			a->trace = true;
		} else if (!strcmp(v, "--why")) {
			a->why = true;
		} else if (v[0] == '-' && v[1]) {
			return cli_error("unknown option '%s'", v);
		} else {
			a->files[a->nr_files++] = v;
		}
	}
	if (!a->nr_files)
		return cli_error("diff needs at least one scenario file");
	if (a->svg && a->nr_files > 1)
		return cli_error("--svg draws one scenario, not %d",
				 a->nr_files);
	return 0;
}

static int diff_file(struct kx_guard *g, const char *path,
		     const struct diff_args *a)
{
	struct kx_diff_opts o = { .profile = a->profile, .out = stdout,
				  .svg = a->svg, .trace = a->trace,
				  .why = a->why };
	struct scn_scenario s;
	int st;

	if (cli_load(path, &s))
		return 2;
	st = kx_diff(&s, g, &o);
	scn_free(&s);
	return st;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_args a;
	struct kx_guard *g;
	char err[256];
	int i, st, worst = 0;

	st = parse_args(argc, argv, &a);
	if (!st)
		st = exec_kernel_check(err, sizeof(err));
	if (!st && kx_guard_open(&g, err, sizeof(err)))
		st = KX_CANNOT_RUN;
	if (st == KX_CANNOT_RUN)
		fprintf(stderr, "foliosim: %s\n", err);
	if (st) {
		free(a.files);
		return st;
	}
	for (i = 0; i < a.nr_files; i++) {
		st = diff_file(g, a.files[i], &a);
		if (st > worst)
			worst = st;
	}
	if (kx_guard_close(g) && worst < KX_CANNOT_RUN)
		worst = KX_CANNOT_RUN;
	free(a.files);
	return worst;
}
