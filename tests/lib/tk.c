// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the kernel tests (see tk.h). */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk.h"

int tk_serialize(void)
{
	int fd;

	mkdir(KX_RUN_DIR, 0755);
	fd = open(KX_TEST_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		flock(fd, LOCK_EX);
	return fd;
}

struct kx_guard *tk_open_guard(FILE *out)
{
	struct kx_guard *g;
	char err[512];
	int i;

	for (i = 0; i < 120; i++) {
		if (!kx_guard_open(&g, err, sizeof(err)))
			return g;
		if (!strstr(err, "holds"))
			break;
		sleep(1);
	}
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
