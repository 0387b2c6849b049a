// SPDX-License-Identifier: GPL-2.0-only
/*
 * khugepaged and MADV_COLLAPSE basics: a full range collapses, the seed's
 * corner case under each profile, limits and their statuses.
 */
#include "lib/tm.h"
#include "model/khugepaged.h"

/* The last scan record for @mm at @addr, or NULL. */
static const struct kh_scan_record *last_record(struct fsim_machine *m,
						struct mm_struct *mm,
						unsigned long addr)
{
	struct khugepaged_state *k = m->khugepaged;
	size_t i;

	for (i = k->nr_records; i-- > 0;)
		if (k->records[i].mm_idx == mm->idx && k->records[i].addr == addr)
			return &k->records[i];
	return NULL;
}

/* 512 small pages, MADV_HUGEPAGE, khugepaged: one THP. */
static bool test_khugepaged_collapses_full_range(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m);
	const struct kh_scan_record *r;

	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(tm_write(m, p, TM_BASE, HPAGE_PMD_NR));
	CHECK(!fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE));
	CHECK(!tm_pmd_mapped(p, TM_BASE));
	CHECK(fsim_khugepaged(m, 1) > 0);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	r = last_record(m, p, TM_BASE);
	CHECK(r && r->status == SCAN_PMD_MAPPED);
	CHECK_INT(m->khugepaged->pages_collapsed, ==, 1);
	CHECK_INT(m->ev[THP_COLLAPSE_ALLOC], ==, 1);
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	CHECK_INT(p->rss_stat[MM_ANONPAGES], ==, HPAGE_PMD_NR);
	return tm_done(m);
}

/* MADV_COLLAPSE of one written page makes a THP (max_ptes_none ignored). */
static bool test_madvise_collapse_single_page(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p = fsim_spawn(m);

	CHECK(!fsim_set(m, "khugepaged/max_ptes_none", "0"));
	CHECK(!fsim_mmap(m, p, TM_BASE, PMD_SIZE));
	CHECK(tm_write(m, p, TM_BASE, 1));
	CHECK_INT(fsim_madvise(m, p, TM_BASE, PMD_SIZE, FSIM_MADV_COLLAPSE),
		  ==, 0);
	CHECK(tm_pmd_mapped(p, TM_BASE));
	CHECK(tm_read(m, p, TM_BASE, HPAGE_PMD_NR));
	return tm_done(m);
}

/*
 * The seed's corner case with max_ptes_shared=0: only v6.10 collapses,
 * and it then holds the old THP for the child plus a new one.
 */
static bool __test_seed_case(const char *profile, bool collapses)
{
	struct fsim_machine *m;
	struct mm_struct *p, *c;
	const struct kh_scan_record *r;

	CHECK(tm_seed_corner(&m, profile, &p, NULL, &c));
	CHECK(tm_read(m, p, TM_BASE, 257));	/* young PTEs */
	CHECK(!fsim_set(m, "khugepaged/max_ptes_shared", "0"));
	fsim_khugepaged(m, 1);
	CHECK_INT(tm_pmd_mapped(p, TM_BASE), ==, collapses);
	r = last_record(m, p, TM_BASE);
	CHECK(r);
	printf("# %s: %s, anon %lu KiB\n", profile, scan_result_names[r->status],
	       fsim_anon_bytes(m) >> 10);
	CHECK_INT(r->status, ==, collapses ? SCAN_PMD_MAPPED :
					   SCAN_EXCEED_SHARED_PTE);
	CHECK_INT(fsim_anon_bytes(m), ==,
		  collapses ? 2 * PMD_SIZE : PMD_SIZE + PAGE_SIZE);
	CHECK(tm_read(m, p, TM_BASE, 257));
	CHECK(tm_read(m, c, TM_BASE + TM_PAGE(1), 256));
	return tm_done(m);
}

int main(void)
{
	TEST(test_khugepaged_collapses_full_range(),
	     "khugepaged collapses a fully populated MADV_HUGEPAGE range");
	TEST(test_madvise_collapse_single_page(),
	     "MADV_COLLAPSE collapses a range with one page written");
	TEST(__test_seed_case("v6.9", false),
	     "seed case, max_ptes_shared=0: v6.9 refuses (exceed_shared_pte)");
	TEST(__test_seed_case("v6.10", true),
	     "seed case, max_ptes_shared=0: v6.10 collapses and holds 2 THPs");
	TEST(__test_seed_case("v6.15", false),
	     "seed case, max_ptes_shared=0: v6.15 refuses (exceed_shared_pte)");
	TEST(__test_seed_case("v6.18", false),
	     "seed case, max_ptes_shared=0: v6.18 refuses (exceed_shared_pte)");
	return tap_done();
}
