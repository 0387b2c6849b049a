// SPDX-License-Identifier: GPL-2.0-only
/*
 * 'foliosim diff' on the live kernel: the model and the kernel agree,
 * statement by statement, on small scenarios of fork and COW, PMD THP
 * faults, partial MADV_DONTNEED, MADV_COLLAPSE and khugepaged with
 * max_ptes_none 0; a difference is reported at the statement that makes
 * it, with both maps (the zero-page tests force the model to the
 * opposite of what a probe found this kernel's read faults map, small
 * and huge); a failing statement is bad input.  Without root or THP every
 * test is skipped; kernel test binaries take turns on KX_TEST_LOCK.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff/diff.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "kernel/zero_page.h"
#include "lib/tap.h"
#include "lib/tk.h"

/* End sanitizer reports with abort(), so that the guard undoes the run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "abort_on_error=1";
}

struct diff_out {
	int status;
	char *text;		/* what kx_diff printed */
	struct kx_diff_verdict v;
};

static void print_indented(const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		printf("# %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
}

/* Diff @text; false if it could not be run at all. */
static bool diff(const char *text, struct diff_out *d)
{
	struct kx_diff_opts o = { .verdict = &d->v };
	struct scn_scenario s;
	struct kx_guard *g;
	char err[512];
	size_t len = 0;

	memset(d, 0, sizeof(*d));
	if (scn_parse("t7200.fsim", text, strlen(text), &s, err,
		      sizeof(err))) {
		printf("# %s\n", err);
		return false;
	}
	g = tk_open_guard(stdout);
	if (!g) {
		scn_free(&s);
		return false;
	}
	o.out = open_memstream(&d->text, &len);
	d->status = kx_diff(&s, g, &o);
	fclose(o.out);
	kx_guard_close(g);
	scn_free(&s);
	return true;
}

static bool agrees(const char *text)
{
	struct diff_out d;
	bool ok;

	if (!diff(text, &d))
		return false;
	ok = d.status == 0 && strstr(d.text, "agree after every statement");
	if (!ok)
		print_indented(d.text);
	free(d.text);
	return ok;
}

static bool test_fork_cow(void)
{
	return agrees("spawn P\n"
		      "P mmap R 2M\n"
		      "P write R[0:32]\n"
		      "P fork C\n"
		      "C write R[0:8]\n"
		      "P write R[16]\n"
		      "C read R[0:32]\n"
		      "P read R[0:32]\n"
		      "C exit\n"
		      "P write R[0:4]\n");
}

static bool test_pmd_thp_fault(void)
{
	return agrees("spawn P\n"
		      "P mmap R 4M\n"
		      "P madvise R hugepage\n"
		      "P write R[0]\n"
		      "P write R[600]\n"
		      "P fork C\n"
		      "C write R[1]\n"
		      "P write R[2]\n"
		      "C read R[0:4]\n");
}

static bool test_partial_dontneed(void)
{
	return agrees("spawn P\n"
		      "P mmap R 4M\n"
		      "P madvise R hugepage\n"
		      "P write R\n"
		      "P madvise R[100:200] dontneed\n"
		      "P madvise R[512:520] dontneed\n"
		      "P write R[150]\n"
		      "P read R[400:512]\n"
		      "P write R[512:516]\n"
		      "P munmap R[1000:1024]\n");
}

static bool test_madv_collapse(void)
{
	return agrees("spawn P\n"
		      "P mmap R 6M\n"
		      "P write R[0:100]\n"
		      "P write R[512:1024]\n"
		      "P write R[1100]\n"
		      "P madvise R collapse\n"
		      "P fork C\n"
		      "C madvise R[0:512] collapse\n"
		      "C read R[0:100]\n"
		      "P munmap R[512:513]\n"
		      "P madvise R[512:1024] collapse\n");
}

static bool test_khugepaged_max_ptes_none_0(void)
{
	return agrees("set khugepaged/max_ptes_none 0\n"
		      "spawn P\n"
		      "P mmap R 6M\n"
		      "P write R[0:511]\n"
		      "P write R[512:1024]\n"
		      "P write R[1024:1100]\n"
		      "P madvise R hugepage\n"
		      "khugepaged 2\n"
		      "expect P R[0:512] thp = 0\n"
		      "expect P R[512:1024] thp = 1\n"
		      "set khugepaged/max_ptes_none 511\n"
		      "khugepaged\n");
}

/* What this kernel's read faults map, probed once (see zero_page.h). */
static struct kx_zero_page zero = { -1, -1 };
static bool probed;

/*
 * A read fault on a never-touched page: both map the zero page, or, on a
 * kernel that maps none, both allocate (the model runs with
 * model/zero_page=0 there).
 */
static bool test_read_fault(void)
{
	return agrees("spawn P\n"
		      "P mmap R 2M\n"
		      "P write R[8]\n"
		      "P read R[0:4]\n"
		      "P write R[9]\n");
}

/*
 * The model forced to the opposite of this kernel at read faults: the
 * read fault is the first difference, at its statement (line 6, the
 * sixth statement), with both maps and a note.
 */
static bool zero_page_differs(const char *text, const char *kernel_maps,
			      const char *model_has, const char *map_a,
			      const char *map_b)
{
	struct diff_out d;

	if (!diff(text, &d))
		return false;
	print_indented(d.text);
	CHECK_INT(d.status, ==, 1);
	CHECK(strstr(d.text, "t7200.fsim:6:1: after 'P read R[0:4]'\n"));
	CHECK(strstr(d.text, "note: a zero page differs; "));
	CHECK(strstr(d.text, kernel_maps));
	CHECK(strstr(d.text, model_has));
	CHECK(!map_a || (strstr(d.text, map_a) && strstr(d.text, map_b)));
	CHECK_INT(d.v.op, ==, 5);
	CHECK(d.v.zero_page);
	free(d.text);
	return true;
}

/* Small pages: model/zero_page the opposite of the kernel's. */
static bool test_first_difference(void)
{
	char text[512];

	CHECK(probed);
	tk_zero_scenario(text, sizeof(text), !zero.small, 1, "P write R[8]");
	return zero_page_differs(text, zero.small ?
				 "a read fault maps the zero page," :
				 "a read fault maps a real page,",
				 zero.small ? "model/zero_page=0," :
					      "model/zero_page=1,",
				 "0000....x...", "xxxx....x...");
}

/* An advised PMD range: model/huge_zero_page the opposite of the kernel's. */
static bool test_first_difference_huge(void)
{
	char text[512];

	CHECK(probed);
	tk_zero_scenario(text, sizeof(text), 1, !zero.huge,
			 "P madvise R hugepage");
	return zero_page_differs(text, zero.huge ?
				 "the huge zero page in an advised PMD range" :
				 "a THP in an advised PMD range",
				 zero.huge ? "model/huge_zero_page=0\n" :
					     "model/huge_zero_page=1\n",
				 NULL, NULL);
}

/* Why a zero-page test cannot be run here, or NULL. */
static const char *small_unknown(void)
{
	return probed && zero.small < 0 ?
		       "the probe could not tell whether read faults map the "
		       "zero page" : NULL;
}

static const char *huge_unknown(void)
{
	return probed && zero.huge < 0 ?
		       "the probe could not tell whether read faults map the "
		       "huge zero page" : NULL;
}

static bool test_failing_statement(void)
{
	struct diff_out d;

	if (!diff("spawn P\n"
		  "P mmap R 2M\n"
		  "P mprotect R ro\n"
		  "P write R[1]\n", &d))
		return false;
	CHECK_INT(d.status, ==, 2);
	CHECK(strstr(d.text, "t7200.fsim:4:1: after 'P write R[1]': cannot "
			     "compare"));
	CHECK(strstr(d.text, "kernel: write: Bad address"));
	free(d.text);
	return true;
}

static const struct {
	bool (*fn)(void);
	const char *desc;
	const char *(*skip)(void);	/* why it cannot run here, or NULL */
} tests[] = {
	{ test_fork_cow, "fork and COW: model and kernel agree" },
	{ test_pmd_thp_fault, "PMD THP faults and COW of a THP agree" },
	{ test_partial_dontneed, "partial MADV_DONTNEED of THPs agrees" },
	{ test_madv_collapse, "MADV_COLLAPSE agrees, shared and not" },
	{ test_khugepaged_max_ptes_none_0,
	  "khugepaged with max_ptes_none 0 agrees" },
	{ test_read_fault, "a read fault agrees, zero page or not" },
	{ test_first_difference, "the first difference is reported at its "
	  "statement with both maps", small_unknown },
	{ test_first_difference_huge, "a huge zero page that differs is "
	  "reported at its read fault", huge_unknown },
	{ test_failing_statement, "a failing statement is bad input" },
};
#define NR_TESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int main(void)
{
	char why[256];
	int i, lock;

	if (!tk_begin(exec_kernel_check, why, sizeof(why), &lock)) {
		for (i = 0; i < NR_TESTS; i++)
			tap_skip(why, "%s", tests[i].desc);
		return tap_done();
	}
	probed = tk_zero_probe(&zero);
	for (i = 0; i < NR_TESTS; i++) {
		const char *skip = tests[i].skip ? tests[i].skip() : NULL;

		if (skip)
			tap_skip(skip, "%s", tests[i].desc);
		else
			TEST(tests[i].fn(), "%s", tests[i].desc);
	}
	close(lock);
	return tap_done();
}
