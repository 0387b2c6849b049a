// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generator of 'explore --against kernel' (kgen.c), without a kernel:
 * the same seed gives the same text and another seed another; every
 * scenario parses, prints back to the same op list, and runs on the model
 * (v6.18) with the invariant checker clean; over a few hundred runs every
 * statement kind, advice and write form is generated, and no setting that
 * would let other processes move the global THP counters.  And 'foliosim
 * help explore' documents it.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "explore/explore.h"
#include "lib/tap.h"

#define RUNS 150

static void opts(struct explore_opts *o, uint64_t seed)
{
	explore_opts_init(o);
	o->seed = seed;
	o->max_ops = 20;
	o->against_kernel = true;
}

static bool test_same_seed_same_text(void)
{
	struct explore_opts o, p;
	int same_other = 0;
	long run;

	opts(&o, 7);
	opts(&p, 8);
	for (run = 0; run < 20; run++) {
		char *a = exp_kgenerate(&o, run), *b = exp_kgenerate(&o, run);
		char *c = exp_kgenerate(&p, run);

		CHECK(a && b && c);
		CHECK(!strcmp(a, b));
		same_other += !strcmp(a, c);
		free(a);
		free(b);
		free(c);
	}
	CHECK_INT(same_other, ==, 0);
	return true;
}

static bool print_round_trip(const struct scn_scenario *s)
{
	struct scn_scenario t;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool same;

	CHECK(f);
	scn_print(f, s);
	fclose(f);
	CHECK(!scn_parse("<printed>", buf, len, &t, err, sizeof(err)));
	same = scn_equal(s, &t);
	if (!same)
		printf("# printed differently:\n%s", buf);
	scn_free(&t);
	free(buf);
	return same;
}

static bool runs_clean(const struct scn_scenario *s)
{
	struct exec_model_opts mo = { .profile = "v6.18", .shared_pred = -1,
				      .check = true };
	struct exec_result r;
	bool ok;

	exec_model(s, &mo, &r);
	ok = r.status == EXEC_OK && !r.invariant_violations && !r.data_lost;
	if (!ok)
		printf("# status %d, %ld violations, %ld lost: %s\n",
		       (int)r.status, r.invariant_violations, r.data_lost,
		       r.error);
	exec_result_free(&r);
	return ok;
}

struct coverage {
	int kinds[NR_SCN_OPS];
	int advice[NR_SCN_ADVICE];
	int writes[3];
	int mremap_size, mremap_at, mmap_at, daemon_n, mthp_set, knob_set;
	int forbidden;	/* PMD THPs set to "always" */
};

static void count_op(struct coverage *c, const struct scn_op *op)
{
	c->kinds[op->kind]++;
	switch (op->kind) {
	case SCN_MADVISE:
		c->advice[op->advice]++;
		break;
	case SCN_WRITE:
		c->writes[op->write_kind]++;
		break;
	case SCN_MREMAP:
		c->mremap_size += op->has_size;
		c->mremap_at += op->has_at;
		break;
	case SCN_MMAP:
		c->mmap_at += op->has_at;
		break;
	case SCN_KHUGEPAGED:
	case SCN_KSM:
		c->daemon_n += op->count > 1;
		break;
	case SCN_SET:
		c->mthp_set += !strncmp(op->path, "hugepages-", 10);
		c->knob_set += !strncmp(op->path, "khugepaged/max_ptes_", 20);
		c->forbidden += (!strcmp(op->path, "enabled") ||
				 !strcmp(op->path, "hugepages-2048kB/enabled")) &&
				!strcmp(op->setval, "always");
		break;
	default:
		break;
	}
}

/* Parse, print back, run clean; and count what was generated. */
static bool test_every_scenario_is_valid(void)
{
	static const char *const sets[] = { "khugepaged/max_ptes_none=64" };
	struct coverage c = { 0 };
	struct explore_opts o;
	long run, bytes = 0;
	int k;

	opts(&o, 1);
	o.sets = (const char **)sets;
	o.nr_sets = 1;
	for (run = 0; run < RUNS; run++) {
		struct scn_scenario s;
		char *text = exp_kgenerate(&o, run), err[256];

		CHECK(text);
		if (scn_parse("<generated>", text, strlen(text), &s, err,
			      sizeof(err))) {
			printf("# run %ld: %s\n%s", run, err, text);
			free(text);
			return false;
		}
		CHECK(strstr(text, "set khugepaged/max_ptes_none 64\n"));
		bytes += (long)strlen(text);
		free(text);
		CHECK(print_round_trip(&s));
		CHECK(runs_clean(&s));
		for (k = 0; k < s.nr_ops; k++)
			count_op(&c, &s.ops[k]);
		/* sized for the kernel: at most 8 regions of 4 MiB */
		CHECK_INT(s.nr_procs, <=, 4);
		for (k = 0; k < s.nr_regions; k++)
			CHECK_INT(s.regions[k].size, <=, 4UL << 20);
		scn_free(&s);
	}
	printf("# %d runs, %ld bytes of scenario text\n", RUNS, bytes);
	for (k = 0; k < NR_SCN_OPS; k++) {
		if (k == SCN_SHOW || k == SCN_EXPECT)
			continue;	/* they change nothing to compare */
		printf("# %-10s %d\n", scn_op_names[k], c.kinds[k]);
		CHECK_INT(c.kinds[k], >, 0);
	}
	for (k = 0; k < NR_SCN_ADVICE; k++) {
		printf("# madvise %-11s %d\n", scn_advice_names[k], c.advice[k]);
		CHECK_INT(c.advice[k], >, 0);
	}
	for (k = 0; k < 3; k++)
		CHECK_INT(c.writes[k], >, 0);
	CHECK_INT(c.mremap_size, >, 0);
	CHECK_INT(c.mremap_at, >, 0);
	CHECK_INT(c.mmap_at, >, 0);
	CHECK_INT(c.daemon_n, >, 0);
	CHECK_INT(c.mthp_set, >, 0);
	CHECK_INT(c.knob_set, >, 0);
	CHECK_INT(c.forbidden, ==, 0);
	return true;
}

/* The shrinker's generic form keeps what the predicate asks for. */
static bool keep_reads(void *ctx, const char *text)
{
	(*(int *)ctx)++;
	return strstr(text, " read ") && exp_model_clean(text, NULL, 0);
}

static bool test_shrink_text_keeps_the_predicate(void)
{
	struct explore_opts o;
	char *text, *small = NULL;
	int calls = 0, before = 0, after = 0;
	long run;

	opts(&o, 1);
	for (run = 0; run < 50 && !small; run++) {
		text = exp_kgenerate(&o, run);
		if (strstr(text, " read ") && strstr(text, "fork"))
			small = exp_shrink_text(text, keep_reads, &calls, 400,
						&before, &after);
		free(text);
	}
	CHECK(small);
	printf("# shrunk from %d to %d statements in %d calls:\n", before,
	       after, calls);
	CHECK(strstr(small, " read "));
	CHECK(exp_model_clean(small, NULL, 0));
	/* spawn, mmap, read */
	CHECK_INT(after, <=, 3);
	CHECK_INT(before, >, after);
	free(small);
	return true;
}

/* 'foliosim help explore' documents it, with no printf escapes left. */
static bool test_help(void)
{
	FILE *f = popen("./foliosim help explore 2>&1", "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;

	CHECK(f && m);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	CHECK_INT(pclose(f), ==, 0);
	CHECK(strstr(buf, "--against kernel"));
	CHECK(strstr(buf, "i % N == K"));
	CHECK(!strstr(buf, "%%"));
	free(buf);
	return true;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	TEST(test_same_seed_same_text(),
	     "the same seed and run give the same text, another seed another");
	TEST(test_every_scenario_is_valid(),
	     "every scenario parses, prints back, runs clean on v6.18 and "
	     "together they use every statement, advice and write form");
	TEST(test_shrink_text_keeps_the_predicate(),
	     "exp_shrink_text() shrinks while its predicate holds");
	TEST(test_help(), "'foliosim help explore' documents --against "
	     "kernel and prints no '%%%%'");
	return tap_done();
}
