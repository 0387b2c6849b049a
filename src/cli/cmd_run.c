// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim run FILE... [--profile P[,P...]|all] [--shared=PRED]
 *                      [--set PATH=VALUE]... [--json] [--check]
 *                      [--svg OUT.svg] [--trace] [--why] [--cost]
 * Runs each scenario on the model under each profile and reports them side
 * by side (or as JSON).  The exit status is the worst of the scenarios'.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli/run.h"
#include "exec/exec.h"
#include "config/profile.h"
#include "report/report.h"

static bool has_show(const struct scn_scenario *s)
{
	int i;

	for (i = 0; i < s->nr_ops; i++)
		if (s->ops[i].kind == SCN_SHOW)
			return true;
	return false;
}

/* The picture of the maps into @path; 0 or 2 after saying why not. */
static int write_svg(const char *path, const struct scn_scenario *s,
		     const struct exec_result *rs, int nr, char **const *maps)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return cli_error("cannot write '%s': %s", path,
				 strerror(errno));
	err = report_svg(f, s, rs, nr, maps);
	err |= ferror(f);
	if (fclose(f) || err)
		return cli_error("cannot write '%s'", path);
	return 0;
}

/* Run one parsed scenario under every profile of @o and report it. */
int run_scenario(const struct scn_scenario *s, const struct run_opts *o)
{
	struct exec_result rs[RUN_MAX_PROFILES];
	struct report_opts ro = { .color = o->color };
	/* without "show", the picture is of the end of the run */
	bool finals = o->svg && !has_show(s);
	char **maps[RUN_MAX_PROFILES] = { NULL };
	int k, worst = 0;

	for (k = 0; k < o->nr_profiles; k++) {
		struct exec_model_opts mo = {
			.profile = o->profiles[k],
			.shared_pred = o->shared_pred,
			.check = o->check,
			.sets = o->sets,
			.nr_sets = o->nr_sets,
			.forces = o->forces,
			.nr_forces = o->nr_forces,
			.trace = o->trace || o->why,
			.why = o->why,
			.cost = o->cost,
			.keeper = o->trace || o->why,
		};

		if (finals)
			exec_model_maps(s, &mo, &rs[k], &maps[k]);
		else
			exec_model(s, &mo, &rs[k]);
		if ((int)rs[k].status > worst)
			worst = (int)rs[k].status;
		if (rs[k].status == EXEC_BAD_INPUT ||
		    rs[k].status == EXEC_DATA_LOST)
			fprintf(stderr, "%s\n", rs[k].error);
	}
	if (o->json)
		report_json(stdout, s, rs, o->nr_profiles);
	else
		report_text(stdout, s, rs, o->nr_profiles, &ro);
	for (k = 0; k < o->nr_profiles && o->trace && !o->json; k++)
		report_trace(stdout, s, &rs[k]);
	for (k = 0; k < o->nr_profiles && o->why && !o->json; k++)
		report_why(stdout, s, &rs[k]);
	if (o->svg && write_svg(o->svg, s, rs, o->nr_profiles,
				finals ? maps : NULL) && worst < 2)
		worst = 2;
	for (k = 0; k < o->nr_profiles; k++) {
		exec_maps_free(s, maps[k]);
		exec_result_free(&rs[k]);
	}
	return worst;
}

static int run_file(const char *path, const struct run_opts *o)
{
	struct scn_scenario s;
	int st;

	if (cli_load(path, &s))
		return 2;
	st = run_scenario(&s, o);
	scn_free(&s);
	return st;
}

/* Options shared by run-like commands; returns argv index of the files. */
int run_parse_opts(int argc, char **argv, struct run_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->shared_pred = -1;
	o->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	o->sets = calloc((size_t)argc + 1, sizeof(*o->sets));
	o->files = calloc((size_t)argc + 1, sizeof(*o->files));
	o->forces = calloc((size_t)argc + 1, sizeof(*o->forces));
	if (!o->sets || !o->files || !o->forces)
		return -cli_error("out of memory");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--check")) {
			o->check = true;
		} else if (!strcmp(a, "--trace")) {
			o->trace = true;
		} else if (!strcmp(a, "--why")) {
			o->why = true;
		} else if (!strcmp(a, "--cost")) {
			o->cost = true;
		} else if (!strcmp(a, "--profile") || !strncmp(a, "--profile=", 10)) {
			char *v = a[9] ? argv[i] + 10 : argv[++i];

			o->nr_profiles = cli_profile_list(v, o->profiles,
							  RUN_MAX_PROFILES);
			if (o->nr_profiles < 0)
				return o->nr_profiles;
		} else if (!strncmp(a, "--shared=", 9)) {
			o->shared_pred = shared_pred_lookup(a + 9);
			if (o->shared_pred < 0)
				return -cli_error("unknown predicate '%s'",
						  a + 9);
		} else if (!strcmp(a, "--svg") || !strncmp(a, "--svg=", 6)) {
			o->svg = a[5] ? a + 6 : argv[++i];
			if (!o->svg || !*o->svg)
				return -cli_error("--svg needs a file name");
		} else if (!strcmp(a, "--set") || !strncmp(a, "--set=", 6)) {
			const char *v = a[5] ? a + 6 : argv[++i];

			if (!v)
				return -cli_error("--set needs PATH=VALUE");
			o->sets[o->nr_sets++] = v;
		} else if (!strcmp(a, "--force") ||
			   !strncmp(a, "--force=", 8)) {
			const char *v = a[7] ? a + 8 : argv[++i];
			char err[160];

			if (!v)
				return -cli_error("--force needs POINT=true|false");
			if (exec_force_parse(v, &o->forces[o->nr_forces++], err,
					     sizeof(err)))
				return -cli_error("%s", err);
		} else if (a[0] == '-' && a[1]) {
			return -cli_error("unknown option '%s'", a);
		} else {
			o->files[o->nr_files++] = a;
		}
	}
	if (!o->nr_profiles) {
		o->profiles[0] = profile_default()->name;
		o->nr_profiles = 1;
	}
	o->color &= !o->json;
	return 0;
}

void run_free_opts(struct run_opts *o)
{
	free(o->sets);
	free(o->files);
	free(o->forces);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int i, st, worst = 0;

	st = run_parse_opts(argc, argv, &o);
	if (st)
		goto out;
	if (!o.nr_files) {
		st = cli_error("run needs at least one scenario file");
		goto out;
	}
	if (o.svg && o.nr_files > 1) {
		st = cli_error("--svg draws one scenario, not %d", o.nr_files);
		goto out;
	}
	/* a bad value (a size too large, say) is an error before any run */
	for (i = 0; i < o.nr_sets; i++) {
		char err[320];

		if (exec_set_check(o.sets[i], err, sizeof(err))) {
			st = cli_error("%s", err);
			goto out;
		}
	}
	for (i = 0; i < o.nr_files; i++) {
		st = run_file(o.files[i], &o);
		if (st > worst)
			worst = st;
	}
	st = worst;
out:
	run_free_opts(&o);
	return st < 0 ? -st : st;
}
