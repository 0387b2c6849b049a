// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mapcount schemes of +no_page_mapcount and +total_mapped
 * (docs/profiles.md): the average page mapcount /proc reads, the
 * partially-mapped test that misses shared folios, what that changes in
 * deferred-split queueing, NR_ANON_MAPPED and PM_MMAP_EXCLUSIVE, and the
 * mapcount atomics every scheme pays for fork, munmap and COW of a
 * PTE-mapped THP.  Plain v6.18 is the reference everywhere.
 */
#include "lib/tm.h"

static const char *const schemes[NR_MAPCOUNT_SCHEMES] = {
	[MAPCOUNT_PER_PAGE] = "v6.18",
	[MAPCOUNT_NO_PAGE] = "v6.18+no_page_mapcount",
	[MAPCOUNT_TOTAL_MAPPED] = "v6.18+total_mapped",
};

/* P's 2 MiB at TM_BASE as one THP mapped by 512 PTEs of one VMA. */
static struct mm_struct *pte_mapped_thp(struct fsim_machine *m)
{
	struct mm_struct *mm = tm_thp_process(m);

	/* the PMD splits; the VMAs merge again */
	if (!mm || fsim_mprotect(m, mm, TM_BASE, PAGE_SIZE, false) ||
	    fsim_mprotect(m, mm, TM_BASE, PAGE_SIZE, true) ||
	    tm_pmd_mapped(mm, TM_BASE) || tm_nr_vmas(mm) != 1)
		return NULL;
	return mm;
}

static int dontneed(struct fsim_machine *m, struct mm_struct *mm, long from,
		    long n)
{
	return fsim_madvise(m, mm, TM_BASE + TM_PAGE(from), TM_PAGE(n),
			    FSIM_MADV_DONTNEED);
}

/*
 * A machine under @profile (named in a TAP comment) with P's THP, mapped
 * by PTEs if @ptes, and if @c is given a child forked from P.
 */
static bool thp_setup(struct fsim_machine **m, const char *profile,
		      bool ptes, struct mm_struct **p, struct mm_struct **c)
{
	printf("# %s\n", profile ? profile : "default profile");
	*m = tm_new(profile);
	CHECK(*m);
	*p = ptes ? pte_mapped_thp(*m) : tm_thp_process(*m);
	CHECK(*p);
	if (c) {
		*c = fsim_fork(*m, *p);
		CHECK(*c);
	}
	return true;
}

/* @test(s) for every scheme s from @first on. */
static bool each_scheme(int first, bool (*test)(int s))
{
	int s;

	for (s = first; s < NR_MAPCOUNT_SCHEMES; s++)
		CHECK(test(s));
	return true;
}

/* max(1, (total + 2^(order-1)) >> order), 0 when unmapped; both schemes */
static bool average_mapcount(int s)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(thp_setup(&m, schemes[s], false, &p, NULL));
	f = tm_folio(m, p, TM_BASE);
	CHECK_INT(folio_total_mapped_pages(m, f), ==, 512);
	CHECK_INT(folio_average_page_mapcount(m, f), ==, 1);
	c = fsim_fork(m, p);
	CHECK(c);
	/* two PMDs: 1024 pages */
	CHECK_INT(folio_total_mapped_pages(m, f), ==, 1024);
	CHECK_INT(folio_average_page_mapcount(m, f), ==, 2);
	CHECK_INT(tm_info(m, p, TM_BASE).mapcount, ==, 2);
	CHECK(!fsim_exit(m, c));
	/* PTE-mapped: 255 PTEs round to 0, and the floor is 1 */
	CHECK(!dontneed(m, p, 255, 257));
	CHECK_INT(folio_total_mapped_pages(m, f), ==, 255);
	CHECK_INT(folio_average_page_mapcount(m, f), ==, 1);
	/* a page nobody maps still reads the folio's average */
	CHECK_INT(folio_page_mapcount_proc(m, f, folio_page(f, 300)),
		  ==, 1);
	c = fsim_fork(m, p);
	CHECK(c);
	/* 510 PTEs: (510 + 256) >> 9 = 1 */
	CHECK_INT(folio_average_page_mapcount(m, f), ==, 1);
	CHECK(!fsim_exit(m, c));
	CHECK(!dontneed(m, p, 0, 255));
	/* f is freed: a fresh folio of the same order would read 0 */
	return tm_done(m);
}

/* Per-page v6.18 reads the precise count of the page itself. */
static bool precise_mapcount_per_page(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;

	CHECK(thp_setup(&m, schemes[MAPCOUNT_PER_PAGE], true, &p, &c));
	CHECK(!dontneed(m, c, 0, 256));
	CHECK_INT(tm_info(m, p, TM_BASE).mapcount, ==, 1);
	CHECK_INT(tm_info(m, p, TM_BASE + TM_PAGE(300)).mapcount, ==, 2);
	/* pagemap: exclusive where the page count is 1 */
	CHECK(tm_info(m, p, TM_BASE).mmap_exclusive);
	CHECK(!tm_info(m, p, TM_BASE + TM_PAGE(300)).mmap_exclusive);
	return tm_done(m);
}

/* Without page counts: the average, and MM_ID decides PM_MMAP_EXCLUSIVE. */
static bool average_in_proc(int s)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;

	CHECK(thp_setup(&m, schemes[s], true, &p, &c));
	CHECK(!dontneed(m, c, 0, 256));
	/* 768 PTEs: (768 + 256) >> 9 = 2 for every page */
	CHECK_INT(tm_info(m, p, TM_BASE).mapcount, ==, 2);
	CHECK_INT(tm_info(m, p, TM_BASE + TM_PAGE(300)).mapcount, ==,
		  2);
	CHECK(!tm_info(m, p, TM_BASE).mmap_exclusive);
	CHECK(!fsim_exit(m, c));
	CHECK(tm_info(m, p, TM_BASE).mmap_exclusive);
	return tm_done(m);
}

/*
 * Parent and child unmap the same half of a shared THP.  Per-page counts
 * see 256 pages lose their last PTE; the others see 512 mappings of a
 * 512-page folio, an average of 1, and queue nothing until the child
 * exits.  Until then the shrinker cannot free the half nobody maps.
 */
static bool shared_partial_map_missed(int s)
{
	struct fsim_machine *m;
	bool exact = s == MAPCOUNT_PER_PAGE;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(thp_setup(&m, schemes[s], false, &p, &c));
	f = tm_folio(m, p, TM_BASE);
	CHECK(!dontneed(m, p, 256, 256));
	CHECK(!dontneed(m, c, 256, 256));
	CHECK_INT(folio_total_mapped_pages(m, f), ==, 512);
	CHECK(!folio_certainly_partially_mapped(m, f));
	CHECK_INT(folio_test(f, PG_partially_mapped), ==, exact);
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, exact);
	fsim_shrink(m);
	/* memory kept: the unmapped half only goes with a split */
	CHECK_INT(fsim_anon_bytes(m) >> 10, ==, exact ? 1024 : 2048);
	CHECK(tm_check(m));
	CHECK(!fsim_exit(m, c));
	/* exclusively mapped again: every scheme sees it now */
	if (!exact) {
		CHECK(folio_test(f, PG_partially_mapped));
		CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
		fsim_shrink(m);
	}
	CHECK_INT(fsim_anon_bytes(m) >> 10, ==, 1024);
	CHECK(tm_read(m, p, TM_BASE, 256));
	return tm_done(m);
}

/* One mm: every scheme queues the partial mapping at once. */
static bool exclusive_partial_map_seen(int s)
{
	struct fsim_machine *m;
	struct mm_struct *p;

	CHECK(thp_setup(&m, schemes[s], false, &p, NULL));
	CHECK(!dontneed(m, p, 511, 1));
	CHECK(folio_test(tm_folio(m, p, TM_BASE), PG_partially_mapped));
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 1);
	return tm_done(m);
}

/*
 * A shared THP where the child drops page 0, which the parent still maps:
 * nobody queues.  Then the parent drops page 0 too: per-page counts see
 * it lose its last PTE; the others see 1022 mapped pages, not < 512.
 */
static bool queueing_after_pmd_split(int s)
{
	struct fsim_machine *m;
	bool exact = s == MAPCOUNT_PER_PAGE;
	struct mm_struct *p, *c;

	CHECK(thp_setup(&m, schemes[s], false, &p, &c));
	CHECK(!dontneed(m, c, 0, 1));
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, 0);
	/* page 0 now mapped by nobody: per-page counts know it */
	CHECK(!dontneed(m, p, 0, 1));
	CHECK_INT(m->ev[THP_DEFERRED_SPLIT_PAGE], ==, exact);
	return tm_done(m);
}

/* NR_ANON_MAPPED: the whole folio while any page of it is mapped. */
static bool anon_pages_all_or_nothing(int s)
{
	struct fsim_machine *m;
	struct mm_struct *p;

	CHECK(thp_setup(&m, schemes[s], true, &p, NULL));
	CHECK_INT(m->ev[NR_ANON_MAPPED], ==, 512);
	CHECK(!dontneed(m, p, 1, 511));
	CHECK_INT(m->ev[NR_ANON_MAPPED], ==,
		  s == MAPCOUNT_PER_PAGE ? 1 : 512);
	CHECK(tm_check(m));
	CHECK(!dontneed(m, p, 0, 1));
	CHECK_INT(m->ev[NR_ANON_MAPPED], ==, 0);
	return tm_done(m);
}

static struct rmap_cost cost0;

static void cost_mark(struct fsim_machine *m)
{
	cost0 = m->cost;
}

/* Atomics since cost_mark() equal @pp, @np, @tm for the three schemes. */
static bool cost_is(struct fsim_machine *m, uint64_t pp, uint64_t np,
		    uint64_t tm)
{
	const uint64_t *a = m->cost.atomics, *b = cost0.atomics;

	CHECK_INT(a[MAPCOUNT_PER_PAGE] - b[MAPCOUNT_PER_PAGE], ==, pp);
	CHECK_INT(a[MAPCOUNT_NO_PAGE] - b[MAPCOUNT_NO_PAGE], ==, np);
	CHECK_INT(a[MAPCOUNT_TOTAL_MAPPED] - b[MAPCOUNT_TOTAL_MAPPED], ==,
		  tm);
	return true;
}

/*
 * One batch of 512 PTEs: per page 512 page atomics, the large mapcount
 * and, when pages cross mapped/unmapped, _nr_pages_mapped; the others
 * take the large-mapcount lock once.  The count is the same whatever
 * the profile.
 */
static bool cost_pte_mapped_thp(int s)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;

	CHECK(thp_setup(&m, schemes[s], true, &p, NULL));
	cost_mark(m);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(cost_is(m, 513, 1, 1));
	/* COW of a page the child maps too: one PTE removed */
	cost_mark(m);
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK(cost_is(m, 2, 1, 1));
	CHECK(!fsim_exit(m, c));
	/* COW reuse: exclusive again, no mapcount touched */
	cost_mark(m);
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(1), 1));
	CHECK(cost_is(m, 0, 0, 0));
	/* munmap of 511 PTEs of the THP and the small page 0 */
	cost_mark(m);
	CHECK(!fsim_munmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(cost_is(m, 1 + 511 + 1 + 1, 1 + 1, 1 + 1));
	return tm_done(m);
}

/* A PMD: _entire_mapcount stays with NO_PAGE_MAPCOUNT, not with the RFC. */
static bool cost_pmd_mapped_thp(void)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;

	CHECK(thp_setup(&m, NULL, false, &p, NULL));
	cost_mark(m);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(cost_is(m, 2, 2, 1));
	cost_mark(m);
	CHECK(!fsim_munmap(m, c, TM_BASE, PMD_SIZE));
	CHECK(cost_is(m, 2, 2, 1));
	cost_mark(m);
	CHECK(!fsim_munmap(m, p, TM_BASE, PMD_SIZE));
	/* the last PMD: _nr_pages_mapped loses ENTIRELY_MAPPED */
	CHECK(cost_is(m, 3, 2, 1));
	return tm_done(m);
}

int main(void)
{
	TEST(each_scheme(MAPCOUNT_NO_PAGE, average_mapcount),
	     "average page mapcount: max(1, (total + 2^(order-1)) >> order)");
	TEST(precise_mapcount_per_page(),
	     "v6.18: kpagecount and PM_MMAP_EXCLUSIVE per page");
	TEST(each_scheme(MAPCOUNT_NO_PAGE, average_in_proc),
	     "no page counts: kpagecount averages, MM_ID gives exclusive");
	TEST(each_scheme(0, shared_partial_map_missed),
	     "a partial mapping of a shared THP is missed until one mm goes");
	TEST(each_scheme(0, exclusive_partial_map_seen),
	     "a partial mapping by one mm is queued in every scheme");
	TEST(each_scheme(0, queueing_after_pmd_split),
	     "a page unmapped in both mms queues only with page counts");
	TEST(each_scheme(0, anon_pages_all_or_nothing),
	     "nr_anon_pages counts the whole folio without page counts");
	TEST(each_scheme(0, cost_pte_mapped_thp),
	     "atomics of fork, COW, reuse and munmap of a PTE-mapped THP");
	TEST(cost_pmd_mapped_thp(),
	     "atomics of fork and munmap of a PMD-mapped THP");
	return tap_done();
}
