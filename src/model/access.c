// SPDX-License-Identifier: GPL-2.0-only
/*
 * User accesses (a read or a write of one page, faulting as needed, with
 * the hardware setting the accessed and dirty bits) and the observations
 * the upper layers make: per-page state, smaps figures, memory totals.
 */
#include <errno.h>

#include "internal.h"
#include "model.h"
#include "predicate.h"

struct page_ref {
	pte_t *ptep;		/* the PTE, or for a huge PMD its deposit slot */
	pmd_t *pmd;		/* the huge PMD, or NULL */
	pte_t **deposit;	/* for a huge PMD: where its deposit hangs */
};

/* Find the entry mapping @addr after the fault; false if none. */
static bool page_ref(struct mm_struct *mm, unsigned long addr,
		     struct page_ref *r)
{
	struct pmd_table *t = pmd_table_lookup(mm, addr, false);
	int i = (int)pmd_index(addr);

	r->pmd = NULL;
	r->ptep = NULL;
	if (!t || pmd_none(t->e[i]))
		return false;
	if (pmd_trans_huge(t->e[i])) {
		r->pmd = &t->e[i];
		r->deposit = &t->deposit[i];
		r->ptep = &t->deposit[i][pte_index(addr)];
		return true;
	}
	r->ptep = &pmd_table(t->e[i])[pte_index(addr)];
	return true;
}

static int user_access(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long addr, bool write, struct page_ref *r)
{
	struct vm_area_struct *vma;
	int err;

	if (!mm || !mm->alive)
		return fsim_err(m, -ESRCH, "no such process");
	if (addr & ~PAGE_MASK)
		return fsim_err(m, -EINVAL, "address 0x%lx is not aligned",
				addr);
	vma = vma_lookup(mm, addr);
	if (!vma)
		return fsim_err(m, -EFAULT, "0x%lx is not mapped", addr);
	if (write && !(vma->vm_flags & VM_WRITE))
		return fsim_err(m, -EACCES, "0x%lx is read-only", addr);
	count_vm_event(m, PGFAULT);
	err = handle_mm_fault(m, mm, vma, addr, write);
	if (err)
		return fsim_err(m, err, "out of simulated memory");
	if (!page_ref(mm, addr, r))
		return fsim_err(m, -EFAULT, "fault left 0x%lx unmapped", addr);
	/* the access itself: the MMU sets accessed (and dirty) bits */
	if (r->pmd)
		*r->pmd |= _PMD_YOUNG | (write ? _PMD_DIRTY : 0);
	else
		*r->ptep |= _PTE_YOUNG | (write ? _PTE_DIRTY : 0);
	return 0;
}

/* The page frame behind a mapped entry, or NULL for the zero pages. */
static struct page *ref_page(struct fsim_machine *m, struct page_ref *r,
			     unsigned long addr)
{
	if (r->pmd) {
		if (pmd_huge_zero(*r->pmd))
			return NULL;
		return &m->phys.pages[pmd_pfn(*r->pmd) + pte_index(addr)];
	}
	if (pte_special(*r->ptep))
		return NULL;
	return &m->phys.pages[pte_pfn(*r->ptep)];
}

int fsim_read(struct fsim_machine *m, struct mm_struct *mm,
	      unsigned long addr, content_t *got, content_t *want)
{
	struct page_ref r;
	struct page *page;
	int err = user_access(m, mm, addr, false, &r);

	if (err)
		return err;
	page = ref_page(m, &r, addr);
	*got = page ? page->content : 0;
	*want = pte_expected(*r.ptep);
	return 0;
}

int fsim_write(struct fsim_machine *m, struct mm_struct *mm,
	       unsigned long addr, content_t value)
{
	struct page_ref r;
	struct page *page;
	int err = user_access(m, mm, addr, true, &r);

	if (err)
		return err;
	page = ref_page(m, &r, addr);
	if (!page)
		return fsim_err(m, -EFAULT, "write fault left the zero page");
	if (r.pmd) {
		/* the expected contents live in the deposited table */
		pte_t *table = pte_table_own(mm, r.deposit);

		if (!table)
			return fsim_err(m, -ENOMEM, "out of host memory");
		r.ptep = &table[pte_index(addr)];
	}
	page->content = value;
	*r.ptep = pte_set_expected(*r.ptep, value);
	return 0;
}

int fsim_page_info(struct fsim_machine *m, struct mm_struct *mm,
		   unsigned long addr, struct fsim_page_info *info)
{
	struct page_ref r;
	struct folio *folio;
	struct page *page;

	*info = (struct fsim_page_info){ .state = FSIM_PAGE_NONE };
	if (!mm || !page_ref(mm, addr & PAGE_MASK, &r))
		return 0;
	if (r.pmd) {
		info->pmd_mapped = true;
		info->writable = pmd_write(*r.pmd);
		info->young = pmd_young(*r.pmd);
		info->dirty = pmd_dirty(*r.pmd);
		if (pmd_huge_zero(*r.pmd)) {
			info->state = FSIM_PAGE_ZERO;
			info->huge_zero = true;
			return 0;
		}
	} else if (pte_none(*r.ptep)) {
		return 0;
	} else if (pte_is_swap(*r.ptep)) {
		info->state = FSIM_PAGE_SWAP;
		info->swap_offset = pte_swp_offset(*r.ptep);
		return 0;
	} else {
		info->writable = pte_write(*r.ptep);
		info->young = pte_young(*r.ptep);
		info->dirty = pte_dirty(*r.ptep);
		if (pte_special(*r.ptep)) {
			info->state = FSIM_PAGE_ZERO;
			return 0;
		}
	}
	page = ref_page(m, &r, addr);
	folio = page_folio(&m->phys, page);
	info->state = FSIM_PAGE_PRESENT;
	info->pfn = page_to_pfn(&m->phys, page);
	info->head = folio_pfn(&m->phys, folio);
	info->order = folio_order(folio);
	info->anon_exclusive = PageAnonExclusive(r.pmd ? &folio->page : page);
	info->ksm = folio_test(folio, PG_ksm);
	info->mapcount = folio_page_mapcount_proc(m, folio, page);
	/* pagemap's PM_MMAP_EXCLUSIVE: the MM_ID answer without page counts */
	info->mmap_exclusive = folio_mapcount_scheme(m) == MAPCOUNT_PER_PAGE ?
			       info->mapcount == 1 :
			       !folio_maybe_mapped_shared(m, folio);
	return 0;
}

void fsim_mm_smaps(struct fsim_machine *m, struct mm_struct *mm,
		   struct fsim_smaps *out)
{
	int v;

	(void)m;
	out->rss = (unsigned long)mm->rss_stat[MM_ANONPAGES] << PAGE_SHIFT;
	out->swap = (unsigned long)mm->rss_stat[MM_SWAPENTS] << PAGE_SHIFT;
	out->anon_huge = 0;
	for (v = 0; v < mm->nr_vmas; v++) {
		unsigned long a;

		for (a = ALIGN_UP_PMD(mm->vmas[v].vm_start);
		     a + PMD_SIZE <= mm->vmas[v].vm_end; a += PMD_SIZE) {
			pmd_t *pmd = pmd_lookup(mm, a);

			if (pmd && pmd_trans_huge(*pmd) && !pmd_huge_zero(*pmd))
				out->anon_huge += PMD_SIZE;
		}
	}
}

/* RAM held by anonymous folios of at least @min_order. */
static unsigned long anon_bytes(struct fsim_machine *m, unsigned int min_order)
{
	pfn_t pfn;
	unsigned long pages = 0;

	for (pfn = 0; pfn < m->phys.nr_pages;) {
		struct page *page = &m->phys.pages[pfn];
		long nr = 1L << page_order(page);

		if ((page->flags & PG_allocated) && (page->flags & PG_anon) &&
		    page_order(page) >= min_order)
			pages += (unsigned long)nr;
		pfn += (pfn_t)nr;
	}
	return pages << PAGE_SHIFT;
}

unsigned long fsim_anon_bytes(struct fsim_machine *m)
{
	return anon_bytes(m, 0);
}

/* RAM held by PMD-sized anonymous folios, however they are mapped. */
unsigned long fsim_thp_bytes(struct fsim_machine *m)
{
	return anon_bytes(m, HPAGE_PMD_ORDER);
}
