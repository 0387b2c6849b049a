/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whether khugepaged may collapse a PMD, and if not what stops it: the
 * model answers it exactly, the kernel executor as far as smaps and sysfs
 * show (--why).  Here so that both speak one vocabulary.
 */
#ifndef FSIM_CONFIG_ELIGIBLE_H
#define FSIM_CONFIG_ELIGIBLE_H

enum pmd_elig {
	ELIG_OK,
	ELIG_UNMAPPED,		/* no VMA there */
	ELIG_VMA_SPLIT,		/* the range is not inside one VMA */
	ELIG_NOHUGEPAGE,	/* MADV_NOHUGEPAGE */
	ELIG_SYSFS,		/* the sysfs modes */
	ELIG_NO_ANON_VMA,
	ELIG_NOT_LISTED,	/* the mm is not on khugepaged's list */
	/*
	 * Eligible as far as the executor can see: the kernel shows neither
	 * anon_vmas nor khugepaged's list.
	 */
	ELIG_UNSEEN,
};

#endif
