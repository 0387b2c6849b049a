// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for model tests (see tm.h). */
#include <stdio.h>

#include "tm.h"
#include "model/khugepaged.h"

struct fsim_machine *tm_new(const char *profile)
{
	return tm_new_sized(profile, 64UL << 20, 64UL << 20);
}

struct fsim_machine *tm_new_sized(const char *profile, uint64_t ram,
				  uint64_t swap)
{
	struct thp_settings s;

	settings_init_defaults(&s);
	s.ram_bytes = ram;
	s.swap_bytes = swap;
	struct fsim_profile p;
	char err[160];

	if (profile && profile_resolve(profile, &p, err, sizeof(err)))
		return NULL;
	return fsim_new(&s, profile ? &p : NULL);
}

bool tm_write(struct fsim_machine *m, struct mm_struct *mm, unsigned long addr,
	      long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (fsim_write(m, mm, addr + TM_PAGE(i), content_unique(m))) {
			printf("# write 0x%lx: %s\n", addr + TM_PAGE(i),
			       fsim_strerror(m));
			return false;
		}
	return true;
}

bool tm_read(struct fsim_machine *m, struct mm_struct *mm, unsigned long addr,
	     long n)
{
	content_t got, want;
	long i;

	for (i = 0; i < n; i++) {
		if (fsim_read(m, mm, addr + TM_PAGE(i), &got, &want)) {
			printf("# read 0x%lx: %s\n", addr + TM_PAGE(i),
			       fsim_strerror(m));
			return false;
		}
		if (got != want) {
			printf("# read 0x%lx: data lost (got %x want %x)\n",
			       addr + TM_PAGE(i), got, want);
			return false;
		}
	}
	return true;
}

bool tm_check(struct fsim_machine *m)
{
	printf("# checking invariants\n");
	return fsim_check(m, stdout) == 0;
}

struct page *tm_page(struct fsim_machine *m, struct mm_struct *mm,
		     unsigned long addr)
{
	struct fsim_page_info info;

	fsim_page_info(m, mm, addr, &info);
	if (info.state != FSIM_PAGE_PRESENT)
		return NULL;
	return &m->phys.pages[info.pfn];
}

struct folio *tm_folio(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long addr)
{
	struct page *page = tm_page(m, mm, addr);

	return page ? page_folio(&m->phys, page) : NULL;
}

struct mm_struct *tm_thp_process(struct fsim_machine *m)
{
	struct mm_struct *mm = fsim_spawn(m);

	if (!mm || fsim_mmap(m, mm, TM_BASE, PMD_SIZE) ||
	    fsim_madvise(m, mm, TM_BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE) ||
	    !tm_write(m, mm, TM_BASE, HPAGE_PMD_NR))
		return NULL;
	return mm;
}

bool tm_pmd_mapped(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = pmd_lookup(mm, addr);

	return pmd && pmd_trans_huge(*pmd) && !pmd_huge_zero(*pmd);
}

static bool tm_field_is(const char *name, long long got, long long want)
{
	if (got == want)
		return true;
	printf("#   %s: got %lld, want %lld\n", name, got, want);
	return false;
}

bool tm_large_is(struct fsim_machine *m, struct folio *folio,
		 struct tm_large want)
{
	const struct folio_large *fl = folio_large(&m->phys, folio);
	bool ok = true;

	ok &= tm_field_is("_large_mapcount", fl->_large_mapcount, want.large);
	ok &= tm_field_is("_entire_mapcount", fl->_entire_mapcount,
			  want.entire);
	ok &= tm_field_is("_nr_pages_mapped", fl->_nr_pages_mapped,
			  want.nr_pages_mapped);
	ok &= tm_field_is("_mm_id[0]", fl->_mm_id[0], want.id0);
	ok &= tm_field_is("_mm_id_mapcount[0]", fl->_mm_id_mapcount[0],
			  want.cnt0);
	ok &= tm_field_is("_mm_id[1]", fl->_mm_id[1], want.id1);
	ok &= tm_field_is("_mm_id_mapcount[1]", fl->_mm_id_mapcount[1],
			  want.cnt1);
	ok &= tm_field_is("shared bit", fl->mm_ids_shared, want.shared);
	return ok;
}

bool tm_pages_mapcount(struct folio *folio, long from, long n, int raw)
{
	long i;

	for (i = from; i < from + n; i++)
		if (folio_page(folio, i)->_mapcount != raw) {
			printf("#   page %ld: _mapcount %d, want %d\n", i,
			       folio_page(folio, i)->_mapcount, raw);
			return false;
		}
	return true;
}

bool tm_pages_exclusive(struct folio *folio, long from, long n, bool excl)
{
	long i;

	for (i = from; i < from + n; i++)
		if (PageAnonExclusive(folio_page(folio, i)) != excl) {
			printf("#   page %ld: PG_anon_exclusive %d, want %d\n",
			       i, !excl, excl);
			return false;
		}
	return true;
}

struct fsim_page_info tm_info(struct fsim_machine *m, struct mm_struct *mm,
			      unsigned long addr)
{
	struct fsim_page_info info;

	fsim_page_info(m, mm, addr, &info);
	return info;
}

struct mm_struct *tm_process(struct fsim_machine *m, unsigned long addr,
			     unsigned long len, bool hugepage)
{
	struct mm_struct *mm = fsim_spawn(m);

	if (!mm || fsim_mmap(m, mm, addr, len) ||
	    (hugepage &&
	     fsim_madvise(m, mm, addr, len, FSIM_MADV_HUGEPAGE)))
		return NULL;
	return mm;
}

int tm_nr_vmas(struct mm_struct *mm)
{
	return mm->nr_vmas;
}

const struct kh_scan_record *tm_last_record(struct fsim_machine *m,
					    struct mm_struct *mm,
					    unsigned long addr)
{
	struct khugepaged_state *k = m->khugepaged;
	size_t i;

	for (i = k->nr_records; i-- > 0;)
		if (k->records[i].mm_idx == mm->idx &&
		    k->records[i].addr == addr)
			return &k->records[i];
	return NULL;
}

long tm_count_state(struct fsim_machine *m, struct mm_struct *mm,
		    unsigned long addr, long n, enum fsim_page_state state)
{
	long i, nr = 0;

	for (i = 0; i < n; i++)
		nr += tm_info(m, mm, addr + TM_PAGE(i)).state == state;
	return nr;
}

int tm_pageout(struct fsim_machine *m, struct mm_struct *mm,
	       unsigned long addr, long pages)
{
	return fsim_madvise(m, mm, addr, TM_PAGE(pages), FSIM_MADV_PAGEOUT);
}

bool tm_done(struct fsim_machine *m)
{
	bool ok = tm_check(m);

	fsim_free(m);
	return ok;
}

const char *const tm_profiles[TM_NR_PROFILES] = {
	"v6.9", "v6.10", "v6.15", "v6.18",
};

struct mm_struct *tm_mthp_process(struct fsim_machine *m, long nr)
{
	struct mm_struct *mm;

	if (fsim_set(m, "hugepages-64kB/enabled", "always"))
		return NULL;
	mm = tm_process(m, TM_BASE, PMD_SIZE, false);
	return mm && tm_write(m, mm, TM_BASE, nr) ? mm : NULL;
}

bool tm_khugepaged(struct fsim_machine *m, struct mm_struct *mm,
		   unsigned long addr, unsigned long len)
{
	if (fsim_madvise(m, mm, addr, len, FSIM_MADV_HUGEPAGE))
		return false;
	fsim_khugepaged(m, 1);
	return true;
}

bool tm_start(struct fsim_machine **m, const char *profile, long nr,
	      struct mm_struct **p, struct folio **f, struct mm_struct **c)
{
	*m = tm_new(profile);
	CHECK(*m);
	*p = nr > 0 ? tm_mthp_process(*m, nr) : tm_thp_process(*m);
	CHECK(*p);
	if (f)
		*f = tm_folio(*m, *p, TM_BASE);
	if (c) {
		*c = fsim_fork(*m, *p);
		CHECK(*c);
	}
	return true;
}

static int tm_dontneed(struct fsim_machine *m, struct mm_struct *mm,
		       long from, long n)
{
	return fsim_madvise(m, mm, TM_BASE + TM_PAGE(from), TM_PAGE(n),
			    FSIM_MADV_DONTNEED);
}

bool tm_seed_corner(struct fsim_machine **m, const char *profile,
		    struct mm_struct **p, struct folio **f,
		    struct mm_struct **c)
{
	CHECK(tm_start(m, profile, 0, p, f, c));
	CHECK(!tm_dontneed(*m, *c, 0, 1));
	CHECK(!tm_dontneed(*m, *c, 257, 255));
	CHECK(!tm_dontneed(*m, *p, 257, 255));
	CHECK(tm_write(*m, *p, TM_BASE, 1));
	return true;
}
