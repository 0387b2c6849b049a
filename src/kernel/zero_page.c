// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zero-page probe (see zero_page.h): a child read-faults a range no
 * THP applies to and an advised PMD range, and reads back what got mapped.
 * A child, so that its mm (registered with khugepaged by MADV_HUGEPAGE)
 * is gone before the run: the gate's pass then drops it from khugepaged's
 * list like any exited actor's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/internal.h"
#include "observe.h"
#include "zero_page.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_ZERO_PAGE	24
#define PROBE_PAGE	4096UL
#define PROBE_PMD	(512 * PROBE_PAGE)
#define PMD_SIZE_MODE	"hugepages-2048kB/enabled"

/* The 8-byte entry of @path at index @i, or 0. */
static uint64_t entry_at(const char *path, uint64_t i)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t e = 0;

	if (fd >= 0 && pread(fd, &e, sizeof(e), (off_t)(i * 8)) != sizeof(e))
		e = 0;
	if (fd >= 0)
		close(fd);
	return e;
}

/* Read-fault @p; 1 if the zero page is mapped there, 0 if another page. */
static int read_fault(const char *p)
{
	uint64_t pm;

	(void)*(const volatile char *)p;
	pm = entry_at("/proc/self/pagemap", (uintptr_t)p / PROBE_PAGE);
	if (!(pm & PM_PRESENT) || !(pm & PM_PFN_MASK))
		return -1;
	return !!(entry_at("/proc/kpageflags", pm & PM_PFN_MASK) &
		  (1ULL << KPF_ZERO_PAGE));
}

static void probe_here(struct kx_zero_page *z)
{
	char *p, *q, *a;
	int zero;

	z->small = z->huge = -1;
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	p = mmap(NULL, PROBE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED && !madvise(p, PROBE_PAGE, MADV_NOHUGEPAGE))
		z->small = (signed char)read_fault(p);
	q = mmap(NULL, 2 * PROBE_PMD, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return;
	a = (char *)(((uintptr_t)q + PROBE_PMD - 1) & ~(PROBE_PMD - 1));
	if (madvise(a, PROBE_PMD, MADV_HUGEPAGE))
		return;
	zero = read_fault(a);
	if (zero >= 0 && kx_pmd_mapped(getpid(), (uintptr_t)a))
		z->huge = (signed char)zero;
}

static bool is(const char *v, const char *a, const char *b)
{
	return !strcmp(v, a) || (b && !strcmp(v, b));
}

/*
 * use_zero_page 1, and PMD THPs for advised ranges (if not, the
 * executor's defaults: the size inherits, the top level is madvise).
 */
static int probe_settings(struct kx_guard *g, char *err, size_t len)
{
	char top[32], size[32], zero[32];
	bool has_size = !kx_get(PMD_SIZE_MODE, size, sizeof(size), err, len);

	if (kx_get("enabled", top, sizeof(top), err, len) ||
	    kx_get("use_zero_page", zero, sizeof(zero), err, len))
		return -1;
	if (!has_size)
		strcpy(size, "inherit");
	if (has_size && is(size, "never", NULL) &&
	    kx_set(g, PMD_SIZE_MODE, "inherit", err, len))
		return -1;
	if (is(size, "inherit", "never") && is(top, "never", NULL) &&
	    kx_set(g, "enabled", "madvise", err, len))
		return -1;
	if (!is(zero, "1", NULL) && kx_set(g, "use_zero_page", "1", err, len))
		return -1;
	return 0;
}

static int run_probe(struct kx_guard *g, struct kx_zero_page *z, char *err,
		     size_t len)
{
	int fd[2], status = 0;
	ssize_t n = -1;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC)) {
		snprintf(err, len, "zero-page probe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		kx_child_after_fork(g);
		probe_here(z);
		_exit(write(fd[1], z, sizeof(*z)) == sizeof(*z) ? 0 : 1);
	}
	close(fd[1]);
	if (pid > 0 && !kx_child_add(g, pid)) {
		do
			n = read(fd[0], z, sizeof(*z));
		while (n < 0 && errno == EINTR);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		kx_child_del(g, pid);
	} else if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(fd[0]);
	if (n == (ssize_t)sizeof(*z))
		return 0;
	snprintf(err, len, "zero-page probe: the child %s",
		 pid < 0 ? "could not be forked" : "did not answer");
	return -1;
}

int kx_zero_probe(struct kx_guard *g, struct kx_zero_page *z, char *err,
		  size_t len)
{
	if (!g->zero_probed) {
		if (probe_settings(g, err, len) || run_probe(g, &g->zero, err,
							     len))
			return -1;
		g->zero_probed = true;
	}
	*z = g->zero;
	return 0;
}
