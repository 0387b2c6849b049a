// SPDX-License-Identifier: GPL-2.0-only
/*
 * --why on the live kernel: 'kernel --why' gives every PMD of the
 * one-region-per-verdict scenario (tests/lib/tt.c) the verdict the model
 * gives it, with the same text, except where the kernel cannot see what
 * the model sees (an anon_vma, khugepaged's list): there it says so; and
 * 'diff --why' agrees.
 * Without root, THP or a trace instance every test is skipped; kernel
 * test binaries take turns on KX_TEST_LOCK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "host/tracefs.h"
#include "lib/tap.h"
#include "lib/tk.h"
#include "lib/tt.h"
#include "report/report.h"

/* End sanitizer reports with abort(), so that the guard undoes the run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "abort_on_error=1";
}

/*
 * The kernel's verdict of region @name where it cannot see what the
 * model sees (an anon_vma, khugepaged's list): eligible as far as can be
 * seen, never scanned, saying what it cannot tell.
 */
static const char *unseen(const char *name)
{
	if (!strcmp(name, "W"))
		return "never scanned: eligible as far as can be seen (no page "
		       "in its VMA: perhaps no anon_vma)";
	if (!strcmp(name, "E"))
		return "never scanned: eligible as far as can be seen (the "
		       "kernel does not show whether its mm is on khugepaged's "
		       "list)";
	return NULL;
}

static bool same_verdicts(const struct scn_scenario *s,
			  const struct exec_result *m,
			  const struct exec_result *k)
{
	char a[256], b[256];
	int i;

	CHECK_INT(k->nr_whys, ==, m->nr_whys);
	for (i = 0; i < m->nr_whys; i++) {
		const char *name = s->regions[m->whys[i].region].name;

		exec_why_format(m, &m->whys[i], a, sizeof(a));
		exec_why_format(k, &k->whys[i], b, sizeof(b));
		printf("# %s: model: %s\n#    kernel: %s\n", name, a, b);
		CHECK_INT(k->whys[i].proc, ==, m->whys[i].proc);
		CHECK_INT(k->whys[i].region, ==, m->whys[i].region);
		CHECK(k->whys[i].addr == m->whys[i].addr);
		if (unseen(name)) {
			CHECK_INT(k->whys[i].kind, ==, EXEC_WHY_UNSCANNED);
			CHECK(!strcmp(b, unseen(name)));
			continue;
		}
		CHECK_INT(k->whys[i].kind, ==, m->whys[i].kind);
		CHECK(!strcmp(a, b));
	}
	return true;
}

static bool test_same_verdicts(void)
{
	struct exec_model_opts mo = { .shared_pred = -1, .trace = true,
				      .why = true, .keeper = true };
	struct exec_kernel_opts ko = { .scans = true, .why = true };
	struct exec_result m, k;
	struct scn_scenario s;
	struct kx_guard *g;
	char err[512], *json = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(!scn_parse("t7410.fsim", tt_why_text, strlen(tt_why_text), &s,
			 err, sizeof(err)));
	g = tk_open_guard(stdout);
	CHECK(g);
	exec_kernel(&s, g, &ko, &k);
	kx_guard_close(g);
	exec_model(&s, &mo, &m);
	CHECK_INT(k.status, ==, EXEC_OK);
	CHECK_INT(m.status, ==, EXEC_OK);
	CHECK(k.why);
	CHECK(same_verdicts(&s, &m, &k));
	f = open_memstream(&json, &len);
	CHECK(f);
	report_json(f, &s, &k, 1);
	fclose(f);
	CHECK(strstr(json, "\"why\": [{\"proc\": \"P\", \"region\": \"F\""));
	free(json);
	exec_result_free(&m);
	exec_result_free(&k);
	scn_free(&s);
	return true;
}

/* diff --why of @text agrees, over @n PMD verdicts. */
static bool diff_why(const char *text, int n)
{
	struct kx_diff_opts o = { .why = true };
	struct scn_scenario s;
	struct kx_guard *g;
	char err[512], *out = NULL, want[40];
	size_t len = 0;
	int st;

	CHECK(!scn_parse("t7410.fsim", text, strlen(text), &s, err,
			 sizeof(err)));
	g = tk_open_guard(stdout);
	CHECK(g);
	o.out = open_memstream(&out, &len);
	CHECK(o.out);
	st = kx_diff(&s, g, &o);
	fclose(o.out);
	kx_guard_close(g);
	scn_free(&s);
	printf("# %s", out);
	CHECK_INT(st, ==, 0);
	CHECK(strstr(out, "agree after every statement"));
	snprintf(want, sizeof(want), ", %d PMD verdicts", n);
	CHECK(strstr(out, want));
	free(out);
	return true;
}

static bool test_diff_why(void)
{
	return diff_why(tt_why_text, 10);
}

/*
 * The huge zero page, an empty PMD beside a THP, zero PTEs only (on a
 * kernel that maps no zero page at faults diff runs the model as such).
 */
static bool test_diff_why_zero(void)
{
	return diff_why(tt_why_zero_text, 4);
}

static const struct tk_test tests[] = {
	{ test_same_verdicts, "every PMD's verdict on the kernel is the "
	  "model's" },
	{ test_diff_why, "diff --why agrees on them" },
	{ test_diff_why_zero, "diff --why agrees on zero pages" },
};

int main(void)
{
	return tk_main(tests, (int)(sizeof(tests) / sizeof(tests[0])),
		       tk_can_trace);
}
