// SPDX-License-Identifier: GPL-2.0-only
/*
 * The explorer: generated scenarios are valid, results do not depend on
 * the number of threads, shards cover the runs, reproducers run and pin
 * their difference, and the seed's case is rediscovered (v6.10 collapses
 * and holds at least 1 MiB more than v6.18 with max_ptes_shared=0).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec.h"
#include "explore/explore.h"
#include "lib/tap.h"

static void opts(struct explore_opts *o, const char *const *sets, int nr_sets)
{
	explore_opts_init(o);
	o->runs = 256;
	o->sets = (const char **)sets;
	o->nr_sets = nr_sets;
}

/* Every generated scenario parses and runs under both profiles. */
static bool test_generated_scenarios_are_valid(void)
{
	struct explore_opts o;
	struct exp_metrics m[EXP_MAX_PROFILES];
	long run;

	opts(&o, NULL, 0);
	for (run = 0; run < 200; run++) {
		char *text = exp_generate(&o, run);
		bool ok = exp_measure(&o, text, m);

		if (!ok)
			printf("# run %ld does not run:\n%s", run, text);
		free(text);
		CHECK(ok);
	}
	return true;
}

/* Same seed and runs: the same findings with 1 and 2 threads. */
static bool test_findings_do_not_depend_on_threads(void)
{
	struct explore_result a, b;
	struct explore_opts o;
	int i;

	opts(&o, NULL, 0);
	CHECK(!explore_run(&o, &a));
	o.threads = 2;
	CHECK(!explore_run(&o, &b));
	CHECK_INT(a.nr, ==, b.nr);
	CHECK(a.nr > 0);
	for (i = 0; i < a.nr; i++) {
		CHECK_INT(a.v[i].cost, ==, b.v[i].cost);
		CHECK_INT(a.v[i].run, ==, b.v[i].run);
		CHECK(!strcmp(a.v[i].text, b.v[i].text));
	}
	explore_result_free(&a);
	explore_result_free(&b);
	return true;
}

/* Two shards see disjoint runs that add up to all of them. */
static bool test_shards_split_the_runs(void)
{
	struct explore_result r0, r1;
	struct explore_opts o;

	opts(&o, NULL, 0);
	o.runs = 64;
	o.shard_n = 2;
	CHECK(!explore_run(&o, &r0));
	o.shard_k = 1;
	CHECK(!explore_run(&o, &r1));
	CHECK_INT(r0.runs_done + r1.runs_done, ==, 64);
	CHECK_INT(r0.runs_done, ==, 32);
	for (int i = 0; i < r0.nr; i++)
		CHECK_INT(r0.v[i].run % 2, ==, 0);
	for (int i = 0; i < r1.nr; i++)
		CHECK_INT(r1.v[i].run % 2, ==, 1);
	explore_result_free(&r0);
	explore_result_free(&r1);
	return true;
}

/* Every reproducer file of @dir, concatenated in name order. */
static char *dir_findings(const char *dir)
{
	char *cmd = NULL, *out = NULL;
	size_t len = 0;
	FILE *p, *m = open_memstream(&out, &len);
	int c;

	if (!m || asprintf(&cmd, "cat %s/*.fsim 2>/dev/null", dir) < 0)
		return NULL;
	p = popen(cmd, "r");
	while (p && (c = fgetc(p)) != EOF)
		fputc(c, m);
	if (p)
		pclose(p);
	fclose(m);
	free(cmd);
	return out;
}

/*
 * Three shards merged give exactly the findings of the same search on one
 * machine, and the merged summary counts all their runs.
 */
static bool test_merged_shards_equal_one_search(void)
{
	char tmpl[] = "/tmp/fsim-t8000-XXXXXX", dir[5][64], *one, *merged;
	const char *shards[3];
	struct explore_result r;
	struct explore_opts o;
	FILE *f;
	char line[256];
	bool counted = false;
	int k, out;

	CHECK(mkdtemp(tmpl));
	for (k = 0; k < 5; k++)
		snprintf(dir[k], sizeof(dir[k]), "%s/%d", tmpl, k);
	opts(&o, NULL, 0);
	o.runs = 300;
	o.out_dir = dir[3];
	CHECK(!explore_run(&o, &r) && !explore_write(&o, &r));
	CHECK(r.nr > 3);
	explore_result_free(&r);
	for (k = 0; k < 3; k++) {
		o.shard_k = k;
		o.shard_n = 3;
		o.out_dir = dir[k];
		CHECK(!explore_run(&o, &r) && !explore_write(&o, &r));
		explore_result_free(&r);
		shards[k] = dir[k];
	}
	/* the merge prints its summary: keep it out of the TAP stream */
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	CHECK(out >= 0 && freopen("/dev/null", "w", stdout));
	k = explore_merge(shards, 3, dir[4], false);
	fflush(stdout);
	CHECK(dup2(out, STDOUT_FILENO) == STDOUT_FILENO);
	close(out);
	CHECK_INT(k, ==, 0);
	one = dir_findings(dir[3]);
	merged = dir_findings(dir[4]);
	CHECK(one && merged && *one);
	CHECK(!strcmp(one, merged));
	snprintf(line, sizeof(line), "%s/summary.md", dir[4]);
	f = fopen(line, "r");
	CHECK(f);
	while (fgets(line, sizeof(line), f))
		counted |= strstr(line, "seed 1, 300 runs") != NULL;
	fclose(f);
	CHECK(counted);
	free(one);
	free(merged);
	snprintf(line, sizeof(line), "rm -rf %s", tmpl);
	CHECK(!system(line));
	return true;
}

/* Run a reproducer under one profile; its status. */
static enum exec_status run_text(const char *text, const char *profile)
{
	struct exec_model_opts mo = { .profile = profile, .shared_pred = -1,
				      .check = true };
	struct exec_result r;
	struct scn_scenario s;
	enum exec_status st;
	char err[256];

	if (scn_parse("<finding>", text, strlen(text), &s, err, sizeof(err)))
		return EXEC_BAD_INPUT;
	st = exec_model(&s, &mo, &r);
	exec_result_free(&r);
	scn_free(&s);
	return st;
}

/*
 * The seed's question: with max_ptes_shared=0, some scenario makes v6.10
 * collapse and hold >= 1 MiB more RAM than v6.18, in <= 10 statements;
 * its shrunk text still shows it under the invariant checker.
 */
static bool test_rediscovers_seed_case(void)
{
	static const char *const sets[] = { "khugepaged/max_ptes_shared=0" };
	struct explore_result r;
	struct explore_opts o;
	int i, found = -1;

	opts(&o, sets, 1);
	o.runs = 600;
	o.threads = 2;
	CHECK(!explore_run(&o, &r));
	for (i = 0; i < r.nr && found < 0; i++)
		if (r.v[i].cls == EXP_EXTRA_RAM && r.v[i].b == 0 &&
		    r.v[i].cost >= (1 << 20) && r.v[i].nr_statements <= 10)
			found = i;
	CHECK(found >= 0);
	printf("# v6.10 holds %lld bytes more, %d statements:\n",
	       (long long)r.v[found].cost, r.v[found].nr_statements);
	CHECK(exp_still_shows(&o, r.v[found].text, &r.v[found],
			      1 << 20, NULL));
	CHECK_INT(run_text(r.v[found].text, "v6.10"), <=, EXEC_FAILED);
	CHECK_INT(run_text(r.v[found].text, "v6.18"), <=, EXEC_FAILED);
	explore_result_free(&r);
	return true;
}

/*
 * Written reproducers run with "foliosim run" under both profiles, their
 * pinned expect[] lines hold, and the two profiles still differ.
 */
static bool test_reproducers_pin_their_difference(void)
{
	char dir[] = "/tmp/foliosim-t8000-XXXXXX", cmd[1024];
	struct explore_result r;
	struct explore_opts o;
	int i;

	CHECK(mkdtemp(dir));
	opts(&o, NULL, 0);
	o.runs = 64;
	o.out_dir = dir;
	CHECK(!explore_run(&o, &r));
	CHECK(r.nr > 0);
	CHECK(!explore_write(&o, &r));
	for (i = 0; i < r.nr; i++) {
		struct exec_model_opts mo = { .shared_pred = -1 };
		struct exec_result a, b;
		struct scn_scenario s;
		char err[256];

		CHECK(!scn_parse("<t>", r.v[i].text, strlen(r.v[i].text), &s,
				 err, sizeof(err)));
		mo.profile = "v6.10";
		exec_model(&s, &mo, &a);
		mo.profile = "v6.18";
		exec_model(&s, &mo, &b);
		CHECK(a.anon_kb != b.anon_kb || strcmp(a.pmd_map, b.pmd_map));
		exec_result_free(&a);
		exec_result_free(&b);
		scn_free(&s);
	}
	snprintf(cmd, sizeof(cmd),
		 "for f in %s/*.fsim; do ./foliosim run \"$f\" --check "
		 "--profile v6.10,v6.18 >/dev/null || exit 1; done", dir);
	CHECK_INT(system(cmd), ==, 0);
	snprintf(cmd, sizeof(cmd), "test $(ls %s/*.fsim | wc -l) -eq %d && "
		 "test -s %s/summary.md && test -s %s/summary.json", dir, r.nr,
		 dir, dir);
	CHECK_INT(system(cmd), ==, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(!system(cmd));
	explore_result_free(&r);
	return true;
}

/*
 * The bounded exhaustive mode covers 8^K sequences, every one valid, and
 * with max_ptes_shared=0 depth 3 already finds v6.10 holding more RAM.
 */
static bool test_exhaustive_mode(void)
{
	static const char *const sets[] = { "khugepaged/max_ptes_shared=0" };
	struct explore_result r;
	struct explore_opts o;
	int i;
	bool found = false;

	opts(&o, sets, 1);
	o.exhaustive = 3;
	o.runs = exp_exhaustive_runs(3);
	CHECK_INT(o.runs, ==, 512);
	CHECK(!explore_run(&o, &r));
	CHECK_INT(r.runs_done, ==, 512);
	CHECK_INT(r.generated_invalid, ==, 0);
	for (i = 0; i < r.nr; i++)
		found |= r.v[i].cls == EXP_EXTRA_RAM && r.v[i].b == 0;
	CHECK(found);
	explore_result_free(&r);
	return true;
}

int main(void)
{
	TEST(test_generated_scenarios_are_valid(),
	     "generated scenarios parse and run under every profile");
	TEST(test_findings_do_not_depend_on_threads(),
	     "the same seed and runs give the same findings with -j 1 and 2");
	TEST(test_shards_split_the_runs(),
	     "shards 0/2 and 1/2 take the even and the odd runs");
	TEST(test_merged_shards_equal_one_search(),
	     "3 shards merged equal the single search (findings, runs)");
	TEST(test_rediscovers_seed_case(),
	     "with max_ptes_shared=0 it finds v6.10 holding >= 1 MiB more");
	TEST(test_reproducers_pin_their_difference(),
	     "each shrunk reproducer still differs between the two profiles");
	TEST(test_exhaustive_mode(),
	     "the exhaustive mode runs all 8^3 sequences and finds v6.10 waste");
	return tap_done();
}
