// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork(): dup_mmap() and copy_page_range() for anonymous private VMAs, as
 * Linux 6.18 does them (copy_huge_pmd(), copy_present_ptes(),
 * copy_nonpresent_pte()).  Writable parent entries are write-protected,
 * the child's copies are read-only and old, PageAnonExclusive is cleared,
 * and the child's mm takes an MM_ID slot (or stays untracked).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ksm.h"

/* copy_huge_pmd() for an anonymous VMA (nothing can be pinned here). */
static int copy_huge_pmd(struct fsim_machine *m, struct mm_struct *dst,
			 struct mm_struct *src, struct pmd_table *st,
			 struct pmd_table *dt, int i)
{
	pmd_t pmd = st->e[i];
	struct folio *folio;

	/* the deposited table is shared until one side changes it */
	dt->deposit[i] = st->deposit[i];
	pte_table_share(dst, dt->deposit[i]);
	if (!pmd_huge_zero(pmd)) {
		folio = pfn_folio(&m->phys, pmd_pfn(pmd));
		folio_ref_add(folio, 1);
		folio_try_dup_anon_rmap_pmd(m, folio, &folio->page, dst, src);
		mm_inc_rss(dst, MM_ANONPAGES, HPAGE_PMD_NR);
	}
	st->e[i] = pmd & ~_PMD_WRITE;
	dt->e[i] = pmd & ~(_PMD_WRITE | _PMD_YOUNG);
	return 0;
}

static void copy_pte_range(struct fsim_machine *m, struct mm_struct *dst,
			   struct mm_struct *src, pte_t *st, pte_t *dt,
			   int from, int to)
{
	int i = from, k, nr;

	while (i < to) {
		pte_t pte = st[i];
		struct folio *folio;

		if (pte_none(pte)) {
			i++;
			continue;
		}
		if (pte_is_swap(pte)) {
			/* copy_nonpresent_pte(): the parent loses exclusivity */
			swap_duplicate(m, pte_swp_offset(pte));
			st[i] = pte & ~_PTE_SWP_EXCLUSIVE;
			dt[i] = st[i];
			mm_inc_rss(dst, MM_SWAPENTS, 1);
			i++;
			continue;
		}
		if (pte_special(pte)) {
			/* a KSM zero page (dirty) is counted per mapping */
			if (pte_dirty(pte))
				m->ksm->zero_pages++;
			dt[i] = pte_mkold(pte);
			i++;
			continue;
		}
		folio = pfn_folio(&m->phys, pte_pfn(pte));
		/* Only large folios are batched, as copy_present_ptes() does. */
		nr = 1;
		if (folio_test_large(folio))
			/* young ignored, write merged, dirty respected */
			nr = folio_pte_batch(m, &st[i], to - i,
					     _PTE_YOUNG | _PTE_WRITE);
		folio_ref_add(folio, nr);
		folio_try_dup_anon_rmap_ptes(m, folio,
					     &m->phys.pages[pte_pfn(pte)], nr,
					     dst, src);
		for (k = 0; k < nr; k++) {
			st[i + k] = pte_wrprotect(st[i + k]);
			dt[i + k] = pte_mkold(st[i + k]);
		}
		mm_inc_rss(dst, MM_ANONPAGES, nr);
		i += nr;
	}
}

/* copy_page_range() for one VMA (the child VMA is at the same place). */
static int copy_page_range(struct fsim_machine *m, struct mm_struct *dst,
			   struct mm_struct *src, struct vm_area_struct *vma)
{
	unsigned long addr, next;

	for (addr = vma->vm_start; addr < vma->vm_end; addr = next) {
		struct pmd_table *st = pmd_table_lookup(src, addr, false);
		struct pmd_table *dt;
		int i = (int)pmd_index(addr);

		next = pmd_addr_end(addr, vma->vm_end);
		if (!st)
			continue;
		/*
		 * copy_pmd_range() allocates the child's PMD table wherever
		 * the parent has one, even if every entry of it is none: the
		 * child's khugepaged scan then ends SCAN_PMD_NONE, not NULL.
		 */
		dt = pmd_table_lookup(dst, addr, true);
		if (!dt)
			return -ENOMEM;
		if (pmd_none(st->e[i]))
			continue;
		if (pmd_trans_huge(st->e[i])) {
			/* the next THP's head page is a cache miss: start it */
			if (i + 1 < PTRS_PER_TABLE &&
			    pmd_trans_huge(st->e[i + 1])) {
				struct page *nextp =
					&m->phys.pages[pmd_pfn(st->e[i + 1])];

				__builtin_prefetch(nextp, 1);
				__builtin_prefetch(nextp + 1);
			}
			if (copy_huge_pmd(m, dst, src, st, dt, i))
				return -ENOMEM;
			continue;
		}
		if (pmd_none(dt->e[i])) {
			pte_t *table = pte_table_alloc(dst);

			if (!table)
				return -ENOMEM;
			dt->e[i] = pmd_mktable(table);
		}
		copy_pte_range(m, dst, src, pmd_table(st->e[i]),
			       pmd_table(dt->e[i]), (int)pte_index(addr),
			       (int)pte_index(next - 1) + 1);
	}
	return 0;
}

/*
 * dup_mmap(): copy every VMA except VM_DONTCOPY ones; page tables are only
 * copied for VMAs with an anon_vma (others are refaulted on demand).  The
 * child is registered with khugepaged if the parent is.
 */
int dup_mmap(struct fsim_machine *m, struct mm_struct *dst,
	     struct mm_struct *src)
{
	int i;

	for (i = 0; i < src->nr_vmas; i++) {
		struct vm_area_struct v = src->vmas[i];

		if (v.vm_flags & VM_DONTCOPY)
			continue;
		if (v.anon_vma) {
			/* anon_vma_fork(): a new anon_vma, chained to ours */
			v.anon_vma = ++m->next_anon_vma;
			v.anon_vma_forked = true;
		}
		if (!vma_insert(dst, &v))
			return -ENOMEM;
		if (src->vmas[i].anon_vma &&
		    copy_page_range(m, dst, src, &src->vmas[i]))
			return -ENOMEM;
	}
	if (src->flags & MMF_VM_HUGEPAGE)
		__khugepaged_enter(m, dst);
	return 0;
}
