// SPDX-License-Identifier: GPL-2.0-only
/*
 * The named decision points of khugepaged and MADV_COLLAPSE: every name is
 * found by kh_point_lookup(), the evaluated[] and fired[] counters count
 * exactly the checks the spec's order of checks makes, and forcing a point
 * true or false changes the outcome the way its condition says.
 */
#include <errno.h>
#include <string.h>

#include "lib/tm.h"
#include "model/khugepaged.h"

#define BASE TM_BASE
#define NR HPAGE_PMD_NR

/* A process with one PMD of @nr small written pages. */
static struct mm_struct *populated(struct fsim_machine *m, long nr)
{
	struct mm_struct *mm = tm_process(m, BASE, PMD_SIZE, false);

	return mm && tm_write(m, mm, BASE, nr) ? mm : NULL;
}

static int collapse(struct fsim_machine *m, struct mm_struct *mm)
{
	return fsim_madvise(m, mm, BASE, PMD_SIZE, FSIM_MADV_COLLAPSE);
}

static bool status_is(struct fsim_machine *m, struct mm_struct *mm,
		      enum scan_result want)
{
	const struct kh_scan_record *r = tm_last_record(m, mm, BASE);

	CHECK(r);
	if (r->status != want)
		printf("# last status %s, want %s\n",
		       scan_result_names[r->status], scan_result_names[want]);
	CHECK_INT(r->status, ==, want);
	return true;
}

static bool done(struct fsim_machine *m, struct mm_struct *mm, long nr)
{
	CHECK(tm_read(m, mm, BASE, nr));
	return tm_done(m);
}

/* Every name maps back to its point; unknown names give -1. */
static bool test_lookup(void)
{
	int i, j;

	for (i = 0; i < NR_KH_POINTS; i++) {
		CHECK(kh_point_names[i]);
		CHECK_INT(kh_point_lookup(kh_point_names[i]), ==, i);
		for (j = 0; j < i; j++)
			CHECK(strcmp(kh_point_names[i], kh_point_names[j]));
	}
	CHECK_INT(kh_point_lookup("scan:no_such_check"), ==, -1);
	CHECK_INT(kh_point_lookup(""), ==, -1);
	CHECK_INT(kh_point_lookup("SHARED"), ==, -1);
	return true;
}

/* evaluated/fired of every point, as one row of expectations. */
struct counts {
	uint64_t evaluated, fired;
};

static bool counts_are(struct fsim_machine *m, const struct counts *want)
{
	struct khugepaged_state *k = m->khugepaged;
	bool ok = true;
	int i;

	for (i = 0; i < NR_KH_POINTS; i++)
		if (k->evaluated[i] != want[i].evaluated ||
		    k->fired[i] != want[i].fired) {
			printf("# %s: evaluated %llu fired %llu, "
			       "want %llu %llu\n",
			       kh_point_names[i],
			       (unsigned long long)k->evaluated[i],
			       (unsigned long long)k->fired[i],
			       (unsigned long long)want[i].evaluated,
			       (unsigned long long)want[i].fired);
			ok = false;
		}
	return ok;
}

/*
 * One MADV_COLLAPSE of 512 written pages: each present PTE passes the
 * scan's anon/shared/LRU/lock/refcount checks and the isolation's
 * non-present/shared/lock/refcount/LRU checks once; the young test is
 * khugepaged's only; the writable checks exist up to 6.17.  A second
 * call only evaluates the PMD state, which fires (page_pmd_mapped).
 */
static bool test_counts_madvise(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = populated(m, NR);
	uint64_t ro = m->profile->collapse_needs_writable;
	struct counts want[NR_KH_POINTS] = {
		[KH_SCAN_PMD_STATE] = { 1, 0 },
		[KH_SCAN_PAGE_ANON] = { NR, 0 },
		[KH_SHARED] = { 2 * NR, 0 },
		[KH_SCAN_PAGE_LRU] = { NR, 0 },
		[KH_SCAN_PAGE_LOCK] = { NR, 0 },
		[KH_SCAN_PAGE_COUNT] = { NR, 0 },
		[KH_SCAN_PAGE_RO] = { ro, 0 },
		[KH_SCAN_LACK_REFERENCED] = { 1, 0 },
		[KH_ALLOC] = { 1, 0 },
		[KH_REVALIDATE] = { 1, 0 },
		[KH_COLLAPSE_PMD_STATE] = { 1, 0 },
		[KH_ISO_NON_PRESENT] = { NR, 0 },
		[KH_ISO_PAGE_LOCK] = { NR, 0 },
		[KH_ISO_PAGE_COUNT] = { NR, 0 },
		[KH_ISO_DEL_LRU] = { NR, 0 },
		[KH_ISO_PAGE_RO] = { ro, 0 },
		[KH_ISO_LACK_REFERENCED] = { 1, 0 },
	};

	CHECK(p);
	CHECK_INT(collapse(m, p), ==, 0);
	CHECK(counts_are(m, want));
	CHECK_INT(collapse(m, p), ==, 0);
	want[KH_SCAN_PMD_STATE] = (struct counts){ 2, 1 };
	CHECK(counts_are(m, want));
	return done(m, p, NR);
}

/*
 * khugepaged on one written page: 511 empty PTEs are each tested against
 * max_ptes_none in the scan and again in isolation, the page is young in
 * both, and every later scan of the THP fires the PMD state point.
 */
static bool test_counts_khugepaged(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, 1);
	struct khugepaged_state *k = m->khugepaged;
	struct counts want[NR_KH_POINTS] = {
		[KH_SCAN_EXCEED_NONE] = { NR - 1, 0 },
		[KH_SCAN_PAGE_ANON] = { 1, 0 },
		[KH_SHARED] = { 2, 0 },
		[KH_SCAN_PAGE_LRU] = { 1, 0 },
		[KH_SCAN_PAGE_LOCK] = { 1, 0 },
		[KH_SCAN_PAGE_COUNT] = { 1, 0 },
		[KH_YOUNG] = { 2, 2 },
		[KH_SCAN_LACK_REFERENCED] = { 1, 0 },
		[KH_ALLOC] = { 1, 0 },
		[KH_REVALIDATE] = { 1, 0 },
		[KH_COLLAPSE_PMD_STATE] = { 1, 0 },
		[KH_ISO_EXCEED_NONE] = { NR - 1, 0 },
		[KH_ISO_NON_PRESENT] = { 1, 0 },
		[KH_ISO_PAGE_LOCK] = { 1, 0 },
		[KH_ISO_PAGE_COUNT] = { 1, 0 },
		[KH_ISO_DEL_LRU] = { 1, 0 },
		[KH_ISO_LACK_REFERENCED] = { 1, 0 },
	};
	size_t i, scans = 0;

	CHECK(p);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(tm_pmd_mapped(p, BASE));
	for (i = 0; i < k->nr_records; i++)
		scans += k->records[i].mm_idx == p->idx;
	CHECK(scans >= 2);
	want[KH_SCAN_PMD_STATE] = (struct counts){ scans, scans - 1 };
	CHECK(counts_are(m, want));
	return done(m, p, 1);
}

/*
 * Forcing "shared" true with max_ptes_shared=0 stops a range of
 * exclusive pages at its first PTE; without the force it collapses.
 */
static bool test_force_shared_true(bool force)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, NR);

	CHECK(p);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_shared", "0"));
	if (force)
		khugepaged_force(m, KH_SHARED, KH_FORCE_TRUE);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, !force);
	if (force) {
		CHECK(status_is(m, p, SCAN_EXCEED_SHARED_PTE));
		CHECK(m->khugepaged->fired[KH_SHARED] > 0);
		CHECK_INT(m->khugepaged->fired[KH_SHARED], ==,
			  m->khugepaged->evaluated[KH_SHARED]);
		CHECK(m->ev[THP_SCAN_EXCEED_SHARE_PTE] > 0);
		/* MADV_COLLAPSE has no shared limit */
		CHECK_INT(collapse(m, p), ==, 0);
	} else {
		CHECK_INT(m->khugepaged->fired[KH_SHARED], ==, 0);
	}
	return done(m, p, NR);
}

/*
 * The seed's corner case under v6.18 (max_ptes_shared=0): the parent's
 * PTE-mapped THP, 257 pages still mapped, one page shared with the child.
 * 6.18 refuses (exceed_shared_pte); with "shared" forced false it
 * collapses like 6.10, leaving the old THP to the child and a new one.
 */
static bool test_seed_case(enum kh_force how)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	bool collapses = how == KH_FORCE_FALSE;

	CHECK(tm_seed_corner(&m, "v6.18", &p, NULL, &c));
	CHECK(tm_read(m, p, BASE, 257));
	CHECK(!fsim_set(m, "khugepaged/max_ptes_shared", "0"));
	khugepaged_force(m, KH_SHARED, how);
	fsim_khugepaged(m, 1);
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, collapses);
	CHECK(status_is(m, p, collapses ? SCAN_PMD_MAPPED :
				       SCAN_EXCEED_SHARED_PTE));
	CHECK_INT(fsim_anon_bytes(m), ==,
		  collapses ? 2 * PMD_SIZE : PMD_SIZE + PAGE_SIZE);
	CHECK(tm_read(m, c, BASE + TM_PAGE(1), 256));
	return done(m, p, 257);
}

/*
 * Forcing "young" false makes a freshly written range lack referenced
 * pages; forcing it true makes a MADV_COLD range collapse.
 */
static bool test_force_young(enum kh_force how)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, NR);
	bool collapses = how == KH_FORCE_TRUE;

	CHECK(p);
	if (how == KH_FORCE_TRUE)
		CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_COLD));
	khugepaged_force(m, KH_YOUNG, how);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, collapses);
	if (collapses) {
		CHECK_INT(m->khugepaged->fired[KH_YOUNG], ==,
			  m->khugepaged->evaluated[KH_YOUNG]);
	} else {
		CHECK(status_is(m, p, SCAN_LACK_REFERENCED_PAGE));
		CHECK_INT(m->khugepaged->fired[KH_YOUNG], ==, 0);
		CHECK(m->khugepaged->evaluated[KH_YOUNG] >= NR);
	}
	return done(m, p, NR);
}

/*
 * The none limit is checked twice: forcing only the scan's check false
 * gets past the scan, and isolation still refuses (after the THP was
 * allocated); forcing both false collapses.
 */
static bool test_force_none_twice(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, 1);

	CHECK(p);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "0"));
	khugepaged_force(m, KH_SCAN_EXCEED_NONE, KH_FORCE_FALSE);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(status_is(m, p, SCAN_EXCEED_NONE_PTE));
	CHECK(m->ev[THP_COLLAPSE_ALLOC] > 0);
	CHECK_INT(m->khugepaged->fired[KH_SCAN_EXCEED_NONE], ==, 0);
	CHECK(m->khugepaged->fired[KH_ISO_EXCEED_NONE] > 0);
	CHECK(tm_check(m));
	khugepaged_force(m, KH_ISO_EXCEED_NONE, KH_FORCE_FALSE);
	fsim_khugepaged(m, 1);
	CHECK(tm_pmd_mapped(p, BASE));
	return done(m, p, 1);
}

/* Forcing the allocation to fail: alloc_huge_page_failed, nothing leaks. */
static bool test_force_alloc(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, NR);

	CHECK(p);
	khugepaged_force(m, KH_ALLOC, KH_FORCE_TRUE);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(status_is(m, p, SCAN_ALLOC_HUGE_PAGE_FAIL));
	CHECK(m->ev[THP_COLLAPSE_ALLOC_FAILED] > 0);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 0);
	CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE);
	CHECK_INT(collapse(m, p), ==, -ENOMEM);
	khugepaged_force(m, KH_ALLOC, KH_FORCE_NONE);
	CHECK_INT(collapse(m, p), ==, 0);
	return done(m, p, NR);
}

/*
 * A forced PMD-state failure only adds one: a table becomes pmd_null
 * (EINVAL), an already PMD-mapped THP stays page_pmd_mapped (success),
 * and forcing the point false does not make an empty PMD scannable.
 */
static bool test_force_pmd_state(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, NR);
	struct mm_struct *q = tm_thp_process(m);
	struct mm_struct *e = tm_process(m, BASE, 2 * PMD_SIZE, false);

	CHECK(p && q && e);
	CHECK(tm_write(m, e, BASE + PMD_SIZE, 1));
	khugepaged_force(m, KH_SCAN_PMD_STATE, KH_FORCE_TRUE);
	CHECK_INT(collapse(m, p), ==, -EINVAL);
	CHECK(status_is(m, p, SCAN_PMD_NULL));
	CHECK_INT(collapse(m, q), ==, 0);
	CHECK(status_is(m, q, SCAN_PMD_MAPPED));
	khugepaged_force(m, KH_SCAN_PMD_STATE, KH_FORCE_FALSE);
	CHECK_INT(collapse(m, e), ==, -EINVAL);
	CHECK(status_is(m, e, SCAN_PMD_NONE));
	CHECK_INT(collapse(m, p), ==, 0);
	CHECK(tm_read(m, q, BASE, NR));
	return done(m, p, NR);
}

int main(void)
{
	TEST(test_lookup(), "kh_point_lookup finds every name in kh_point_names");
	TEST(test_counts_madvise("v6.18"),
	     "MADV_COLLAPSE of 512 pages evaluates each v6.18 check the spec's number of times");
	TEST(test_counts_madvise("v6.15"),
	     "v6.15 adds one evaluation of each writable check");
	TEST(test_counts_khugepaged(),
	     "khugepaged on one page evaluates the none limit 511 times in scan and isolation");
	TEST(test_force_shared_true(false),
	     "max_ptes_shared=0: exclusive pages collapse, shared never fires");
	TEST(test_force_shared_true(true),
	     "max_ptes_shared=0: forcing shared true stops at exceed_shared_pte");
	TEST(test_seed_case(KH_FORCE_NONE),
	     "seed case under v6.18 refuses (exceed_shared_pte)");
	TEST(test_seed_case(KH_FORCE_FALSE),
	     "seed case under v6.18 with shared forced false collapses into a second THP");
	TEST(test_force_young(KH_FORCE_FALSE),
	     "young forced false: a written range lacks referenced pages");
	TEST(test_force_young(KH_FORCE_TRUE),
	     "young forced true: a MADV_COLD range collapses");
	TEST(test_force_none_twice(),
	     "the none limit is a scan point and an isolation point");
	TEST(test_force_alloc(),
	     "allocation forced to fail: alloc_huge_page_failed, ENOMEM, no leak");
	TEST(test_force_pmd_state(),
	     "a forced PMD-state failure turns a table into pmd_null but keeps page_pmd_mapped");
	return tap_done();
}
