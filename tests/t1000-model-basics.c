// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model core: faults, fork, COW, unmap, PMD split, and the mapcount fields
 * after each, with the invariant checker after every step.
 */
#include <stdlib.h>

#include "lib/tm.h"

/* A write fault in a VM_HUGEPAGE region maps one exclusive PMD THP. */
static bool test_write_fault_maps_pmd_thp(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);
	struct folio *f;

	CHECK(p);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	f = tm_folio(m, p, TM_BASE);
	CHECK_INT(folio_order(f), ==, HPAGE_PMD_ORDER);
	CHECK_INT(folio_entire_mapcount(m, f), ==, 1);
	CHECK_INT(folio_mapcount(m, f), ==, 1);
	CHECK(PageAnonExclusive(&f->page));
	CHECK_INT(m->ev[THP_FAULT_ALLOC], ==, 1);
	CHECK(folio_test(f, PG_deferred));	/* queued as underused */
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/* Without MADV_HUGEPAGE (enabled=madvise) a write maps one small page. */
static bool test_write_fault_small_without_advice(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m);
	struct folio *f;

	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(3), 1));
	f = tm_folio(m, p, TM_BASE + TM_PAGE(3));
	CHECK(f && !folio_test_large(f));
	CHECK_INT(folio_mapcount(m, f), ==, 1);
	CHECK(tm_folio(m, p, TM_BASE) == NULL);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 1);
	return tm_done(m);
}

/* A read fault maps the shared zero page; a later write copies it. */
static bool test_read_then_write_zero_page(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m);
	struct fsim_page_info info;

	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(tm_read(m, p, TM_BASE, 4));
	fsim_page_info(m, p, TM_BASE, &info);
	CHECK_INT(info.state, ==, FSIM_PAGE_ZERO);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 0);
	CHECK(tm_write(m, p, TM_BASE, 1));
	fsim_page_info(m, p, TM_BASE, &info);
	CHECK_INT(info.state, ==, FSIM_PAGE_PRESENT);
	CHECK(info.writable && info.anon_exclusive);
	return tm_done(m);
}

/*
 * A write to a zero page prepares the VMA's anon_vma (wp_page_copy()), so
 * MADV_HUGEPAGE afterwards registers the mm with khugepaged, which then
 * collapses the PMD (max_ptes_none 502 allows the 502 zero pages).
 */
static bool test_zero_page_write_prepares_anon_vma(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m);

	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "502"));
	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	CHECK(!p->vmas[0].anon_vma);		/* zero pages need none */
	CHECK(tm_write(m, p, TM_BASE, 10));
	CHECK(p->vmas[0].anon_vma);
	CHECK(!fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	CHECK(p->flags & MMF_VM_HUGEPAGE);
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/* The checker: anon pages in a VMA without an anon_vma are a violation. */
static bool test_check_anon_without_anon_vma(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m);

	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK(tm_check(m));
	p->vmas[0].anon_vma = 0;
	CHECK(fsim_check(m, NULL) > 0);
	fsim_free(m);
	return true;
}

/* fork shares a PMD THP: one more entire mapping, second slot, bit set. */
static bool test_fork_shares_pmd_thp(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio_large *fl;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, NULL, &c));
	f = tm_folio(m, p, TM_BASE);
	CHECK(f == tm_folio(m, c, TM_BASE));
	fl = folio_large(&m->phys, f);
	CHECK_INT(folio_entire_mapcount(m, f), ==, 2);
	CHECK_INT(folio_mapcount(m, f), ==, 2);
	CHECK_INT(fl->_mm_id[0], ==, p->mm_id);
	CHECK_INT(fl->_mm_id[1], ==, c->mm_id);
	CHECK(fl->mm_ids_shared);
	CHECK(!PageAnonExclusive(&f->page));
	CHECK_INT(folio_ref_count(f), ==, 2);
	CHECK(tm_read(m, c, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * The worked example of the mapcount spec (5.5): fork, the parent writes
 * page k (PMD split, one page copied), the child exits (bit cleared), the
 * parent writes page j: reused in 6.15+, copied before.
 */
static bool __test_cow_after_child_exit(const char *profile, bool reuse)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f, *g;
	struct folio_large *fl;

	CHECK(tm_start(&m, profile, 0, &p, &f, &c));
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(7), 1));
	CHECK(!tm_pmd_mapped(p, TM_BASE));
	CHECK(tm_pmd_mapped(c, TM_BASE));
	CHECK(tm_folio(m, p, TM_BASE + TM_PAGE(7)) != f);
	fl = folio_large(&m->phys, f);
	CHECK_INT(folio_mapcount(m, f), ==, 512);	/* 511 PTEs + 1 PMD */
	CHECK_INT(fl->_mm_id_mapcount[0] + 1, ==, 511);
	CHECK(fl->mm_ids_shared);
	CHECK(!folio_test(f, PG_partially_mapped));
	CHECK(tm_check(m));
	CHECK(!fsim_exit(m, c));
	CHECK(!fl->mm_ids_shared);
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(folio_ref_count(f), ==, 511);
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(9), 1));
	g = tm_folio(m, p, TM_BASE + TM_PAGE(9));
	CHECK((g == f) == reuse);
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * The seed's corner case (mapcount spec 9): a THP PTE-mapped in parent and
 * child, the same 256 pages mapped in each, page 0 mapped by neither.
 */
static bool test_seed_corner_case_predicates(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f, *g;
	struct page *page;

	CHECK(tm_seed_corner(&m, NULL, &p, &f, &c));
	g = tm_folio(m, p, TM_BASE);
	CHECK(g && g != f && !folio_test_large(g));
	CHECK_INT(folio_mapcount(m, f), ==, 512);
	CHECK_INT(folio_entire_mapcount(m, f), ==, 0);
	CHECK_INT(f->page._mapcount, ==, -1);
	page = tm_page(m, p, TM_BASE + TM_PAGE(1));
	CHECK(page_mapcount_shared(m, f, page));
	CHECK(!folio_likely_mapped_shared(m, f));
	CHECK(folio_maybe_mapped_shared(m, f));
	CHECK(folio_exact_mapped_shared(m, f));
	CHECK(!folio_exact_mapped_shared(m, g));
	return tm_done(m);
}

/* munmap of half a PMD THP splits it and queues it partially mapped. */
static bool test_partial_munmap_splits_and_queues(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);
	struct folio *f;
	unsigned long before = fsim_anon_bytes(m);

	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	CHECK(!fsim_munmap(m, p, TM_BASE + PMD_SIZE / 2, PMD_SIZE / 2));
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
	CHECK_INT(fsim_anon_bytes(m), ==, before);	/* nothing freed yet */
	CHECK(tm_check(m));
	fsim_shrink(m);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(fsim_anon_bytes(m), ==, before / 2);
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR / 2));
	return tm_done(m);
}

/* Three mms: after the first two unmap, the survivor stays "maybe". */
static bool test_third_mm_keeps_shared_bit(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p, *c1, *c2;
	struct folio *f;

	p = tm_mthp_process(m, 16);
	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	CHECK_INT(folio_order(f), ==, 4);
	c1 = fsim_fork(m, p);
	c2 = fsim_fork(m, p);
	CHECK(c1 && c2);
	CHECK(!fsim_exit(m, p));
	CHECK(!fsim_exit(m, c1));
	CHECK_INT(folio_mapcount(m, f), ==, 16);
	CHECK(folio_maybe_mapped_shared(m, f));	/* false positive */
	CHECK(!folio_exact_mapped_shared(m, f));
	return tm_done(m);
}

int main(void)
{
	TEST(test_write_fault_maps_pmd_thp(),
	     "write fault in a VM_HUGEPAGE region maps an exclusive PMD THP");
	TEST(test_write_fault_small_without_advice(),
	     "write fault without MADV_HUGEPAGE maps one small page");
	TEST(test_read_then_write_zero_page(),
	     "read maps the zero page, a write then copies it");
	TEST(test_zero_page_write_prepares_anon_vma(),
	     "a write to a zero page prepares the anon_vma: khugepaged "
	     "collapses after MADV_HUGEPAGE");
	TEST(test_check_anon_without_anon_vma(),
	     "checker: anon pages in a VMA without anon_vma");
	TEST(test_fork_shares_pmd_thp(),
	     "fork shares a PMD THP and sets the MM_ID shared bit");
	TEST(__test_cow_after_child_exit("v6.18", true),
	     "v6.18 reuses a PTE-mapped THP page once the child exited");
	TEST(__test_cow_after_child_exit("v6.15", true),
	     "v6.15 reuses a PTE-mapped THP page once the child exited");
	TEST(__test_cow_after_child_exit("v6.10", false),
	     "v6.10 copies a PTE-mapped THP page even after the child exited");
	TEST(__test_cow_after_child_exit("v6.9", false),
	     "v6.9 copies a PTE-mapped THP page even after the child exited");
	TEST(test_seed_corner_case_predicates(),
	     "seed corner case: page_mapcount and maybe say shared, likely not");
	TEST(test_partial_munmap_splits_and_queues(),
	     "munmap of half a THP splits the PMD and queues a deferred split");
	TEST(test_third_mm_keeps_shared_bit(),
	     "a folio left to an untracked third mm stays maybe-shared");
	return tap_done();
}
