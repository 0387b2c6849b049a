/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged and ksmd under the scenario's control: they run only inside
 * 'khugepaged N' and 'ksm N' statements.
 *
 * The khugepaged gate: khugepaged/scan_sleep_millisecs is set to the
 * largest value sysfs accepts, so the thread sleeps for weeks between
 * passes; each write of that file (even of the same value) ends the sleep
 * for exactly one pass when the thread is asleep.  A pass has ended when
 * the thread has slept again (voluntary_ctxt_switches moved), is in state
 * S with the top frame of /proc/PID/stack being the one it sleeps in
 * between passes, and the khugepaged counters have been stable for
 * KX_PASS_QUIET_MS.  A registered keeper mm (the executor's) keeps the
 * mm list non-empty, so no registration wakes it either; without it a
 * pass scans nothing and full_scans never grows.
 */
#ifndef FSIM_KERNEL_DAEMONS_H
#define FSIM_KERNEL_DAEMONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "host/guard.h"

#define KX_SCAN_SLEEP_MAX	KX_GATE_SCAN_SLEEP
#define KX_PASS_QUIET_MS	10
#define KX_STALL_PASSES		2000	/* passes, no full scan */
#define KX_KHUGEPAGED_TIMEOUT_MS 600000		/* one 'khugepaged N' */

struct kx_khugepaged {
	pid_t pid;		/* the thread, 0 when none was found */
	char idle_frame[96];	/* its top frame between passes */
	unsigned long passes;	/* passes triggered, for diagnostics */
};

/*
 * Close the gate: write the largest sleep and wait for the pass that the
 * write triggers.  Without a khugepaged thread (PMD THP disabled) there is
 * nothing to do.  0, or -1 with @err.
 */
int kx_gate_close(struct kx_guard *g, struct kx_khugepaged *kh, char *err,
		  size_t len);
/*
 * Wait until khugepaged is asleep between passes without waking it: after
 * a THP 'enabled' write, which may have started a new thread (whose first
 * pass runs at once).  0, or -1 with @err.
 */
int kx_khugepaged_settle(struct kx_khugepaged *kh, char *err, size_t len);
/*
 * Write a THP 'enabled' file (top level or per size).  If that starts
 * khugepaged, the new thread scans at once, outside any 'khugepaged'
 * statement; so while it does, pages_to_scan is 1: its first pass stops
 * after one PMD, which is the keeper's (registered before any scenario
 * mm, with its THP in its lowest eligible VMA).  Returns once the thread
 * sleeps.  0, or -1 with @err.
 */
int kx_set_enabled(struct kx_guard *g, struct kx_khugepaged *kh,
		   const char *path, const char *value, char *err, size_t len);
/* Called around each pass of 'khugepaged N' (--trace reads the trace). */
struct kx_pass_hook {
	void (*before)(void *ctx);
	void (*after)(void *ctx);
	void *ctx;
};

/*
 * 'khugepaged N', as the model's khugepaged_run(): passes until full_scans
 * grew by at least N + 1 since the start and by at least 2 since
 * pages_collapsed last changed.  @passes (may be NULL) gets the number of
 * passes; @hook (may be NULL) is called around each.  0 (also when there
 * is no thread), or -1 with @err.
 */
int kx_khugepaged_run(struct kx_guard *g, struct kx_khugepaged *kh, long n,
		      const struct kx_pass_hook *hook, long *passes, char *err,
		      size_t len);

/* 'ksm N': ksmd runs until ksm/full_scans grew by N.  0, or -1. */
int kx_ksm_run(struct kx_guard *g, long n, char *err, size_t len);
/* Does process @pid take part in KSM (MADV_MERGEABLE was applied)? */
bool kx_ksm_mergeable(pid_t pid);
/* 'shrink': run every shrinker (drop_caches = 2).  0, or -1. */
int kx_shrink(char *err, size_t len);

#endif
