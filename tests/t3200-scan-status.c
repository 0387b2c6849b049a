// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every SCAN_* status that anonymous collapse can end with (spec §7.1), each
 * produced by at least one test and checked in the scan record (the
 * mm_khugepaged_scan_pmd fields) and in the vmstat counters, and every
 * MADV_COLLAPSE errno (spec §6.3 and the T-cases of Appendix A).
 *
 * Statuses that need another thread holding the page (page locked, off
 * the LRU or with an extra reference, at scan or isolation time), a failed
 * revalidation, a leftover non-present PTE in isolation or a swap-in error
 * cannot arise in the single-threaded model on their own: those tests
 * force the named decision point with khugepaged_force() and say so.
 * scan_aborted (NUMA), pte_uffd_wp (userfaultfd), page_null (special
 * mappings), ccgroup_charge_failed (memcg) and copy_poisoned_page
 * (hwpoison) are outside the model and have no decision point.
 */
#include <errno.h>
#include <string.h>

#include "lib/tm.h"
#include "model/khugepaged.h"

#define BASE TM_BASE
#define GIB (1UL << 30)

/* The first record of @mm at @addr with @status, or NULL. */
static const struct kh_scan_record *find_record(struct fsim_machine *m,
						struct mm_struct *mm,
						unsigned long addr,
						enum scan_result status)
{
	struct khugepaged_state *k = m->khugepaged;
	size_t i;

	for (i = 0; i < k->nr_records; i++)
		if (k->records[i].mm_idx == mm->idx &&
		    k->records[i].addr == addr &&
		    k->records[i].status == status)
			return &k->records[i];
	return NULL;
}

/* The last record of @mm at @addr has @status and these counts. */
static bool last_is(struct fsim_machine *m, struct mm_struct *mm,
		    unsigned long addr, enum scan_result status,
		    int referenced, int none_or_zero, int unmapped)
{
	const struct kh_scan_record *r = tm_last_record(m, mm, addr);

	CHECK(r);
	printf("# 0x%lx: status=%s referenced=%d none_or_zero=%d unmapped=%d\n",
	       addr, scan_result_names[r->status], r->referenced,
	       r->none_or_zero, r->unmapped);
	CHECK_INT(r->status, ==, status);
	CHECK_INT(r->referenced, ==, referenced);
	CHECK_INT(r->none_or_zero, ==, none_or_zero);
	CHECK_INT(r->unmapped, ==, unmapped);
	return true;
}

/* A process with [addr, addr + len) mapped and @nr pages written. */
static struct mm_struct *populated(struct fsim_machine *m, unsigned long addr,
				   unsigned long len, long nr)
{
	struct mm_struct *mm = tm_process(m, addr, len, false);

	return mm && tm_write(m, mm, addr, nr) ? mm : NULL;
}

static int collapse(struct fsim_machine *m, struct mm_struct *mm,
		    unsigned long addr, unsigned long len)
{
	return fsim_madvise(m, mm, addr, len, FSIM_MADV_COLLAPSE);
}

/* The end of every test: contents intact, invariants hold. */
static bool done(struct fsim_machine *m, struct mm_struct *mm,
		 unsigned long addr, long nr)
{
	CHECK(tm_read(m, mm, addr, nr));
	return tm_done(m);
}

/* succeeded (K1-like, full): the record of the collapsing scan. */
static bool test_succeeded(long written)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, written);
	const struct kh_scan_record *r;

	CHECK(p);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(tm_pmd_mapped(p, BASE));
	r = find_record(m, p, BASE, SCAN_SUCCEED);
	CHECK(r);
	CHECK(r->is_khugepaged);
	CHECK_INT(r->referenced, ==, written);
	CHECK_INT(r->none_or_zero, ==, HPAGE_PMD_NR - written);
	CHECK_INT(r->unmapped, ==, 0);
	CHECK(r->pfn != NO_PFN);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 1);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC_FAILED], ==, 0);
	CHECK_INT(m->khugepaged->pages_collapsed, ==, 1);
	/* the next scans find the THP: page_pmd_mapped, no counts */
	CHECK(last_is(m, p, BASE, SCAN_PMD_MAPPED, 0, 0, 0));
	CHECK_INT(m->ev[THP_SCAN_EXCEED_NONE_PTE], ==, 0);
	return done(m, p, BASE, written);
}

/*
 * T3: MADV_COLLAPSE of one written page records no referenced count and
 * ignores max_ptes_none; T9 (@again): a second call finds the THP and
 * succeeds as page_pmd_mapped without allocating.
 */
static bool test_succeeded_madvise(bool again)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, 1);

	CHECK(p);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "0"));
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, 0);
	CHECK(last_is(m, p, BASE, SCAN_SUCCEED, 0, 511, 0));
	CHECK(!tm_last_record(m, p, BASE)->is_khugepaged);
	CHECK_INT(m->ev[THP_SCAN_EXCEED_NONE_PTE], ==, 0);
	if (again) {
		CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, 0);
		CHECK(last_is(m, p, BASE, SCAN_PMD_MAPPED, 0, 0, 0));
	}
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 1);
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/* T7: a child's MADV_COLLAPSE of fork-shared pages; the parent keeps them */
static bool test_succeeded_child(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR), *c;

	CHECK(p);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK_INT(collapse(m, c, BASE, PMD_SIZE), ==, 0);
	CHECK(last_is(m, c, BASE, SCAN_SUCCEED, 0, 0, 0));
	CHECK(tm_pmd_mapped(c, BASE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK_INT(tm_info(m, p, BASE).mapcount, ==, 1);
	CHECK(tm_read(m, c, BASE, HPAGE_PMD_NR));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * T5b: read faults (zero page) in PMD 0, a write in PMD 1 for the anon_vma:
 * MADV_COLLAPSE of PMD 0 allocates a zero-filled THP (no folio looked at).
 */
static bool test_succeeded_all_zero(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, 2 * PMD_SIZE, false);
	const struct kh_scan_record *r;

	CHECK(p);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK_INT(tm_info(m, p, BASE).state, ==, FSIM_PAGE_ZERO);
	CHECK(tm_write(m, p, BASE + PMD_SIZE, 1));
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, 0);
	CHECK(last_is(m, p, BASE, SCAN_SUCCEED, 0, HPAGE_PMD_NR, 0));
	r = tm_last_record(m, p, BASE);
	CHECK(r->pfn == NO_PFN);
	CHECK(tm_pmd_mapped(p, BASE));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * page_pmd_mapped for a huge zero PMD: a read fault in a MADV_HUGEPAGE
 * area maps the huge zero page (and registers the mm); khugepaged skips
 * it without counting anything and MADV_COLLAPSE treats it as done.
 */
static bool test_pmd_mapped_huge_zero(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, PMD_SIZE, true);
	uint64_t ev[NR_VM_EVENTS];

	CHECK(p);
	CHECK(tm_read(m, p, BASE, 1));
	CHECK(tm_info(m, p, BASE).huge_zero);
	memcpy(ev, m->ev, sizeof(ev));
	fsim_khugepaged(m, 1);
	CHECK(last_is(m, p, BASE, SCAN_PMD_MAPPED, 0, 0, 0));
	CHECK(!memcmp(ev, m->ev, sizeof(ev)));
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, 0);
	CHECK(tm_info(m, p, BASE).huge_zero);
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * pmd_none (T2): a VMA of two PMDs with only the second written.
 * khugepaged records pmd_none for the first and collapses the second;
 * MADV_COLLAPSE stops at pmd_none (not whitelisted) with EINVAL.
 */
static bool test_pmd_none(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, 2 * PMD_SIZE, false);
	struct mm_struct *q = tm_process(m, BASE, 2 * PMD_SIZE, false);

	CHECK(p && q);
	CHECK(tm_write(m, p, BASE + PMD_SIZE, HPAGE_PMD_NR));
	CHECK(tm_write(m, q, BASE + PMD_SIZE, HPAGE_PMD_NR));
	CHECK(tm_khugepaged(m, p, BASE, 2 * PMD_SIZE));
	CHECK(last_is(m, p, BASE, SCAN_PMD_NONE, 0, 0, 0));
	CHECK(tm_pmd_mapped(p, BASE + PMD_SIZE));
	CHECK_INT(collapse(m, q, BASE, PMD_SIZE), ==, -EINVAL);
	CHECK(last_is(m, q, BASE, SCAN_PMD_NONE, 0, 0, 0));
	CHECK_INT(collapse(m, q, BASE, 2 * PMD_SIZE), ==, -EINVAL);
	CHECK(!tm_pmd_mapped(q, BASE + PMD_SIZE));
	CHECK(!tm_last_record(m, q, BASE + PMD_SIZE));
	CHECK(tm_read(m, q, BASE + PMD_SIZE, HPAGE_PMD_NR));
	return done(m, p, BASE + PMD_SIZE, HPAGE_PMD_NR);
}

/*
 * pmd_null: no page table at all above the PMD.  A VMA that crosses the
 * 4 GiB line has its lower PMD in a 1 GiB range nothing has touched.
 * MADV_COLLAPSE goes on past pmd_null (whitelisted) and collapses the
 * upper PMD, but still fails with EINVAL.
 *
 *   3G ............ 4G-2M [ PMD 0: never touched | PMD 1: written ] 4G+2M
 */
static bool test_pmd_null(void)
{
	struct fsim_machine *m = tm_new(NULL);
	unsigned long a = 4 * GIB - PMD_SIZE;
	struct mm_struct *p = tm_process(m, a, 2 * PMD_SIZE, false);
	struct mm_struct *q = tm_process(m, a, 2 * PMD_SIZE, false);

	CHECK(p && q);
	CHECK(tm_write(m, p, a + PMD_SIZE, HPAGE_PMD_NR));
	CHECK(tm_write(m, q, a + PMD_SIZE, HPAGE_PMD_NR));
	CHECK(!pmd_lookup(p, a));
	CHECK(tm_khugepaged(m, p, a, 2 * PMD_SIZE));
	CHECK(last_is(m, p, a, SCAN_PMD_NULL, 0, 0, 0));
	CHECK(tm_pmd_mapped(p, a + PMD_SIZE));
	CHECK_INT(collapse(m, q, a, 2 * PMD_SIZE), ==, -EINVAL);
	CHECK(last_is(m, q, a, SCAN_PMD_NULL, 0, 0, 0));
	CHECK(tm_pmd_mapped(q, a + PMD_SIZE));
	CHECK(tm_read(m, q, a + PMD_SIZE, HPAGE_PMD_NR));
	return done(m, p, a + PMD_SIZE, HPAGE_PMD_NR);
}

/*
 * pmd_null after munmap + mmap: munmap of the only VMA in a 1 GiB range
 * frees its PMD table (free_pgd_range() with the neighbours as floor and
 * ceiling); the new VMA merges with its written neighbour above, so it
 * has an anon_vma but no page table.
 *
 *   [ B: written | A: written ]  munmap B, mmap B  [ B: no table | A ]
 */
static bool test_pmd_null_after_remap(void)
{
	struct fsim_machine *m = tm_new(NULL);
	unsigned long b = 4 * GIB - PMD_SIZE, a = 4 * GIB;
	struct mm_struct *p = tm_process(m, a, PMD_SIZE, false);

	CHECK(p);
	CHECK(tm_write(m, p, a, HPAGE_PMD_NR));
	CHECK(!fsim_mmap(m, p, b, PMD_SIZE));
	CHECK(tm_write(m, p, b, 1));
	CHECK(!fsim_munmap(m, p, b, PMD_SIZE));
	CHECK(!fsim_mmap(m, p, b, PMD_SIZE));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	if (pmd_lookup(p, b))
		printf("# BUG: munmap left the PMD table of [3G, 4G) behind\n");
	CHECK_INT(collapse(m, p, b, 2 * PMD_SIZE), ==, -EINVAL);
	CHECK(last_is(m, p, b, SCAN_PMD_NULL, 0, 0, 0));
	CHECK(tm_pmd_mapped(p, a));
	return done(m, p, a, HPAGE_PMD_NR);
}

/* exceed_none_pte (K2): max_ptes_none=0 and one page missing. */
static bool test_exceed_none(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR - 1);

	CHECK(p);
	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "0"));
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(last_is(m, p, BASE, SCAN_EXCEED_NONE_PTE, HPAGE_PMD_NR - 1, 1,
		      0));
	CHECK(m->ev[THP_SCAN_EXCEED_NONE_PTE] > 0);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 0);
	/* MADV_COLLAPSE ignores the limit and counts nothing */
	m->ev[THP_SCAN_EXCEED_NONE_PTE] = 0;
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, 0);
	CHECK_INT(m->ev[THP_SCAN_EXCEED_NONE_PTE], ==, 0);
	return done(m, p, BASE, HPAGE_PMD_NR - 1);
}

/* exceed_swap_pte: 65 swap entries; the scan stops at the 65th. */
static bool test_exceed_swap(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);

	CHECK(p);
	CHECK(!fsim_madvise(m, p, BASE, TM_PAGE(65), FSIM_MADV_PAGEOUT));
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(last_is(m, p, BASE, SCAN_EXCEED_SWAP_PTE, 0, 0, 65));
	CHECK(m->ev[THP_SCAN_EXCEED_SWAP_PTE] > 0);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 0);
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * exceed_shared_pte (K3): 512 pages shared with a live child stop at the
 * 257th shared PTE (256 counted referenced); K3b (@child_exits): once the
 * child has exited the same range collapses.
 */
static bool test_exceed_shared(bool child_exits)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR), *c;

	CHECK(p);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));	/* young again */
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(last_is(m, p, BASE, SCAN_EXCEED_SHARED_PTE, 256, 0, 0));
	CHECK(m->ev[THP_SCAN_EXCEED_SHARE_PTE] > 0);
	CHECK(tm_read(m, c, BASE, HPAGE_PMD_NR));
	if (!child_exits)
		return done(m, p, BASE, HPAGE_PMD_NR);
	CHECK(!fsim_exit(m, c));
	fsim_khugepaged(m, 1);
	CHECK(tm_pmd_mapped(p, BASE));
	CHECK(find_record(m, p, BASE, SCAN_SUCCEED));
	CHECK_INT(find_record(m, p, BASE, SCAN_SUCCEED)->referenced, ==,
		  HPAGE_PMD_NR);
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/* K3c/K3d: the parent CoWs @cow pages; 512 - cow stay shared. */
static bool test_shared_limit(long cow, bool collapses)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR), *c;

	CHECK(p);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_write(m, p, BASE, cow));
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, collapses);
	CHECK(find_record(m, p, BASE, collapses ? SCAN_SUCCEED :
						  SCAN_EXCEED_SHARED_PTE));
	CHECK(tm_read(m, c, BASE, HPAGE_PMD_NR));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/* lack_referenced_page (K4): MADV_COLD clears every young bit. */
static bool test_lack_referenced(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);

	CHECK(p);
	CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_COLD));
	CHECK(!tm_info(m, p, BASE).young);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(last_is(m, p, BASE, SCAN_LACK_REFERENCED_PAGE, 0, 0, 0));
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 0);
	/* MADV_COLLAPSE has no referenced rule */
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, 0);
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * Statuses reachable only by forcing a decision point (no other thread
 * can hold a page lock, an extra reference or an isolated page here).
 */
struct forced {
	enum kh_point point;
	enum scan_result status;
	bool in_isolation;	/* after the allocation: a THP was made */
	int errno_madvise;
};

static const struct forced forced[] = {
	{ KH_SCAN_PAGE_COUNT, SCAN_PAGE_COUNT, false, -EAGAIN },
	{ KH_SCAN_PAGE_LOCK, SCAN_PAGE_LOCK, false, -EAGAIN },
	{ KH_SCAN_PAGE_LRU, SCAN_PAGE_LRU, false, -EAGAIN },
	{ KH_ISO_PAGE_LOCK, SCAN_PAGE_LOCK, true, -EAGAIN },
	{ KH_ISO_PAGE_COUNT, SCAN_PAGE_COUNT, true, -EAGAIN },
	{ KH_ISO_DEL_LRU, SCAN_DEL_PAGE_LRU, true, -EAGAIN },
	{ KH_ISO_NON_PRESENT, SCAN_PTE_NON_PRESENT, true, -EINVAL },
	{ KH_ISO_LACK_REFERENCED, SCAN_LACK_REFERENCED_PAGE, true, -EINVAL },
	{ KH_REVALIDATE, SCAN_VMA_CHECK, true, -EINVAL },
	{ KH_SCAN_PAGE_ANON, SCAN_PAGE_ANON, false, -EINVAL },
};

static bool test_forced(const struct forced *f)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);
	int referenced = f->in_isolation ? HPAGE_PMD_NR : 0;

	CHECK(p);
	khugepaged_force(m, f->point, KH_FORCE_TRUE);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(last_is(m, p, BASE, f->status, referenced, 0, 0));
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC] > 0, ==, f->in_isolation);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK(tm_check(m));
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, f->errno_madvise);
	CHECK(last_is(m, p, BASE, f->status, 0, 0, 0));
	/* everything was put back: without the force it collapses */
	khugepaged_force(m, f->point, KH_FORCE_NONE);
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, 0);
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * failed (SCAN_FAIL): a swap-in error; forced at the swap-in point, since
 * the model's swap device never fails.  The pages already swapped in stay
 * in, so the next scan collapses.
 */
static bool test_failed_swapin(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);
	struct mm_struct *q = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);
	const struct kh_scan_record *r;

	CHECK(p && q);
	CHECK(!fsim_madvise(m, p, BASE, TM_PAGE(1), FSIM_MADV_PAGEOUT));
	CHECK(!fsim_madvise(m, q, BASE, TM_PAGE(1), FSIM_MADV_PAGEOUT));
	khugepaged_force(m, KH_SWAPIN, KH_FORCE_TRUE);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	r = find_record(m, p, BASE, SCAN_FAIL);
	CHECK(r);
	CHECK_INT(r->referenced, ==, HPAGE_PMD_NR - 1);
	CHECK_INT(r->unmapped, ==, 1);
	CHECK(m->ev[THP_COLLAPSE_ALLOC] > 0);
	CHECK(tm_pmd_mapped(p, BASE));
	CHECK_INT(collapse(m, q, BASE, PMD_SIZE), ==, -EINVAL);
	CHECK(last_is(m, q, BASE, SCAN_FAIL, 0, 0, 1));
	CHECK(tm_read(m, q, BASE, HPAGE_PMD_NR));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * alloc_huge_page_failed: 4 MiB of RAM, 512 small pages written and one
 * more page taken from the only other order-9 block, so no block of 2 MiB
 * is free.  khugepaged counts the failure; MADV_COLLAPSE returns ENOMEM.
 */
static bool test_alloc_failed(void)
{
	struct fsim_machine *m = tm_new_sized(NULL, 4UL << 20, 4UL << 20);
	struct mm_struct *p = tm_process(m, BASE, 2 * PMD_SIZE, false);

	CHECK(m && p);
	CHECK(tm_write(m, p, BASE, HPAGE_PMD_NR));
	CHECK(tm_write(m, p, BASE + PMD_SIZE, 1));
	CHECK_INT(buddy_max_free_order(&m->phys), <, HPAGE_PMD_ORDER);
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(last_is(m, p, BASE, SCAN_ALLOC_HUGE_PAGE_FAIL, HPAGE_PMD_NR, 0,
		      0));
	CHECK(m->ev[THP_COLLAPSE_ALLOC_FAILED] > 0);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 0);
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, -ENOMEM);
	CHECK(last_is(m, p, BASE, SCAN_ALLOC_HUGE_PAGE_FAIL, 0, 0, 0));
	CHECK(tm_read(m, p, BASE + PMD_SIZE, 1));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * vma_check_failed comes only from revalidation (forced above); an area
 * advised MADV_NOHUGEPAGE fails before any scan: khugepaged skips it and
 * MADV_COLLAPSE returns EINVAL (T14), with no record.
 */
static bool test_nohugepage(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);
	struct mm_struct *q = tm_thp_process(m);

	CHECK(p && q);
	CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	CHECK(p->flags & MMF_VM_HUGEPAGE);	/* registered, stays so */
	CHECK(!fsim_madvise(m, p, BASE, PMD_SIZE, FSIM_MADV_NOHUGEPAGE));
	fsim_khugepaged(m, 1);
	CHECK(tm_last_record(m, q, BASE));	/* the scan did run */
	CHECK(!tm_last_record(m, p, BASE));
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, -EINVAL);
	CHECK(!tm_last_record(m, p, BASE));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * no_writable_page (<= 6.17, T4): a read-only range refuses for
 * khugepaged and MADV_COLLAPSE (EINVAL); 6.18 dropped the rule and
 * collapses it into a read-only PMD.
 */
static bool test_read_only(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);
	struct mm_struct *q = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);
	bool ro_rule = m->profile->collapse_needs_writable;

	CHECK(p && q);
	CHECK(!fsim_mprotect(m, p, BASE, PMD_SIZE, false));
	CHECK(!fsim_mprotect(m, q, BASE, PMD_SIZE, false));
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK(tm_khugepaged(m, p, BASE, PMD_SIZE));
	CHECK_INT(tm_pmd_mapped(p, BASE), ==, !ro_rule);
	if (ro_rule)
		CHECK(last_is(m, p, BASE, SCAN_PAGE_RO, HPAGE_PMD_NR,
			      0, 0));
	else
		CHECK(!tm_info(m, p, BASE).writable);
	CHECK_INT(collapse(m, q, BASE, PMD_SIZE), ==, ro_rule ? -EINVAL : 0);
	CHECK_INT(tm_pmd_mapped(q, BASE), ==, !ro_rule);
	CHECK(tm_read(m, q, BASE, HPAGE_PMD_NR));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * ENOMEM for holes (T15): three PMDs with the middle one unmapped; both
 * outer PMDs still collapse.
 */
static bool test_errno_holes(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, 3 * PMD_SIZE, 0);

	CHECK(p);
	CHECK(tm_write(m, p, BASE, HPAGE_PMD_NR));
	CHECK(tm_write(m, p, BASE + 2 * PMD_SIZE, HPAGE_PMD_NR));
	CHECK(!fsim_munmap(m, p, BASE + PMD_SIZE, PMD_SIZE));
	CHECK_INT(collapse(m, p, BASE, 3 * PMD_SIZE), ==, -ENOMEM);
	CHECK(tm_pmd_mapped(p, BASE));
	CHECK(tm_pmd_mapped(p, BASE + 2 * PMD_SIZE));
	CHECK(tm_read(m, p, BASE + 2 * PMD_SIZE, HPAGE_PMD_NR));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/* T5: only read faults: zero-page PTEs and no anon_vma, EINVAL. */
static bool test_errno_no_anon_vma(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, BASE, PMD_SIZE, false);

	CHECK(p);
	CHECK(tm_read(m, p, BASE, HPAGE_PMD_NR));
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, -EINVAL);
	CHECK(!tm_last_record(m, p, BASE));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/*
 * T8: [a+4K, a+2M-4K) holds no aligned PMD and hstart > hend, so the
 * unsigned PMD count wraps: EINVAL.  T8b: [a+4K, a+2M) has hstart == hend:
 * 0 PMDs expected, 0 done, success without any work.
 */
static bool test_errno_unaligned_range(unsigned long len, int want)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, HPAGE_PMD_NR);

	CHECK(p);
	CHECK_INT(collapse(m, p, BASE + PAGE_SIZE, len), ==, want);
	CHECK(!tm_pmd_mapped(p, BASE));
	CHECK(!tm_last_record(m, p, BASE));
	return done(m, p, BASE, HPAGE_PMD_NR);
}

/* T16: a 2 MiB VMA that is not 2 MiB aligned holds no PMD: EINVAL. */
static bool test_errno_unaligned_vma(void)
{
	struct fsim_machine *m = tm_new(NULL);
	unsigned long a = BASE + PAGE_SIZE;
	struct mm_struct *p = populated(m, a, PMD_SIZE, HPAGE_PMD_NR);

	CHECK(p);
	CHECK_INT(collapse(m, p, a, PMD_SIZE), ==, -EINVAL);
	CHECK(!tm_last_record(m, p, BASE));
	return done(m, p, a, HPAGE_PMD_NR);
}

/*
 * EBUSY needs exceed_none_pte under MADV_COLLAPSE, which only a uffd-armed
 * VMA (or a memcg charge failure) gives; neither is modelled, so the
 * decision point is forced.
 */
static bool test_errno_ebusy(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = populated(m, BASE, PMD_SIZE, 1);

	CHECK(p);
	khugepaged_force(m, KH_SCAN_EXCEED_NONE, KH_FORCE_TRUE);
	CHECK_INT(collapse(m, p, BASE, PMD_SIZE), ==, -EBUSY);
	CHECK(last_is(m, p, BASE, SCAN_EXCEED_NONE_PTE, 0, 1, 0));
	CHECK_INT(m->ev[THP_SCAN_EXCEED_NONE_PTE], ==, 1);
	return done(m, p, BASE, 1);
}

int main(void)
{
	static const char *const eras[] = { "v6.9", "v6.10", "v6.15",
					    "v6.18" };
	size_t i;

	TEST(test_succeeded(HPAGE_PMD_NR),
	     "succeeded: khugepaged collapses 512 pages, referenced=512");
	TEST(test_succeeded(1),
	     "succeeded (K1): one written page, referenced=1 none_or_zero=511");
	TEST(test_succeeded_madvise(false),
	     "succeeded (T3): MADV_COLLAPSE of one page, referenced=0");
	TEST(test_succeeded_madvise(true),
	     "page_pmd_mapped (T9): MADV_COLLAPSE of a THP succeeds as is");
	TEST(test_succeeded_child(),
	     "succeeded (T7): a child collapses fork-shared pages, 0");
	TEST(test_succeeded_all_zero(),
	     "succeeded (T5b): 512 zero-page PTEs give a zero-filled THP");
	TEST(test_pmd_mapped_huge_zero(),
	     "page_pmd_mapped: a huge zero PMD is skipped without counting");
	TEST(test_pmd_none(),
	     "pmd_none (T2): an empty PMD stops MADV_COLLAPSE with EINVAL");
	TEST(test_pmd_null(),
	     "pmd_null: no PMD table; MADV_COLLAPSE goes on to the next PMD");
	TEST(test_pmd_null_after_remap(),
	     "pmd_null after munmap+mmap: the 1 GiB range lost its PMD table");
	TEST(test_exceed_none(),
	     "exceed_none_pte (K2): max_ptes_none=0 with one empty PTE");
	TEST(test_exceed_swap(),
	     "exceed_swap_pte: 65 swap entries, unmapped=65");
	TEST(test_exceed_shared(false),
	     "exceed_shared_pte (K3): stops at the 257th shared PTE");
	TEST(test_exceed_shared(true),
	     "succeeded (K3b): the same range collapses after the child exits");
	TEST(test_shared_limit(256, true),
	     "K3c: 256 PTEs still shared with the child collapse");
	TEST(test_shared_limit(255, false),
	     "K3d: 257 PTEs still shared with the child refuse");
	TEST(test_lack_referenced(),
	     "lack_referenced_page (K4): MADV_COLD clears young, referenced=0");
	for (i = 0; i < sizeof(forced) / sizeof(forced[0]); i++)
		TEST(test_forced(&forced[i]),
		     "%s (forced %s): MADV_COLLAPSE returns %d, all put back",
		     scan_result_names[forced[i].status],
		     kh_point_names[forced[i].point], forced[i].errno_madvise);
	TEST(test_failed_swapin(),
	     "failed (forced swap-in error): MADV_COLLAPSE returns EINVAL");
	TEST(test_alloc_failed(),
	     "alloc_huge_page_failed: no free 2 MiB block, MADV_COLLAPSE ENOMEM");
	TEST(test_nohugepage(),
	     "MADV_NOHUGEPAGE (T14): no scan at all, MADV_COLLAPSE EINVAL");
	for (i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
		TEST(test_read_only(eras[i]),
		     "no_writable_page (%s): a read-only range %s", eras[i],
		     strcmp(eras[i], "v6.18") ? "refuses, EINVAL" :
						"collapses (T4)");
	TEST(test_errno_holes(),
	     "ENOMEM (T15): a hole in the range, both outer PMDs collapse");
	TEST(test_errno_no_anon_vma(),
	     "EINVAL (T5): zero-page PTEs only, no anon_vma");
	TEST(test_errno_unaligned_range(PMD_SIZE - 2 * PAGE_SIZE, -EINVAL),
	     "EINVAL (T8): the PMD count of a range with hstart > hend wraps");
	TEST(test_errno_unaligned_range(PMD_SIZE - PAGE_SIZE, 0),
	     "0 (T8b): a range with hstart == hend needs no PMD");
	TEST(test_errno_unaligned_vma(),
	     "EINVAL (T16): a 2 MiB VMA that is not 2 MiB aligned");
	TEST(test_errno_ebusy(),
	     "EBUSY (forced exceed_none_pte): MADV_COLLAPSE maps it to EBUSY");
	return tap_done();
}
