// SPDX-License-Identifier: GPL-2.0-only
/* KSM for anonymous memory (mm/ksm.c of Linux 6.18). */
#include <errno.h>

#include "internal.h"

int ksm_madvise_range(struct fsim_machine *m, struct mm_struct *mm,
		      unsigned long start, unsigned long end, bool merge)
{
	(void)mm;
	(void)start;
	(void)end;
	(void)merge;
	return fsim_err(m, -EOPNOTSUPP, "KSM is not modelled yet");
}
