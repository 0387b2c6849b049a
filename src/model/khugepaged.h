/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * khugepaged's bookkeeping: the list of registered mms (kept as an array in
 * registration order, as the kernel's list with tail insertion), the scan
 * cursor, and the counters sysfs shows.
 */
#ifndef FSIM_MODEL_KHUGEPAGED_H
#define FSIM_MODEL_KHUGEPAGED_H

#include "machine.h"

struct khugepaged_state {
	struct mm_struct **slots;	/* mm_slot list, registration order */
	int nr_slots, cap_slots;
	struct mm_struct *cursor;	/* khugepaged_scan.mm_slot, or NULL */
	unsigned long cursor_addr;	/* khugepaged_scan.address */
	uint64_t pages_collapsed;
	uint64_t full_scans;
};

struct khugepaged_state *khugepaged_state_new(void);
void khugepaged_state_free(struct khugepaged_state *k);

#endif
