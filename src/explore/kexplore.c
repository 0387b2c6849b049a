// SPDX-License-Identifier: GPL-2.0-only
/*
 * The search against the live kernel ('explore --against kernel'): each
 * run generates a scenario (kgen.c) and diffs it, model v6.18 against
 * this machine's kernel, statement by statement (diff/diff.c), taking
 * the test lock and the guard for that one diff only, so that other
 * people's kernel tests interleave.  A disagreement is diffed twice more:
 * if both reruns end at the same statement with the same first
 * differing field and detail it is real, otherwise nondeterministic (the
 * kernel's global counters, moved by other processes, for instance).  The
 * first real one of each class (kx_diff_classify()'s first differing
 * field) is shrunk with the kernel in the loop: a candidate is kept when
 * it still runs clean on the model and the diff still ends in that class.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"
#include "diff/diff.h"
#include "host/guard.h"

#define KEXP_PROFILE		"v6.18"
#define KEXP_RERUNS		2
#define KEXP_SHRINK_TRIES	250	/* kernel diffs per shrink, at most */
#define KEXP_SHRINK_SECONDS	150.0
#define KEXP_GUARD_WAIT		600	/* seconds */
#define KEXP_SAVE_EVERY		60.0	/* seconds between summaries */
#define KEXP_LOCK_GAP_US	5000

/* What one diff of a scenario ended with. */
struct kdiff {
	int status;		/* enum exec_status */
	struct kx_diff_verdict v;
	char cls[96];		/* the class: "FIELD@STATEMENT" */
	char *report;		/* what kx_diff printed */
};

struct kexp {
	const struct explore_opts *o;
	struct kexp_result *r;
	char *err;
	size_t errlen;
	bool fatal;		/* the kernel cannot be used: stop */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void kdiff_free(struct kdiff *d)
{
	free(d->report);
	d->report = NULL;
}

/* The first line of the report after its header, as a detail. */
static void error_detail(struct kdiff *d)
{
	const char *c = d->report ? strchr(d->report, '\n') : NULL;
	size_t n;

	c = c ? c + 1 : "";
	while (*c == ' ')
		c++;
	n = strcspn(c, "\n");
	snprintf(d->v.detail, sizeof(d->v.detail), "%.*s", (int)n, c);
}

/*
 * The class of a difference: the first differing field, and the kind of
 * statement after which it showed ("page:pmd@madvise:mergeable"), so
 * that one field reached in different ways gets a reproducer per way.
 */
static void class_name(struct kdiff *d, const struct scn_scenario *s)
{
	const struct scn_op *op;

	if (d->v.op < 0 || d->v.op >= s->nr_ops) {
		snprintf(d->cls, sizeof(d->cls), "%s", d->v.what);
		return;
	}
	op = &s->ops[d->v.op];
	snprintf(d->cls, sizeof(d->cls), "%s@%s%s%s", d->v.what,
		 scn_op_names[op->kind], op->kind == SCN_MADVISE ? ":" : "",
		 op->kind == SCN_MADVISE ? scn_advice_names[op->advice] : "");
}

/*
 * Diff @text once: test lock, guard, kx_diff, guard closed, lock dropped.
 * A statement that failed on one side is a class of its own.  Returns
 * false only when the kernel could not run it (k->fatal when it never
 * will).
 */
static bool kdiff_text(struct kexp *k, const char *text, struct kdiff *d)
{
	struct kx_diff_opts o = { .profile = KEXP_PROFILE,
				  .verdict = &d->v, .why = k->o->why };
	struct scn_scenario s;
	struct kx_guard *g;
	char err[512];
	size_t len = 0;
	int lock, ret;

	memset(d, 0, sizeof(*d));
	if (scn_parse("<generated>", text, strlen(text), &s, err,
		      sizeof(err))) {
		d->status = 2;
		return false;
	}
	/* -2: the caller holds the test lock for the whole search */
	lock = k->o->test_lock_held ? -2 : kx_test_lock(err, sizeof(err));
	ret = lock == -1 ? -1 : kx_guard_open_wait(&g, KEXP_GUARD_WAIT, err,
						 sizeof(err));
	if (ret) {
		snprintf(k->err, k->errlen, "%s", err);
		k->fatal = true;
		if (lock >= 0)
			close(lock);
		scn_free(&s);
		return false;
	}
	o.out = open_memstream(&d->report, &len);
	if (o.out) {
		d->status = kx_diff(&s, g, &o);
		fclose(o.out);
	} else {
		d->status = 4;
	}
	if (kx_guard_close(g)) {
		snprintf(k->err, k->errlen, "the guard could not undo a run");
		k->fatal = true;
	}
	if (lock >= 0) {
		close(lock);
		/* a waiting kernel test gets it before our next diff */
		usleep(KEXP_LOCK_GAP_US);
	}
	k->r->kernel_runs++;
	if (d->status == 4) {
		scn_free(&s);
		return false;
	}
	if (d->status == 2 || d->status == 3) {
		snprintf(d->v.what, sizeof(d->v.what), "%s",
			 d->status == 3 ? "data-lost" : "step-failed");
		error_detail(d);
	}
	class_name(d, &s);
	scn_free(&s);
	return true;
}

static bool same_end(const struct kdiff *a, const struct kdiff *b)
{
	return a->status == b->status && a->v.op == b->v.op &&
	       !strcmp(a->cls, b->cls) &&
	       !strcmp(a->v.detail, b->v.detail);
}

/* {========== classes ==========} */

static struct kexp_class *class_get(struct kexp_result *r, const char *what)
{
	struct kexp_class *c;
	int i;

	for (i = 0; i < r->nr; i++)
		if (!strcmp(r->v[i].what, what))
			return &r->v[i];
	if (r->nr == r->cap) {
		int cap = r->cap ? 2 * r->cap : 16;
		void *p = realloc(r->v, (size_t)cap * sizeof(*r->v));

		if (!p)
			return NULL;
		r->v = p;
		r->cap = cap;
	}
	c = &r->v[r->nr++];
	memset(c, 0, sizeof(*c));
	snprintf(c->what, sizeof(c->what), "%s", what);
	c->run = -1;
	return c;
}

/* Statements of @text, as the shrinker counts them. */
static int count_statements(const char *text)
{
	const char *c = text;
	int n = 0;

	while (*c) {
		size_t len = strcspn(c, "\n");

		n += len && *c != '#' && strncmp(c, "set model/", 10);
		c += len + (c[len] ? 1 : 0);
	}
	return n;
}

static void class_set(struct kexp_class *c, long run, const char *text,
		      const struct kdiff *d, bool is_real)
{
	free(c->text);
	free(c->report);
	c->text = strdup(text);
	c->report = d->report ? strdup(d->report) : NULL;
	snprintf(c->detail, sizeof(c->detail), "%s", d->v.detail);
	c->run = run;
	c->is_real = is_real;
	c->shrunk = false;
	c->confirmed = 0;
	c->orig_statements = c->statements = count_statements(text);
}

/* {========== shrinking with the kernel in the loop ==========} */

struct keep_ctx {
	struct kexp *k;
	const char *what;
	double until;
};

static bool still_disagrees(void *ctx, const char *text)
{
	struct keep_ctx *c = ctx;
	struct kdiff d;
	bool same;

	if (c->k->fatal || now() > c->until ||
	    !exp_model_clean(text, NULL, 0))
		return false;
	if (!kdiff_text(c->k, text, &d)) {
		kdiff_free(&d);
		return false;
	}
	same = d.status != 0 && !strcmp(d.cls, c->what);
	kdiff_free(&d);
	return same;
}

/* Rerun @text: how many of @n diffs end in class @what; the last's diff. */
static int confirm(struct kexp *k, const char *text, const char *what, int n,
		   struct kdiff *last)
{
	int i, ok = 0;

	memset(last, 0, sizeof(*last));
	for (i = 0; i < n && !k->fatal; i++) {
		struct kdiff d;

		if (kdiff_text(k, text, &d) && d.status &&
		    !strcmp(d.cls, what)) {
			ok++;
			kdiff_free(last);
			*last = d;
		} else {
			kdiff_free(&d);
		}
	}
	return ok;
}

static void shrink_class(struct kexp *k, struct kexp_class *c)
{
	struct keep_ctx ctx = { .k = k, .what = c->what,
				.until = now() + KEXP_SHRINK_SECONDS };
	struct kdiff d;
	char *text;
	int orig, nst;

	text = exp_shrink_text(c->text, still_disagrees, &ctx,
			       KEXP_SHRINK_TRIES, &orig, &nst);
	c->orig_statements = orig;
	c->statements = orig;
	if (!text)
		return;
	c->confirmed = confirm(k, text, c->what, KEXP_RERUNS, &d);
	if (c->confirmed == KEXP_RERUNS) {
		free(c->text);
		free(c->report);
		c->text = text;
		c->report = d.report;
		snprintf(c->detail, sizeof(c->detail), "%s", d.v.detail);
		c->statements = nst;
		c->shrunk = true;
		return;
	}
	/* the shrunk text does not show it every time: keep the original */
	kdiff_free(&d);
	free(text);
	c->confirmed = KEXP_RERUNS;
}

/* {========== the loop ==========} */

static void progress(const struct kexp *k, double start)
{
	const struct kexp_result *r = k->r;

	if (!k->o->progress)
		return;
	fprintf(stderr, "\rruns %ld  agree %ld  real %ld  nondeterministic "
		"%ld  classes %d  %.0f s   ", r->runs, r->agree, r->real,
		r->nondet, r->nr, now() - start);
	fflush(stderr);
}

/* One generated scenario: diff, rerun, classify, maybe shrink. */
static void one_run(struct kexp *k, long run, bool *changed)
{
	struct kexp_result *r = k->r;
	struct kdiff first, again[KEXP_RERUNS];
	struct kexp_class *c;
	char *text = exp_kgenerate(k->o, run);
	bool real = true;
	int i;

	if (!text)
		return;
	if (!kdiff_text(k, text, &first)) {
		r->cannot += !k->fatal;
		kdiff_free(&first);
		free(text);
		return;
	}
	r->runs++;
	if (first.status == 0) {
		r->agree++;
		kdiff_free(&first);
		free(text);
		return;
	}
	for (i = 0; i < KEXP_RERUNS; i++) {
		if (!kdiff_text(k, text, &again[i]) ||
		    !same_end(&first, &again[i]))
			real = false;
		kdiff_free(&again[i]);
	}
	c = class_get(r, first.cls);
	if (c) {
		*changed = true;
		if (real) {
			r->real++;
			c->real++;
		} else {
			r->nondet++;
			c->nondet++;
		}
		/* the first real one replaces a nondeterministic reproducer */
		if (c->run < 0 || (real && !c->is_real)) {
			class_set(c, run, text, &first, real);
			if (real && !k->fatal)
				shrink_class(k, c);
		}
	}
	kdiff_free(&first);
	free(text);
}

static void release_name(char *buf, size_t len)
{
	struct utsname u;
	const char *rel = uname(&u) ? "unknown" : u.release;

	snprintf(buf, len, "%.*s", (int)(len - 1), rel);
}

int kexplore_run(const struct explore_opts *o, struct kexp_result *r,
		 char *err, size_t len)
{
	struct kexp k = { .o = o, .r = r, .err = err, .errlen = len };
	double start = now(), end = start + o->seconds, saved = start;
	long run;

	memset(r, 0, sizeof(*r));
	release_name(r->release, sizeof(r->release));
	for (run = 0; !k.fatal; run++) {
		bool changed = false;

		if (o->runs ? run >= o->runs : now() >= end)
			break;
		if (o->seconds > 0 && o->runs && now() >= end)
			break;
		one_run(&k, run, &changed);
		r->seconds = now() - start;
		progress(&k, start);
		if (o->out_dir && (changed || now() - saved > KEXP_SAVE_EVERY)) {
			kexplore_write(o, r);	/* a partial result survives */
			saved = now();
		}
	}
	if (o->progress)
		fputc('\n', stderr);
	r->seconds = now() - start;
	return k.fatal ? -1 : 0;
}

void kexplore_result_free(struct kexp_result *r)
{
	int i;

	for (i = 0; i < r->nr; i++) {
		free(r->v[i].text);
		free(r->v[i].report);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
