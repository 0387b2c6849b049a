// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two underused-THP proposals (docs/profiles.md): +underused_all_zero
 * drops thp_underused()'s max_ptes_none == 511 exit, so that only an
 * all-zero THP counts as underused there; +zero_remap_gated remaps
 * zero-filled subpages after a split only with shrink_underused on, where
 * 6.18 remaps them after any anonymous split to order 0.
 */
#include "lib/tm.h"

/* P's 2 MiB THP at TM_BASE: pages [0, zero) zero-filled, the rest data. */
static struct mm_struct *thp_zero_head(struct fsim_machine *m, long zero)
{
	struct mm_struct *mm = fsim_spawn(m);
	long i;

	if (!mm || fsim_mmap(m, mm, TM_BASE, PMD_SIZE) ||
	    fsim_madvise(m, mm, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE))
		return NULL;
	for (i = 0; i < HPAGE_PMD_NR; i++)
		if (fsim_write(m, mm, TM_BASE + TM_PAGE(i),
			       i < zero ? 0 : content_unique(m)))
			return NULL;
	return tm_pmd_mapped(mm, TM_BASE) ? mm : NULL;
}

/* Shrink a fresh THP with @zero zero pages; did it split as underused? */
static bool underused_split(const char *profile, const char *none,
			    long zero, bool want)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *mm;

	printf("# %s max_ptes_none %s, %ld zero pages\n", profile, none, zero);
	CHECK(m);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", none));
	mm = thp_zero_head(m, zero);
	CHECK(mm);
	fsim_shrink(m);
	CHECK_INT(m->ev[THP_UNDERUSED_SPLIT_PAGE], ==, want);
	CHECK_INT(tm_pmd_mapped(mm, TM_BASE), ==, !want);
	/* the split remapped the zero pages: RAM held is the data only */
	if (want)
		CHECK_INT(tm_count_state(m, mm, TM_BASE, HPAGE_PMD_NR,
					 FSIM_PAGE_ZERO), ==, zero);
	CHECK(tm_done(m));
	return true;
}

static bool underused_exit_at_511(void)
{
	/* 6.18: never underused at 511, even all zero */
	CHECK(underused_split("v6.18", "511", 512, false));
	CHECK(underused_split("v6.18+underused_all_zero", "511", 512, true));
	/* one page of data keeps it in both */
	CHECK(underused_split("v6.18", "511", 511, false));
	CHECK(underused_split("v6.18+underused_all_zero", "511", 511, false));
	/* below 511 nothing changes: more than max_ptes_none zero pages */
	CHECK(underused_split("v6.18", "255", 256, true));
	CHECK(underused_split("v6.18+underused_all_zero", "255", 256, true));
	CHECK(underused_split("v6.18+underused_all_zero", "255", 255, false));
	return true;
}

/*
 * A partially mapped THP (page 511 dropped) with its first half zero is
 * split by the shrinker whatever shrink_underused says; are the zero pages
 * remapped to the shared zero page?
 */
static bool split_remaps(const char *profile, const char *shrink_underused,
			 long want_zero)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *mm;

	printf("# %s shrink_underused %s\n", profile, shrink_underused);
	CHECK(m);
	CHECK(!fsim_set(m, "shrink_underused", shrink_underused));
	mm = thp_zero_head(m, 256);
	CHECK(mm);
	CHECK(!fsim_madvise(m, mm, TM_BASE + TM_PAGE(511), PAGE_SIZE,
			    FSIM_MADV_DONTNEED));
	fsim_shrink(m);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(tm_count_state(m, mm, TM_BASE, 511, FSIM_PAGE_ZERO), ==,
		  want_zero);
	CHECK_INT(fsim_anon_bytes(m) >> 10, ==, (511 - want_zero) * 4);
	CHECK(tm_read(m, mm, TM_BASE, 511));
	CHECK(tm_done(m));
	return true;
}

static bool zero_remap_gate(void)
{
	CHECK(split_remaps("v6.18", "1", 256));
	CHECK(split_remaps("v6.18", "0", 256));
	CHECK(split_remaps("v6.18+zero_remap_gated", "1", 256));
	CHECK(split_remaps("v6.18+zero_remap_gated", "0", 0));
	return true;
}

int main(void)
{
	TEST(underused_exit_at_511(),
	     "+underused_all_zero: at 511 an all-zero THP is underused");
	TEST(zero_remap_gate(),
	     "+zero_remap_gated: no zero remap with shrink_underused off");
	return tap_done();
}
