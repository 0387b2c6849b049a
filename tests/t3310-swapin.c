// SPDX-License-Identifier: GPL-2.0-only
/*
 * Swap-out and swap-in as 6.18 does them on zram: zero-filled folios go
 * to the zeromap (swpout_zero, swpin_zero) instead of the device; an
 * entry with swap count 1 is swapped in as large as alloc_swap_folio()
 * allows (the largest enabled mTHP order whose aligned range passes
 * can_swapin_thp()); shared entries are read through the swap cache with
 * VMA readahead.  Every test reads the contents back and runs the checker.
 */
#include "lib/tm.h"
#include "model/swap.h"

#define BASE TM_BASE
#define NR16 16		/* pages of a 64K mTHP */

static bool write_zero(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long addr, long n)
{
	long i;

	for (i = 0; i < n; i++)
		CHECK(!fsim_write(m, mm, addr + TM_PAGE(i), 0));
	return true;
}

static uint32_t slot(struct fsim_machine *m, struct mm_struct *mm, long i)
{
	return tm_info(m, mm, BASE + TM_PAGE(i)).swap_offset;
}

/*
 * Zero-filled small pages are noted in the zeromap, not written; reading
 * them back fills zeroes.  The others are written and read as before.
 */
static bool test_zeromap_small(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, PMD_SIZE, false);

	CHECK(p);
	CHECK(write_zero(m, p, BASE, 8));
	CHECK(tm_write(m, p, BASE + TM_PAGE(8), 8));
	CHECK_INT(tm_pageout(m, p, BASE, 16), ==, 0);
	CHECK_INT(m->ev[SWPOUT_ZERO], ==, 8);
	CHECK_INT(m->ev[PSWPOUT], ==, 8);
	CHECK_INT(m->swap.zeromap[slot(m, p, 3)], ==, 1);
	CHECK_INT(m->swap.zeromap[slot(m, p, 12)], ==, 0);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, 16));
	CHECK_INT(m->ev[SWPIN_ZERO], ==, 8);
	CHECK_INT(m->ev[PSWPIN], ==, 8);
	CHECK_INT(m->swap.nr_used, ==, 0);
	return tm_done(m);
}

/* A zero-filled PMD THP goes out whole with neither thp_swpout nor I/O. */
static bool test_zeromap_thp(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, PMD_SIZE, true);
	long i;

	CHECK(p);
	CHECK(write_zero(m, p, BASE, HPAGE_PMD_NR));
	CHECK(tm_pmd_mapped(p, BASE));
	CHECK_INT(tm_pageout(m, p, BASE, HPAGE_PMD_NR), ==, 0);
	CHECK_INT(m->ev[SWPOUT_ZERO], ==, HPAGE_PMD_NR);
	CHECK_INT(m->ev[PSWPOUT], ==, 0);
	CHECK_INT(m->ev[THP_SWPOUT], ==, 0);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 0);
	for (i = 0; i < HPAGE_PMD_NR; i++)
		CHECK_INT(m->swap.zeromap[slot(m, p, i)], ==, 1);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK_INT(m->ev[SWPIN_ZERO], ==, HPAGE_PMD_NR);
	CHECK_INT(tm_info(m, p, BASE).order, ==, 0);	/* no PMD swap-in */
	return tm_done(m);
}

/* One written page makes a large folio non-zero: all of it is written. */
static bool test_zeromap_partly_zero(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p;
	long i;

	CHECK(!fsim_set(m, "hugepages-64kB/enabled", "always"));
	p = tm_process(m, BASE, PMD_SIZE, false);
	CHECK(p);
	CHECK(write_zero(m, p, BASE, NR16));
	CHECK(tm_write(m, p, BASE + TM_PAGE(5), 1));
	CHECK_INT(tm_info(m, p, BASE).order, ==, 4);
	CHECK_INT(tm_pageout(m, p, BASE, NR16), ==, 0);
	CHECK_INT(m->ev[SWPOUT_ZERO], ==, 0);
	CHECK_INT(m->ev[PSWPOUT], ==, NR16);
	for (i = 0; i < NR16; i++)
		CHECK_INT(m->swap.zeromap[slot(m, p, i)], ==, 0);
	CHECK(tm_read(m, p, BASE + TM_PAGE(2), 1));
	CHECK_INT(tm_info(m, p, BASE).order, ==, 4);	/* swapped in whole */
	CHECK_INT(m->ev[PSWPIN], ==, NR16);
	CHECK(tm_read(m, p, BASE, NR16));
	return tm_done(m);
}

/*
 * mTHP swap-in: an exclusive 64K range comes back as one exclusive,
 * writable 64K folio; with the order disabled, as small pages.
 */
static bool test_mthp_swapin(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_mthp_process(m, HPAGE_PMD_NR);
	struct fsim_page_info pi;
	long i;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, HPAGE_PMD_NR), ==, 0);
	CHECK_INT(slot(m, p, 0) % NR16, ==, 0);
	CHECK(tm_read(m, p, BASE + TM_PAGE(7), 1));
	CHECK_INT(m->ev[PSWPIN], ==, NR16);
	for (i = 0; i < NR16; i++) {
		pi = tm_info(m, p, BASE + TM_PAGE(i));
		CHECK_INT(pi.state, ==, FSIM_PAGE_PRESENT);
		CHECK_INT(pi.order, ==, 4);
		CHECK(pi.anon_exclusive && pi.writable);
	}
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(NR16)).state, ==,
		  FSIM_PAGE_SWAP);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, NR16);
	CHECK_INT(m->swap.nr_used, ==, HPAGE_PMD_NR - NR16);
	CHECK(tm_check(m));
	CHECK(!fsim_set(m, "hugepages-64kB/enabled", "never"));
	CHECK(tm_read(m, p, BASE + TM_PAGE(NR16), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(NR16)).order, ==, 0);
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(NR16 + 1)).state, ==,
		  FSIM_PAGE_SWAP);
	CHECK(!fsim_set(m, "hugepages-32kB/enabled", "always"));
	CHECK(tm_read(m, p, BASE + TM_PAGE(2 * NR16 + 9), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(2 * NR16 + 9)).order, ==, 3);
	CHECK_INT(tm_count_state(m, p, BASE + TM_PAGE(2 * NR16), NR16,
				 FSIM_PAGE_PRESENT), ==, 8);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * can_swapin_thp() refuses a range whose entries differ in the exclusive
 * bit or in the zeromap, or that has a slot in the swap cache: the fault
 * then swaps in one page.
 */
static bool test_mthp_swapin_refused(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_mthp_process(m, HPAGE_PMD_NR);
	pte_t *ptep;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, 3 * NR16), ==, 0);
	ptep = pte_lookup(p, BASE + TM_PAGE(5));
	CHECK(ptep && pte_swp_exclusive(*ptep));
	*ptep &= ~_PTE_SWP_EXCLUSIVE;		/* as a fork would leave it */
	m->swap.zeromap[slot(m, p, NR16 + 5)] = 1;
	m->swap.content[slot(m, p, NR16 + 5)] = 0;
	ptep = pte_lookup(p, BASE + TM_PAGE(NR16 + 5));
	*ptep = pte_set_expected(*ptep, 0);	/* it holds zeroes now */
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, 1));
	CHECK_INT(tm_info(m, p, BASE).order, ==, 0);
	CHECK(tm_read(m, p, BASE + TM_PAGE(NR16), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(NR16)).order, ==, 0);
	CHECK_INT(m->ev[SWPIN_ZERO], ==, 0);
	CHECK(tm_read(m, p, BASE + TM_PAGE(NR16 + 5), 1));
	CHECK_INT(m->ev[SWPIN_ZERO], ==, 1);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/* Entries shared after fork are read through the swap cache, order 0. */
static bool test_mthp_swapin_shared(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_mthp_process(m, HPAGE_PMD_NR), *c;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, HPAGE_PMD_NR), ==, 0);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_read(m, p, BASE + TM_PAGE(100), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(100)).order, ==, 0);
	CHECK(folio_test(tm_folio(m, p, BASE + TM_PAGE(100)), PG_swapcache));
	CHECK(!fsim_exit(m, c));
	/* count 1 again, but the readahead left slots of 96..111 cached */
	CHECK(tm_read(m, p, BASE + TM_PAGE(110), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(110)).order, ==, 0);
	CHECK(tm_read(m, p, BASE + TM_PAGE(130), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(130)).order, ==, 4);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * VMA readahead: a fresh VMA counts as 4 hits, so the first shared fault
 * reads a centred window of 8; hits on read-ahead pages are counted; a
 * fault next to the last one reads forwards.
 */
static bool test_readahead(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, PMD_SIZE, false), *c;
	struct vm_area_struct *vma;
	long i;

	CHECK(p && tm_write(m, p, BASE, HPAGE_PMD_NR));
	CHECK_INT(tm_pageout(m, p, BASE, HPAGE_PMD_NR), ==, 0);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_read(m, p, BASE + TM_PAGE(100), 1));
	CHECK_INT(m->ev[PSWPIN], ==, 8);
	CHECK_INT(m->ev[SWAP_RA], ==, 7);
	for (i = 97; i < 105; i++)
		CHECK(m->swap.cache[slot(m, c, i)] != NO_PFN);
	CHECK(m->swap.cache[slot(m, c, 96)] == NO_PFN);
	CHECK(m->swap.cache[slot(m, c, 105)] == NO_PFN);
	vma = vma_lookup(p, BASE);
	CHECK_INT(vma->swap_ra_win, ==, 8);
	CHECK(tm_read(m, p, BASE + TM_PAGE(101), 2));
	CHECK_INT(m->ev[SWAP_RA_HIT], ==, 2);
	CHECK_INT(vma->swap_ra_hits, ==, 2);
	CHECK_INT(m->ev[PSWPIN], ==, 8);
	CHECK(tm_read(m, p, BASE + TM_PAGE(103), 3));	/* 105: forwards */
	CHECK(m->swap.cache[slot(m, c, 108)] != NO_PFN);
	CHECK(tm_check(m));
	CHECK(tm_read(m, c, BASE, HPAGE_PMD_NR));
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK_INT(m->ev[PSWPIN], ==, HPAGE_PMD_NR);
	return tm_done(m);
}

/*
 * A VMA merge keeps the neighbour that grows: when a changed VMA merges
 * only with the next one (mprotect back over the lower part, an mmap
 * right below), the merged VMA has the next one's readahead window and
 * hits, not the changed VMA's fresh state (4 hits: a window of 8).
 */
static bool test_readahead_merge_keeps_next(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, PMD_SIZE, false), *c;
	struct vm_area_struct *vma;

	CHECK(p && tm_write(m, p, BASE, HPAGE_PMD_NR));
	CHECK_INT(tm_pageout(m, p, BASE, HPAGE_PMD_NR), ==, 0);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(!fsim_mprotect(m, p, BASE, TM_PAGE(256), false));
	CHECK(tm_read(m, p, BASE + TM_PAGE(300), 2));	/* window 8, 1 hit */
	CHECK(!fsim_mprotect(m, p, BASE, TM_PAGE(256), true));
	vma = vma_lookup(p, BASE);
	CHECK(vma && vma->vm_end == BASE + PMD_SIZE);
	CHECK_INT(vma->swap_ra_addr, ==, BASE + TM_PAGE(301));
	CHECK_INT(vma->swap_ra_hits, ==, 1);
	CHECK(tm_read(m, p, BASE + TM_PAGE(100), 1));	/* 1 hit: 4 pages */
	CHECK_INT(m->ev[PSWPIN], ==, 12);
	/* merging with the previous VMA keeps the previous one's state */
	CHECK(!fsim_mprotect(m, p, BASE + TM_PAGE(256), TM_PAGE(256), false));
	CHECK(tm_read(m, p, BASE + TM_PAGE(400), 1));
	CHECK(!fsim_mprotect(m, p, BASE + TM_PAGE(256), TM_PAGE(256), true));
	CHECK_INT(vma_lookup(p, BASE)->swap_ra_addr, ==, BASE + TM_PAGE(100));
	CHECK(tm_read(m, c, BASE, HPAGE_PMD_NR));
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * Slot clusters: small folios take consecutive slots from 1 in the
 * header's cluster, 64K mTHPs aligned slots in a cluster of their own,
 * a PMD THP a free cluster; a cluster whose slots are all freed is free
 * again, and the order whose current cluster it was starts it over from
 * its first slot (swap_alloc_fast() on an empty cluster).
 */
static bool test_slot_clusters(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_mthp_process(m, HPAGE_PMD_NR);
	unsigned long small = BASE + 2 * PMD_SIZE;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, 2 * NR16), ==, 0);	/* 2 x 64K */
	CHECK_INT(slot(m, p, 0), ==, HPAGE_PMD_NR);
	CHECK_INT(slot(m, p, NR16), ==, HPAGE_PMD_NR + NR16);
	CHECK(!fsim_set(m, "hugepages-64kB/enabled", "never"));
	CHECK(!fsim_mmap(m, p, small, PMD_SIZE));
	CHECK(tm_write(m, p, small, 3));
	CHECK_INT(tm_pageout(m, p, small, 3), ==, 0);
	CHECK_INT(tm_info(m, p, small).swap_offset, ==, 1);
	CHECK_INT(tm_info(m, p, small + TM_PAGE(2)).swap_offset, ==, 3);
	CHECK_INT(m->swap.cl_order[1], ==, 4);
	CHECK(tm_read(m, p, BASE, 2 * NR16));		/* cluster 1 empties */
	CHECK_INT(m->swap.cl_order[1], ==, -1);
	CHECK(tm_write(m, p, small + TM_PAGE(3), 1));
	CHECK_INT(tm_pageout(m, p, small + TM_PAGE(3), 1), ==, 0);
	CHECK_INT(tm_info(m, p, small + TM_PAGE(3)).swap_offset, ==, 4);
	CHECK_INT(tm_pageout(m, p, BASE + TM_PAGE(2 * NR16), NR16), ==, 0);
	CHECK_INT(slot(m, p, 2 * NR16), ==, HPAGE_PMD_NR);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK(tm_read(m, p, small, 4));
	return tm_done(m);
}

/*
 * Cluster lists: an order that needs a new cluster takes the head of its
 * nonfull list, where clusters queue in the order their first slot was
 * freed (a later free does not move them), before any free cluster.
 * Cluster 1 is freed into first, so it is the head though cluster 0 is
 * lower.
 */
static bool test_cluster_lists(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, 3 * PMD_SIZE, false);
	long s = HPAGE_PMD_NR, t = 2 * HPAGE_PMD_NR;

	CHECK(p);
	CHECK(tm_write(m, p, BASE, 3 * HPAGE_PMD_NR));
	CHECK_INT(tm_pageout(m, p, BASE, HPAGE_PMD_NR - 1), ==, 0);
	CHECK_INT(tm_pageout(m, p, BASE + TM_PAGE(s), HPAGE_PMD_NR), ==, 0);
	CHECK_INT(slot(m, p, s), ==, HPAGE_PMD_NR);	/* a free cluster */
	CHECK(tm_read(m, p, BASE + TM_PAGE(s + 16), NR16));	/* 528-543 */
	CHECK(tm_read(m, p, BASE + TM_PAGE(30), NR16));	/* 31-46 */
	CHECK(tm_read(m, p, BASE + TM_PAGE(s + 100), 1));	/* 612 */
	CHECK_INT(tm_pageout(m, p, BASE + TM_PAGE(t), NR16), ==, 0);
	CHECK_INT(slot(m, p, t), ==, HPAGE_PMD_NR + 16);
	/* on in the same cluster, past the used slots */
	CHECK_INT(tm_pageout(m, p, BASE + TM_PAGE(t + NR16), 2), ==, 0);
	CHECK_INT(slot(m, p, t + NR16), ==, HPAGE_PMD_NR + 100);
	CHECK_INT(slot(m, p, t + NR16 + 1), ==, 31);
	CHECK(tm_read(m, p, BASE, 3 * HPAGE_PMD_NR));
	return tm_done(m);
}

/* Before 6.12 zero folios are written; before 6.13 swap-in is order 0. */
static bool test_older_eras(void)
{
	struct fsim_machine *m = tm_new("v6.10");
	struct mm_struct *p = tm_mthp_process(m, HPAGE_PMD_NR);

	CHECK(p);
	CHECK(write_zero(m, p, BASE, NR16));
	CHECK_INT(tm_pageout(m, p, BASE, 2 * NR16), ==, 0);
	CHECK_INT(m->ev[SWPOUT_ZERO], ==, 0);
	CHECK_INT(m->ev[PSWPOUT], ==, 2 * NR16);
	CHECK(tm_read(m, p, BASE + TM_PAGE(NR16), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(NR16)).order, ==, 0);
	CHECK(tm_read(m, p, BASE, NR16));
	CHECK_INT(m->ev[SWPIN_ZERO], ==, 0);
	CHECK_INT(m->ev[PSWPIN], ==, NR16 + 1);
	return tm_done(m);
}

int main(void)
{
	TEST(test_zeromap_small(),
	     "zero-filled pages go to the zeromap (swpout_zero) and come back as zeroes (swpin_zero)");
	TEST(test_zeromap_thp(),
	     "a zero-filled THP is swapped out whole without thp_swpout or pswpout");
	TEST(test_zeromap_partly_zero(),
	     "a large folio with one written page is written whole, zeromap clear");
	TEST(test_mthp_swapin(),
	     "an exclusive 64K range swaps in as one 64K folio; falls back by enabled order");
	TEST(test_mthp_swapin_refused(),
	     "can_swapin_thp refuses mixed exclusive bits or zeromap: order 0");
	TEST(test_mthp_swapin_shared(),
	     "shared entries and ranges with cached slots swap in order 0");
	TEST(test_readahead(),
	     "VMA readahead: first window 8 centred, hits counted, forwards after a neighbour");
	TEST(test_readahead_merge_keeps_next(),
	     "a VMA merge keeps the growing neighbour's readahead state (next if only it merges)");
	TEST(test_slot_clusters(),
	     "swap slots: consecutive for small folios, a cluster per mTHP order");
	TEST(test_cluster_lists(),
	     "swap clusters: a new one is the head of the order's nonfull list, then a free one");
	TEST(test_older_eras(),
	     "v6.10 profile: zero folios are written, swap-in is order 0");
	return tap_done();
}
