// SPDX-License-Identifier: GPL-2.0-only
/*
 * Splitting large folios (mapping accounting spec 6.4-6.6): the
 * deferred-split shrinker on partially mapped THPs (every era) and on
 * underused ones (6.12+: khugepaged/max_ptes_none below 511 and enough
 * zero-filled pages; the zero pages are remapped to the shared zero page),
 * and split_folio_to_order() rebuilding the MM_ID state from scratch.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib/tm.h"


/* The underused-THP shrinker exists from 6.12 (profiles v6.15, v6.18). */
static bool era_underused(const char *profile)
{
	return profile[3] == '1' && profile[4] >= '5';
}

/*
 * A THP with pages 0-99 unmapped is split by the shrinker: the unmapped
 * pages are freed, the others become exclusive, writable small folios.
 *
 *   before  [....pppppppppppp]   one partially mapped THP, 2 MiB held
 *   after   [....ssssssssssss]   412 small folios
 */
static bool __test_shrink_splits_partial(const char *profile)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct fsim_page_info info;
	struct folio *f;

	CHECK(tm_start(&m, profile, 0, &p, &f, NULL));
	CHECK(!fsim_munmap(m, p, TM_BASE, TM_PAGE(100)));
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
	CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE);
	CHECK(tm_check(m));
	fsim_shrink(m);
	CHECK(tm_check(m));
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(m->ev[THP_UNDERUSED_SPLIT_PAGE], ==, 0);
	CHECK_INT(m->phys.deferred_len, ==, 0);
	CHECK_INT(fsim_anon_bytes(m), ==, TM_PAGE(HPAGE_PMD_NR - 100));
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, HPAGE_PMD_NR - 100);
	info = tm_info(m, p, TM_BASE + TM_PAGE(300));
	CHECK_INT(info.order, ==, 0);
	CHECK(info.writable && info.anon_exclusive);
	CHECK_INT(info.mapcount, ==, 1);
	CHECK(tm_read(m, p, TM_BASE + TM_PAGE(100), HPAGE_PMD_NR - 100));
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(100), 1));
	return tm_done(m);
}

/* A THP written at its first @filled pages only, the rest zero-filled. */
static struct mm_struct *sparse_thp_process(struct fsim_machine *m,
					    long filled)
{
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, true);

	if (!p || !tm_write(m, p, TM_BASE, filled) ||
	    !tm_pmd_mapped(p, TM_BASE))
		return NULL;
	return p;
}

/*
 * With max_ptes_none = 256 a THP holding one page of data is underused:
 * 6.12+ split it and map its 511 zero pages to the shared zero page, so
 * RSS and memory drop to one page.  Older eras never queue it.
 */
static bool __test_underused_split(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = sparse_thp_process(m, 1);
	bool split = era_underused(profile);
	struct folio *f;

	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	CHECK(folio_test(f, PG_deferred) == split);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "256"));
	fsim_shrink(m);
	CHECK(tm_check(m));
	CHECK_INT(m->ev[THP_UNDERUSED_SPLIT_PAGE], ==, split);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, split);
	/* a PMD-mapped THP is freeze-split: never seen partially mapped */
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 0);
	CHECK_INT(m->phys.deferred_len, ==, 0);
	CHECK(tm_pmd_mapped(p, TM_BASE) == !split);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, split ? 1 : HPAGE_PMD_NR);
	CHECK_INT(fsim_anon_bytes(m), ==, split ? PAGE_SIZE : PMD_SIZE);
	if (split) {
		CHECK_INT(tm_info(m, p, TM_BASE).state, ==, FSIM_PAGE_PRESENT);
		CHECK_INT(tm_info(m, p, TM_BASE).order, ==, 0);
		CHECK_INT(tm_info(m, p, TM_BASE + TM_PAGE(1)).state, ==,
			  FSIM_PAGE_ZERO);
		CHECK(!tm_info(m, p, TM_BASE + TM_PAGE(1)).huge_zero);
	}
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	/* a zero page written again gets a page of its own */
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(5), 1));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * At the default max_ptes_none (511) thp_underused() says no before
 * looking at a page: the THP is dropped from the queue, not split.
 */
static bool __test_default_never_underused(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = sparse_thp_process(m, 1);
	struct folio *f;

	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	fsim_shrink(m);
	CHECK(tm_check(m));
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 0);
	CHECK(!folio_test(f, PG_deferred));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, HPAGE_PMD_NR);
	/* considered used: not split later either */
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "0"));
	fsim_shrink(m);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	return tm_done(m);
}

/*
 * The underused test is by contents: with max_ptes_none = 256, 255 pages
 * of data leave 257 zero pages (> 256: split), 256 pages of data reach
 * HPAGE_PMD_NR - 256 filled pages (not split).
 */
static bool __test_underused_boundary(long filled, bool split)
{
	struct fsim_machine *m = tm_new("v6.18");
	struct mm_struct *p = sparse_thp_process(m, filled);

	CHECK(p);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "256"));
	fsim_shrink(m);
	CHECK(tm_check(m));
	CHECK_INT(m->ev[THP_UNDERUSED_SPLIT_PAGE], ==, split);
	CHECK(tm_pmd_mapped(p, TM_BASE) == !split);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, split ? filled : HPAGE_PMD_NR);
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	fsim_free(m);
	return true;
}

/* shrink_underused=0: new THPs are not queued, so never split. */
static bool test_shrink_underused_off(void)
{
	struct fsim_machine *m = tm_new("v6.18");
	struct mm_struct *p;

	CHECK(!fsim_set(m, "shrink_underused", "0"));
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "0"));
	p = sparse_thp_process(m, 1);
	CHECK(p);
	CHECK(!folio_test(tm_folio(m, p, TM_BASE), PG_deferred));
	fsim_shrink(m);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 0);
	return tm_done(m);
}

/*
 * An extra reference makes the split fail (-EAGAIN, thp_split_page_failed)
 * and leaves the folio as it was.
 */
static bool test_split_fails_with_extra_ref(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	folio_ref_add(f, 1);
	CHECK_INT(split_folio_to_order(m, f, 0), ==, -EAGAIN);
	CHECK_INT(m->ev[THP_SPLIT_PAGE_FAILED], ==, 1);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK_INT(folio_order(f), ==, HPAGE_PMD_ORDER);
	folio_put_refs(m, f, 1);
	CHECK(tm_check(m));
	CHECK_INT(split_folio_to_order(m, f, 1), ==, -EINVAL);
	CHECK_INT(split_folio_to_order(m, f, HPAGE_PMD_ORDER), ==, -EINVAL);
	fsim_free(m);
	return true;
}

/*
 * A partially mapped THP whose split fails goes back on the queue, still
 * flagged and not counted again; the next shrink splits it.
 */
static bool test_failed_partial_split_requeued(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	CHECK(!fsim_munmap(m, p, TM_BASE, PMD_SIZE / 2));
	folio_ref_add(f, 1);
	fsim_shrink(m);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 0);
	CHECK_INT(m->ev[THP_SPLIT_PAGE_FAILED], ==, 1);
	CHECK(folio_test(f, PG_deferred));
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
	folio_put_refs(m, f, 1);
	CHECK(tm_check(m));
	fsim_shrink(m);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE / 2);
	CHECK(tm_read(m, p, TM_BASE + PMD_SIZE / 2, HPAGE_PMD_NR / 2));
	return tm_done(m);
}

/*
 * Splitting an exclusive PMD-mapped THP to order 0: the PMD is split
 * (freezing: no PTE rmap in between, so no deferred-split event), every
 * page is remapped exclusive and writable, nothing is lost.
 */
static bool test_split_exclusive_pmd_thp(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;
	long i;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	CHECK(!split_folio_to_order(m, f, 0));
	CHECK(tm_check(m));
	CHECK(!tm_pmd_mapped(p, TM_BASE));
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 0);
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		struct fsim_page_info info;

		info = tm_info(m, p, TM_BASE + TM_PAGE(i));
		CHECK(info.order == 0 && info.writable && info.anon_exclusive);
	}
	CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE);
	CHECK_INT(m->ev[NR_ANON_THPS], ==, 0);
	CHECK_INT(m->ev[NR_ANON_MAPPED], ==, HPAGE_PMD_NR);
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * Split to order 4 of a THP mapped by C1 (slot 1) and the untracked C2
 * after P exited: each 64 KiB piece is remapped from scratch, so C1 and
 * C2 both own slots and C1's exit then clears the bit.  Without the
 * split the bit stays set for C2 alone.
 */
static bool __test_split_rebuilds_slots(bool split)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m), *c1, *c2;
	struct folio *f, *piece;
	long i;

	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	c1 = fsim_fork(m, p);
	c2 = fsim_fork(m, p);
	CHECK(c1 && c2);
	CHECK(!fsim_exit(m, p));
	CHECK(tm_large_is(m, f, (struct tm_large){
		.large = 1, .entire = 1, .nr_pages_mapped = ENTIRELY_MAPPED,
		.cnt0 = -1, .id1 = c1->mm_id, .cnt1 = 0, .shared = true }));
	if (split) {
		CHECK(!split_folio_to_order(m, f, 4));
		CHECK(tm_check(m));
		CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 2);
		CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 0);
		for (i = 0; i < HPAGE_PMD_NR; i += 16) {
			piece = tm_folio(m, c2, TM_BASE + TM_PAGE(i));
			CHECK(piece == tm_folio(m, c1, TM_BASE + TM_PAGE(i)));
			CHECK_INT(folio_order(piece), ==, 4);
			CHECK(tm_large_is(m, piece, (struct tm_large){
				.large = 31, .entire = -1,
				.nr_pages_mapped = 16,
				.id0 = c1->mm_id, .cnt0 = 15,
				.id1 = c2->mm_id, .cnt1 = 15,
				.shared = true }));
			CHECK(folio_maybe_mapped_shared(m, piece));
		}
	}
	CHECK(!fsim_exit(m, c1));
	CHECK(tm_check(m));
	piece = tm_folio(m, c2, TM_BASE + TM_PAGE(32));
	CHECK(folio_large(&m->phys, piece)->mm_ids_shared == !split);
	CHECK(!folio_exact_mapped_shared(m, piece));
	CHECK(tm_read(m, c2, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * The three-mm false positive of an mTHP (the survivor is untracked and
 * the bit stuck) is cured by a split: the order-2 pieces are remapped for
 * the survivor alone, bit clear, maybe exact again.
 */
static bool test_split_cures_three_mm_false_positive(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct mm_struct *c1, *c2;
	struct folio *f, *piece;

	CHECK(tm_start(&m, NULL, 16, &p, &f, NULL));
	CHECK_INT(folio_order(f), ==, 4);
	c1 = fsim_fork(m, p);
	c2 = fsim_fork(m, p);
	CHECK(c1 && c2 && !fsim_exit(m, p) && !fsim_exit(m, c1));
	CHECK(folio_maybe_mapped_shared(m, f));
	CHECK(!folio_exact_mapped_shared(m, f));
	CHECK(!split_folio_to_order(m, f, 2));
	CHECK(tm_check(m));
	piece = tm_folio(m, c2, TM_BASE + TM_PAGE(4));
	CHECK_INT(folio_order(piece), ==, 2);
	CHECK(tm_large_is(m, piece, (struct tm_large){
		.large = 3, .entire = -1, .nr_pages_mapped = 4,
		.id0 = c2->mm_id, .cnt0 = 3, .cnt1 = -1 }));
	CHECK(!folio_maybe_mapped_shared(m, piece));
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 0);	/* not PMD-sized */
	CHECK(tm_read(m, c2, TM_BASE, 16));
	return tm_done(m);
}

/*
 * Splitting a THP shared by parent and child to order 0: every page
 * becomes a small folio mapped twice, nothing exclusive.
 */
static bool test_split_shared_to_order0(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, &c));
	CHECK(!split_folio_to_order(m, f, 0));
	CHECK(tm_check(m));
	CHECK_INT(tm_info(m, c, TM_BASE + TM_PAGE(77)).mapcount, ==, 2);
	CHECK(!tm_info(m, c, TM_BASE + TM_PAGE(77)).anon_exclusive);
	CHECK(tm_write(m, c, TM_BASE + TM_PAGE(77), 1));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	CHECK(tm_read(m, c, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

int main(void)
{
	int i;

	for (i = 0; i < TM_NR_PROFILES; i++) {
		const char *pr = tm_profiles[i];

		TEST(__test_shrink_splits_partial(pr),
		     "%s: shrinker splits a partially mapped THP, frees pages",
		     pr);
		TEST(__test_underused_split(pr),
		     "%s: a THP of one data page with max_ptes_none 256 %s", pr,
		     era_underused(pr) ? "is split, zero pages remapped" :
					 "is not split");
		TEST(__test_default_never_underused(pr),
		     "%s: at max_ptes_none 511 no THP is underused", pr);
	}
	TEST(__test_underused_boundary(255, true),
	     "v6.18: 257 zero pages > max_ptes_none 256: underused, split");
	TEST(__test_underused_boundary(256, false),
	     "v6.18: 256 filled pages = 512 - 256: used, not split");
	TEST(test_shrink_underused_off(),
	     "shrink_underused=0: new THPs are not queued or split");
	TEST(test_split_fails_with_extra_ref(),
	     "an extra reference makes split fail with -EAGAIN");
	TEST(test_failed_partial_split_requeued(),
	     "a failed partial split is requeued and split later");
	TEST(test_split_exclusive_pmd_thp(),
	     "split of an exclusive PMD THP: exclusive writable small pages");
	TEST(__test_split_rebuilds_slots(true),
	     "split to order 4 rebuilds exact slots; C1 exit clears the bit");
	TEST(__test_split_rebuilds_slots(false),
	     "without the split the untracked survivor keeps the bit set");
	TEST(test_split_cures_three_mm_false_positive(),
	     "split cures the three-mm maybe-shared false positive");
	TEST(test_split_shared_to_order0(),
	     "split of a shared THP to order 0: pages mapped twice");
	return tap_done();
}
