// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rmap primitives of Linux 6.18 (mm/rmap.c, include/linux/rmap.h) for
 * anonymous folios: what each one does to the mapcount fields, the MM_ID
 * slots and the statistics.  Refcounts are the callers' business.
 */
#include <errno.h>

#include "rmap.h"

/*
 * folio_set_large_mapcount(): a brand-new folio mapped @count times by @mm.
 * No other mm can see it yet, so slot 0 simply becomes @mm's.
 */
static void folio_set_large_mapcount(struct folio_large *fl, int count,
				     struct mm_struct *mm)
{
	fl->_large_mapcount = count - 1;
	fl->_mm_id_mapcount[0] = count - 1;
	fl->_mm_id[0] = mm->mm_id;
}

/*
 * folio_add_return_large_mapcount(): add @diff mappings of @mm.  The shared
 * bit is only ever set here: when @mm takes a slot while other mappings
 * exist.  A third mm finds both slots taken and stays untracked.
 */
static int folio_add_return_large_mapcount(struct fsim_machine *m,
					   struct folio_large *fl, int diff,
					   struct mm_struct *mm)
{
	int new = fl->_large_mapcount + diff;
	uint32_t id = mm->mm_id;

	m->cost.large_mapcount_ops++;
	fl->_large_mapcount = new;
	if (fl->_mm_id[0] == id) {
		fl->_mm_id_mapcount[0] += diff;
	} else if (fl->_mm_id[1] == id) {
		fl->_mm_id_mapcount[1] += diff;
	} else if (fl->_mm_id[0] == MM_ID_DUMMY) {
		fl->_mm_id[0] = id;
		fl->_mm_id_mapcount[0] = diff - 1;
		if (new != diff - 1)
			fl->mm_ids_shared = true;
	} else if (fl->_mm_id[1] == MM_ID_DUMMY) {
		fl->_mm_id[1] = id;
		fl->_mm_id_mapcount[1] = diff - 1;
		fl->mm_ids_shared = true;
	}
	return new + 1;
}

/*
 * folio_sub_return_large_mapcount(): the shared bit is only ever cleared
 * here, and only when @mm's slot just emptied (or @mm had none) and one
 * slot now owns every remaining mapping.
 */
static int folio_sub_return_large_mapcount(struct fsim_machine *m,
					   struct folio_large *fl, int diff,
					   struct mm_struct *mm)
{
	int new = fl->_large_mapcount - diff;
	uint32_t id = mm->mm_id;
	int i;

	m->cost.large_mapcount_ops++;
	fl->_large_mapcount = new;
	for (i = 0; i < 2; i++) {
		if (fl->_mm_id[i] != id)
			continue;
		fl->_mm_id_mapcount[i] -= diff;
		if (fl->_mm_id_mapcount[i] >= 0)
			return new + 1;
		/* An mm that took its slot late can underflow: clamp. */
		fl->_mm_id_mapcount[i] = -1;
		fl->_mm_id[i] = MM_ID_DUMMY;
		break;
	}
	if (fl->_mm_id_mapcount[0] == new || fl->_mm_id_mapcount[1] == new)
		fl->mm_ids_shared = false;
	return new + 1;
}

int folio_precise_page_mapcount(struct fsim_machine *m, struct folio *folio,
				const struct page *page)
{
	int mc = page->_mapcount + 1;

	if (folio_test_large(folio))
		mc += folio_entire_mapcount(m, folio);
	return mc;
}

/* Nothing in the scenario language pins memory, but the rules are kept. */
bool folio_maybe_dma_pinned(struct fsim_machine *m, struct folio *folio)
{
	if (folio_test_large(folio))
		return folio_large(&m->phys, folio)->_pincount > 0;
	return folio_ref_count(folio) >= 1024;	/* GUP_PIN_COUNTING_BIAS */
}

static void mod_anon_stats(struct fsim_machine *m, long nr, long nr_pmdmapped)
{
	m->ev[NR_ANON_MAPPED] += (uint64_t)nr;
	if (nr_pmdmapped)
		m->ev[NR_ANON_THPS] += nr_pmdmapped > 0 ? 1 : (uint64_t)-1;
}

/* __folio_add_rmap() at PTE level with per-page mapcounts. */
static void folio_add_rmap_ptes(struct fsim_machine *m, struct folio *folio,
				struct page *page, int nr,
				struct mm_struct *mm)
{
	struct folio_large *fl;
	int i, first = 0, nr_stat = 0, tot;

	if (!folio_test_large(folio)) {
		m->cost.page_mapcount_ops++;
		rmap_cost_small(m);
		if (++page->_mapcount == 0)
			mod_anon_stats(m, 1, 0);
		return;
	}
	fl = folio_large(&m->phys, folio);
	for (i = 0; i < nr; i++)
		if (++page[i]._mapcount == 0)
			first++;
	m->cost.page_mapcount_ops += (uint64_t)nr;
	rmap_cost_ptes(m, nr, first);
	if (first) {
		m->cost.nr_pages_mapped_ops++;
		fl->_nr_pages_mapped += first;
		if (fl->_nr_pages_mapped < ENTIRELY_MAPPED)
			nr_stat = first;
	}
	tot = folio_add_return_large_mapcount(m, fl, nr, mm);
	/* without per-page counts the whole folio counts as mapped */
	if (folio_mapcount_scheme(m) != MAPCOUNT_PER_PAGE)
		nr_stat = tot == nr ? (int)folio_nr_pages(folio) : 0;
	mod_anon_stats(m, nr_stat, 0);
}

static void folio_add_rmap_pmd(struct fsim_machine *m, struct folio *folio,
			       struct mm_struct *mm)
{
	struct folio_large *fl = folio_large(&m->phys, folio);
	long n = folio_nr_pages(folio), nr = 0, nr_pmdmapped = 0;
	bool first;

	m->cost.entire_mapcount_ops++;
	first = ++fl->_entire_mapcount == 0;
	if (first) {
		int v;

		m->cost.nr_pages_mapped_ops++;
		v = fl->_nr_pages_mapped += ENTIRELY_MAPPED;
		if (v < 2 * ENTIRELY_MAPPED) {
			nr = n - (v & FOLIO_PAGES_MAPPED);
			nr_pmdmapped = n;
		}
	}
	rmap_cost_pmd(m, first);
	if (folio_add_return_large_mapcount(m, fl, 1, mm) != 1 &&
	    folio_mapcount_scheme(m) != MAPCOUNT_PER_PAGE)
		nr = 0;
	mod_anon_stats(m, nr, nr_pmdmapped);
}

void folio_add_anon_rmap_ptes(struct fsim_machine *m, struct folio *folio,
			      struct page *page, int nr, struct mm_struct *mm,
			      int flags)
{
	int i;

	m->rmap_gen++;
	folio_add_rmap_ptes(m, folio, page, nr, mm);
	if (flags & RMAP_EXCLUSIVE)
		for (i = 0; i < nr; i++)
			SetPageAnonExclusive(&page[i]);
}

void folio_add_anon_rmap_pmd(struct fsim_machine *m, struct folio *folio,
			     struct page *page, struct mm_struct *mm,
			     int flags)
{
	m->rmap_gen++;
	folio_add_rmap_pmd(m, folio, mm);
	if (flags & RMAP_EXCLUSIVE)
		SetPageAnonExclusive(page);
}

void folio_add_new_anon_rmap(struct fsim_machine *m, struct folio *folio,
			     struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long addr, int flags)
{
	bool exclusive = flags & RMAP_EXCLUSIVE;
	long i, nr = folio_nr_pages(folio);
	struct folio_large *fl;

	m->rmap_gen++;
	folio_set(folio, PG_anon);
	if (!folio_test_large(folio)) {
		folio->page._mapcount = 0;
		if (exclusive)
			SetPageAnonExclusive(&folio->page);
		mod_anon_stats(m, 1, 0);
		return;
	}
	fl = folio_large(&m->phys, folio);
	fl->index = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	if (!folio_test_pmd_mappable(folio)) {
		for (i = 0; i < nr; i++) {
			folio_page(folio, i)->_mapcount = 0;
			if (exclusive)
				SetPageAnonExclusive(folio_page(folio, i));
		}
		folio_set_large_mapcount(fl, (int)nr, mm);
		fl->_nr_pages_mapped = (int)nr;
		mod_anon_stats(m, nr, 0);
	} else {
		fl->_entire_mapcount = 0;
		folio_set_large_mapcount(fl, 1, mm);
		fl->_nr_pages_mapped = ENTIRELY_MAPPED;
		if (exclusive)
			SetPageAnonExclusive(&folio->page);
		mod_anon_stats(m, nr, nr);
	}
}

int folio_try_dup_anon_rmap_ptes(struct fsim_machine *m, struct folio *folio,
				 struct page *page, int nr,
				 struct mm_struct *dst, struct mm_struct *src)
{
	bool maybe_pinned = folio_maybe_dma_pinned(m, folio);
	int i;

	(void)src;
	if (maybe_pinned)
		for (i = 0; i < nr; i++)
			if (PageAnonExclusive(&page[i]))
				return -EBUSY;
	m->rmap_gen++;
	for (i = 0; i < nr; i++) {
		ClearPageAnonExclusive(&page[i]);
		page[i]._mapcount++;
	}
	m->cost.page_mapcount_ops += (uint64_t)nr;
	if (!folio_test_large(folio)) {
		rmap_cost_small(m);
		return 0;
	}
	rmap_cost_ptes(m, nr, false);
	folio_add_return_large_mapcount(m, folio_large(&m->phys, folio), nr,
					dst);
	return 0;
}

int folio_try_dup_anon_rmap_pmd(struct fsim_machine *m, struct folio *folio,
				struct page *page, struct mm_struct *dst,
				struct mm_struct *src)
{
	struct folio_large *fl = folio_large(&m->phys, folio);

	(void)src;
	if (PageAnonExclusive(page)) {
		if (folio_maybe_dma_pinned(m, folio))
			return -EBUSY;
		ClearPageAnonExclusive(page);
	}
	m->rmap_gen++;
	m->cost.entire_mapcount_ops++;
	rmap_cost_pmd(m, false);
	fl->_entire_mapcount++;
	folio_add_return_large_mapcount(m, fl, 1, dst);
	return 0;
}

void folio_remove_rmap_ptes(struct fsim_machine *m, struct folio *folio,
			    struct page *page, int nr, struct mm_struct *mm)
{
	struct folio_large *fl;
	bool partially = false;
	int i, last = 0, nr_stat = 0, tot;

	m->rmap_gen++;
	if (!folio_test_large(folio)) {
		m->cost.page_mapcount_ops++;
		rmap_cost_small(m);
		if (--page->_mapcount < 0)
			mod_anon_stats(m, -1, 0);
		return;
	}
	fl = folio_large(&m->phys, folio);
	/* The large mapcount goes first, then the per-page counts. */
	tot = folio_sub_return_large_mapcount(m, fl, nr, mm);
	for (i = 0; i < nr; i++)
		if (--page[i]._mapcount < 0)
			last++;
	m->cost.page_mapcount_ops += (uint64_t)nr;
	rmap_cost_ptes(m, nr, last);
	if (last) {
		m->cost.nr_pages_mapped_ops++;
		fl->_nr_pages_mapped -= last;
		if (fl->_nr_pages_mapped < ENTIRELY_MAPPED)
			nr_stat = last;
	}
	if (folio_mapcount_scheme(m) == MAPCOUNT_PER_PAGE) {
		partially = nr_stat && fl->_nr_pages_mapped;
	} else {
		/* blind to pages another mm still maps (docs/profiles.md) */
		nr_stat = tot ? 0 : (int)folio_nr_pages(folio);
		partially = folio_certainly_partially_mapped(m, folio);
	}
	mod_anon_stats(m, -nr_stat, 0);
	if (partially && folio_test(folio, PG_anon) &&
	    !folio_test(folio, PG_partially_mapped))
		deferred_split_folio(m, folio, true);
}

void folio_remove_rmap_pmd(struct fsim_machine *m, struct folio *folio,
			   struct page *page, struct mm_struct *mm)
{
	struct folio_large *fl = folio_large(&m->phys, folio);
	long n = folio_nr_pages(folio), nr = 0, nr_pmdmapped = 0;
	bool last, partially;
	int tot;

	(void)page;
	m->rmap_gen++;
	tot = folio_sub_return_large_mapcount(m, fl, 1, mm);
	m->cost.entire_mapcount_ops++;
	last = --fl->_entire_mapcount < 0;
	rmap_cost_pmd(m, last);
	if (last) {
		m->cost.nr_pages_mapped_ops++;
		fl->_nr_pages_mapped -= ENTIRELY_MAPPED;
		if (fl->_nr_pages_mapped < ENTIRELY_MAPPED) {
			nr_pmdmapped = n;
			nr = n - (fl->_nr_pages_mapped & FOLIO_PAGES_MAPPED);
			if (nr < 0)
				nr = 0;
		}
	}
	if (folio_mapcount_scheme(m) == MAPCOUNT_PER_PAGE) {
		partially = nr && nr < nr_pmdmapped;
	} else {
		nr = tot ? 0 : n;
		partially = last && folio_certainly_partially_mapped(m, folio);
	}
	mod_anon_stats(m, -nr, -nr_pmdmapped);
	if (partially && folio_test(folio, PG_anon) &&
	    !folio_test(folio, PG_partially_mapped))
		deferred_split_folio(m, folio, true);
}

int folio_try_share_anon_rmap_pte(struct fsim_machine *m, struct folio *folio,
				  struct page *page)
{
	if (folio_maybe_dma_pinned(m, folio))
		return -EBUSY;
	ClearPageAnonExclusive(page);
	return 0;
}

int folio_try_share_anon_rmap_pmd(struct fsim_machine *m, struct folio *folio,
				  struct page *page)
{
	return folio_try_share_anon_rmap_pte(m, folio, page);
}

/*
 * deferred_split_folio(): queue a large folio for the shrinker.  Before
 * 6.12 only partially mapped folios were queued and there was no flag.
 */
void deferred_split_folio(struct fsim_machine *m, struct folio *folio,
			  bool partially_mapped)
{
	if (folio_order(folio) <= 1)
		return;
	if (!partially_mapped &&
	    (!m->profile->underused_shrinker || !m->set.shrink_underused))
		return;
	if (folio_test(folio, PG_swapcache))
		return;
	if (partially_mapped && !folio_test(folio, PG_partially_mapped)) {
		if (!m->profile->underused_shrinker &&
		    folio_test(folio, PG_deferred))
			return;
		folio_set(folio, PG_partially_mapped);
		if (folio_test_pmd_mappable(folio))
			count_vm_event(m, THP_DEFERRED_SPLIT_PAGE);
	}
	if (!folio_test(folio, PG_deferred))
		deferred_list_add(&m->phys, folio);
}
