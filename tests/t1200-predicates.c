// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "is this folio shared?" predicates of each era (mapping accounting
 * spec 3.3, 3.4, 9) on folio states built with faults, fork, PMD splits
 * and MADV_DONTNEED, each compared with the answer the spec gives:
 * page_mapcount(page) > 1 (<= 6.9), folio_likely_mapped_shared()
 * (6.10-6.14), folio_maybe_mapped_shared() (6.15+), the exact answer, and
 * shared_pred_eval() for every predicate including the fault-injection
 * ones (always, never).
 */
#include <stdlib.h>

#include "lib/tm.h"

/* What each predicate should say for one page of one folio. */
struct answers {
	bool page;	/* page_mapcount(page) > 1 */
	bool likely;	/* folio_likely_mapped_shared() */
	bool maybe;	/* folio_maybe_mapped_shared() */
	bool exact;	/* mapped by more than one mm */
};

static bool answer_is(const char *name, bool got, bool want)
{
	if (got == want)
		return true;
	printf("#   %s: got %s, want %s\n", name, got ? "shared" : "exclusive",
	       want ? "shared" : "exclusive");
	return false;
}

/* Every predicate, called directly and through shared_pred_eval(). */
static bool answers_are(struct fsim_machine *m, struct folio *f,
			struct page *page, struct answers want)
{
	bool ok = true;

	ok &= answer_is("page_mapcount", page_mapcount_shared(m, f, page),
			want.page);
	ok &= answer_is("likely", folio_likely_mapped_shared(m, f),
			want.likely);
	ok &= answer_is("maybe", folio_maybe_mapped_shared(m, f), want.maybe);
	ok &= answer_is("exact", folio_exact_mapped_shared(m, f), want.exact);
	ok &= answer_is("eval page_mapcount",
			shared_pred_eval(m, PRED_PAGE_MAPCOUNT, f, page),
			want.page);
	ok &= answer_is("eval likely",
			shared_pred_eval(m, PRED_LIKELY, f, page), want.likely);
	ok &= answer_is("eval maybe", shared_pred_eval(m, PRED_MAYBE, f, page),
			want.maybe);
	ok &= answer_is("eval exact", shared_pred_eval(m, PRED_EXACT, f, page),
			want.exact);
	ok &= answer_is("eval always",
			shared_pred_eval(m, PRED_ALWAYS, f, page), true);
	ok &= answer_is("eval never", shared_pred_eval(m, PRED_NEVER, f, page),
			false);
	return ok;
}

static const struct answers all_exclusive = { false, false, false, false };
static const struct answers all_shared = { true, true, true, true };

/* A small folio mapped once is exclusive by every predicate. */
static bool test_small_mapped_once(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false);
	struct folio *f;

	CHECK(p && tm_write(m, p, TM_BASE, 1));
	f = tm_folio(m, p, TM_BASE);
	CHECK(f && !folio_test_large(f));
	CHECK(answers_are(m, f, &f->page, all_exclusive));
	return tm_done(m);
}

/*
 * A small folio shared by fork is shared by every predicate, until the
 * child exits.
 */
static bool test_small_mapped_twice(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false), *c;
	struct folio *f;

	CHECK(p && tm_write(m, p, TM_BASE, 1));
	f = tm_folio(m, p, TM_BASE);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_folio(m, c, TM_BASE) == f);
	CHECK(answers_are(m, f, &f->page, all_shared));
	CHECK(tm_check(m));
	CHECK(!fsim_exit(m, c));
	CHECK(answers_are(m, f, &f->page, all_exclusive));
	return tm_done(m);
}

/* A PMD-mapped THP of one process: page_mapcount 1, mapcount 1. */
static bool test_pmd_thp_mapped_once(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	CHECK_INT(folio_order(f), ==, HPAGE_PMD_ORDER);
	CHECK(answers_are(m, f, folio_page(f, 5), all_exclusive));
	return tm_done(m);
}

/*
 * A PMD-mapped THP in parent and child: every predicate is exact here
 * (page_mapcount counts both PMDs, likely sees an entire mapping).
 */
static bool test_pmd_thp_mapped_twice(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, NULL, &c));
	f = tm_folio(m, p, TM_BASE);
	CHECK_INT(folio_precise_page_mapcount(m, f, folio_page(f, 5)), ==, 2);
	CHECK(answers_are(m, f, folio_page(f, 5), all_shared));
	return tm_done(m);
}

/*
 * A THP PTE-mapped by one process has 512 mappings but one mm: likely's
 * "more mappings than pages" rule does not fire (512 == N) and page 0 is
 * mapped once; the bit is clear.
 */
static bool test_pte_mapped_thp_one_mm(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	split_huge_pmd_address(m, p, vma_lookup(p, TM_BASE), TM_BASE);
	CHECK(!tm_pmd_mapped(p, TM_BASE));
	CHECK_INT(folio_mapcount(m, f), ==, HPAGE_PMD_NR);
	CHECK(answers_are(m, f, folio_page(f, 5), all_exclusive));
	return tm_done(m);
}

/*
 * A THP PTE-mapped fully in two mms, page 0 unmapped in both:
 *
 *   page     0   1 .. 511
 *   parent   -   x .. x      (PTEs)
 *   child    -   x .. x      (PTEs)
 *
 * 1022 mappings > N = 512, so likely says shared by its mc > N rule even
 * though its page-0 guess would say exclusive.
 */
static bool test_pte_mapped_thp_two_mms(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	split_huge_pmd_address(m, p, vma_lookup(p, TM_BASE), TM_BASE);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(!fsim_madvise(m, p, TM_BASE, PAGE_SIZE, FSIM_MADV_DONTNEED));
	CHECK(!fsim_madvise(m, c, TM_BASE, PAGE_SIZE, FSIM_MADV_DONTNEED));
	CHECK_INT(folio_mapcount(m, f), ==, 2 * (HPAGE_PMD_NR - 1));
	CHECK_INT(f->page._mapcount, ==, -1);
	CHECK(answers_are(m, f, folio_page(f, 1), all_shared));
	/* page_mapcount is per page: page 0 itself is mapped by no one */
	CHECK(!page_mapcount_shared(m, f, folio_page(f, 0)));
	return tm_done(m);
}

/*
 * The seed corner case (spec 9): the same 256 pages of a THP mapped in
 * parent and child, page 0 in neither, and the parent's COW copy of page
 * 0 (a writable small folio).  page_mapcount and maybe say shared, likely
 * says exclusive (512 mappings == N, page 0 raw -1): a false negative.
 *
 *   page     0      1 .. 256   257 .. 511
 *   parent   copy   x .. x     -
 *   child    -      x .. x     -
 */
static bool test_seed_corner_case(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f, *g;

	CHECK(tm_seed_corner(&m, NULL, &p, &f, &c));
	g = tm_folio(m, p, TM_BASE);
	CHECK(g && g != f && !folio_test_large(g));
	CHECK(tm_info(m, p, TM_BASE).writable);
	/* 9.1: 256 + 256 mappings, P and C in the slots, bit set */
	CHECK(tm_large_is(m, f, (struct tm_large){
		.large = 511, .entire = -1, .nr_pages_mapped = 256,
		.id0 = p->mm_id, .cnt0 = 255, .id1 = c->mm_id, .cnt1 = 255,
		.shared = true }));
	CHECK(answers_are(m, f, folio_page(f, 1),
			  (struct answers){ .page = true, .likely = false,
					    .maybe = true, .exact = true }));
	CHECK(answers_are(m, f, folio_page(f, 256),
			  (struct answers){ .page = true, .likely = false,
					    .maybe = true, .exact = true }));
	CHECK(answers_are(m, g, &g->page, all_exclusive));
	CHECK(tm_read(m, p, TM_BASE, 257));
	CHECK(tm_read(m, c, TM_BASE, 257));
	return tm_done(m);
}

/*
 * The spec's worked example (4.4): a 64 KiB mTHP written by the parent,
 * then fork; every field as listed, all 32 PTEs read-only, and every
 * predicate says shared (likely already by 32 > 16).
 */
static bool test_worked_example_mthp_fork(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;
	long i;

	CHECK(tm_start(&m, NULL, 16, &p, &f, NULL));
	CHECK_INT(folio_order(f), ==, 4);
	CHECK_INT(folio_ref_count(f), ==, 16);
	CHECK(tm_pages_mapcount(f, 0, 16, 0));
	CHECK(tm_pages_exclusive(f, 0, 16, true));
	CHECK(tm_large_is(m, f, (struct tm_large){
		.large = 15, .entire = -1, .nr_pages_mapped = 16,
		.id0 = p->mm_id, .cnt0 = 15, .cnt1 = -1 }));
	CHECK(answers_are(m, f, &f->page, all_exclusive));
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK_INT(folio_ref_count(f), ==, 32);
	CHECK(tm_pages_mapcount(f, 0, 16, 1));
	CHECK(tm_pages_exclusive(f, 0, 16, false));
	CHECK(tm_large_is(m, f, (struct tm_large){
		.large = 31, .entire = -1, .nr_pages_mapped = 16,
		.id0 = p->mm_id, .cnt0 = 15, .id1 = c->mm_id, .cnt1 = 15,
		.shared = true }));
	for (i = 0; i < 16; i++) {
		CHECK(!tm_info(m, p, TM_BASE + TM_PAGE(i)).writable);
		CHECK(!tm_info(m, c, TM_BASE + TM_PAGE(i)).writable);
	}
	CHECK(answers_are(m, f, &f->page, all_shared));
	return tm_done(m);
}

/*
 * Three mms map an mTHP; the two tracked ones exit.  The survivor is
 * untracked, so maybe stays shared (a false positive); 16 mappings == N
 * and page 0 mapped once keep likely at exclusive.
 */
static bool test_three_mm_maybe_false_positive(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_mthp_process(m, 16), *c1, *c2;
	struct folio *f;

	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	c1 = fsim_fork(m, p);
	c2 = fsim_fork(m, p);
	CHECK(c1 && c2);
	CHECK(answers_are(m, f, &f->page, all_shared));
	CHECK(!fsim_exit(m, p));
	CHECK(!fsim_exit(m, c1));
	CHECK(tm_large_is(m, f, (struct tm_large){
		.large = 15, .entire = -1, .nr_pages_mapped = 16,
		.cnt0 = -1, .cnt1 = -1, .shared = true }));
	CHECK(answers_are(m, f, &f->page,
			  (struct answers){ .page = false, .likely = false,
					    .maybe = true, .exact = false }));
	return tm_done(m);
}

/*
 * The same with a PMD-mapped THP: the untracked survivor maps it once,
 * and maybe answers from the mapcount (<= 1: exclusive) although the bit
 * is still set.
 */
static bool test_single_mapping_ignores_bit(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m), *c1, *c2;
	struct folio *f;

	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	c1 = fsim_fork(m, p);
	c2 = fsim_fork(m, p);
	CHECK(c1 && c2);
	CHECK(!fsim_exit(m, p));
	CHECK(!fsim_exit(m, c1));
	CHECK_INT(folio_mapcount(m, f), ==, 1);
	CHECK(folio_large(&m->phys, f)->mm_ids_shared);
	CHECK(answers_are(m, f, folio_page(f, 5), all_exclusive));
	return tm_done(m);
}

/*
 * likely's false negative without any COW: parent and child map disjoint
 * halves of an mTHP.  16 mappings == N and page 0 is mapped once, so
 * likely says exclusive; the folio is shared (the pages are not, which
 * is what page_mapcount sees).
 *
 *   page     0 .. 7   8 .. 15
 *   parent   x .. x   -
 *   child    -        x .. x
 */
static bool test_likely_false_negative_disjoint_halves(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 16, &p, &f, &c));
	CHECK(!fsim_madvise(m, p, TM_BASE + TM_PAGE(8), TM_PAGE(8),
			    FSIM_MADV_DONTNEED));
	CHECK(!fsim_madvise(m, c, TM_BASE, TM_PAGE(8), FSIM_MADV_DONTNEED));
	CHECK_INT(folio_mapcount(m, f), ==, 16);
	/* no page lost its last PTE: not queued */
	CHECK(!folio_test(f, PG_deferred));
	CHECK(answers_are(m, f, &f->page,
			  (struct answers){ .page = false, .likely = false,
					    .maybe = true, .exact = true }));
	return tm_done(m);
}

/*
 * The spec's worked example (5.5) ends with the child gone: its PMD
 * removal frees slot 1 and the parent's slot owns every mapping, so the
 * bit is cleared and every predicate says exclusive.
 */
static bool test_bit_cleared_after_child_exit(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, &c));
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(7), 1));
	CHECK(answers_are(m, f, &f->page, all_shared));
	CHECK(!fsim_exit(m, c));
	CHECK(tm_large_is(m, f, (struct tm_large){
		.large = 510, .entire = -1, .nr_pages_mapped = 511,
		.id0 = p->mm_id, .cnt0 = 510, .cnt1 = -1 }));
	CHECK(answers_are(m, f, &f->page, all_exclusive));
	return tm_done(m);
}

int main(void)
{
	TEST(test_small_mapped_once(),
	     "small folio mapped once: every predicate says exclusive");
	TEST(test_small_mapped_twice(),
	     "small folio shared by fork: every predicate says shared");
	TEST(test_pmd_thp_mapped_once(),
	     "PMD THP mapped once: every predicate says exclusive");
	TEST(test_pmd_thp_mapped_twice(),
	     "PMD THP mapped by parent and child: every predicate says shared");
	TEST(test_pte_mapped_thp_one_mm(),
	     "PTE-mapped THP in one mm: 512 mappings, still exclusive");
	TEST(test_pte_mapped_thp_two_mms(),
	     "PTE-mapped THP in two mms: likely shared by the mc > N rule");
	TEST(test_seed_corner_case(),
	     "seed corner case: page_mapcount and maybe shared, likely not");
	TEST(test_worked_example_mthp_fork(),
	     "worked example 4.4: mTHP fork fields, every predicate shared");
	TEST(test_three_mm_maybe_false_positive(),
	     "untracked third mm alone: maybe false positive, likely right");
	TEST(test_single_mapping_ignores_bit(),
	     "one mapping left: maybe says exclusive despite the bit");
	TEST(test_likely_false_negative_disjoint_halves(),
	     "disjoint halves of an mTHP in two mms: likely false negative");
	TEST(test_bit_cleared_after_child_exit(),
	     "worked example 5.5: child exit clears the bit");
	return tap_done();
}
