// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rmap primitives, called directly on folios the test allocates, with
 * every mapcount field asserted after each call against the mapping
 * accounting spec (2.1 MM_ID slots, 2.2-2.6 add/dup/remove, 2.9 summary
 * table, 6.3 deferred-split queueing).  No page table maps these folios,
 * so the invariant checker is not run here; t1000 and t1300 cover the
 * same primitives through real faults.
 *
 * Field values are raw (biased): -1 means "zero" for _large_mapcount,
 * _entire_mapcount, page _mapcount and the slot counts.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib/tm.h"

/* Three processes (MM_IDs 1, 2, 3) and A's 2 MiB VMA at TM_BASE. */
struct rig {
	struct fsim_machine *m;
	struct mm_struct *a, *b, *c;
	struct vm_area_struct *vma;
};

static bool rig_init(struct rig *r, const char *profile)
{
	r->m = tm_new(profile);
	CHECK(r->m);
	r->a = fsim_spawn(r->m);
	r->b = fsim_spawn(r->m);
	r->c = fsim_spawn(r->m);
	CHECK(r->a && r->b && r->c);
	CHECK_INT(r->a->mm_id, ==, 1);
	CHECK_INT(r->b->mm_id, ==, 2);
	CHECK_INT(r->c->mm_id, ==, 3);
	CHECK(!fsim_mmap(r->m, r->a, TM_BASE, PMD_SIZE));
	r->vma = vma_lookup(r->a, TM_BASE);
	CHECK(r->vma);
	return true;
}

static long long anon_pages(struct rig *r)
{
	return (long long)r->m->ev[NR_ANON_MAPPED];
}

static long long anon_thps(struct rig *r)
{
	return (long long)r->m->ev[NR_ANON_THPS];
}

/* A fresh folio of @order, mapped by A as a fault would map it. */
static struct folio *new_mapped(struct rig *r, unsigned int order, int flags)
{
	struct folio *f = folio_alloc(&r->m->phys, order);

	if (f)
		folio_add_new_anon_rmap(r->m, f, r->a, r->vma, TM_BASE, flags);
	return f;
}

/* With RIG_BARE rig_folio() only allocates the folio: nothing maps it. */
#define RIG_BARE (-1)

/* rig_init() under @profile and the folio under test in *@f. */
static bool rig_folio(struct rig *r, struct folio **f, const char *profile,
		      unsigned int order, int flags)
{
	CHECK(rig_init(r, profile));
	*f = flags == RIG_BARE ? folio_alloc(&r->m->phys, order) :
				 new_mapped(r, order, flags);
	CHECK(*f);
	return true;
}

static bool rig_done(struct rig *r)
{
	fsim_free(r->m);
	return true;
}

/* @mm maps pages [from, from + n) of @f by PTEs, not exclusive. */
static void add_ptes(struct rig *r, struct folio *f, struct mm_struct *mm,
		     long from, long n)
{
	folio_add_anon_rmap_ptes(r->m, f, folio_page(f, from), n, mm,
				 RMAP_NONE);
}

static void remove_ptes(struct rig *r, struct folio *f, struct mm_struct *mm,
			long from, long n)
{
	folio_remove_rmap_ptes(r->m, f, folio_page(f, from), n, mm);
}

/* A 64 KiB folio, pages 0-3 mapped by A, [from, from + n) by B. */
static bool rig_ab(struct rig *r, struct folio **f, long from, long n)
{
	CHECK(rig_folio(r, f, NULL, 4, RIG_BARE));
	add_ptes(r, *f, r->a, 0, 4);
	add_ptes(r, *f, r->b, from, n);
	return true;
}

/* NR_ANON_MAPPED and NR_ANON_THPS. */
static bool stats_are(struct rig *r, long long pages, long long thps)
{
	CHECK_INT(anon_pages(r), ==, pages);
	CHECK_INT(anon_thps(r), ==, thps);
	return true;
}

/* A small new folio: _mapcount 0, exclusive, one page in the stats. */
static bool test_new_small(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 0, RMAP_EXCLUSIVE));
	CHECK_INT(f->page._mapcount, ==, 0);
	CHECK_INT(folio_mapcount(r.m, f), ==, 1);
	CHECK(PageAnonExclusive(&f->page));
	CHECK(folio_test(f, PG_anon));
	CHECK_INT(folio_ref_count(f), ==, 1);	/* refs: callers' job */
	CHECK(stats_are(&r, 1, 0));
	return rig_done(&r);
}

/* Without RMAP_EXCLUSIVE a new small folio is mapped but not exclusive. */
static bool test_new_small_not_exclusive(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 0, RMAP_NONE));
	CHECK_INT(f->page._mapcount, ==, 0);
	CHECK(!PageAnonExclusive(&f->page));
	return rig_done(&r);
}

/*
 * A new 64 KiB mTHP counts as 16 PTE mappings of A: every page mapped
 * once, large = slot 0 = 16, _nr_pages_mapped 16, every page exclusive.
 */
static bool test_new_mthp(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 4, RMAP_EXCLUSIVE));
	CHECK(tm_pages_mapcount(f, 0, 16, 0));
	CHECK(tm_pages_exclusive(f, 0, 16, true));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 15, .entire = -1, .nr_pages_mapped = 16,
		.id0 = 1, .cnt0 = 15, .cnt1 = -1 }));
	CHECK_INT(folio_mapcount(r.m, f), ==, 16);
	CHECK_INT(folio_ref_count(f), ==, 1);
	CHECK(stats_are(&r, 16, 0));
	CHECK(!folio_test(f, PG_deferred));	/* mTHP faults never queue */
	CHECK_INT(folio_large(&r.m->phys, f)->index, ==, TM_BASE >> PAGE_SHIFT);
	return rig_done(&r);
}

/*
 * A new PMD-sized folio counts as one PMD mapping: entire = large =
 * slot 0 = 1, ENTIRELY_MAPPED, only the head exclusive, 512 pages and one
 * THP in the stats.
 */
static bool test_new_pmd(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	CHECK(tm_pages_mapcount(f, 0, HPAGE_PMD_NR, -1));
	CHECK(PageAnonExclusive(&f->page));
	CHECK(tm_pages_exclusive(f, 1, HPAGE_PMD_NR - 1, false));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 0, .entire = 0, .nr_pages_mapped = ENTIRELY_MAPPED,
		.id0 = 1, .cnt0 = 0, .cnt1 = -1 }));
	CHECK_INT(folio_mapcount(r.m, f), ==, 1);
	CHECK(stats_are(&r, HPAGE_PMD_NR, 1));
	/* the PMD fault path queues it, not the rmap call */
	CHECK(!folio_test(f, PG_deferred));
	return rig_done(&r);
}

/*
 * Adding PTEs: per-page +1, large and the mm's slot +n, _nr_pages_mapped
 * and the stats grow by the pages that went -1 -> 0; RMAP_EXCLUSIVE sets
 * the flag on the range, RMAP_NONE never clears it.
 *
 *   pages   0 1 2 3 4 5 6 .. 15
 *   add 1   x x x x                (A, exclusive)
 *   add 2       x x x x            (A, RMAP_NONE)
 */
static bool test_add_ptes(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 4, RIG_BARE));
	folio_add_anon_rmap_ptes(r.m, f, folio_page(f, 0), 4, r.a,
				 RMAP_EXCLUSIVE);
	CHECK(tm_pages_mapcount(f, 0, 4, 0));
	CHECK(tm_pages_mapcount(f, 4, 12, -1));
	CHECK(tm_pages_exclusive(f, 0, 4, true));
	CHECK(tm_pages_exclusive(f, 4, 12, false));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 3, .entire = -1, .nr_pages_mapped = 4,
		.id0 = 1, .cnt0 = 3, .cnt1 = -1 }));
	CHECK_INT(anon_pages(&r), ==, 4);

	add_ptes(&r, f, r.a, 2, 4);
	CHECK(tm_pages_mapcount(f, 0, 2, 0));
	CHECK(tm_pages_mapcount(f, 2, 2, 1));
	CHECK(tm_pages_mapcount(f, 4, 2, 0));
	CHECK(tm_pages_exclusive(f, 0, 4, true));
	CHECK(tm_pages_exclusive(f, 4, 12, false));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 7, .entire = -1, .nr_pages_mapped = 6,
		.id0 = 1, .cnt0 = 7, .cnt1 = -1 }));
	CHECK_INT(anon_pages(&r), ==, 6);
	CHECK_INT(folio_ref_count(f), ==, 1);
	return rig_done(&r);
}

/*
 * A second mm takes slot 1 and sets the shared bit; pages it maps that
 * were already mapped change neither _nr_pages_mapped nor the stats.
 */
static bool test_second_mm_takes_slot1(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_ab(&r, &f, 0, 2));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 5, .entire = -1, .nr_pages_mapped = 4,
		.id0 = 1, .cnt0 = 3, .id1 = 2, .cnt1 = 1, .shared = true }));
	CHECK(tm_pages_mapcount(f, 0, 2, 1));
	CHECK_INT(anon_pages(&r), ==, 4);
	return rig_done(&r);
}

/*
 * When B's slot empties and A's slot then owns every mapping, the bit is
 * cleared; a third mm that then takes the free slot 1 while A still maps
 * pages sets it again.
 */
static bool test_slot_freed_clears_bit_and_is_reused(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_ab(&r, &f, 4, 2));
	remove_ptes(&r, f, r.b, 4, 2);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 3, .entire = -1, .nr_pages_mapped = 4,
		.id0 = 1, .cnt0 = 3, .cnt1 = -1 }));
	add_ptes(&r, f, r.c, 8, 1);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 4, .entire = -1, .nr_pages_mapped = 5,
		.id0 = 1, .cnt0 = 3, .id1 = 3, .cnt1 = 0, .shared = true }));
	return rig_done(&r);
}

/*
 * Slot 0 freed by A while B holds slot 1: a later mm that takes the free
 * slot 0 while other mappings exist sets the bit (new != d - 1).
 */
static bool test_free_slot0_taken_sets_bit(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_ab(&r, &f, 4, 2));
	remove_ptes(&r, f, r.a, 0, 4);
	/* B's slot owns both remaining mappings: bit cleared */
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 1, .entire = -1, .nr_pages_mapped = 2,
		.cnt0 = -1, .id1 = 2, .cnt1 = 1 }));
	add_ptes(&r, f, r.c, 0, 3);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 4, .entire = -1, .nr_pages_mapped = 5,
		.id0 = 3, .cnt0 = 2, .id1 = 2, .cnt1 = 1, .shared = true }));
	return rig_done(&r);
}

/*
 * A third mm finds both slots taken: only the total grows.  Its removal
 * re-runs the check, which clears the bit once a slot owns everything.
 */
static bool test_third_mm_untracked(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_ab(&r, &f, 0, 2));
	add_ptes(&r, f, r.c, 8, 1);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 6, .entire = -1, .nr_pages_mapped = 5,
		.id0 = 1, .cnt0 = 3, .id1 = 2, .cnt1 = 1, .shared = true }));
	/* A leaves: B (2) and untracked C (1) remain, slot 1 != total */
	remove_ptes(&r, f, r.a, 0, 4);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 2, .entire = -1, .nr_pages_mapped = 3,
		.cnt0 = -1, .id1 = 2, .cnt1 = 1, .shared = true }));
	/* untracked C leaves: B's slot now equals the total */
	remove_ptes(&r, f, r.c, 8, 1);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 1, .entire = -1, .nr_pages_mapped = 2,
		.cnt0 = -1, .id1 = 2, .cnt1 = 1 }));
	return rig_done(&r);
}

/*
 * A removal that leaves the remover's slot occupied never re-evaluates
 * the bit, even when the remover is the only mm left.
 *
 *   A 4 (slot 0), B 2 (slot 1), C 2 (untracked); A and B leave -> C alone,
 *   bit stuck at 1; C maps one more page and takes slot 0 with count 1
 *   (real: 3); C's removal of its 3 pages drives the slot to -2: clamped,
 *   freed, and since the total is then -1 the bit is cleared.
 */
static bool test_late_slot_clamps(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_ab(&r, &f, 4, 2));
	add_ptes(&r, f, r.c, 8, 2);
	remove_ptes(&r, f, r.a, 0, 4);
	remove_ptes(&r, f, r.b, 4, 2);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 1, .entire = -1, .nr_pages_mapped = 2,
		.cnt0 = -1, .cnt1 = -1, .shared = true }));
	remove_ptes(&r, f, r.c, 9, 1);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 0, .entire = -1, .nr_pages_mapped = 1,
		.cnt0 = -1, .cnt1 = -1, .shared = true }));
	add_ptes(&r, f, r.c, 9, 2);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 2, .entire = -1, .nr_pages_mapped = 3,
		.id0 = 3, .cnt0 = 1, .cnt1 = -1, .shared = true }));
	remove_ptes(&r, f, r.c, 8, 3);
	CHECK(tm_large_is(r.m, f, TM_LARGE_UNMAPPED));
	return rig_done(&r);
}

/*
 * While B still owns mappings its removals leave the bit alone, even
 * though A's slot would now own everything but B's remaining page.
 */
static bool test_remove_keeping_slot_keeps_bit(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_ab(&r, &f, 4, 3));
	remove_ptes(&r, f, r.b, 4, 2);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 4, .entire = -1, .nr_pages_mapped = 5,
		.id0 = 1, .cnt0 = 3, .id1 = 2, .cnt1 = 0, .shared = true }));
	return rig_done(&r);
}

/*
 * A PMD mapping added to a folio that already has PTE mappings sets
 * ENTIRELY_MAPPED and adds only the pages not yet PTE-mapped to the stats.
 */
static bool test_add_pmd_counts_unmapped_pages(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RIG_BARE));
	add_ptes(&r, f, r.a, 0, 100);
	CHECK_INT(anon_pages(&r), ==, 100);
	folio_add_anon_rmap_pmd(r.m, f, &f->page, r.b, RMAP_NONE);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 100, .entire = 0,
		.nr_pages_mapped = ENTIRELY_MAPPED + 100,
		.id0 = 1, .cnt0 = 99, .id1 = 2, .cnt1 = 0, .shared = true }));
	CHECK(stats_are(&r, HPAGE_PMD_NR, 1));
	CHECK(!PageAnonExclusive(&f->page));
	return rig_done(&r);
}

/*
 * A second PMD mapping (RMAP_EXCLUSIVE given) and its removal: entire and
 * large move by one, the stats and ENTIRELY_MAPPED do not; the last PMD
 * removal returns every field to its initial value.
 */
static bool test_pmd_add_remove(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RIG_BARE));
	folio_add_anon_rmap_pmd(r.m, f, &f->page, r.a, RMAP_EXCLUSIVE);
	CHECK(PageAnonExclusive(&f->page));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 0, .entire = 0, .nr_pages_mapped = ENTIRELY_MAPPED,
		.id0 = 1, .cnt0 = 0, .cnt1 = -1 }));
	folio_add_anon_rmap_pmd(r.m, f, &f->page, r.b, RMAP_NONE);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 1, .entire = 1, .nr_pages_mapped = ENTIRELY_MAPPED,
		.id0 = 1, .cnt0 = 0, .id1 = 2, .cnt1 = 0, .shared = true }));
	CHECK(stats_are(&r, HPAGE_PMD_NR, 1));
	folio_remove_rmap_pmd(r.m, f, &f->page, r.b);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 0, .entire = 0, .nr_pages_mapped = ENTIRELY_MAPPED,
		.id0 = 1, .cnt0 = 0, .cnt1 = -1 }));
	CHECK_INT(anon_pages(&r), ==, HPAGE_PMD_NR);
	folio_remove_rmap_pmd(r.m, f, &f->page, r.a);
	CHECK(tm_large_is(r.m, f, TM_LARGE_UNMAPPED));
	CHECK(stats_are(&r, 0, 0));
	CHECK(!folio_test(f, PG_deferred));
	CHECK_INT(folio_ref_count(f), ==, 1);
	return rig_done(&r);
}

/*
 * The PMD split sequence (6.2): PTE add of all 512 pages with the head's
 * exclusivity, then PMD removal.  No stat moves but the THP count; the
 * folio is not partially mapped.  Unmapping half of it afterwards queues
 * it partially mapped.
 */
static bool test_pmd_split_sequence(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	folio_add_anon_rmap_ptes(r.m, f, &f->page, HPAGE_PMD_NR, r.a,
				 RMAP_EXCLUSIVE);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = HPAGE_PMD_NR, .entire = 0,
		.nr_pages_mapped = ENTIRELY_MAPPED + HPAGE_PMD_NR,
		.id0 = 1, .cnt0 = HPAGE_PMD_NR, .cnt1 = -1 }));
	CHECK_INT(anon_pages(&r), ==, HPAGE_PMD_NR);
	folio_remove_rmap_pmd(r.m, f, &f->page, r.a);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = HPAGE_PMD_NR - 1, .entire = -1,
		.nr_pages_mapped = HPAGE_PMD_NR,
		.id0 = 1, .cnt0 = HPAGE_PMD_NR - 1, .cnt1 = -1 }));
	CHECK(tm_pages_mapcount(f, 0, HPAGE_PMD_NR, 0));
	CHECK(tm_pages_exclusive(f, 0, HPAGE_PMD_NR, true));
	CHECK(stats_are(&r, HPAGE_PMD_NR, 0));
	CHECK(!folio_test(f, PG_deferred));

	remove_ptes(&r, f, r.a, 0, HPAGE_PMD_NR / 2);
	CHECK_INT(anon_pages(&r), ==, HPAGE_PMD_NR / 2);
	CHECK_INT(folio_nr_pages_mapped(r.m, f), ==, HPAGE_PMD_NR / 2);
	CHECK(folio_test(f, PG_deferred));
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(r.m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);

	remove_ptes(&r, f, r.a, HPAGE_PMD_NR / 2, HPAGE_PMD_NR / 2);
	CHECK(tm_large_is(r.m, f, TM_LARGE_UNMAPPED));
	CHECK_INT(anon_pages(&r), ==, 0);
	CHECK_INT(r.m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
	return rig_done(&r);
}

/*
 * The last PMD going away while some pages stay PTE-mapped (by B) makes
 * the folio partially mapped: queued, and only the now-unmapped pages
 * leave the stats.  B's slot then owns everything: bit cleared.
 */
static bool test_last_pmd_removal_queues_partial(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	add_ptes(&r, f, r.b, 0, 10);
	CHECK_INT(anon_pages(&r), ==, HPAGE_PMD_NR);
	CHECK(folio_large(&r.m->phys, f)->mm_ids_shared);
	folio_remove_rmap_pmd(r.m, f, &f->page, r.a);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 9, .entire = -1, .nr_pages_mapped = 10,
		.cnt0 = -1, .id1 = 2, .cnt1 = 9 }));
	CHECK(stats_are(&r, 10, 0));
	CHECK(folio_test(f, PG_deferred));
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(r.m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
	return rig_done(&r);
}

/*
 * B split its PMD and unmaps half its PTEs while A's PMD still maps the
 * folio: pages lose their last PTE but ENTIRELY_MAPPED keeps them mapped,
 * so neither the stats move nor is the folio queued.
 */
static bool test_partial_unmap_pmd_elsewhere_not_queued(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	CHECK(!folio_try_dup_anon_rmap_pmd(r.m, f, &f->page, r.b, r.a));
	add_ptes(&r, f, r.b, 0, HPAGE_PMD_NR);
	folio_remove_rmap_pmd(r.m, f, &f->page, r.b);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = HPAGE_PMD_NR, .entire = 0,
		.nr_pages_mapped = ENTIRELY_MAPPED + HPAGE_PMD_NR,
		.id0 = 1, .cnt0 = 0, .id1 = 2, .cnt1 = HPAGE_PMD_NR - 1,
		.shared = true }));
	remove_ptes(&r, f, r.b, 0, HPAGE_PMD_NR / 2);
	CHECK_INT(folio_large(&r.m->phys, f)->_nr_pages_mapped, ==,
		  ENTIRELY_MAPPED + HPAGE_PMD_NR / 2);
	CHECK(stats_are(&r, HPAGE_PMD_NR, 1));
	CHECK(!folio_test(f, PG_deferred));
	CHECK(!folio_test(f, PG_partially_mapped));
	return rig_done(&r);
}

/*
 * The spec's worked example (4.4): fork of a 64 KiB mTHP.  Every page
 * mapped twice, large 32, child in slot 1, bit set, no page exclusive,
 * _nr_pages_mapped and the stats unchanged.
 */
static bool test_dup_ptes_mthp(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 4, RMAP_EXCLUSIVE));
	CHECK(!folio_try_dup_anon_rmap_ptes(r.m, f, &f->page, 16, r.b, r.a));
	CHECK(tm_pages_mapcount(f, 0, 16, 1));
	CHECK(tm_pages_exclusive(f, 0, 16, false));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 31, .entire = -1, .nr_pages_mapped = 16,
		.id0 = 1, .cnt0 = 15, .id1 = 2, .cnt1 = 15, .shared = true }));
	CHECK_INT(anon_pages(&r), ==, 16);
	CHECK_INT(folio_ref_count(f), ==, 1);	/* the caller's job */
	return rig_done(&r);
}

/* Duplicating part of a folio clears exclusivity on that part only. */
static bool test_dup_ptes_partial_range(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 4, RMAP_EXCLUSIVE));
	CHECK(!folio_try_dup_anon_rmap_ptes(r.m, f, folio_page(f, 4), 4, r.b,
					    r.a));
	CHECK(tm_pages_mapcount(f, 0, 4, 0));
	CHECK(tm_pages_mapcount(f, 4, 4, 1));
	CHECK(tm_pages_mapcount(f, 8, 8, 0));
	CHECK(tm_pages_exclusive(f, 0, 4, true));
	CHECK(tm_pages_exclusive(f, 4, 4, false));
	CHECK(tm_pages_exclusive(f, 8, 8, true));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 19, .entire = -1, .nr_pages_mapped = 16,
		.id0 = 1, .cnt0 = 15, .id1 = 2, .cnt1 = 3, .shared = true }));
	return rig_done(&r);
}

/* Duplicating a small folio: _mapcount 1, exclusivity gone, stats kept. */
static bool test_dup_small(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 0, RMAP_EXCLUSIVE));
	CHECK(!folio_try_dup_anon_rmap_ptes(r.m, f, &f->page, 1, r.b, r.a));
	CHECK_INT(f->page._mapcount, ==, 1);
	CHECK_INT(folio_mapcount(r.m, f), ==, 2);
	CHECK(!PageAnonExclusive(&f->page));
	CHECK_INT(anon_pages(&r), ==, 1);
	return rig_done(&r);
}

/*
 * A maybe-pinned folio refuses to duplicate exclusive pages (-EBUSY, no
 * field changes); pages that are already shared duplicate anyway.
 */
static bool test_dup_ptes_pinned(void)
{
	struct rig r;
	struct folio *f, *g;

	CHECK(rig_folio(&r, &f, NULL, 4, RMAP_EXCLUSIVE));
	folio_large(&r.m->phys, f)->_pincount = 1;
	CHECK_INT(folio_try_dup_anon_rmap_ptes(r.m, f, &f->page, 16, r.b, r.a),
		  ==, -EBUSY);
	CHECK(tm_pages_mapcount(f, 0, 16, 0));
	CHECK(tm_pages_exclusive(f, 0, 16, true));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 15, .entire = -1, .nr_pages_mapped = 16,
		.id0 = 1, .cnt0 = 15, .cnt1 = -1 }));
	/* one exclusive page in the range is enough to refuse */
	ClearPageAnonExclusive(folio_page(f, 0));
	CHECK_INT(folio_try_dup_anon_rmap_ptes(r.m, f, &f->page, 2, r.b, r.a),
		  ==, -EBUSY);
	CHECK(!folio_try_dup_anon_rmap_ptes(r.m, f, &f->page, 1, r.b, r.a));
	CHECK_INT(f->page._mapcount, ==, 1);
	folio_large(&r.m->phys, f)->_pincount = 0;

	g = new_mapped(&r, 0, RMAP_EXCLUSIVE);
	CHECK(g);
	folio_ref_add(g, 1024);		/* GUP_PIN_COUNTING_BIAS */
	CHECK_INT(folio_try_dup_anon_rmap_ptes(r.m, g, &g->page, 1, r.b, r.a),
		  ==, -EBUSY);
	CHECK_INT(g->page._mapcount, ==, 0);
	CHECK(PageAnonExclusive(&g->page));
	return rig_done(&r);
}

/*
 * fork of a PMD mapping: entire and large +1, child in slot 1, bit set,
 * head no longer exclusive, ENTIRELY_MAPPED and the stats unchanged.
 */
static bool test_dup_pmd(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	CHECK(!folio_try_dup_anon_rmap_pmd(r.m, f, &f->page, r.b, r.a));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 1, .entire = 1, .nr_pages_mapped = ENTIRELY_MAPPED,
		.id0 = 1, .cnt0 = 0, .id1 = 2, .cnt1 = 0, .shared = true }));
	CHECK(!PageAnonExclusive(&f->page));
	CHECK(tm_pages_mapcount(f, 0, HPAGE_PMD_NR, -1));
	CHECK(stats_are(&r, HPAGE_PMD_NR, 1));
	/* a third mm is untracked: only entire and large grow */
	CHECK(!folio_try_dup_anon_rmap_pmd(r.m, f, &f->page, r.c, r.a));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 2, .entire = 2, .nr_pages_mapped = ENTIRELY_MAPPED,
		.id0 = 1, .cnt0 = 0, .id1 = 2, .cnt1 = 0, .shared = true }));
	CHECK_INT(folio_mapcount(r.m, f), ==, 3);
	return rig_done(&r);
}

/* A maybe-pinned PMD folio with an exclusive head refuses fork's dup. */
static bool test_dup_pmd_pinned(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	folio_large(&r.m->phys, f)->_pincount = 1;
	CHECK_INT(folio_try_dup_anon_rmap_pmd(r.m, f, &f->page, r.b, r.a),
		  ==, -EBUSY);
	CHECK(PageAnonExclusive(&f->page));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 0, .entire = 0, .nr_pages_mapped = ENTIRELY_MAPPED,
		.id0 = 1, .cnt0 = 0, .cnt1 = -1 }));
	ClearPageAnonExclusive(&f->page);
	CHECK(!folio_try_dup_anon_rmap_pmd(r.m, f, &f->page, r.b, r.a));
	CHECK_INT(folio_entire_mapcount(r.m, f), ==, 2);
	return rig_done(&r);
}

/* Removing a small folio's only PTE: -1, one page less, never queued. */
static bool test_remove_small(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 0, RMAP_EXCLUSIVE));
	remove_ptes(&r, f, r.a, 0, 1);
	CHECK_INT(f->page._mapcount, ==, -1);
	CHECK_INT(anon_pages(&r), ==, 0);
	CHECK(PageAnonExclusive(&f->page));	/* removal leaves the flag */
	CHECK_INT(folio_ref_count(f), ==, 1);
	return rig_done(&r);
}

/* try_share clears exclusivity and nothing else; pinned: -EBUSY. */
static bool test_try_share(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 4, RMAP_EXCLUSIVE));
	CHECK(!folio_try_share_anon_rmap_pte(r.m, f, folio_page(f, 3)));
	CHECK(!PageAnonExclusive(folio_page(f, 3)));
	CHECK(tm_pages_exclusive(f, 4, 12, true));
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 15, .entire = -1, .nr_pages_mapped = 16,
		.id0 = 1, .cnt0 = 15, .cnt1 = -1 }));
	folio_large(&r.m->phys, f)->_pincount = 1;
	CHECK_INT(folio_try_share_anon_rmap_pte(r.m, f, folio_page(f, 4)), ==,
		  -EBUSY);
	CHECK(PageAnonExclusive(folio_page(f, 4)));
	return rig_done(&r);
}

/*
 * An mTHP losing some pages while others stay mapped is queued partially
 * mapped; the THP_DEFERRED_SPLIT_PAGE event counts PMD-sized folios only.
 */
static bool test_mthp_partial_unmap_queues(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 4, RMAP_EXCLUSIVE));
	remove_ptes(&r, f, r.a, 0, 4);
	CHECK(tm_large_is(r.m, f, (struct tm_large){
		.large = 11, .entire = -1, .nr_pages_mapped = 12,
		.id0 = 1, .cnt0 = 11, .cnt1 = -1 }));
	CHECK_INT(anon_pages(&r), ==, 12);
	CHECK(folio_test(f, PG_deferred));
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(r.m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 0);
	CHECK_INT(r.m->phys.deferred_len, ==, 1);
	/* a second partial unmap does not queue it twice */
	remove_ptes(&r, f, r.a, 4, 4);
	CHECK_INT(r.m->phys.deferred_len, ==, 1);
	return rig_done(&r);
}

/* Order-1 folios have no deferred list; they are never queued. */
static bool test_order1_never_queued(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, 1, RMAP_EXCLUSIVE));
	remove_ptes(&r, f, r.a, 0, 1);
	CHECK_INT(folio_nr_pages_mapped(r.m, f), ==, 1);
	CHECK(!folio_test(f, PG_deferred));
	CHECK(!folio_test(f, PG_partially_mapped));
	return rig_done(&r);
}

/*
 * deferred_split_folio(): a fully mapped folio is queued (not flagged)
 * only while shrink_underused is on and the era has the underused
 * shrinker (6.12+); swap-cache folios are never queued.
 */
static bool __test_queue_rules(const char *profile, bool underused_era)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, profile, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	CHECK(!fsim_set(r.m, "shrink_underused", "0"));
	deferred_split_folio(r.m, f, false);
	CHECK(!folio_test(f, PG_deferred));
	CHECK(!fsim_set(r.m, "shrink_underused", "1"));
	folio_set(f, PG_swapcache);
	deferred_split_folio(r.m, f, false);
	deferred_split_folio(r.m, f, true);
	CHECK(!folio_test(f, PG_deferred));
	folio_clear(f, PG_swapcache);
	deferred_split_folio(r.m, f, false);
	CHECK(folio_test(f, PG_deferred) == underused_era);
	CHECK(!folio_test(f, PG_partially_mapped));
	deferred_split_folio(r.m, f, true);
	CHECK(folio_test(f, PG_deferred));
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(r.m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
	CHECK_INT(r.m->phys.deferred_len, ==, 1);
	return rig_done(&r);
}

/* Per-page mapcount (<= 6.9 page_mapcount): PTEs of the page + PMDs. */
static bool test_precise_page_mapcount(void)
{
	struct rig r;
	struct folio *f;

	CHECK(rig_folio(&r, &f, NULL, HPAGE_PMD_ORDER, RMAP_EXCLUSIVE));
	CHECK(!folio_try_dup_anon_rmap_pmd(r.m, f, &f->page, r.b, r.a));
	add_ptes(&r, f, r.c, 7, 1);
	CHECK_INT(folio_precise_page_mapcount(r.m, f, folio_page(f, 7)), ==,
		  3);
	CHECK_INT(folio_precise_page_mapcount(r.m, f, folio_page(f, 8)), ==,
		  2);
	CHECK_INT(folio_mapcount(r.m, f), ==, 3);
	return rig_done(&r);
}

int main(void)
{
	TEST(test_new_small(),
	     "new small folio: mapcount 0, exclusive, one anon page");
	TEST(test_new_small_not_exclusive(),
	     "new small folio without RMAP_EXCLUSIVE is not exclusive");
	TEST(test_new_mthp(),
	     "new mTHP: 16 PTE mappings in slot 0, every page exclusive");
	TEST(test_new_pmd(),
	     "new PMD folio: one PMD mapping, ENTIRELY_MAPPED, head exclusive");
	TEST(test_add_ptes(),
	     "PTE add: per-page, large, slot, nr_pages_mapped and exclusivity");
	TEST(test_second_mm_takes_slot1(),
	     "a second mm takes slot 1 and sets the shared bit");
	TEST(test_slot_freed_clears_bit_and_is_reused(),
	     "a freed slot clears the bit and is taken again by another mm");
	TEST(test_free_slot0_taken_sets_bit(),
	     "an mm taking free slot 0 while others map sets the bit");
	TEST(test_third_mm_untracked(),
	     "a third mm is untracked; its removal clears the bit when due");
	TEST(test_late_slot_clamps(),
	     "a slot taken late underflows, is clamped and freed");
	TEST(test_remove_keeping_slot_keeps_bit(),
	     "a removal that keeps the slot occupied leaves the bit alone");
	TEST(test_add_pmd_counts_unmapped_pages(),
	     "PMD add sets ENTIRELY_MAPPED, counts only pages not PTE-mapped");
	TEST(test_pmd_add_remove(),
	     "second PMD add and removals move entire and large only");
	TEST(test_pmd_split_sequence(),
	     "PMD split sequence keeps stats; half unmap then queues it");
	TEST(test_last_pmd_removal_queues_partial(),
	     "last PMD removal with pages PTE-mapped elsewhere queues it");
	TEST(test_partial_unmap_pmd_elsewhere_not_queued(),
	     "partial PTE unmap while a PMD maps it elsewhere: not queued");
	TEST(test_dup_ptes_mthp(),
	     "fork dup of an mTHP: mapcounts 1, slot 1, bit set (spec 4.4)");
	TEST(test_dup_ptes_partial_range(),
	     "fork dup of part of an mTHP clears exclusivity on that part");
	TEST(test_dup_small(),
	     "fork dup of a small folio: mapcount 1, not exclusive");
	TEST(test_dup_ptes_pinned(),
	     "fork dup of exclusive pages of a maybe-pinned folio: -EBUSY");
	TEST(test_dup_pmd(),
	     "fork dup of a PMD: entire 2, slot 1, third mm untracked");
	TEST(test_dup_pmd_pinned(),
	     "fork dup of a maybe-pinned exclusive PMD: -EBUSY");
	TEST(test_remove_small(),
	     "small folio removal: mapcount -1, one anon page less");
	TEST(test_try_share(),
	     "try_share clears exclusivity only, refuses a pinned folio");
	TEST(test_mthp_partial_unmap_queues(),
	     "partial unmap of an mTHP queues it once, no THP event");
	TEST(test_order1_never_queued(),
	     "an order-1 folio is never queued for deferred split");
	TEST(__test_queue_rules("v6.18", true),
	     "v6.18 queue rules: underused knob, swap cache, partial flag");
	TEST(__test_queue_rules("v6.15", true),
	     "v6.15 queue rules: underused knob, swap cache, partial flag");
	TEST(__test_queue_rules("v6.10", false),
	     "v6.10 queues only partially mapped folios");
	TEST(__test_queue_rules("v6.9", false),
	     "v6.9 queues only partially mapped folios");
	TEST(test_precise_page_mapcount(),
	     "precise page mapcount is the page's PTEs plus the PMD mappings");
	return tap_done();
}
