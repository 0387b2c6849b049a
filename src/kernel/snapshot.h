/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a snapshot of running processes (docs/snapshot.md): their
 * anonymous private VMAs from smaps, every page from pagemap and
 * kpageflags (through the kernel executor's observer), zero-filled pages
 * from /proc/PID/mem, and the THP settings.  Needs root.
 */
#ifndef FSIM_KERNEL_SNAPSHOT_H
#define FSIM_KERNEL_SNAPSHOT_H

#include <sys/types.h>

#include "snapshot/snapshot.h"

/* Called as pages are read: process index, processes, pages so far. */
typedef void (*kx_snapshot_progress_fn)(int proc, int nr_procs,
					uint64_t pages);

/*
 * Fill @out for @pids[0..n).  @contents: read the pages to find the
 * zero-filled ones; @progress, if not NULL, hears as pages are read.
 * Return: 0; -1 with @err for bad input (no such process); -2 with @err
 * when this machine cannot (not root, no pagemap).
 */
int kx_snapshot(const pid_t *pids, int n, bool contents,
		kx_snapshot_progress_fn progress, struct snapshot *out,
		char *err, size_t len);

#endif
