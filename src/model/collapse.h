/* SPDX-License-Identifier: GPL-2.0-only */
/* The per-PMD scan and the collapse, shared by khugepaged and MADV_COLLAPSE */
#ifndef FSIM_MODEL_COLLAPSE_H
#define FSIM_MODEL_COLLAPSE_H

#include "khugepaged.h"

/*
 * hpage_collapse_scan_pmd(): scan the PMD range at @haddr and, if it
 * qualifies, collapse it.  *locked becomes false when a collapse was
 * attempted (the kernel drops the mmap lock there).
 */
enum scan_result hpage_collapse_scan_pmd(struct fsim_machine *m,
					 struct mm_struct *mm,
					 unsigned long haddr, bool *locked,
					 bool is_khugepaged);
/*
 * Evaluate decision point @p whose natural outcome is @cond: count it, and
 * apply the forcing knob.  Inline: it runs several times per PTE.
 */
static inline bool kh_point(struct fsim_machine *m, enum kh_point p,
			    bool cond)
{
	struct khugepaged_state *k = m->khugepaged;

	k->evaluated[p]++;
	if (k->force[p] != KH_FORCE_NONE)
		cond = k->force[p] == KH_FORCE_TRUE;
	if (cond)
		k->fired[p]++;
	return cond;
}
void kh_record(struct fsim_machine *m, const struct kh_scan_record *r);
/* madvise_collapse_errno() */
int madvise_collapse_errno(enum scan_result r);

#endif
