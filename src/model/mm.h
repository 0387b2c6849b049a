/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Address spaces: mm_struct, VMAs and the 4-level page tables.
 *
 * Page tables are radix trees of 512-entry tables.  A PMD table also keeps,
 * per entry, the page table the kernel deposits under a huge PMD; the model
 * stores the expected contents of the 512 pages there, so that a PMD split
 * finds them in place.
 */
#ifndef FSIM_MODEL_MM_H
#define FSIM_MODEL_MM_H

#include "types.h"

#define VM_READ 0x1UL
#define VM_WRITE 0x2UL
#define VM_HUGEPAGE 0x4UL
#define VM_NOHUGEPAGE 0x8UL
#define VM_DONTCOPY 0x10UL
#define VM_MERGEABLE 0x20UL
#define VM_ACCOUNT 0x40UL	/* commit charged; VMAs merge only alike */

struct vm_area_struct {
	unsigned long vm_start, vm_end;
	unsigned long vm_pgoff;		/* linear page index of vm_start */
	unsigned long vm_flags;
	uint32_t anon_vma;		/* 0: none yet; else an id shared by
					   VMAs that may hold the same folios */
	bool anon_vma_forked;		/* its anon_vma chain is not singular
					   (a fork child's): never merges
					   with a VMA without anon_vma */
	/*
	 * When its anon_vma chain entries were last put into the anon_vma
	 * interval tree: the rmap walk visits VMAs by page offset, and those
	 * of equal offset in this order.
	 */
	uint64_t avc_seq;
	/*
	 * swap_readahead_info: the last swap fault through the swap cache
	 * (0: none yet), the readahead window it used and the readahead
	 * hits since.  Copied with the VMA, as the kernel does.
	 */
	unsigned long swap_ra_addr;
	uint8_t swap_ra_win, swap_ra_hits;
};

struct pmd_table {
	pmd_t e[PTRS_PER_TABLE];
	pte_t *deposit[PTRS_PER_TABLE];	/* table deposited under a huge PMD */
};

struct pud_table {
	struct pmd_table *e[PTRS_PER_TABLE];
};

struct pgd_table {
	struct pud_table *e[PTRS_PER_TABLE];
};

/*
 * Extra references to page-table pages shared between mms: fork shares the
 * table deposited under a huge PMD instead of copying it (the tables only
 * differ once one side writes through the PMD or splits it).  A table not
 * in the map has one owner.
 */
struct table_refs {
	uintptr_t *keys;
	uint32_t *extra;
	uint32_t cap, used;
};

enum { MM_ANONPAGES, MM_SWAPENTS, NR_MM_COUNTERS };

#define MMF_VM_HUGEPAGE (1UL << 0)	/* registered with khugepaged */
#define MMF_VM_MERGEABLE (1UL << 1)	/* registered with ksmd */

struct mm_struct {
	uint32_t mm_id;			/* MM_ID, smallest free from 1 */
	int idx;			/* position in machine->mms */
	bool alive;
	struct pgd_table *pgd;
	struct vm_area_struct *vmas;	/* sorted, non-overlapping */
	int nr_vmas, cap_vmas;
	long rss_stat[NR_MM_COUNTERS];
	unsigned long flags;
	unsigned long nr_ptes;		/* PTE tables, for host-memory figures */
	struct table_refs *refs;	/* the machine's shared-table counts */
	uint64_t *avc_clock;		/* the machine's avc_seq counter */
};

static inline unsigned long pgd_index(unsigned long addr)
{
	return (addr >> PGDIR_SHIFT) & (PTRS_PER_TABLE - 1);
}

static inline unsigned long pud_index(unsigned long addr)
{
	return (addr >> PUD_SHIFT) & (PTRS_PER_TABLE - 1);
}

static inline unsigned long pmd_index(unsigned long addr)
{
	return (addr >> PMD_SHIFT) & (PTRS_PER_TABLE - 1);
}

static inline unsigned long pte_index(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (PTRS_PER_TABLE - 1);
}

/* The PMD table covering @addr; NULL if absent and !alloc (or OOM). */
struct pmd_table *pmd_table_lookup(struct mm_struct *mm, unsigned long addr,
				   bool alloc);
/* The PMD entry for @addr, or NULL if no PMD table exists. */
pmd_t *pmd_lookup(struct mm_struct *mm, unsigned long addr);
/* The PTE for @addr, or NULL if its PMD does not point to a table. */
pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr);
pte_t *pte_table_alloc(struct mm_struct *mm);
/* Drop @mm's reference; the table is freed with its last one. */
void pte_table_free(struct mm_struct *mm, pte_t *table);
/* Give @mm a reference to a table another mm holds. */
void pte_table_share(struct mm_struct *mm, pte_t *table);
/* Make *@slot a table only @mm holds (copying if shared); NULL on OOM. */
pte_t *pte_table_own(struct mm_struct *mm, pte_t **slot);
void table_refs_free(struct table_refs *r);
/* Free every page-table page; the caller has zapped all mappings. */
void free_all_pgtables(struct mm_struct *mm);
/* Free PTE tables in [start, end) not shared with a VMA of @mm. */
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end);

/* VMAs */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
/* Split so that a VMA boundary falls at @addr (no-op if one does). */
/*
 * Split the VMA at @addr.  As __split_vma(), the piece below (@new_below)
 * or above is the new VMA, linked into the anon_vma tree first; the other
 * keeps the old one, relinked after it.
 */
int vma_split_at(struct mm_struct *mm, unsigned long addr, bool new_below);
/* The VMA's anon_vma chain was (re)linked into the interval tree now. */
void vma_avc_link(struct mm_struct *mm, struct vm_area_struct *vma);
/* Insert a VMA at its sorted place; returns it or NULL (overlap / OOM). */
struct vm_area_struct *vma_insert(struct mm_struct *mm,
				  const struct vm_area_struct *v);
void vma_remove_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
/*
 * Merge neighbours in [start, end] that the kernel would merge; the range
 * changed is (start, end): a VMA that begins inside it is a merge's
 * middle, not its previous VMA.
 */
void vma_merge_range(struct mm_struct *mm, unsigned long start,
		     unsigned long end);
/* True if [start, end) is entirely covered by VMAs with no hole. */
bool vma_range_covered(struct mm_struct *mm, unsigned long start,
		       unsigned long end);

#endif
