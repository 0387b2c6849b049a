// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the kernel tests (see tk.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/guard.h"
#include "host/tracefs.h"
#include "kernel/exec_kernel.h"
#include "tap.h"
#include "tk.h"

int tk_serialize(void)
{
	char err[256];
	int fd = kx_test_lock(err, sizeof(err));

	if (fd < 0)
		printf("# %s\n", err);
	return fd;
}

struct kx_guard *tk_open_guard(FILE *out)
{
	struct kx_guard *g;
	char err[512];

	if (!kx_guard_open_wait(&g, 120, err, sizeof(err)))
		return g;
	fprintf(out, "%skx_guard_open: %s\n", out == stdout ? "# " : "", err);
	return NULL;
}

bool tk_zero_probe(struct kx_zero_page *z)
{
	struct kx_guard *g = tk_open_guard(stdout);
	char err[256];
	int ret;

	if (!g)
		return false;
	ret = kx_zero_probe(g, z, err, sizeof(err));
	kx_guard_close(g);
	if (ret)
		printf("# kx_zero_probe: %s\n", err);
	else
		printf("# read faults map: small %d, huge %d (1 the zero "
		       "page, 0 a real page, -1 could not tell)\n", z->small,
		       z->huge);
	return !ret;
}

bool tk_begin(int (*can_run)(char *why, size_t len), char *why, size_t len,
	      int *lock)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	*lock = -1;
	if (can_run(why, len))
		return false;
	*lock = tk_serialize();
	if (kx_restore_saved(-1, why, len) < 0)
		printf("# kx_restore_saved: %s\n", why);
	return true;
}

pid_t tk_spawn_out(char *const argv[], int *out_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0)
		close(p[0]);
	else
		*out_fd = p[0];
	return pid;
}

void tk_skip_all(const struct tk_test *tests, int n, const char *why)
{
	int i;

	for (i = 0; i < n; i++)
		tap_skip(why, "%s", tests[i].desc);
}

int tk_main(const struct tk_test *tests, int n,
	    int (*can_run)(char *why, size_t len))
{
	char why[256];
	int i, lock;

	if (!tk_begin(can_run, why, sizeof(why), &lock)) {
		tk_skip_all(tests, n, why);
		return tap_done();
	}
	for (i = 0; i < n; i++)
		TEST(tests[i].fn(), "%s", tests[i].desc);
	if (lock >= 0)
		close(lock);
	return tap_done();
}

void tk_zero_scenario(char *text, size_t size, int zero_page,
		      int huge_zero_page, const char *line)
{
	snprintf(text, size, "set model/zero_page %d\n"
		 "set model/huge_zero_page %d\n"
		 "spawn P\n"
		 "P mmap R 2M\n"
		 "%s\n"
		 "P read R[0:4]\n"
		 "P write R[9]\n", zero_page, huge_zero_page, line);
}

int tk_can_trace(char *why, size_t len)
{
	return exec_kernel_check(why, len) || kx_tracefs_check(why, len);
}
