// SPDX-License-Identifier: GPL-2.0-only
/*
 * The search loop.  Runs are processed in batches: every run of a batch is
 * generated and measured in parallel (each worker thread owns its models),
 * then the decisions which findings to shrink are taken in run order, the
 * chosen ones are shrunk in parallel, and the shrunk findings are merged
 * in run order, keeping the worst per signature.  Nothing depends on which
 * thread did what, so --runs N gives the same findings for any -j.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"

#define BATCH 32
#define MAX_PER_RUN (4 * EXP_MAX_PROFILES * EXP_MAX_PROFILES)
/* A bucket (class, pair) is shrunk this often, then only when worse. */
#define SHRINKS_PER_BUCKET 3

struct run_slot {
	long run;
	char *text;
	struct exp_finding f[MAX_PER_RUN];
	int nr;
	bool shrink[MAX_PER_RUN];
	bool invalid;
};

struct batch {
	const struct explore_opts *o;
	struct run_slot *slots;
	int nr;
	int next;		/* work queue index */
	int phase;		/* 0 measure, 1 shrink */
	pthread_mutex_t lock;
};

struct bucket {
	int64_t best;
	int shrunk;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void measure_slot(const struct explore_opts *o, struct run_slot *rs)
{
	struct exp_metrics m[EXP_MAX_PROFILES];

	rs->text = exp_generate(o, rs->run);
	rs->nr = 0;
	if (!rs->text || !exp_measure(o, rs->text, m)) {
		rs->invalid = true;
		return;
	}
	rs->nr = exp_classify(o, m, rs->f, MAX_PER_RUN);
}

static void shrink_slot(const struct explore_opts *o, struct run_slot *rs)
{
	int i;

	for (i = 0; i < rs->nr; i++) {
		if (!rs->shrink[i])
			continue;
		rs->f[i].text = strdup(rs->text);
		rs->f[i].run = rs->run;
		exp_shrink(o, &rs->f[i]);
	}
}

static void *worker(void *arg)
{
	struct batch *b = arg;

	for (;;) {
		int i;

		pthread_mutex_lock(&b->lock);
		i = b->next++;
		pthread_mutex_unlock(&b->lock);
		if (i >= b->nr)
			return NULL;
		if (b->phase == 0)
			measure_slot(b->o, &b->slots[i]);
		else
			shrink_slot(b->o, &b->slots[i]);
	}
}

static void run_phase(struct batch *b, int phase, int threads)
{
	pthread_t tid[64];
	int t, n = threads < 1 ? 1 : threads > 64 ? 64 : threads;

	b->phase = phase;
	b->next = 0;
	for (t = 1; t < n; t++)
		if (pthread_create(&tid[t], NULL, worker, b))
			n = t;
	worker(b);
	for (t = 1; t < n; t++)
		pthread_join(tid[t], NULL);
}

static void add_candidate(struct explore_result *r, long run, int k,
			  const struct exp_finding *f)
{
	struct exp_candidate *c;

	if (r->nr_cands == r->cap_cands) {
		long cap = r->cap_cands ? 2 * r->cap_cands : 256;
		void *p = realloc(r->cands, (size_t)cap * sizeof(*c));

		if (!p)
			return;
		r->cands = p;
		r->cap_cands = cap;
	}
	c = &r->cands[r->nr_cands++];
	c->run = run;
	c->k = k;
	c->cls = f->cls;
	c->a = f->a;
	c->b = f->b;
	c->cost = f->cost;
}

/*
 * Decide in run order which findings are worth shrinking; record every
 * finding as a candidate in @r when @r is given.
 */
static void choose_shrinks(const struct explore_opts *o, struct batch *b,
			   struct bucket *buckets, struct explore_result *r)
{
	int i, k, np = o->nr_profiles;

	for (i = 0; i < b->nr; i++) {
		struct run_slot *rs = &b->slots[i];

		for (k = 0; k < rs->nr; k++) {
			struct exp_finding *f = &rs->f[k];
			struct bucket *bk =
				&buckets[(f->cls * np + f->a) * np + f->b];

			if (r)
				add_candidate(r, rs->run, k, f);

			rs->shrink[k] = bk->shrunk < SHRINKS_PER_BUCKET ||
					f->cost > bk->best;
			if (!rs->shrink[k])
				continue;
			bk->shrunk++;
			if (f->cost > bk->best)
				bk->best = f->cost;
		}
	}
}

static int better(const struct exp_finding *x, const struct exp_finding *y)
{
	if (x->cost != y->cost)
		return x->cost > y->cost;
	if (x->nr_statements != y->nr_statements)
		return x->nr_statements < y->nr_statements;
	return x->run < y->run;
}

/* Keep the worst finding per signature. */
static void merge_finding(struct explore_result *r, struct exp_finding *f)
{
	int i;

	for (i = 0; i < r->nr; i++) {
		if (r->v[i].signature != f->signature)
			continue;
		if (better(f, &r->v[i])) {
			free(r->v[i].text);
			r->v[i] = *f;
		} else {
			free(f->text);
		}
		f->text = NULL;
		return;
	}
	if (r->nr == r->cap) {
		int cap = r->cap ? 2 * r->cap : 32;
		void *p = realloc(r->v, (size_t)cap * sizeof(*r->v));

		if (!p) {
			free(f->text);
			f->text = NULL;
			return;
		}
		r->v = p;
		r->cap = cap;
	}
	r->v[r->nr++] = *f;
	f->text = NULL;
}

static void collect(struct batch *b, struct explore_result *r)
{
	int i, k;

	for (i = 0; i < b->nr; i++) {
		struct run_slot *rs = &b->slots[i];

		r->runs_done++;
		r->generated_invalid += rs->invalid;
		for (k = 0; k < rs->nr; k++)
			if (rs->shrink[k] && rs->f[k].text)
				merge_finding(r, &rs->f[k]);
		free(rs->text);
	}
}

static void progress(const struct explore_opts *o,
		     const struct explore_result *r, double start, double end)
{
	double t = now() - start;

	if (!o->progress)
		return;
	fprintf(stderr, "\rruns %ld  findings %d  %.0f runs/s  ",
		r->runs_done, r->nr, t > 0 ? (double)r->runs_done / t : 0.0);
	if (end > 0)
		fprintf(stderr, "%.0f s left   ", end - now() > 0 ? end - now() : 0);
	fflush(stderr);
}

static int cmp_findings(const void *x, const void *y)
{
	const struct exp_finding *a = x, *b = y;

	if (a->cls != b->cls)
		return a->cls - b->cls;
	if (better(a, b))
		return -1;
	return better(b, a) ? 1 : 0;
}

int explore_run(const struct explore_opts *o, struct explore_result *r)
{
	struct bucket *buckets;
	struct batch b = { .o = o };
	double start = now(), end = o->runs ? 0 : start + o->seconds;
	long run = 0;

	memset(r, 0, sizeof(*r));
	buckets = calloc((size_t)NR_EXP_CLASSES * EXP_MAX_PROFILES *
				 EXP_MAX_PROFILES, sizeof(*buckets));
	b.slots = calloc(BATCH, sizeof(*b.slots));
	if (!buckets || !b.slots || pthread_mutex_init(&b.lock, NULL))
		return -1;
	while (o->runs ? run < o->runs : now() < end) {
		for (b.nr = 0; b.nr < BATCH && (!o->runs || run < o->runs);
		     run++) {
			if (run % o->shard_n != o->shard_k)
				continue;
			memset(&b.slots[b.nr], 0, sizeof(b.slots[b.nr]));
			b.slots[b.nr++].run = run;
		}
		run_phase(&b, 0, o->threads);
		choose_shrinks(o, &b, buckets, r);
		run_phase(&b, 1, o->threads);
		collect(&b, r);
		progress(o, r, start, end);
	}
	if (o->progress)
		fputc('\n', stderr);
	if (r->nr)
		qsort(r->v, (size_t)r->nr, sizeof(*r->v), cmp_findings);
	r->seconds = now() - start;
	pthread_mutex_destroy(&b.lock);
	free(b.slots);
	free(buckets);
	return 0;
}

int explore_replay(const struct explore_opts *o,
		   const struct exp_candidate *c, long n,
		   struct explore_result *r)
{
	struct bucket *buckets;
	struct batch b = { .o = o };
	long i = 0;

	buckets = calloc((size_t)NR_EXP_CLASSES * EXP_MAX_PROFILES *
				 EXP_MAX_PROFILES, sizeof(*buckets));
	b.slots = calloc(BATCH, sizeof(*b.slots));
	if (!buckets || !b.slots || pthread_mutex_init(&b.lock, NULL)) {
		free(buckets);
		free(b.slots);
		return -1;
	}
	while (i < n) {
		for (b.nr = 0; b.nr < BATCH && i < n; b.nr++) {
			struct run_slot *rs = &b.slots[b.nr];

			memset(rs, 0, sizeof(*rs));
			rs->run = c[i].run;
			for (; i < n && c[i].run == rs->run &&
			       rs->nr < MAX_PER_RUN; i++) {
				struct exp_finding *f = &rs->f[rs->nr++];

				f->cls = (enum exp_class)c[i].cls;
				f->a = c[i].a;
				f->b = c[i].b;
				f->cost = c[i].cost;
			}
			rs->text = exp_generate(o, rs->run);
			if (!rs->text)
				rs->nr = 0;
		}
		choose_shrinks(o, &b, buckets, NULL);
		run_phase(&b, 1, o->threads);
		collect(&b, r);
	}
	if (r->nr)
		qsort(r->v, (size_t)r->nr, sizeof(*r->v), cmp_findings);
	pthread_mutex_destroy(&b.lock);
	free(b.slots);
	free(buckets);
	return 0;
}

void explore_result_free(struct explore_result *r)
{
	int i;

	for (i = 0; i < r->nr; i++)
		free(r->v[i].text);
	free(r->v);
	free(r->cands);
	memset(r, 0, sizeof(*r));
}

void explore_opts_init(struct explore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->profiles[0] = "v6.10";
	o->profiles[1] = "v6.18";
	o->nr_profiles = 2;
	o->seed = 1;
	o->runs = 1000;
	o->threads = 1;
	o->shard_n = 1;
	o->max_procs = 3;
	o->max_pmds = 2;
	o->max_ops = 12;
}
