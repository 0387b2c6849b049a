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
/*
 * collapse_huge_page(): collapse the 2^order PTEs at @addr of the PMD range
 * at @haddr into one new folio (mapped by PMD at PMD order, else by PTEs).
 */
enum scan_result collapse_huge_page(struct fsim_machine *m,
				    struct mm_struct *mm, unsigned long haddr,
				    unsigned long addr, int order, int unmapped,
				    bool khugepaged);

/* collapse_mthp.c: the +mthp_collapse rules; 6.18's without the modifier */

/* Empty PTEs a collapse to @order tolerates under @rule. */
int mthp_allowed_none(enum mthp_collapse_rule rule, int max_ptes_none,
		      int order);
int collapse_max_ptes_none(struct fsim_machine *m, int order);
int collapse_max_ptes_shared(struct fsim_machine *m, int order);
/* The orders a collapse of @vma may produce (a mask; 0: none). */
unsigned long collapse_possible_orders(struct fsim_machine *m,
				       struct vm_area_struct *vma,
				       bool khugepaged);
/* The orders the scan of the PMD at @haddr serves. */
unsigned long collapse_scan_orders(struct fsim_machine *m,
				   struct mm_struct *mm, unsigned long haddr,
				   bool khugepaged);
/* vm event at PMD order, and the per-size counter at every order. */
void count_collapse_event(struct fsim_machine *m, int order,
			  enum vm_event_item pmd_item,
			  enum mthp_collapse_stat stat);
/*
 * The forward walk over @present (one bit per present, non-zero PTE):
 * collapse each range that qualifies at the largest enabled order.
 * SCAN_SUCCEED if anything was collapsed.
 */
enum scan_result mthp_collapse(struct fsim_machine *m, struct mm_struct *mm,
			       unsigned long haddr, const uint64_t *present,
			       unsigned long orders, int unmapped,
			       bool *attempted);
/* madvise_collapse_errno() */
int madvise_collapse_errno(enum scan_result r);

#endif
