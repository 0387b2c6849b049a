// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim export --kselftest: the output is deterministic and carries
 * its header; a statement that cannot be exported is refused at its
 * file:line:col; and, in the plain build, every exported program of the
 * seed's case, tests/export/ (every statement of the language once),
 * tests/scenarios/killers/ (if any) and the selftests, behaviour, ksm and
 * swap suites compiles with the system cc and
 * -Wall -Wextra -Werror and, as root with THP, passes on this kernel
 * (exit 0), leaving the settings as it found them and no process behind.
 * A deliberately wrong expect must make a program exit 1 (the checks are
 * not vacuous), and SIGTERM must restore the settings too.  A program
 * takes foliosim's run lock while it runs and skips (exit 4, changing
 * nothing) while another run holds it.
 *
 * The programs run one at a time under the test lock, each under a
 * guard of its own (which gives it a fresh zram swap when it pages out
 * and no swap is active).  Under ASan the
 * compile-and-run part is left to the plain build.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "export/export.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "host/zram.h"
#include "lib/tap.h"
#include "lib/tk.h"

#define SCN_DIR		"tests/scenarios"
#define WORK_DIR	"build/t8700"
#define RUN_TIMEOUT_S	300
#define THP		"/sys/kernel/mm/transparent_hugepage/"
#define KSM		"/sys/kernel/mm/ksm/"

/*
 * Under AddressSanitizer the programs are not compiled and run again:
 * they are the same files, and the plain build of this test runs them.
 */
#ifdef __SANITIZE_ADDRESS__
#define SANITIZED	true
#else
#define SANITIZED	false
#endif

/* {========== helpers ==========} */

struct list {
	char **v;
	int n;
};

static void list_add(struct list *l, const char *s)
{
	char **v = realloc(l->v, (size_t)(l->n + 1) * sizeof(*v));

	if (!v)
		return;
	l->v = v;
	l->v[l->n] = strdup(s);
	if (l->v[l->n])
		l->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.fsim files directly under @dir, sorted (none if it is absent). */
static void add_dir(struct list *l, const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);
	int first = l->n;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 5 && !strcmp(de->d_name + n - 5, ".fsim") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			list_add(l, path);
	}
	if (d)
		closedir(d);
	qsort(l->v + first, (size_t)(l->n - first), sizeof(*l->v), cmp_str);
}

/* Export @path into a malloc'ed string (NULL with @err). */
static char *export_text(const char *path, char *err, size_t len)
{
	struct scn_scenario s;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int ret;

	if (scn_parse_file(path, &s, err, len))
		return NULL;
	f = open_memstream(&buf, &n);
	if (!f) {
		scn_free(&s);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	ret = export_kselftest(f, &s, "foliosim test", err, len);
	fclose(f);
	scn_free(&s);
	if (ret) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(text, f) >= 0;

	if (f && fclose(f))
		ok = false;
	return ok;
}

/* Print @text as TAP diagnostics (its "ok" lines are not ours). */
static void diag(const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		printf("#   %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
}

/*
 * Run @argv with stdout+stderr captured into *@out; after @term_after_ms
 * (if > 0) send it SIGTERM.  Returns the exit status, 128+N for signal N,
 * or -1.
 */
static int run(char *const argv[], char **out, long term_after_ms)
{
	struct timespec t0, t;
	size_t len = 0, cap = 8192;
	int pfd[2], ws = 0;
	bool termed = false;
	pid_t pid;

	*out = malloc(cap);
	if (!*out || pipe(pfd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (!termed && ((term_after_ms > 0 && ms >= term_after_ms) ||
				ms > RUN_TIMEOUT_S * 1000L)) {
			kill(pid, SIGTERM);
			termed = true;
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		if (len + 4096 > cap) {
			char *b = realloc(*out, cap *= 2);

			if (!b)
				break;
			*out = b;
		}
		n = read(pfd[0], *out + len, cap - len - 1);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			len += (size_t)n;
	}
	(*out)[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
}

/* Compile @c into @bin as the brief says; the compiler's words on fail. */
static bool compile(const char *c, const char *bin)
{
	char *argv[] = { "cc", "-std=gnu11", "-Wall", "-Wextra",
			 "-Werror", (char *)c, "-o", (char *)bin, NULL };
	char *out;
	int st = run(argv, &out, 0);

	if (st)
		diag(out);
	free(out);
	return st == 0;
}

/* Is there a system cc to compile the programs with? */
static bool have_cc(void)
{
	char *argv[] = { "cc", "--version", NULL };
	char *out;
	int st = run(argv, &out, 0);

	free(out);
	return st == 0;
}

/* {========== without the kernel ==========} */

static const char seed[] = SCN_DIR "/seed-corner-case.fsim";

static bool deterministic_with_header(void)
{
	char err[512], *a = export_text(seed, err, sizeof(err)), *b;
	bool ok;

	if (!a) {
		printf("# %s\n", err);
		return false;
	}
	b = export_text(seed, err, sizeof(err));
	ok = b && !strcmp(a, b) &&
	     !strncmp(a, "// SPDX-License-Identifier: GPL-2.0-only\n", 41) &&
	     strstr(a, seed) && strstr(a, "foliosim test") &&
	     strstr(a, "static void run_scenario(void)") &&
	     strstr(a, "#define NR_CHECKS\t12\t");
	free(a);
	free(b);
	return ok;
}

static bool refused_at_position(void)
{
	static const char text[] =
		"spawn P\n"
		"P mmap R 2M\n"
		"  P mmap K 2M at 0x200000000000   # the keeper's PMD\n";
	const char *path = WORK_DIR "/refused.fsim";
	char err[512], *out = NULL;

	mkdir("build", 0755);
	mkdir(WORK_DIR, 0755);
	CHECK(write_text(path, text));
	out = export_text(path, err, sizeof(err));
	free(out);
	CHECK(!out);
	printf("# %s\n", err);
	CHECK(strstr(err, WORK_DIR "/refused.fsim:3:3: cannot export: "));
	CHECK(strstr(err, "keeper"));
	return true;
}

static bool expects_for_the_model_stay_comments(void)
{
	char err[512], *a = export_text(seed, err, sizeof(err));
	bool ok;

	CHECK(a);
	/* the six expect[v6.10] lines of the seed */
	ok = strstr(a, "/* 38: expect[v6.10] P R thp = 1 (model profiles "
		    "only) */\n\t/* 39: ") && !strstr(a, "\"expect[v6.10]");
	free(a);
	return ok;
}

/* {========== on the kernel ==========} */

/* The settings a program may touch, as one string. */
static char *settings_now(void)
{
	static const char *const files[] = {
		THP "enabled", THP "defrag", THP "use_zero_page",
		THP "shrink_underused", THP "khugepaged/max_ptes_none",
		THP "khugepaged/max_ptes_swap", THP "khugepaged/max_ptes_shared",
		THP "khugepaged/pages_to_scan", THP "khugepaged/defrag",
		THP "khugepaged/scan_sleep_millisecs",
		THP "khugepaged/alloc_sleep_millisecs", KSM "run",
		KSM "pages_to_scan", KSM "max_page_sharing",
		KSM "use_zero_pages", KSM "sleep_millisecs",
		KSM "merge_across_nodes", "/proc/sys/vm/min_free_kbytes",
	};
	char *buf = NULL, line[256], path[512];
	size_t len = 0, i;
	struct dirent *de;
	FILE *f = open_memstream(&buf, &len), *in;
	DIR *d = opendir(THP);

	for (i = 0; f && i < sizeof(files) / sizeof(files[0]); i++) {
		in = fopen(files[i], "r");
		if (in && fgets(line, sizeof(line), in))
			fprintf(f, "%s: %s", files[i], line);
		if (in)
			fclose(in);
	}
	while (f && d && (de = readdir(d))) {
		if (strncmp(de->d_name, "hugepages-", 10))
			continue;
		snprintf(path, sizeof(path), THP "%s/enabled", de->d_name);
		in = fopen(path, "r");
		if (in && fgets(line, sizeof(line), in))
			fprintf(f, "%s: %s", path, line);
		if (in)
			fclose(in);
	}
	if (d)
		closedir(d);
	if (f)
		fclose(f);
	return buf;
}

/* We are the subreaper: an actor left behind would be our child now. */
static bool no_process_left(void)
{
	pid_t pid = waitpid(-1, NULL, WNOHANG);

	if (pid > 0) {
		printf("# process %d was left behind\n", (int)pid);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
	return pid < 0 && errno == ECHILD;
}

static void bin_of(const char *path, char *bin, size_t len);

/* Export @path and compile it to WORK_DIR/NAME; the binary's path. */
static bool build(const char *path, char *bin, size_t len)
{
	char err[512], c[600], *text = export_text(path, err, sizeof(err));
	bool ok;

	if (!text) {
		printf("# %s\n", err);
		return false;
	}
	bin_of(path, bin, len);
	snprintf(c, sizeof(c), "%s.c", bin);
	ok = write_text(c, text) && compile(c, bin);
	free(text);
	return ok;
}

/* Does the program of @bin page out (its source says so)? */
static bool uses_swap(const char *bin)
{
	char c[600], line[256];
	bool yes = false;
	FILE *f;

	snprintf(c, sizeof(c), "%s.c", bin);
	f = fopen(c, "r");
	while (f && !yes && fgets(line, sizeof(line), f))
		yes = !strcmp(line, "#define USES_SWAP\t1\n");
	if (f)
		fclose(f);
	return yes;
}

/*
 * Run @bin under a guard of its own (a fresh zram swap where it pages
 * out and none is active: swap slots are allocated from the start, as
 * the scenarios expect); its status, or -1 without a guard.
 * @restored: the settings are as before.  @out gets the output.
 */
static int run_program(const char *bin, char **out, long term_after_ms,
		       bool *restored)
{
	char *argv[] = { (char *)bin, NULL };
	char *before, *after, why[256];
	struct kx_guard *g = tk_open_guard(stdout);
	int st;

	*out = NULL;
	*restored = false;
	if (!g)
		return -1;
	if (uses_swap(bin) && kx_swap_ensure(g, why, sizeof(why)) < 0)
		printf("# no swap: %s\n", why);
	before = settings_now();
	st = run(argv, out, term_after_ms);
	after = settings_now();
	*restored = before && after && !strcmp(before, after);
	if (!*restored)
		printf("# settings before:\n%s# after:\n%s", before, after);
	free(before);
	free(after);
	if (kx_guard_close(g))
		printf("# kx_guard_close failed\n");
	return st;
}

/* WORK_DIR/NAME for scenario @path */
static void bin_of(const char *path, char *bin, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	snprintf(bin, len, WORK_DIR "/%.*s", (int)(strlen(base) - 5), base);
}

static bool export_and_pass(const char *path)
{
	char bin[600], *out = NULL;
	bool restored;
	int st;

	bin_of(path, bin, sizeof(bin));
	st = run_program(bin, &out, 0, &restored);
	if (st == 1 && restored) {
		printf("# first run failed; once more\n");
		free(out);
		st = run_program(bin, &out, 0, &restored);
	}
	if (st)
		diag(out);
	free(out);
	CHECK_INT(st, ==, 0);
	CHECK(restored);
	CHECK(no_process_left());
	return true;
}

static bool wrong_expect_fails(void)
{
	static const char text[] =
		"set enabled madvise\n"
		"spawn P\n"
		"P mmap R 2M\n"
		"P madvise R hugepage\n"
		"P write R\n"
		"expect P R thp = 1\n"
		"expect P R present = 511     # wrong: all 512 are\n"
		"P read R\n";
	const char *path = WORK_DIR "/wrong-expect.fsim";
	char bin[600], *out = NULL;
	bool restored, ok;
	int st;

	CHECK(write_text(path, text));
	CHECK(build(path, bin, sizeof(bin)));
	st = run_program(bin, &out, 0, &restored);
	ok = st == 1 && restored && out && strstr(out, "\n1..3\n") &&
	     strstr(out, "\nok 1 line 6: expect P R thp = 1\n") &&
	     strstr(out, "\nnot ok 2 line 7: expect P R present = 511\n") &&
	     strstr(out, "wrong-expect.fsim:7: expect P R present = 511: "
		    "got 512\n") && strstr(out, "\nok 3 every read");
	if (!ok) {
		printf("# status %d\n", st);
		diag(out);
	}
	free(out);
	return ok && no_process_left();
}

static bool sigterm_restores(void)
{
	char bin[600], *out = NULL;
	bool restored, ok;
	int st;

	CHECK(build(SCN_DIR "/selftests/collapse_compound_extreme."
		    "khugepaged.fsim", bin, sizeof(bin)));
	st = run_program(bin, &out, 700, &restored);
	ok = st == 1 && restored && out &&
	     strstr(out, "Bail out! interrupted");
	if (!ok) {
		printf("# status %d\n", st);
		diag(out);
	}
	free(out);
	return ok && no_process_left();
}

/* {========== foliosim's run lock ==========} */

/* A process that holds the run lock until @go is written to; its pid. */
static pid_t lock_holder(int *go)
{
	int ready[2], gp[2];
	char c = 0, err[256];
	pid_t pid;

	if (pipe(ready) || pipe(gp))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int fd = kx_run_lock_wait(600, err, sizeof(err));

		c = fd >= 0 ? 'R' : 'F';
		if (write(ready[1], &c, 1) != 1 || read(gp[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(gp[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1 || c != 'R') {
		close(gp[1]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	*go = gp[1];
	return pid;
}

static void lock_holder_end(pid_t pid, int go)
{
	if (write(go, "g", 1) != 1)
		kill(pid, SIGKILL);
	close(go);
	waitpid(pid, NULL, 0);
}

/* While another process holds the lock, a program skips, changing nothing. */
static bool lock_held_skips(void)
{
	char bin[600], want[256], *out = NULL, *before, *after;
	char *argv[] = { bin, NULL };
	bool ok, same;
	pid_t holder;
	int st, go;

	bin_of(seed, bin, sizeof(bin));
	holder = lock_holder(&go);
	CHECK(holder > 0);
	before = settings_now();
	st = run(argv, &out, 0);
	after = settings_now();
	lock_holder_end(holder, go);
	same = before && after && !strcmp(before, after);
	free(before);
	free(after);
	snprintf(want, sizeof(want), "\n1..0 # SKIP another foliosim kernel "
		 "run (pid %d) holds /run/foliosim/lock\n", (int)holder);
	ok = st == 4 && out && strstr(out, want);
	if (!ok) {
		printf("# status %d\n", st);
		diag(out);
	}
	free(out);
	CHECK(ok);
	CHECK(same);
	return no_process_left();
}

/*
 * The program's plan is printed once its gate is closed: stop it there,
 * and see who holds the lock.  Return: the exit status of the program
 * (4 if another run held the lock first), *@locked whether opening the
 * guard was refused with the program's pid.
 */
static int run_and_probe_lock(const char *bin, bool *locked)
{
	char buf[8192], err[512], want[256];
	struct kx_guard *g;
	char *argv[] = { (char *)bin, NULL }, *plan;
	size_t len = 0;
	int fd = -1, st = -1;
	bool probed = false;
	ssize_t n;
	pid_t pid;

	*locked = false;
	pid = tk_spawn_out(argv, &fd);
	if (pid < 0)
		return -1;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		plan = strstr(buf, "\n1..");
		if (!probed && plan && plan[4] && plan[4] != '0') {
			probed = true;
			kill(pid, SIGSTOP);
			snprintf(want, sizeof(want), "another foliosim kernel "
				 "run (pid %d) holds /run/foliosim/lock",
				 (int)pid);
			if (!kx_guard_open(&g, err, sizeof(err)))
				kx_guard_close(g);
			else
				*locked = !strcmp(err, want);
			printf("# while the program runs: %s\n", err);
			kill(pid, SIGCONT);
		}
		if (probed) {
			len = 0;
		} else if (len > sizeof(buf) / 2) {	/* keep a tail */
			memmove(buf, buf + len - 8, 8);
			len = 8;
		}
	}
	close(fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * The settings while no run holds the lock (another run's own, its
 * khugepaged gate say, are no baseline).  NULL if the lock cannot be had.
 */
static char *settings_at_rest(void)
{
	char err[256], *text;
	int fd = kx_run_lock_wait(600, err, sizeof(err));

	if (fd < 0) {
		printf("# %s\n", err);
		return NULL;
	}
	text = settings_now();
	close(fd);
	return text;
}

/*
 * A program holds the lock while it runs (here without a guard around
 * it: it restores its own settings) and gives it up at its end.  The
 * settings are compared while no run holds the lock.
 */
static bool holds_lock_while_running(void)
{
	char bin[600], *before, *after;
	bool locked = false, same;
	int st = 4, tries;

	CHECK(build(SCN_DIR "/selftests/collapse_compound_extreme."
		    "khugepaged.fsim", bin, sizeof(bin)));
	before = settings_at_rest();
	/* a run that does not take the test lock may hold it: retry */
	for (tries = 0; st == 4 && tries < 60; tries++) {
		if (tries)
			sleep(5);
		st = run_and_probe_lock(bin, &locked);
	}
	after = settings_at_rest();
	same = before && after && !strcmp(before, after);
	if (!same && before && after)
		printf("# settings before:\n%s# after:\n%s", before, after);
	free(before);
	free(after);
	CHECK_INT(st, ==, 0);
	CHECK(locked);
	CHECK(same);	/* and the lock was free again to read them */
	return no_process_left();
}

static void kernel_tests(const struct list *files, const bool *built)
{
	char why[512];
	int i, lock;

	if (exec_kernel_check(why, sizeof(why))) {
		for (i = 0; i < files->n; i++)
			tap_skip(why, "exported %s passes", files->v[i]);
		tap_skip(why, "a wrong expect makes the program fail");
		tap_skip(why, "SIGTERM restores the settings");
		tap_skip(why, "a program skips while the run lock is held");
		tap_skip(why, "a program holds the run lock while it runs");
		return;
	}
	lock = tk_serialize();
	if (kx_restore_saved(-1, why, sizeof(why)) < 0)
		printf("# kx_restore_saved: %s\n", why);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (i = 0; i < files->n; i++) {
		if (built[i])
			TEST(export_and_pass(files->v[i]),
			     "exported %s passes", files->v[i]);
		else
			tap_skip("did not compile", "exported %s passes",
				 files->v[i]);
	}
	TEST(wrong_expect_fails(), "a wrong expect makes the program fail");
	TEST(sigterm_restores(), "SIGTERM restores the settings");
	TEST(lock_held_skips(), "a program skips while the run lock is held");
	TEST(holds_lock_while_running(),
	     "a program holds the run lock while it runs");
	close(lock);
}

int main(void)
{
	static const char *const dirs[] = {
		"tests/export", SCN_DIR "/killers", SCN_DIR "/selftests",
		SCN_DIR "/behaviour", SCN_DIR "/ksm", SCN_DIR "/swap",
	};
	struct list files = { 0 };
	bool *built;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	TEST(deterministic_with_header(),
	     "export is deterministic, with SPDX and origin header");
	TEST(refused_at_position(),
	     "a statement that cannot be exported: file:line:col");
	TEST(expects_for_the_model_stay_comments(),
	     "expects of model profiles only are comments");
	list_add(&files, seed);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		add_dir(&files, dirs[i]);
	if (SANITIZED || !have_cc()) {
		const char *why = SANITIZED ?
			"compiled and run by the plain build" : "no cc";

		for (i = 0; i < (size_t)files.n; i++)
			tap_skip(why, "exported %s passes", files.v[i]);
		tap_skip(why, "a wrong expect makes the program fail");
		tap_skip(why, "SIGTERM restores the settings");
		tap_skip(why, "a program skips while the run lock is held");
		tap_skip(why, "a program holds the run lock while it runs");
		goto out;
	}
	mkdir("build", 0755);
	mkdir(WORK_DIR, 0755);
	built = calloc((size_t)files.n + 1, sizeof(*built));
	for (i = 0; built && i < (size_t)files.n; i++) {
		char bin[600];

		built[i] = build(files.v[i], bin, sizeof(bin));
		TEST(built[i], "exported %s compiles with -Wall -Wextra "
		     "-Werror", files.v[i]);
	}
	if (built)
		kernel_tests(&files, built);
	free(built);
out:
	for (i = 0; i < (size_t)files.n; i++)
		free(files.v[i]);
	free(files.v);
	return tap_done();
}
