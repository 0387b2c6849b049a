// SPDX-License-Identifier: GPL-2.0-only
/* MADV_PAGEOUT and MADV_COLD (mm/madvise.c, mm/vmscan.c of Linux 6.18). */
#include <errno.h>

#include "internal.h"

int madvise_pageout_range(struct fsim_machine *m, struct mm_struct *mm,
			  unsigned long start, unsigned long end, bool pageout)
{
	(void)mm;
	(void)start;
	(void)end;
	(void)pageout;
	return fsim_err(m, -EOPNOTSUPP, "MADV_PAGEOUT is not modelled yet");
}
