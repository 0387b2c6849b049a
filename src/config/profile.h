/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-era profiles.  A profile names a kernel and carries every rule of
 * its era that changes behaviour in the model; the "is it shared?" predicate
 * used by khugepaged is one of them and can be overridden on its own.
 * Modifiers ("v6.18+total_mapped") add rules of changes under review to an
 * era, so the explorer can price a proposal before it lands.
 */
#ifndef FSIM_CONFIG_PROFILE_H
#define FSIM_CONFIG_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

enum shared_pred {
	PRED_PAGE_MAPCOUNT,	/* page_mapcount(page) > 1, <= 6.9 */
	PRED_LIKELY,		/* folio_likely_mapped_shared, 6.10-6.14 */
	PRED_MAYBE,		/* folio_maybe_mapped_shared, 6.15+ */
	PRED_EXACT,		/* mapped by more than one mm (rmap walk) */
	PRED_ALWAYS,		/* fault injection */
	PRED_NEVER,		/* fault injection */
	NR_SHARED_PREDS
};

/* +mthp_collapse and its earlier variants (docs/profiles.md). */
enum mthp_collapse_rule {
	MTHP_COLLAPSE_OFF,
	MTHP_COLLAPSE_V19,	/* allowed_none 2^order-1 at 511, else 0 */
	MTHP_COLLAPSE_V10,	/* max_ptes_none scaled to the order */
	MTHP_COLLAPSE_V11,	/* scaled, max_ptes_none capped at 255 */
};

/* Which mapcount fields the kernel keeps (docs/profiles.md). */
enum mapcount_scheme {
	MAPCOUNT_PER_PAGE,	/* _mapcount per page (as merged, default) */
	MAPCOUNT_NO_PAGE,	/* CONFIG_NO_PAGE_MAPCOUNT */
	MAPCOUNT_TOTAL_MAPPED,	/* RFC: _total_mapped_pages */
	NR_MAPCOUNT_SCHEMES
};

#define PROFILE_NAME_MAX 96

struct fsim_profile {
	char name[PROFILE_NAME_MAX];	/* "v6.18" or "v6.18+mod+..." */
	const char *kernels;		/* e.g. "6.10-6.14" */
	enum shared_pred shared;
	bool large_cow_reuse;		/* 6.15: reuse PTE-mapped large folios */
	bool huge_zero_wp_alloc;	/* 6.13: write to huge zero PMD -> THP */
	bool huge_zero_wp_queue;	/* 6.18: ... and queue it as underused */
	bool collapse_needs_writable;	/* <= 6.17: SCAN_PAGE_RO */
	bool underused_shrinker;	/* 6.12: thp_underused, zero remap */
	bool large_mapcount;		/* 6.10: O(1) folio_mapcount */
	bool mm_id;			/* 6.15: MM_ID slots drive answers */
	bool pt_reclaim;		/* 6.14: DONTNEED frees empty tables */
	bool swap_zeromap;		/* 6.12: zero folios are not written */
	bool mthp_swapin;		/* 6.13: alloc_swap_folio() */
	bool split_list_in_order;	/* 6.15: reclaim splits end first */
	/* Proposals, set only by modifiers. */
	enum mthp_collapse_rule mthp_collapse;
	enum mapcount_scheme mapcount;
	bool underused_all_zero;	/* no max_ptes_none == 511 exit */
	bool zero_remap_gated;		/* zero remap only with shrink_underused */
};

/* A "+name" modifier: one proposed change applied to an era's rules. */
struct profile_modifier {
	const char *name;
	const char *rule;		/* one line for help */
	const char *source;		/* series, version, date */
	bool merged;			/* in a released kernel */
	/* Applies the rule; NULL or an explanation why it cannot apply. */
	const char *(*apply)(struct fsim_profile *p);
};

extern const struct fsim_profile fsim_profiles[];
extern const int fsim_nr_profiles;
extern const struct profile_modifier profile_modifiers[];
extern const int profile_nr_modifiers;
extern const char *const shared_pred_names[NR_SHARED_PREDS];
/* "per-page", "no_page_mapcount", "total_mapped" */
extern const char *const mapcount_scheme_names[NR_MAPCOUNT_SCHEMES];

/* The default profile: the running kernel's rules (6.18). */
const struct fsim_profile *profile_default(void);
/* A plain era by name; NULL for unknown names and for modified ones. */
const struct fsim_profile *profile_lookup(const char *name);
/*
 * "ERA[+MOD]..." into *out.  Returns 0, or -1 with the reason in err
 * (unknown era or modifier, a modifier given twice or clashing with
 * another, or one the era cannot take).
 */
int profile_resolve(const char *name, struct fsim_profile *out, char *err,
		    size_t errlen);
/* True if name resolves. */
bool profile_valid(const char *name);
/* Accepts page_mapcount|likely|maybe|exact|always|never; -1 if unknown. */
int shared_pred_lookup(const char *name);

#endif
