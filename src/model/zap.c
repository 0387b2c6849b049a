// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zapping page ranges (munmap, MADV_DONTNEED, exit): zap_pmd_range(),
 * zap_huge_pmd() and zap_pte_range() of 6.18 for anonymous memory.  PTEs
 * that map consecutive pages of one folio are removed in one batch, as
 * folio_pte_batch() groups them, because the MM_ID slot logic runs once per
 * batch.
 */
#include "internal.h"
#include "ksm.h"
#include "swap.h"

void zap_huge_pmd(struct fsim_machine *m, struct mm_struct *mm,
		  struct pmd_table *t, int i)
{
	pmd_t pmd = t->e[i];

	t->e[i] = 0;
	pte_table_free(mm, t->deposit[i]);
	t->deposit[i] = NULL;
	if (!pmd_huge_zero(pmd)) {
		struct folio *folio = pfn_folio(&m->phys, pmd_pfn(pmd));

		folio_remove_rmap_pmd(m, folio, &folio->page, mm);
		mm_inc_rss(mm, MM_ANONPAGES, -HPAGE_PMD_NR);
		folio_put_refs(m, folio, 1);
	}
}

static void zap_pte_range(struct fsim_machine *m, struct mm_struct *mm,
			  pte_t *table, int from, int to)
{
	int i = from;

	while (i < to) {
		pte_t pte = table[i];
		struct folio *folio;
		int nr, k;

		if (pte_none(pte)) {
			table[i++] = 0;
			continue;
		}
		if (pte_is_swap(pte)) {
			free_swap_and_cache(m, pte_swp_offset(pte));
			mm_inc_rss(mm, MM_SWAPENTS, -1);
			table[i++] = 0;
			continue;
		}
		if (pte_special(pte)) {
			ksm_might_unmap_zero_page(m, pte);
			table[i++] = 0;
			continue;
		}
		folio = pfn_folio(&m->phys, pte_pfn(pte));
		/* Only large folios are batched, as zap_present_ptes() does. */
		if (folio_test_large(folio)) {
			nr = folio_pte_batch(m, &table[i], to - i,
					     _PTE_YOUNG | _PTE_WRITE |
						     _PTE_DIRTY);
			for (k = 0; k < nr; k++)
				table[i + k] = 0;
		} else {
			nr = 1;
			table[i] = 0;
		}
		mm_inc_rss(mm, MM_ANONPAGES, -nr);
		folio_remove_rmap_ptes(m, folio, &m->phys.pages[pte_pfn(pte)],
				       nr, mm);
		/* after the TLB flush (free_pages_and_swap_cache()) */
		free_swap_cache(m, folio);
		folio_put_refs(m, folio, nr);
		i += nr;
	}
}

/*
 * CONFIG_PT_RECLAIM (6.14+): MADV_DONTNEED over a whole PMD range frees
 * the PTE table if nothing is left in it, so the next fault there starts
 * from an empty PMD (and may get a THP).
 */
static void try_to_free_pte(struct mm_struct *mm, struct pmd_table *t, int i)
{
	pte_t *table = pmd_table(t->e[i]);
	int k;

	for (k = 0; k < PTRS_PER_TABLE; k++)
		if (!pte_none(table[k]))
			return;
	t->e[i] = 0;
	pte_table_free(mm, table);
}

void zap_vma_range(struct fsim_machine *m, struct mm_struct *mm,
		   struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, bool reclaim_pt)
{
	unsigned long addr, next;

	(void)vma;
	for (addr = start; addr < end; addr = next) {
		struct pmd_table *t = pmd_table_lookup(mm, addr, false);
		int i = (int)pmd_index(addr);

		next = pmd_addr_end(addr, end);
		if (!t || pmd_none(t->e[i]))
			continue;
		if (pmd_trans_huge(t->e[i])) {
			if (addr == ALIGN_DOWN_PMD(addr) &&
			    next - addr == PMD_SIZE) {
				zap_huge_pmd(m, mm, t, i);
				continue;
			}
			__split_huge_pmd(m, mm, vma, addr);
		}
		zap_pte_range(m, mm, pmd_table(t->e[i]), (int)pte_index(addr),
			      (int)pte_index(next - 1) + 1);
		if (reclaim_pt && m->profile->pt_reclaim &&
		    next - addr == PMD_SIZE)
			try_to_free_pte(mm, t, i);
	}
}
