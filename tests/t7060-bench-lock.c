// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-scenarios while another run holds the kernel lock: it names the
 * holder's pid as the CLI does, and says whether it waited for the lock
 * (then measured) or skipped the kernel.  This test is the holder (the
 * run lock without a guard: it changes nothing).  Needs root, THP and
 * build/bench/bench-scenarios (make check builds it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/guard.h"
#include "kernel/exec_kernel.h"
#include "lib/tap.h"
#include "lib/tk.h"

#define BENCH		"build/bench/bench-scenarios"
#define WORK_DIR	"build/t7060"

/* One small scenario for the kernel to run. */
static bool make_dir(void)
{
	FILE *f;

	mkdir("build", 0755);
	mkdir(WORK_DIR, 0755);
	f = fopen(WORK_DIR "/one.fsim", "w");
	CHECK(f);
	fputs("spawn P\nP mmap R 2M\nP write R[0:8]\n"
	      "expect P R present = 8\nP read R\n", f);
	CHECK(!fclose(f));
	return true;
}

/*
 * Start the bench on WORK_DIR with @wait_s seconds of patience; its
 * stdout comes on *@out_fd.
 */
static pid_t bench_start(int wait_s, int *out_fd)
{
	char wait[16];
	char *argv[] = { BENCH, "--kernel-only", "--lock-wait", wait,
			 WORK_DIR, NULL };

	snprintf(wait, sizeof(wait), "%d", wait_s);
	return tk_spawn_out(argv, out_fd);
}

/* Everything the bench printed, then its exit status. */
static int bench_end(pid_t pid, int fd, char *out, size_t len)
{
	size_t n = 0;
	ssize_t r;
	int st = -1;
	char *p, *nl;

	while (n + 1 < len && ((r = read(fd, out + n, len - 1 - n)) > 0 ||
			       (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	out[n] = '\0';
	close(fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	for (p = out; *p; p = nl + !!*nl) {
		nl = p + strcspn(p, "\n");
		printf("# bench: %.*s\n", (int)(nl - p), p);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int hold_lock(void)
{
	char err[256];
	int fd = kx_run_lock_wait(600, err, sizeof(err));

	if (fd < 0)
		printf("# %s\n", err);
	return fd;
}

/* The lock held throughout: it waits as long as told, then skips. */
static bool test_busy_lock_skipped(void)
{
	char out[4096], want[256];
	int fd, lock;
	pid_t pid;

	CHECK(make_dir());
	lock = hold_lock();
	CHECK(lock >= 0);
	pid = bench_start(2, &fd);
	if (pid < 0)
		close(lock);
	CHECK(pid > 0);
	CHECK_INT(bench_end(pid, fd, out, sizeof(out)), ==, 0);
	close(lock);
	snprintf(want, sizeof(want), "kernel: skipped, not measured: another "
		 "foliosim kernel run (pid %d) holds %s (waited 2 s for "
		 "it)\n", (int)getpid(), KX_LOCK_PATH);
	CHECK(strstr(out, want));
	CHECK(!strstr(out, "cannot run here"));
	return true;
}

/* The lock released after 3 s: it waited, then measured, and says so. */
static bool test_busy_lock_waited(void)
{
	char out[4096], want[256], *w;
	int fd, lock, secs = -1, holder = 0;
	pid_t pid;

	CHECK(make_dir());
	lock = hold_lock();
	CHECK(lock >= 0);
	pid = bench_start(120, &fd);
	if (pid > 0)
		sleep(3);
	close(lock);
	CHECK(pid > 0);
	CHECK_INT(bench_end(pid, fd, out, sizeof(out)), ==, 0);
	CHECK(strstr(out, "kernel: ") &&
	      strstr(out, " s for the same files (one profile)\n"));
	/* its last try may have met another run that took the lock then */
	w = strstr(out, "kernel: waited ");
	CHECK(w && sscanf(w, "kernel: waited %d s first: another foliosim "
			  "kernel run (pid %d) holds", &secs, &holder) == 2);
	CHECK_INT(secs, >=, 2);
	CHECK_INT(holder, >, 0);
	snprintf(want, sizeof(want), ") holds %s\n", KX_LOCK_PATH);
	CHECK(strstr(w, want));
	return true;
}

static const struct tk_test tests[] = {
	{ test_busy_lock_skipped,
	  "bench-scenarios names the lock's holder and says it skipped" },
	{ test_busy_lock_waited,
	  "bench-scenarios names the lock's holder and says it waited" },
};
#define NR_TESTS ((int)(sizeof(tests) / sizeof(tests[0])))

static int can_run(char *why, size_t len)
{
	if (access(BENCH, X_OK) || access("foliosim", X_OK)) {
		snprintf(why, len, "no %s or ./foliosim (make check builds "
			 "them)", access(BENCH, X_OK) ? BENCH : "foliosim");
		return KX_CANNOT_RUN;
	}
	return exec_kernel_check(why, len);
}

int main(void)
{
	return tk_main(tests, NR_TESTS, can_run);
}
