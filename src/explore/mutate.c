// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mutation matrix.  Each (mutant, scenario) cell is one model run,
 * compared with the scenario's unmutated run: an expectation that failed
 * kills the mutant; an end state that differs without a failing
 * expectation shows a gap the scenario could close by asserting more.
 * Workers take cells from a shared counter and write only their own cell,
 * so the matrix is the same for any number of threads.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/exec.h"
#include "config/profile.h"
#include "model/kh_points.h"
#include "mutate.h"

struct mut_job {
	const struct scn_scenario *s;
	struct mut_result *r;
	uint64_t *base;		/* digest of each unmutated run */
	bool *base_ok;
	long next, done, total;
	mut_progress_fn progress;
	pthread_mutex_t lock;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t mix_str(uint64_t h, const char *p)
{
	while (p && *p)
		h = mix(h, (unsigned char)*p++);
	return h;
}

/* What a run ended in: expectations, per-region figures, counters. */
static uint64_t digest(const struct exec_result *r)
{
	uint64_t h = mix(0, (uint64_t)r->status);
	int i, g;

	for (i = 0; i < r->nr_expects; i++)
		h = mix(h, r->expects[i].passed);
	for (i = 0; r->procs && i < r->nr_procs; i++) {
		const struct exec_proc_final *p = &r->procs[i];

		h = mix(mix(h, p->alive), p->rss_kb);
		for (g = 0; p->regions && g < r->nr_regions; g++)
			h = mix(mix(mix(mix(h, p->regions[g].thp),
					p->regions[g].present),
				    p->regions[g].swapped),
				p->regions[g].shared);
	}
	h = mix(mix(h, r->anon_kb), r->thp_kb);
	for (i = 0; r->vmstat && i < exec_nr_vmstat_names; i++)
		h = mix(h, (uint64_t)r->vmstat[i].delta);
	return mix_str(h, r->pmd_map);
}

void mut_model_opts(const char *profile, const struct mut_mutant *mu,
		    struct exec_force *f, struct exec_model_opts *mo)
{
	memset(mo, 0, sizeof(*mo));
	mo->profile = profile;
	mo->shared_pred = -1;
	if (mu && mu->point >= 0) {
		f->point = mu->point;
		f->value = mu->value;
		mo->forces = f;
		mo->nr_forces = 1;
	}
	if (mu && mu->pred >= 0)
		mo->shared_pred = mu->pred;
}

bool mut_may_change(const struct mut_mutant *mu, const struct exec_result *r)
{
	uint64_t bit;

	if (mu->pred >= 0)
		return r->points_evaluated & (1ULL << KH_SHARED);
	bit = 1ULL << mu->point;
	return mu->value ? r->points_failed & bit : r->points_held & bit;
}

static void run_one(const struct mut_result *r, const struct scn_scenario *s,
		    const struct mut_mutant *mu, enum exec_status *st,
		    uint64_t *dg)
{
	struct exec_force f;
	struct exec_model_opts mo;
	struct exec_result res;

	mut_model_opts(r->profile, mu, &f, &mo);
	*st = exec_model(s, &mo, &res);
	*dg = digest(&res);
	exec_result_free(&res);
}

static void *worker(void *arg)
{
	struct mut_job *j = arg;
	struct mut_result *r = j->r;

	for (;;) {
		enum exec_status st;
		uint64_t dg;
		long i;
		int m, f;

		pthread_mutex_lock(&j->lock);
		i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->total)
			return NULL;
		m = (int)(i / r->nr_files);
		f = (int)(i % r->nr_files);
		if (!j->base_ok[f]) {
			r->cell[i] = MUT_NO_BASE;
		} else {
			run_one(r, &j->s[f], &r->mutants[m], &st, &dg);
			r->cell[i] = st != EXEC_OK ? MUT_KILLED :
				     dg != j->base[f] ? MUT_DIFFERS :
							MUT_SAME;
		}
		pthread_mutex_lock(&j->lock);
		if (j->progress && (++j->done % 64 == 0 ||
				    j->done == j->total))
			j->progress(j->done, j->total);
		pthread_mutex_unlock(&j->lock);
	}
}

/* Every point forced both ways, then every other predicate. */
static int make_mutants(const char *profile, struct mut_result *r)
{
	struct fsim_profile p;
	char err[160];
	int i, n = 0, nr_points = 0;

	while (exec_point_name(nr_points))
		nr_points++;
	r->mutants = calloc((size_t)(2 * nr_points + NR_SHARED_PREDS),
			    sizeof(*r->mutants));
	if (!r->mutants || profile_resolve(profile, &p, err, sizeof(err)))
		return -1;
	for (i = 0; i < 2 * nr_points; i++, n++) {
		struct mut_mutant *mu = &r->mutants[n];

		mu->point = i / 2;
		mu->value = !(i % 2);
		mu->pred = -1;
		snprintf(mu->name, sizeof(mu->name), "%s=%s",
			 exec_point_name(mu->point),
			 mu->value ? "true" : "false");
	}
	for (i = 0; i < NR_SHARED_PREDS; i++) {
		if ((int)p.shared == i)
			continue;
		r->mutants[n].point = -1;
		r->mutants[n].pred = i;
		snprintf(r->mutants[n].name, sizeof(r->mutants[n].name),
			 "predicate=%s", shared_pred_names[i]);
		n++;
	}
	r->nr_mutants = n;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int mutate_run(const char *profile, const struct scn_scenario *s,
	       const char *const *files, int nr_files, int threads,
	       mut_progress_fn progress, struct mut_result *r)
{
	struct mut_job j = { .s = s, .r = r, .progress = progress };
	pthread_t tid[64];
	double t0 = now();
	int f, t, n = threads < 1 ? 1 : threads > 64 ? 64 : threads;

	memset(r, 0, sizeof(*r));
	r->profile = profile;
	r->files = files;
	r->nr_files = nr_files;
	if (make_mutants(profile, r))
		return -1;
	j.total = (long)r->nr_mutants * nr_files;
	r->cell = calloc((size_t)j.total + 1, 1);
	j.base = calloc((size_t)nr_files + 1, sizeof(*j.base));
	j.base_ok = calloc((size_t)nr_files + 1, sizeof(*j.base_ok));
	if (!r->cell || !j.base || !j.base_ok ||
	    pthread_mutex_init(&j.lock, NULL)) {
		free(j.base);
		free(j.base_ok);
		return -1;
	}
	for (f = 0; f < nr_files; f++) {
		enum exec_status st;

		run_one(r, &s[f], NULL, &st, &j.base[f]);
		j.base_ok[f] = st == EXEC_OK;
	}
	for (t = 1; t < n; t++)
		if (pthread_create(&tid[t], NULL, worker, &j))
			n = t;
	worker(&j);
	for (t = 1; t < n; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&j.lock);
	free(j.base);
	free(j.base_ok);
	r->seconds = now() - t0;
	return 0;
}

int mut_find(const struct mut_result *r, const char *name)
{
	int m;

	for (m = 0; m < r->nr_mutants; m++)
		if (!strcmp(r->mutants[m].name, name))
			return m;
	return -1;
}

bool mut_killed(const struct mut_result *r, int m)
{
	int f;

	for (f = 0; f < r->nr_files; f++)
		if (mut_cell(r, m, f) == MUT_KILLED)
			return true;
	return false;
}

void mut_result_free(struct mut_result *r)
{
	free(r->mutants);
	free(r->cell);
	memset(r, 0, sizeof(*r));
}
