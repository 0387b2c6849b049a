// SPDX-License-Identifier: GPL-2.0-only
/*
 * The profile table.  Each row says which rules of its era the model
 * follows; see docs/profiles.md for the sources of every flag.
 */
#include <string.h>

#include "profile.h"

const struct fsim_profile fsim_profiles[] = {
	{
		.name = "v6.9",
		.kernels = "6.9",
		.shared = PRED_PAGE_MAPCOUNT,
		.collapse_needs_writable = true,
	},
	{
		.name = "v6.10",
		.kernels = "6.10-6.14",
		.shared = PRED_LIKELY,
		.collapse_needs_writable = true,
		.large_mapcount = true,
	},
	{
		.name = "v6.15",
		.kernels = "6.15-6.17",
		.shared = PRED_MAYBE,
		.large_cow_reuse = true,
		.huge_zero_wp_alloc = true,
		.collapse_needs_writable = true,
		.underused_shrinker = true,
		.large_mapcount = true,
		.mm_id = true,
		.pt_reclaim = true,
		.swap_zeromap = true,
		.mthp_swapin = true,
	},
	{
		.name = "v6.18",
		.kernels = "6.18",
		.shared = PRED_MAYBE,
		.large_cow_reuse = true,
		.huge_zero_wp_alloc = true,
		.huge_zero_wp_queue = true,
		.underused_shrinker = true,
		.large_mapcount = true,
		.mm_id = true,
		.pt_reclaim = true,
		.swap_zeromap = true,
		.mthp_swapin = true,
	},
};

const int fsim_nr_profiles = sizeof(fsim_profiles) / sizeof(fsim_profiles[0]);

const char *const shared_pred_names[NR_SHARED_PREDS] = {
	[PRED_PAGE_MAPCOUNT] = "page_mapcount",
	[PRED_LIKELY] = "likely",
	[PRED_MAYBE] = "maybe",
	[PRED_EXACT] = "exact",
	[PRED_ALWAYS] = "always",
	[PRED_NEVER] = "never",
};

const struct fsim_profile *profile_default(void)
{
	return &fsim_profiles[fsim_nr_profiles - 1];
}

const struct fsim_profile *profile_lookup(const char *name)
{
	int i;

	for (i = 0; i < fsim_nr_profiles; i++)
		if (!strcmp(fsim_profiles[i].name, name))
			return &fsim_profiles[i];
	return NULL;
}

int shared_pred_lookup(const char *name)
{
	int i;

	for (i = 0; i < NR_SHARED_PREDS; i++)
		if (!strcmp(shared_pred_names[i], name))
			return i;
	return -1;
}
