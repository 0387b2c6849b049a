/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The results of "foliosim sweep": one scenario run for each value of one
 * tunable under each profile, measured at the end of the run.
 */
#ifndef FSIM_REPORT_SWEEP_H
#define FSIM_REPORT_SWEEP_H

#include <stdint.h>
#include <stdio.h>

struct sweep_point {
	uint64_t anon_kb;		/* RAM held by anonymous folios */
	uint64_t pmd_kb;		/* PMD-mapped: AnonHugePages, summed */
	int failed;			/* expectations that failed */
};

struct sweep_result {
	const char *scenario;		/* its path */
	const char *path;		/* the tunable, e.g. khugepaged/... */
	const char *const *profiles;
	int nr_profiles;
	const long *values;
	int nr_values;
	struct sweep_point *pt;		/* [profile * nr_values + value] */
};

/* A table: one line per value, RAM and PMD-mapped KiB per profile. */
void report_sweep_text(FILE *f, const struct sweep_result *r);
/* One JSON object (one line). */
void report_sweep_json(FILE *f, const struct sweep_result *r);
/* A line plot; 0, or -1 when out of memory. */
int report_sweep_svg(FILE *f, const struct sweep_result *r);

#endif
