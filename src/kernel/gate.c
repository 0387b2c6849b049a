// SPDX-License-Identifier: GPL-2.0-only
/*
 * The khugepaged gate and 'khugepaged N': finding the thread, telling a
 * pass from the sleep between passes, triggering exactly one pass, and
 * the stopping rule of the model's khugepaged_run().
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "daemons.h"
#include "host/guard.h"
#include "host/internal.h"

#define KH_DIR		KX_THP_DIR "/khugepaged/"
#define POLL_US		500
#define SETTLE_TIMEOUT_MS 60000

struct kh_status {
	char state;			/* 'S', 'R', 'D', ... */
	unsigned long vcsw;		/* voluntary_ctxt_switches */
};

struct kh_counters {
	unsigned long full_scans, pages_collapsed;
};

static bool is_khugepaged(pid_t pid)
{
	char path[64], comm[32];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	return kx_read_file(path, comm, sizeof(comm)) > 0 &&
	       !strcmp(comm, "khugepaged\n");
}

/* The khugepaged thread's pid, or 0 when there is none. */
static pid_t find_thread(struct kx_khugepaged *kh)
{
	struct dirent *de;
	DIR *d;

	if (kh->pid && is_khugepaged(kh->pid))
		return kh->pid;
	kh->pid = 0;
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (is_khugepaged((pid_t)atoi(de->d_name))) {
			kh->pid = (pid_t)atoi(de->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	return kh->pid;
}

static int read_status(pid_t pid, struct kh_status *st)
{
	char path[64], buf[2048], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (kx_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "\nState:");
	if (!p)
		return -1;
	p += 7;
	while (*p == ' ' || *p == '\t')
		p++;
	st->state = *p;
	p = strstr(buf, "\nvoluntary_ctxt_switches:");
	if (!p)
		return -1;
	st->vcsw = strtoul(p + 25, NULL, 10);
	return 0;
}

/* The first frame of /proc/PID/stack without its "[<0>] " prefix. */
static int top_frame(pid_t pid, char *buf, size_t len)
{
	char path[64], stack[512], *p, *nl;

	snprintf(path, sizeof(path), "/proc/%d/stack", (int)pid);
	if (kx_read_file(path, stack, sizeof(stack)) <= 0)
		return -1;
	p = strchr(stack, ' ');
	if (!p)
		return -1;
	nl = strchr(++p, '\n');
	if (nl)
		*nl = '\0';
	snprintf(buf, len, "%s", p);
	return 0;
}

static int read_counters(struct kh_counters *c)
{
	char buf[32];

	if (kx_read_file(KH_DIR "full_scans", buf, sizeof(buf)) <= 0)
		return -1;
	c->full_scans = strtoul(buf, NULL, 10);
	if (kx_read_file(KH_DIR "pages_collapsed", buf, sizeof(buf)) <= 0)
		return -1;
	c->pages_collapsed = strtoul(buf, NULL, 10);
	return 0;
}

/*
 * Is the thread asleep between passes now?  State S, at the frame it
 * sleeps in between passes (learnt the first time: a frame in the
 * khugepaged() function itself), and still S with the same switch count
 * after the frame was read.  *vcsw gets that count.
 */
static bool idle_now(struct kx_khugepaged *kh, pid_t pid, unsigned long *vcsw)
{
	struct kh_status a, b;
	char frame[sizeof(kh->idle_frame)];

	if (read_status(pid, &a) || a.state != 'S' ||
	    top_frame(pid, frame, sizeof(frame)) ||
	    read_status(pid, &b) || b.state != 'S' || a.vcsw != b.vcsw)
		return false;
	if (kh->idle_frame[0] ? strcmp(frame, kh->idle_frame) :
				strncmp(frame, "khugepaged+", 11))
		return false;
	*vcsw = a.vcsw;
	return true;
}

/*
 * Wait for the thread to be asleep between passes, having slept at least
 * once since @since (unless @since is NULL), with the counters stable for
 * KX_PASS_QUIET_MS.  Learns the idle frame the first time.
 */
static int wait_idle(struct kx_khugepaged *kh, pid_t pid,
		     const unsigned long *since, long timeout_ms, char *err,
		     size_t len)
{
	uint64_t deadline = kx_now_ms() + (uint64_t)timeout_ms;
	struct kh_counters c1, c2;
	unsigned long v1, v2;

	for (;;) {
		if (kx_now_ms() > deadline) {
			snprintf(err, len, "khugepaged (pid %d) did not go "
				 "back to sleep in %ld s", (int)pid,
				 timeout_ms / 1000);
			return -1;
		}
		kx_sleep_us(POLL_US);
		if (!is_khugepaged(pid))
			return 0;	/* stopped: nothing runs */
		if (!idle_now(kh, pid, &v1) || (since && v1 == *since) ||
		    read_counters(&c1))
			continue;
		kx_sleep_us(KX_PASS_QUIET_MS * 1000L);
		if (idle_now(kh, pid, &v2) && v2 == v1 && !read_counters(&c2) &&
		    !memcmp(&c1, &c2, sizeof(c1)))
			break;
	}
	if (!kh->idle_frame[0])
		top_frame(pid, kh->idle_frame, sizeof(kh->idle_frame));
	return 0;
}

/* One pass: wake the sleeping thread and wait until it sleeps again. */
static int one_pass(struct kx_guard *g, struct kx_khugepaged *kh, pid_t pid,
		    long timeout_ms, char *err, size_t len)
{
	struct kh_status st;

	if (read_status(pid, &st)) {
		snprintf(err, len, "cannot read the status of khugepaged "
			 "(pid %d)", (int)pid);
		return -1;
	}
	if (kx_set(g, "khugepaged/scan_sleep_millisecs", KX_SCAN_SLEEP_MAX,
		   err, len))
		return -1;
	kh->passes++;
	return wait_idle(kh, pid, &st.vcsw, timeout_ms, err, len);
}

int kx_gate_close(struct kx_guard *g, struct kx_khugepaged *kh, char *err,
		  size_t len)
{
	pid_t pid = find_thread(kh);

	if (!pid)
		return kx_set(g, "khugepaged/scan_sleep_millisecs",
			      KX_SCAN_SLEEP_MAX, err, len);
	return one_pass(g, kh, pid, SETTLE_TIMEOUT_MS, err, len);
}

int kx_khugepaged_settle(struct kx_khugepaged *kh, char *err, size_t len)
{
	pid_t pid = find_thread(kh);

	return pid ? wait_idle(kh, pid, NULL, SETTLE_TIMEOUT_MS, err, len) : 0;
}

int kx_set_enabled(struct kx_guard *g, struct kx_khugepaged *kh,
		   const char *path, const char *value, char *err, size_t len)
{
	char pages[32];
	int ret;

	if (find_thread(kh))
		return kx_set(g, path, value, err, len);
	if (kx_get("khugepaged/pages_to_scan", pages, sizeof(pages), err,
		   len) ||
	    kx_set(g, "khugepaged/pages_to_scan", "1", err, len))
		return -1;
	ret = kx_set(g, path, value, err, len);
	if (!ret)
		ret = kx_khugepaged_settle(kh, err, len);
	if (kx_set(g, "khugepaged/pages_to_scan", pages, ret ? NULL : err,
		   ret ? 0 : len))
		ret = -1;
	return ret;
}

/* Where 'khugepaged N' stands, as the model's khugepaged_run() keeps it. */
struct kh_progress {
	long n;				/* the N of the statement */
	unsigned long start;		/* full_scans when it began */
	unsigned long quiet_since;	/* full_scans at the last collapse */
	unsigned long collapsed;	/* pages_collapsed then */
	unsigned long last;		/* full_scans after the last pass */
	long passes, stalled;		/* passes; those without a scan */
};

static int read_progress(struct kh_counters *c, char *err, size_t len)
{
	if (!read_counters(c))
		return 0;
	snprintf(err, len, "cannot read %sfull_scans", KH_DIR);
	return -1;
}

/*
 * Account one pass.  Return: 1 when N + 1 full scans are done and two
 * full scans collapsed nothing, 0 to go on, -1 (with @err) when
 * khugepaged makes no progress at all.
 */
static int pass_done(struct kh_progress *p, const struct kh_counters *c,
		     char *err, size_t len)
{
	p->passes++;
	p->stalled = c->full_scans == p->last ? p->stalled + 1 : 0;
	p->last = c->full_scans;
	if (p->stalled == KX_STALL_PASSES) {
		snprintf(err, len, "khugepaged %ld: no full scan in %d passes "
			 "(is no mm registered?)", p->n, KX_STALL_PASSES);
		return -1;
	}
	if (c->pages_collapsed != p->collapsed) {
		p->collapsed = c->pages_collapsed;
		p->quiet_since = c->full_scans;
	}
	return c->full_scans - p->start >= (unsigned long)p->n + 1 &&
	       c->full_scans - p->quiet_since >= 2;
}

int kx_khugepaged_run(struct kx_guard *g, struct kx_khugepaged *kh, long n,
		      const struct kx_pass_hook *hook, long *passes, char *err,
		      size_t len)
{
	uint64_t deadline = kx_now_ms() + KX_KHUGEPAGED_TIMEOUT_MS;
	struct kh_progress p = { .n = n < 1 ? 1 : n };
	struct kh_counters c;
	int done = 0;
	pid_t pid;

	if (read_progress(&c, err, len))
		return -1;
	p.start = p.quiet_since = p.last = c.full_scans;
	p.collapsed = c.pages_collapsed;
	while (!done && (pid = find_thread(kh))) {
		if (kx_now_ms() > deadline) {
			snprintf(err, len, "khugepaged %ld: no fixpoint after "
				 "%ld passes in %d s", p.n, p.passes,
				 KX_KHUGEPAGED_TIMEOUT_MS / 1000);
			return -1;
		}
		if (hook)
			hook->before(hook->ctx);
		if (one_pass(g, kh, pid, (long)(deadline - kx_now_ms()), err,
			     len))
			return -1;
		if (hook)
			hook->after(hook->ctx);
		if (read_progress(&c, err, len))
			return -1;
		done = pass_done(&p, &c, err, len);
		if (done < 0)
			return -1;
	}
	if (passes)
		*passes = p.passes;
	return 0;
}
