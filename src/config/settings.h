/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tunables the model honours, named by their sysfs paths relative to
 * /sys/kernel/mm/transparent_hugepage/ (ksm/ for /sys/kernel/mm/ksm/, and
 * model/ for model-only settings).  One table (settings.c) gives each path
 * its valid values and default; the scenario parser, the kernel executor
 * and the help text all read that table.
 */
#ifndef FSIM_CONFIG_SETTINGS_H
#define FSIM_CONFIG_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "geometry.h"

enum thp_mode { THP_NEVER, THP_ALWAYS, THP_MADVISE, THP_INHERIT };

struct thp_settings {
	long enabled;			/* always | madvise | never */
	long size_enabled[HPAGE_PMD_ORDER + 1];	/* hugepages-<N>kB, order 2..9 */
	long defrag;
	long use_zero_page;
	long shrink_underused;
	long max_ptes_none;
	long max_ptes_swap;
	long max_ptes_shared;
	long pages_to_scan;
	long khugepaged_defrag;
	long scan_sleep_millisecs;
	long alloc_sleep_millisecs;
	long ksm_pages_to_scan;
	long ksm_max_page_sharing;
	long ksm_use_zero_pages;
	long ksm_sleep_millisecs;
	long ksm_run;
	long ksm_merge_across_nodes;
	long zero_page;			/* model/zero_page: 0 = faults never
					   map the zero page, small or huge
					   (a kernel that maps none at
					   faults); splits still remap zero
					   subpages to it */
	long huge_zero_page;		/* model/huge_zero_page: 0 = read
					   faults allocate a THP instead of
					   mapping the huge zero page */
	uint64_t ram_bytes;		/* model/ram */
	uint64_t swap_bytes;		/* model/swap */
};

enum setting_kind { SET_INT, SET_CHOICE, SET_BOOL, SET_SIZE };

struct setting_desc {
	const char *path;		/* e.g. "khugepaged/max_ptes_none" */
	enum setting_kind kind;
	const char *const *choices;	/* SET_CHOICE: NULL terminated */
	long min, max;			/* SET_INT */
	size_t offset;			/* into struct thp_settings */
	bool model_only;		/* ignored by the kernel executor */
	bool per_size;			/* hugepages-<N>kB/enabled */
};

extern const struct setting_desc fsim_settings[];
extern const int fsim_nr_settings;

void settings_init_defaults(struct thp_settings *s);
/*
 * Look up @path; per-size paths match any valid hugepages-<N>kB.  Sets
 * *order for those.  Returns NULL for an unknown path.
 */
const struct setting_desc *setting_lookup(const char *path, int *order);
/*
 * Parse @value for @path and store it.  Returns 0, or -1 with a message
 * ("expected one of always, madvise, never") in @err.
 */
int setting_apply(struct thp_settings *s, const char *path, const char *value,
		  char *err, size_t errlen);
/* Validate without storing. */
int setting_check(const char *path, const char *value, char *err,
		  size_t errlen);
/* Print the current value of @path into @buf, as sysfs shows it. */
int setting_format(const struct thp_settings *s, const char *path, char *buf,
		   size_t len);

#endif
