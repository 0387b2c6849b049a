// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel executor where tracefs is not mounted.  Each test runs in a
 * child with a mount namespace of its own (private: nothing propagates to
 * the machine, and the namespace and whatever is mounted in it go when the
 * child ends) where tracefs (and debugfs, which would automount it) is
 * unmounted first.  There a run mounts tracefs for its trace instance and
 * unmounts it on close, SIGTERM, and, after SIGKILL, in recovery by
 * 'kernel --restore' or by the next open; a tracefs mounted before the run
 * stays; where mounting is refused, a run without --trace still works and
 * one with --trace cannot run (status 4) and says why; where debugfs is
 * mounted, its tracing directory is not walked into (that would automount
 * a tracefs nobody unmounts).  Skipped without
 * root, THP or a kernel with tracefs; kernel test binaries take turns on
 * KX_TEST_LOCK.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"
#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "host/tracefs.h"
#include "lib/tap.h"
#include "lib/tk.h"
#include "scenario/scenario.h"

#define TRACING "/sys/kernel/tracing"

/* End sanitizer reports with abort(), so that the guard undoes the run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "abort_on_error=1";
}

/* A collapse: the trace shows mm_collapse_huge_page. */
static const char collapse[] = "spawn P\n"
			       "P mmap R 2M\n"
			       "P write R[0:8]\n"
			       "P madvise R collapse\n"
			       "expect P R thp = 1\n";

/* {========== mounts in this namespace ==========} */

/* The id of the tracefs mounted at @dir in this namespace, or 0. */
static long tracefs_mount_id(const char *dir)
{
	char line[1024], mnt[512], *sep;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	long id = 0, cur;

	while (f && fgets(line, sizeof(line), f)) {
		sep = strstr(line, " - ");
		if (sep && !strncmp(sep, " - tracefs ", 11) &&
		    sscanf(line, "%ld %*d %*s %*s %511s", &cur, mnt) == 2 &&
		    !strcmp(mnt, dir))
			id = cur;	/* the last one is on top */
	}
	if (f)
		fclose(f);
	return id;
}

static bool tracefs_mounted(void)
{
	return tracefs_mount_id(TRACING) != 0;
}

static bool debugfs_mounted(void)
{
	char buf[8192];
	FILE *f = fopen("/proc/self/mounts", "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return strstr(buf, " /sys/kernel/debug debugfs ") != NULL;
}

/* Unmount every tracefs (and debugfs) of this namespace. */
static bool strip_tracefs(void)
{
	int i;

	for (i = 0; i < 8 && debugfs_mounted(); i++)
		umount2("/sys/kernel/debug", MNT_DETACH);
	for (i = 0; i < 8 && tracefs_mounted(); i++)
		umount2(TRACING, MNT_DETACH);
	return !tracefs_mounted() && !debugfs_mounted();
}

static bool file_contains(const char *path, const char *text)
{
	char buf[8192];
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return strstr(buf, text) != NULL;
}

static bool saved_copy_exists(void)
{
	return !access(KX_SAVED_PATH, F_OK);
}

/* Mounting refused from now on in this process and its children. */
static bool forbid_mounting(void)
{
	struct sock_filter insn[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fsopen, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(insn) / sizeof(insn[0]), insn };

	return !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) &&
	       !prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* {========== guarded runs ==========} */

/* Run @text on the kernel; @trace receives the trace events (or NULL). */
static enum exec_status run(struct kx_guard *g, const char *text, FILE *trace,
			    char *error, size_t len)
{
	struct exec_kernel_opts o = { .trace = trace };
	struct scn_scenario s;
	struct exec_result r;
	enum exec_status st;
	char err[512];

	if (scn_parse("t7050.fsim", text, strlen(text), &s, err,
		      sizeof(err))) {
		snprintf(error, len, "%s", err);
		return EXEC_BAD_INPUT;
	}
	st = exec_kernel(&s, g, &o, &r);
	snprintf(error, len, "%s", r.error);
	if (st != EXEC_OK)
		printf("# status %d: %s\n", (int)st, r.error);
	exec_result_free(&r);
	scn_free(&s);
	return st;
}

/* The collapse with --trace: it works and its events are traced. */
static bool traced_collapse(struct kx_guard *g)
{
	char err[512], buf[8192];
	FILE *trace = tmpfile();
	size_t n;

	CHECK(trace);
	CHECK_INT(run(g, collapse, trace, err, sizeof(err)), ==, EXEC_OK);
	rewind(trace);
	n = fread(buf, 1, sizeof(buf) - 1, trace);
	buf[n] = '\0';
	fclose(trace);
	CHECK(strstr(buf, "mm_collapse_huge_page"));
	return true;
}

/*
 * A guarded child that opens the trace instance (mounting tracefs), says
 * "R" on its pipe and waits for a signal.  Its pid, or -1.
 */
static pid_t start_traced_run(void)
{
	char err[512], c = 0;
	struct kx_guard *g;
	int fd[2];
	pid_t pid;

	if (pipe(fd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		signal(SIGTERM, SIG_DFL);
		g = tk_open_guard(stdout);
		if (!g)
			_exit(2);
		if (kx_trace_open(g, err, sizeof(err))) {
			printf("# kx_trace_open: %s\n", err);
			kx_guard_close(g);
			_exit(1);
		}
		if (write(fd[1], "R", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], &c, 1) != 1 || c != 'R') {
		if (pid > 0) {
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
		}
		pid = -1;
	}
	close(fd[0]);
	return pid;
}

/* Start a traced run, kill it with @sig and reap it. */
static bool traced_run_dies(int sig)
{
	pid_t pid = start_traced_run();
	int status;

	CHECK(pid > 0);
	CHECK(tracefs_mounted());
	CHECK(file_contains(KX_SAVED_PATH, "\ntracefs " TRACING " "));
	kill(pid, sig);
	CHECK_INT(waitpid(pid, &status, 0), ==, pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig);
	return true;
}

/* {========== the tests (each in a namespace without tracefs) ==========} */

/* A run with --trace mounts tracefs, traces, and unmounts it at close. */
static bool test_run_mounts_and_unmounts(void)
{
	struct kx_guard *g;
	bool ok, mounted;

	CHECK(!tracefs_mounted());
	g = tk_open_guard(stdout);
	CHECK(g);
	ok = traced_collapse(g);
	mounted = tracefs_mounted();
	ok = ok && file_contains(KX_SAVED_PATH, "\ntracefs " TRACING " ");
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(mounted);
	CHECK(!tracefs_mounted());
	CHECK(!saved_copy_exists());
	return true;
}

/*
 * Where tracefs cannot be mounted, a run without --trace works; one with
 * --trace cannot run and says why.
 */
static bool test_unmountable(void)
{
	struct kx_guard *g;
	char err[512] = "";
	int plain, traced;
	FILE *trace = tmpfile();

	CHECK(trace);
	CHECK(forbid_mounting());
	g = tk_open_guard(stdout);
	CHECK(g);
	plain = run(g, collapse, NULL, err, sizeof(err));
	traced = run(g, collapse, trace, err, sizeof(err));
	CHECK_INT(kx_guard_close(g), ==, 0);
	fclose(trace);
	CHECK_INT(plain, ==, EXEC_OK);
	CHECK_INT(traced, ==, EXEC_CANNOT_RUN);
	CHECK(strstr(err, "tracefs is not mounted and mounting it at "
		      TRACING " failed: Operation not permitted"));
	CHECK(!tracefs_mounted());
	CHECK(!saved_copy_exists());
	return true;
}

/* SIGTERM: the handler removes the instance and unmounts at once. */
static bool test_sigterm_unmounts(void)
{
	CHECK(traced_run_dies(SIGTERM));
	CHECK(!tracefs_mounted());
	CHECK(!saved_copy_exists());
	return true;
}

/* SIGKILL: 'kernel --restore' (kx_restore_saved) unmounts. */
static bool test_sigkill_restore_unmounts(void)
{
	char report[4096], err[256];
	FILE *tmp = tmpfile();
	size_t n;
	int ret;

	CHECK(tmp);
	CHECK(traced_run_dies(SIGKILL));
	CHECK(tracefs_mounted());
	ret = kx_restore_saved(fileno(tmp), err, sizeof(err));
	rewind(tmp);
	n = fread(report, 1, sizeof(report) - 1, tmp);
	report[n] = '\0';
	fclose(tmp);
	CHECK_INT(ret, ==, 1);
	CHECK(strstr(report, "unmounted tracefs at " TRACING "\n"));
	CHECK(!tracefs_mounted());
	CHECK(!saved_copy_exists());
	return true;
}

/* SIGKILL: the next open recovers, unmounting the killed run's tracefs. */
static bool test_sigkill_next_open_unmounts(void)
{
	struct kx_guard *g;
	bool mounted;

	CHECK(traced_run_dies(SIGKILL));
	CHECK(tracefs_mounted());
	g = tk_open_guard(stdout);
	CHECK(g);
	mounted = tracefs_mounted();
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(!mounted);
	CHECK(!tracefs_mounted());
	CHECK(!saved_copy_exists());
	return true;
}

/* A tracefs mounted before the run is used and left mounted. */
static bool test_premounted_stays(void)
{
	struct kx_guard *g;
	long id;
	bool ok;

	CHECK(!mount("nodev", TRACING, "tracefs", 0, NULL));
	id = tracefs_mount_id(TRACING);
	CHECK(id);
	g = tk_open_guard(stdout);
	CHECK(g);
	ok = traced_collapse(g);
	ok = ok && !file_contains(KX_SAVED_PATH, "\ntracefs ");
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK_INT(tracefs_mount_id(TRACING), ==, id);
	return true;
}

#define DEBUG_TRACING "/sys/kernel/debug/tracing"

/*
 * With debugfs mounted and tracefs not, a run neither walks into
 * debugfs's tracing directory (which would automount a tracefs there that
 * nobody unmounts) nor uses it: it mounts its own at TRACING, and at close
 * no tracefs is left anywhere.
 */
static bool test_debugfs_not_automounted(void)
{
	struct kx_guard *g;
	char err[256];
	bool ok, ours;

	CHECK(!mount("none", "/sys/kernel/debug", "debugfs", 0, NULL));
	CHECK(debugfs_mounted());
	CHECK_INT(kx_tracefs_check(err, sizeof(err)), ==, 0);
	CHECK_INT(tracefs_mount_id(DEBUG_TRACING), ==, 0);
	g = tk_open_guard(stdout);
	CHECK(g);
	ok = traced_collapse(g);
	ours = tracefs_mounted() && !tracefs_mount_id(DEBUG_TRACING) &&
	       file_contains(KX_SAVED_PATH, "\ntracefs " TRACING " ");
	CHECK_INT(kx_guard_close(g), ==, 0);
	CHECK(ok);
	CHECK(ours);
	CHECK(!tracefs_mounted());
	CHECK_INT(tracefs_mount_id(DEBUG_TRACING), ==, 0);
	CHECK(!saved_copy_exists());
	return true;
}

/* {========== main ==========} */

/* Run @fn in a child with a private mount namespace without tracefs. */
static bool in_namespace(bool (*fn)(void))
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
			printf("# mount namespace: %s\n", strerror(errno));
			_exit(1);
		}
		if (!strip_tracefs()) {
			printf("# cannot unmount tracefs in the namespace\n");
			_exit(1);
		}
		_exit(fn() ? 0 : 1);
	}
	if (pid < 0)
		return false;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static const struct tk_test tests[] = {
	{ test_run_mounts_and_unmounts,
	  "without tracefs, a traced run mounts it and close unmounts it" },
	{ test_unmountable,
	  "tracefs refused: a run works, a traced run cannot run (4)" },
	{ test_sigterm_unmounts,
	  "SIGTERM to a run that mounted tracefs unmounts it" },
	{ test_sigkill_restore_unmounts,
	  "after SIGKILL, kx_restore_saved unmounts the run's tracefs" },
	{ test_sigkill_next_open_unmounts,
	  "after SIGKILL, the next open unmounts the run's tracefs" },
	{ test_premounted_stays,
	  "a tracefs mounted before the run stays mounted" },
	{ test_debugfs_not_automounted,
	  "with debugfs mounted, no tracefs is automounted in it" },
};
#define NR_TESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int main(void)
{
	char why[256];
	int i, lock;

	if (!tk_begin(tk_can_trace, why, sizeof(why), &lock)) {
		tk_skip_all(tests, NR_TESTS, why);
		return tap_done();
	}
	for (i = 0; i < NR_TESTS; i++) {
		if (tests[i].fn == test_debugfs_not_automounted &&
		    !file_contains("/proc/filesystems", "\tdebugfs\n"))
			tap_skip("this kernel has no debugfs", "%s",
				 tests[i].desc);
		else
			TEST(in_namespace(tests[i].fn), "%s", tests[i].desc);
	}
	close(lock);
	return tap_done();
}
