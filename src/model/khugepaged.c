// SPDX-License-Identifier: GPL-2.0-only
/*
 * khugepaged and MADV_COLLAPSE for anonymous memory (mm/khugepaged.c of
 * Linux 6.18).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "khugepaged.h"

struct khugepaged_state *khugepaged_state_new(void)
{
	return calloc(1, sizeof(struct khugepaged_state));
}

void khugepaged_state_free(struct khugepaged_state *k)
{
	if (k)
		free(k->slots);
	free(k);
}

int madvise_collapse_range(struct fsim_machine *m, struct mm_struct *mm,
			   unsigned long start, unsigned long end)
{
	(void)mm;
	(void)start;
	(void)end;
	return fsim_err(m, -EOPNOTSUPP, "MADV_COLLAPSE is not modelled yet");
}
