// SPDX-License-Identifier: GPL-2.0-only
/*
 * 'foliosim diff --svg' on the live kernel: the picture is well-formed,
 * holds the model's and the kernel's maps side by side, is of the end of
 * the run when they agree (no page marked), and of the state after the
 * first differing statement when they differ (the model's zero page
 * forced to the opposite of this kernel's), with exactly the differing
 * pages marked.  Skipped without root or THP; serialised by KX_TEST_LOCK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff/diff.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "lib/svgcheck.h"
#include "lib/tap.h"
#include "lib/tk.h"

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "abort_on_error=1";
}

static char path[64];
static struct kx_zero_page zero;
static bool probed;

/* Diff @text into the picture at @path; its status, or -1. */
static int diff_svg(const char *text)
{
	struct kx_diff_opts o = { .svg = path };
	struct scn_scenario s;
	struct kx_guard *g;
	char err[512], *out = NULL;
	size_t len = 0;
	int st;

	if (scn_parse("t7210.fsim", text, strlen(text), &s, err,
		      sizeof(err))) {
		printf("# %s\n", err);
		return -1;
	}
	g = tk_open_guard(stdout);
	if (!g) {
		scn_free(&s);
		return -1;
	}
	o.out = open_memstream(&out, &len);
	st = kx_diff(&s, g, &o);
	fclose(o.out);
	kx_guard_close(g);
	scn_free(&s);
	free(out);
	return st;
}

static char *read_svg(void)
{
	char err[256], *t = svgc_read(path);

	if (t && !svgc_wellformed(t, err, sizeof(err))) {
		printf("# not well-formed: %s\n", err);
		free(t);
		return NULL;
	}
	return t;
}

static bool test_agree(void)
{
	char *t;

	CHECK_INT(diff_svg("spawn P\n"
			   "P mmap R 4M\n"
			   "P madvise R hugepage\n"
			   "P write R[0]\n"
			   "P write R[600]\n"), ==, 0);
	t = read_svg();
	CHECK(t);
	CHECK(strstr(t, "agree after every statement; the state at the "
			"end</text>"));
	CHECK(strstr(t, ">model v6.18</text>"));
	CHECK(strstr(t, ">kernel</text>"));
	CHECK(strstr(t, ">P R</text>"));
	/* two PMD THPs in each column, and the legend's swatch */
	CHECK_INT(svgc_count(t, "class=\"thp\""), ==, 2 * 2 + 1);
	CHECK_INT(svgc_count(t, "class=\"mark\""), ==, 0);
	free(t);
	return true;
}

/* The model's small zero page the opposite of this kernel's. */
static bool test_differ(void)
{
	char text[512], *t;

	CHECK(probed && zero.small >= 0);
	tk_zero_scenario(text, sizeof(text), !zero.small, 1, "P write R[8]");
	CHECK_INT(diff_svg(text), ==, 1);
	t = read_svg();
	CHECK(t);
	CHECK(strstr(t, "first differ after line 6: P read R[0:4]</text>"));
	/* pages 0-3 differ: one run marked under each column, and legend */
	CHECK_INT(svgc_count(t, "class=\"mark\""), ==, 2 + 1);
	CHECK(strstr(t, "<rect x=\"96.00\" y=\"100.0\" width=\"4.33\" "
			"height=\"4.0\" class=\"mark\"/>"));
	CHECK(strstr(t, ">model and kernel differ</text>"));
	CHECK(strstr(t, "class=\"zero\""));
	CHECK_INT(svgc_count(t, "class=\"excl\""), >=, 2);
	free(t);
	return true;
}

int main(void)
{
	char why[256];
	int lock, fd;

	if (!tk_begin(exec_kernel_check, why, sizeof(why), &lock)) {
		tap_skip(why, "diff --svg when model and kernel agree");
		tap_skip(why, "diff --svg at the first difference");
		return tap_done();
	}
	snprintf(path, sizeof(path), "/tmp/fsim-t7210-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	probed = tk_zero_probe(&zero);
	TEST(test_agree(), "diff --svg when model and kernel agree: the end, "
	     "both columns, nothing marked");
	if (probed && zero.small < 0)
		tap_skip("the probe could not tell whether read faults map "
			 "the zero page", "diff --svg at the first difference");
	else
		TEST(test_differ(), "diff --svg at the first difference: the "
		     "differing pages marked");
	close(lock);
	unlink(path);
	return tap_done();
}
