// SPDX-License-Identifier: GPL-2.0-only
/*
 * The killer search (see synth.h).  A batch of generated runs is measured
 * in parallel: each run's original, then every open mutant that its point
 * answers could change (a point forced false only where it held, forced
 * true only where it failed).  Then, in mutant order, the first run of the
 * batch that a mutant changes is shrunk (in parallel over the mutants),
 * and the candidates are confirmed one by one on the kernel; a confirmed
 * killer is also tried on every other open mutant.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/profile.h"
#include "exec/exec.h"
#include "explore.h"
#include "model/kh_points.h"
#include "synth.h"

#define BATCH 32

struct slot {
	long run;
	char *text;
	bool ok;			/* the original ran clean */
	uint64_t evaluated;		/* its points_evaluated */
	bool *changeable, *differs;	/* per open mutant */
};

struct cand {
	int k;				/* open mutant index */
	int slot;
	char *text;			/* killer text, or NULL */
	int orig_statements, statements;
	char differs[256];
};

struct search {
	const struct synth_opts *o;
	struct explore_opts gen;
	struct synth_result *r;
	int *open;			/* open mutants: indices into r->v */
	int nr_open;
	struct slot slots[BATCH];
	int nr_slots;
	struct cand *cands;
	int nr_cands;
	int next, phase;
	pthread_mutex_t lock;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct mut_mutant *mutant(const struct search *x, int k)
{
	return &x->r->before.mutants[x->open[k]];
}

static void measure(struct search *x, struct slot *sl)
{
	const char *profile = x->o->profile;
	struct scn_scenario s;
	struct exec_model_opts mo;
	struct exec_force f;
	struct exec_result r;
	char err[256];
	int k;

	sl->text = exp_generate(&x->gen, sl->run);
	if (!sl->text || scn_parse("<generated>", sl->text,
				   strlen(sl->text), &s, err, sizeof(err)))
		return;
	mut_model_opts(profile, NULL, &f, &mo);
	sl->ok = exec_model(&s, &mo, &r) == EXEC_OK;
	sl->evaluated = r.points_evaluated;
	for (k = 0; sl->ok && k < x->nr_open; k++) {
		sl->changeable[k] = mut_may_change(mutant(x, k), &r);
		sl->differs[k] = sl->changeable[k] &&
				 synth_differs(profile, mutant(x, k), &s, &r);
	}
	exec_result_free(&r);
	scn_free(&s);
}

static void shrink(struct search *x, struct cand *c)
{
	c->text = synth_candidate(x->o->profile, mutant(x, c->k),
				  x->slots[c->slot].text, &c->orig_statements,
				  &c->statements, c->differs,
				  sizeof(c->differs));
	if (c->text && !synth_kills(x->o->profile, mutant(x, c->k), c->text)) {
		free(c->text);
		c->text = NULL;
	}
}

static void *worker(void *arg)
{
	struct search *x = arg;

	for (;;) {
		int i;

		pthread_mutex_lock(&x->lock);
		i = x->next++;
		pthread_mutex_unlock(&x->lock);
		if (i >= (x->phase ? x->nr_cands : x->nr_slots))
			return NULL;
		if (x->phase)
			shrink(x, &x->cands[i]);
		else
			measure(x, &x->slots[i]);
	}
}

static void parallel(struct search *x, int phase)
{
	pthread_t tid[64];
	int t, n = x->o->threads < 1 ? 1 : x->o->threads > 64 ? 64 :
							       x->o->threads;

	x->phase = phase;
	x->next = 0;
	for (t = 1; t < n; t++)
		if (pthread_create(&tid[t], NULL, worker, x))
			n = t;
	worker(x);
	for (t = 1; t < n; t++)
		pthread_join(tid[t], NULL);
}

/* The point's answers over the suite's original runs. */
static void suite_counts(const struct synth_opts *o,
			 const struct scn_scenario *s, int nr,
			 struct synth_result *r)
{
	int f, m;

	for (f = 0; f < nr; f++) {
		struct exec_model_opts mo;
		struct exec_force fo;
		struct exec_result er;

		mut_model_opts(o->profile, NULL, &fo, &mo);
		if (exec_model(&s[f], &mo, &er) == EXEC_OK)
			for (m = 0; m < r->before.nr_mutants; m++) {
				const struct mut_mutant *mu =
					&r->before.mutants[m];
				int bit = mu->point >= 0 ? mu->point :
					  KH_SHARED;

				r->v[m].evaluated +=
					!!(er.points_evaluated & (1ULL << bit));
				r->v[m].changeable += mut_may_change(mu, &er);
				r->v[m].differed +=
					mut_cell(&r->before, m, f) == MUT_DIFFERS;
			}
		exec_result_free(&er);
	}
}

static void log_line(const struct synth_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_line(const struct synth_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->log)
		return;
	va_start(ap, fmt);
	vfprintf(o->log, fmt, ap);
	va_end(ap);
	fputc('\n', o->log);
	fflush(o->log);
}

/* Profiles under which the killer's expectations hold unmutated. */
static void holding_profiles(const char *text, char *buf, size_t len)
{
	int i;

	buf[0] = 0;
	for (i = 0; i < fsim_nr_profiles; i++) {
		struct scn_scenario s;
		struct exec_result er;
		struct exec_model_opts mo = { .profile = fsim_profiles[i].name,
					      .shared_pred = -1 };
		char err[256];
		bool ok;

		if (scn_parse("<killer>", text, strlen(text), &s, err,
			      sizeof(err)))
			return;
		ok = exec_model(&s, &mo, &er) == EXEC_OK;
		exec_result_free(&er);
		scn_free(&s);
		if (ok)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? "," : "", fsim_profiles[i].name);
	}
}

/* What the mutant does, in words. */
static void describe(const struct mut_mutant *mu, char *buf, size_t len)
{
	const char *res;

	if (mu->pred >= 0) {
		snprintf(buf, len, "khugepaged's \"is it shared?\" answered "
			 "by %s instead of the era's predicate",
			 shared_pred_names[mu->pred]);
		return;
	}
	res = exec_point_result(mu->point);
	snprintf(buf, len, "the decision point %s in %s, which %s%.*s when it "
		 "holds, forced %s", exec_point_name(mu->point),
		 exec_point_function(mu->point),
		 res[0] == '(' ? "" : "gives ",
		 res[0] == '(' ? (int)strlen(res) - 2 : (int)strlen(res),
		 res + (res[0] == '('), mu->value ? "true" : "false");
}

/* @text as '#' comment lines of at most 78 columns. */
static void comment(FILE *f, const char *text)
{
	while (*text) {
		size_t n = strlen(text), cut = n;

		if (n > 76) {
			for (cut = 76; cut > 0 && text[cut] != ' '; cut--)
				;
			if (!cut)
				cut = strcspn(text, " ");
		}
		fprintf(f, "# %.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static char *killer_file(const struct synth_opts *o,
			 const struct mut_mutant *mu, const struct cand *c,
			 long run, const char *release)
{
	char what[320], line[512], profiles[64], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	describe(mu, what, sizeof(what));
	holding_profiles(c->text, profiles, sizeof(profiles));
	fprintf(f, "# killer: %s\n", mu->name);
	snprintf(line, sizeof(line), "Kills the mutant %s of %s: %s.",
		 mu->name, o->profile, what);
	comment(f, line);
	snprintf(line, sizeof(line), "What differs at the end, original "
		 "(mutant): %s.", c->differs);
	comment(f, line);
	snprintf(line, sizeof(line), "Found by foliosim mutate --synthesize "
		 "--seed %llu (run %ld, shrunk from %d to %d statements).",
		 (unsigned long long)o->seed, run, c->orig_statements,
		 c->statements);
	comment(f, line);
	if (release && release[0])
		snprintf(line, sizeof(line), "Confirmed on the live kernel "
			 "%s: every expectation held.", release);
	else
		snprintf(line, sizeof(line), "Not confirmed on a kernel "
			 "(--model-only).");
	comment(f, line);
	fprintf(f, "# profiles: %s\n\n%s", profiles, c->text);
	fclose(f);
	return buf;
}

/* A confirmed killer for open mutant @k: record it, try it on the rest. */
static void accept(struct search *x, const struct cand *c,
		   const char *release)
{
	struct synth_result *r = x->r;
	struct synth_mutant *v = &r->v[x->open[c->k]];
	int j;

	v->fate = SYNTH_FOUND;
	v->run = x->slots[c->slot].run;
	v->orig_statements = c->orig_statements;
	v->statements = c->statements;
	snprintf(v->differs, sizeof(v->differs), "%s", c->differs);
	snprintf(v->release, sizeof(v->release), "%s", release);
	v->killer = killer_file(x->o, mutant(x, c->k), c, v->run, release);
	log_line(x->o, "  %s: killer from run %ld (%d -> %d statements): %s%s",
		 mutant(x, c->k)->name, v->run, c->orig_statements,
		 c->statements, c->differs,
		 release[0] ? "; the kernel agrees" : "");
	for (j = 0; j < x->nr_open; j++) {
		struct synth_mutant *w = &r->v[x->open[j]];

		if (w->fate != SYNTH_NONE || j == c->k ||
		    !synth_kills(x->o->profile, mutant(x, j), c->text))
			continue;
		w->fate = SYNTH_BY_OTHER;
		w->other = x->open[c->k];
		log_line(x->o, "  %s: killed by the killer of %s",
			 mutant(x, j)->name, mutant(x, c->k)->name);
	}
}

/* Confirm one candidate; false when the search must stop. */
static bool confirm(struct search *x, const struct cand *c)
{
	struct synth_mutant *v = &x->r->v[x->open[c->k]];
	char release[64] = "", why[256] = "";
	int ret = 1;

	if (x->o->confirm)
		ret = x->o->confirm(x->o->confirm_ctx, c->text, release,
				    sizeof(release), why, sizeof(why));
	if (ret < 0) {
		snprintf(x->r->kernel_why, sizeof(x->r->kernel_why), "%s", why);
		x->r->kernel_error = x->r->kernel_why;
		return false;
	}
	if (ret) {
		accept(x, c, release);
		return true;
	}
	v->discarded++;
	log_line(x->o, "  %s: candidate from run %ld discarded, the kernel "
		 "disagrees: %s", mutant(x, c->k)->name,
		 x->slots[c->slot].run, why);
	return true;
}

/* Count the batch, pick each open mutant's first changed run. */
static void choose(struct search *x)
{
	int i, k;

	x->nr_cands = 0;
	for (k = 0; k < x->nr_open; k++) {
		struct synth_mutant *v = &x->r->v[x->open[k]];
		int first = -1;

		for (i = 0; i < x->nr_slots; i++) {
			struct slot *sl = &x->slots[i];
			const struct mut_mutant *mu = mutant(x, k);
			int bit = mu->point >= 0 ? mu->point : KH_SHARED;

			if (!sl->ok)
				continue;
			v->evaluated += !!(sl->evaluated & (1ULL << bit));
			v->changeable += sl->changeable[k];
			v->differed += sl->differs[k];
			if (sl->differs[k] && first < 0)
				first = i;
		}
		if (first >= 0 && v->fate == SYNTH_NONE &&
		    v->discarded < x->o->max_discards) {
			struct cand *c = &x->cands[x->nr_cands++];

			memset(c, 0, sizeof(*c));
			c->k = k;
			c->slot = first;
		}
	}
}

static void free_batch(struct search *x)
{
	int i;

	for (i = 0; i < x->nr_slots; i++) {
		free(x->slots[i].text);
		x->slots[i].text = NULL;
	}
	for (i = 0; i < x->nr_cands; i++)
		free(x->cands[i].text);
	x->nr_cands = 0;
}

/* The open mutants: those still without a killer or a lost cause. */
static void reopen(struct search *x)
{
	int m;

	x->nr_open = 0;
	for (m = 0; m < x->r->before.nr_mutants; m++)
		if (x->r->v[m].fate == SYNTH_NONE && !x->r->v[m].skipped &&
		    x->r->v[m].discarded < x->o->max_discards)
			x->open[x->nr_open++] = m;
}

static void classify(const struct synth_opts *o, struct synth_result *r,
		     long runs)
{
	int m;

	for (m = 0; m < r->before.nr_mutants; m++) {
		const struct mut_mutant *mu = &r->before.mutants[m];
		struct synth_mutant *v = &r->v[m];

		if (v->fate != SYNTH_NONE)
			continue;
		if (v->skipped)
			snprintf(v->why, sizeof(v->why), "not searched");
		else if (!v->evaluated)
			snprintf(v->why, sizeof(v->why), "not evaluated (in "
				 "the suite and %ld generated runs)", runs);
		else if (!v->changeable)
			snprintf(v->why, sizeof(v->why), "%s where evaluated "
				 "(%ld runs): forcing it changes nothing",
				 mu->value ? "always holds" : "never holds",
				 v->evaluated);
		else if (!v->differed)
			snprintf(v->why, sizeof(v->why), "reached with no "
				 "change (flipped in %ld runs, the end state "
				 "the same)", v->changeable);
		else if (v->discarded >= o->max_discards)
			snprintf(v->why, sizeof(v->why), "the kernel disagreed "
				 "with every candidate (%d)", v->discarded);
		else
			snprintf(v->why, sizeof(v->why), "changes the end "
				 "state in %ld runs, but no candidate was "
				 "found in the budget", v->differed);
	}
}

/* The score of the suite with the killers added. */
static int score_after(const struct synth_opts *o,
		       const struct scn_scenario *s, const char *const *files,
		       int nr_files, struct synth_result *r)
{
	int nr = nr_files, m, i, killed = -1;
	struct scn_scenario *all = calloc((size_t)nr_files +
					  (size_t)r->before.nr_mutants + 1,
					  sizeof(*all));
	const char **names = calloc((size_t)nr_files +
				    (size_t)r->before.nr_mutants + 1,
				    sizeof(*names));
	struct mut_result after;

	if (!all || !names)
		goto out;
	for (i = 0; i < nr_files; i++) {
		all[i] = s[i];
		names[i] = files[i];
	}
	for (m = 0; m < r->before.nr_mutants; m++) {
		char err[256];
		const char *k = r->v[m].killer;

		if (k && !scn_parse("<killer>", k, strlen(k), &all[nr], err,
				    sizeof(err)))
			names[nr++] = r->before.mutants[m].name;
	}
	if (!mutate_run(o->profile, all, names, nr, o->threads, NULL,
			&after)) {
		killed = 0;
		for (m = 0; m < after.nr_mutants; m++)
			killed += mut_killed(&after, m);
		mut_result_free(&after);
	}
	for (i = nr_files; i < nr; i++)
		scn_free(&all[i]);
out:
	free(all);
	free(names);
	return killed;
}

static int setup(struct search *x, const struct synth_opts *o,
		 struct synth_result *r)
{
	int i, n = r->before.nr_mutants;

	x->o = o;
	x->r = r;
	x->gen.seed = o->seed;
	x->gen.shard_n = 1;
	x->gen.max_procs = 3;
	x->gen.max_pmds = 2;
	x->gen.max_ops = 12;
	x->open = calloc((size_t)n + 1, sizeof(*x->open));
	x->cands = calloc((size_t)n + 1, sizeof(*x->cands));
	r->v = calloc((size_t)n + 1, sizeof(*r->v));
	if (!x->open || !x->cands || !r->v ||
	    pthread_mutex_init(&x->lock, NULL))
		return -1;
	for (i = 0; i < BATCH; i++) {
		x->slots[i].changeable = calloc((size_t)n + 1, sizeof(bool));
		x->slots[i].differs = calloc((size_t)n + 1, sizeof(bool));
		if (!x->slots[i].changeable || !x->slots[i].differs)
			return -1;
	}
	for (i = 0; i < n; i++) {
		r->v[i].fate = mut_killed(&r->before, i) ? SYNTH_SUITE :
							   SYNTH_NONE;
		r->v[i].skipped = o->only &&
				  strcmp(o->only, r->before.mutants[i].name);
	}
	return 0;
}

static void teardown(struct search *x)
{
	int i;

	for (i = 0; i < BATCH; i++) {
		free(x->slots[i].changeable);
		free(x->slots[i].differs);
	}
	free(x->open);
	free(x->cands);
	pthread_mutex_destroy(&x->lock);
}

/* One batch from run @run; false when the search must stop. */
static bool batch(struct search *x, long *run)
{
	int i, k;

	for (x->nr_slots = 0; x->nr_slots < BATCH && *run < x->o->runs;
	     x->nr_slots++, (*run)++) {
		struct slot *sl = &x->slots[x->nr_slots];

		sl->run = *run;
		sl->text = NULL;
		sl->ok = false;
		memset(sl->changeable, 0, (size_t)x->nr_open * sizeof(bool));
		memset(sl->differs, 0, (size_t)x->nr_open * sizeof(bool));
	}
	parallel(x, 0);
	choose(x);
	parallel(x, 1);
	for (i = 0; i < x->nr_cands; i++) {
		struct cand *c = &x->cands[i];

		k = x->open[c->k];
		if (!c->text || x->r->v[k].fate != SYNTH_NONE)
			continue;
		if (!confirm(x, c))
			return false;
	}
	x->r->runs += x->nr_slots;
	free_batch(x);
	return true;
}

int synth_run(const struct synth_opts *o, const struct scn_scenario *s,
	      const char *const *files, int nr_files, struct synth_result *r)
{
	struct search x = { 0 };
	double t0 = now(), start;
	long run = 0;
	int m, err = -1;

	memset(r, 0, sizeof(*r));
	if (mutate_run(o->profile, s, files, nr_files, o->threads, NULL,
		       &r->before))
		return -1;
	if (setup(&x, o, r))
		goto out;
	for (m = 0; m < r->before.nr_mutants; m++)
		r->killed_before += mut_killed(&r->before, m);
	suite_counts(o, s, nr_files, r);
	start = now();	/* the budget is the search's: at least one batch */
	for (reopen(&x); x.nr_open && run < o->runs; reopen(&x)) {
		if (!batch(&x, &run)) {
			free_batch(&x);
			break;
		}
		if (o->seconds > 0 && now() - start >= o->seconds) {
			r->out_of_time = run < o->runs;
			break;
		}
	}
	classify(o, r, r->runs);
	r->killed_after = score_after(o, s, files, nr_files, r);
	err = r->killed_after < 0 ? -1 : 0;
out:
	teardown(&x);
	r->seconds = now() - t0;
	return err;
}

void synth_result_free(struct synth_result *r)
{
	int m;

	for (m = 0; r->v && m < r->before.nr_mutants; m++)
		free(r->v[m].killer);
	free(r->v);
	mut_result_free(&r->before);
	memset(r, 0, sizeof(*r));
}

void synth_file_name(const char *mutant, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s.fsim", mutant);
	for (i = 0; buf[i]; i++)
		if (buf[i] == ':')
			buf[i] = '-';
}

int synth_killer_of(const char *text, char *name, size_t len)
{
	const char *p = strstr(text, "# killer: ");
	size_t n;

	if (!p || (p != text && p[-1] != '\n'))
		return -1;
	p += 10;
	n = strcspn(p, " \n");
	if (!n || n >= len)
		return -1;
	snprintf(name, len, "%.*s", (int)n, p);
	return 0;
}
