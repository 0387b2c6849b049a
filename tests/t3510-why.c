// SPDX-License-Identifier: GPL-2.0-only
/*
 * --why on the model: every PMD of a scenario with one region per verdict
 * gets the right one (THP from a fault, collapsed by khugepaged or
 * MADV_COLLAPSE; the last scan's SCAN_* result and check; collapsed and
 * split since; not eligible for MADV_NOHUGEPAGE, the sysfs mode, a VMA
 * boundary inside the PMD, no anon_vma; eligible but never scanned; the
 * huge zero page; an empty PMD), the
 * text and JSON say so, and without --why there are no verdicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "lib/tap.h"
#include "lib/tt.h"
#include "model/kh_points.h"
#include "report/report.h"

struct run {
	struct scn_scenario s;
	struct exec_result r;
};

/* The run's JSON, from malloc(). */
static char *json_of(const struct run *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	report_json(f, &t->s, &t->r, 1);
	fclose(f);
	return buf;
}

static bool run_text(struct run *t, const char *text, bool why)
{
	struct exec_model_opts o = { .shared_pred = -1, .trace = true,
				     .why = why, .keeper = true };
	char err[512];

	if (scn_parse("t3510.fsim", text, strlen(text), &t->s, err,
		      sizeof(err))) {
		printf("# %s\n", err);
		return false;
	}
	exec_model(&t->s, &o, &t->r);
	return t->r.status == EXEC_OK;
}

static bool run(struct run *t, bool why)
{
	return run_text(t, tt_why_text, why);
}

static void done(struct run *t)
{
	exec_result_free(&t->r);
	scn_free(&t->s);
}

/* The verdict of region @name's PMD, its text in @buf. */
static const struct exec_why *verdict(const struct run *t, const char *name,
				      char *buf, size_t len)
{
	int i;

	for (i = 0; i < t->r.nr_whys; i++) {
		const struct exec_why *w = &t->r.whys[i];

		if (strcmp(t->s.regions[w->region].name, name))
			continue;
		exec_why_format(&t->r, w, buf, len);
		printf("# %s: %s\n", name, buf);
		return w;
	}
	return NULL;
}

static bool is(const struct run *t, const char *name, enum exec_why_kind kind,
	       const char *text)
{
	const struct exec_why *w;
	char buf[256];

	w = verdict(t, name, buf, sizeof(buf));
	CHECK(w);
	CHECK_INT(w->kind, ==, kind);
	CHECK(strstr(buf, text));
	return true;
}

static bool test_every_verdict(void)
{
	struct run t;

	CHECK(run(&t, true));
	CHECK_INT(t.r.nr_whys, ==, t.s.nr_regions);
	CHECK(is(&t, "F", EXEC_WHY_THP, "THP from a fault, fork or move"));
	CHECK(is(&t, "K", EXEC_WHY_THP, "THP, collapsed by khugepaged pass 1"));
	CHECK(is(&t, "C", EXEC_WHY_THP, "THP, collapsed by MADV_COLLAPSE"));
	CHECK(is(&t, "N", EXEC_WHY_SCANNED,
		 "not collapsed: SCAN_EXCEED_NONE_PTE at khugepaged pass "));
	CHECK(is(&t, "N", EXEC_WHY_SCANNED,
		 " (none_or_zero 257 > max_ptes_none 256)"));
	CHECK(is(&t, "S", EXEC_WHY_SCANNED,
		 "not a THP: collapsed by khugepaged pass 1, split since"));
	CHECK(is(&t, "H", EXEC_WHY_INELIGIBLE,
		 "not eligible: MADV_NOHUGEPAGE"));
	CHECK(is(&t, "U", EXEC_WHY_INELIGIBLE,
		 "not eligible: enabled madvise and no MADV_HUGEPAGE"));
	CHECK(is(&t, "V", EXEC_WHY_INELIGIBLE,
		 "not eligible: the PMD range is not inside one VMA"));
	CHECK(is(&t, "W", EXEC_WHY_INELIGIBLE,
		 "not eligible: no anon_vma"));
	CHECK(is(&t, "E", EXEC_WHY_UNSCANNED, "eligible, never scanned"));
	done(&t);
	return true;
}

/* The huge zero page has its own verdict; an empty PMD says so. */
static bool test_zero_pages(void)
{
	struct run t;
	int i, empty = 0;
	char buf[256];

	CHECK(run_text(&t, tt_why_zero_text, true));
	CHECK(is(&t, "A", EXEC_WHY_HUGE_ZERO,
		 "the huge zero page, mapped by a read fault (khugepaged "
		 "leaves it); last scanned: SCAN_PMD_MAPPED at khugepaged "
		 "pass "));
	CHECK(is(&t, "B", EXEC_WHY_THP, "THP from a fault, fork or move"));
	for (i = 0; i < t.r.nr_whys; i++) {
		exec_why_format(&t.r, &t.r.whys[i], buf, sizeof(buf));
		empty += !!strstr(buf, "not collapsed: SCAN_PMD_NONE at "
				  "khugepaged pass ") &&
			 !!strstr(buf, " (nothing mapped there)");
	}
	CHECK_INT(empty, ==, 1);
	CHECK(is(&t, "C", EXEC_WHY_INELIGIBLE,
		 "not eligible: no anon_vma: no page was ever allocated"));
	done(&t);
	return true;
}

/* khugepaged's PMDs are aligned: regions off a PMD boundary share one. */
static bool test_aligned(void)
{
	static const char text[] = "spawn P\n"
				   "P mmap A 1M\n"
				   "P mmap B 2M at A+1M\n"
				   "P write A\n"
				   "P write B\n";
	struct run t;
	int i;

	CHECK(run_text(&t, text, true));
	CHECK_INT(t.r.nr_whys, ==, 2);
	for (i = 0; i < t.r.nr_whys; i++)
		CHECK_INT(t.r.whys[i].addr % SCN_PMD_SIZE, ==, 0);
	CHECK(t.r.whys[0].addr < t.r.whys[1].addr);
	CHECK_INT(t.r.whys[1].region, ==, 1);
	done(&t);
	return true;
}

static bool test_text_and_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	struct run t;
	FILE *f;

	CHECK(run(&t, true));
	f = open_memstream(&buf, &len);
	CHECK(f);
	report_why(f, &t.s, &t.r);
	fclose(f);
	printf("%s", buf);
	CHECK(strstr(buf, "# why (v6.18): 10 PMDs\n"));
	CHECK(strstr(buf, "  P      H      0x"));
	free(buf);
	buf = json_of(&t);
	CHECK(buf);
	CHECK(strstr(buf, "\"why\": [{\"proc\": \"P\", \"region\": \"F\", "
		      "\"addr\": \"0x"));
	CHECK(strstr(buf, "\"verdict\": \"unscanned\""));
	CHECK(strstr(buf, "\"verdict\": \"ineligible\", \"text\": "
		      "\"not eligible: MADV_NOHUGEPAGE\""));
	free(buf);
	done(&t);
	return true;
}

static bool test_off_without_why(void)
{
	struct run t;
	char *buf;

	CHECK(run(&t, false));
	CHECK(!t.r.why);
	CHECK_INT(t.r.nr_whys, ==, 0);
	buf = json_of(&t);
	CHECK(buf);
	CHECK(!strstr(buf, "\"why\""));
	free(buf);
	done(&t);
	return true;
}

int main(void)
{
	TEST(test_every_verdict(), "each region gets its verdict");
	TEST(test_zero_pages(), "the huge zero page, an empty PMD, zero PTEs");
	TEST(test_aligned(), "aligned PMDs, each once");
	TEST(test_text_and_json(), "text and JSON carry the verdicts");
	TEST(test_off_without_why(), "no verdicts without --why");
	return tap_done();
}
