// SPDX-License-Identifier: GPL-2.0-only
/*
 * --trace on the model: the PMD scans of khugepaged and MADV_COLLAPSE of
 * known scenarios have the expected pass, process, PMD, SCAN_* result and
 * counts (max_ptes_none, max_ptes_shared and max_ptes_swap exceeded, a
 * success, MADV_COLLAPSE); the keeper is invisible; the JSON carries them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "lib/tap.h"
#include "lib/tt.h"
#include "model/khugepaged.h"
#include "report/report.h"

struct traced {
	struct scn_scenario s;
	struct exec_result r;
};

static bool run(struct traced *t, const char *text, bool trace, bool keeper)
{
	struct exec_model_opts o = { .shared_pred = -1, .trace = trace,
				     .keeper = keeper };
	char err[512];

	if (scn_parse("t3500.fsim", text, strlen(text), &t->s, err,
		      sizeof(err))) {
		printf("# %s\n", err);
		return false;
	}
	exec_model(&t->s, &o, &t->r);
	if (t->r.status > EXEC_FAILED)
		printf("# %s\n", t->r.error);
	return t->r.status <= EXEC_FAILED;
}

static void done(struct traced *t)
{
	exec_result_free(&t->r);
	scn_free(&t->s);
}

static void show(const struct traced *t)
{
	char line[256];
	int i;

	for (i = 0; i < t->r.nr_scans; i++) {
		exec_scan_format(&t->s, &t->r.scans[i], line, sizeof(line));
		printf("# %s\n", line);
	}
}

static bool test_none_and_success(void)
{
	struct traced t;
	const struct exec_scan *a, *b, *c;
	uint64_t base;
	char line[256];

	CHECK(run(&t, tt_none_text, true, true));
	show(&t);
	base = t.s.regions[0].addr;
	CHECK(t.r.traced);
	CHECK_INT(t.r.nr_scans, >=, 4);
	a = &t.r.scans[0];
	b = &t.r.scans[1];
	CHECK_INT(a->pass, ==, 1);
	CHECK_INT(a->proc, ==, 0);
	CHECK(a->addr == base);
	CHECK_INT(a->status, ==, SCAN_EXCEED_NONE_PTE);
	CHECK_INT(a->none_or_zero, ==, 257);
	CHECK_INT(a->limit, ==, 256);
	CHECK_INT(a->referenced, ==, 100);
	CHECK_INT(b->pass, ==, 1);
	CHECK(b->addr == base + (2UL << 20));
	CHECK_INT(b->status, ==, SCAN_SUCCEED);
	CHECK_INT(b->referenced, ==, 512);
	CHECK_INT(b->none_or_zero, ==, 0);
	exec_scan_format(&t.s, a, line, sizeof(line));
	CHECK(strstr(line, "SCAN_EXCEED_NONE_PTE"));
	CHECK(strstr(line, "(none_or_zero 257 > max_ptes_none 256)"));
	/* the last two: MADV_COLLAPSE ignores max_ptes_none */
	c = &t.r.scans[t.r.nr_scans - 2];
	CHECK_INT(c->pass, ==, 0);
	CHECK(c->addr == base);
	CHECK_INT(c->status, ==, SCAN_SUCCEED);
	CHECK_INT(c->none_or_zero, ==, 412);
	CHECK_INT(c[1].status, ==, SCAN_PMD_MAPPED);
	CHECK_INT(t.s.ops[c->op].kind, ==, SCN_MADVISE);
	done(&t);
	return true;
}

static bool test_shared(void)
{
	struct traced t;
	const struct exec_scan *a;

	CHECK(run(&t, tt_shared_text, true, true));
	show(&t);
	CHECK_INT(t.r.nr_scans, >=, 2);
	a = &t.r.scans[0];
	CHECK_INT(a->status, ==, SCAN_EXCEED_SHARED_PTE);
	CHECK_INT(a->shared, ==, 1);
	CHECK_INT(a->limit, ==, 0);
	CHECK_INT(a->none_or_zero, ==, 256);
	CHECK_INT(t.r.scans[1].status, ==, SCAN_EXCEED_SHARED_PTE);
	CHECK(t.r.scans[0].proc != t.r.scans[1].proc);
	done(&t);
	return true;
}

static bool test_swap(void)
{
	struct traced t;
	const struct exec_scan *a;
	char why[96];

	CHECK(run(&t, tt_swap_text, true, true));
	show(&t);
	CHECK_INT(t.r.nr_scans, >=, 1);
	a = &t.r.scans[0];
	CHECK_INT(a->status, ==, SCAN_EXCEED_SWAP_PTE);
	CHECK_INT(a->unmapped, ==, 65);
	CHECK_INT(a->limit, ==, 64);
	exec_scan_why(a, why, sizeof(why));
	CHECK(!strcmp(why, "swap 65 > max_ptes_swap 64"));
	done(&t);
	return true;
}

/* A forked child has the parent's (empty) PMD table: PMD_NONE, not NULL. */
static bool test_fork_table(void)
{
	struct traced t;
	int i;

	CHECK(run(&t, tt_fork_table_text, true, true));
	show(&t);
	CHECK_INT(t.r.nr_scans, >=, 2);
	for (i = 0; i < t.r.nr_scans; i++)
		CHECK_INT(t.r.scans[i].status, ==, SCAN_PMD_NONE);
	CHECK_INT(t.r.scans[1].proc, ==, 1);
	done(&t);
	return true;
}

/* The keeper changes no observation and leaves no scan. */
static bool test_keeper_invisible(void)
{
	struct traced a, b;
	int i;

	CHECK(run(&a, tt_none_text, true, true));
	CHECK(run(&b, tt_none_text, true, false));
	CHECK_INT(a.r.anon_kb, ==, b.r.anon_kb);
	CHECK_INT(a.r.thp_kb, ==, b.r.thp_kb);
	CHECK_INT(a.r.nr_vmstat, ==, b.r.nr_vmstat);
	for (i = 0; i < a.r.nr_vmstat; i++)
		CHECK_INT(a.r.vmstat[i].delta, ==, b.r.vmstat[i].delta);
	for (i = 0; i < a.r.nr_scans; i++)
		CHECK(a.r.scans[i].addr != EXEC_KEEPER_ADDR &&
		      a.r.scans[i].proc >= 0);
	done(&a);
	done(&b);
	return true;
}

/* No --trace: nothing recorded, and no "scans" key. */
static bool test_json(void)
{
	struct traced t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(run(&t, tt_none_text, true, true));
	f = open_memstream(&buf, &len);
	CHECK(f);
	report_json(f, &t.s, &t.r, 1);
	fclose(f);
	CHECK(strstr(buf, "\"scans\": [{\"line\": 7, \"pass\": 1, "
		      "\"proc\": \"P\", \"addr\": \"0x"));
	CHECK(strstr(buf, "\"status\": \"SCAN_EXCEED_NONE_PTE\", "
		      "\"none_or_zero\": 257, \"swap\": 0, \"shared\": 0, "
		      "\"referenced\": 100}"));
	free(buf);
	done(&t);
	CHECK(run(&t, tt_none_text, false, false));
	CHECK_INT(t.r.nr_scans, ==, 0);
	f = open_memstream(&buf, &len);
	CHECK(f);
	report_json(f, &t.s, &t.r, 1);
	fclose(f);
	CHECK(!strstr(buf, "\"scans\""));
	free(buf);
	done(&t);
	return true;
}

int main(void)
{
	TEST(test_none_and_success(), "max_ptes_none exceeded, then success");
	TEST(test_shared(), "max_ptes_shared exceeded in both processes");
	TEST(test_swap(), "max_ptes_swap exceeded");
	TEST(test_fork_table(), "a forked child's empty PMD table: PMD_NONE");
	TEST(test_keeper_invisible(), "the model's keeper is invisible");
	TEST(test_json(), "JSON carries \"scans\" only with --trace");
	return tap_done();
}
