// SPDX-License-Identifier: GPL-2.0-only
/*
 * One kernel run per machine: an exclusive flock() on KX_LOCK_PATH, held
 * for the whole run, with the holder's pid in the file for the message a
 * second run prints.  The kernel drops the lock when the holder dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* mkdir -p KX_RUN_DIR */
static int make_run_dir(char *err, size_t len)
{
	char path[] = KX_RUN_DIR;
	char *p = path;

	do {
		p = strchr(p + 1, '/');
		if (p)
			*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			snprintf(err, len, "cannot create %s: %s", path,
				 strerror(errno));
			return -1;
		}
		if (p)
			*p = '/';
	} while (p);
	return 0;
}

static void busy_message(int fd, char *err, size_t len)
{
	char pid[32] = "";
	ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

	pid[n > 0 ? n : 0] = '\0';
	pid[strcspn(pid, "\n")] = '\0';
	snprintf(err, len, "another foliosim kernel run (pid %s) holds %s",
		 *pid ? pid : "unknown", KX_LOCK_PATH);
}

static void write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n)
		return;		/* the pid is only for messages */
}

/**
 * kx_lock_take() - take the machine-wide lock without waiting
 * @fdp: receives the lock's file descriptor (close-on-exec)
 *
 * Return: 0; KX_CANNOT_RUN if another run holds it ("another foliosim
 * kernel run (pid N) holds /run/foliosim/lock" in @err); -1 on error.
 */
int kx_lock_take(int *fdp, char *err, size_t len)
{
	bool busy;
	int fd;

	if (make_run_dir(err, len))
		return -1;
	fd = open(KX_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, len, "cannot open %s: %s", KX_LOCK_PATH,
			 strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		busy = errno == EWOULDBLOCK;
		if (busy)
			busy_message(fd, err, len);
		else
			snprintf(err, len, "cannot lock %s: %s", KX_LOCK_PATH,
				 strerror(errno));
		close(fd);
		return busy ? KX_CANNOT_RUN : -1;
	}
	write_pid(fd);
	*fdp = fd;
	return 0;
}

void kx_lock_drop(int fd)
{
	if (fd >= 0)
		close(fd);
}
