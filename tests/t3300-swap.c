// SPDX-License-Identifier: GPL-2.0-only
/*
 * Swap as the khugepaged tests need it: MADV_PAGEOUT (present pages become
 * swap entries, a whole unshared THP is written whole, shared folios are
 * left alone, too little swap space splits the THP), swap-in on access
 * (contents and exclusivity come back), swap entries across fork, and the
 * collapse rules around swap (max_ptes_swap, the referenced >= 256 rule,
 * swap-in during the collapse).  Every round trip reads the contents back
 * and runs the invariant checker.
 */
#include <errno.h>

#include "lib/tm.h"
#include "model/khugepaged.h"

#define BASE TM_BASE
#define NR HPAGE_PMD_NR

/* A process with one PMD of 512 small written pages (no MADV_HUGEPAGE). */
static struct mm_struct *small_pages(struct fsim_machine *m)
{
	struct mm_struct *mm = tm_process(m, BASE, PMD_SIZE, false);

	return mm && tm_write(m, mm, BASE, NR) ? mm : NULL;
}

static long nr_swap(struct fsim_machine *m, struct mm_struct *mm)
{
	return tm_count_state(m, mm, BASE, NR, FSIM_PAGE_SWAP);
}

/*
 * Small pages: MADV_PAGEOUT makes 512 swap entries; reading them back
 * restores each page, exclusive and writable (the entries were exclusive),
 * and gives every swap slot back.
 */
static bool test_pageout_small(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = small_pages(m);
	struct fsim_page_info info;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(nr_swap(m, p), ==, NR);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 0);
	CHECK_INT(p->rss_stat[MM_SWAPENTS], ==, NR);
	CHECK_INT(m->ev[PSWPOUT], ==, NR);
	CHECK_INT(m->ev[THP_SWPOUT], ==, 0);
	CHECK_INT(m->swap.nr_used, ==, NR);
	CHECK_INT(fsim_anon_bytes(m), ==, 0);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK_INT(m->ev[PSWPIN], ==, NR);
	info = tm_info(m, p, BASE + TM_PAGE(7));
	CHECK_INT(info.state, ==, FSIM_PAGE_PRESENT);
	CHECK(info.anon_exclusive);
	CHECK(info.writable);
	CHECK_INT(m->swap.nr_used, ==, 0);
	CHECK_INT(p->rss_stat[MM_SWAPENTS], ==, 0);
	/* the write reuses the page: no copy */
	CHECK(tm_write(m, p, BASE + TM_PAGE(7), 1));
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(7)).pfn, ==, info.pfn);
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * A PMD-mapped, unshared THP is written to swap whole: 512 consecutive,
 * aligned slots, thp_swpout, no split of the folio.
 */
static bool test_pageout_thp_whole(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);
	uint32_t first;
	long i;

	CHECK(p && tm_pmd_mapped(p, BASE));
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(m->ev[THP_SWPOUT], ==, 1);
	CHECK_INT(m->ev[THP_SWPOUT_FALLBACK], ==, 0);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 0);
	CHECK_INT(m->ev[PSWPOUT], ==, NR);
	CHECK_INT(nr_swap(m, p), ==, NR);
	first = tm_info(m, p, BASE).swap_offset;
	CHECK_INT(first % NR, ==, 0);
	for (i = 0; i < NR; i++)
		CHECK_INT(tm_info(m, p, BASE + TM_PAGE(i)).swap_offset, ==,
			  first + (uint32_t)i);
	CHECK_INT(fsim_anon_bytes(m), ==, 0);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	/* swap-in is page by page (no mTHP order is enabled) */
	CHECK_INT(tm_info(m, p, BASE).order, ==, 0);
	CHECK_INT(m->swap.nr_used, ==, 0);
	return tm_done(m);
}

/*
 * MADV_PAGEOUT of part of a PMD-mapped THP splits the folio first, then
 * pages out only the pages in the range.
 */
static bool test_pageout_thp_part(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, 64), ==, 0);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(m->ev[THP_SWPOUT], ==, 0);
	CHECK_INT(nr_swap(m, p), ==, 64);
	CHECK_INT(tm_count_state(m, p, BASE, 64, FSIM_PAGE_SWAP), ==, 64);
	CHECK_INT(tm_info(m, p, BASE + TM_PAGE(64)).order, ==, 0);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * Folios that may be mapped by another mm are not paged out (6.15+:
 * folio_maybe_mapped_shared()); after the child exits they are.
 */
static bool test_pageout_shared_skipped(bool thp)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = thp ? tm_thp_process(m) : small_pages(m), *c;

	CHECK(p);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(tm_pageout(m, c, BASE, NR), ==, 0);
	CHECK_INT(nr_swap(m, p), ==, 0);
	CHECK_INT(nr_swap(m, c), ==, 0);
	CHECK_INT(m->ev[PSWPOUT], ==, 0);
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, thp);
	CHECK(tm_read(m, c, BASE, NR));
	CHECK(!fsim_exit(m, c));
	CHECK(tm_check(m));
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(nr_swap(m, p), ==, NR);
	CHECK_INT(m->ev[THP_SWPOUT], ==, thp);
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * Swap entries across fork: the child inherits them (each slot used
 * twice, neither entry exclusive any more); the first read brings the page
 * into the swap cache, the second maps the same page; both read their
 * contents.  The folios stay in the swap cache, clean, although no entry
 * is left (the swap space is far from full), until they are unmapped; a
 * write then copies.
 */
static bool test_swap_fork(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = small_pages(m), *c;
	struct fsim_page_info pi, ci;
	uint32_t off;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	off = tm_info(m, p, BASE).swap_offset;
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK_INT(nr_swap(m, c), ==, NR);
	CHECK_INT(tm_info(m, c, BASE).swap_offset, ==, off);
	CHECK_INT(m->swap.count[off], ==, 2);
	CHECK_INT(c->rss_stat[MM_SWAPENTS], ==, NR);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	pi = tm_info(m, p, BASE);
	CHECK(!pi.anon_exclusive);
	CHECK(!pi.writable);
	CHECK(folio_test(tm_folio(m, p, BASE), PG_swapcache));
	CHECK_INT(m->swap.count[off], ==, 1);
	CHECK(tm_check(m));
	CHECK(tm_read(m, c, BASE, NR));
	ci = tm_info(m, c, BASE);
	CHECK_INT(ci.pfn, ==, pi.pfn);
	CHECK_INT(ci.mapcount, ==, 2);
	/* no entry is left, but the mapped folio stays cached, clean */
	CHECK_INT(m->swap.count[off], ==, 0);
	CHECK(folio_test(tm_folio(m, c, BASE), PG_swapcache));
	CHECK_INT(m->swap.nr_used, ==, NR);
	CHECK_INT(m->ev[PSWPIN], ==, NR);
	CHECK(tm_write(m, c, BASE, 1));
	CHECK(tm_info(m, c, BASE).pfn != pi.pfn);
	CHECK(folio_test(tm_folio(m, p, BASE), PG_swapcache));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK(tm_read(m, c, BASE, NR));
	CHECK(!fsim_exit(m, c));
	CHECK_INT(m->swap.nr_used, ==, NR);	/* p still maps them */
	CHECK(!fsim_madvise(m, p, BASE + PAGE_SIZE, TM_PAGE(NR - 1),
			    FSIM_MADV_DONTNEED));
	CHECK_INT(m->swap.nr_used, ==, 1);	/* the unmapped ones left */
	return tm_done(m);
}

/*
 * Too little swap for a whole THP (1 MiB: 255 usable slots, slot 0 is the
 * header): the THP is split (thp_swpout_fallback) and its pages go out one
 * by one until swap is full; the rest stay in memory.
 */
static bool test_pageout_fallback(void)
{
	struct fsim_machine *m = tm_new_sized(NULL, 64UL << 20, 1UL << 20);
	struct mm_struct *p = tm_thp_process(m);
	long slots = (long)m->swap.nr_slots - 1;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(m->ev[THP_SWPOUT], ==, 0);
	CHECK_INT(m->ev[THP_SWPOUT_FALLBACK], ==, 1);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(nr_swap(m, p), ==, slots);
	CHECK_INT(tm_count_state(m, p, BASE, NR, FSIM_PAGE_PRESENT), ==,
		  NR - slots);
	CHECK_INT(m->ev[PSWPOUT], ==, slots);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * Which pages a THP split for lack of swap leaves in memory: reclaim does
 * the first piece, then takes the others from the tail of its folio list.
 * Since 6.15 the split appends them in address order, so the last pages
 * go out first and the pages after the first one stay (the live kernel
 * keeps page 1 when one slot is missing); before, the last pages stay.
 */
static bool test_pageout_fallback_order(const char *profile)
{
	struct fsim_machine *m = tm_new_sized(profile, 64UL << 20, 1UL << 20);
	struct mm_struct *p = tm_thp_process(m);
	long slots = (long)m->swap.nr_slots - 1, i;
	bool in_order = m->profile->split_list_in_order;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(tm_info(m, p, BASE).state, ==, FSIM_PAGE_SWAP);
	for (i = 1; i < NR; i++) {
		bool out = in_order ? i >= NR - (slots - 1) : i < slots;

		CHECK_INT(tm_info(m, p, BASE + TM_PAGE(i)).state, ==,
			  out ? FSIM_PAGE_SWAP : FSIM_PAGE_PRESENT);
	}
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * max_ptes_swap: @swapped pages paged out; with the limit at @limit,
 * khugepaged collapses iff swapped <= limit (exceed_swap_pte otherwise),
 * and MADV_COLLAPSE always does.
 */
static bool test_max_ptes_swap(int limit, int swapped)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = small_pages(m), *q = small_pages(m);
	const struct kh_scan_record *r;
	char buf[16];
	bool collapses = swapped <= limit;

	CHECK(p && q);
	snprintf(buf, sizeof(buf), "%d", limit);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_swap", buf));
	CHECK_INT(tm_pageout(m, p, BASE, swapped), ==, 0);
	CHECK_INT(tm_pageout(m, q, BASE, swapped), ==, 0);
	CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	fsim_khugepaged(m, 1);
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, collapses);
	if (!collapses) {
		r = tm_last_record(m, p, BASE);
		CHECK(r);
		CHECK_INT(r->status, ==, SCAN_EXCEED_SWAP_PTE);
		CHECK_INT(r->unmapped, ==, limit + 1);
		CHECK(m->ev[THP_SCAN_EXCEED_SWAP_PTE] > 0);
		CHECK_INT(nr_swap(m, p), ==, swapped);
	}
	CHECK_INT(fsim_madvise(m, q, BASE, PMD_SIZE, FSIM_MADV_COLLAPSE), ==,
		  0);
	CHECK(tm_pmd_mapped(q, BASE));
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK(tm_read(m, q, BASE, NR));
	return tm_done(m);
}

/*
 * With a swap entry in the range khugepaged needs 256 referenced PTEs
 * (measured on this kernel: 255 refuse, 256 collapse).  MADV_COLD clears
 * every young bit, then @young pages are read again.
 */
static bool test_swap_referenced(int young)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = small_pages(m);
	const struct kh_scan_record *r;
	bool collapses = young >= NR / 2;

	CHECK(p);
	CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_COLD));
	CHECK(tm_read(m, p, BASE, young));
	CHECK_INT(tm_pageout(m, p, BASE + TM_PAGE(NR - 1), 1), ==, 0);
	CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	fsim_khugepaged(m, 1);
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, collapses);
	if (!collapses) {
		r = tm_last_record(m, p, BASE);
		CHECK(r);
		CHECK_INT(r->status, ==, SCAN_LACK_REFERENCED_PAGE);
		CHECK_INT(r->referenced, ==, young);
		CHECK_INT(r->unmapped, ==, 1);
	}
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * Swap-in during the collapse: khugepaged with 64 swap entries faults
 * them in (pswpin 64), the slots are released, RSS is 512 and no swap
 * entry is left.
 */
static bool test_collapse_swapin(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = small_pages(m);

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, 64), ==, 0);
	CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	fsim_khugepaged(m, 1);
	CHECK(tm_pmd_mapped(p, BASE));
	CHECK_INT(m->ev[PSWPIN], ==, 64);
	CHECK_INT(m->swap.nr_used, ==, 0);
	CHECK_INT(p->rss_stat[MM_SWAPENTS], ==, 0);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, NR);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * Swap entries shared with a child: the parent's MADV_COLLAPSE swaps the
 * pages in through the swap cache and copies them; the cache keeps them
 * for the child, whose reads map them; they stay cached until it exits.
 */
static bool test_collapse_swap_shared(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = small_pages(m), *c;

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, 32), ==, 0);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_write(m, p, BASE + TM_PAGE(32), NR - 32));	/* unshare */
	CHECK_INT(fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_COLLAPSE), ==,
		  0);
	CHECK(tm_pmd_mapped(p, BASE));
	CHECK_INT(m->swap.nr_used, ==, 32);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK_INT(nr_swap(m, c), ==, 32);
	CHECK(tm_read(m, c, BASE, NR));
	CHECK_INT(m->swap.nr_used, ==, 32);	/* mapped: kept in the cache */
	CHECK_INT(m->ev[PSWPIN], ==, 32);	/* the child hit the cache */
	CHECK(!fsim_exit(m, c));
	CHECK_INT(m->swap.nr_used, ==, 0);
	return tm_done(m);
}

/*
 * Round trips: small pages out, collapse (swapping in), the THP out
 * whole, half of it read back, collapse again, out again, all read back.
 */
static bool test_round_trips(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = small_pages(m);

	CHECK(p);
	CHECK_INT(tm_pageout(m, p, BASE, 100), ==, 0);
	CHECK_INT(fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_COLLAPSE), ==,
		  0);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(m->ev[THP_SWPOUT], ==, 1);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR / 2));
	CHECK(tm_write(m, p, BASE + TM_PAGE(3), 1));
	CHECK_INT(fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_COLLAPSE), ==,
		  0);
	CHECK(tm_check(m));
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(m->ev[THP_SWPOUT], ==, 2);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK_INT(m->swap.nr_used, ==, 0);
	return tm_done(m);
}

int main(void)
{
	TEST(test_pageout_small(),
	     "MADV_PAGEOUT swaps out small pages; reads bring them back exclusive");
	TEST(test_pageout_thp_whole(),
	     "MADV_PAGEOUT writes an unshared THP whole to 512 aligned slots");
	TEST(test_pageout_thp_part(),
	     "MADV_PAGEOUT of 64 pages of a THP splits it and swaps out 64");
	TEST(test_pageout_shared_skipped(false),
	     "MADV_PAGEOUT leaves fork-shared small pages alone until the child exits");
	TEST(test_pageout_shared_skipped(true),
	     "MADV_PAGEOUT leaves a fork-shared THP alone until the child exits");
	TEST(test_swap_fork(),
	     "a child inherits swap entries; both read them back through the swap cache");
	TEST(test_pageout_fallback(),
	     "with too little swap a THP is split (thp_swpout_fallback) and swapped in part");
	TEST(test_pageout_fallback_order("v6.18"),
	     "6.15+: after the first piece, reclaim writes the split THP's last pages first");
	TEST(test_pageout_fallback_order("v6.10"),
	     "before 6.15: the split THP's pages are written in address order");
	TEST(test_max_ptes_swap(64, 64),
	     "max_ptes_swap=64: 64 swap entries collapse");
	TEST(test_max_ptes_swap(64, 65),
	     "max_ptes_swap=64: 65 swap entries refuse (exceed_swap_pte), MADV_COLLAPSE collapses");
	TEST(test_max_ptes_swap(0, 1),
	     "max_ptes_swap=0: one swap entry refuses, MADV_COLLAPSE collapses");
	TEST(test_swap_referenced(255),
	     "with a swap entry, 255 referenced PTEs refuse (lack_referenced_page)");
	TEST(test_swap_referenced(256),
	     "with a swap entry, 256 referenced PTEs collapse");
	TEST(test_collapse_swapin(),
	     "khugepaged swaps 64 entries in during the collapse and frees their slots");
	TEST(test_collapse_swap_shared(),
	     "MADV_COLLAPSE of swap entries shared with a child leaves them cached for it");
	TEST(test_round_trips(),
	     "contents survive pageout, collapse, THP pageout and swap-in round trips");
	return tap_done();
}
