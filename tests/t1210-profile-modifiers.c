// SPDX-License-Identifier: GPL-2.0-only
/*
 * Profile names with modifiers ("v6.18+total_mapped"): which combinations
 * resolve, what each modifier changes in the era's rules, and the reason
 * given for the ones that do not resolve.
 */
#include <string.h>

#include "config/profile.h"
#include "lib/tap.h"

static bool resolves(const char *name, struct fsim_profile *p)
{
	char err[160];

	if (profile_resolve(name, p, err, sizeof(err))) {
		printf("#   %s: %s\n", name, err);
		return false;
	}
	return true;
}

/* A bad name fails with a reason that contains @why. */
static bool refused(const char *name, const char *why)
{
	struct fsim_profile p;
	char err[160] = "";

	if (!profile_resolve(name, &p, err, sizeof(err))) {
		printf("#   %s resolved\n", name);
		return false;
	}
	if (!strstr(err, why)) {
		printf("#   %s: '%s' lacks '%s'\n", name, err, why);
		return false;
	}
	return true;
}

static bool plain_eras_unchanged(void)
{
	struct fsim_profile p;
	int i;

	for (i = 0; i < fsim_nr_profiles; i++) {
		CHECK(resolves(fsim_profiles[i].name, &p));
		CHECK(!memcmp(&p, &fsim_profiles[i], sizeof(p)));
		CHECK(profile_lookup(fsim_profiles[i].name) ==
		      &fsim_profiles[i]);
	}
	return true;
}

static bool modifiers_set_their_rule(void)
{
	const struct fsim_profile *era = profile_lookup("v6.18");
	struct fsim_profile p;

	CHECK(resolves("v6.18+mthp_collapse+total_mapped", &p));
	CHECK(!strcmp(p.name, "v6.18+mthp_collapse+total_mapped"));
	CHECK_INT(p.mthp_collapse, ==, MTHP_COLLAPSE_V19);
	CHECK_INT(p.mapcount, ==, MAPCOUNT_TOTAL_MAPPED);
	CHECK(!p.underused_all_zero && !p.zero_remap_gated);
	/* the era's own rules are kept */
	CHECK_INT(p.shared, ==, era->shared);
	CHECK(p.huge_zero_wp_queue == era->huge_zero_wp_queue);
	CHECK(resolves("v6.15+mthp_collapse_v11+no_page_mapcount", &p));
	CHECK_INT(p.mthp_collapse, ==, MTHP_COLLAPSE_V11);
	CHECK_INT(p.mapcount, ==, MAPCOUNT_NO_PAGE);
	CHECK(resolves("v6.18+underused_all_zero+zero_remap_gated", &p));
	CHECK(p.underused_all_zero && p.zero_remap_gated);
	CHECK(resolves("v6.9+mthp_collapse_v10", &p));
	CHECK_INT(p.mthp_collapse, ==, MTHP_COLLAPSE_V10);
	CHECK(profile_lookup("v6.18+mthp_collapse") == NULL);
	CHECK(profile_valid("v6.18+mthp_collapse"));
	return true;
}

static bool bad_names_say_why(void)
{
	CHECK(refused("v7.0", "unknown profile 'v7.0'"));
	CHECK(refused("v6.18+", "unknown profile modifier '+'"));
	CHECK(refused("v6.18+bogus", "unknown profile modifier '+bogus'"));
	CHECK(refused("v6.18+total_mapped+total_mapped", "given twice"));
	CHECK(refused("v6.18+mthp_collapse+mthp_collapse_v10",
		      "only one mthp_collapse variant"));
	CHECK(refused("v6.18+total_mapped+no_page_mapcount",
		      "only one of no_page_mapcount and total_mapped"));
	CHECK(refused("v6.10+total_mapped", "v6.15+"));
	CHECK(refused("v6.10+underused_all_zero", "underused shrinker"));
	CHECK(refused("v6.9+zero_remap_gated", "underused shrinker"));
	CHECK(!profile_valid("v6.18+mthp_collapse+mthp_collapse+mthp_collapse+"
			     "mthp_collapse+mthp_collapse+mthp_collapse+mthp"));
	return true;
}

int main(void)
{
	TEST(plain_eras_unchanged(), "every era resolves to its own row");
	TEST(modifiers_set_their_rule(),
	     "modifiers set their rule and keep the era's");
	TEST(bad_names_say_why(), "bad names are refused with the reason");
	return tap_done();
}
