// SPDX-License-Identifier: GPL-2.0-only
/*
 * Taking turns on the live kernel with other runs and the kernel tests:
 * the test lock (waiting), then the guard (waiting while another run
 * holds its lock).  A long search takes both per scenario and drops them
 * in between, so that others' kernel tests interleave with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int kx_test_lock(char *err, size_t len)
{
	int fd;

	if (mkdir(KX_RUN_DIR, 0755) && errno != EEXIST) {
		snprintf(err, len, "cannot create %s: %s", KX_RUN_DIR,
			 strerror(errno));
		return -1;
	}
	fd = open(KX_TEST_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, len, "cannot open %s: %s", KX_TEST_LOCK,
			 strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		snprintf(err, len, "cannot lock %s: %s", KX_TEST_LOCK,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int kx_guard_open_wait(struct kx_guard **gp, int seconds, char *err,
		       size_t len)
{
	int ret, i;

	for (i = 0;; i++) {
		ret = kx_guard_open(gp, err, len);
		/* only "another run holds the lock" is worth waiting for */
		if (!ret || ret != KX_CANNOT_RUN || !strstr(err, " holds ") ||
		    i >= seconds)
			return ret;
		sleep(1);
	}
}

int kx_run_lock_wait(int seconds, char *err, size_t len)
{
	int ret, fd = -1, i;

	for (i = 0;; i++) {
		ret = kx_lock_take(&fd, err, len);
		if (!ret)
			return fd;
		if (ret != KX_CANNOT_RUN || i >= seconds)
			return -1;
		sleep(1);
	}
}
