// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page faults on anonymous memory, as Linux 6.18 handles them
 * (mm/memory.c, mm/huge_memory.c): the huge PMD fault and the huge zero
 * page, do_anonymous_page() with the mTHP order choice, and write-protect
 * faults with reuse or copy (do_wp_page(), do_huge_pmd_wp_page()).
 *
 * The model has no concurrency: no fault ever has to be retried because
 * another thread changed a PTE, and LRU batches are always drained.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "swap.h"
#include "ksm.h"

pte_t *pmd_deposit_alloc(struct mm_struct *mm, struct pmd_table *t, int i)
{
	if (!t->deposit[i])
		t->deposit[i] = pte_table_alloc(mm);
	return t->deposit[i];
}

/* map_anon_folio_pmd(): a fresh, exclusive PMD-mapped THP. */
static void map_anon_folio_pmd(struct fsim_machine *m, struct mm_struct *mm,
			       struct vm_area_struct *vma, unsigned long haddr,
			       struct folio *folio, struct pmd_table *t, int i,
			       bool queue)
{
	pmd_t entry = _PMD_YOUNG | _PMD_DIRTY;

	if (vma->vm_flags & VM_WRITE)
		entry |= _PMD_WRITE;
	folio_add_new_anon_rmap(m, folio, mm, vma, haddr, RMAP_EXCLUSIVE);
	folio_set(folio, PG_lru);
	t->e[i] = pfn_pmd(folio_pfn(&m->phys, folio), entry);
	mm_inc_rss(mm, MM_ANONPAGES, HPAGE_PMD_NR);
	if (queue)
		deferred_split_folio(m, folio, false);
}

/* vma_alloc_anon_folio_pmd(): counts the fault allocation or fallback. */
static struct folio *alloc_anon_folio_pmd(struct fsim_machine *m)
{
	struct folio *folio = folio_alloc(&m->phys, HPAGE_PMD_ORDER);

	count_vm_event(m, folio ? THP_FAULT_ALLOC : THP_FAULT_FALLBACK);
	return folio;
}

/* do_huge_pmd_anonymous_page() */
static int do_huge_pmd_anonymous_page(struct fsim_machine *m,
				      struct mm_struct *mm,
				      struct vm_area_struct *vma,
				      unsigned long addr, struct pmd_table *t,
				      bool write)
{
	unsigned long haddr = ALIGN_DOWN_PMD(addr);
	int i = (int)pmd_index(addr);
	struct folio *folio;

	vmf_anon_prepare(m, mm, vma);
	khugepaged_enter_vma(m, mm, vma);
	if (!pmd_deposit_alloc(mm, t, i))
		return VM_FAULT_OOM;
	if (!write && m->set.zero_page && m->set.huge_zero_page &&
	    m->set.use_zero_page) {
		/* the huge zero folio: no rmap, no RSS */
		t->e[i] = pfn_pmd(0, _PMD_ZERO | _PMD_YOUNG);
		return VM_FAULT_DONE;
	}
	folio = alloc_anon_folio_pmd(m);
	if (!folio) {
		pte_table_free(mm, t->deposit[i]);
		t->deposit[i] = NULL;
		return VM_FAULT_FALLBACK;
	}
	map_anon_folio_pmd(m, mm, vma, haddr, folio, t, i, true);
	return VM_FAULT_DONE;
}

/*
 * The orders do_anonymous_page() may try, highest first (alloc_anon_folio):
 * allowed and suitable orders, from the highest whose aligned range holds
 * no PTE yet, downwards.
 */
static unsigned long anon_fault_orders(struct fsim_machine *m,
				       struct vm_area_struct *vma,
				       unsigned long addr, pte_t *table)
{
	unsigned long orders, nr, start, k;
	int o;

	orders = thp_vma_allowable_orders(m, vma,
					  (1UL << HPAGE_PMD_ORDER) - 1,
					  TVA_PAGEFAULT);
	for (o = HPAGE_PMD_ORDER - 1; o >= 2; o--)
		if (!thp_vma_suitable_order(vma, addr, o))
			orders &= ~(1UL << o);
	for (o = HPAGE_PMD_ORDER - 1; o >= 2; o--) {
		if (!(orders & (1UL << o)))
			continue;
		nr = 1UL << o;
		start = pte_index(addr) & ~(nr - 1);
		for (k = 0; k < nr; k++)
			if (!pte_none(table[start + k]))
				break;
		if (k == nr)
			return orders & ((2UL << o) - 1);
		orders &= ~(1UL << o);
	}
	return 0;
}

/* do_anonymous_page() */
static int do_anonymous_page(struct fsim_machine *m, struct mm_struct *mm,
			     struct vm_area_struct *vma, unsigned long addr,
			     pte_t *table, bool write)
{
	struct folio *folio = NULL;
	unsigned long orders, haddr;
	pte_t entry = _PTE_YOUNG | _PTE_DIRTY;
	long nr, k, start;
	int o;

	if (!write && m->set.zero_page) {
		set_pte_keep(&table[pte_index(addr)], pte_mkzero());
		return VM_FAULT_DONE;
	}
	vmf_anon_prepare(m, mm, vma);
	orders = anon_fault_orders(m, vma, addr, table);
	for (o = HPAGE_PMD_ORDER - 1; o >= 2 && !folio; o--)
		if (orders & (1UL << o))
			folio = folio_alloc(&m->phys, (unsigned int)o);
	if (!folio)
		folio = folio_alloc(&m->phys, 0);
	if (!folio)
		return VM_FAULT_OOM;
	nr = folio_nr_pages(folio);
	haddr = addr & ~((PAGE_SIZE << folio_order(folio)) - 1);
	start = (long)pte_index(haddr);
	folio_ref_add(folio, (int)nr - 1);
	mm_inc_rss(mm, MM_ANONPAGES, nr);
	folio_add_new_anon_rmap(m, folio, mm, vma, haddr, RMAP_EXCLUSIVE);
	folio_set(folio, PG_lru);
	if (vma->vm_flags & VM_WRITE)
		entry |= _PTE_WRITE;
	for (k = 0; k < nr; k++)
		set_pte_keep(&table[start + k],
			     pfn_pte(folio_pfn(&m->phys, folio) + (pfn_t)k,
				     entry));
	return VM_FAULT_DONE;
}

/* __wp_can_reuse_large_anon_folio(), 6.15+ */
static bool wp_can_reuse_large_anon_folio(struct fsim_machine *m,
					  struct folio *folio)
{
	struct folio_large *fl = folio_large(&m->phys, folio);

	if (!m->profile->large_cow_reuse)
		return false;	/* before 6.15 large folios never were */
	if (folio_large_mapcount(m, folio) <= 1)
		return false;	/* copy the last page, let the folio go */
	if (fl->mm_ids_shared)
		return false;
	if (folio_test(folio, PG_swapcache) && folio_free_swap(m, folio))
		return false;
	return folio_large_mapcount(m, folio) == folio_ref_count(folio);
}

/* wp_can_reuse_anon_folio() */
static bool wp_can_reuse_anon_folio(struct fsim_machine *m,
				    struct folio *folio)
{
	int swapcache;

	if (folio_test_large(folio))
		return wp_can_reuse_large_anon_folio(m, folio);
	if (folio_test(folio, PG_ksm) || folio_ref_count(folio) > 3)
		return false;
	swapcache = folio_test(folio, PG_swapcache) ? 1 : 0;
	if (folio_ref_count(folio) > 1 + swapcache)
		return false;
	if (swapcache)
		folio_free_swap(m, folio);
	return !folio_test(folio, PG_ksm) && folio_ref_count(folio) == 1;
}

/*
 * wp_page_copy(): always a single order-0 page.  For an unsharing fault
 * the copy is mapped read-only and clean.  The VMA may have no anon_vma
 * yet (a write to a zero page read before): the copy prepares it, which
 * later lets MADV_HUGEPAGE register the mm with khugepaged.
 */
static int wp_page_copy(struct fsim_machine *m, struct mm_struct *mm,
			struct vm_area_struct *vma, unsigned long addr,
			pte_t *ptep, bool unshare)
{
	/* mk_pte() from vm_page_prot: young on x86 */
	pte_t old = *ptep, entry = _PTE_YOUNG | (unshare ? 0 : _PTE_DIRTY);
	struct folio *old_folio = NULL, *new;

	vmf_anon_prepare(m, mm, vma);
	new = folio_alloc(&m->phys, 0);
	if (!new)
		return VM_FAULT_OOM;
	if (!pte_special(old)) {
		old_folio = pfn_folio(&m->phys, pte_pfn(old));
		new->page.content = m->phys.pages[pte_pfn(old)].content;
		if (folio_test(old_folio, PG_ksm))
			count_vm_event(m, COW_KSM);
	} else {
		mm_inc_rss(mm, MM_ANONPAGES, 1);	/* was the zero page */
		ksm_might_unmap_zero_page(m, old);
	}
	if ((vma->vm_flags & VM_WRITE) && !unshare)
		entry |= _PTE_WRITE;
	folio_add_new_anon_rmap(m, new, mm, vma, addr, RMAP_EXCLUSIVE);
	folio_set(new, PG_lru);
	set_pte_keep(ptep, pfn_pte(folio_pfn(&m->phys, new), entry));
	if (old_folio) {
		folio_remove_rmap_ptes(m, old_folio,
				       &m->phys.pages[pte_pfn(old)], 1, mm);
		free_swap_cache(m, old_folio);
		folio_put_refs(m, old_folio, 1);
	}
	return VM_FAULT_DONE;
}

/*
 * do_wp_page() for a write (or, with @unshare, an unsharing fault) on a
 * present, write-protected PTE: reuse the page if it is exclusive or can
 * be made so, else copy it.
 */
static int __do_wp_page(struct fsim_machine *m, struct mm_struct *mm,
			struct vm_area_struct *vma, unsigned long addr,
			pte_t *ptep, bool unshare)
{
	struct page *page;
	struct folio *folio;

	if (pte_special(*ptep))
		return wp_page_copy(m, mm, vma, addr, ptep, unshare);
	page = &m->phys.pages[pte_pfn(*ptep)];
	folio = page_folio(&m->phys, page);
	if (PageAnonExclusive(page) || wp_can_reuse_anon_folio(m, folio)) {
		SetPageAnonExclusive(page);	/* only this page */
		if (unshare)
			return VM_FAULT_DONE;	/* stays read-only */
		*ptep |= _PTE_YOUNG | _PTE_DIRTY;
		if (vma->vm_flags & VM_WRITE)
			*ptep |= _PTE_WRITE;
		return VM_FAULT_DONE;
	}
	return wp_page_copy(m, mm, vma, addr, ptep, unshare);
}

/* do_wp_page(): write to a present, write-protected PTE. */
static int do_wp_page(struct fsim_machine *m, struct mm_struct *mm,
		      struct vm_area_struct *vma, unsigned long addr,
		      pte_t *ptep)
{
	return __do_wp_page(m, mm, vma, addr, ptep, false);
}

int unshare_fault(struct fsim_machine *m, struct mm_struct *mm,
		  struct vm_area_struct *vma, unsigned long addr, pte_t *ptep)
{
	return __do_wp_page(m, mm, vma, addr, ptep, true);
}

/* do_huge_zero_wp_pmd(), 6.13+: replace the huge zero page by a THP. */
static int do_huge_zero_wp_pmd(struct fsim_machine *m, struct mm_struct *mm,
			       struct vm_area_struct *vma, unsigned long addr,
			       struct pmd_table *t, int i)
{
	struct folio *folio = alloc_anon_folio_pmd(m);

	if (!folio)
		return VM_FAULT_FALLBACK;
	t->e[i] = 0;
	map_anon_folio_pmd(m, mm, vma, ALIGN_DOWN_PMD(addr), folio, t, i,
			   m->profile->huge_zero_wp_queue);
	return VM_FAULT_DONE;
}

/* do_huge_pmd_wp_page(): reuse by PageAnonExclusive or refcount, else split */
static int do_huge_pmd_wp_page(struct fsim_machine *m, struct mm_struct *mm,
			       struct vm_area_struct *vma, unsigned long addr,
			       struct pmd_table *t, int i)
{
	pmd_t pmd = t->e[i];
	struct folio *folio;
	int extra;

	if (pmd_huge_zero(pmd)) {
		if (m->profile->huge_zero_wp_alloc &&
		    do_huge_zero_wp_pmd(m, mm, vma, addr, t, i) ==
			    VM_FAULT_DONE)
			return VM_FAULT_DONE;
		goto fallback;
	}
	folio = pfn_folio(&m->phys, pmd_pfn(pmd));
	if (PageAnonExclusive(&folio->page))
		goto reuse;
	extra = folio_test(folio, PG_swapcache) ? HPAGE_PMD_NR : 0;
	if (folio_ref_count(folio) > 1 + extra)
		goto fallback;
	if (extra)
		folio_free_swap(m, folio);
	if (folio_ref_count(folio) == 1) {
		SetPageAnonExclusive(&folio->page);
		goto reuse;
	}
fallback:
	__split_huge_pmd(m, mm, vma, addr);
	return VM_FAULT_FALLBACK;
reuse:
	t->e[i] |= _PMD_YOUNG | _PMD_DIRTY;
	if (vma->vm_flags & VM_WRITE)
		t->e[i] |= _PMD_WRITE;
	return VM_FAULT_DONE;
}

/* The huge-PMD part of __handle_mm_fault(). */
static int handle_pmd_fault(struct fsim_machine *m, struct mm_struct *mm,
			    struct vm_area_struct *vma, unsigned long addr,
			    struct pmd_table *t, bool write)
{
	int i = (int)pmd_index(addr);

	if (pmd_none(t->e[i])) {
		if (!thp_vma_suitable_order(vma, addr, HPAGE_PMD_ORDER) ||
		    !thp_vma_allowable_order(m, vma, HPAGE_PMD_ORDER,
					     TVA_PAGEFAULT))
			return VM_FAULT_FALLBACK;
		return do_huge_pmd_anonymous_page(m, mm, vma, addr, t, write);
	}
	if (!pmd_trans_huge(t->e[i]))
		return VM_FAULT_FALLBACK;
	if (write && !pmd_write(t->e[i]))
		return do_huge_pmd_wp_page(m, mm, vma, addr, t, i);
	return VM_FAULT_DONE;	/* already mapped: the access just happens */
}

/*
 * handle_mm_fault() for one access.  Returns 0 with the page mapped (and,
 * for a write, mapped writable), or -ENOMEM.
 */
int handle_mm_fault(struct fsim_machine *m, struct mm_struct *mm,
		    struct vm_area_struct *vma, unsigned long addr, bool write)
{
	struct pmd_table *t = pmd_table_lookup(mm, addr, true);
	int i = (int)pmd_index(addr), ret;
	pte_t *ptep;

	if (!t)
		return -ENOMEM;
	ret = handle_pmd_fault(m, mm, vma, addr, t, write);
	if (ret == VM_FAULT_OOM)
		return -ENOMEM;
	if (ret == VM_FAULT_DONE)
		return 0;
	if (pmd_none(t->e[i])) {
		pte_t *table = pte_table_alloc(mm);

		if (!table)
			return -ENOMEM;
		t->e[i] = pmd_mktable(table);
	}
	ptep = &pmd_table(t->e[i])[pte_index(addr)];
	ret = VM_FAULT_DONE;
	if (pte_none(*ptep))
		ret = do_anonymous_page(m, mm, vma, addr, pmd_table(t->e[i]),
					write);
	else if (pte_is_swap(*ptep))
		ret = do_swap_page(m, mm, vma, addr, ptep, write);
	if (ret == VM_FAULT_DONE && write && !pte_write(*ptep))
		ret = do_wp_page(m, mm, vma, addr, ptep);
	return ret == VM_FAULT_OOM ? -ENOMEM : 0;
}
