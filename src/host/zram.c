// SPDX-License-Identifier: GPL-2.0-only
/*
 * zram swap for a run: set up only when no swap is active and zram0 is
 * unused, recorded in the saved copy before the first step, and removed
 * (swapoff(2), then zram reset; async-signal-safe) on every way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "zram.h"

#define ZRAM_NAME "zram0"

/* The number of active swap areas, or -1. */
static int swap_count(char *err, size_t len)
{
	char line[512];
	FILE *f;
	int n = -1;

	f = fopen("/proc/swaps", "re");
	if (!f) {
		snprintf(err, len, "cannot read /proc/swaps: %s",
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		n++;		/* the first line is a header */
	fclose(f);
	return n < 0 ? 0 : n;
}

static int zram_unused(char *err, size_t len)
{
	char size[32];
	ssize_t n;

	if (access("/dev/" ZRAM_NAME, F_OK)) {
		snprintf(err, len, "no swap is active and /dev/%s does not "
			 "exist", ZRAM_NAME);
		return -1;
	}
	n = kx_read_file("/sys/block/" ZRAM_NAME "/disksize", size,
			 sizeof(size));
	kx_choice_word(size);
	if (n < 0 || strcmp(size, "0")) {
		snprintf(err, len, "no swap is active and %s is in use "
			 "(disksize %s)", ZRAM_NAME, n < 0 ? "unknown" : size);
		return -1;
	}
	return 0;
}

/* Full path of @name in $PATH or the sbin directories. */
static int find_program(const char *name, char *buf, size_t len)
{
	char dirs[2048], *dir, *save;
	const char *path = getenv("PATH");

	snprintf(dirs, sizeof(dirs), "%s:/usr/local/sbin:/usr/sbin:/sbin",
		 path ? path : "");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		if (*dir != '/')
			continue;
		snprintf(buf, len, "%s/%s", dir, name);
		if (!access(buf, X_OK))
			return 0;
	}
	return -1;
}

static void exec_quietly(struct kx_guard *g, const char *prog,
			 const char *arg)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	kx_child_after_fork(g);
	if (fd >= 0)
		dup2(fd, STDOUT_FILENO);
	execl(prog, prog, arg, (char *)NULL);
	_exit(127);
}

static int run_mkswap(struct kx_guard *g, const char *dev, char *err,
		      size_t len)
{
	char prog[KX_PATH_LEN];
	int status;
	pid_t pid;

	if (find_program("mkswap", prog, sizeof(prog))) {
		snprintf(err, len, "cannot find mkswap in PATH or the sbin "
			 "directories");
		return -1;
	}
	pid = fork();
	if (pid == 0)
		exec_quietly(g, prog, dev);
	if (pid < 0) {
		snprintf(err, len, "cannot fork: %s", strerror(errno));
		return -1;
	}
	kx_child_add(g, pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kx_child_del(g, pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, len, "%s %s failed (status %d)", prog, dev,
			 status);
		return -1;
	}
	return 0;
}

/* Record (memory, then disk) that zram0 will be ours. */
static int record_zram(struct kx_guard *g, char *err, size_t len)
{
	snprintf(g->st.zram, sizeof(g->st.zram), "%s", ZRAM_NAME);
	atomic_signal_fence(memory_order_seq_cst);
	g->st.has_zram = 1;
	if (!kx_saved_write(&g->st, err, len))
		return 0;
	g->st.has_zram = 0;
	return -1;
}

static void forget_zram(struct kx_guard *g)
{
	char err[256];

	g->st.has_zram = 0;
	if (kx_saved_write(&g->st, err, sizeof(err)))
		fprintf(stderr, "foliosim: %s\n", err);
}

int kx_swap_ensure(struct kx_guard *g, char *err, size_t len)
{
	const char *dev = "/dev/" ZRAM_NAME;
	int n, ret;

	if (!g || !g->active) {
		snprintf(err, len, "cannot set up swap: no guard");
		return -1;
	}
	n = swap_count(err, len);
	if (n)
		return n < 0 ? -1 : 0;
	if (zram_unused(err, len) || record_zram(g, err, len))
		return -1;
	ret = kx_write_file("/sys/block/" ZRAM_NAME "/disksize", KX_ZRAM_SIZE);
	if (ret) {
		snprintf(err, len, "cannot size %s: %s", ZRAM_NAME,
			 strerror(-ret));
		goto out_remove;
	}
	if (run_mkswap(g, dev, err, len))
		goto out_remove;
	if (swapon(dev, 0)) {
		snprintf(err, len, "cannot swapon %s: %s", dev,
			 strerror(errno));
		goto out_remove;
	}
	return 1;

out_remove:
	kx_zram_remove(&g->st, -1);
	forget_zram(g);
	return -1;
}

/*
 * swapoff and reset the recorded zram device.  Async-signal-safe.
 * Return: 0, or 1 if it could not be removed (reported on stderr).
 */
int kx_zram_remove(struct kx_state *st, int report_fd)
{
	char dev[KX_NAME_LEN + 8] = "/dev/", reset[KX_PATH_LEN];
	char buf[KX_ERRBUF];
	int ret;

	if (!st->has_zram)
		return 0;
	kx_scat(dev, sizeof(dev), st->zram);
	kx_scpy(reset, sizeof(reset), "/sys/block/");
	kx_scat(reset, sizeof(reset), st->zram);
	kx_scat(reset, sizeof(reset), "/reset");
	if (swapoff(dev) && errno != EINVAL) {
		kx_say(STDERR_FILENO, "foliosim: cannot swapoff ", dev, ": ",
		       kx_errname(errno, buf), NULL);
		return 1;
	}
	ret = kx_write_file(reset, "1");
	if (ret) {
		kx_say(STDERR_FILENO, "foliosim: cannot reset ", st->zram,
		       ": ", kx_errname(-ret, buf), NULL);
		return 1;
	}
	st->has_zram = 0;
	kx_say(report_fd, "removed swap on ", dev, NULL);
	return 0;
}
