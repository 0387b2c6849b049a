// SPDX-License-Identifier: GPL-2.0-only
/*
 * mutate --synthesize: a small search over a one-scenario suite finds a
 * killer for a mutant the suite leaves alive, the same for a seed whatever
 * the threads, goes on searching when the kernel disagrees with a
 * candidate; and every killer in tests/scenarios/killers still kills the
 * mutant it is named for (this fails when a killer stops killing).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/synth.h"
#include "lib/tap.h"

#define KILLERS "tests/scenarios/killers"

#ifdef __SANITIZE_ADDRESS__
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

/* Collapses one full PMD: leaves "scan:exceed_none_pte=false" alive. */
static const char full[] =
	"set enabled madvise\n"
	"spawn P\n"
	"P mmap R 2M\n"
	"P write R\n"
	"P madvise R hugepage\n"
	"khugepaged\n"
	"expect P R thp = 1\n";

static const char *const target = "scan:exceed_none_pte=false";

static void opts(struct synth_opts *o, int threads, long runs)
{
	memset(o, 0, sizeof(*o));
	o->profile = "v6.18";
	o->seed = 1;
	o->runs = runs;
	o->threads = threads;
	o->max_discards = 3;
	o->only = target;	/* one shrink per candidate: quick under ASan */
}

static bool search(const struct synth_opts *o, struct scn_scenario *s,
		   struct synth_result *r)
{
	const char *names[1] = { "full" };

	return !synth_run(o, s, names, 1, r);
}

/* The same killers for the seed, with one thread or two. */
static bool same_killers(const struct synth_result *a,
			 const struct synth_result *b)
{
	int m;

	CHECK_INT(a->before.nr_mutants, ==, b->before.nr_mutants);
	for (m = 0; m < a->before.nr_mutants; m++) {
		CHECK_INT(a->v[m].fate, ==, b->v[m].fate);
		CHECK(!a->v[m].killer == !b->v[m].killer);
		CHECK(!a->v[m].killer || !strcmp(a->v[m].killer,
						 b->v[m].killer));
	}
	return true;
}

static bool test_finds_killer(void)
{
	struct synth_opts o;
	struct synth_result a, b;
	struct scn_scenario s;
	char err[256];
	bool same = true;
	int m;

	CHECK(!scn_parse("<t8610>", full, strlen(full), &s, err,
			 sizeof(err)));
	opts(&o, 2, 32);
	CHECK(search(&o, &s, &a));
	m = mut_find(&a.before, target);
	CHECK(m >= 0 && !mut_killed(&a.before, m));
	CHECK_INT(a.v[m].fate, ==, SYNTH_FOUND);
	CHECK(a.v[m].killer && strstr(a.v[m].killer, "\nexpect "));
	CHECK(synth_kills("v6.18", &a.before.mutants[m], a.v[m].killer));
	CHECK_INT(a.killed_after, >, a.killed_before);
	/* each search shrinks: under the sanitizers one must do */
	if (!SANITIZED) {
		opts(&o, 1, 32);
		CHECK(search(&o, &s, &b));
		same = same_killers(&a, &b);
		synth_result_free(&b);
	}
	synth_result_free(&a);
	scn_free(&s);
	return same;
}

/* A kernel that disagrees with the first candidate it sees. */
static int refuse_first(void *ctx, const char *text, char *release,
			size_t rlen, char *why, size_t wlen)
{
	int *calls = ctx;

	(void)text;
	snprintf(release, rlen, "test");
	snprintf(why, wlen, "refused");
	return (*calls)++ > 0;
}

static bool test_discard_goes_on(void)
{
	struct synth_opts o;
	struct synth_result r;
	struct scn_scenario s;
	char err[256];
	int calls = 0, m, discarded = 0;

	CHECK(!scn_parse("<t8610>", full, strlen(full), &s, err,
			 sizeof(err)));
	opts(&o, 2, 128);
	o.confirm = refuse_first;
	o.confirm_ctx = &calls;
	CHECK(search(&o, &s, &r));
	CHECK_INT(calls, >, 1);
	for (m = 0; m < r.before.nr_mutants; m++) {
		discarded += r.v[m].discarded;
		if (r.v[m].killer)
			CHECK(strstr(r.v[m].killer, "live kernel test"));
	}
	CHECK_INT(discarded, ==, 1);
	m = mut_find(&r.before, target);
	CHECK(m >= 0 && r.v[m].fate == SYNTH_FOUND);
	synth_result_free(&r);
	scn_free(&s);
	return true;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n;

	if (!f)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n == (size_t)-1) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* One killer file: named for its mutant, and that mutant dies on it. */
static bool killer_kills(const char *dir, const char *file)
{
	char path[512], name[128], want[160], err[256];
	const char *names[1] = { path };
	struct scn_scenario s;
	struct mut_result r;
	char *text;
	int m;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = slurp(path);
	CHECK(text);
	CHECK(!synth_killer_of(text, name, sizeof(name)));
	synth_file_name(name, want, sizeof(want));
	CHECK(!strcmp(want, file));
	CHECK(!scn_parse(path, text, strlen(text), &s, err, sizeof(err)));
	free(text);
	CHECK(!mutate_run("v6.18", &s, names, 1, 1, NULL, &r));
	m = mut_find(&r, name);
	CHECK(m >= 0);
	if (mut_cell(&r, m, 0) != MUT_KILLED)
		printf("# %s no longer kills %s\n", path, name);
	CHECK_INT(mut_cell(&r, m, 0), ==, MUT_KILLED);
	mut_result_free(&r);
	scn_free(&s);
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_killers(void)
{
	DIR *d = opendir(KILLERS);
	struct dirent *e;
	char *files[256];
	int n = 0, i;

	if (!d) {
		TEST(false, "%s is readable (run from the repository root)",
		     KILLERS);
		return;
	}
	while ((e = readdir(d)) && n < 256)
		if (strstr(e->d_name, ".fsim"))
			files[n++] = strdup(e->d_name);
	closedir(d);
	qsort(files, (size_t)n, sizeof(*files), cmp_str);
	TEST(n > 0, "%s holds killers", KILLERS);
	for (i = 0; i < n; i++) {
		TEST(killer_kills(KILLERS, files[i]), "%s kills its mutant",
		     files[i]);
		free(files[i]);
	}
}

int main(void)
{
	TEST(test_finds_killer(),
	     "a search finds a killer of %s, the same for -j1 and -j2 "
	     "(compared outside the sanitizers)",
	     target);
	TEST(test_discard_goes_on(),
	     "a candidate the kernel refuses is discarded, the search goes on");
	test_killers();
	return tap_done();
}
