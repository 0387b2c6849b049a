// SPDX-License-Identifier: GPL-2.0-only
/*
 * The actor side: a process that serves one slot of the command area.  It
 * first puts MADV_NOHUGEPAGE on every mapping it inherited (and clears the
 * controller's PR_SET_THP_DISABLE), so that only the scenario's regions
 * can hold THPs, and pins itself to the actors' CPU; then it loops: wait
 * for a command, run it, answer.  After the setup it never allocates.
 * Faults on unmapped or read-only pages are caught and answered as
 * EFAULT.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "actor.h"
#include "scenario/scenario.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define WORDS_PER_PAGE	512
#define PAGE		4096UL
/* how often a waiting actor checks that the controller is alive */
#define WAIT_POLL_MS	200

/*
 * Where a fault during a command returns to.  One actor is one
 * single-threaded process, so a file-scope jump buffer is its own.
 */
static sigjmp_buf fault_jmp;

static const int madv_of[NR_SCN_ADVICE] = {
	[SCN_ADV_HUGEPAGE] = MADV_HUGEPAGE,
	[SCN_ADV_NOHUGEPAGE] = MADV_NOHUGEPAGE,
	[SCN_ADV_DONTNEED] = MADV_DONTNEED,
	[SCN_ADV_COLLAPSE] = MADV_COLLAPSE,
	[SCN_ADV_PAGEOUT] = MADV_PAGEOUT,
	[SCN_ADV_MERGEABLE] = MADV_MERGEABLE,
	[SCN_ADV_UNMERGEABLE] = MADV_UNMERGEABLE,
	[SCN_ADV_DONTFORK] = MADV_DONTFORK,
	[SCN_ADV_DOFORK] = MADV_DOFORK,
	[SCN_ADV_COLD] = MADV_COLD,
};

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_fault };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* an actor's own children (forked actors) are reaped by the kernel */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGCHLD, &ign, NULL);
}

static unsigned long hexval(const char **p)
{
	unsigned long v = 0;
	const char *s = *p;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			v = v * 16 + (unsigned long)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			v = v * 16 + (unsigned long)(*s - 'a' + 10);
		else
			break;
	}
	*p = s;
	return v;
}

/* "start-end perms ..." : MADV_NOHUGEPAGE on [start, end) */
static void nohugepage_line(const char *line)
{
	unsigned long start, end;

	start = hexval(&line);
	if (*line++ != '-')
		return;
	end = hexval(&line);
	if (end > start)
		madvise((void *)start, end - start, MADV_NOHUGEPAGE);
}

/*
 * Every mapping this process has now, from /proc/self/maps read with a
 * stack buffer (no allocation).  Errors are ignored: [vsyscall] and the
 * like refuse the advice, and nothing else can.
 */
static void nohugepage_all(void)
{
	char buf[4096];
	size_t have = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf, *nl;

		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			nohugepage_line(line);
			line = nl + 1;
		}
		have = (size_t)(buf + have - line);
		memmove(buf, line, have);
	}
	close(fd);
}

static bool controller_gone(const struct kx_area *area)
{
	struct pollfd p = { .fd = area->ctrl_pidfd, .events = POLLIN };

	if (area->ctrl_pidfd < 0)
		return getppid() == 1;
	return poll(&p, 1, 0) > 0;
}

/* Wait for a command on @sl; exit if the controller is gone meanwhile. */
static void wait_command(struct kx_area *area, struct kx_slot *sl)
{
	struct timespec ts;

	for (;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WAIT_POLL_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!sem_timedwait(&sl->req, &ts))
			return;
		if (errno != ETIMEDOUT && errno != EINTR)
			_exit(1);
		if (controller_gone(area))
			_exit(1);
	}
}

static void do_write(struct kx_cmd *c, const uint64_t *data)
{
	uint64_t i;

	for (i = 0; i < c->npages; i++) {
		uint64_t *p = (uint64_t *)(c->addr + i * PAGE);
		uint64_t v = data[i];
		int w;

		if (!v) {
			memset(p, 0, PAGE);
			continue;
		}
		for (w = 0; w < WORDS_PER_PAGE; w++)
			p[w] = v;
	}
}

/* Compare every word of every page; count pages that differ. */
static void do_read(struct kx_cmd *c, const uint64_t *data)
{
	uint64_t i;

	for (i = 0; i < c->npages; i++) {
		const volatile uint64_t *p =
			(const volatile uint64_t *)(c->addr + i * PAGE);
		int w;

		for (w = 0; w < WORDS_PER_PAGE; w++) {
			uint64_t v = p[w];

			if (v == data[i])
				continue;
			if (!c->bad++) {
				c->first = i;
				c->got = v;
				c->want = data[i];
			}
			break;
		}
	}
}

static int do_mmap(const struct kx_cmd *c)
{
	void *p = mmap((void *)c->addr, c->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		       0);

	if (p == MAP_FAILED)
		return errno;
	if (p != (void *)c->addr) {	/* a kernel without NOREPLACE */
		munmap(p, c->len);
		return EEXIST;
	}
	return 0;
}

static int do_mremap(const struct kx_cmd *c)
{
	void *p = mremap((void *)c->addr, c->len, c->len2,
			 MREMAP_MAYMOVE | MREMAP_FIXED, (void *)c->addr2);

	return p == MAP_FAILED ? errno : 0;
}

static int syscall_err(int ret)
{
	return ret ? errno : 0;
}

/* Run one command (not fork/exit); faults become EFAULT. */
static void run_command(struct kx_cmd *c, const uint64_t *data)
{
	c->err = 0;
	c->bad = 0;
	if (sigsetjmp(fault_jmp, 1)) {
		c->err = EFAULT;
		return;
	}
	switch (c->op) {
	case KX_CMD_MMAP:
		c->err = do_mmap(c);
		break;
	case KX_CMD_MUNMAP:
		c->err = syscall_err(munmap((void *)c->addr, c->len));
		break;
	case KX_CMD_MREMAP:
		c->err = do_mremap(c);
		break;
	case KX_CMD_MPROTECT:
		c->err = syscall_err(mprotect((void *)c->addr, c->len,
					      c->arg ? PROT_READ | PROT_WRITE :
						       PROT_READ));
		break;
	case KX_CMD_MADVISE:
		c->err = c->arg < 0 || c->arg >= NR_SCN_ADVICE ? EINVAL :
			 syscall_err(madvise((void *)c->addr, c->len,
					     madv_of[c->arg]));
		break;
	case KX_CMD_READ:
		do_read(c, data);
		break;
	case KX_CMD_WRITE:
		do_write(c, data);
		break;
	default:
		c->err = EINVAL;
	}
}

/*
 * fork: the parent answers with the pid; the child serves the slot named
 * in the command.  That slot is read before fork(): once the parent has
 * answered, the controller may reuse the command for the next statement.
 */
static int do_fork(struct kx_cmd *c)
{
	int child = c->slot;
	pid_t pid = fork();

	if (pid == 0)
		return child;
	c->ret = pid;
	c->err = pid < 0 ? errno : 0;
	return -1;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void kx_actor_serve(struct kx_area *area, int slot)
{
	/* twice: a VMA merged while the first pass read the maps is caught */
	nohugepage_all();
	nohugepage_all();
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	pin_cpu(area->cpu);
	setup_signals();
	for (;;) {
		struct kx_slot *sl = &area->slot[slot];
		struct kx_cmd *c = &sl->cmd;

		wait_command(area, sl);
		if (c->op == KX_CMD_EXIT)
			_exit(0);
		if (c->op == KX_CMD_FORK) {
			int child = do_fork(c);

			if (child >= 0) {
				slot = child;	/* the new actor */
				continue;
			}
		} else {
			run_command(c, sl->data);
		}
		sem_post(&sl->done);
	}
}
