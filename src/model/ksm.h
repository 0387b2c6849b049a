/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KSM for anonymous memory, as ksmd runs it in Linux 6.18 (mm/ksm.c):
 * registered mms scanned in list order, an rmap_item per scanned page, a
 * page's checksum must be unchanged since the previous scan before it may
 * merge, the stable tree (KSM pages, in chains of at most
 * max_page_sharing mappings each) and the unstable tree (rebuilt every full
 * scan, a red-black tree ordered by memcmp() of page contents),
 * use_zero_pages, and the sysfs counters.
 *
 * A page's content tag is its checksum: equal tags mean equal contents.
 */
#ifndef FSIM_MODEL_KSM_H
#define FSIM_MODEL_KSM_H

#include "machine.h"
#include "rbtree.h"

/* A node of the unstable tree: the rmap_item of (mm, addr). */
struct ksm_unstable_node {
	struct rb_node rb;
	struct mm_struct *mm;
	unsigned long addr;
};

struct ksm_rmap_item {
	unsigned long addr;
	content_t checksum;		/* oldchecksum */
	bool seen;			/* checksum is valid */
	int stable;			/* stable node, or -1 */
	uint64_t unstable_seq;		/* in the unstable tree of scan N+1 */
	struct ksm_unstable_node *unode; /* its node in the current tree */
};

struct ksm_slot {
	struct mm_struct *mm;
	struct ksm_rmap_item *items;	/* sorted by address */
	int nr, cap;
};

struct ksm_stable_node {
	content_t content;
	pfn_t kpfn;			/* the KSM page */
	int nr_items;			/* rmap_hlist_len */
	bool live;
};

struct ksm_state {
	struct ksm_slot *slots;
	int nr_slots, cap_slots;
	int cursor;			/* slot being scanned, -1: list head */
	unsigned long cursor_addr;
	int cursor_pos;			/* next rmap_item of the cursor slot */
	uint64_t seqnr;			/* full_scans */
	struct rb_root unstable;	/* this scan's, by page contents */
	struct ksm_stable_node *nodes;
	int nr_nodes, cap_nodes;
	long zero_pages;		/* ksm_zero_pages */
};

struct ksm_counters {
	long pages_shared, pages_sharing, pages_unshared, pages_volatile;
	long full_scans, ksm_zero_pages;
};

struct ksm_state *ksm_state_new(void);
void ksm_state_free(struct ksm_state *k);
void ksm_counters(struct fsim_machine *m, struct ksm_counters *c);
/* fork: the child is registered if the parent is (ksm_fork()). */
void ksm_fork(struct fsim_machine *m, struct mm_struct *child,
	      struct mm_struct *parent);
void ksm_exit(struct fsim_machine *m, struct mm_struct *mm);
/* Break every KSM page mapped in [start, end) (mremap's move_vma()). */
void ksm_unmerge_range(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long start, unsigned long end);
/* A KSM-placed zero page is going away (written to, or zapped). */
void ksm_might_unmap_zero_page(struct fsim_machine *m, pte_t pte);

#endif
