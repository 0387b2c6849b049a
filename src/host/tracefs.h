/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A private tracefs instance for one run, <tracefs>/instances/foliosim-<pid>,
 * with huge_memory/mm_khugepaged_scan_pmd and mm_collapse_huge_page enabled.
 * The guard records it before creating it and removes it on every way out,
 * so the global trace buffer and other instances are never touched.
 *
 * Where tracefs is mounted nowhere, opening the instance mounts it at
 * /sys/kernel/tracing, recorded before the mount exists; the guard
 * unmounts it on every way out (close, exit(), fatal signals) and the
 * recovery of a SIGKILLed run does.  A tracefs that was already mounted
 * (or one mounted over ours meanwhile) is never unmounted.
 */
#ifndef FSIM_HOST_TRACEFS_H
#define FSIM_HOST_TRACEFS_H

#include <stddef.h>

struct kx_guard;

/*
 * Can a trace instance be had here: tracefs mounted with the huge_memory
 * events and instances, or not mounted but mountable (the kernel has
 * tracefs, the mount point exists, we are root)?  Changes nothing.
 * Return: 0, or -1 with a one-line reason in @err.
 */
int kx_tracefs_check(char *err, size_t len);

/*
 * Create the instance and enable the events, mounting tracefs first if it
 * is mounted nowhere.  0, or -1 with @err (a reason that stays for the
 * rest of the guard when tracefs cannot be had).
 */
int kx_trace_open(struct kx_guard *g, char *err, size_t len);

/* The instance directory, or NULL when none is open. */
const char *kx_trace_dir(const struct kx_guard *g);

/*
 * The instance's 'trace' file (not consumed), NUL-terminated, from
 * malloc(); *lenp gets its length.  NULL with errno set on failure.
 */
char *kx_trace_read(struct kx_guard *g, size_t *lenp);

/* Empty the instance's buffer.  0, or -1 with errno set. */
int kx_trace_clear(struct kx_guard *g);

/* Remove the instance now (it is removed at close anyway).  0, or -1. */
int kx_trace_close(struct kx_guard *g, char *err, size_t len);

#endif
