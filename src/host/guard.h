/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The safety layer of the kernel executor.  A run opens the guard first and
 * closes it last.  In between, every sysfs change goes through kx_set(), and
 * whatever the run changed (THP and KSM tunables, a zram swap device, a
 * tracefs instance and the tracefs mount it needed, forked children) is
 * undone on every way out: close, exit(), a fatal signal, and, after
 * SIGKILL, the next open.
 *
 * Guarantees:
 *  - kx_guard_check() and a failing kx_guard_open() change nothing.
 *  - Before the first change, every tunable of the settings table that the
 *    kernel has (model_only ones excluded) is saved in memory and in
 *    KX_SAVED_PATH (written to a temporary file, fsynced, renamed).
 *  - The khugepaged gate (KX_GATE_SCAN_SLEEP, and KX_GATE_ALLOC_SLEEP next
 *    to it) is never saved or recovered as a setting to restore: a run
 *    left it (or one without the lock holds it), so the settings table's
 *    defaults take its place, said on stderr.
 *  - Only one run per machine: KX_LOCK_PATH is flock()ed for the whole run.
 *  - /proc/sys/vm/min_free_kbytes is saved too: changing a THP mode
 *    recomputes it.
 *  - Restore order: KSM with ksmd stopped (ksm/run last), khugepaged
 *    tunables, THP modes, min_free_kbytes, khugepaged/alloc_sleep_millisecs,
 *    and khugepaged/scan_sleep_millisecs last.  Values already equal are
 *    not written (a sleep write wakes khugepaged).
 *  - Nothing outside the settings table is ever written; in particular not
 *    the non-upstream transparent_hugepage/anon_beside_full.
 *  - tracefs is mounted (at /sys/kernel/tracing) only where none is, and
 *    recorded by its mount id before it is attached; it is unmounted only
 *    while the mount there is still that one.
 *
 * After fork(), a child must call kx_child_after_fork() and the parent
 * kx_child_add(); a forked child never undoes the parent's changes.
 */
#ifndef FSIM_HOST_GUARD_H
#define FSIM_HOST_GUARD_H

#include <stddef.h>
#include <sys/types.h>

#define KX_CANNOT_RUN	4	/* exit status: cannot run here */
#define KX_RUN_DIR	"/run/foliosim"
#define KX_LOCK_PATH	KX_RUN_DIR "/lock"
#define KX_SAVED_PATH	KX_RUN_DIR "/saved-settings"
/*
 * Test binaries that open the guard flock() this first (blocking), so that
 * tests run in parallel (prove -j) take turns instead of failing on the
 * run lock.  The guard itself never touches it.
 */
#define KX_TEST_LOCK	KX_RUN_DIR "/test-lock"

/*
 * The khugepaged gate of the kernel executor (kernel/daemons.h) and of the
 * exported kselftests: the longest scan sleep sysfs accepts, so that
 * khugepaged runs only when woken, and no sleep after an allocation
 * failure.  A run's own values, never a machine's: the guard does not
 * take them for the settings to restore (see kx_state_sane()).
 */
#define KX_GATE_SCAN_SLEEP	"4294967295"	/* kstrtouint's limit */
#define KX_GATE_ALLOC_SLEEP	"0"

struct kx_guard;

/*
 * What this kernel's read faults map, as the zero-page probe
 * (kernel/zero_page.h) finds; the guard keeps the answer for its run.
 * For each probe: 1 the zero page, 0 a real page, -1 could not tell.
 */
struct kx_zero_page {
	signed char small;	/* a read fault where no THP applies */
	/*
	 * A read fault in a MADV_HUGEPAGE PMD range with PMD THPs enabled
	 * and use_zero_page 1: 1 the huge zero page by PMD, 0 a THP, -1 it
	 * fell back to PTEs (the huge zero page or a THP was not allocated).
	 */
	signed char huge;
};

/**
 * kx_guard_check() - can the kernel executor run on this machine?
 * @err: receives a one-line reason when it cannot
 * @len: size of @err
 *
 * Checks root, THP sysfs, and that /proc/self/pagemap, /proc/kpageflags
 * and /proc/kpagecount are readable (tracefs is needed only to read the
 * trace: kx_tracefs_check()).  Changes nothing.
 * Return: 0, or KX_CANNOT_RUN with the reason in @err.
 */
int kx_guard_check(char *err, size_t len);

/**
 * kx_guard_open() - check, lock, recover, save; the first call of a run
 * @gp: receives the guard
 * @err: receives a one-line reason on failure
 * @len: size of @err
 *
 * After the checks it takes the lock; if a run killed by SIGKILL left a
 * saved copy, restores it first (and says so on stderr).  Then it saves
 * the current settings, installs the signal handlers and the atexit hook.
 *
 * Return: 0; KX_CANNOT_RUN if the machine cannot run it or another run
 * holds the lock (nothing was changed); -1 on any other failure (whatever
 * was done has been undone, or a saved copy that could not be restored
 * was kept).
 */
int kx_guard_open(struct kx_guard **gp, char *err, size_t len);

/**
 * kx_guard_close() - undo everything and release the lock
 * @g: the guard, or NULL (nothing to do)
 *
 * Kills and reaps the registered children, removes the trace instance (and
 * unmounts the tracefs it mounted) and the zram swap, restores every
 * setting, removes the saved copy.
 * Return: 0, or -1 if something could not be undone (reported on stderr;
 * the saved copy is then kept for the next run or kx_restore_saved()).
 */
int kx_guard_close(struct kx_guard *g);

/**
 * kx_restore_saved() - undo what a killed run left ('kernel --restore')
 * @report_fd: each restored item is reported on this fd, one per line
 * @err: receives a reason on failure
 * @len: size of @err
 *
 * Takes the lock for the duration.  Return: 1 if a saved copy was found
 * and fully undone, 0 if there was none, -1 on failure.
 */
int kx_restore_saved(int report_fd, char *err, size_t len);

/**
 * kx_set() - write one setting
 * @path: relative to /sys/kernel/mm/transparent_hugepage/, or "ksm/..."
 *        for /sys/kernel/mm/ksm/ (the scenario language's set paths)
 * @value: the value to write
 *
 * Refuses any path the guard did not save.  Return: 0, or -1 with
 * "cannot set PATH to VALUE: <strerror>" in @err.
 */
int kx_set(struct kx_guard *g, const char *path, const char *value,
	   char *err, size_t len);

/**
 * kx_get() - read one setting as kx_set() would write it
 *
 * A file with bracketed choices ("always [madvise] never") reads as the
 * selected word.  Needs no guard.  Return: 0, or -1 with a reason in @err.
 */
int kx_get(const char *path, char *buf, size_t buflen, char *err, size_t len);

/**
 * kx_child_add() - register a child the run forked
 *
 * Registered children are killed with SIGKILL and reaped on every way
 * out.  Return: 0, or -1 if the registry is full.
 */
int kx_child_add(struct kx_guard *g, pid_t pid);

/* Forget @pid; call it right after reaping the child yourself. */
void kx_child_del(struct kx_guard *g, pid_t pid);

/**
 * kx_test_lock() - take turns with the kernel tests
 *
 * flock()s KX_TEST_LOCK, waiting as long as it takes.  Return: the fd to
 * close to release it, or -1 with a reason in @err.
 */
int kx_test_lock(char *err, size_t len);

/**
 * kx_guard_open_wait() - kx_guard_open(), waiting while another run holds
 * the lock
 * @seconds: how long to wait at most (retrying once a second)
 *
 * Return: as kx_guard_open().
 */
int kx_guard_open_wait(struct kx_guard **gp, int seconds, char *err,
		       size_t len);

/**
 * kx_run_lock_wait() - hold the run lock without opening the guard
 * @seconds: how long to wait at most while another run holds it
 *
 * For what must not overlap a run but is no run itself: the kernel tests'
 * snapshot of the settings, and their backstop, which writes back what a
 * failed test left.  Return: the fd to close to release it, or -1 with a
 * reason in @err.
 */
int kx_run_lock_wait(int seconds, char *err, size_t len);

/*
 * In a child, right after fork(): restores the signal dispositions the
 * guard replaced, closes the child's reference to the lock, and asks for
 * SIGKILL when the parent dies (so no child outlives a SIGKILLed run).
 */
void kx_child_after_fork(struct kx_guard *g);

#endif
