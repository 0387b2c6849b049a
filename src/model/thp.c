// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which VMAs may have huge pages (thp_vma_allowable_orders() of 6.18 for
 * anonymous VMAs), anon_vma preparation, and registration of mms with
 * khugepaged (khugepaged_enter_vma(), __khugepaged_enter()).
 */
#include <stdio.h>
#include <stdlib.h>

#include "collapse.h"
#include "internal.h"
#include "model.h"

/* hugepage_pmd_enabled(): without CONFIG_READ_ONLY_THP_FOR_FS or shmem. */
bool hugepage_pmd_enabled(struct fsim_machine *m)
{
	long pmd = m->set.size_enabled[HPAGE_PMD_ORDER];

	if (pmd == THP_ALWAYS || pmd == THP_MADVISE)
		return true;
	return pmd == THP_INHERIT && m->set.enabled != THP_NEVER;
}

/* The sysfs order mask for an anonymous VMA with @vm_flags. */
static unsigned long sysfs_orders(struct fsim_machine *m,
				  unsigned long vm_flags)
{
	bool advised = vm_flags & VM_HUGEPAGE;
	unsigned long mask = 0;
	int o;

	for (o = 2; o <= HPAGE_PMD_ORDER; o++) {
		long mode = m->set.size_enabled[o];

		if (mode == THP_ALWAYS || (advised && mode == THP_MADVISE) ||
		    (mode == THP_INHERIT &&
		     (m->set.enabled == THP_ALWAYS ||
		      (advised && m->set.enabled == THP_MADVISE))))
			mask |= 1UL << o;
	}
	return mask;
}

/*
 * thp_vma_allowable_orders(): only a forced collapse skips the sysfs
 * masks; VM_NOHUGEPAGE always forbids; khugepaged and MADV_COLLAPSE need an
 * anon_vma and a whole aligned PMD inside the VMA.  (No prctl, DAX or
 * special VMAs exist in the model.)
 */
unsigned long thp_vma_allowable_orders(struct fsim_machine *m,
				       struct vm_area_struct *vma,
				       unsigned long orders,
				       enum tva_type type)
{
	unsigned long w;

	orders &= ((1UL << (HPAGE_PMD_ORDER + 1)) - 1) & ~3UL;
	if (type != TVA_FORCED_COLLAPSE)
		orders &= sysfs_orders(m, vma->vm_flags);
	if (!orders || (vma->vm_flags & VM_NOHUGEPAGE))
		return 0;
	if (type == TVA_KHUGEPAGED || type == TVA_FORCED_COLLAPSE) {
		if (vma->vm_end < PMD_SIZE)
			return 0;
		w = ALIGN_DOWN_PMD(vma->vm_end - PMD_SIZE);
		if (w < vma->vm_start || !vma->anon_vma)
			return 0;
	}
	return orders;
}

/* thp_vma_suitable_order(): the aligned range around addr fits the VMA. */
bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr,
			    int order)
{
	unsigned long size = PAGE_SIZE << order;
	unsigned long haddr = addr & ~(size - 1);

	/* No pgoff alignment check: the VMAs are anonymous. */
	return haddr >= vma->vm_start && haddr + size <= vma->vm_end;
}

/*
 * reusable_anon_vma(): @other's anon_vma can be shared if it is adjacent,
 * differs at most in access flags, continues the page offsets, and its
 * anon_vma chain is singular.
 */
static uint32_t reusable_anon_vma(const struct vm_area_struct *a,
				  const struct vm_area_struct *b,
				  const struct vm_area_struct *other)
{
	if (a->vm_end != b->vm_start ||
	    ((a->vm_flags ^ b->vm_flags) & ~(VM_READ | VM_WRITE)) ||
	    a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) !=
		    b->vm_pgoff ||
	    other->anon_vma_forked)
		return 0;
	return other->anon_vma;
}

/*
 * anon_vma_prepare() with find_mergeable_anon_vma(): reuse the next
 * VMA's anon_vma, else the previous one's, else make a new one, so that
 * VMAs split apart can merge again later.
 */
void vmf_anon_prepare(struct fsim_machine *m, struct mm_struct *mm,
		      struct vm_area_struct *vma)
{
	int i = (int)(vma - mm->vmas);
	uint32_t av = 0;

	if (vma->anon_vma)
		return;
	if (i + 1 < mm->nr_vmas)
		av = reusable_anon_vma(vma, vma + 1, vma + 1);
	if (!av && i > 0)
		av = reusable_anon_vma(vma - 1, vma, vma - 1);
	vma->anon_vma = av ? av : ++m->next_anon_vma;
	vma_avc_link(mm, vma);
}

void __khugepaged_enter(struct fsim_machine *m, struct mm_struct *mm)
{
	struct khugepaged_state *k = m->khugepaged;

	if (mm->flags & MMF_VM_HUGEPAGE)
		return;
	if (k->nr_slots == k->cap_slots) {
		int cap = k->cap_slots ? 2 * k->cap_slots : 8;
		void *p = realloc(k->slots, (size_t)cap * sizeof(*k->slots));

		if (!p)
			return;
		k->slots = p;
		k->cap_slots = cap;
	}
	mm->flags |= MMF_VM_HUGEPAGE;
	k->slots[k->nr_slots++] = mm;	/* appended at the tail */
}

void khugepaged_enter_vma(struct fsim_machine *m, struct mm_struct *mm,
			  struct vm_area_struct *vma)
{
	if (!(mm->flags & MMF_VM_HUGEPAGE) && khugepaged_enabled(m) &&
	    collapse_possible_orders(m, vma, true))
		__khugepaged_enter(m, mm);
}

/*
 * khugepaged_exit(): a slot that is not the scan cursor goes at once; the
 * cursor's slot is collected by the scanner when it moves on.
 */
void khugepaged_exit(struct fsim_machine *m, struct mm_struct *mm)
{
	if ((mm->flags & MMF_VM_HUGEPAGE) && m->khugepaged->cursor != mm)
		khugepaged_remove_slot(m->khugepaged, mm);
}

/*
 * Why the sysfs modes keep PMD THPs out of a VMA with @vm_flags (the
 * hugepages-2048kB mode, or the top level's for "inherit").
 */
static void sysfs_reason(struct fsim_machine *m, unsigned long vm_flags,
			 char *why, size_t len)
{
	long mode = m->set.size_enabled[HPAGE_PMD_ORDER];
	const char *knob = "hugepages-2048kB/enabled";

	if (mode == THP_INHERIT) {
		mode = m->set.enabled;
		knob = "enabled";
	}
	if (mode == THP_MADVISE && !(vm_flags & VM_HUGEPAGE))
		snprintf(why, len, "%s madvise and no MADV_HUGEPAGE", knob);
	else
		snprintf(why, len, "%s never", knob);
}

enum pmd_elig fsim_pmd_eligible(struct fsim_machine *m, struct mm_struct *mm,
				unsigned long addr, char *why, size_t len)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	if (!vma) {
		snprintf(why, len, "not mapped");
		return ELIG_UNMAPPED;
	}
	if (vma->vm_start > addr || vma->vm_end < addr + PMD_SIZE) {
		snprintf(why, len, "the PMD range is not inside one VMA");
		return ELIG_VMA_SPLIT;
	}
	if (vma->vm_flags & VM_NOHUGEPAGE) {
		snprintf(why, len, "MADV_NOHUGEPAGE");
		return ELIG_NOHUGEPAGE;
	}
	if (!(sysfs_orders(m, vma->vm_flags) & (1UL << HPAGE_PMD_ORDER))) {
		sysfs_reason(m, vma->vm_flags, why, len);
		return ELIG_SYSFS;
	}
	if (!vma->anon_vma) {
		snprintf(why, len, "no anon_vma: no page was ever allocated there");
		return ELIG_NO_ANON_VMA;
	}
	if (!(mm->flags & MMF_VM_HUGEPAGE)) {
		snprintf(why, len, "the mm is not on khugepaged's list");
		return ELIG_NOT_LISTED;
	}
	why[0] = '\0';
	return ELIG_OK;
}
