// SPDX-License-Identifier: GPL-2.0-only
/*
 * Swap slot allocation by clusters, as the 6.18 allocator does it for an
 * SSD-like device such as zram (cluster_alloc_swap_entry()): the device is
 * cut into clusters of HPAGE_PMD_NR slots; each cluster in use serves one
 * folio order, and each order allocates forwards from where its last
 * allocation ended (the per-CPU cluster offset; the actors run on one
 * CPU), else from its own clusters that have room, else from the first
 * free cluster; order 0 may at last take a slot in any cluster.  So the
 * slots of small folios written out one after another are consecutive,
 * and those of each mTHP naturally aligned, as on the kernel: the swap-in
 * of an mTHP depends on it.  Slot 0 is the swap header.
 */
#include <errno.h>
#include <stdlib.h>

#include "swap.h"

#define CLUSTER HPAGE_PMD_NR

int swap_clusters_init(struct fsim_swap *s)
{
	uint32_t c;

	s->nr_clusters = (s->nr_slots + CLUSTER - 1) / CLUSTER;
	s->cl_order = calloc(s->nr_clusters + 1, sizeof(*s->cl_order));
	s->cl_used = calloc(s->nr_clusters + 1, sizeof(*s->cl_used));
	if (!s->cl_order || !s->cl_used)
		return -ENOMEM;
	for (c = 0; c < s->nr_clusters; c++)
		s->cl_order[c] = -1;
	if (s->nr_clusters) {
		s->cl_order[0] = 0;	/* the header's cluster is order 0's */
		s->cl_used[0] = 1;
	}
	return 0;
}

void swap_cluster_put(struct fsim_swap *s, uint32_t offset)
{
	uint32_t c = offset / CLUSTER;

	if (!--s->cl_used[c])
		s->cl_order[c] = -1;
}

static bool slot_free(const struct fsim_swap *s, uint32_t off)
{
	return off && !s->count[off] && s->cache[off] == NO_PFN;
}

/* An aligned run of @nr free slots in cluster @c from @from, or 0. */
static uint32_t scan_cluster(const struct fsim_swap *s, uint32_t c,
			     uint32_t from, uint32_t nr)
{
	uint32_t end = (c + 1) * CLUSTER, off, k;

	if (end > s->nr_slots)
		end = s->nr_slots;
	for (off = from; off + nr <= end; off += nr) {
		for (k = 0; k < nr && slot_free(s, off + k); k++)
			;
		if (k == nr)
			return off;
	}
	return 0;
}

static void take(struct fsim_swap *s, int order, uint32_t off)
{
	uint32_t nr = 1U << order, c = off / CLUSTER, next = off + nr;

	if (s->cl_order[c] < 0)		/* order 0 may borrow a slot */
		s->cl_order[c] = (int8_t)order;
	s->cl_used[c] += (uint16_t)nr;
	s->nr_used += nr;
	s->next[order] = next % CLUSTER && next < s->nr_slots ? next : 0;
}

int swap_alloc(struct fsim_machine *m, long nr, uint32_t *offset)
{
	struct fsim_swap *s = &m->swap;
	int order = __builtin_ctzl((unsigned long)nr);
	uint32_t c, off = 0, n = (uint32_t)nr;

	if (s->next[order])
		off = scan_cluster(s, s->next[order] / CLUSTER,
				   s->next[order], n);
	for (c = 0; !off && c < s->nr_clusters; c++)	/* its own */
		if (s->cl_order[c] == order && s->cl_used[c] + n <= CLUSTER)
			off = scan_cluster(s, c, c * CLUSTER, n);
	for (c = 0; !off && c < s->nr_clusters; c++)	/* a free one */
		if (s->cl_order[c] < 0)
			off = scan_cluster(s, c, c * CLUSTER, n);
	for (c = 0; !off && !order && c < s->nr_clusters; c++)
		off = scan_cluster(s, c, c * CLUSTER, 1);
	if (!off)
		return -ENOSPC;
	take(s, order, off);
	*offset = off;
	return 0;
}
