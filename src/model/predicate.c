// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared predicates.  Each reads only what its kernel could read; the
 * exact answer walks every page table of every mm, once per change of the
 * rmap state (the result is cached per folio until the next change).
 */
#include <stdlib.h>
#include <string.h>

#include "predicate.h"

bool folio_maybe_mapped_shared(struct fsim_machine *m, struct folio *folio)
{
	int mapcount = folio_mapcount(m, folio);

	if (!folio_test_large(folio))
		return mapcount > 1;
	if (mapcount <= 1)
		return false;
	return folio_large(&m->phys, folio)->mm_ids_shared;
}

bool folio_likely_mapped_shared(struct fsim_machine *m, struct folio *folio)
{
	int mapcount = folio_mapcount(m, folio);

	if (!folio_test_large(folio))
		return mapcount > 1;
	if (mapcount <= 1)
		return false;
	if (folio_entire_mapcount(m, folio) || mapcount > folio_nr_pages(folio))
		return true;
	/* a guess: is the first page mapped by two or more PTEs? */
	if (folio_mapcount_scheme(m) != MAPCOUNT_PER_PAGE)
		return folio_average_page_mapcount(m, folio) > 1;
	return folio->page._mapcount > 0;
}

bool page_mapcount_shared(struct fsim_machine *m, struct folio *folio,
			  struct page *page)
{
	/* without page counts a port could only read the average */
	return folio_page_mapcount_proc(m, folio, page) > 1;
}

/* Record that @mm_idx maps the folio with head @pfn. */
static void exact_mark(struct fsim_machine *m, int32_t *owner, pfn_t pfn,
		       int mm_idx)
{
	pfn_t head = folio_pfn(&m->phys, pfn_folio(&m->phys, pfn));

	if (owner[head] == -1)
		owner[head] = mm_idx;
	else if (owner[head] != mm_idx)
		m->exact_cache[head] = 2;
}

static void exact_walk_mm(struct fsim_machine *m, struct mm_struct *mm,
			  int32_t *owner)
{
	int v;

	for (v = 0; v < mm->nr_vmas; v++) {
		struct vm_area_struct *vma = &mm->vmas[v];
		unsigned long addr;

		for (addr = vma->vm_start; addr < vma->vm_end;) {
			pmd_t *pmd = pmd_lookup(mm, addr);
			unsigned long next = ALIGN_DOWN_PMD(addr) + PMD_SIZE;
			pte_t *pte;

			if (next > vma->vm_end)
				next = vma->vm_end;
			if (pmd && pmd_trans_huge(*pmd) && !pmd_huge_zero(*pmd))
				exact_mark(m, owner, pmd_pfn(*pmd), mm->idx);
			if (pmd && pmd_is_table(*pmd))
				for (; addr < next; addr += PAGE_SIZE) {
					pte = &pmd_table(*pmd)[pte_index(addr)];
					if (pte_present(*pte) &&
					    !pte_special(*pte))
						exact_mark(m, owner,
							   pte_pfn(*pte),
							   mm->idx);
				}
			addr = next;
		}
	}
}

static void exact_recompute(struct fsim_machine *m)
{
	int32_t *owner;
	int i;

	if (!m->exact_cache)
		m->exact_cache = malloc(m->phys.nr_pages);
	owner = malloc(m->phys.nr_pages * sizeof(*owner));
	if (!m->exact_cache || !owner)
		abort();	/* out of host memory: nothing sane to do */
	memset(m->exact_cache, 1, m->phys.nr_pages);
	memset(owner, 0xff, m->phys.nr_pages * sizeof(*owner));
	for (i = 0; i < m->nr_mms; i++)
		if (m->mms[i]->alive)
			exact_walk_mm(m, m->mms[i], owner);
	free(owner);
	m->exact_gen = m->rmap_gen;
}

bool folio_exact_mapped_shared(struct fsim_machine *m, struct folio *folio)
{
	if (!m->exact_cache || m->exact_gen != m->rmap_gen)
		exact_recompute(m);
	return m->exact_cache[folio_pfn(&m->phys, folio)] == 2;
}

bool shared_pred_eval(struct fsim_machine *m, enum shared_pred pred,
		      struct folio *folio, struct page *page)
{
	switch (pred) {
	case PRED_PAGE_MAPCOUNT:
		return page_mapcount_shared(m, folio, page);
	case PRED_LIKELY:
		return folio_likely_mapped_shared(m, folio);
	case PRED_MAYBE:
		return folio_maybe_mapped_shared(m, folio);
	case PRED_EXACT:
		return folio_exact_mapped_shared(m, folio);
	case PRED_ALWAYS:
		return true;
	case PRED_NEVER:
	default:
		return false;
	}
}
