// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every scenario under tests/scenarios/ (recursively, in sorted order; or
 * under $FOLIOSIM_SCENARIOS) on the live kernel, two TAP lines each:
 *  - "kernel: FILE": every expectation that applies to the kernel holds
 *    and no data is lost;
 *  - "diff: FILE": model and kernel agree after every statement (the first
 *    difference is printed as diagnostics otherwise).  A file that pins a
 *    difference the model does not follow says so in a comment line
 *    "# known-difference: CLASS" (the diff verdict's class, e.g.
 *    "page:state:zero/present"): its diff passes only while that first
 *    difference still shows, so the test notices when it goes away.
 * Each run is a child process of its own (a crash or a hang of one
 * scenario costs one line, and the guard of the child undoes its run).
 * On a kernel that maps no zero page at read faults (found by a probe at
 * the start; such a kernel still maps one at THP splits), a scenario whose
 * first difference is a zero page is skipped with that reason.  Without root
 * or THP every line is skipped; kernel test binaries take turns
 * on KX_TEST_LOCK.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diff/diff.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "kernel/zero_page.h"
#include "lib/tap.h"
#include "lib/tk.h"
#include "scenario/scenario.h"

#define SCENARIO_DIR	"tests/scenarios"
#define TIMEOUT_S	300	/* one run of one scenario */
#define ZERO_FLAG	16	/* diff child: a zero page differs */

/*
 * Under AddressSanitizer the long scenarios (the kernel selftests'
 * compound_extreme has thousands of statements) are left to the plain
 * build of this test.
 */
#ifdef __SANITIZE_ADDRESS__
#define MAX_OPS		500
#else
#define MAX_OPS		(1 << 30)
#endif

/* End sanitizer reports with abort(), so that the guard undoes the run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "abort_on_error=1";
}

/* {========== one run in a child ==========} */

static void print_failures(FILE *out, const struct scn_scenario *s,
			   const struct exec_result *r)
{
	int i;

	for (i = 0; i < r->nr_expects; i++)
		if (!r->expects[i].passed)
			fprintf(out, "%s:%d: %s: got %s\n", s->path,
				s->ops[r->expects[i].op].line,
				s->ops[r->expects[i].op].text,
				r->expects[i].got);
	if (r->error[0])
		fprintf(out, "%s\n", r->error);
}

/* The CLASS of a "# known-difference: CLASS" line of @path, or "". */
static void known_difference(const char *path, char cls[64])
{
	static const char key[] = "# known-difference:";
	char line[512];
	FILE *f = fopen(path, "r");

	cls[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, sizeof(key) - 1) &&
		    sscanf(line + sizeof(key) - 1, "%63s", cls) != 1)
			cls[0] = '\0';
	if (f)
		fclose(f);
}

/* A diff's status against the file's known difference, if it has one. */
static int judge_known(const char *path, int st,
		       const struct kx_diff_verdict *v, FILE *out)
{
	char known[64];

	known_difference(path, known);
	if (!known[0] || (st != EXEC_OK && st != EXEC_FAILED))
		return st;
	if (st == EXEC_FAILED && !strcmp(v->what, known)) {
		fprintf(out, "the known difference %s shows, as pinned\n",
			known);
		return EXEC_OK;
	}
	if (st == EXEC_OK)
		fprintf(out, "the known difference %s no longer shows: the "
			     "model or the kernel changed; update %s\n", known,
			path);
	else
		fprintf(out, "the first difference is %s, not the known %s\n",
			v->what, known);
	return EXEC_FAILED;
}

/* The child's work; its exit status. */
static int child_run(const char *path, bool diff, FILE *out)
{
	struct kx_diff_verdict v = { .op = -1 };
	struct kx_diff_opts o = { .out = out, .verdict = &v };
	struct scn_scenario s;
	struct exec_result r;
	struct kx_guard *g;
	char err[512];
	int st;

	if (scn_parse_file(path, &s, err, sizeof(err))) {
		fprintf(out, "%s\n", err);
		return EXEC_BAD_INPUT;
	}
	g = tk_open_guard(out);
	if (!g)
		return EXEC_CANNOT_RUN;
	if (diff) {
		st = judge_known(path, kx_diff(&s, g, &o), &v, out);
		if (st == EXEC_FAILED && v.zero_page)
			st |= ZERO_FLAG;
	} else {
		st = (int)exec_kernel(&s, g, NULL, &r);
		if (st != EXEC_OK)
			print_failures(out, &s, &r);
		exec_result_free(&r);
	}
	if (kx_guard_close(g) && st == EXEC_OK)
		st = EXEC_CANNOT_RUN;
	scn_free(&s);
	return st;
}

static char *read_all(int fd, pid_t pid)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	time_t deadline = time(NULL) + TIMEOUT_S;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	while (buf) {
		if (len + 1024 > cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
		if (poll(&p, 1, 1000) == 0) {
			if (time(NULL) < deadline)
				continue;
			kill(pid, SIGTERM);	/* its guard undoes it */
			len += (size_t)snprintf(buf + len, cap - len,
						"timed out after %d s\n",
						TIMEOUT_S);
			break;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			len += (size_t)n;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Run @path on the kernel (or diff it) in a child; its status, output. */
static int run_child(const char *path, bool diff, char **text)
{
	int pfd[2], ws = 0;
	pid_t pid;

	*text = NULL;
	if (pipe(pfd))
		return EXEC_CANNOT_RUN;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		FILE *out;
		int st;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		close(pfd[0]);
		out = fdopen(pfd[1], "w");
		st = out ? child_run(path, diff, out) : EXEC_CANNOT_RUN;
		if (out)
			fclose(out);
		_exit(st);
	}
	close(pfd[1]);
	*text = read_all(pfd[0], pid);
	close(pfd[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return WEXITSTATUS(ws);
}

static void diagnostics(const char *text);

/*
 * Counters are global: other processes on the machine (paging out to the
 * run's swap, faulting THPs) can move them.  A failed run is run once
 * more, and the first failure is kept as diagnostics if the second passes.
 */
static int run_twice(const char *path, bool diff, char **text)
{
	char *first;
	int st = run_child(path, diff, &first);

	if (!st || st == (EXEC_FAILED | ZERO_FLAG) || st == EXEC_BAD_INPUT) {
		*text = first;
		return st;
	}
	st = run_child(path, diff, text);
	if (!st) {
		printf("# passed on the second run; the first said:\n");
		diagnostics(first);
	}
	free(first);
	return st;
}

/* {========== TAP ==========} */

static void diagnostics(const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		printf("# %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
}

/* What went wrong in a run, as TAP diagnostics. */
static void explain(int st, const char *text)
{
	diagnostics(text);
	if (st >= 128)
		printf("# the run died of signal %d\n", st - 128);
}

static const char no_zero_page[] =
	"zero pages differ on a kernel that maps no zero page at read faults "
	"(but one at THP splits)";

/* Statements in @path, or -1 if it does not parse. */
static int nr_ops(const char *path)
{
	struct scn_scenario s;
	char err[512];
	int n;

	if (scn_parse_file(path, &s, err, sizeof(err)))
		return -1;
	n = s.nr_ops;
	scn_free(&s);
	return n;
}

static void test_file(const char *path, bool nozero)
{
	char *dtext, *ktext;
	int dst, kst;
	bool zero;

	if (nr_ops(path) > MAX_OPS) {
		tap_skip("too long under the sanitizer", "kernel: %s", path);
		tap_skip("too long under the sanitizer", "diff: %s", path);
		return;
	}
	dst = run_twice(path, true, &dtext);
	kst = run_twice(path, false, &ktext);
	zero = nozero && dst == (EXEC_FAILED | ZERO_FLAG);

	if (kst && zero) {
		tap_skip(no_zero_page, "kernel: %s", path);
	} else {
		if (kst)
			explain(kst, ktext);
		tap_run(kst == 0, "kernel: %s", path);
	}
	if (zero) {
		tap_skip(no_zero_page, "diff: %s", path);
	} else {
		if (dst)
			explain(dst, dtext);
		tap_run(dst == 0, "diff: %s", path);
	}
	free(dtext);
	free(ktext);
}

/* Does this kernel map no zero page (or no huge one) at read faults? */
static bool maps_no_zero_page(void)
{
	struct kx_zero_page z;

	return tk_zero_probe(&z) && (!z.small || !z.huge);
}

int main(void)
{
	const char *dir = getenv("FOLIOSIM_SCENARIOS");
	struct scn_files l = { 0 };
	char why[256];
	int i, lock;
	bool can, nozero = false;

	can = tk_begin(exec_kernel_check, why, sizeof(why), &lock);
	scn_find_files(&l, dir ? dir : SCENARIO_DIR);
	if (!l.nr)
		tap_skip("no scenario files", "%s", dir ? dir : SCENARIO_DIR);
	if (can)
		nozero = maps_no_zero_page();
	for (i = 0; i < l.nr; i++) {
		if (can) {
			test_file(l.files[i], nozero);
		} else {
			tap_skip(why, "kernel: %s", l.files[i]);
			tap_skip(why, "diff: %s", l.files[i]);
		}
	}
	scn_files_free(&l);
	if (lock >= 0)
		close(lock);
	return tap_done();
}
