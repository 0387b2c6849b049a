// SPDX-License-Identifier: GPL-2.0-only
/*
 * explore --merge DIR...: combine the output directories of the shards of
 * one search.  Each shard writes candidates.txt: its options and every
 * finding it measured, before shrinking.  The merge checks that the shards
 * belong to one search, then replays the shrink decisions over all their
 * candidates in run order (explore_replay()), so its findings are those of
 * the same search run on one machine.  Directories without candidates.txt
 * (older output) are merged by keeping the worst reproducer per signature.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "explore.h"

static int profile_index(struct explore_opts *o, const char *name)
{
	int k;

	for (k = 0; k < o->nr_profiles; k++)
		if (!strcmp(o->profiles[k], name))
			return k;
	if (o->nr_profiles == EXP_MAX_PROFILES)
		return -1;
	o->profiles[o->nr_profiles] = strdup(name);
	return o->nr_profiles++;
}

static int class_index(const char *slug)
{
	static const char *const slugs[] = { "extra-ram", "lost-thp",
					     "pred-fn", "pred-fp" };
	int i;

	for (i = 0; i < NR_EXP_CLASSES; i++)
		if (!strcmp(slugs[i], slug))
			return i;
	return -1;
}

/* The scenario part of a reproducer: after the header, before the pins. */
static char *body(FILE *f)
{
	char line[4096], *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	if (!m)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "# RAM held", 10))
			break;
		if (line[0] != '#')
			fputs(line, m);
	}
	fclose(m);
	return out;
}

static int read_finding(const char *path, struct explore_opts *o,
			struct exp_finding *fd)
{
	char cls[32], a[32], b[32];
	long long cost;
	unsigned long long seed, sig;
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	memset(fd, 0, sizeof(*fd));
	ok = fscanf(f, "# foliosim finding: class=%31s a=%31s b=%31s "
		       "cost=%lld run=%ld seed=%llu signature=%llx\n",
		    cls, a, b, &cost, &fd->run, &seed, &sig) == 7;
	if (ok) {
		fd->cls = (enum exp_class)class_index(cls);
		fd->a = profile_index(o, a);
		fd->b = profile_index(o, b);
		fd->cost = cost;
		fd->text = body(f);
		o->seed = seed;
	}
	fclose(f);
	if (!ok || (int)fd->cls < 0 || fd->a < 0 || fd->b < 0 || !fd->text) {
		free(fd->text);
		return -1;
	}
	for (const char *c = fd->text; *c; c++)
		fd->nr_statements += *c == '\n';
	fd->orig_statements = fd->nr_statements;
	fd->signature = exp_signature(fd);
	return 0;
}

static void keep(struct explore_result *r, struct exp_finding *fd)
{
	int i;

	for (i = 0; i < r->nr; i++)
		if (r->v[i].signature == fd->signature) {
			if (fd->cost > r->v[i].cost) {
				free(r->v[i].text);
				r->v[i] = *fd;
			} else {
				free(fd->text);
			}
			return;
		}
	if (r->nr == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->v = realloc(r->v, (size_t)r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	r->v[r->nr++] = *fd;
}

static int cmp_cost(const void *x, const void *y)
{
	const struct exp_finding *a = x, *b = y;

	if (a->cls != b->cls)
		return a->cls - b->cls;
	if (a->cost != b->cost)
		return a->cost < b->cost ? 1 : -1;
	return a->signature < b->signature ? -1 : a->signature > b->signature;
}

/* {========== candidates.txt ==========} */

#define CANDIDATES "candidates.txt"

int explore_write_candidates(const struct explore_opts *o,
			     const struct explore_result *r)
{
	char path[4096];
	FILE *f;
	long i;
	int k;

	snprintf(path, sizeof(path), "%s/" CANDIDATES, o->out_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# foliosim explore candidates (read by --merge)\n");
	fprintf(f, "seed %" PRIu64 "\nprofiles", o->seed);
	for (k = 0; k < o->nr_profiles; k++)
		fprintf(f, "%c%s", k ? ',' : ' ', o->profiles[k]);
	fputc('\n', f);
	for (k = 0; k < o->nr_sets; k++)
		fprintf(f, "set %s\n", o->sets[k]);
	for (k = 0; k < o->nr_forces; k++)
		fprintf(f, "force %s=%s\n",
			exec_point_name(o->forces[k].point),
			o->forces[k].value ? "true" : "false");
	fprintf(f, "limits %d %d %d %d\nshard %d/%d\nruns %ld\n"
		   "invalid %ld\nseconds %.3f\n",
		o->max_procs, o->max_pmds, o->max_ops, o->exhaustive,
		o->shard_k, o->shard_n, r->runs_done, r->generated_invalid,
		r->seconds);
	for (i = 0; i < r->nr_cands; i++) {
		const struct exp_candidate *c = &r->cands[i];

		fprintf(f, "cand %ld %d %d %d %d %" PRId64 "\n", c->run, c->k,
			c->cls, c->a, c->b, c->cost);
	}
	return fclose(f) ? -1 : 0;
}

/* What one shard's candidates.txt says. */
struct shard {
	struct explore_opts o;
	char *profiles;		/* as written: compared between shards */
	char **sets;
	int nr_sets;
	struct exec_force forces[64];
	int nr_forces;
	long runs, invalid;
	double seconds;
	struct exp_candidate *c;
	long nr, cap;
};

static void shard_free(struct shard *sh)
{
	int i;

	for (i = 0; i < sh->nr_sets; i++)
		free(sh->sets[i]);
	free(sh->sets);
	free(sh->profiles);
	free(sh->c);
}

static int shard_add(struct shard *sh, const struct exp_candidate *c)
{
	if (sh->nr == sh->cap) {
		long cap = sh->cap ? 2 * sh->cap : 256;
		void *p = realloc(sh->c, (size_t)cap * sizeof(*c));

		if (!p)
			return -1;
		sh->c = p;
		sh->cap = cap;
	}
	sh->c[sh->nr++] = *c;
	return 0;
}

/* Parse @dir/candidates.txt: 0, 1 when there is none, -1 on error. */
static int read_shard(const char *dir, struct shard *sh)
{
	char path[4096], line[4096], word[4096], ferr[160];
	FILE *f;
	int ln = 0, bad = 0;

	memset(sh, 0, sizeof(*sh));
	snprintf(path, sizeof(path), "%s/" CANDIDATES, dir);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 1 : -1;
	while (!bad && fgets(line, sizeof(line), f)) {
		struct exp_candidate c;
		unsigned long long seed;
		char **p;

		ln++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "cand %ld %d %d %d %d %" SCNd64, &c.run, &c.k,
			   &c.cls, &c.a, &c.b, &c.cost) == 6)
			bad = shard_add(sh, &c);
		else if (sscanf(line, "seed %llu", &seed) == 1)
			sh->o.seed = seed;
		else if (sscanf(line, "force %4095s", word) == 1)
			bad = sh->nr_forces == 64 ||
			      exec_force_parse(word,
					       &sh->forces[sh->nr_forces++],
					       ferr, sizeof(ferr));
		else if (sscanf(line, "profiles %4095s", word) == 1)
			bad = !(sh->profiles = strdup(word));
		else if (sscanf(line, "set %4095s", word) == 1) {
			p = realloc(sh->sets, (size_t)(sh->nr_sets + 1) *
						      sizeof(*p));
			bad = !p || !(word[0] && (p[sh->nr_sets] =
							  strdup(word)));
			if (p) {
				sh->sets = p;
				sh->nr_sets += !bad;
			}
		} else if (sscanf(line, "limits %d %d %d %d", &sh->o.max_procs,
				  &sh->o.max_pmds, &sh->o.max_ops,
				  &sh->o.exhaustive) == 4 ||
			   sscanf(line, "shard %d/%d", &sh->o.shard_k,
				  &sh->o.shard_n) == 2 ||
			   sscanf(line, "runs %ld", &sh->runs) == 1 ||
			   sscanf(line, "invalid %ld", &sh->invalid) == 1 ||
			   sscanf(line, "seconds %lf", &sh->seconds) == 1)
			continue;
		else
			bad = 1;
	}
	fclose(f);
	if (bad || !sh->profiles || sh->o.shard_n < 1) {
		fprintf(stderr, "foliosim: %s:%d: not a candidates file this "
				"version can read\n", path, ln);
		return -1;
	}
	return 0;
}

/* Do @a and @b come from one search (same options, other shards)? */
static const char *same_search(const struct shard *a, const struct shard *b)
{
	int i;

	if (a->o.seed != b->o.seed)
		return "seeds";
	if (strcmp(a->profiles, b->profiles))
		return "profiles";
	if (a->nr_sets != b->nr_sets)
		return "--set options";
	for (i = 0; i < a->nr_sets; i++)
		if (strcmp(a->sets[i], b->sets[i]))
			return "--set options";
	if (a->nr_forces != b->nr_forces)
		return "--force options";
	for (i = 0; i < a->nr_forces; i++)
		if (a->forces[i].point != b->forces[i].point ||
		    a->forces[i].value != b->forces[i].value)
			return "--force options";
	if (a->o.max_procs != b->o.max_procs || a->o.max_pmds != b->o.max_pmds ||
	    a->o.max_ops != b->o.max_ops || a->o.exhaustive != b->o.exhaustive)
		return "limits";
	if (a->o.shard_n != b->o.shard_n || a->o.shard_k == b->o.shard_k)
		return "shards (same K, or another N)";
	return NULL;
}

static int cmp_cand(const void *x, const void *y)
{
	const struct exp_candidate *a = x, *b = y;

	if (a->run != b->run)
		return (a->run > b->run) - (a->run < b->run);
	return (a->k > b->k) - (a->k < b->k);
}

/* Replay the candidates of @n shards into one result and write it. */
static int merge_shards(struct shard *sh, int n, const char *const *dirs,
			const char *out_dir, bool json)
{
	struct explore_opts o = sh[0].o;
	struct explore_result r = { 0 };
	struct exp_candidate *all = NULL;
	long total = 0, at = 0, runs = 0, invalid = 0;
	double seconds = 0;
	char *save = NULL, *tok;
	int i, j, st = -1;

	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++) {
			const char *why = same_search(&sh[j], &sh[i]);

			if (why) {
				fprintf(stderr, "foliosim: %s and %s are not "
						"shards of one search: their "
						"%s differ\n", dirs[j], dirs[i],
					why);
				return -1;
			}
		}
	if (n < o.shard_n)
		fprintf(stderr, "foliosim: warning: %d of %d shards given; "
				"the merge covers only their runs\n", n,
			o.shard_n);
	o.nr_profiles = 0;
	for (tok = strtok_r(sh[0].profiles, ",", &save);
	     tok && o.nr_profiles < EXP_MAX_PROFILES;
	     tok = strtok_r(NULL, ",", &save))
		o.profiles[o.nr_profiles++] = tok;
	o.sets = (const char **)sh[0].sets;
	o.nr_sets = sh[0].nr_sets;
	o.forces = sh[0].forces;
	o.nr_forces = sh[0].nr_forces;
	o.out_dir = out_dir;
	o.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	o.shard_k = 0;
	o.shard_n = 1;
	for (i = 0; i < n; i++) {
		total += sh[i].nr;
		runs += sh[i].runs;
		invalid += sh[i].invalid;
		seconds += sh[i].seconds;
	}
	all = malloc((size_t)(total ? total : 1) * sizeof(*all));
	if (!all)
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(all + at, sh[i].c, (size_t)sh[i].nr * sizeof(*all));
		at += sh[i].nr;
	}
	qsort(all, (size_t)total, sizeof(*all), cmp_cand);
	if (!explore_replay(&o, all, total, &r)) {
		r.runs_done = runs;
		r.generated_invalid = invalid;
		r.seconds = seconds;
		/* the merged directory is itself one whole search */
		r.cands = all;
		r.nr_cands = r.cap_cands = total;
		all = NULL;
		st = explore_write(&o, &r);
		explore_print_summary(stdout, &o, &r, json);
	}
	explore_result_free(&r);
	free(all);
	return st;
}

int explore_merge(const char *const *dirs, int nr, const char *out_dir,
		  bool json)
{
	struct explore_opts o = { .out_dir = out_dir };
	struct explore_result r = { 0 };
	struct shard *sh = calloc((size_t)nr, sizeof(*sh));
	char path[4096];
	int i, st = 0, have = 0;

	if (!sh)
		return -1;
	for (i = 0; i < nr; i++) {
		st = read_shard(dirs[i], &sh[i]);
		if (st < 0)
			break;
		have += !st;
	}
	if (i == nr && have == nr)
		st = merge_shards(sh, nr, dirs, out_dir, json);
	else if (i == nr && have)
		st = -1, fprintf(stderr, "foliosim: some directories have no "
					 CANDIDATES "; merge them all from one "
					 "version\n");
	for (i = 0; i < nr; i++)
		shard_free(&sh[i]);
	free(sh);
	if (st < 0 || have)
		return st;

	for (i = 0; i < nr; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d) {
			fprintf(stderr, "foliosim: cannot open %s\n", dirs[i]);
			return -1;
		}
		while ((e = readdir(d))) {
			struct exp_finding fd;
			size_t n = strlen(e->d_name);

			if (n < 6 || strcmp(e->d_name + n - 5, ".fsim"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name);
			if (!read_finding(path, &o, &fd))
				keep(&r, &fd);
		}
		closedir(d);
	}
	if (r.nr)
		qsort(r.v, (size_t)r.nr, sizeof(*r.v), cmp_cost);
	st = explore_write(&o, &r);
	explore_print_summary(stdout, &o, &r, json);
	explore_result_free(&r);
	for (i = 0; i < o.nr_profiles; i++)
		free((char *)o.profiles[i]);
	return st;
}
