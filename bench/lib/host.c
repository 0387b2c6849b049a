// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's load, printed by every benchmark first: the timings depend
 * on it, and the machine is shared.
 */
#include <stdio.h>
#include <string.h>

#include "host.h"

void bench_load_average(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(buf, len, "?");
	if (f) {
		if (!fgets(buf, (int)len, f))
			snprintf(buf, len, "?");
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}
