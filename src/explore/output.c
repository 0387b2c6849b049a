// SPDX-License-Identifier: GPL-2.0-only
/*
 * Explorer output: each finding as a runnable .fsim reproducer with
 * expect[profile] lines that pin the difference, a summary (Markdown and
 * JSON) sorted by cost with the worst case per class and profile pair, and
 * merging of several output directories (shards).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec/exec.h"
#include "explore.h"
#include "config/profile.h"
#include "report/report.h"

static const char *const class_slug[NR_EXP_CLASSES] = {
	"extra-ram", "lost-thp", "pred-fn", "pred-fp"
};

static bool run_profile(const struct explore_opts *o, const char *profile,
			struct scn_scenario *s, struct exec_result *r)
{
	struct exec_model_opts mo;
	char name[PROFILE_NAME_MAX];

	exp_profile_opts(profile, &mo, name, sizeof(name));
	mo.forces = o->forces;
	mo.nr_forces = o->nr_forces;
	exec_model(s, &mo, r);
	return r->status == EXEC_OK || r->status == EXEC_FAILED;
}

/* expect[] can only name plain profiles. */
static bool plain_profile(const char *name)
{
	return profile_valid(name);
}

static void pin_region(FILE *f, const struct scn_scenario *s, int p, int g,
		       const struct exec_result *ra, const char *a,
		       const struct exec_result *rb, const char *b)
{
	const struct exec_region_final *x = &ra->procs[p].regions[g];
	const struct exec_region_final *y = &rb->procs[p].regions[g];
	const char *pn = s->procs[p], *rn = s->regions[g].name;

	if (x->thp != y->thp) {
		fprintf(f, "expect[%s] %s %s thp = %llu\n", a, pn, rn,
			(unsigned long long)x->thp);
		fprintf(f, "expect[%s] %s %s thp = %llu\n", b, pn, rn,
			(unsigned long long)y->thp);
	}
	if (x->shared != y->shared) {
		fprintf(f, "expect[%s] %s %s shared = %llu\n", a, pn, rn,
			(unsigned long long)x->shared);
		fprintf(f, "expect[%s] %s %s shared = %llu\n", b, pn, rn,
			(unsigned long long)y->shared);
	}
}

/* Expect lines that hold under a and b and show how they differ. */
static void pin_expects(FILE *f, const struct exp_finding *fd,
			const struct explore_opts *o)
{
	const char *a = o->profiles[fd->a], *b = o->profiles[fd->b];
	struct exec_result ra, rb;
	struct scn_scenario s;
	char err[256];
	int p, g;

	if (scn_parse("<finding>", fd->text, strlen(fd->text), &s, err,
		      sizeof(err)))
		return;
	if (run_profile(o, a, &s, &ra) && run_profile(o, b, &s, &rb)) {
		fprintf(f, "# RAM held by anonymous folios: %s %llu KiB, "
			   "%s %llu KiB\n", a, (unsigned long long)ra.anon_kb,
			b, (unsigned long long)rb.anon_kb);
		fprintf(f, "# khugepaged's predicate vs the truth: %s %ld/%ld, "
			   "%s %ld/%ld (false negatives/positives)\n",
			a, ra.pred_fn, ra.pred_fp, b, rb.pred_fn, rb.pred_fp);
		if (!plain_profile(a) || !plain_profile(b))
			fputs("# (\"exact\" is v6.18 with --shared=exact and "
			      "\"P:pred\" is P with --shared=pred;\n#  expect[] "
			      "can only name plain profiles)\n", f);
		else
			for (p = 0; p < s.nr_procs; p++)
				for (g = 0; g < s.nr_regions; g++)
					if (ra.procs[p].alive &&
					    rb.procs[p].alive)
						pin_region(f, &s, p, g, &ra, a,
							   &rb, b);
	}
	exec_result_free(&ra);
	exec_result_free(&rb);
	scn_free(&s);
}

static void write_reproducer(FILE *f, const struct explore_opts *o,
			     const struct exp_finding *fd)
{
	fprintf(f, "# foliosim finding: class=%s a=%s b=%s cost=%lld run=%ld "
		   "seed=%llu signature=%016llx\n",
		class_slug[fd->cls], o->profiles[fd->a], o->profiles[fd->b],
		(long long)fd->cost, fd->run, (unsigned long long)o->seed,
		(unsigned long long)fd->signature);
	fprintf(f, "# %s: %s is worse than %s by %lld%s; shrunk from %d to "
		   "%d statements\n",
		exp_class_names[fd->cls], o->profiles[fd->b], o->profiles[fd->a],
		(long long)fd->cost, fd->cls <= EXP_LOST_THP ? " bytes" : "",
		fd->orig_statements, fd->nr_statements);
	fputs(fd->text, f);
	pin_expects(f, fd, o);
}

static char *finding_name(const struct explore_opts *o,
			  const struct exp_finding *fd, int i)
{
	char *name = NULL;

	if (asprintf(&name, "%03d-%s-%s-vs-%s.fsim", i + 1,
		     class_slug[fd->cls], o->profiles[fd->b],
		     o->profiles[fd->a]) < 0)
		return NULL;
	return name;
}

/* Is @i the first (worst: findings are sorted) of its class and pair? */
static bool worst_of_pair(const struct explore_result *r, int i)
{
	int k;

	for (k = 0; k < i; k++)
		if (r->v[k].cls == r->v[i].cls && r->v[k].a == r->v[i].a &&
		    r->v[k].b == r->v[i].b)
			return false;
	return true;
}

static void print_table(FILE *f, const struct explore_opts *o,
			const struct explore_result *r, bool worst_only)
{
	int i;

	fputs("| # | class | worse | than | cost | statements | run | file |\n"
	      "|---|---|---|---|---|---|---|---|\n", f);
	for (i = 0; i < r->nr; i++) {
		const struct exp_finding *fd = &r->v[i];
		char *name;

		if (worst_only && !worst_of_pair(r, i))
			continue;
		name = finding_name(o, fd, i);
		fprintf(f, "| %d | %s | %s | %s | %lld%s | %d | %ld | %s |\n",
			i + 1, exp_class_names[fd->cls], o->profiles[fd->b],
			o->profiles[fd->a], (long long)fd->cost,
			fd->cls <= EXP_LOST_THP ? " B" : "", fd->nr_statements,
			fd->run, name ? name : "");
		free(name);
	}
}

void explore_print_summary(FILE *f, const struct explore_opts *o,
			   const struct explore_result *r, bool json)
{
	int i;

	if (json) {
		fprintf(f, "{\"seed\": %llu, \"runs\": %ld, \"seconds\": %.1f, "
			   "\"findings\": [", (unsigned long long)o->seed,
			r->runs_done, r->seconds);
		for (i = 0; i < r->nr; i++) {
			const struct exp_finding *fd = &r->v[i];
			char *name = finding_name(o, fd, i);

			fprintf(f, "%s{\"class\": \"%s\", \"worse\": \"%s\", "
				   "\"than\": \"%s\", \"cost\": %lld, "
				   "\"statements\": %d, \"run\": %ld, "
				   "\"file\": ", i ? ", " : "",
				class_slug[fd->cls], o->profiles[fd->b],
				o->profiles[fd->a], (long long)fd->cost,
				fd->nr_statements, fd->run);
			json_string(f, name ? name : "");
			fputs(", \"text\": ", f);
			json_string(f, fd->text);
			fputc('}', f);
			free(name);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "# foliosim explore: seed %llu, %ld runs in %.1f s, "
		   "%d findings\n\n## Worst case per class and profile pair\n\n",
		(unsigned long long)o->seed, r->runs_done, r->seconds, r->nr);
	print_table(f, o, r, true);
	fputs("\n## All findings, by class and cost\n\n", f);
	print_table(f, o, r, false);
}

int explore_write(const struct explore_opts *o, struct explore_result *r)
{
	char path[4096];
	FILE *f;
	int i;

	if (mkdir(o->out_dir, 0755) && errno != EEXIST)
		return -1;
	for (i = 0; i < r->nr; i++) {
		char *name = finding_name(o, &r->v[i], i);

		snprintf(path, sizeof(path), "%s/%s", o->out_dir,
			 name ? name : "finding.fsim");
		free(name);
		f = fopen(path, "w");
		if (!f)
			return -1;
		write_reproducer(f, o, &r->v[i]);
		if (fclose(f))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/summary.md", o->out_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	explore_print_summary(f, o, r, false);
	fclose(f);
	snprintf(path, sizeof(path), "%s/summary.json", o->out_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	explore_print_summary(f, o, r, true);
	if (fclose(f))
		return -1;
	return r->cands ? explore_write_candidates(o, r) : 0;
}
