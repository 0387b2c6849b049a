// SPDX-License-Identifier: GPL-2.0-only
/*
 * +mthp_collapse and its v10/v11 variants (khugepaged collapses to mTHP
 * orders; docs/profiles.md): empty PTEs allowed per order and variant,
 * the lowest order, the forward walk and its fallback order, existing
 * mTHPs left alone, shared and swap PTEs below PMD order, MADV_COLLAPSE
 * and plain profiles unchanged, and the "creep" of the v10 rule.
 */
#include "lib/tm.h"
#include <string.h>

#include "model/collapse.h"

#define ORDER_BITS(lo, hi) ((2UL << (hi)) - (1UL << (lo)))
#define MTHP "v6.18+mthp_collapse"

static const char *const size_paths[HPAGE_PMD_ORDER + 1] = {
	[2] = "hugepages-16kB/enabled", [3] = "hugepages-32kB/enabled",
	[4] = "hugepages-64kB/enabled", [5] = "hugepages-128kB/enabled",
	[6] = "hugepages-256kB/enabled", [7] = "hugepages-512kB/enabled",
	[8] = "hugepages-1024kB/enabled", [9] = "hugepages-2048kB/enabled",
};

/* hugepages-<N>kB/enabled of every order in @mask to inherit, else never */
static bool sizes(struct fsim_machine *m, unsigned long mask)
{
	int o;

	for (o = 2; o <= HPAGE_PMD_ORDER; o++)
		if (fsim_set(m, size_paths[o],
			     mask & (1UL << o) ? "inherit" : "never"))
			return false;
	return true;
}

static bool set_none(struct fsim_machine *m, const char *v)
{
	return !fsim_set(m, "khugepaged/max_ptes_none", v);
}

/*
 * A machine under @profile with @pages small pages written from TM_BASE
 * in a 2 MiB MADV_HUGEPAGE region (advised after the writes, so the
 * faults made order-0 folios), the sizes of @mask enabled.
 */
static struct fsim_machine *setup(const char *profile, long pages,
				  unsigned long mask, const char *max_none,
				  struct mm_struct **pp)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p;

	if (!m)
		return NULL;
	p = fsim_spawn(m);
	if (!p || fsim_mmap(m, p, TM_BASE, PMD_SIZE) ||
	    !tm_write(m, p, TM_BASE, pages) ||
	    fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE) ||
	    !sizes(m, mask) || !set_none(m, max_none)) {
		fsim_free(m);
		return NULL;
	}
	*pp = p;
	return m;
}

/* Order of the folio mapped at page @i, -1 if none. */
static int order_at(struct fsim_machine *m, struct mm_struct *p, long i)
{
	struct folio *f = tm_folio(m, p, TM_BASE + TM_PAGE(i));

	return f ? (int)folio_order(f) : -1;
}

/* Number of mTHP attempt records at @order with @status. */
static int attempts(struct fsim_machine *m, int order, enum scan_result st)
{
	struct khugepaged_state *k = m->khugepaged;
	size_t i;
	int n = 0;

	for (i = 0; i < k->nr_records; i++)
		n += k->records[i].order == order && k->records[i].status == st;
	return n;
}

static uint64_t stat(struct fsim_machine *m, int order,
		     enum mthp_collapse_stat s)
{
	return m->khugepaged->mthp_stat[order][s];
}

static bool test_allowed_none(void)
{
	int o;

	for (o = 2; o < HPAGE_PMD_ORDER; o++) {
		/* v19: 511 fills any range, anything else adds no page */
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V19, 511, o), ==,
			  (1 << o) - 1);
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V19, 0, o), ==, 0);
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V19, 300, o), ==, 0);
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V19, 510, o), ==, 0);
		/* v10: scaled; v11: scaled after a cap at 255 */
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V10, 300, o), ==,
			  300 >> (HPAGE_PMD_ORDER - o));
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V10, 511, o), ==,
			  (1 << o) - 1);
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V11, 300, o), ==,
			  255 >> (HPAGE_PMD_ORDER - o));
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V11, 100, o), ==,
			  100 >> (HPAGE_PMD_ORDER - o));
		CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_OFF, 300, o), ==, 300);
	}
	CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V10, 300, 8), ==, 150);
	CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V10, 300, 3), ==, 4);
	CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V11, 300, 8), ==, 127);
	CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V11, 300, 2), ==, 1);
	/* PMD order: max_ptes_none as it is, under every variant */
	CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V19, 300, 9), ==, 300);
	CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V10, 300, 9), ==, 300);
	CHECK_INT(mthp_allowed_none(MTHP_COLLAPSE_V11, 300, 9), ==, 300);
	return true;
}

/* Orders 0 and 1 are never collapse targets; without the modifier only PMD */
static bool test_possible_orders(void)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(MTHP, 1, ORDER_BITS(2, 9), "511", &p);
	struct fsim_machine *plain;

	CHECK(m);
	CHECK_INT(collapse_possible_orders(m, &p->vmas[0], true), ==,
		  ORDER_BITS(2, 9));
	/* MADV_COLLAPSE: PMD only */
	CHECK_INT(collapse_possible_orders(m, &p->vmas[0], false), ==,
		  1UL << HPAGE_PMD_ORDER);
	fsim_free(m);
	plain = setup("v6.18", 1, ORDER_BITS(2, 9), "511", &p);
	CHECK(plain);
	CHECK_INT(collapse_possible_orders(plain, &p->vmas[0], true), ==,
		  1UL << HPAGE_PMD_ORDER);
	fsim_free(plain);
	return true;
}

/* 3 pages, only 16K enabled, max_ptes_none 511: one order-2 folio. */
static bool test_lowest_order(void)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(MTHP, 3, ORDER_BITS(2, 2), "511", &p);

	CHECK(m);
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK_INT(order_at(m, p, 0), ==, 2);
	CHECK_INT(order_at(m, p, 3), ==, 2);	/* the empty slot filled */
	CHECK_INT(order_at(m, p, 4), ==, -1);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 4);
	CHECK(tm_read(m, p, TM_BASE, 4));
	return tm_done(m);
}

/*
 * max_ptes_none 0, every size: [0,16) and [64,128) full, [32,36) full.
 * The walk makes an order-4 folio at 0, order 2 at 32, order 6 at 64.
 */
static bool test_linear_walk(void)
{
	struct fsim_machine *m = tm_new(MTHP);
	struct mm_struct *p = fsim_spawn(m);

	CHECK(p);
	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(tm_write(m, p, TM_BASE, 16));	/* order-0 faults */
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(32), 4));
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(64), 64));
	CHECK(!fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	CHECK(sizes(m, ORDER_BITS(2, 9)) && set_none(m, "0"));
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK_INT(order_at(m, p, 0), ==, 4);
	CHECK_INT(order_at(m, p, 15), ==, 4);
	CHECK_INT(order_at(m, p, 32), ==, 2);
	CHECK_INT(order_at(m, p, 64), ==, 6);
	CHECK_INT(order_at(m, p, 127), ==, 6);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 84);
	/* vmstat counts PMD-order collapses only; the sizes their own */
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 0);
	CHECK_INT(attempts(m, 4, SCAN_SUCCEED), ==, 1);
	CHECK_INT(attempts(m, 2, SCAN_SUCCEED), ==, 1);
	CHECK_INT(attempts(m, 6, SCAN_SUCCEED), ==, 1);
	/*
	 * Every later pass allocates again for each mTHP already there and
	 * gives the folio back when isolation finds it (wasted work).
	 */
	CHECK_INT(attempts(m, 4, SCAN_PTE_MAPPED_HUGEPAGE), >=, 1);
	CHECK_INT(stat(m, 4, MTHP_STAT_COLLAPSE_ALLOC), ==,
		  1 + attempts(m, 4, SCAN_PTE_MAPPED_HUGEPAGE));
	CHECK(tm_read(m, p, TM_BASE, 16));
	return tm_done(m);
}

/*
 * Allocation failures: each lower enabled order at the same offset is
 * tried, then the walk moves on by the smallest order tried.
 */
static bool test_alloc_fallback(void)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(MTHP, 16, ORDER_BITS(2, 9), "0", &p);

	CHECK(m);
	khugepaged_force(m, KH_ALLOC, KH_FORCE_TRUE);
	khugepaged_do_scan(m);
	/* 4 at 0; 3 at 0 and 8; 2 at 0, 4, 8, 12 */
	CHECK_INT(stat(m, 4, MTHP_STAT_COLLAPSE_ALLOC_FAILED), ==, 1);
	CHECK_INT(stat(m, 3, MTHP_STAT_COLLAPSE_ALLOC_FAILED), ==, 2);
	CHECK_INT(stat(m, 2, MTHP_STAT_COLLAPSE_ALLOC_FAILED), ==, 4);
	CHECK_INT(attempts(m, 2, SCAN_ALLOC_HUGE_PAGE_FAIL), ==, 4);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC_FAILED], ==, 0);
	CHECK_INT(order_at(m, p, 0), ==, 0);
	return tm_done(m);
}

/* A disabled size is skipped: with 32K off, [0,8) becomes two 16K folios */
static bool test_disabled_order(void)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(MTHP, 8, ORDER_BITS(2, 9) & ~(1UL << 3),
				       "0", &p);

	CHECK(m);
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK_INT(order_at(m, p, 0), ==, 2);
	CHECK_INT(order_at(m, p, 4), ==, 2);
	CHECK(tm_folio(m, p, TM_BASE) != tm_folio(m, p, TM_BASE + TM_PAGE(4)));
	CHECK_INT(stat(m, 3, MTHP_STAT_COLLAPSE_ALLOC), ==, 0);
	return tm_done(m);
}

/* An order-4 mTHP from a fault is not collapsed again at order 4 or less */
static bool test_existing_folio(void)
{
	struct fsim_machine *m = tm_new(MTHP);
	struct mm_struct *p = fsim_spawn(m);
	struct folio *before;

	CHECK(p);
	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(!fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	CHECK(sizes(m, ORDER_BITS(2, 4)));
	CHECK(set_none(m, "0"));
	CHECK(tm_write(m, p, TM_BASE, 16));
	/* the mTHP fault does not register the mm: the advice again does */
	CHECK(!fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	before = tm_folio(m, p, TM_BASE);
	CHECK_INT(order_at(m, p, 0), ==, 4);
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK(tm_folio(m, p, TM_BASE) == before);
	CHECK_INT(attempts(m, 4, SCAN_PTE_MAPPED_HUGEPAGE), >=, 1);
	CHECK_INT(attempts(m, 4, SCAN_SUCCEED), ==, 0);
	CHECK_INT(attempts(m, 3, SCAN_SUCCEED) + attempts(m, 2, SCAN_SUCCEED),
		  ==, 0);
	return tm_done(m);
}

/*
 * A page shared with a child fails every range holding it below PMD
 * order, however large max_ptes_shared is.
 */
static bool test_shared_fails_below_pmd(void)
{
	struct mm_struct *p, *c;
	struct fsim_machine *m = setup(MTHP, 8, ORDER_BITS(2, 8), "0", &p);

	CHECK(m);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_shared", "511"));
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_write(m, c, TM_BASE, 4));	/* [4,8) stays shared */
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK_INT(order_at(m, p, 0), ==, 2);	/* parent's own [0,4) */
	CHECK_INT(order_at(m, p, 4), ==, 0);
	CHECK_INT(attempts(m, 3, SCAN_EXCEED_SHARED_PTE), >=, 1);
	CHECK_INT(attempts(m, 2, SCAN_EXCEED_SHARED_PTE), >=, 1);
	CHECK_INT(stat(m, 3, MTHP_STAT_COLLAPSE_EXCEED_SHARED), >=, 1);
	CHECK_INT(m->ev[THP_SCAN_EXCEED_SHARE_PTE], ==, 0);
	CHECK(tm_read(m, p, TM_BASE, 8));
	CHECK(tm_read(m, c, TM_BASE, 8));
	return tm_done(m);
}

/* A swap entry fails its ranges below PMD order; it is not swapped in. */
static bool test_swap_fails_below_pmd(void)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(MTHP, 300, ORDER_BITS(2, 3), "511", &p);

	CHECK(m);
	CHECK(!tm_pageout(m, p, TM_BASE + TM_PAGE(2), 1));
	CHECK_INT(tm_info(m, p, TM_BASE + TM_PAGE(2)).state, ==, FSIM_PAGE_SWAP);
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK_INT(tm_info(m, p, TM_BASE + TM_PAGE(2)).state, ==, FSIM_PAGE_SWAP);
	CHECK_INT(order_at(m, p, 0), ==, 0);
	CHECK_INT(order_at(m, p, 4), ==, 2);
	CHECK_INT(order_at(m, p, 8), ==, 3);
	CHECK_INT(order_at(m, p, 296), ==, 3);	/* 4 empty slots filled */
	/* tried again at every pass until the fixpoint */
	CHECK_INT(attempts(m, 3, SCAN_EXCEED_SWAP_PTE), >=, 1);
	CHECK_INT(attempts(m, 2, SCAN_EXCEED_SWAP_PTE), >=, 1);
	CHECK_INT(m->ev[PSWPIN], ==, 0);
	CHECK(tm_read(m, p, TM_BASE, 300));
	return tm_done(m);
}

/* MADV_COLLAPSE of one page still makes a PMD THP under the modifier. */
static bool test_madvise_collapse_pmd_only(void)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(MTHP, 1, ORDER_BITS(2, 9), "0", &p);

	CHECK(m);
	CHECK_INT(fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_COLLAPSE),
		  ==, 0);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 1);
	CHECK_INT(attempts(m, 2, SCAN_SUCCEED), ==, 0);
	return tm_done(m);
}

/*
 * Plain v6.18 ignores the mTHP sizes: with only 16K enabled khugepaged
 * does not run at all; the modifier runs it.
 */
static bool __test_mthp_only(const char *profile, bool runs)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(profile, 4, ORDER_BITS(2, 2), "0", &p);

	CHECK(m);
	CHECK(fsim_khugepaged_thread(m) == runs);
	fsim_khugepaged(m, 1);
	CHECK_INT(order_at(m, p, 0), ==, runs ? 2 : 0);
	return tm_done(m);
}

/*
 * The creep: 4 pages, every size, max_ptes_none 300.  v10 grows the
 * folio one order per pass (3, 4, ... 8, then the PMD); v11 and v19 stop
 * at order 2; v6.18 collapses nothing.
 */
static bool __test_creep(const char *profile, const char *none,
			 int final_order, long rss)
{
	struct mm_struct *p;
	struct fsim_machine *m = setup(profile, 4, ORDER_BITS(2, 9), none,
				       &p);
	int o;

	CHECK(m);
	fsim_khugepaged(m, 1);
	if (final_order == HPAGE_PMD_ORDER)
		CHECK(tm_pmd_mapped(p, TM_BASE));
	else
		CHECK_INT(order_at(m, p, 0), ==, final_order);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, rss);
	if (!strcmp(none, "300") && final_order == HPAGE_PMD_ORDER)
		for (o = 3; o < HPAGE_PMD_ORDER; o++)
			CHECK_INT(attempts(m, o, SCAN_SUCCEED), ==, 1);
	CHECK(tm_read(m, p, TM_BASE, 4));
	return tm_done(m);
}

int main(void)
{
	TEST(test_allowed_none(),
	     "allowed_none per order: v19 0|2^k-1, v10 scaled, v11 capped");
	TEST(test_possible_orders(),
	     "collapse orders 2..PMD for khugepaged, PMD for MADV_COLLAPSE");
	TEST(test_lowest_order(), "lowest order 2: 3 pages become 16K");
	TEST(test_linear_walk(),
	     "forward walk: order 4 at 0, order 2 at 32, order 6 at 64");
	TEST(test_alloc_fallback(),
	     "allocation failure falls back to each lower order in place");
	TEST(test_disabled_order(), "a disabled size is skipped");
	TEST(test_existing_folio(), "an existing order-4 mTHP is left alone");
	TEST(test_shared_fails_below_pmd(),
	     "a shared PTE fails its ranges below PMD order");
	TEST(test_swap_fails_below_pmd(),
	     "a swap PTE fails its ranges below PMD order, no swap-in");
	TEST(test_madvise_collapse_pmd_only(),
	     "MADV_COLLAPSE stays PMD-only under +mthp_collapse");
	TEST(__test_mthp_only("v6.18", false),
	     "v6.18 with only 16K enabled: khugepaged does not run");
	TEST(__test_mthp_only("v6.18+mthp_collapse", true),
	     "v6.18+mthp_collapse with only 16K enabled: 16K collapse");
	TEST(__test_creep("v6.18", "300", 0, 4),
	     "creep, max_ptes_none 300: v6.18 collapses nothing");
	TEST(__test_creep("v6.18+mthp_collapse", "300", 2, 4),
	     "creep, max_ptes_none 300: v19 stops at order 2");
	TEST(__test_creep("v6.18+mthp_collapse_v11", "300", 2, 4),
	     "creep, max_ptes_none 300: v11 stops at order 2");
	TEST(__test_creep("v6.18+mthp_collapse_v10", "300", 9, 512),
	     "creep, max_ptes_none 300: v10 grows to a PMD THP");
	TEST(__test_creep("v6.18+mthp_collapse_v10", "0", 2, 4),
	     "creep, max_ptes_none 0: v10 stops at order 2");
	TEST(__test_creep("v6.18+mthp_collapse_v10", "511", 9, 512),
	     "max_ptes_none 511: v10 makes the PMD THP at once");
	TEST(__test_creep("v6.18+mthp_collapse", "511", 9, 512),
	     "max_ptes_none 511: v19 makes the PMD THP at once");
	return tap_done();
}
