/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Functions shared between the files of model/ (not part of model.h).
 * Each names the kernel function whose behaviour it follows.
 */
#ifndef FSIM_MODEL_INTERNAL_H
#define FSIM_MODEL_INTERNAL_H

#include "rmap.h"

/* Results of fault handlers below the top level. */
#define VM_FAULT_DONE 0
#define VM_FAULT_FALLBACK 1	/* retry at PTE level */
#define VM_FAULT_OOM (-12)	/* -ENOMEM */

enum tva_type { TVA_SMAPS, TVA_PAGEFAULT, TVA_KHUGEPAGED, TVA_FORCED_COLLAPSE };

/* Keep the software expected-content field of *ptep. */
static inline void set_pte_keep(pte_t *ptep, pte_t pte)
{
	*ptep = (pte & 0xffffffffULL) | (*ptep & ~0xffffffffULL);
}

/*
 * folio_pte_batch(): how many PTEs from @ptep (at most @max) map
 * consecutive pages of the folio the first one maps, with every bit equal
 * except those in @ignore (young, write, dirty: each caller says which).
 * One masked compare per PTE: the low word of PTE k minus k pages must
 * equal the first PTE's.
 */
static inline int folio_pte_batch(struct fsim_machine *m, const pte_t *ptep,
				  int max, pte_t ignore)
{
	const pte_t mask = 0xffffffffULL & ~ignore;
	pfn_t pfn = pte_pfn(ptep[0]);
	struct folio *folio = pfn_folio(&m->phys, pfn);
	long left = folio_pfn(&m->phys, folio) + folio_nr_pages(folio) - pfn;
	int nr = 1, lim = max < left ? max : (int)left;

	while (nr < lim &&
	       !(((ptep[nr] - ((pte_t)nr << _PTE_PFN_SHIFT)) ^ ptep[0]) & mask))
		nr++;
	return nr;
}

/*
 * madvise_walk_vmas(): call @fn on the part of each VMA inside
 * [start, end) in address order; the first error stops the walk; holes
 * give -ENOMEM once everything else has been done.
 */
typedef int (*madvise_fn)(struct fsim_machine *m, struct mm_struct *mm,
			  struct vm_area_struct *vma, unsigned long start,
			  unsigned long end, void *arg);
int madvise_walk_vmas(struct fsim_machine *m, struct mm_struct *mm,
		      unsigned long start, unsigned long end, madvise_fn fn,
		      void *arg);

/* thp.c */
bool hugepage_pmd_enabled(struct fsim_machine *m);
unsigned long thp_vma_allowable_orders(struct fsim_machine *m,
				       struct vm_area_struct *vma,
				       unsigned long orders,
				       enum tva_type type);
static inline bool thp_vma_allowable_order(struct fsim_machine *m,
					   struct vm_area_struct *vma,
					   int order, enum tva_type type)
{
	return thp_vma_allowable_orders(m, vma, 1UL << order, type);
}
bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr,
			    int order);
void vmf_anon_prepare(struct fsim_machine *m, struct mm_struct *mm,
		      struct vm_area_struct *vma);
void khugepaged_enter_vma(struct fsim_machine *m, struct mm_struct *mm,
			  struct vm_area_struct *vma);
void __khugepaged_enter(struct fsim_machine *m, struct mm_struct *mm);
void khugepaged_exit(struct fsim_machine *m, struct mm_struct *mm);

/* fault.c */
int handle_mm_fault(struct fsim_machine *m, struct mm_struct *mm,
		    struct vm_area_struct *vma, unsigned long addr, bool write);
int do_swap_page(struct fsim_machine *m, struct mm_struct *mm,
		 struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
		 bool write);
pte_t *pmd_deposit_alloc(struct mm_struct *mm, struct pmd_table *t, int i);
/* An unsharing fault (FAULT_FLAG_UNSHARE) on a present PTE. */
int unshare_fault(struct fsim_machine *m, struct mm_struct *mm,
		  struct vm_area_struct *vma, unsigned long addr, pte_t *ptep);

/*
 * syscalls.c: vma_modify_flags() over [start, end).  Only the VMAs whose
 * flags change are split to the range (and the huge PMDs at its ends with
 * them); @fn, if any, runs on each changed piece before its flags are set.
 * Unchanged VMAs stay whole, as madvise_update_vma() and mprotect_fixup()
 * leave them, so a no-op call never splits a THP's PMD.
 */
typedef int (*vma_modify_fn)(struct fsim_machine *m, struct mm_struct *mm,
			     struct vm_area_struct *vma, void *arg);
/* The flags a VMA gets besides set/clear (mprotect's accounting). */
typedef unsigned long (*vma_flags_fn)(const struct vm_area_struct *vma,
				      unsigned long flags);
int vma_modify_flags_range(struct fsim_machine *m, struct mm_struct *mm,
			   unsigned long start, unsigned long end,
			   unsigned long set, unsigned long clear,
			   vma_flags_fn adjust, vma_modify_fn fn, void *arg);

/* fork.c */
int dup_mmap(struct fsim_machine *m, struct mm_struct *dst,
	     struct mm_struct *src);

/* madvise back ends (khugepaged.c, pageout.c, ksm.c); return -errno */
int madvise_collapse_range(struct fsim_machine *m, struct mm_struct *mm,
			   unsigned long start, unsigned long end);
int madvise_pageout_range(struct fsim_machine *m, struct mm_struct *mm,
			  unsigned long start, unsigned long end,
			  bool pageout);
int ksm_madvise_range(struct fsim_machine *m, struct mm_struct *mm,
		      unsigned long start, unsigned long end, bool merge);

/* zap.c: zap_page_range_single() over [start, end) of one VMA */
void zap_vma_range(struct fsim_machine *m, struct mm_struct *mm,
		   struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, bool reclaim_pt);
void zap_huge_pmd(struct fsim_machine *m, struct mm_struct *mm,
		  struct pmd_table *t, int i);

/* split.c */
void __split_huge_pmd(struct fsim_machine *m, struct mm_struct *mm,
		      struct vm_area_struct *vma, unsigned long addr);
/* Split the huge PMD covering addr, if there is one. */
void split_huge_pmd_address(struct fsim_machine *m, struct mm_struct *mm,
			    struct vm_area_struct *vma, unsigned long addr);
/* split_folio(): 0, or -EAGAIN/-EBUSY when it cannot be split. */
int split_folio_to_order(struct fsim_machine *m, struct folio *folio,
			 unsigned int new_order);
bool thp_underused(struct fsim_machine *m, struct folio *folio);
unsigned long deferred_split_scan(struct fsim_machine *m,
				  unsigned long nr_to_scan);

/* swap.c */
int folio_free_swap(struct fsim_machine *m, struct folio *folio);
void free_swap_and_cache(struct fsim_machine *m, uint32_t offset);
void swap_duplicate(struct fsim_machine *m, uint32_t offset);

/*
 * One place where a folio is mapped, found by the rmap walk.  A PMD
 * mapping has pmd_table set and ptep NULL.
 */
struct rmap_hit {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	unsigned long addr;
	pte_t *ptep;
	struct pmd_table *pmd_table;
	int pmd_idx;
};
/* rmap_walk() of an anon large folio; returns hits (caller frees). */
int rmap_walk_large(struct fsim_machine *m, struct folio *folio,
		    struct rmap_hit **hits);

#endif
