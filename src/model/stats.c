// SPDX-License-Identifier: GPL-2.0-only
/* Names of the vm event counters, in /proc/vmstat spelling. */
#include <string.h>

#include "stats.h"

const char *const vm_event_names[NR_VM_EVENTS] = {
#define X(id, name) [id] = name,
	FSIM_VM_EVENTS(X)
#undef X
};

int vm_event_lookup(const char *name)
{
	int i;

	for (i = 0; i < NR_VM_EVENTS; i++)
		if (!strcmp(vm_event_names[i], name))
			return i;
	return -1;
}
