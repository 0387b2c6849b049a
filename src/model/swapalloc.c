// SPDX-License-Identifier: GPL-2.0-only
/*
 * Swap slot allocation by clusters, as the 6.18 allocator does it for an
 * SSD-like device such as zram (swap_alloc_fast(), then
 * cluster_alloc_swap_entry()): the device is cut into clusters of
 * HPAGE_PMD_NR slots; each cluster in use serves one folio order.  An
 * order first continues forwards from where its last allocation ended
 * (the per-CPU cluster offset; the actors run on one CPU), else tries
 * its clusters that had slots freed, then a free cluster, then one of
 * its fragmented clusters; order 0 may at last take a slot in another
 * order's cluster.  So the slots of small folios written out one after
 * another are consecutive, and those of each mTHP naturally aligned, as
 * on the kernel: the swap-in of an mTHP depends on it.  Slot 0 is the
 * swap header.
 *
 * The kernel keeps the clusters on lists (free, nonfull and frag per
 * order, full) and always moves a cluster to the tail of its new list;
 * which cluster with room an order takes next is the head of a list, not
 * the lowest-numbered one.  Each cluster here records its list and a
 * position that grows with every move, so the head is the lowest
 * position.
 */
#include <errno.h>
#include <stdlib.h>

#include "swap.h"

#define CLUSTER HPAGE_PMD_NR

enum swap_cl_list {
	CL_NONE,	/* taken off its list while being scanned */
	CL_FREE,
	CL_NONFULL,	/* slots were freed since it was last allocated from */
	CL_FRAG,	/* allocated from, not full */
	CL_FULL,
};

/* list_move_tail() */
static void cl_move(struct fsim_swap *s, uint32_t c, enum swap_cl_list list)
{
	s->cl_list[c] = (uint8_t)list;
	s->cl_seq[c] = s->cl_clock++;
}

int swap_clusters_init(struct fsim_swap *s)
{
	uint32_t c;

	s->nr_clusters = (s->nr_slots + CLUSTER - 1) / CLUSTER;
	s->cl_order = calloc(s->nr_clusters + 1, sizeof(*s->cl_order));
	s->cl_used = calloc(s->nr_clusters + 1, sizeof(*s->cl_used));
	s->cl_list = calloc(s->nr_clusters + 1, sizeof(*s->cl_list));
	s->cl_seq = calloc(s->nr_clusters + 1, sizeof(*s->cl_seq));
	if (!s->cl_order || !s->cl_used || !s->cl_list || !s->cl_seq)
		return -ENOMEM;
	/* swapon: the header's cluster is order 0's, the rest free in order */
	for (c = 0; c < s->nr_clusters; c++) {
		s->cl_order[c] = -1;
		cl_move(s, c, CL_FREE);
	}
	if (s->nr_clusters) {
		s->cl_order[0] = 0;
		s->cl_used[0] = 1;
		cl_move(s, 0, CL_NONFULL);
	}
	return 0;
}

/*
 * A slot was released: a cluster with no slot in use goes to the tail of
 * the free list, any other that is not there yet to the tail of its
 * order's nonfull list (free_cluster(), partial_free_cluster()).
 */
void swap_cluster_put(struct fsim_swap *s, uint32_t offset)
{
	uint32_t c = offset / CLUSTER;

	if (!--s->cl_used[c]) {
		s->cl_order[c] = -1;
		cl_move(s, c, CL_FREE);
	} else if (s->cl_list[c] != CL_NONFULL) {
		cl_move(s, c, CL_NONFULL);
	}
}

static bool slot_free(const struct fsim_swap *s, uint32_t off)
{
	return off && !s->count[off] && s->cache[off] == NO_PFN;
}

/* After a scan: back on the list its use says (relocate_cluster()). */
static void cl_relocate(struct fsim_swap *s, uint32_t c)
{
	if (!s->cl_used[c]) {
		if (s->cl_list[c] != CL_FREE)
			cl_move(s, c, CL_FREE);
	} else if (s->cl_used[c] < CLUSTER) {
		if (s->cl_list[c] != CL_FRAG)
			cl_move(s, c, CL_FRAG);
	} else if (s->cl_list[c] != CL_FULL) {
		cl_move(s, c, CL_FULL);
	}
}

/*
 * alloc_swap_scan_cluster(): the first aligned run of @order's slots in
 * cluster @c from @from that is free; take it, remember where the next
 * one of this order may start, and put the cluster back on its list.
 * Returns the first slot, or 0.
 */
static uint32_t scan_cluster(struct fsim_swap *s, uint32_t c, uint32_t from,
			     int order)
{
	uint32_t nr = 1U << order, end = (c + 1) * CLUSTER, off, k, found = 0;

	if (end > s->nr_slots)
		end = s->nr_slots;
	for (off = from; !found && s->cl_used[c] + nr <= CLUSTER &&
			 off + nr <= end; off += nr) {
		for (k = 0; k < nr && slot_free(s, off + k); k++)
			;
		if (k == nr)
			found = off;
	}
	s->next[order] = 0;
	if (found) {
		if (!s->cl_used[c])
			s->cl_order[c] = (int8_t)order;
		s->cl_used[c] += (uint16_t)nr;
		s->nr_used += nr;
		if (s->cl_used[c] < CLUSTER && found + 2 * nr <= end)
			s->next[order] = found + nr;
	}
	cl_relocate(s, c);
	return found;
}

/* The head of @list (for @order unless it is the free list), or -1. */
static long cl_head(const struct fsim_swap *s, enum swap_cl_list list,
		    int order)
{
	long head = -1;
	uint32_t c;

	for (c = 0; c < s->nr_clusters; c++)
		if (s->cl_list[c] == list &&
		    (list == CL_FREE || s->cl_order[c] == order) &&
		    (head < 0 || s->cl_seq[c] < s->cl_seq[head]))
			head = c;
	return head;
}

/*
 * alloc_swap_scan_list(): take clusters off the head of @list and scan
 * them for @order (@list_order: the order the list is for) until one has
 * room, or after the first one unless @all.
 */
static uint32_t scan_list(struct fsim_swap *s, enum swap_cl_list list,
			  int list_order, int order, bool all)
{
	uint32_t found = 0;
	long c;

	do {
		c = cl_head(s, list, list_order);
		if (c < 0)
			break;
		s->cl_list[c] = CL_NONE;	/* isolate_lock_cluster() */
		found = scan_cluster(s, (uint32_t)c, (uint32_t)c * CLUSTER,
				     order);
	} while (!found && all);
	return found;
}

/* swap_alloc_fast(): continue in the cluster of this order's last one. */
static uint32_t alloc_fast(struct fsim_swap *s, int order)
{
	uint32_t off = s->next[order], c = off / CLUSTER;

	if (!off || s->cl_list[c] == CL_FULL)
		return 0;
	if (s->cl_used[c] && order && s->cl_order[c] != order)
		return 0;
	if (!s->cl_used[c])
		off = c * CLUSTER;
	return scan_cluster(s, c, off, order);
}

int swap_alloc(struct fsim_machine *m, long nr, uint32_t *offset)
{
	struct fsim_swap *s = &m->swap;
	int order = __builtin_ctzl((unsigned long)nr), o;
	uint32_t off = alloc_fast(s, order);

	if (!off && order < HPAGE_PMD_ORDER)
		off = scan_list(s, CL_NONFULL, order, order, true);
	if (!off)
		off = scan_list(s, CL_FREE, order, order, false);
	if (!off && order < HPAGE_PMD_ORDER)
		off = scan_list(s, CL_FRAG, order, order, false);
	for (o = 1; !off && !order && o <= HPAGE_PMD_ORDER; o++) {
		off = scan_list(s, CL_FRAG, o, 0, true);
		if (!off)
			off = scan_list(s, CL_NONFULL, o, 0, true);
	}
	if (!off)
		return -ENOSPC;
	*offset = off;
	return 0;
}
