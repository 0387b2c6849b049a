// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory system calls on the model: mmap, munmap, mprotect, madvise
 * (hugepage, nohugepage, dontneed, dontfork, dofork), mremap, exit and
 * fork, each checked for its errors, its effect on VMAs, page tables and
 * folios, the data every page holds, and the invariant checker after every
 * step.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib/tm.h"

/* Region addresses: 4 MiB apart so that regions never merge. */
#define R(i) (TM_BASE + (unsigned long)(i) * 2 * PMD_SIZE)

/* mmap rejects overlaps, bad ranges and dead or missing processes. */
static bool test_mmap_errors(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false), *q;

	CHECK(p);
	CHECK_INT(fsim_mmap(m, p, TM_BASE, PMD_SIZE), ==, -EEXIST);
	CHECK_INT(fsim_mmap(m, p, TM_BASE - PAGE_SIZE, TM_PAGE(2)), ==,
		  -EEXIST);
	CHECK_INT(fsim_mmap(m, p, TM_BASE + PMD_SIZE - PAGE_SIZE, TM_PAGE(2)),
		  ==, -EEXIST);
	CHECK_INT(fsim_mmap(m, p, R(1) + 1, PAGE_SIZE), ==, -EINVAL);
	CHECK_INT(fsim_mmap(m, p, R(1), PAGE_SIZE + 1), ==, -EINVAL);
	CHECK_INT(fsim_mmap(m, p, R(1), 0), ==, -EINVAL);
	/* get_unmapped_area(): addr > TASK_SIZE - len is -ENOMEM */
	CHECK(fsim_mmap(m, p, TASK_SIZE - PAGE_SIZE, TM_PAGE(2)) == -ENOMEM);
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK_INT(fsim_mmap(m, NULL, R(1), PAGE_SIZE), ==, -ESRCH);
	q = fsim_spawn(m);
	CHECK(q);
	CHECK(!fsim_exit(m, q));
	CHECK_INT(fsim_mmap(m, q, R(1), PAGE_SIZE), ==, -ESRCH);
	CHECK_INT(fsim_exit(m, q), ==, -ESRCH);
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	return tm_done(m);
}

/* Adjacent anonymous mmaps merge into one VMA. */
static bool test_mmap_adjacent_merge(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false);

	CHECK(p);
	CHECK(!fsim_mmap(m, p, TM_BASE + PMD_SIZE, PMD_SIZE));
	CHECK(!fsim_mmap(m, p, TM_BASE - PMD_SIZE, PMD_SIZE));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK_INT(p->vmas[0].vm_start, ==, TM_BASE - PMD_SIZE);
	CHECK_INT(p->vmas[0].vm_end, ==, TM_BASE + 2 * PMD_SIZE);
	CHECK(tm_write(m, p, TM_BASE - PAGE_SIZE, 2));
	return tm_done(m);
}

/* munmap of a whole THP region frees the THP and every counter drops. */
static bool test_munmap_whole(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);
	content_t got, want;

	CHECK(p);
	CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE);
	CHECK(!fsim_munmap(m, p, TM_BASE, PMD_SIZE));
	CHECK_INT(tm_nr_vmas(p), ==, 0);
	CHECK_INT(fsim_anon_bytes(m), ==, 0);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 0);
	CHECK_INT(m->ev[NR_ANON_MAPPED], ==, 0);
	CHECK_INT(m->ev[NR_ANON_THPS], ==, 0);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 0);
	CHECK_INT(fsim_read(m, p, TM_BASE, &got, &want), ==, -EFAULT);
	return tm_done(m);
}

/*
 * munmap of one page inside a PMD THP splits the VMA and the PMD; the
 * THP is queued partially mapped and keeps its memory until the
 * shrinker runs.
 *
 *   before  [PPPPPPPPPPPPPPPP]    one PMD
 *   after   [pppppp].[ppppppp]    two VMAs, 511 PTEs
 */
static bool test_munmap_page_in_thp(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	CHECK(!fsim_munmap(m, p, TM_BASE + TM_PAGE(100), PAGE_SIZE));
	CHECK(tm_check(m));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
	CHECK(!tm_pmd_mapped(p, TM_BASE));
	CHECK(tm_folio(m, p, TM_BASE + TM_PAGE(101)) == f);
	CHECK_INT(folio_mapcount(m, f), ==, HPAGE_PMD_NR - 1);
	CHECK(folio_test(f, PG_partially_mapped));
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, HPAGE_PMD_NR - 1);
	CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE);
	CHECK(tm_read(m, p, TM_BASE, 100));
	CHECK(tm_read(m, p, TM_BASE + TM_PAGE(101), HPAGE_PMD_NR - 101));
	return tm_done(m);
}

/* munmap across holes removes every VMA in the range; no VMA is fine. */
static bool test_munmap_holes(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, R(0), TM_PAGE(8), false);

	CHECK(p);
	CHECK(!fsim_mmap(m, p, R(0) + TM_PAGE(16), TM_PAGE(8)));
	CHECK(!fsim_mmap(m, p, R(1), TM_PAGE(8)));
	CHECK(tm_write(m, p, R(0), 8));
	CHECK(tm_write(m, p, R(0) + TM_PAGE(16), 8));
	CHECK(tm_write(m, p, R(1), 8));
	CHECK_INT(tm_nr_vmas(p), ==, 3);
	CHECK(!fsim_munmap(m, p, R(0) + TM_PAGE(4), TM_PAGE(16)));
	CHECK(tm_check(m));
	CHECK_INT(tm_nr_vmas(p), ==, 3);	/* two stubs and R(1) */
	CHECK(tm_read(m, p, R(0), 4));
	CHECK(tm_read(m, p, R(0) + TM_PAGE(20), 4));
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 16);
	CHECK(!fsim_munmap(m, p, R(2), PMD_SIZE));	/* nothing there */
	CHECK(!fsim_munmap(m, p, R(0), R(1) - R(0) + PMD_SIZE));
	CHECK_INT(tm_nr_vmas(p), ==, 0);
	CHECK_INT(fsim_anon_bytes(m), ==, 0);
	return tm_done(m);
}

/*
 * mprotect(PROT_READ) of the second half of a PMD THP splits the VMA and
 * the PMD; the read-only half is not writable, the other half still is.
 * mprotect(PROT_READ|PROT_WRITE) merges the VMAs back and makes the
 * exclusive pages writable again without a fault.
 *
 *   ro     [wwwwwwww|rrrrrrrr]
 *   rw     [wwwwwwwwwwwwwwwww]
 */
static bool test_mprotect_half_thp(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);
	unsigned long half = TM_BASE + PMD_SIZE / 2;
	content_t got, want;
	uint64_t faults;
	long i;

	CHECK(p);
	CHECK(!fsim_mprotect(m, p, half, PMD_SIZE / 2, false));
	CHECK(tm_check(m));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
	CHECK(!tm_pmd_mapped(p, TM_BASE));
	CHECK(!(vma_lookup(p, half)->vm_flags & VM_WRITE));
	for (i = 0; i < HPAGE_PMD_NR; i++)
		CHECK(tm_info(m, p, TM_BASE + TM_PAGE(i)).writable ==
		      (i < HPAGE_PMD_NR / 2));
	CHECK_INT(fsim_write(m, p, half, 1), ==, -EACCES);
	CHECK(!fsim_read(m, p, half, &got, &want) && got == want);
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	CHECK(tm_check(m));

	faults = m->ev[PGFAULT];
	CHECK(!fsim_mprotect(m, p, half, PMD_SIZE / 2, true));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		struct fsim_page_info info;

		info = tm_info(m, p, TM_BASE + TM_PAGE(i));
		CHECK(info.writable && info.anon_exclusive);
	}
	CHECK_INT(m->ev[PGFAULT], ==, faults);
	CHECK(tm_write(m, p, half, 1));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/* mprotect of a whole, aligned PMD keeps it PMD-mapped. */
static bool test_mprotect_whole_pmd(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);

	CHECK(p);
	CHECK(!fsim_mprotect(m, p, TM_BASE, PMD_SIZE, false));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK(!tm_info(m, p, TM_BASE).writable);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 0);
	CHECK_INT(fsim_write(m, p, TM_BASE, 1), ==, -EACCES);
	CHECK(tm_check(m));
	CHECK(!fsim_mprotect(m, p, TM_BASE, PMD_SIZE, true));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK(tm_info(m, p, TM_BASE).writable);
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * mprotect(rw) leaves shared pages read-only: after fork nothing is
 * exclusive, so the next write still copies.
 */
static bool test_mprotect_rw_keeps_shared_ro(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false), *c;
	struct folio *f;

	CHECK(p && tm_write(m, p, TM_BASE, 4));
	f = tm_folio(m, p, TM_BASE);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(!fsim_mprotect(m, p, TM_BASE, PMD_SIZE, false));
	CHECK(!fsim_mprotect(m, p, TM_BASE, PMD_SIZE, true));
	CHECK(!tm_info(m, p, TM_BASE).writable);
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK(tm_folio(m, p, TM_BASE) != f);
	CHECK(tm_read(m, c, TM_BASE, 4));
	CHECK(tm_read(m, p, TM_BASE, 4));
	return tm_done(m);
}

/* mprotect of a range with a hole fails with -ENOMEM. */
static bool test_mprotect_hole(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, R(0), PMD_SIZE, false);

	CHECK(p);
	CHECK_INT(fsim_mprotect(m, p, R(0), 2 * PMD_SIZE, false), ==,
		  -ENOMEM);
	/* as do_mprotect_pkey(): the VMAs before the hole did change */
	CHECK(!(vma_lookup(p, R(0))->vm_flags & VM_WRITE));
	CHECK_INT(fsim_mprotect(m, p, R(1), PAGE_SIZE, false), ==, -ENOMEM);
	CHECK_INT(fsim_mprotect(m, p, R(0) + PMD_SIZE - PAGE_SIZE,
				2 * PAGE_SIZE, true),
		  ==, -ENOMEM);
	CHECK(vma_lookup(p, R(0) + PMD_SIZE - PAGE_SIZE)->vm_flags & VM_WRITE);
	CHECK(!(vma_lookup(p, R(0))->vm_flags & VM_WRITE));
	return tm_done(m);
}

/* MADV_HUGEPAGE sets VM_HUGEPAGE; the next write fault maps a PMD THP. */
static bool test_madvise_hugepage(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, 2 * PMD_SIZE, false);
	struct folio *f;

	CHECK(p);
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK(!folio_test_large(tm_folio(m, p, TM_BASE)));
	CHECK(!fsim_madvise(m, p, TM_BASE + PMD_SIZE, PMD_SIZE,
			    FSIM_MADV_HUGEPAGE));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK(vma_lookup(p, TM_BASE + PMD_SIZE)->vm_flags & VM_HUGEPAGE);
	CHECK(!(vma_lookup(p, TM_BASE)->vm_flags & VM_HUGEPAGE));
	CHECK(tm_write(m, p, TM_BASE + PMD_SIZE + TM_PAGE(9), 1));
	f = tm_folio(m, p, TM_BASE + PMD_SIZE);
	CHECK(f && folio_order(f) == HPAGE_PMD_ORDER);
	CHECK(tm_pmd_mapped(p, TM_BASE + PMD_SIZE));
	CHECK_INT(m->ev[THP_FAULT_ALLOC], ==, 1);
	CHECK(tm_read(m, p, TM_BASE + PMD_SIZE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * With enabled=always a write maps a THP; MADV_NOHUGEPAGE sets
 * VM_NOHUGEPAGE (clearing VM_HUGEPAGE) and the next fault maps one page.
 */
static bool test_madvise_nohugepage(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, 2 * PMD_SIZE, true);
	struct vm_area_struct *vma;

	CHECK(p);
	CHECK(!fsim_set(m, "enabled", "always"));
	CHECK(!fsim_madvise(m, p, TM_BASE + PMD_SIZE, PMD_SIZE,
			    FSIM_MADV_NOHUGEPAGE));
	vma = vma_lookup(p, TM_BASE + PMD_SIZE);
	CHECK(vma->vm_flags & VM_NOHUGEPAGE);
	CHECK(!(vma->vm_flags & VM_HUGEPAGE));
	CHECK(tm_write(m, p, TM_BASE + PMD_SIZE, 1));
	CHECK(!folio_test_large(tm_folio(m, p, TM_BASE + PMD_SIZE)));
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	/*
	 * Advice back: each half faulted while the flags differed, so each
	 * has its own anon_vma and they cannot merge (is_mergeable_anon_vma).
	 */
	CHECK(!fsim_madvise(m, p, TM_BASE + PMD_SIZE, PMD_SIZE,
			    FSIM_MADV_HUGEPAGE));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK(tm_read(m, p, TM_BASE, 2 * HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * Advice on part of a VMA splits it; advice taken back merges it again,
 * also after a fault (the pieces share the VMA's anon_vma).
 */
static bool test_madvise_split_and_merge_back(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, 2 * PMD_SIZE, false);
	unsigned long a = TM_BASE + TM_PAGE(3);

	CHECK(p);
	CHECK(!fsim_madvise(m, p, a, TM_PAGE(5), FSIM_MADV_DONTFORK));
	CHECK_INT(tm_nr_vmas(p), ==, 3);
	CHECK(!fsim_madvise(m, p, a, TM_PAGE(5), FSIM_MADV_DOFORK));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK(tm_write(m, p, TM_BASE, 16));
	CHECK(!fsim_madvise(m, p, a, TM_PAGE(5), FSIM_MADV_DONTFORK));
	CHECK_INT(tm_nr_vmas(p), ==, 3);
	CHECK(!fsim_madvise(m, p, a, TM_PAGE(5), FSIM_MADV_DOFORK));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK(tm_read(m, p, TM_BASE, 16));
	return tm_done(m);
}

/*
 * 4 MiB advised at TM_BASE, the second PMD made read-only before any
 * fault (no anon_vma there), then a write faults a THP into the first.
 */
static struct mm_struct *thp_beside_ro(struct fsim_machine *m)
{
	struct mm_struct *p = tm_process(m, TM_BASE, 2 * PMD_SIZE, true);

	if (!p || fsim_mprotect(m, p, TM_BASE + PMD_SIZE, PMD_SIZE, false) ||
	    !tm_write(m, p, TM_BASE, 1))
		return NULL;
	return p;
}

/*
 * A VMA that faults next to a faulted VMA whose flags differ only in the
 * access bits reuses that VMA's anon_vma (find_mergeable_anon_vma()), so
 * the two merge once mprotect makes their flags equal (same anon_vma).
 * Both keep VM_ACCOUNT: the ro one got its anon_vma before mprotect, the
 * rw one was charged again.  As measured on 6.18:
 *
 *   [ro: THP written][rw: faults]  --mprotect ro-->  [one VMA]
 */
static bool test_anon_vma_reused_by_neighbour(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = thp_beside_ro(m);

	CHECK(p);
	CHECK(!fsim_mprotect(m, p, TM_BASE, PMD_SIZE, false));
	CHECK(!fsim_mprotect(m, p, TM_BASE + PMD_SIZE, PMD_SIZE, true));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK(tm_write(m, p, TM_BASE + PMD_SIZE, 1));
	CHECK(!fsim_mprotect(m, p, TM_BASE + PMD_SIZE, PMD_SIZE, false));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK(tm_read(m, p, TM_BASE, 2 * HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * mprotect ro of a VMA without an anon_vma gives its commit charge back
 * (clears VM_ACCOUNT), so it no longer matches a ro neighbour that has an
 * anon_vma, nor lends it its anon_vma; made rw again it is charged again.
 * As measured on 6.18 (smaps "ac"):
 *
 *   [rw: written][ro: huge zero read]  --mprotect rw-->  still two VMAs
 *   [rw][ro][rw: written]  --mprotect all ro-->  [ro, no ac][ro, ac]
 */
static bool test_mprotect_account(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = thp_beside_ro(m);

	CHECK(p);
	CHECK(tm_read(m, p, TM_BASE + PMD_SIZE, 1));
	CHECK(tm_info(m, p, TM_BASE + PMD_SIZE).huge_zero);
	CHECK(!fsim_mprotect(m, p, TM_BASE + PMD_SIZE, PMD_SIZE, true));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK(tm_check(m));
	fsim_free(m);

	m = tm_new(NULL);
	p = tm_process(m, TM_BASE, 2 * PMD_SIZE, false);
	CHECK(p);
	CHECK(!fsim_mprotect(m, p, TM_BASE + PMD_SIZE, PAGE_SIZE, false));
	CHECK(tm_write(m, p, TM_BASE + PMD_SIZE + 42 * PAGE_SIZE, 1));
	CHECK(!fsim_mprotect(m, p, TM_BASE, 2 * PMD_SIZE, false));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK_INT(p->vmas[0].vm_end, ==, TM_BASE + PMD_SIZE + PAGE_SIZE);
	CHECK(!(p->vmas[0].vm_flags & VM_ACCOUNT));
	CHECK(p->vmas[1].vm_flags & VM_ACCOUNT);
	/* writable again: charged again, and one VMA */
	CHECK(!fsim_mprotect(m, p, TM_BASE, 2 * PMD_SIZE, true));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	return tm_done(m);
}

/*
 * A forked child's faulted VMA (its anon_vma chain also links the
 * parent's anon_vma) does not merge with a new mapping next to it
 * (is_mergeable_anon_vma(), vma_is_fork_child()); the parent's does.
 */
static bool test_fork_child_vma_does_not_merge(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false), *c;

	CHECK(p && tm_write(m, p, TM_BASE, 1));
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(!fsim_mmap(m, p, TM_BASE + PMD_SIZE, PMD_SIZE));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK(!fsim_mmap(m, c, TM_BASE + PMD_SIZE, PMD_SIZE));
	CHECK(tm_nr_vmas(c) == 2);
	CHECK(tm_write(m, c, TM_BASE + PMD_SIZE, 1));
	CHECK(tm_read(m, c, TM_BASE, 1));
	return tm_done(m);
}

/*
 * MADV_DONTNEED zaps: the THP is freed, RSS drops, the VMA stays, and a
 * read then maps the zero page (reads back as zeroes).
 */
static bool test_madvise_dontneed(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);
	struct fsim_page_info info;

	CHECK(p);
	CHECK(!fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_DONTNEED));
	CHECK(tm_check(m));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 0);
	CHECK_INT(fsim_anon_bytes(m), ==, 0);
	CHECK(tm_read(m, p, TM_BASE + TM_PAGE(3), 1));
	info = tm_info(m, p, TM_BASE + TM_PAGE(3));
	CHECK_INT(info.state, ==, FSIM_PAGE_ZERO);
	CHECK(info.huge_zero);		/* PMD-level read in a THP VMA */
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * MADV_DONTNEED over a whole PMD range frees the emptied PTE table
 * (CONFIG_PT_RECLAIM, 6.14+, set on the live 6.18 kernel), so the next
 * write fault there maps a PMD THP again.
 */
static bool test_dontneed_reclaims_pte_table(void)
{
	struct fsim_machine *m = tm_new("v6.18");
	struct mm_struct *p = tm_thp_process(m);

	CHECK(p);
	split_huge_pmd_address(m, p, vma_lookup(p, TM_BASE), TM_BASE);
	CHECK(!fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_DONTNEED));
	CHECK(pmd_none(*pmd_lookup(p, TM_BASE)));
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/* MADV_DONTNEED of some small pages: only those read back as zero. */
static bool test_madvise_dontneed_small(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false);

	CHECK(p && tm_write(m, p, TM_BASE, 8));
	CHECK(!fsim_madvise(m, p, TM_BASE + TM_PAGE(2), TM_PAGE(3),
			    FSIM_MADV_DONTNEED));
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 5);
	CHECK(tm_read(m, p, TM_BASE, 8));
	CHECK_INT(tm_info(m, p, TM_BASE + TM_PAGE(2)).state, ==,
		  FSIM_PAGE_ZERO);
	CHECK_INT(tm_info(m, p, TM_BASE + TM_PAGE(5)).state, ==,
		  FSIM_PAGE_PRESENT);
	CHECK_INT(fsim_anon_bytes(m), ==, TM_PAGE(5));
	return tm_done(m);
}

/*
 * MADV_DONTFORK: the child has no such VMA (its accesses fault with
 * -EFAULT); MADV_DOFORK undoes it for the next fork.
 */
static bool test_madvise_dontfork(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, R(0), PMD_SIZE, false), *c;
	content_t got, want;

	CHECK(p);
	CHECK(!fsim_mmap(m, p, R(1), PMD_SIZE));
	CHECK(tm_write(m, p, R(0), 4) && tm_write(m, p, R(1), 4));
	CHECK(!fsim_madvise(m, p, R(1), PMD_SIZE, FSIM_MADV_DONTFORK));
	CHECK(vma_lookup(p, R(1))->vm_flags & VM_DONTCOPY);
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(!vma_lookup(c, R(1)));
	CHECK_INT(fsim_read(m, c, R(1), &got, &want), ==, -EFAULT);
	CHECK(tm_read(m, c, R(0), 4));
	CHECK_INT(c->rss_stat[MM_ANONPAGES], ==, 4);
	CHECK(tm_check(m));
	CHECK(!fsim_madvise(m, p, R(1), PMD_SIZE, FSIM_MADV_DOFORK));
	CHECK(!(vma_lookup(p, R(1))->vm_flags & VM_DONTCOPY));
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_read(m, c, R(1), 4));
	return tm_done(m);
}

/*
 * mremap moves small pages with their contents: the same folios at the
 * new address, nothing at the old one, RSS unchanged.
 */
static bool test_mremap_small(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, R(0), TM_PAGE(16), false);
	struct folio *f;
	content_t got, want;

	CHECK(p && tm_write(m, p, R(0), 16));
	f = tm_folio(m, p, R(0) + TM_PAGE(3));
	CHECK(!fsim_mremap(m, p, R(0), TM_PAGE(16), R(1) + TM_PAGE(5),
			   TM_PAGE(16)));
	CHECK(tm_check(m));
	CHECK(tm_folio(m, p, R(1) + TM_PAGE(8)) == f);
	CHECK(tm_read(m, p, R(1) + TM_PAGE(5), 16));
	CHECK_INT(fsim_read(m, p, R(0), &got, &want), ==, -EFAULT);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 16);
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	/* still exclusive: written in place */
	CHECK(tm_write(m, p, R(1) + TM_PAGE(5), 16));
	CHECK(tm_folio(m, p, R(1) + TM_PAGE(8)) == f);
	return tm_done(m);
}

/*
 * madvise and mprotect that change no VMA flag on part of a PMD-mapped THP
 * leave the VMA and the PMD whole (madvise_update_vma() and mprotect_fixup()
 * return early); the first real change splits both.
 */
static bool test_noop_flag_change_keeps_pmd(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m);
	unsigned long part = TM_PAGE(10);

	CHECK(p);
	CHECK(!fsim_madvise(m, p, TM_BASE, part, FSIM_MADV_HUGEPAGE));
	CHECK(!fsim_madvise(m, p, TM_BASE, part, FSIM_MADV_DOFORK));
	CHECK(!fsim_madvise(m, p, TM_BASE, part, FSIM_MADV_UNMERGEABLE));
	CHECK(!fsim_mprotect(m, p, TM_BASE, part, true));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 0);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK(!fsim_madvise(m, p, TM_BASE, part, FSIM_MADV_MERGEABLE));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
	/* now mergeable already: a second call changes nothing more */
	CHECK(!fsim_madvise(m, p, TM_BASE, part, FSIM_MADV_MERGEABLE));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	return tm_done(m);
}

/*
 * copy_vma(): a VMA that never had an anon page takes the page offset of
 * its destination, so it merges with an untouched neighbour; one with an
 * anon_vma keeps its offset and stays apart.
 */
static bool test_mremap_unfaulted_merges(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m);

	CHECK(p && !fsim_mmap(m, p, R(0), PMD_SIZE));
	CHECK(!fsim_mmap(m, p, R(1), PMD_SIZE / 2));
	CHECK(!fsim_mremap(m, p, R(1), PMD_SIZE / 2, R(0) + PMD_SIZE / 2,
			   PMD_SIZE / 2));
	CHECK_INT(tm_nr_vmas(p), ==, 1);
	CHECK(tm_write(m, p, R(0), 1));
	CHECK(!fsim_mmap(m, p, R(2), PMD_SIZE / 2));
	CHECK(tm_write(m, p, R(2), 1));
	CHECK(!fsim_mremap(m, p, R(2), PMD_SIZE / 2, R(0) + PMD_SIZE,
			   PMD_SIZE / 2));
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	return tm_done(m);
}

/* A whole, aligned PMD THP moves as a PMD: no split, same folio. */
static bool test_mremap_pmd_aligned(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	CHECK(!fsim_mremap(m, p, TM_BASE, PMD_SIZE, R(3), PMD_SIZE));
	CHECK(tm_check(m));
	CHECK(tm_pmd_mapped(p, R(3)));
	CHECK(tm_folio(m, p, R(3)) == f);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 0);
	CHECK(tm_read(m, p, R(3), HPAGE_PMD_NR));
	CHECK(tm_write(m, p, R(3) + TM_PAGE(1), 1));
	CHECK(tm_pmd_mapped(p, R(3)));
	return tm_done(m);
}

/*
 * A PMD THP moved to an unaligned address is split first; its data
 * survives, and the folio can still be found by the rmap walk: a later
 * partial munmap and shrink split it cleanly.
 */
static bool test_mremap_pmd_unaligned(void)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	unsigned long to = R(3) + TM_PAGE(7);
	struct folio *f;

	CHECK(tm_start(&m, NULL, 0, &p, &f, NULL));
	CHECK(!fsim_mremap(m, p, TM_BASE, PMD_SIZE, to, PMD_SIZE));
	CHECK(tm_check(m));
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
	CHECK(tm_folio(m, p, to) == f);
	CHECK(tm_read(m, p, to, HPAGE_PMD_NR));
	CHECK(!fsim_munmap(m, p, to, PMD_SIZE / 2));
	CHECK(folio_test(f, PG_partially_mapped));
	fsim_shrink(m);
	CHECK_INT(m->ev[THP_SPLIT_PAGE], ==, 1);
	CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE / 2);
	CHECK(tm_read(m, p, to + PMD_SIZE / 2, HPAGE_PMD_NR / 2));
	return tm_done(m);
}

/*
 * mremap may grow (the new tail reads as zero) or shrink (the old tail is
 * unmapped and freed).
 */
static bool test_mremap_grow_shrink(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, R(0), TM_PAGE(8), false);
	content_t got, want;

	CHECK(p && tm_write(m, p, R(0), 8));
	CHECK(!fsim_mremap(m, p, R(0), TM_PAGE(8), R(1), TM_PAGE(12)));
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, R(1), 12));
	CHECK_INT(vma_lookup(p, R(1))->vm_end, ==, R(1) + TM_PAGE(12));
	CHECK(!fsim_mremap(m, p, R(1), TM_PAGE(12), R(2), TM_PAGE(3)));
	CHECK(tm_check(m));
	CHECK(tm_read(m, p, R(2), 3));
	CHECK_INT(fsim_read(m, p, R(2) + TM_PAGE(3), &got, &want), ==,
		  -EFAULT);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 3);
	CHECK_INT(fsim_anon_bytes(m), ==, TM_PAGE(3));
	return tm_done(m);
}

/* mremap refuses overlapping ranges and sources spanning VMAs. */
static bool test_mremap_errors(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_process(m, R(0), TM_PAGE(8), false);

	CHECK(p);
	CHECK(!fsim_mmap(m, p, R(0) + TM_PAGE(9), TM_PAGE(8)));
	CHECK_INT(fsim_mremap(m, p, R(0), TM_PAGE(8), R(0) + TM_PAGE(4),
			      TM_PAGE(8)), ==, -EINVAL);
	CHECK_INT(fsim_mremap(m, p, R(0), TM_PAGE(12), R(1), TM_PAGE(12)),
		  ==, -EFAULT);
	CHECK_INT(fsim_mremap(m, p, R(2), TM_PAGE(1), R(1), TM_PAGE(1)), ==,
		  -EFAULT);
	CHECK_INT(fsim_mremap(m, p, R(0) + 1, TM_PAGE(1), R(1), TM_PAGE(1)),
		  ==, -EINVAL);
	CHECK_INT(tm_nr_vmas(p), ==, 2);
	return tm_done(m);
}

/* Data written before mremap survives in a forked child too. */
static bool test_mremap_then_fork(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = tm_thp_process(m), *c;

	CHECK(p);
	CHECK(!fsim_mremap(m, p, TM_BASE + TM_PAGE(16), TM_PAGE(32), R(2),
			   TM_PAGE(32)));
	CHECK(tm_check(m));
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_read(m, c, R(2), 32));
	CHECK(tm_read(m, c, TM_BASE, 16));
	CHECK(tm_write(m, c, R(2), 32));
	CHECK(tm_read(m, p, R(2), 32));
	return tm_done(m);
}

/* Layouts that fork must copy: each region of the parent, by kind. */
enum layout {
	L_PMD_THP,		/* 2 MiB, PMD-mapped */
	L_PTE_THP,		/* 2 MiB THP, PMD split, one page read-only */
	L_MTHP,			/* 64 KiB mTHPs */
	L_SMALL,		/* small pages, zero pages and holes */
	L_HUGE_ZERO,		/* the huge zero page */
	L_PARTIAL_THP,		/* a THP, second quarter unmapped */
	L_READ_ONLY,		/* written, then mprotect(PROT_READ) */
	L_DONTFORK,		/* MADV_DONTFORK */
	NR_LAYOUTS
};

static bool build_layout(struct fsim_machine *m, struct mm_struct *p,
			 enum layout l)
{
	unsigned long a = R(l);

	CHECK(!fsim_mmap(m, p, a, PMD_SIZE));
	switch (l) {
	case L_PMD_THP:
	case L_PARTIAL_THP:
	case L_PTE_THP:
		CHECK(!fsim_madvise(m, p, a, PMD_SIZE, FSIM_MADV_HUGEPAGE));
		CHECK(tm_write(m, p, a, HPAGE_PMD_NR));
		CHECK(tm_pmd_mapped(p, a));
		if (l == L_PTE_THP)
			CHECK(!fsim_mprotect(m, p, a + TM_PAGE(9), PAGE_SIZE,
					     false));
		if (l == L_PARTIAL_THP)
			CHECK(!fsim_munmap(m, p, a + PMD_SIZE / 4,
					   PMD_SIZE / 4));
		break;
	case L_MTHP:
		CHECK(!fsim_set(m, "hugepages-64kB/enabled", "always"));
		CHECK(tm_write(m, p, a, 40));
		CHECK_INT(folio_order(tm_folio(m, p, a + TM_PAGE(33))), ==, 4);
		CHECK(!fsim_set(m, "hugepages-64kB/enabled", "never"));
		break;
	case L_SMALL:
		CHECK(tm_write(m, p, a, 3));
		CHECK(tm_read(m, p, a + TM_PAGE(3), 3));
		CHECK(tm_write(m, p, a + TM_PAGE(10), 1));
		break;
	case L_HUGE_ZERO:
		CHECK(!fsim_madvise(m, p, a, PMD_SIZE, FSIM_MADV_HUGEPAGE));
		CHECK(tm_read(m, p, a, 1));
		CHECK(tm_info(m, p, a).huge_zero);
		break;
	case L_READ_ONLY:
		CHECK(tm_write(m, p, a, 8));
		CHECK(!fsim_mprotect(m, p, a, PMD_SIZE, false));
		break;
	case L_DONTFORK:
		CHECK(tm_write(m, p, a, 8));
		CHECK(!fsim_madvise(m, p, a, PMD_SIZE, FSIM_MADV_DONTFORK));
		break;
	default:
		break;
	}
	return tm_check(m);
}

/* Read every page of every region still mapped in @mm. */
static bool read_all(struct fsim_machine *m, struct mm_struct *mm)
{
	int l;

	for (l = 0; l < NR_LAYOUTS; l++) {
		unsigned long a;

		for (a = R(l); a < R(l) + PMD_SIZE; a += PAGE_SIZE)
			if (vma_lookup(mm, a))
				CHECK(tm_read(m, mm, a, 1));
	}
	return true;
}

/* Write every writable page of every region still mapped in @mm. */
static bool write_all(struct fsim_machine *m, struct mm_struct *mm)
{
	int l;

	for (l = 0; l < NR_LAYOUTS; l++) {
		unsigned long a;

		for (a = R(l); a < R(l) + PMD_SIZE; a += PAGE_SIZE) {
			struct vm_area_struct *vma = vma_lookup(mm, a);

			if (vma && (vma->vm_flags & VM_WRITE))
				CHECK(tm_write(m, mm, a, 1));
		}
	}
	return true;
}

/*
 * fork of every layout: the child sees the parent's data everywhere but
 * in the DONTFORK region; then each side writes everything and the other
 * side still reads its own data.
 */
static bool test_fork_every_layout(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m), *c;
	int l;

	CHECK(p);
	for (l = 0; l < NR_LAYOUTS; l++)
		CHECK(build_layout(m, p, (enum layout)l));
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_check(m));
	CHECK(tm_pmd_mapped(c, R(L_PMD_THP)));
	CHECK(tm_info(m, c, R(L_HUGE_ZERO)).huge_zero);
	CHECK(!vma_lookup(c, R(L_DONTFORK)));
	CHECK(tm_folio(m, c, R(L_MTHP)) == tm_folio(m, p, R(L_MTHP)));
	CHECK_INT(c->rss_stat[MM_ANONPAGES], ==,
		  p->rss_stat[MM_ANONPAGES] - 8);
	CHECK(read_all(m, c));
	CHECK(read_all(m, p));
	CHECK(tm_check(m));
	CHECK(write_all(m, c));
	CHECK(tm_check(m));
	CHECK(read_all(m, p));
	CHECK(write_all(m, p));
	CHECK(tm_check(m));
	CHECK(read_all(m, c));
	CHECK(read_all(m, p));
	return tm_done(m);
}

/*
 * exit frees everything: with every layout in parent and child, once
 * both exit no anonymous memory, stat or queued folio is left.
 */
static bool test_exit_frees_everything(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m), *c;
	content_t got, want;
	int l;

	CHECK(p);
	for (l = 0; l < NR_LAYOUTS; l++)
		CHECK(build_layout(m, p, (enum layout)l));
	c = fsim_fork(m, p);
	CHECK(c);
	CHECK(tm_write(m, c, R(L_PMD_THP) + TM_PAGE(5), 1));
	CHECK(!fsim_exit(m, p));
	CHECK(tm_check(m));
	CHECK(read_all(m, c));
	CHECK(!fsim_exit(m, c));
	CHECK(tm_check(m));
	CHECK_INT(fsim_anon_bytes(m), ==, 0);
	CHECK_INT(m->ev[NR_ANON_MAPPED], ==, 0);
	CHECK_INT(m->ev[NR_ANON_THPS], ==, 0);
	CHECK_INT(m->phys.deferred_len, ==, 0);
	CHECK_INT(m->phys.nr_free, ==, m->phys.nr_pages);
	CHECK_INT(fsim_read(m, c, R(0), &got, &want), ==, -ESRCH);
	CHECK_INT(fsim_write(m, p, R(0), 1), ==, -ESRCH);
	CHECK_INT(fsim_munmap(m, p, R(0), PAGE_SIZE), ==, -ESRCH);
	CHECK(!fsim_fork(m, p));
	fsim_free(m);
	return true;
}

int main(void)
{
	TEST(test_mmap_errors(),
	     "mmap: -EEXIST on overlap, -EINVAL on bad ranges, -ESRCH dead");
	TEST(test_mmap_adjacent_merge(),
	     "adjacent anonymous mmaps merge into one VMA");
	TEST(test_munmap_whole(),
	     "munmap of a whole THP region frees it and zeroes the counters");
	TEST(test_munmap_page_in_thp(),
	     "munmap of one page of a THP splits VMA and PMD, queues the THP");
	TEST(test_munmap_holes(),
	     "munmap across holes removes the VMAs in range only");
	TEST(test_mprotect_half_thp(),
	     "mprotect of half a THP splits it; rw merges back, writable");
	TEST(test_mprotect_whole_pmd(),
	     "mprotect of a whole aligned PMD keeps it PMD-mapped");
	TEST(test_mprotect_rw_keeps_shared_ro(),
	     "mprotect rw leaves shared pages read-only; the write copies");
	TEST(test_mprotect_hole(),
	     "mprotect over a hole changes the VMAs before it, then -ENOMEM");
	TEST(test_madvise_hugepage(),
	     "MADV_HUGEPAGE sets VM_HUGEPAGE and the next write maps a THP");
	TEST(test_madvise_nohugepage(),
	     "MADV_NOHUGEPAGE makes the next write map one small page");
	TEST(test_madvise_split_and_merge_back(),
	     "advice on part of a VMA splits it; taken back, it merges");
	TEST(test_anon_vma_reused_by_neighbour(),
	     "a VMA faulting next to a compatible one shares its anon_vma");
	TEST(test_mprotect_account(),
	     "mprotect ro of a VMA without an anon_vma gives back VM_ACCOUNT");
	TEST(test_fork_child_vma_does_not_merge(),
	     "a fork child's faulted VMA does not merge with a new neighbour");
	TEST(test_madvise_dontneed(),
	     "MADV_DONTNEED frees a THP; reads then map the huge zero page");
	TEST(test_dontneed_reclaims_pte_table(),
	     "MADV_DONTNEED of a whole PTE table frees it (PT_RECLAIM)");
	TEST(test_madvise_dontneed_small(),
	     "MADV_DONTNEED of small pages: those read back as zero");
	TEST(test_madvise_dontfork(),
	     "MADV_DONTFORK hides the VMA from the child; DOFORK undoes it");
	TEST(test_noop_flag_change_keeps_pmd(),
	     "madvise/mprotect changing no flag on part of a THP split nothing");
	TEST(test_mremap_unfaulted_merges(),
	     "mremap of a never-faulted VMA merges with its new neighbour");
	TEST(test_mremap_small(),
	     "mremap moves small pages with their contents");
	TEST(test_mremap_pmd_aligned(),
	     "mremap moves a whole aligned PMD THP as a PMD");
	TEST(test_mremap_pmd_unaligned(),
	     "mremap to an unaligned address splits the PMD, keeps the data");
	TEST(test_mremap_grow_shrink(),
	     "mremap grows with zero pages and shrinks by unmapping the tail");
	TEST(test_mremap_errors(),
	     "mremap: -EINVAL on overlap, -EFAULT across VMAs");
	TEST(test_mremap_then_fork(),
	     "data moved by mremap is inherited and COWed by a child");
	TEST(test_fork_every_layout(),
	     "fork of every layout: child and parent keep their own data");
	TEST(test_exit_frees_everything(),
	     "exit of parent and child frees every folio and counter");
	return tap_done();
}
