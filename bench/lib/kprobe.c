// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live-kernel probe of bench-model (see kprobe.h).  The parent opens
 * the guard, sets the THP modes the layouts need and closes the
 * khugepaged gate; the child builds each layout at KPROBE_BASE, checks it
 * and times the call, and hands the samples back through a pipe.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/daemons.h"
#include "host/guard.h"
#include "kernel/observe.h"
#include "kprobe.h"

#define KP_PMD_SIZE	(2UL << 20)
#define KP_PAGE_SIZE	4096UL
#define KP_THP_DIR	"/sys/kernel/mm/transparent_hugepage"
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_THP		22
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

static const char *const kp_names[KP_NR_LAYOUTS] = {
	"PMD-mapped THP", "PTE-mapped THP", "order-0 pages",
};

/* The child's state: its pagemap and kpageflags, and the first error. */
struct kp_child {
	int pagemap_fd, kpageflags_fd;
	char why[sizeof(((struct kprobe_result *)0)->why)];
};

static int fail(struct kp_child *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->why[0]) {
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof(c->why), fmt, ap);
		va_end(ap);
	}
	return -1;
}

double kprobe_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct kprobe_sample kprobe_stopwatch_start(void)
{
	usleep(1000);
	return (struct kprobe_sample){
		kprobe_clock_ns(CLOCK_MONOTONIC),
		kprobe_clock_ns(CLOCK_THREAD_CPUTIME_ID),
	};
}

struct kprobe_sample kprobe_stopwatch_stop(struct kprobe_sample t0)
{
	return (struct kprobe_sample){
		kprobe_clock_ns(CLOCK_MONOTONIC) - t0.wall,
		kprobe_clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0.cpu,
	};
}

/* The folio flags of the page at @addr; false if it is not present. */
static bool page_flags(struct kp_child *c, uintptr_t addr, uint64_t *flags)
{
	uint64_t pm = 0;

	*flags = 0;
	if (pread(c->pagemap_fd, &pm, sizeof(pm),
		  (off_t)(addr / KP_PAGE_SIZE * 8)) != sizeof(pm) ||
	    !(pm & PM_PRESENT))
		return false;
	return pread(c->kpageflags_fd, flags, sizeof(*flags),
		     (off_t)((pm & PM_PFN_MASK) * 8)) == sizeof(*flags);
}

/*
 * As the model side checks its layout: the first and last page of every
 * PMD present, in a PMD-sized THP (KPF_THP; the mTHP sizes are off) or
 * not, and PMD-mapped (PAGEMAP_SCAN's PAGE_IS_HUGE) or not.
 */
static int check_layout(struct kp_child *c, enum kprobe_layout l)
{
	bool want_thp = l != KP_ORDER0, want_pmd = l == KP_PMD;
	uintptr_t a;
	uint64_t f;
	int k;

	for (a = KPROBE_BASE; a < KPROBE_BASE + KPROBE_LEN; a += KP_PMD_SIZE) {
		for (k = 0; k < 2; k++) {
			uintptr_t p = a + (k ? KP_PMD_SIZE - KP_PAGE_SIZE : 0);
			bool thp;

			if (!page_flags(c, p, &f))
				return fail(c, "%s: 0x%lx is not present",
					    kp_names[l], (unsigned long)p);
			thp = (f >> KPF_THP) & 1 &&
			      (f >> (k ? KPF_COMPOUND_TAIL :
					 KPF_COMPOUND_HEAD)) & 1;
			if (thp != want_thp)
				return fail(c, "%s: 0x%lx is %sin a THP",
					    kp_names[l], (unsigned long)p,
					    thp ? "" : "not ");
		}
		if (kx_pmd_mapped(getpid(), a) != want_pmd)
			return fail(c, "%s: 0x%lx is %sPMD-mapped",
				    kp_names[l], (unsigned long)a,
				    want_pmd ? "not " : "");
	}
	return 0;
}

/* 1 GiB at KPROBE_BASE, every page written, in layout @l. */
static int populate(struct kp_child *c, enum kprobe_layout l)
{
	char *p = mmap((void *)KPROBE_BASE, KPROBE_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		       0);
	unsigned long off;

	if (p != (char *)KPROBE_BASE)
		return fail(c, "mmap of 1 GiB at 0x%lx: %m", KPROBE_BASE);
	if (l != KP_ORDER0 && madvise(p, KPROBE_LEN, MADV_HUGEPAGE))
		return fail(c, "MADV_HUGEPAGE: %m");
	/* every page write-faulted, without an exception per page */
	if (madvise(p, KPROBE_LEN, MADV_POPULATE_WRITE))
		return fail(c, "MADV_POPULATE_WRITE: %m");
	/* a VMA split inside each PMD splits it; the VMAs merge again */
	for (off = 0; l == KP_PTE && off < KPROBE_LEN; off += KP_PMD_SIZE)
		if (mprotect(p + off, KP_PAGE_SIZE, PROT_READ) ||
		    mprotect(p + off, KP_PAGE_SIZE, PROT_READ | PROT_WRITE))
			return fail(c, "mprotect: %m");
	return check_layout(c, l);
}

static int unmap(struct kp_child *c)
{
	return munmap((void *)KPROBE_BASE, KPROBE_LEN) ?
		       fail(c, "munmap: %m") : 0;
}

/* munmap of a fresh 1 GiB, then fork of a second one; ns into @r. */
static int time_layout(struct kp_child *c, enum kprobe_layout l, int run,
		       struct kprobe_result *r)
{
	struct kprobe_sample t0;
	pid_t pid;
	int st;

	if (populate(c, l))
		return -1;
	t0 = kprobe_stopwatch_start();
	if (unmap(c))
		return -1;
	r->munmap[l][run] = kprobe_stopwatch_stop(t0);

	if (populate(c, l))
		return -1;
	t0 = kprobe_stopwatch_start();
	pid = fork();
	if (!pid)
		_exit(0);
	r->fork[l][run] = kprobe_stopwatch_stop(t0);
	if (pid < 0)
		return fail(c, "fork: %m");
	if (waitpid(pid, &st, 0) != pid)
		return fail(c, "waitpid: %m");
	/* the parent's layout must not have changed under the timing */
	if (check_layout(c, l))
		return -1;
	return unmap(c);
}

static int time_collapse(struct kp_child *c, int run, struct kprobe_result *r)
{
	struct kprobe_sample t0;

	if (populate(c, KP_ORDER0))
		return -1;
	t0 = kprobe_stopwatch_start();
	if (madvise((void *)KPROBE_BASE, KPROBE_LEN, MADV_COLLAPSE))
		return fail(c, "MADV_COLLAPSE of 1 GiB: %m");
	r->collapse[run] = kprobe_stopwatch_stop(t0);
	if (check_layout(c, KP_PMD))
		return -1;
	return unmap(c);
}

/* Every layout once per run, in turn, as the model side. */
static void child_main(int out_fd)
{
	struct kprobe_result r = { .measured = true };
	struct kp_child c = { .why = "" };
	int run, l;

	c.pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	c.kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (c.pagemap_fd < 0 || c.kpageflags_fd < 0)
		fail(&c, "cannot open pagemap or kpageflags: %m");
	for (run = 0; !c.why[0] && run < KPROBE_RUNS; run++) {
		for (l = 0; !c.why[0] && l < KP_NR_LAYOUTS; l++)
			time_layout(&c, l, run, &r);
		if (!c.why[0])
			time_collapse(&c, run, &r);
	}
	if (c.why[0]) {
		r.measured = false;
		snprintf(r.why, sizeof(r.why), "%s", c.why);
	}
	if (write(out_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

/* Set @rel to @want unless it already is (a write may wake khugepaged). */
static int ensure(struct kx_guard *g, const char *rel, const char *want,
		  char *err, size_t len)
{
	char cur[64];

	if (!kx_get(rel, cur, sizeof(cur), err, len) && !strcmp(cur, want))
		return 0;
	return kx_set(g, rel, want, err, len);
}

/*
 * THP on MADV_HUGEPAGE only, PMD size only (an mTHP size left on would
 * turn the order-0 layout into mTHPs), and khugepaged asleep so that it
 * cannot collapse the PTE-mapped layout under the timing.
 */
static int set_modes(struct kx_guard *g, char *err, size_t len)
{
	struct kx_khugepaged kh = { 0 };
	DIR *d = opendir(KP_THP_DIR);
	struct dirent *de;
	char rel[300];
	int ret = 0;

	while (!ret && d && (de = readdir(d))) {
		if (strncmp(de->d_name, "hugepages-", 10))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s/enabled", KP_THP_DIR,
			 de->d_name);
		if (access(rel, F_OK))
			continue;	/* a shmem-only size (8kB) */
		snprintf(rel, sizeof(rel), "%s/enabled", de->d_name);
		ret = ensure(g, rel,
			     strcmp(de->d_name, "hugepages-2048kB") ? "never" :
								     "inherit",
			     err, len);
	}
	if (d)
		closedir(d);
	if (ret || ensure(g, "enabled", "madvise", err, len) ||
	    ensure(g, "defrag", "madvise", err, len))
		return -1;
	return kx_gate_close(g, &kh, err, len);
}

static void run_child(struct kx_guard *g, struct kprobe_result *r)
{
	int fd[2], st = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fd)) {
		snprintf(r->why, sizeof(r->why), "pipe: %m");
		return;
	}
	pid = fork();
	if (!pid) {
		kx_child_after_fork(g);
		close(fd[0]);
		child_main(fd[1]);
	}
	close(fd[1]);
	if (pid > 0 && kx_child_add(g, pid)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		pid = -1;
	}
	if (pid < 0) {
		snprintf(r->why, sizeof(r->why), "cannot fork the probe");
		close(fd[0]);
		return;
	}
	n = read(fd[0], r, sizeof(*r));
	close(fd[0]);
	waitpid(pid, &st, 0);
	kx_child_del(g, pid);
	if (n != (ssize_t)sizeof(*r)) {
		memset(r, 0, sizeof(*r));
		snprintf(r->why, sizeof(r->why), "the probe died (status 0x%x)",
			 st);
	}
}

void kprobe_measure(struct kprobe_result *r)
{
	struct kx_guard *g;
	char err[sizeof(r->why)];
	int ret;

	memset(r, 0, sizeof(*r));
	/* a kernel run or test may hold the lock for a while: wait a bit */
	ret = kx_guard_open_wait(&g, 10, err, sizeof(err));
	if (ret) {
		snprintf(r->why, sizeof(r->why), "%s", err);
		return;
	}
	if (set_modes(g, err, sizeof(err)))
		snprintf(r->why, sizeof(r->why), "%s", err);
	else
		run_child(g, r);
	if (kx_guard_close(g) && r->measured) {
		r->measured = false;
		snprintf(r->why, sizeof(r->why),
			 "the THP settings could not all be restored");
	}
}
