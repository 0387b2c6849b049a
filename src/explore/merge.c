// SPDX-License-Identifier: GPL-2.0-only
/*
 * explore --merge DIR...: read the reproducers several shards wrote (their
 * first comment line carries the finding's metadata), keep the worst per
 * signature, and write one combined output directory.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int explore_merge(const char *const *dirs, int nr, const char *out_dir,
		  bool json)
{
	struct explore_opts o = { .out_dir = out_dir };
	struct explore_result r = { 0 };
	char path[4096];
	int i, st;

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
