/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Swap for runs that page out: when the machine has no active swap, the
 * guard turns /dev/zram0 into a swap device for the run and removes it on
 * every way out (and in the recovery of a run killed with SIGKILL).
 */
#ifndef FSIM_HOST_ZRAM_H
#define FSIM_HOST_ZRAM_H

#include <stddef.h>

struct kx_guard;

/*
 * Disksize of the zram swap device: the model's default swap size
 * (model/swap, 4G), so that both sides have as many slots and agree on
 * vm_swap_full().  zram allocates its memory only as pages are stored.
 */
#define KX_ZRAM_SIZE "4G"

/**
 * kx_swap_ensure() - make sure the run has a swap device
 *
 * If /proc/swaps lists an active swap area, does nothing.  Otherwise, if
 * /dev/zram0 exists and is unused, gives it KX_ZRAM_SIZE, runs mkswap on
 * it and swapon(2)s it; the guard records this before the first step.
 * Return: 0 if swap was already active, 1 if zram0 was set up, -1 with a
 * reason in @err (anything half done has been removed).
 */
int kx_swap_ensure(struct kx_guard *g, char *err, size_t len);

#endif
