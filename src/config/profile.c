// SPDX-License-Identifier: GPL-2.0-only
/*
 * The profile table and the modifier table.  Each row says which rules of
 * its era (or which proposed change) the model follows; see
 * docs/profiles.md for the sources of every flag.
 */
#include <stdio.h>
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
		.split_list_in_order = true,
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
		.split_list_in_order = true,
	},
};

const int fsim_nr_profiles = sizeof(fsim_profiles) / sizeof(fsim_profiles[0]);

static const char *mthp_collapse(struct fsim_profile *p,
				 enum mthp_collapse_rule rule)
{
	if (p->mthp_collapse)
		return "only one mthp_collapse variant at a time";
	p->mthp_collapse = rule;
	return NULL;
}

static const char *apply_mthp_collapse(struct fsim_profile *p)
{
	return mthp_collapse(p, MTHP_COLLAPSE_V19);
}

static const char *apply_mthp_collapse_v10(struct fsim_profile *p)
{
	return mthp_collapse(p, MTHP_COLLAPSE_V10);
}

static const char *apply_mthp_collapse_v11(struct fsim_profile *p)
{
	return mthp_collapse(p, MTHP_COLLAPSE_V11);
}

/* Both schemes drop the per-page _mapcount, which needs the 6.15 fields. */
static const char *mapcount(struct fsim_profile *p, enum mapcount_scheme ms)
{
	if (p->mapcount != MAPCOUNT_PER_PAGE)
		return "only one of no_page_mapcount and total_mapped";
	if (!p->large_mapcount || !p->mm_id)
		return "needs an era with _large_mapcount and MM_ID (v6.15+)";
	p->mapcount = ms;
	return NULL;
}

static const char *apply_no_page_mapcount(struct fsim_profile *p)
{
	return mapcount(p, MAPCOUNT_NO_PAGE);
}

static const char *apply_total_mapped(struct fsim_profile *p)
{
	return mapcount(p, MAPCOUNT_TOTAL_MAPPED);
}

static const char *apply_underused_all_zero(struct fsim_profile *p)
{
	if (!p->underused_shrinker)
		return "needs an era with the underused shrinker (v6.15+)";
	p->underused_all_zero = true;
	return NULL;
}

static const char *apply_zero_remap_gated(struct fsim_profile *p)
{
	if (!p->underused_shrinker)
		return "needs an era with the underused shrinker (v6.15+)";
	p->zero_remap_gated = true;
	return NULL;
}

const struct profile_modifier profile_modifiers[] = {
	{
		.name = "mthp_collapse",
		.rule = "khugepaged collapses to mTHP orders (lowest order 2)",
		.source = "khugepaged: mTHP support, Nico Pache and Dev Jain, "
			  "v19, June 2026",
		.apply = apply_mthp_collapse,
	},
	{
		.name = "mthp_collapse_v10",
		.rule = "as mthp_collapse, max_ptes_none scaled to the order",
		.source = "khugepaged: mTHP support, v10, 19 August 2025",
		.apply = apply_mthp_collapse_v10,
	},
	{
		.name = "mthp_collapse_v11",
		.rule = "as v10, max_ptes_none capped at 255 below PMD order",
		.source = "khugepaged: mTHP support, v11, 12 September 2025",
		.apply = apply_mthp_collapse_v11,
	},
	{
		.name = "total_mapped",
		.rule = "_total_mapped_pages replaces _nr_pages_mapped and "
			"_entire_mapcount",
		.source = "RFC: support arbitrary folio mappings, April 2026",
		.apply = apply_total_mapped,
	},
	{
		.name = "no_page_mapcount",
		.rule = "CONFIG_NO_PAGE_MAPCOUNT: no per-page _mapcount",
		.source = "mm: MM owner tracking for large folios + "
			  "CONFIG_NO_PAGE_MAPCOUNT, merged in 6.15",
		.merged = true,
		.apply = apply_no_page_mapcount,
	},
	{
		.name = "underused_all_zero",
		.rule = "the underused shrinker runs at max_ptes_none 511 too",
		.source = "proposal: drop thp_underused()'s max_ptes_none == "
			  "511 exit",
		.apply = apply_underused_all_zero,
	},
	{
		.name = "zero_remap_gated",
		.rule = "a split remaps zero subpages only with "
			"shrink_underused on",
		.source = "proposal: gate the zero-subpage remap on "
			  "shrink_underused",
		.apply = apply_zero_remap_gated,
	},
};

const int profile_nr_modifiers =
	sizeof(profile_modifiers) / sizeof(profile_modifiers[0]);

const char *const shared_pred_names[NR_SHARED_PREDS] = {
	[PRED_PAGE_MAPCOUNT] = "page_mapcount",
	[PRED_LIKELY] = "likely",
	[PRED_MAYBE] = "maybe",
	[PRED_EXACT] = "exact",
	[PRED_ALWAYS] = "always",
	[PRED_NEVER] = "never",
};

const char *const mapcount_scheme_names[NR_MAPCOUNT_SCHEMES] = {
	[MAPCOUNT_PER_PAGE] = "per-page",
	[MAPCOUNT_NO_PAGE] = "no_page_mapcount",
	[MAPCOUNT_TOTAL_MAPPED] = "total_mapped",
};

const struct fsim_profile *profile_default(void)
{
	return &fsim_profiles[fsim_nr_profiles - 1];
}

/* The era whose name is the first @len characters of @name. */
static const struct fsim_profile *era_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < fsim_nr_profiles; i++)
		if (strlen(fsim_profiles[i].name) == len &&
		    !strncmp(fsim_profiles[i].name, name, len))
			return &fsim_profiles[i];
	return NULL;
}

const struct fsim_profile *profile_lookup(const char *name)
{
	return era_lookup(name, strlen(name));
}

static const struct profile_modifier *modifier_lookup(const char *name,
						     size_t len)
{
	int i;

	for (i = 0; i < profile_nr_modifiers; i++)
		if (strlen(profile_modifiers[i].name) == len &&
		    !strncmp(profile_modifiers[i].name, name, len))
			return &profile_modifiers[i];
	return NULL;
}

int profile_resolve(const char *name, struct fsim_profile *out, char *err,
		    size_t errlen)
{
	const char *full = name, *plus = strchr(name, '+');
	size_t len = plus ? (size_t)(plus - name) : strlen(name);
	const struct fsim_profile *era = era_lookup(name, len);
	unsigned long seen = 0;

	if (!era) {
		snprintf(err, errlen, "unknown profile '%.*s'", (int)len,
			 name);
		return -1;
	}
	if (strlen(name) >= sizeof(out->name)) {
		snprintf(err, errlen, "profile name '%s' is too long", name);
		return -1;
	}
	*out = *era;
	while (plus) {
		const struct profile_modifier *mod;
		const char *why;

		name = plus + 1;
		plus = strchr(name, '+');
		len = plus ? (size_t)(plus - name) : strlen(name);
		mod = modifier_lookup(name, len);
		if (!mod) {
			snprintf(err, errlen, "unknown profile modifier "
				 "'+%.*s'",
				 (int)len, name);
			return -1;
		}
		if (seen & (1UL << (mod - profile_modifiers))) {
			snprintf(err, errlen, "'+%s' given twice", mod->name);
			return -1;
		}
		seen |= 1UL << (mod - profile_modifiers);
		why = mod->apply(out);
		if (why) {
			snprintf(err, errlen, "'+%s' on %s: %s", mod->name,
				 era->name, why);
			return -1;
		}
	}
	strcpy(out->name, full);
	return 0;
}

bool profile_valid(const char *name)
{
	struct fsim_profile p;
	char err[160];

	return !profile_resolve(name, &p, err, sizeof(err));
}

int shared_pred_lookup(const char *name)
{
	int i;

	for (i = 0; i < NR_SHARED_PREDS; i++)
		if (!strcmp(shared_pred_names[i], name))
			return i;
	return -1;
}
