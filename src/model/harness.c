// SPDX-License-Identifier: GPL-2.0-only
/*
 * What an executor needs to drive the model the way the kernel executor
 * drives the kernel, with the machine kept opaque: set-up under other
 * tunables before the scenario starts (the keeper), the page contents of
 * writes, forced decision points and their counters, the pass a freshly
 * started khugepaged thread makes, and the mapcount cost counters.
 */
#include <string.h>

#include "internal.h"
#include "khugepaged.h"
#include "model.h"

const struct thp_settings *fsim_get_settings(const struct fsim_machine *m)
{
	return &m->set;
}

void fsim_load_settings(struct fsim_machine *m, const struct thp_settings *set)
{
	m->set = *set;
}

void fsim_scenario_start(struct fsim_machine *m)
{
	content_mark_origin(m);
	memset(m->ev, 0, sizeof(m->ev));
}

content_t fsim_unique_content(struct fsim_machine *m)
{
	return content_unique(m);
}

content_t fsim_value_content(struct fsim_machine *m, uint64_t value)
{
	return content_value(m, value);
}

void fsim_force_point(struct fsim_machine *m, enum kh_point p,
		      enum kh_force how)
{
	khugepaged_force(m, p, how);
}

void fsim_point_counts(const struct fsim_machine *m, enum kh_point p,
		       uint64_t *evaluated, uint64_t *held)
{
	*evaluated = m->khugepaged->evaluated[p];
	*held = m->khugepaged->fired[p];
}

/*
 * The pass goes through khugepaged_do_scan() with pages_to_scan lowered
 * for its duration; the thread's own passes are what "khugepaged N" and
 * the scan records count, so this one is taken back.
 */
void fsim_khugepaged_start_pass(struct fsim_machine *m, long pages)
{
	long saved = m->set.pages_to_scan;

	m->set.pages_to_scan = pages;
	khugepaged_do_scan(m);
	m->set.pages_to_scan = saved;
	m->khugepaged->passes--;
}

void fsim_mapcount_atomics(const struct fsim_machine *m,
			   uint64_t out[NR_MAPCOUNT_SCHEMES])
{
	memcpy(out, m->cost.atomics, sizeof(m->cost.atomics));
}
