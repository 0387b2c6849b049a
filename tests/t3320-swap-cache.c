// SPDX-License-Identifier: GPL-2.0-only
/*
 * When a folio leaves the swap cache (6.18): after a swap-in through the
 * cache only if the swap space is more than half full or a write fault
 * finds it otherwise unused (should_try_to_free_swap()); when its last
 * entry is zapped only if nothing maps it or swap is full
 * (__try_to_reclaim_swap()); when its last mapping goes, if no entry is
 * left (free_swap_cache()).  A kept folio is clean: reclaim drops it
 * without writing it again unless it was dirtied.  Also: the kernel
 * executor's zram device is as large as the model's default swap.
 */
#include <stdlib.h>

#include "lib/tm.h"
#include "kernel/zram.h"
#include "config/settings.h"
#include "model/swap.h"

#define BASE TM_BASE
#define NR 64

static bool cached(struct fsim_machine *m, struct mm_struct *mm, long i)
{
	struct folio *folio = tm_folio(m, mm, BASE + TM_PAGE(i));

	return folio && folio_test(folio, PG_swapcache);
}

/* P with NR written small pages, swapped out, and a child sharing them. */
static struct mm_struct *shared_swap(struct fsim_machine *m,
				     struct mm_struct **child)
{
	struct mm_struct *p = tm_process(m, BASE, PMD_SIZE, false);

	if (!p || !tm_write(m, p, BASE, NR) || tm_pageout(m, p, BASE, NR))
		return NULL;
	*child = fsim_fork(m, p);
	return *child ? p : NULL;
}

/*
 * Both read: the folios keep their slots in the swap cache although no
 * entry is left; after the child exits, MADV_PAGEOUT unmaps and frees
 * them without a write, and the next read is a direct one again.
 */
static bool test_kept_clean(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *c, *p = shared_swap(m, &c);
	uint32_t off;

	CHECK(p);
	off = tm_info(m, p, BASE).swap_offset;
	CHECK(tm_read(m, c, BASE, NR));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK_INT(m->swap.count[off], ==, 0);
	CHECK(cached(m, p, 0));
	CHECK_INT(m->swap.nr_used, ==, NR);
	CHECK(!vm_swap_full(m));
	CHECK(tm_check(m));
	CHECK(!fsim_exit(m, c));
	CHECK(cached(m, p, 0));
	CHECK_INT(tm_pageout(m, p, BASE, NR), ==, 0);
	CHECK_INT(m->ev[PSWPOUT], ==, NR);		/* the first write only */
	CHECK_INT(tm_info(m, p, BASE).swap_offset, ==, off);
	CHECK_INT(m->swap.count[off], ==, 1);
	CHECK(m->swap.cache[off] == NO_PFN);
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, BASE, NR));
	CHECK_INT(m->ev[PSWPIN], ==, 2 * NR);
	CHECK(!cached(m, p, 0));
	return tm_done(m);
}

/*
 * A write fault on the last entry of a cached folio nobody else maps
 * frees the swap cache and maps the page writable at once; a read fault
 * keeps it, and the write then reuses it through do_wp_page().
 */
static bool test_write_fault_frees(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *c, *p = shared_swap(m, &c);
	struct fsim_page_info pi;

	CHECK(p);
	CHECK(tm_read(m, c, BASE, 2));
	CHECK(!fsim_exit(m, c));	/* unmapped, one entry left: cached */
	CHECK(m->swap.cache[tm_info(m, p, BASE).swap_offset] != NO_PFN);
	CHECK(tm_write(m, p, BASE, 1));
	pi = tm_info(m, p, BASE);
	CHECK(pi.writable && pi.anon_exclusive && pi.dirty);
	CHECK(!cached(m, p, 0));
	CHECK(tm_read(m, p, BASE + PAGE_SIZE, 1));
	CHECK(cached(m, p, 1));
	CHECK(!tm_info(m, p, BASE + PAGE_SIZE).writable);
	CHECK(tm_write(m, p, BASE + PAGE_SIZE, 1));
	CHECK(!cached(m, p, 1));
	/* one readahead window, [0, 5): clipped at the start of the VMA */
	CHECK_INT(m->ev[PSWPIN], ==, 5);
	CHECK(tm_read(m, p, BASE, NR));
	return tm_done(m);
}

/*
 * With more than half of the swap space in use (vm_swap_full()), the swap
 * cache is dropped as soon as the last entry goes, by a read fault or by
 * a zap while another process maps the folio.
 */
static bool test_swap_full(void)
{
	/* 384 KiB: 95 usable slots; 64 (or 63) in use is more than half */
	struct fsim_machine *m = tm_new_sized(NULL, 64UL << 20, 384UL << 10);
	struct mm_struct *c, *p = shared_swap(m, &c);

	CHECK(p);
	CHECK(vm_swap_full(m));
	CHECK(tm_read(m, c, BASE, 1));
	CHECK(cached(m, c, 0));			/* p's entry still uses it */
	CHECK(tm_read(m, p, BASE, 1));
	CHECK(!cached(m, p, 0));
	CHECK(tm_read(m, c, BASE + PAGE_SIZE, 1));
	CHECK(cached(m, c, 1));
	CHECK(!fsim_munmap(m, p, BASE + PAGE_SIZE, PAGE_SIZE));
	CHECK(!cached(m, c, 1));		/* zapped: full, so dropped */
	CHECK(tm_check(m));
	CHECK(tm_read(m, c, BASE, NR));
	CHECK(!fsim_exit(m, c));
	return tm_done(m);
}

/* Not full: the zap of the last entry leaves a mapped folio cached. */
static bool test_zap_keeps_mapped(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *c, *p = shared_swap(m, &c);

	CHECK(p);
	CHECK(tm_read(m, c, BASE, 1));
	CHECK(!fsim_munmap(m, p, BASE, PAGE_SIZE));
	CHECK(cached(m, c, 0));
	CHECK(!fsim_munmap(m, c, BASE, PAGE_SIZE));	/* last mapping */
	CHECK(tm_check(m));
	CHECK_INT(m->swap.nr_used, ==, NR - 1);
	CHECK(tm_read(m, c, BASE + PAGE_SIZE, NR - 1));
	return tm_done(m);
}

/*
 * A kept folio mapped writable (its entry was exclusive: read ahead, then
 * faulted) and written through that PTE is written again at reclaim.
 */
static bool test_dirty_written_again(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, 16 * PAGE_SIZE, false), *e;

	CHECK(p && tm_write(m, p, BASE, 16));
	CHECK_INT(tm_pageout(m, p, BASE, 16), ==, 0);
	e = fsim_fork(m, p);
	CHECK(e);
	CHECK(!fsim_munmap(m, e, BASE + PAGE_SIZE, 15 * PAGE_SIZE));
	CHECK(tm_read(m, p, BASE + PAGE_SIZE, 2));	/* direct */
	CHECK_INT(tm_pageout(m, p, BASE + PAGE_SIZE, 2), ==, 0);
	CHECK(pte_swp_exclusive(*pte_lookup(p, BASE + PAGE_SIZE)));
	CHECK_INT(m->ev[PSWPOUT], ==, 18);
	CHECK(tm_read(m, p, BASE, 1));			/* reads 1..4 ahead */
	CHECK(tm_read(m, p, BASE + PAGE_SIZE, 2));
	CHECK(cached(m, p, 1) && cached(m, p, 2));
	CHECK(tm_info(m, p, BASE + PAGE_SIZE).writable);
	CHECK(tm_write(m, p, BASE + PAGE_SIZE, 1));	/* no fault */
	CHECK(cached(m, p, 1));
	CHECK_INT(tm_pageout(m, p, BASE + PAGE_SIZE, 2), ==, 0);
	CHECK_INT(m->ev[PSWPOUT], ==, 19);
	CHECK(tm_read(m, p, BASE, 16));
	CHECK(!fsim_exit(m, e));
	return tm_done(m);
}

/* The kernel executor's zram device has the model's default swap size. */
static bool test_zram_size(void)
{
	struct thp_settings s;
	char *end;
	unsigned long long n = strtoull(KX_ZRAM_SIZE, &end, 10);

	settings_init_defaults(&s);
	CHECK(*end == 'G' && !end[1]);
	CHECK_INT((uint64_t)n << 30, ==, s.swap_bytes);
	return true;
}

int main(void)
{
	TEST(test_kept_clean(),
	     "a folio read through the swap cache stays cached and clean; pageout writes nothing");
	TEST(test_write_fault_frees(),
	     "a write fault frees the swap cache when only the fault holds the folio");
	TEST(test_swap_full(),
	     "with swap more than half full the swap cache goes with the last entry");
	TEST(test_zap_keeps_mapped(),
	     "zapping the last entry keeps a mapped folio cached; its last unmap frees it");
	TEST(test_dirty_written_again(),
	     "a kept folio dirtied through a writable PTE is written again");
	TEST(test_zram_size(),
	     "the zram swap device is as large as the model's default swap");
	return tap_done();
}
