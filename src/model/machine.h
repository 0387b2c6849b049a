/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct fsim_machine: one simulated machine.  It owns RAM, swap, the
 * processes, the tunables, the profile, the counters and the fault-injection
 * knobs.  Nothing in the model is global, so explorer threads can each own
 * one.  This header is internal to model/; other layers use model.h.
 */
#ifndef FSIM_MODEL_MACHINE_H
#define FSIM_MODEL_MACHINE_H

#include "mm.h"
#include "phys.h"
#include "config/profile.h"
#include "config/settings.h"
#include "stats.h"

struct khugepaged_state;
struct ksm_state;

struct swap_rev {
	pfn_t pfn_plus1;		/* 0: empty hash slot */
	uint32_t offset;
};

/* Swap space: one content tag and a use count per slot, and the cache. */
struct fsim_swap {
	content_t *content;
	uint16_t *count;		/* swap_map: PTEs referencing the slot */
	pfn_t *cache;			/* page in the swap cache, or NO_PFN */
	uint8_t *zeromap;		/* 1: written as all zero bytes */
	struct swap_rev *rev;		/* head pfn -> first slot */
	uint32_t rev_cap, rev_used;
	uint32_t nr_slots, nr_used;
	/* clusters of HPAGE_PMD_NR slots, each serving one order (swapalloc.c) */
	int8_t *cl_order;		/* -1: free */
	uint16_t *cl_used;		/* slots in use, the header included */
	uint8_t *cl_list;		/* enum swap_cl_list: which list it is on */
	uint32_t *cl_seq;		/* position on that list: lower is nearer
					 * the head */
	uint32_t cl_clock;		/* the next tail position */
	uint32_t nr_clusters;
	uint32_t next[HPAGE_PMD_ORDER + 1];	/* per order; 0: none */
};

struct fsim_machine {
	struct fsim_phys phys;
	struct fsim_swap swap;
	struct table_refs table_refs;	/* shared page-table pages */
	struct thp_settings set;
	const struct fsim_profile *profile;	/* &profile_buf */
	struct fsim_profile profile_buf;
	enum shared_pred shared;	/* khugepaged's predicate */
	struct mm_struct **mms;		/* every mm ever created, by idx */
	int nr_mms, cap_mms;
	uint64_t ev[NR_VM_EVENTS];
	struct rmap_cost cost;
	content_t next_unique;
	content_t unique_origin;	/* unique tags before the scenario's */
	uint64_t *values;		/* interned "value N" contents */
	uint32_t nr_values, cap_values;
	uint32_t next_anon_vma;
	uint64_t avc_clock;		/* orders anon_vma tree links */
	uint64_t rmap_gen;		/* bumped by every rmap change */
	uint64_t exact_gen;		/* rmap_gen the exact cache is for */
	uint8_t *exact_cache;		/* per head pfn: 0 ?, 1 one mm, 2 more */
	void *check_buf;		/* the invariant checker's arrays */
	size_t check_buf_size;
	struct khugepaged_state *khugepaged;
	struct ksm_state *ksm;
	bool track_truth;		/* compare khugepaged's answers with exact */
	long pred_fn, pred_fp;		/* ... false negatives / positives */
	char err[256];			/* why the last operation failed */
};

/* Content tags. */
content_t content_unique(struct fsim_machine *m);
content_t content_value(struct fsim_machine *m, uint64_t value);
/* The unique tags made so far are not the scenario's (the keeper's). */
void content_mark_origin(struct fsim_machine *m);
/* The sign of memcmp() of two pages holding @a and @b. */
int content_memcmp(const struct fsim_machine *m, content_t a, content_t b);

/* Reference counting: drop @nr references, freeing the folio at zero. */
void folio_put_refs(struct fsim_machine *m, struct folio *folio, int nr);

static inline void mm_inc_rss(struct mm_struct *mm, int item, long nr)
{
	mm->rss_stat[item] += nr;
}

static inline void count_vm_event(struct fsim_machine *m, int item)
{
	m->ev[item]++;
}

static inline void count_vm_events(struct fsim_machine *m, int item, long nr)
{
	m->ev[item] += (uint64_t)nr;
}

/* Allocate an mm id the way the kernel's IDA does: smallest free. */
uint32_t mm_alloc_id(struct fsim_machine *m);

int fsim_err(struct fsim_machine *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
