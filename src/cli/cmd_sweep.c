// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim sweep FILE --set PATH=A..B[:STEP] [--profile P,...|all]
 *                     [--set PATH=VALUE]... [--svg OUT.svg] [--json]
 * Runs the scenario on the model once per value of one tunable under each
 * profile and reports RAM held and THP coverage at the end of each run.
 * The options are those of "run"; one --set is a range.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli/run.h"
#include "exec/exec.h"
#include "config/settings.h"
#include "report/sweep.h"

#define MAX_VALUES 100000

struct range {
	char path[128];
	long a, b, step;
};

static int bad_range(const char *arg)
{
	return cli_error("bad range '%s': expected PATH=A..B or "
			 "PATH=A..B:STEP, integers with A <= B and STEP > 0",
			 arg);
}

static bool parse_long(const char *s, char **end, long *v)
{
	errno = 0;
	*v = strtol(s, end, 10);
	return *end != s && !errno;
}

/* Parse and validate "PATH=A..B[:STEP]"; 0 or 2 after saying why. */
static int parse_range(const char *arg, struct range *r)
{
	const char *eq = strchr(arg, '='), *dots = strstr(arg, "..");
	const struct setting_desc *d;
	char err[256], val[32], *end;
	int order;

	if (!eq || !dots || dots < eq || (size_t)(eq - arg) >= sizeof(r->path))
		return bad_range(arg);
	memcpy(r->path, arg, (size_t)(eq - arg));
	r->path[eq - arg] = 0;
	d = setting_lookup(r->path, &order);
	if (!d)
		return cli_error("unknown setting '%s' (see foliosim help)",
				 r->path);
	if (d->kind != SET_INT && d->kind != SET_BOOL)
		return cli_error("%s is not a number: it cannot be swept",
				 r->path);
	r->step = 1;
	if (!parse_long(eq + 1, &end, &r->a) || end != dots ||
	    !parse_long(dots + 2, &end, &r->b) ||
	    (*end == ':' && !parse_long(end + 1, &end, &r->step)) || *end ||
	    r->a > r->b || r->step <= 0)
		return bad_range(arg);
	snprintf(val, sizeof(val), "%ld", r->a);
	if (setting_check(r->path, val, err, sizeof(err)))
		return cli_error("%s=%s: %s", r->path, val, err);
	snprintf(val, sizeof(val), "%ld", r->b);
	if (setting_check(r->path, val, err, sizeof(err)))
		return cli_error("%s=%s: %s", r->path, val, err);
	/* within the setting's bounds now, so this cannot overflow */
	if ((r->b - r->a) / r->step >= MAX_VALUES)
		return cli_error("'%s' has more than %d values", arg,
				 MAX_VALUES);
	return 0;
}

/* Take the one range out of o->sets; 0 or 2 after saying why. */
static int take_range(struct run_opts *o, struct range *r)
{
	int i, j = 0, found = 0;

	for (i = 0; i < o->nr_sets; i++) {
		if (!strstr(o->sets[i], "..")) {
			o->sets[j++] = o->sets[i];
			continue;
		}
		if (found++)
			return cli_error("only one --set can be a range");
		if (parse_range(o->sets[i], r))
			return 2;
	}
	o->nr_sets = j;
	if (!found)
		return cli_error("sweep needs one --set PATH=A..B[:STEP]");
	return 0;
}

/* A scenario that sets the swept tunable itself overrides the sweep. */
static void warn_overridden(const struct scn_scenario *s, const char *path)
{
	int i;

	for (i = 0; i < s->nr_ops; i++)
		if (s->ops[i].kind == SCN_SET && !strcmp(s->ops[i].path, path))
			fprintf(stderr, "%s:%d:%d: warning: the scenario sets "
				"%s itself; from here on the swept value is "
				"replaced\n", s->path, s->ops[i].line,
				s->ops[i].col, path);
}

static uint64_t pmd_mapped_kb(const struct exec_result *r)
{
	uint64_t kb = 0;
	int p;

	for (p = 0; r->procs && p < r->nr_procs; p++)
		if (r->procs[p].alive)
			kb += r->procs[p].anon_huge_kb;
	return kb;
}

/* One run; its status (2 and 3 stop the sweep). */
static int sweep_one(const struct scn_scenario *s, const struct run_opts *o,
		     int p, const char *set, struct sweep_point *pt)
{
	struct exec_model_opts mo = {
		.profile = o->profiles[p], .shared_pred = o->shared_pred,
		.check = o->check, .sets = o->sets, .nr_sets = o->nr_sets + 1,
	};
	struct exec_result r;
	int st;

	o->sets[o->nr_sets] = set;	/* the swept value comes last */
	st = (int)exec_model(s, &mo, &r);
	if (st == EXEC_BAD_INPUT || st == EXEC_DATA_LOST)
		fprintf(stderr, "%s (with %s, %s)\n", r.error, set,
			o->profiles[p]);
	pt->anon_kb = r.anon_kb;
	pt->pmd_kb = pmd_mapped_kb(&r);
	pt->failed = r.failed;
	exec_result_free(&r);
	return st;
}

static int sweep_all(const struct scn_scenario *s, const struct run_opts *o,
		     const struct range *rg, struct sweep_result *res)
{
	bool progress = isatty(STDERR_FILENO);
	int total = res->nr_values * res->nr_profiles, done = 0, p, v;
	int worst = 0;

	for (p = 0; p < res->nr_profiles; p++)
		for (v = 0; v < res->nr_values; v++) {
			char set[160];
			int st;

			snprintf(set, sizeof(set), "%s=%ld", rg->path,
				 res->values[v]);
			if (progress)
				fprintf(stderr, "\rsweep: run %d of %d (%s, "
					"%s)   ", ++done, total,
					o->profiles[p], set);
			st = sweep_one(s, o, p, set,
				       &res->pt[p * res->nr_values + v]);
			if (st == EXEC_BAD_INPUT || st == EXEC_DATA_LOST) {
				worst = st;
				goto out;
			}
		}
out:
	if (progress)
		fputs("\r\033[K", stderr);
	return worst;
}

static int report(const struct sweep_result *res, const struct run_opts *o)
{
	FILE *f;
	int err;

	if (o->json)
		report_sweep_json(stdout, res);
	else
		report_sweep_text(stdout, res);
	if (!o->svg)
		return 0;
	f = fopen(o->svg, "w");
	if (!f)
		return cli_error("cannot write '%s': %s", o->svg,
				 strerror(errno));
	err = report_sweep_svg(f, res);
	err |= ferror(f);
	if (fclose(f) || err)
		return cli_error("cannot write '%s'", o->svg);
	return 0;
}

static int sweep_file(const struct run_opts *o, const struct range *rg)
{
	struct sweep_result res = {
		.scenario = o->files[0], .path = rg->path,
		.profiles = o->profiles, .nr_profiles = o->nr_profiles,
	};
	struct scn_scenario s;
	long *values;
	int st, n = (int)((rg->b - rg->a) / rg->step) + 1, i;

	if (cli_load(o->files[0], &s))
		return 2;
	warn_overridden(&s, rg->path);
	values = calloc((size_t)n, sizeof(*values));
	res.pt = calloc((size_t)(n * o->nr_profiles), sizeof(*res.pt));
	if (!values || !res.pt) {
		st = cli_error("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		values[i] = rg->a + i * rg->step;
	res.values = values;
	res.nr_values = n;
	st = sweep_all(&s, o, rg, &res);
	if (!st)
		st = report(&res, o);
out:
	free(values);
	free(res.pt);
	scn_free(&s);
	return st;
}

int cmd_sweep(int argc, char **argv)
{
	struct run_opts o;
	struct range rg;
	int st;

	st = run_parse_opts(argc, argv, &o);
	if (!st && o.nr_files != 1)
		st = -cli_error("sweep takes one scenario file");
	if (!st)
		st = -take_range(&o, &rg);
	if (!st)
		st = sweep_file(&o, &rg);
	run_free_opts(&o);
	return st < 0 ? -st : st;
}
