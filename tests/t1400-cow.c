// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copy-on-write in each kernel era (mapping accounting spec 5.3, 5.4 and
 * 10): every behaviour is one parameterised helper run under the four
 * profiles, v6.9, v6.10 (6.10-6.14), v6.15 (6.15-6.17) and v6.18, with the
 * era's expected answer passed in.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/tm.h"


/* Large folios are reused on write from 6.15. */
static bool era_large_reuse(const char *profile)
{
	return !strcmp(profile, "v6.15") || !strcmp(profile, "v6.18");
}

/* A write to the huge zero PMD allocates a THP from 6.13. */
static bool era_huge_zero_alloc(const char *profile)
{
	return era_large_reuse(profile);
}

/* ... and 6.18 queues that THP for the underused shrinker. */
static bool era_huge_zero_queue(const char *profile)
{
	return !strcmp(profile, "v6.18");
}

/* @p is shared by a fork once, and the child is gone again. */
static bool fork_and_exit(struct fsim_machine *m, struct mm_struct *p)
{
	struct mm_struct *c = fsim_fork(m, p);

	CHECK(c && !fsim_exit(m, c));
	return true;
}

/* A write of @mm's page at @addr that leaves @f for a copy. */
static bool write_copies(struct fsim_machine *m, struct mm_struct *mm,
			 unsigned long addr, struct folio *f)
{
	CHECK(tm_write(m, mm, addr, 1));
	CHECK(tm_folio(m, mm, addr) != f);
	return true;
}

/*
 * After fork, a write to a PMD THP splits the writer's PMD and copies one
 * 4 KiB page; the rest of the THP stays mapped read-only, the other
 * process keeps its PMD.
 *
 *   parent  [pppp c pppp]   511 PTEs into the THP + one copied page
 *   child   [PPPPPPPPPPP]   the PMD
 */
static bool __test_pmd_write_after_fork(const char *profile, bool child)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = tm_thp_process(m), *c, *w, *o;
	unsigned long before;
	struct folio *f, *g;
	long i;

	CHECK(p);
	f = tm_folio(m, p, TM_BASE);
	c = fsim_fork(m, p);
	CHECK(c);
	w = child ? c : p;
	o = child ? p : c;
	before = fsim_anon_bytes(m);
	CHECK(tm_write(m, w, TM_BASE + TM_PAGE(7), 1));
	CHECK(tm_check(m));
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
	CHECK_INT(m->ev[THP_FAULT_ALLOC], ==, 1);
	CHECK_INT(fsim_anon_bytes(m), ==, before + PAGE_SIZE);
	CHECK(!tm_pmd_mapped(w, TM_BASE));
	CHECK(tm_pmd_mapped(o, TM_BASE));
	g = tm_folio(m, w, TM_BASE + TM_PAGE(7));
	CHECK(g != f && !folio_test_large(g));
	CHECK(tm_info(m, w, TM_BASE + TM_PAGE(7)).writable);
	CHECK(tm_info(m, w, TM_BASE + TM_PAGE(7)).anon_exclusive);
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		if (i == 7)
			continue;
		CHECK(tm_folio(m, w, TM_BASE + TM_PAGE(i)) == f);
		CHECK(!tm_info(m, w, TM_BASE + TM_PAGE(i)).writable);
	}
	CHECK_INT(folio_mapcount(m, f), ==, HPAGE_PMD_NR);
	CHECK(tm_read(m, w, TM_BASE, HPAGE_PMD_NR));
	CHECK(tm_read(m, o, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * A write to the huge zero PMD: 6.13+ replaces it with a whole new THP
 * (6.18 also queues it for the underused shrinker); before, the zero PMD
 * is split and one 4 KiB page is copied, the rest stays the zero page.
 */
static bool __test_huge_zero_write(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, true);
	struct folio *f;

	CHECK(p && tm_read(m, p, TM_BASE, 1));
	CHECK(tm_info(m, p, TM_BASE).huge_zero);
	CHECK_INT(fsim_anon_bytes(m), ==, 0);
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(3), 1));
	CHECK(tm_check(m));
	f = tm_folio(m, p, TM_BASE + TM_PAGE(3));
	CHECK(f);
	if (era_huge_zero_alloc(profile)) {
		CHECK(tm_pmd_mapped(p, TM_BASE));
		CHECK_INT(folio_order(f), ==, HPAGE_PMD_ORDER);
		CHECK_INT(m->ev[THP_FAULT_ALLOC], ==, 1);
		CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 0);
		CHECK_INT(fsim_anon_bytes(m), ==, PMD_SIZE);
		CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, HPAGE_PMD_NR);
		CHECK(PageAnonExclusive(&f->page));
		CHECK(folio_test(f, PG_deferred) ==
		      era_huge_zero_queue(profile));
		CHECK(!folio_test(f, PG_partially_mapped));
	} else {
		CHECK(!tm_pmd_mapped(p, TM_BASE));
		CHECK(!folio_test_large(f));
		CHECK_INT(m->ev[THP_FAULT_ALLOC], ==, 0);
		CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 1);
		CHECK_INT(fsim_anon_bytes(m), ==, PAGE_SIZE);
		CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 1);
		CHECK_INT(tm_info(m, p, TM_BASE).state, ==, FSIM_PAGE_ZERO);
		CHECK(!tm_info(m, p, TM_BASE).huge_zero);
	}
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * With use_zero_page=0 a read fault in a THP VMA allocates a real THP,
 * which (6.12+) is queued for the underused shrinker like a write fault's.
 */
static bool __test_read_fault_without_zero_page(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, true);
	struct folio *f;

	CHECK(p && !fsim_set(m, "use_zero_page", "0"));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	f = tm_folio(m, p, TM_BASE);
	CHECK(f && folio_order(f) == HPAGE_PMD_ORDER);
	CHECK(folio_test(f, PG_deferred) == era_large_reuse(profile));
	return tm_done(m);
}

/*
 * With model/huge_zero_page=0 (a kernel that maps no huge zero page at
 * faults) a read fault in a THP VMA allocates a THP, while one in a
 * non-THP VMA still maps the small zero page.
 */
static bool __test_read_fault_without_huge_zero_page(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, true);
	struct mm_struct *q = tm_process(m, TM_BASE, PMD_SIZE, false);
	struct folio *f;

	CHECK(p && q && !fsim_set(m, "model/huge_zero_page", "0"));
	CHECK(tm_read(m, p, TM_BASE, 1));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	f = tm_folio(m, p, TM_BASE);
	CHECK(f && folio_order(f) == HPAGE_PMD_ORDER);
	CHECK_INT(m->ev[THP_FAULT_ALLOC], ==, 1);
	CHECK(tm_read(m, q, TM_BASE, 1));
	CHECK_INT(tm_info(m, q, TM_BASE).state, ==, FSIM_PAGE_ZERO);
	return tm_done(m);
}

/*
 * A small folio is reused when the writer holds the only reference:
 * after the child's exit, or after the other side already copied.
 */
static bool __test_small_reuse(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false), *c;
	struct folio *f, *g;

	CHECK(p && tm_write(m, p, TM_BASE, 2));
	f = tm_folio(m, p, TM_BASE);
	g = tm_folio(m, p, TM_BASE + PAGE_SIZE);
	c = fsim_fork(m, p);
	CHECK(c);
	/* page 0: the parent copies, then the child owns f alone */
	CHECK(write_copies(m, p, TM_BASE, f));
	CHECK_INT(folio_ref_count(f), ==, 1);
	CHECK(tm_write(m, c, TM_BASE, 1));
	CHECK(tm_folio(m, c, TM_BASE) == f);
	CHECK(tm_info(m, c, TM_BASE).anon_exclusive);
	CHECK(tm_check(m));
	/* page 1: the child exits, the parent reuses g */
	CHECK(!fsim_exit(m, c));
	CHECK(!tm_info(m, p, TM_BASE + PAGE_SIZE).writable);
	CHECK(tm_write(m, p, TM_BASE + PAGE_SIZE, 1));
	CHECK(tm_folio(m, p, TM_BASE + PAGE_SIZE) == g);
	CHECK(tm_info(m, p, TM_BASE + PAGE_SIZE).writable);
	CHECK(tm_read(m, p, TM_BASE, 2));
	return tm_done(m);
}

/*
 * An mTHP shared by fork, then the child exits: 6.15+ reuses the folio
 * for the written page only (no fault-around), older eras copy it.
 */
static bool __test_mthp_reuse_after_child_exit(const char *profile)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	bool reuse = era_large_reuse(profile);
	struct folio *f;

	CHECK(tm_start(&m, profile, 16, &p, &f, NULL));
	CHECK_INT(folio_order(f), ==, 4);
	CHECK(fork_and_exit(m, p));
	CHECK(!folio_large(&m->phys, f)->mm_ids_shared);
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(3), 1));
	CHECK(tm_check(m));
	CHECK((tm_folio(m, p, TM_BASE + TM_PAGE(3)) == f) == reuse);
	CHECK(tm_info(m, p, TM_BASE + TM_PAGE(3)).writable);
	CHECK(tm_info(m, p, TM_BASE + TM_PAGE(3)).anon_exclusive);
	CHECK(!tm_info(m, p, TM_BASE + TM_PAGE(4)).writable);
	CHECK_INT(folio_mapcount(m, f), ==, reuse ? 16 : 15);
	CHECK_INT(fsim_anon_bytes(m), ==,
		  TM_PAGE(16) + (reuse ? 0 : PAGE_SIZE));
	CHECK(tm_read(m, p, TM_BASE, 16));
	return tm_done(m);
}

/* While the child still maps the mTHP, every era copies on write. */
static bool __test_mthp_copy_while_shared(const char *profile)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	struct folio *f;

	CHECK(tm_start(&m, profile, 16, &p, &f, &c));
	CHECK(write_copies(m, p, TM_BASE + TM_PAGE(3), f));
	/* the child's write of the page only it maps still copies */
	CHECK(write_copies(m, c, TM_BASE + TM_PAGE(3), f));
	CHECK_INT(folio_mapcount(m, f), ==, 30);
	CHECK(tm_read(m, p, TM_BASE, 16));
	CHECK(tm_read(m, c, TM_BASE, 16));
	return tm_done(m);
}

/*
 * A reference that is not a mapping (a GUP pin, say) keeps 6.15+ from
 * reusing a large folio: mapcount != refcount, so the page is copied.
 */
static bool __test_mthp_extra_ref_copies(const char *profile)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, profile, 16, &p, &f, NULL));
	CHECK(fork_and_exit(m, p));
	folio_ref_add(f, 1);
	CHECK(write_copies(m, p, TM_BASE + TM_PAGE(3), f));
	folio_put_refs(m, f, 1);
	CHECK(tm_read(m, p, TM_BASE, 16));
	return tm_done(m);
}

/*
 * The last mapped page of a large folio is copied, not reused (6.15+:
 * mapcount <= 1 prefers letting the folio go), and the folio is freed.
 */
static bool __test_mthp_last_page_copied(const char *profile)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, profile, 16, &p, &f, NULL));
	CHECK(fork_and_exit(m, p));
	CHECK(!fsim_madvise(m, p, TM_BASE + PAGE_SIZE, TM_PAGE(15),
			    FSIM_MADV_DONTNEED));
	CHECK_INT(folio_mapcount(m, f), ==, 1);
	CHECK(write_copies(m, p, TM_BASE, f));
	CHECK_INT(fsim_anon_bytes(m), ==, PAGE_SIZE);
	CHECK(tm_read(m, p, TM_BASE, 16));
	return tm_done(m);
}

/*
 * A PMD THP whose child exited is reused by PMD on write (refcount 1),
 * in every era: no split, no copy.
 */
static bool __test_pmd_reuse_after_child_exit(const char *profile)
{
	struct fsim_machine *m;
	struct mm_struct *p;
	struct folio *f;

	CHECK(tm_start(&m, profile, 0, &p, &f, NULL));
	CHECK(fork_and_exit(m, p));
	CHECK(!PageAnonExclusive(&f->page));
	CHECK(!tm_info(m, p, TM_BASE).writable);
	CHECK(tm_write(m, p, TM_BASE + TM_PAGE(100), 1));
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK(tm_folio(m, p, TM_BASE) == f);
	CHECK(PageAnonExclusive(&f->page));
	CHECK(tm_info(m, p, TM_BASE).writable);
	CHECK_INT(m->ev[THP_SPLIT_PMD], ==, 0);
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/* A read maps the zero page; the write then copies it into a new page. */
static bool __test_zero_page_read_then_write(const char *profile)
{
	struct fsim_machine *m = tm_new(profile);
	struct mm_struct *p = tm_process(m, TM_BASE, PMD_SIZE, false);
	struct fsim_page_info info;

	CHECK(p && tm_read(m, p, TM_BASE, 2));
	CHECK_INT(tm_info(m, p, TM_BASE).state, ==, FSIM_PAGE_ZERO);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 0);
	CHECK(tm_write(m, p, TM_BASE, 1));
	info = tm_info(m, p, TM_BASE);
	CHECK_INT(info.state, ==, FSIM_PAGE_PRESENT);
	CHECK(info.writable && info.anon_exclusive && info.order == 0);
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, 1);
	CHECK_INT(tm_info(m, p, TM_BASE + PAGE_SIZE).state, ==,
		  FSIM_PAGE_ZERO);
	CHECK(tm_read(m, p, TM_BASE, 2));
	return tm_done(m);
}

int main(void)
{
	int i;

	for (i = 0; i < TM_NR_PROFILES; i++) {
		const char *pr = tm_profiles[i];

		TEST(__test_pmd_write_after_fork(pr, false),
		     "%s: parent write to a forked PMD THP copies one page",
		     pr);
		TEST(__test_pmd_write_after_fork(pr, true),
		     "%s: child write to a forked PMD THP copies one page", pr);
		TEST(__test_huge_zero_write(pr),
		     "%s: write to the huge zero PMD %s", pr,
		     era_huge_zero_alloc(pr) ?
			     (era_huge_zero_queue(pr) ?
				      "maps a THP, queued as underused" :
				      "maps a THP, not queued") :
			     "splits it, copies one page");
		TEST(__test_read_fault_without_zero_page(pr),
		     "%s: read fault with use_zero_page=0 maps a THP", pr);
		TEST(__test_read_fault_without_huge_zero_page(pr),
		     "%s: read fault with model/huge_zero_page=0 maps a THP",
		     pr);
		TEST(__test_small_reuse(pr),
		     "%s: small folio with refcount 1 is reused on write", pr);
		TEST(__test_mthp_reuse_after_child_exit(pr),
		     "%s: mTHP write after child exit %s", pr,
		     era_large_reuse(pr) ? "reuses the page" :
					   "copies the page");
		TEST(__test_mthp_copy_while_shared(pr),
		     "%s: mTHP write while the child maps it copies", pr);
		TEST(__test_mthp_extra_ref_copies(pr),
		     "%s: an extra reference makes an mTHP write copy", pr);
		TEST(__test_mthp_last_page_copied(pr),
		     "%s: the last mapped page of an mTHP is copied", pr);
		TEST(__test_pmd_reuse_after_child_exit(pr),
		     "%s: PMD THP after child exit is reused by PMD", pr);
		TEST(__test_zero_page_read_then_write(pr),
		     "%s: zero page read, then write copies it", pr);
	}
	return tap_done();
}
