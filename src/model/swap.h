/* SPDX-License-Identifier: GPL-2.0-only */
/* Swap slots and the swap cache (see swap.c). */
#ifndef FSIM_MODEL_SWAP_H
#define FSIM_MODEL_SWAP_H

#include "machine.h"

int swap_init(struct fsim_machine *m, uint64_t bytes);
void swap_destroy(struct fsim_machine *m);
/* @nr naturally aligned free slots; 0 or -ENOSPC (swapalloc.c). */
int swap_alloc(struct fsim_machine *m, long nr, uint32_t *offset);
/* Set up the clusters: all free but the first, the header's. */
int swap_clusters_init(struct fsim_swap *s);
/* A slot was released: a cluster with no slot in use becomes free. */
void swap_cluster_put(struct fsim_swap *s, uint32_t offset);
/* Put @folio in the swap cache at @offset (one reference per page). */
int add_to_swap_cache(struct fsim_machine *m, struct folio *folio,
		      uint32_t offset);
/* Free an unmapped, written-out swap-cache folio (__remove_mapping()). */
int swap_cache_reclaim(struct fsim_machine *m, struct folio *folio);
/* First slot of a folio in the swap cache. */
uint32_t folio_swap_offset(struct fsim_machine *m, struct folio *folio);
/* More than half of the swap space is in use. */
bool vm_swap_full(struct fsim_machine *m);
/* Drop an unmapped folio from the swap cache unless entries use it. */
void free_swap_cache(struct fsim_machine *m, struct folio *folio);
/* Write a swap-cache folio out (or note it in the zeromap), then free it. */
void swap_writeout(struct fsim_machine *m, struct folio *folio);
/* Fill a new folio from the slots at @offset and count the read. */
void swap_read_folio(struct fsim_machine *m, struct folio *folio,
		     uint32_t offset);
/* Drop one reference to a slot after a swap-in; release it at zero. */
void swap_free(struct fsim_machine *m, uint32_t offset);

#endif
