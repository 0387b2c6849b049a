// SPDX-License-Identifier: GPL-2.0-only
/*
 * --trace on the live kernel: 'kernel --trace' gives the same PMD scan
 * records (pass, process, PMD, SCAN_* result, none_or_zero, swap,
 * referenced; the kernel has no shared count) as 'run --trace' for known
 * scenarios (max_ptes_none, max_ptes_shared, max_ptes_swap exceeded,
 * success, MADV_COLLAPSE, two processes), its JSON carries them, and
 * 'diff --trace' agrees on them and names the first differing record
 * where the model follows another era.
 * Without root or THP every test is skipped; kernel test binaries take
 * turns on KX_TEST_LOCK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "host/tracefs.h"
#include "lib/tap.h"
#include "lib/tt.h"
#include "lib/tk.h"
#include "report/report.h"

/* End sanitizer reports with abort(), so that the guard undoes the run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "abort_on_error=1";
}

static const char two_procs_text[] =
	"spawn P\n"
	"spawn Q\n"
	"P mmap R 4M\n"
	"Q mmap R 4M\n"
	"P write R[0:512]\n"
	"Q write R[512:600]\n"
	"Q write R[0:10]\n"
	"P madvise R hugepage\n"
	"Q madvise R hugepage\n"
	"khugepaged 2\n";

/*
 * The keeper is registered before 'set enabled never'; enabling again
 * starts the khugepaged thread, whose first pass scans the keeper only.
 */
static const char reenable_text[] =
	"set enabled never\n"
	"spawn P\n"
	"P mmap R 16M\n"
	"P write R[0:10]\n"
	"P write R[512:522]\n"
	"P write R[1024:1034]\n"
	"P write R[1536:1546]\n"
	"P write R[2048:2058]\n"
	"P write R[2560:2570]\n"
	"P write R[3072:3082]\n"
	"P write R[3584:3594]\n"
	"set enabled madvise\n"
	"P madvise R hugepage\n"
	"khugepaged\n";

/*
 * Huge zero PMDs: their VMAs have an anon_vma but smaps counts no page
 * there; khugepaged scans them (SCAN_PMD_MAPPED, no pfn) before B's THP.
 */
static const char huge_zero_text[] =
	"set khugepaged/max_ptes_none 511\n"
	"spawn P\n"
	"P mmap A 2M\n"
	"P madvise A hugepage\n"
	"P read A\n"
	"P mmap B 2M\n"
	"P madvise B hugepage\n"
	"P write B[0]\n"
	"P mmap C 2M\n"
	"P madvise C hugepage\n"
	"P read C\n"
	"khugepaged\n";

/*
 * A huge zero PMD split to small zero pages: the VMA still has its
 * anon_vma but nothing the executor sees says so; its scan and the next
 * ones of that visit must stay unplaced rather than take B's address.
 */
static const char split_zero_text[] =
	"set khugepaged/max_ptes_none 511\n"
	"spawn P\n"
	"P mmap A 2M\n"
	"P madvise A hugepage\n"
	"P read A\n"
	"P madvise A[0:1] dontneed\n"
	"P mmap B 2M\n"
	"P madvise B hugepage\n"
	"P write B[0]\n"
	"khugepaged\n";

static void show(const char *who, const struct scn_scenario *s,
		 const struct exec_result *r)
{
	char line[256];
	int i;

	printf("# %s: %d scans\n", who, r->nr_scans);
	for (i = 0; i < r->nr_scans; i++) {
		exec_scan_format(s, &r->scans[i], line, sizeof(line));
		printf("#   %s\n", line);
	}
}

/* Model scan @a and kernel scan @b; @b may have no PMD if @unplaced. */
static bool same_scan(const struct exec_scan *a, const struct exec_scan *b,
		      bool unplaced)
{
	CHECK_INT(a->op, ==, b->op);
	CHECK_INT(a->pass, ==, b->pass);
	CHECK_INT(a->proc, ==, b->proc);
	CHECK(a->addr == b->addr ||
	      (unplaced && b->addr == EXEC_SCAN_NO_ADDR));
	CHECK_INT(a->status, ==, b->status);
	CHECK_INT(a->none_or_zero, ==, b->none_or_zero);
	CHECK_INT(a->unmapped, ==, b->unmapped);
	CHECK_INT(a->referenced, ==, b->referenced);
	CHECK_INT(b->shared, ==, EXEC_SCAN_UNKNOWN);
	return true;
}

/*
 * 'kernel --trace' and 'run --trace' give the same records; JSON too.
 * With @unplaced a kernel record may lack its PMD (never have another).
 */
static bool records_agree(const char *text, bool unplaced)
{
	struct exec_model_opts mo = { .shared_pred = -1, .trace = true,
				      .keeper = true };
	struct exec_kernel_opts ko = { .scans = true };
	struct exec_result m, k;
	struct scn_scenario s;
	struct kx_guard *g;
	char err[512], *json = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	CHECK(!scn_parse("t7400.fsim", text, strlen(text), &s, err,
			 sizeof(err)));
	g = tk_open_guard(stdout);
	CHECK(g);
	exec_kernel(&s, g, &ko, &k);
	kx_guard_close(g);
	exec_model(&s, &mo, &m);
	show("model", &s, &m);
	show("kernel", &s, &k);
	CHECK_INT(k.status, ==, m.status);
	CHECK(k.traced);
	CHECK_INT(m.nr_scans, >, 0);
	CHECK_INT(k.nr_scans, ==, m.nr_scans);
	for (i = 0; i < m.nr_scans; i++)
		CHECK(same_scan(&m.scans[i], &k.scans[i], unplaced));
	f = open_memstream(&json, &len);
	CHECK(f);
	report_json(f, &s, &k, 1);
	fclose(f);
	CHECK(strstr(json, "\"scans\": [{\"line\": "));
	CHECK(strstr(json, "\"shared\": null"));
	free(json);
	exec_result_free(&m);
	exec_result_free(&k);
	scn_free(&s);
	return true;
}

static bool same_records(const char *text)
{
	return records_agree(text, false);
}

/* 'diff --trace' of @text under @profile; its status and verdict. */
static int diff_trace(const char *text, const char *profile,
		      struct kx_diff_verdict *v, char **out)
{
	struct kx_diff_opts o = { .profile = profile, .verdict = v,
				  .trace = true };
	struct scn_scenario s;
	struct kx_guard *g;
	char err[512];
	size_t len = 0;
	int st;

	if (scn_parse("t7400.fsim", text, strlen(text), &s, err, sizeof(err)))
		return -1;
	g = tk_open_guard(stdout);
	if (!g) {
		scn_free(&s);
		return -1;
	}
	o.out = open_memstream(out, &len);
	st = kx_diff(&s, g, &o);
	fclose(o.out);
	kx_guard_close(g);
	scn_free(&s);
	printf("# %s", *out);
	return st;
}

static bool test_none(void)
{
	return same_records(tt_none_text);
}

static bool test_shared(void)
{
	return same_records(tt_shared_text);
}

static bool test_swap(void)
{
	return same_records(tt_swap_text);
}

static bool test_two_procs(void)
{
	return same_records(two_procs_text);
}

static bool test_reenable(void)
{
	return same_records(reenable_text);
}

static bool test_huge_zero(void)
{
	return same_records(huge_zero_text);
}

static bool test_split_zero(void)
{
	struct kx_diff_verdict v;
	char *out = NULL;

	CHECK(records_agree(split_zero_text, true));
	CHECK_INT(diff_trace(split_zero_text, NULL, &v, &out), ==, 0);
	free(out);
	return true;
}

/*
 * Leading 'set's that stop the khugepaged thread and start it again: the
 * kernel executor applies them after its keeper, so the new thread makes
 * its start pass before the scenario's first khugepaged pass.
 */
static const char restart_text[] =
	"set hugepages-2048kB/enabled never\n"
	"set hugepages-2048kB/enabled madvise\n"
	"spawn P\n"
	"P mmap A 1M\n"
	"P write A[183:184] value 3\n"
	"P mmap B 4M at A+1M\n"
	"P madvise B hugepage\n"
	"khugepaged\n";

static bool test_leading_restart(void)
{
	return records_agree(restart_text, true);
}

/* The child's PMD table copied by fork, every entry none (no page). */
static bool test_fork_table(void)
{
	return records_agree(tt_fork_table_text, true);
}

static bool test_diff_agrees(void)
{
	struct kx_diff_verdict v;
	char *out = NULL;

	CHECK_INT(diff_trace(tt_none_text, NULL, &v, &out), ==, 0);
	CHECK(strstr(out, "agree after every statement"));
	CHECK(strstr(out, "PMD scans"));
	free(out);
	out = NULL;
	CHECK_INT(diff_trace(tt_shared_text, NULL, &v, &out), ==, 0);
	free(out);
	return true;
}

/*
 * v6.10 guesses "shared?" from page 0 of the folio only: it collapses
 * where this kernel stops at max_ptes_shared (the seed's corner case).
 */
static bool test_diff_names_the_scan(void)
{
	static const char text[] =
		"set khugepaged/max_ptes_none 511\n"
		"set khugepaged/max_ptes_shared 0\n"
		"spawn P\n"
		"P mmap R 2M\n"
		"P madvise R hugepage\n"
		"P write R\n"
		"P fork C\n"
		"C madvise R[0:1] dontneed\n"
		"C madvise R[257:] dontneed\n"
		"P madvise R[257:] dontneed\n"
		"P write R[0]\n"
		"P read R[0:257]\n"
		"C read R[1:257]\n"
		"khugepaged\n";
	struct kx_diff_verdict v;
	char *out = NULL;

	CHECK_INT(diff_trace(text, "v6.10", &v, &out), ==, 1);
	CHECK(!strcmp(v.what, "scan:status"));
	CHECK(strstr(v.detail, "P PMD 0x"));
	CHECK(strstr(v.detail, "model v6.10 SCAN_SUCCEED, kernel "
		      "SCAN_EXCEED_SHARED_PTE (shared > max_ptes_shared 0)"));
	CHECK(strstr(out, "scan:status"));
	free(out);
	return true;
}

static const struct tk_test tests[] = {
	{ test_none, "max_ptes_none exceeded, success, MADV_COLLAPSE: "
	  "kernel and model records agree" },
	{ test_shared, "max_ptes_shared exceeded after fork: records agree" },
	{ test_swap, "max_ptes_swap exceeded: records agree" },
	{ test_two_procs, "two processes, two full scans: records agree" },
	{ test_reenable, "THP disabled, then enabled (the new khugepaged "
	  "thread's first pass): records agree" },
	{ test_huge_zero, "huge zero PMDs (no page in smaps) scanned before "
	  "and after a THP: records agree, PMDs too" },
	{ test_split_zero, "a split huge zero PMD: its scan and the next stay "
	  "unplaced, never misplaced; diff agrees" },
	{ test_leading_restart, "leading sets restart the khugepaged thread: "
	  "its start pass comes first, records agree" },
	{ test_fork_table, "fork copies an empty PMD table: SCAN_PMD_NONE in "
	  "the child too" },
	{ test_diff_agrees, "diff --trace agrees on them" },
	{ test_diff_names_the_scan, "diff --trace names the first differing "
	  "scan (v6.10 on the seed's case)" },
};

int main(void)
{
	return tk_main(tests, (int)(sizeof(tests) / sizeof(tests[0])),
		       tk_can_trace);
}
