/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The text of the huge_memory:mm_khugepaged_scan_pmd tracepoint, as a
 * tracefs 'trace' file prints it:
 *
 *   TASK-PID [CPU] FLAGS TIMESTAMP: mm_khugepaged_scan_pmd: mm=HASH,
 *     scan_pfn=0xPFN, referenced=N, none_or_zero=N, status=NAME, unmapped=N
 *
 * (one line).  The event has no address and no count of shared PTEs; the
 * pfn is of the last folio the scan looked at (-1 when none), the mm a
 * hashed pointer, stable for the boot.  Parsing only: no root needed.
 */
#ifndef FSIM_KERNEL_SCAN_TRACE_H
#define FSIM_KERNEL_SCAN_TRACE_H

#include <stdint.h>
#include <sys/types.h>

#define KX_SCAN_NO_PFN	UINT64_MAX	/* scan_pfn=0xffffffffffffffff */

struct kx_scan_event {
	pid_t pid;		/* the task that hit it: khugepaged or madvise */
	uint64_t mm;		/* the hashed mm pointer */
	uint64_t pfn;
	int referenced, none_or_zero, status, unmapped;
};

/*
 * Parse one line.  Return: 1 with *ev filled for an mm_khugepaged_scan_pmd
 * event, 0 for any other line, -1 for that event's line in a form not
 * understood (a status name unknown, a field missing).
 */
int kx_scan_parse_line(const char *line, struct kx_scan_event *ev);

#endif
