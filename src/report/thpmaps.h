/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMAs printed exactly as the kernel's tools/mm/thpmaps prints them (one
 * header line per VMA, then "label: value kB (pct)" for each non-zero
 * figure), so the two can be compared line by line.
 */
#ifndef FSIM_REPORT_THPMAPS_H
#define FSIM_REPORT_THPMAPS_H

#include <stdio.h>

#include "snapshot/whatif.h"

void report_thpmaps_vma(FILE *f, int pid, const struct snap_vma *v,
			const struct thp_stats *st);

#endif
