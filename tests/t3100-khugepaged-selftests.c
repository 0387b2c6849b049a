// SPDX-License-Identifier: GPL-2.0-only
/*
 * The anonymous-memory tests of the kernel's khugepaged selftest
 * (tools/testing/selftests/mm/khugepaged.c), replayed on the model in both
 * of its contexts: "khugepaged" (MADV_HUGEPAGE, then at least two full
 * scans, with the max_ptes_* limits) and "madvise" (MADV_COLLAPSE with the
 * top-level "enabled" set to never, limits ignored).  Each test takes the
 * same steps with the same sizes and settings and expects what the selftest
 * asserts; all of them pass on this machine's 6.18 kernel.  The tests run
 * under every profile: the selftest's verdicts do not change across the
 * eras the model knows, and the model has to agree in each.
 *
 * The memory pattern is the selftest's: page i of an area holds
 * 0xdead0000 + i.  Every step ends with the invariant checker.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib/tm.h"
#include "model/khugepaged.h"

#define BASE TM_BASE		/* the selftest's BASE_ADDR: 1 GiB */
#define PATTERN 0xdead0000UL
#define MAX_PATTERN (4 * HPAGE_PMD_NR)	/* collapse_full uses 4 PMDs */

enum ctx { CTX_KHUGEPAGED, CTX_MADVISE, NR_CTX };

static const char *const ctx_names[NR_CTX] = { "khugepaged", "madvise" };

/* One run of one selftest: a machine, the test process, the context. */
struct st {
	struct fsim_machine *m;
	struct mm_struct *mm;
	enum ctx ctx;
	int last_ret;			/* of the last MADV_COLLAPSE */
	content_t val[MAX_PATTERN];	/* PATTERN + i, 0 until interned */
};

static content_t val(struct st *st, long i)
{
	if (!st->val[i])
		st->val[i] = content_value(st->m, PATTERN + (unsigned long)i);
	return st->val[i];
}

/* The selftest's fill_memory(): pages [from, to) of the area at @p. */
static bool fill(struct st *st, struct mm_struct *mm, unsigned long p,
		 long from, long to)
{
	long i;

	for (i = from; i < to; i++)
		if (fsim_write(st->m, mm, p + TM_PAGE(i), val(st, i))) {
			printf("# write 0x%lx: %s\n", p + TM_PAGE(i),
			       fsim_strerror(st->m));
			return false;
		}
	return true;
}

/* validate_memory(): every page holds its pattern, nothing was lost. */
static bool validate(struct st *st, struct mm_struct *mm, unsigned long p,
		     long from, long to)
{
	content_t got, want;
	long i;

	for (i = from; i < to; i++) {
		if (fsim_read(st->m, mm, p + TM_PAGE(i), &got, &want)) {
			printf("# read 0x%lx: %s\n", p + TM_PAGE(i),
			       fsim_strerror(st->m));
			return false;
		}
		if (got != want || got != val(st, i)) {
			printf("# page %ld is corrupted: %x (want %x)\n", i,
			       got, val(st, i));
			return false;
		}
	}
	return true;
}

/* check_huge_anon(): the VMA holding @p has exactly @nr PMD-mapped THPs. */
static bool check_huge(struct mm_struct *mm, unsigned long p, int nr)
{
	struct vm_area_struct *vma = vma_lookup(mm, p);
	unsigned long a;
	int huge = 0;

	if (!vma)
		return nr == 0;
	for (a = ALIGN_UP_PMD(vma->vm_start); a + PMD_SIZE <= vma->vm_end;
	     a += PMD_SIZE)
		huge += tm_pmd_mapped(mm, a);
	if (huge != nr)
		printf("# 0x%lx: %d huge PMDs, want %d\n", p, huge, nr);
	return huge == nr;
}

static int advise(struct st *st, struct mm_struct *mm, unsigned long p,
		  unsigned long len, enum fsim_advice advice)
{
	return fsim_madvise(st->m, mm, p, len, advice);
}

/* madvise_collapse_retry(): one more try after EAGAIN. */
static int collapse_retry(struct st *st, struct mm_struct *mm,
			  unsigned long p, unsigned long len)
{
	int ret = advise(st, mm, p, len, FSIM_MADV_COLLAPSE);

	if (ret == -EAGAIN)
		ret = advise(st, mm, p, len, FSIM_MADV_COLLAPSE);
	return ret;
}

/*
 * __madvise_collapse(): "enabled" never (MADV_COLLAPSE must ignore it),
 * MADV_HUGEPAGE to clear VM_NOHUGEPAGE, collapse with one retry.
 */
static bool __madvise_collapse(struct st *st, struct mm_struct *mm,
			       unsigned long p, int nr, bool expect)
{
	CHECK(!fsim_set(st->m, "enabled", "never"));
	CHECK(!advise(st, mm, p, nr * PMD_SIZE, FSIM_MADV_HUGEPAGE));
	st->last_ret = collapse_retry(st, mm, p, nr * PMD_SIZE);
	CHECK(!fsim_set(st->m, "enabled", "madvise"));
	if ((st->last_ret == 0) != expect) {
		printf("# MADV_COLLAPSE returned %d\n", st->last_ret);
		return false;
	}
	CHECK(check_huge(mm, p, expect ? nr : 0));
	return true;
}

/*
 * wait_for_scan() and khugepaged_collapse(): MADV_HUGEPAGE (which also
 * registers the mm if it has an anon_vma), then two full scans.  (Older
 * selftests advised MADV_NOHUGEPAGE afterwards; the 6.18-era one does not.)
 */
static bool khugepaged_collapse(struct st *st, struct mm_struct *mm,
				unsigned long p, int nr, bool expect)
{
	CHECK(!advise(st, mm, p, nr * PMD_SIZE, FSIM_MADV_HUGEPAGE));
	fsim_khugepaged(st->m, 2);
	CHECK(check_huge(mm, p, expect ? nr : 0));
	return true;
}

/* c->collapse(): the sanity check, then the context's way to collapse. */
static bool collapse(struct st *st, struct mm_struct *mm, unsigned long p,
		     int nr, bool expect)
{
	CHECK(check_huge(mm, p, 0));
	if (st->ctx == CTX_KHUGEPAGED)
		CHECK(khugepaged_collapse(st, mm, p, nr, expect));
	else
		CHECK(__madvise_collapse(st, mm, p, nr, expect));
	CHECK(tm_check(st->m));
	return true;
}

/* The khugepaged verdict on @mm's PMD at @p, from its last scan record. */
static bool last_status_is(struct st *st, struct mm_struct *mm,
			   unsigned long p, enum scan_result want)
{
	const struct kh_scan_record *r = tm_last_record(st->m, mm, p);

	CHECK(r);
	if (r->status != want) {
		printf("# last scan of 0x%lx: %s, want %s\n", p,
		       scan_result_names[r->status], scan_result_names[want]);
		return false;
	}
	return true;
}

/* anon_setup_area() */
static bool setup_area(struct st *st, struct mm_struct *mm, int nr)
{
	CHECK(!fsim_mmap(st->m, mm, BASE, nr * PMD_SIZE));
	return true;
}

static bool cleanup_area(struct st *st, struct mm_struct *mm,
			 unsigned long p, unsigned long len)
{
	CHECK(!fsim_munmap(st->m, mm, p, len));
	CHECK(tm_check(st->m));
	return true;
}

/*
 * alloc_hpage(): fill one PMD with small pages, MADV_COLLAPSE it into a
 * THP, then MADV_HUGEPAGE the area.
 */
static bool alloc_hpage(struct st *st, struct mm_struct *mm)
{
	CHECK(setup_area(st, mm, 1));
	CHECK(fill(st, mm, BASE, 0, HPAGE_PMD_NR));
	CHECK_INT(collapse_retry(st, mm, BASE, PMD_SIZE), ==, 0);
	CHECK(check_huge(mm, BASE, 1));
	CHECK(!advise(st, mm, BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	return true;
}

/*
 * alloc_at_fault(), the selftest's first step: with "enabled" always a
 * write fault maps a THP (and registers the mm with khugepaged, so every
 * later test runs in a registered process), MADV_DONTNEED of one page
 * splits the PMD.
 */
static bool alloc_at_fault(struct st *st)
{
	CHECK(!fsim_set(st->m, "enabled", "always"));
	CHECK(setup_area(st, st->mm, 1));
	CHECK(!fsim_write(st->m, st->mm, BASE, 1));
	CHECK(check_huge(st->mm, BASE, 1));
	CHECK(!fsim_set(st->m, "enabled", "madvise"));
	CHECK(!advise(st, st->mm, BASE, PAGE_SIZE, FSIM_MADV_DONTNEED));
	CHECK(check_huge(st->mm, BASE, 0));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	CHECK(st->mm->flags & MMF_VM_HUGEPAGE);
	return true;
}

/* The selftest's default_settings, pushed before any test. */
static bool selftest_settings(struct fsim_machine *m)
{
	static const char *const set[][2] = {
		{ "enabled", "madvise" },
		{ "defrag", "always" },
		{ "use_zero_page", "0" },
		{ "khugepaged/defrag", "1" },
		{ "khugepaged/alloc_sleep_millisecs", "10" },
		{ "khugepaged/scan_sleep_millisecs", "10" },
		{ "khugepaged/max_ptes_none", "511" },
		{ "khugepaged/max_ptes_swap", "64" },
		{ "khugepaged/max_ptes_shared", "256" },
		{ "khugepaged/pages_to_scan", "4096" },
	};
	size_t i;

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		CHECK(!fsim_set(m, set[i][0], set[i][1]));
	return true;
}

/* 4 PMDs of 512 written pages collapse into four THPs. */
static bool collapse_full(struct st *st)
{
	unsigned long size = 4 * PMD_SIZE;

	CHECK(setup_area(st, st->mm, 4));
	CHECK(fill(st, st->mm, BASE, 0, 4 * HPAGE_PMD_NR));
	CHECK(collapse(st, st->mm, BASE, 4, true));
	CHECK(validate(st, st->mm, BASE, 0, 4 * HPAGE_PMD_NR));
	CHECK(cleanup_area(st, st->mm, BASE, size));
	return true;
}

/* A never-touched area has no anon_vma: nothing to collapse. */
static bool collapse_empty(struct st *st)
{
	CHECK(setup_area(st, st->mm, 1));
	CHECK(collapse(st, st->mm, BASE, 1, false));
	if (st->ctx == CTX_MADVISE)
		CHECK_INT(st->last_ret, ==, -EINVAL);
	else
		CHECK(!tm_last_record(st->m, st->mm, BASE));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

/* One written page and 511 empty PTEs collapse (max_ptes_none 511). */
static bool collapse_single_pte_entry(struct st *st)
{
	CHECK(setup_area(st, st->mm, 1));
	CHECK(fill(st, st->mm, BASE, 0, 1));
	CHECK(collapse(st, st->mm, BASE, 1, true));
	CHECK(validate(st, st->mm, BASE, 0, 1));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

/*
 * max_ptes_none = 256: 255 written pages (257 empty) collapse only for
 * MADV_COLLAPSE; khugepaged collapses a fresh area with 256 written.
 */
static bool collapse_max_ptes_none(struct st *st)
{
	long max_ptes_none = HPAGE_PMD_NR / 2;
	bool limits = st->ctx == CTX_KHUGEPAGED;

	CHECK(!fsim_set(st->m, "khugepaged/max_ptes_none", "256"));
	CHECK(setup_area(st, st->mm, 1));
	CHECK(fill(st, st->mm, BASE, 0, HPAGE_PMD_NR - max_ptes_none - 1));
	CHECK(collapse(st, st->mm, BASE, 1, !limits));
	CHECK(validate(st, st->mm, BASE, 0,
		       HPAGE_PMD_NR - max_ptes_none - 1));
	if (limits) {
		CHECK(last_status_is(st, st->mm, BASE, SCAN_EXCEED_NONE_PTE));
		CHECK_INT(tm_last_record(st->m, st->mm, BASE)->none_or_zero,
			  ==, max_ptes_none + 1);
		CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
		CHECK(setup_area(st, st->mm, 1));
		CHECK(fill(st, st->mm, BASE, 0, HPAGE_PMD_NR - max_ptes_none));
		CHECK(collapse(st, st->mm, BASE, 1, true));
		CHECK(validate(st, st->mm, BASE, 0,
			       HPAGE_PMD_NR - max_ptes_none));
	}
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	CHECK(!fsim_set(st->m, "khugepaged/max_ptes_none", "511"));
	return true;
}

/* check_swap(): the first @n pages of the area are swap entries. */
static bool check_swap(struct st *st, struct mm_struct *mm, unsigned long p,
		       long n)
{
	CHECK_INT(tm_count_state(st->m, mm, p, HPAGE_PMD_NR, FSIM_PAGE_SWAP),
		  ==, n);
	CHECK_INT(tm_count_state(st->m, mm, p, n, FSIM_PAGE_SWAP), ==, n);
	return true;
}

/* One page paged out; the collapse swaps it in. */
static bool collapse_swapin_single_pte(struct st *st)
{
	CHECK(setup_area(st, st->mm, 1));
	CHECK(fill(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	CHECK(!advise(st, st->mm, BASE, PAGE_SIZE, FSIM_MADV_PAGEOUT));
	CHECK(check_swap(st, st->mm, BASE, 1));
	CHECK(collapse(st, st->mm, BASE, 1, true));
	CHECK(validate(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

/*
 * max_ptes_swap + 1 = 65 pages paged out: only MADV_COLLAPSE collapses;
 * khugepaged collapses with 64 swapped out.
 */
static bool collapse_max_ptes_swap(struct st *st)
{
	long max_ptes_swap = st->m->set.max_ptes_swap;
	bool limits = st->ctx == CTX_KHUGEPAGED;

	CHECK_INT(max_ptes_swap, ==, 64);
	CHECK(setup_area(st, st->mm, 1));
	CHECK(fill(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	CHECK(!advise(st, st->mm, BASE, TM_PAGE(max_ptes_swap + 1),
		      FSIM_MADV_PAGEOUT));
	CHECK(check_swap(st, st->mm, BASE, max_ptes_swap + 1));
	CHECK(collapse(st, st->mm, BASE, 1, !limits));
	if (limits) {
		CHECK(last_status_is(st, st->mm, BASE, SCAN_EXCEED_SWAP_PTE));
		CHECK(st->m->ev[THP_SCAN_EXCEED_SWAP_PTE] > 0);
	}
	CHECK(validate(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	if (limits) {
		CHECK(fill(st, st->mm, BASE, 0, HPAGE_PMD_NR));
		CHECK(!advise(st, st->mm, BASE, TM_PAGE(max_ptes_swap),
			      FSIM_MADV_PAGEOUT));
		CHECK(check_swap(st, st->mm, BASE, max_ptes_swap));
		CHECK(collapse(st, st->mm, BASE, 1, true));
		CHECK(validate(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	}
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

/*
 * A THP split by MADV_DONTNEED of all but its first page: the one PTE that
 * maps a page of a large folio collapses into a new THP.
 */
static bool collapse_single_pte_entry_compound(struct st *st)
{
	CHECK(alloc_hpage(st, st->mm));
	CHECK(!advise(st, st->mm, BASE, PMD_SIZE, FSIM_MADV_NOHUGEPAGE));
	CHECK(!advise(st, st->mm, BASE + PAGE_SIZE, PMD_SIZE - PAGE_SIZE,
		      FSIM_MADV_DONTNEED));
	CHECK(check_huge(st->mm, BASE, 0));
	CHECK(tm_check(st->m));
	CHECK(collapse(st, st->mm, BASE, 1, true));
	CHECK(validate(st, st->mm, BASE, 0, 1));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

/*
 * A THP whose PMD is split by a VMA split (MADV_NOHUGEPAGE on its first
 * page, then on all of it, merging the VMAs back): 512 PTEs mapping one
 * large folio collapse into a new THP.
 */
static bool collapse_full_of_compound(struct st *st)
{
	CHECK(alloc_hpage(st, st->mm));
	CHECK(!advise(st, st->mm, BASE, PAGE_SIZE, FSIM_MADV_NOHUGEPAGE));
	CHECK(!advise(st, st->mm, BASE, PMD_SIZE, FSIM_MADV_NOHUGEPAGE));
	CHECK(check_huge(st->mm, BASE, 0));
	CHECK_INT(tm_nr_vmas(st->mm), ==, 1);
	CHECK(collapse(st, st->mm, BASE, 1, true));
	CHECK(validate(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

/*
 * A PTE table whose 512 PTEs each map page 0 of a different THP, built
 * with 512 rounds of "fault a THP at BASE, mremap its first page to just
 * below BASE", collapses into one new THP.
 *
 *   round i, before:  [BASE - i pages ....... BASE | THP i ..........]
 *   mremap 1:         the first i + 1 pages go to BASE + 4M, the rest of
 *                     THP i is unmapped (it stays, partially mapped)
 *   mremap 2:         they come back at BASE - (i + 1) pages, and the VMA
 *                     grows by 2M to end at BASE + 2M again
 */
static bool collapse_compound_extreme(struct st *st)
{
	struct fsim_machine *m = st->m;
	struct mm_struct *mm = st->mm;
	unsigned long p = BASE;
	long i;

	CHECK(setup_area(st, mm, 1));
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		CHECK(!advise(st, mm, BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
		CHECK(fill(st, mm, BASE, 0, HPAGE_PMD_NR));
		CHECK(tm_pmd_mapped(mm, BASE));
		CHECK(!advise(st, mm, BASE, PMD_SIZE, FSIM_MADV_NOHUGEPAGE));
		CHECK(!fsim_mremap(m, mm, BASE - TM_PAGE(i),
				   TM_PAGE(i) + PMD_SIZE, BASE + 2 * PMD_SIZE,
				   TM_PAGE(i + 1)));
		p = BASE - TM_PAGE(i + 1);
		CHECK(!fsim_mremap(m, mm, BASE + 2 * PMD_SIZE, TM_PAGE(i + 1),
				   p, TM_PAGE(i + 1) + PMD_SIZE));
	}
	CHECK(tm_check(m));
	CHECK(cleanup_area(st, mm, BASE, PMD_SIZE));
	CHECK_INT(p, ==, BASE - PMD_SIZE);
	CHECK(fill(st, mm, p, 0, HPAGE_PMD_NR));
	CHECK(check_huge(mm, p, 0));
	/* 512 different folios, each of order 9, each mapped by one PTE */
	CHECK(tm_folio(m, mm, p) != tm_folio(m, mm, p + TM_PAGE(511)));
	CHECK_INT(folio_order(tm_folio(m, mm, p + TM_PAGE(300))), ==,
		  HPAGE_PMD_ORDER);
	CHECK(collapse(st, mm, p, 1, true));
	CHECK(validate(st, mm, p, 0, HPAGE_PMD_NR));
	CHECK(cleanup_area(st, mm, p, PMD_SIZE));
	return true;
}

/* A THP in the parent, and a child *@c that maps it by the PMD too. */
static bool fork_hpage(struct st *st, struct mm_struct **c)
{
	CHECK(alloc_hpage(st, st->mm));
	*c = fsim_fork(st->m, st->mm);
	CHECK(*c);
	CHECK(check_huge(*c, BASE, 1));
	return true;
}

/*
 * The end of a fork test: the child's first @nr pages hold their contents,
 * its area goes and the child exits; the parent's area holds @nr_hpages
 * THPs and its first @nr pages' contents.
 */
static bool child_then_parent_done(struct st *st, struct mm_struct *c,
				   long nr, int nr_hpages)
{
	CHECK(validate(st, c, BASE, 0, nr));
	CHECK(cleanup_area(st, c, BASE, PMD_SIZE));
	CHECK(!fsim_exit(st->m, c));
	CHECK(check_huge(st->mm, BASE, nr_hpages));
	CHECK(validate(st, st->mm, BASE, 0, nr));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

/*
 * One page shared with the parent over fork; the child writes a second
 * page and its PMD collapses; the parent keeps its small page.
 */
static bool collapse_fork(struct st *st)
{
	struct mm_struct *c;

	CHECK(setup_area(st, st->mm, 1));
	CHECK(fill(st, st->mm, BASE, 0, 1));
	CHECK(check_huge(st->mm, BASE, 0));
	c = fsim_fork(st->m, st->mm);
	CHECK(c);
	CHECK(check_huge(c, BASE, 0));
	CHECK(fill(st, c, BASE, 1, 2));
	CHECK(collapse(st, c, BASE, 1, true));
	CHECK(child_then_parent_done(st, c, 1, 0));
	return true;
}

/*
 * A THP shared over fork, PTE-mapped in the child, its first page CoW'd:
 * with max_ptes_shared = 511 the child's table collapses; the parent keeps
 * its PMD-mapped THP.
 */
static bool collapse_fork_compound(struct st *st)
{
	struct mm_struct *c;

	CHECK(fork_hpage(st, &c));
	CHECK(!advise(st, c, BASE, PAGE_SIZE, FSIM_MADV_NOHUGEPAGE));
	CHECK(!advise(st, c, BASE, PMD_SIZE, FSIM_MADV_NOHUGEPAGE));
	CHECK(check_huge(c, BASE, 0));
	CHECK(fill(st, c, BASE, 0, 1));
	CHECK(!fsim_set(st->m, "khugepaged/max_ptes_shared", "511"));
	CHECK(collapse(st, c, BASE, 1, true));
	CHECK(!fsim_set(st->m, "khugepaged/max_ptes_shared", "256"));
	CHECK(child_then_parent_done(st, c, HPAGE_PMD_NR, 1));
	return true;
}

/*
 * A THP shared over fork, 255 pages CoW'd in the child (257 still
 * shared): only MADV_COLLAPSE collapses; khugepaged collapses once the
 * child has CoW'd 256 (256 shared).
 */
static bool collapse_max_ptes_shared(struct st *st)
{
	long max_ptes_shared = st->m->set.max_ptes_shared;
	bool limits = st->ctx == CTX_KHUGEPAGED;
	struct mm_struct *c;

	CHECK_INT(max_ptes_shared, ==, 256);
	CHECK(fork_hpage(st, &c));
	CHECK(fill(st, c, BASE, 0, HPAGE_PMD_NR - max_ptes_shared - 1));
	CHECK(check_huge(c, BASE, 0));
	CHECK(collapse(st, c, BASE, 1, !limits));
	if (limits) {
		CHECK(last_status_is(st, c, BASE, SCAN_EXCEED_SHARED_PTE));
		CHECK(st->m->ev[THP_SCAN_EXCEED_SHARE_PTE] > 0);
		CHECK(fill(st, c, BASE, 0, HPAGE_PMD_NR - max_ptes_shared));
		CHECK(check_huge(c, BASE, 0));
		CHECK(collapse(st, c, BASE, 1, true));
	}
	CHECK(child_then_parent_done(st, c, HPAGE_PMD_NR, 1));
	return true;
}

/* MADV_COLLAPSE of an already PMD-mapped THP succeeds and changes nothing */
static bool madvise_collapse_existing_thps(struct st *st)
{
	struct folio *thp;

	CHECK(setup_area(st, st->mm, 1));
	CHECK(fill(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	CHECK(collapse(st, st->mm, BASE, 1, true));
	CHECK(validate(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	thp = tm_folio(st->m, st->mm, BASE);
	CHECK(__madvise_collapse(st, st->mm, BASE, 1, true));
	CHECK(tm_folio(st->m, st->mm, BASE) == thp);
	CHECK(last_status_is(st, st->mm, BASE, SCAN_PMD_MAPPED));
	CHECK(validate(st, st->mm, BASE, 0, HPAGE_PMD_NR));
	CHECK(cleanup_area(st, st->mm, BASE, PMD_SIZE));
	return true;
}

struct selftest {
	const char *name;
	bool (*fn)(struct st *st);
	const char *what[NR_CTX];	/* NULL: not run in that context */
	unsigned long ram;		/* 0: tm_new()'s 64 MiB */
};

static const struct selftest selftests[] = {
	{ "collapse_full", collapse_full,
	  { "four fully populated PMDs collapse",
	    "four fully populated PMDs collapse" } },
	{ "collapse_empty", collapse_empty,
	  { "a never-touched PMD is not collapsed",
	    "a never-touched PMD fails with EINVAL" } },
	{ "collapse_single_pte_entry", collapse_single_pte_entry,
	  { "one present PTE collapses",
	    "one present PTE collapses" } },
	{ "collapse_max_ptes_none", collapse_max_ptes_none,
	  { "max_ptes_none=256: 257 empty refuse, 256 empty collapse",
	    "max_ptes_none=256 is ignored: 257 empty collapse" } },
	{ "collapse_swapin_single_pte", collapse_swapin_single_pte,
	  { "one swapped-out page is swapped in and collapses",
	    "one swapped-out page is swapped in and collapses" } },
	{ "collapse_max_ptes_swap", collapse_max_ptes_swap,
	  { "65 swap entries refuse, 64 collapse",
	    "max_ptes_swap is ignored: 65 swap entries collapse" } },
	{ "collapse_single_pte_entry_compound",
	  collapse_single_pte_entry_compound,
	  { "one PTE left of a split THP collapses",
	    "one PTE left of a split THP collapses" } },
	{ "collapse_full_of_compound", collapse_full_of_compound,
	  { "a PTE-mapped THP collapses into a new THP",
	    "a PTE-mapped THP collapses into a new THP" } },
	{ "collapse_compound_extreme", collapse_compound_extreme,
	  { "512 PTEs of 512 different THPs collapse",
	    "512 PTEs of 512 different THPs collapse" },
	  1280UL << 20 },
	{ "collapse_fork", collapse_fork,
	  { "child with one fork-shared page collapses, parent keeps it small",
	    "child with one fork-shared page collapses, parent keeps it small" } },
	{ "collapse_fork_compound", collapse_fork_compound,
	  { "max_ptes_shared=511: child's PTE-mapped shared THP collapses",
	    "child's PTE-mapped shared THP collapses, parent keeps its THP" } },
	{ "collapse_max_ptes_shared", collapse_max_ptes_shared,
	  { "257 shared PTEs refuse, 256 collapse",
	    "max_ptes_shared is ignored: 257 shared PTEs collapse" } },
	{ "madvise_collapse_existing_thps", madvise_collapse_existing_thps,
	  { NULL, "re-collapsing a PMD-mapped THP succeeds as is" } },
};

static bool run(const struct selftest *t, const char *profile, enum ctx ctx)
{
	struct st *st = calloc(1, sizeof(*st));
	bool ok = false;

	if (!st)
		return false;
	st->ctx = ctx;
	st->m = tm_new_sized(profile, t->ram ? t->ram : 64UL << 20,
			     64UL << 20);
	if (st->m && selftest_settings(st->m)) {
		st->mm = fsim_spawn(st->m);
		ok = st->mm && alloc_at_fault(st) && t->fn(st);
	}
	fsim_free(st->m);
	free(st);
	return ok;
}

static bool test_alloc_at_fault(const char *profile)
{
	struct st *st = calloc(1, sizeof(*st));
	bool ok;

	CHECK(st);
	st->m = tm_new(profile);
	ok = st->m && selftest_settings(st->m) &&
	     (st->mm = fsim_spawn(st->m)) && alloc_at_fault(st) &&
	     st->m->ev[THP_FAULT_ALLOC] == 1 && st->m->ev[THP_SPLIT_PMD] == 1;
	fsim_free(st->m);
	free(st);
	return ok;
}

int main(void)
{
	size_t p, t;
	int c;

	for (p = 0; p < TM_NR_PROFILES; p++) {
		TEST(test_alloc_at_fault(tm_profiles[p]),
		     "alloc_at_fault (%s): a write fault under enabled=always "
		     "maps a THP, MADV_DONTNEED of a page splits it",
		     tm_profiles[p]);
		for (t = 0; t < sizeof(selftests) / sizeof(selftests[0]); t++)
			for (c = 0; c < NR_CTX; c++) {
				const struct selftest *s = &selftests[t];

				if (!s->what[c])
					continue;
				TEST(run(s, tm_profiles[p], c), "%s (%s, %s): %s",
				     s->name, ctx_names[c], tm_profiles[p],
				     s->what[c]);
			}
	}
	return tap_done();
}
