/* SPDX-License-Identifier: GPL-2.0-only */
/* Swap slots and the swap cache (see swap.c). */
#ifndef FSIM_MODEL_SWAP_H
#define FSIM_MODEL_SWAP_H

#include "machine.h"

int swap_init(struct fsim_machine *m, uint64_t bytes);
void swap_destroy(struct fsim_machine *m);
/* @nr naturally aligned free slots; 0 or -ENOSPC. */
int swap_alloc(struct fsim_machine *m, long nr, uint32_t *offset);
/* Put @folio in the swap cache at @offset (one reference per page). */
int add_to_swap_cache(struct fsim_machine *m, struct folio *folio,
		      uint32_t offset);
/* Free an unmapped, written-out swap-cache folio (__remove_mapping()). */
int swap_cache_reclaim(struct fsim_machine *m, struct folio *folio);
/* First slot of a folio in the swap cache. */
uint32_t folio_swap_offset(struct fsim_machine *m, struct folio *folio);

#endif
