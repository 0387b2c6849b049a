// SPDX-License-Identifier: GPL-2.0-only
/*
 * Anonymous PMD collapse, shared by khugepaged and MADV_COLLAPSE: the
 * per-PMD scan with every check in the kernel's order
 * (hpage_collapse_scan_pmd()), then collapse_huge_page(): allocation,
 * revalidation, swap-in, isolation, copy, release of the old pages and
 * installation of the new PMD; and madvise_collapse() on top.
 */
#include <errno.h>
#include <stdlib.h>

#include "collapse.h"
#include "internal.h"
#include "predicate.h"

struct scan_state {
	int none_or_zero, shared, unmapped, referenced;
	bool writable;
	pfn_t pfn;			/* last folio looked at */
	/* +mthp_collapse: no none limit, one bit per present PTE instead */
	bool mthp;
	uint64_t present[PTRS_PER_TABLE / 64];
};

/* find_pmd_or_thp_or_none() + check_pmd_state() */
static enum scan_result pmd_state(struct mm_struct *mm, unsigned long haddr,
				  struct pmd_table **tp)
{
	struct pmd_table *t = pmd_table_lookup(mm, haddr, false);
	pmd_t pmd;

	if (!t)
		return SCAN_PMD_NULL;
	pmd = t->e[pmd_index(haddr)];
	if (pmd_none(pmd))
		return SCAN_PMD_NONE;
	if (pmd_trans_huge(pmd))
		return SCAN_PMD_MAPPED;
	*tp = t;
	return SCAN_SUCCEED;
}

/* A forced failure of a PMD check can only add a result, never skip one. */
static enum scan_result checked_pmd_state(struct fsim_machine *m,
					  enum kh_point p, struct mm_struct *mm,
					  unsigned long haddr,
					  struct pmd_table **tp)
{
	enum scan_result r = pmd_state(mm, haddr, tp);

	if (kh_point(m, p, r != SCAN_SUCCEED) && r == SCAN_SUCCEED)
		r = SCAN_PMD_NULL;
	return r;
}

static long expected_refs(struct fsim_machine *m, struct folio *folio)
{
	return folio_mapcount(m, folio) +
	       (folio_test(folio, PG_swapcache) ? folio_nr_pages(folio) : 0);
}

static bool pte_referenced(struct fsim_machine *m, pte_t pte,
			   struct folio *folio)
{
	return kh_point(m, KH_YOUNG,
			pte_young(pte) || folio_test(folio, PG_young) ||
				folio_test(folio, PG_referenced));
}

static bool is_shared(struct fsim_machine *m, struct folio *folio,
		      struct page *page)
{
	bool answer = kh_point(m, KH_SHARED,
			       shared_pred_eval(m, m->shared, folio, page));

	if (m->track_truth) {
		bool truth = folio_exact_mapped_shared(m, folio);

		m->pred_fn += truth && !answer;
		m->pred_fp += !truth && answer;
	}
	return answer;
}

/* One present PTE of the scan: the checks after "is it none or swap?". */
static enum scan_result scan_present_pte(struct fsim_machine *m, pte_t pte,
					 struct scan_state *st, bool khugepaged)
{
	struct page *page = &m->phys.pages[pte_pfn(pte)];
	struct folio *folio = page_folio(&m->phys, page);

	if (pte_write(pte))
		st->writable = true;
	st->pfn = folio_pfn(&m->phys, folio);
	if (kh_point(m, KH_SCAN_PAGE_ANON, !folio_test(folio, PG_anon)))
		return SCAN_PAGE_ANON;
	if (is_shared(m, folio, page)) {
		++st->shared;
		if (kh_point(m, KH_SCAN_EXCEED_SHARED,
			     khugepaged &&
				     st->shared > m->set.max_ptes_shared)) {
			count_vm_event(m, THP_SCAN_EXCEED_SHARE_PTE);
			return SCAN_EXCEED_SHARED_PTE;
		}
	}
	if (kh_point(m, KH_SCAN_PAGE_LRU, !folio_test(folio, PG_lru)))
		return SCAN_PAGE_LRU;
	if (kh_point(m, KH_SCAN_PAGE_LOCK, folio_test(folio, PG_locked)))
		return SCAN_PAGE_LOCK;
	if (kh_point(m, KH_SCAN_PAGE_COUNT,
		     folio_ref_count(folio) != expected_refs(m, folio)))
		return SCAN_PAGE_COUNT;
	if (khugepaged && pte_referenced(m, pte, folio))
		st->referenced++;
	return SCAN_SUCCEED;
}

/* The PTE loop of hpage_collapse_scan_pmd(), stopping at the first failure */
static enum scan_result scan_ptes(struct fsim_machine *m, const pte_t *table,
				  struct scan_state *st, bool khugepaged)
{
	enum scan_result r;
	int i;

	for (i = 0; i < PTRS_PER_TABLE; i++) {
		pte_t pte = table[i];

		if (pte_is_swap(pte)) {
			++st->unmapped;
			if (kh_point(m, KH_SCAN_EXCEED_SWAP,
				     khugepaged &&
					     st->unmapped > m->set.max_ptes_swap)) {
				count_vm_event(m, THP_SCAN_EXCEED_SWAP_PTE);
				return SCAN_EXCEED_SWAP_PTE;
			}
			continue;
		}
		if (pte_none(pte) || pte_special(pte)) {
			++st->none_or_zero;
			if (!st->mthp &&
			    kh_point(m, KH_SCAN_EXCEED_NONE,
				     khugepaged && st->none_or_zero >
							   m->set.max_ptes_none)) {
				count_vm_event(m, THP_SCAN_EXCEED_NONE_PTE);
				return SCAN_EXCEED_NONE_PTE;
			}
			continue;
		}
		r = scan_present_pte(m, pte, st, khugepaged);
		if (r != SCAN_SUCCEED)
			return r;
		st->present[i / 64] |= 1ULL << (i % 64);
	}
	return SCAN_SUCCEED;
}

/* The verdict after the loop: writable (<= 6.17), then referenced. */
static enum scan_result scan_verdict(struct fsim_machine *m,
				     const struct scan_state *st,
				     bool khugepaged)
{
	if (m->profile->collapse_needs_writable &&
	    kh_point(m, KH_SCAN_PAGE_RO, !st->writable))
		return SCAN_PAGE_RO;
	if (kh_point(m, KH_SCAN_LACK_REFERENCED,
		     khugepaged &&
			     (!st->referenced ||
			      (st->unmapped && st->referenced < HPAGE_PMD_NR / 2))))
		return SCAN_LACK_REFERENCED_PAGE;
	return SCAN_SUCCEED;
}

/* hugepage_vma_revalidate() */
static enum scan_result revalidate(struct fsim_machine *m,
				   struct mm_struct *mm, unsigned long haddr,
				   int order, bool khugepaged, bool expect_anon,
				   struct vm_area_struct **vmap)
{
	struct vm_area_struct *vma;
	enum scan_result r = SCAN_SUCCEED;

	vma = mm->alive ? find_vma(mm, haddr) : NULL;
	if (!mm->alive)
		r = SCAN_ANY_PROCESS;
	else if (!vma)
		r = SCAN_VMA_NULL;
	else if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end)
		r = SCAN_ADDRESS_RANGE;
	else if (!(collapse_possible_orders(m, vma, khugepaged) &
		   (1UL << order)))
		r = SCAN_VMA_CHECK;
	else if (expect_anon && !vma->anon_vma)
		r = SCAN_PAGE_ANON;
	if (kh_point(m, KH_REVALIDATE, r != SCAN_SUCCEED) && r == SCAN_SUCCEED)
		r = SCAN_VMA_CHECK;
	*vmap = vma;
	return r;
}

/*
 * __collapse_huge_page_swapin(): every swap entry of the @nr PTEs at @addr
 * is faulted in (read).  Below PMD order (+mthp_collapse) a swap entry
 * fails the range instead.
 */
static enum scan_result swapin(struct fsim_machine *m, struct mm_struct *mm,
			       struct vm_area_struct *vma, unsigned long addr,
			       pte_t *ptes, int order)
{
	bool failed = false;
	int i, nr = 1 << order;

	for (i = 0; i < nr && order < HPAGE_PMD_ORDER; i++)
		if (pte_is_swap(ptes[i])) {
			count_collapse_event(m, order, THP_SCAN_EXCEED_SWAP_PTE,
					     MTHP_STAT_COLLAPSE_EXCEED_SWAP);
			return SCAN_EXCEED_SWAP_PTE;
		}
	for (i = 0; i < nr && !failed; i++)
		if (pte_is_swap(ptes[i]))
			failed = do_swap_page(m, mm, vma, addr + i * PAGE_SIZE,
					      &ptes[i], false) != VM_FAULT_DONE;
	return kh_point(m, KH_SWAPIN, failed) ? SCAN_FAIL : SCAN_SUCCEED;
}

/*
 * Folios taken off the LRU and locked by the isolation step (the kernel's
 * compound_pagelist plus the small folios it finds again through the PTEs).
 */
struct isolated {
	uint32_t *heads;		/* head pfn | ISO_LARGE */
	int nr;
};

#define ISO_LARGE 0x80000000U

static void putback_folio(struct folio *folio)
{
	folio_clear(folio, PG_locked | PG_isolated);
	folio_set(folio, PG_lru);
}

static void release_isolated(struct fsim_machine *m, struct isolated *iso)
{
	int i;

	for (i = 0; i < iso->nr; i++) {
		struct folio *folio = pfn_folio(&m->phys,
						iso->heads[i] & ~ISO_LARGE);

		putback_folio(folio);
		folio_put_refs(m, folio, 1);
	}
	iso->nr = 0;
}

/* Lock and isolate one folio (the part done once per folio). */
static enum scan_result isolate_folio(struct fsim_machine *m,
				      struct folio *folio, struct isolated *iso)
{
	if (folio_test_large(folio) && folio_test(folio, PG_isolated))
		return SCAN_SUCCEED;	/* already on compound_pagelist */
	if (kh_point(m, KH_ISO_PAGE_LOCK, folio_test(folio, PG_locked)))
		return SCAN_PAGE_LOCK;	/* folio_trylock() failed */
	if (kh_point(m, KH_ISO_PAGE_COUNT,
		     folio_ref_count(folio) != expected_refs(m, folio)))
		return SCAN_PAGE_COUNT;
	if (kh_point(m, KH_ISO_DEL_LRU, !folio_test(folio, PG_lru)))
		return SCAN_DEL_PAGE_LRU;
	folio_clear(folio, PG_lru);
	folio_set(folio, PG_locked | PG_isolated);
	folio_ref_add(folio, 1);
	iso->heads[iso->nr++] = folio_pfn(&m->phys, folio) |
				(folio_test_large(folio) ? ISO_LARGE : 0);
	return SCAN_SUCCEED;
}

/*
 * __collapse_huge_page_isolate(): the re-check of the 2^order PTEs at
 * @ptes under the locks, with the limits of the order.
 */
static enum scan_result isolate(struct fsim_machine *m, pte_t *ptes,
				int order, bool khugepaged,
				struct isolated *iso)
{
	int max_none = collapse_max_ptes_none(m, order);
	int max_shared = collapse_max_ptes_shared(m, order);
	struct scan_state st = { 0 };
	enum scan_result r;
	int i;

	for (i = 0; i < 1 << order; i++) {
		pte_t pte = ptes[i];
		struct folio *folio;
		struct page *page;

		if (pte_none(pte) || (pte_present(pte) && pte_special(pte))) {
			++st.none_or_zero;
			if (kh_point(m, KH_ISO_EXCEED_NONE,
				     khugepaged && st.none_or_zero > max_none)) {
				count_collapse_event(m, order,
						     THP_SCAN_EXCEED_NONE_PTE,
						     MTHP_STAT_COLLAPSE_EXCEED_NONE);
				return SCAN_EXCEED_NONE_PTE;
			}
			continue;
		}
		if (kh_point(m, KH_ISO_NON_PRESENT, !pte_present(pte)))
			return SCAN_PTE_NON_PRESENT;
		if (pte_write(pte))
			st.writable = true;
		page = &m->phys.pages[pte_pfn(pte)];
		folio = page_folio(&m->phys, page);
		if (is_shared(m, folio, page)) {
			++st.shared;
			if (kh_point(m, KH_ISO_EXCEED_SHARED,
				     khugepaged && st.shared > max_shared)) {
				count_collapse_event(m, order,
						     THP_SCAN_EXCEED_SHARE_PTE,
						     MTHP_STAT_COLLAPSE_EXCEED_SHARED);
				return SCAN_EXCEED_SHARED_PTE;
			}
		}
		/* an mTHP already as large as the target stays as it is */
		if (order < HPAGE_PMD_ORDER && (int)folio_order(folio) >= order)
			return SCAN_PTE_MAPPED_HUGEPAGE;
		r = isolate_folio(m, folio, iso);
		if (r != SCAN_SUCCEED)
			return r;
		if (khugepaged && pte_referenced(m, pte, folio))
			st.referenced++;
	}
	if (m->profile->collapse_needs_writable &&
	    kh_point(m, KH_ISO_PAGE_RO, !st.writable))
		return SCAN_PAGE_RO;
	if (kh_point(m, KH_ISO_LACK_REFERENCED, khugepaged && !st.referenced))
		return SCAN_LACK_REFERENCED_PAGE;
	return SCAN_SUCCEED;
}

/*
 * __collapse_huge_page_copy() and _copy_succeeded(): fill the new folio,
 * then unmap the old pages (a large folio in batches of its consecutive
 * PTEs, which may queue it as partially mapped) and drop them.  Empty and
 * zero slots each add one page to RSS: the THP accounts for all 512.  The
 * expected contents stay in the table, which becomes the deposit.
 */
static void copy_and_release(struct fsim_machine *m, struct mm_struct *mm,
			     pte_t *table, struct folio *new,
			     struct isolated *iso)
{
	int i = 0, k, nr, end = (int)folio_nr_pages(new);

	for (k = 0; k < end; k++)
		folio_page(new, k)->content =
			pte_none(table[k]) || pte_special(table[k]) ?
				0 :
				m->phys.pages[pte_pfn(table[k])].content;
	while (i < end) {
		pte_t pte = table[i];
		struct folio *folio;
		struct page *page;

		if (pte_none(pte) || pte_special(pte)) {
			mm_inc_rss(mm, MM_ANONPAGES, 1);
			table[i++] &= ~0xffffffffULL;
			continue;
		}
		page = &m->phys.pages[pte_pfn(pte)];
		folio = page_folio(&m->phys, page);
		nr = 1;
		while (folio_test_large(folio) && i + nr < end &&
		       pte_present(table[i + nr]) && !pte_special(table[i + nr]) &&
		       pte_pfn(table[i + nr]) == pte_pfn(pte) + (pfn_t)nr &&
		       folio_page_idx(folio, page) + nr < folio_nr_pages(folio))
			nr++;
		for (k = 0; k < nr; k++)
			table[i + k] &= ~0xffffffffULL;
		if (!folio_test_large(folio)) {
			putback_folio(folio);		/* release_pte_folio() */
			folio_put_refs(m, folio, 1);
		}
		folio_remove_rmap_ptes(m, folio, page, nr, mm);
		if (!folio_test_large(folio) &&
		    folio_test(folio, PG_swapcache) && !folio_mapped(m, folio))
			folio_free_swap(m, folio);
		folio_put_refs(m, folio, nr);
		i += nr;
	}
	for (k = 0; k < iso->nr; k++) {
		struct folio *folio;

		if (!(iso->heads[k] & ISO_LARGE))
			continue;	/* small ones went back above */
		folio = pfn_folio(&m->phys, iso->heads[k] & ~ISO_LARGE);
		putback_folio(folio);
		if (folio_test(folio, PG_swapcache) && !folio_mapped(m, folio))
			folio_free_swap(m, folio);
		folio_put_refs(m, folio, 1);
	}
}

/* Install the new folio by PMD over the (now empty) table at @t[i]. */
static void install_pmd(struct fsim_machine *m, struct mm_struct *mm,
			struct vm_area_struct *vma, unsigned long haddr,
			struct pmd_table *t, struct folio *new)
{
	int i = (int)pmd_index(haddr);
	pmd_t entry = _PMD_YOUNG | _PMD_DIRTY;

	if (vma->vm_flags & VM_WRITE)
		entry |= _PMD_WRITE;
	folio_add_new_anon_rmap(m, new, mm, vma, haddr, RMAP_EXCLUSIVE);
	folio_set(new, PG_lru);
	t->deposit[i] = pmd_table(t->e[i]);
	t->e[i] = pfn_pmd(folio_pfn(&m->phys, new), entry);
	deferred_split_folio(m, new, false);
}

/*
 * Map an mTHP collapse's new folio by PTEs over the (now empty) @ptes at
 * @addr.  Unlike a PMD collapse it is not queued for deferred split: the
 * underused shrinker only looks at PMD-sized folios.
 */
static void install_ptes(struct fsim_machine *m, struct mm_struct *mm,
			 struct vm_area_struct *vma, unsigned long addr,
			 pte_t *ptes, struct folio *new)
{
	pte_t entry = _PTE_YOUNG | _PTE_DIRTY;
	long k, nr = folio_nr_pages(new);

	if (vma->vm_flags & VM_WRITE)
		entry |= _PTE_WRITE;
	folio_ref_add(new, (int)nr - 1);
	folio_add_new_anon_rmap(m, new, mm, vma, addr, RMAP_EXCLUSIVE);
	folio_set(new, PG_lru);
	for (k = 0; k < nr; k++)
		set_pte_keep(&ptes[k],
			     pfn_pte(folio_pfn(&m->phys, new) + (pfn_t)k, entry));
}

/* Everything after the allocation; on success the new folio is mapped. */
static enum scan_result collapse_locked(struct fsim_machine *m,
					struct mm_struct *mm,
					unsigned long haddr, unsigned long addr,
					int unmapped, bool khugepaged,
					struct folio *new)
{
	int order = (int)folio_order(new);
	struct isolated iso = { 0 };
	struct vm_area_struct *vma;
	struct pmd_table *t;
	enum scan_result r;
	pte_t *ptes;

	r = revalidate(m, mm, haddr, order, khugepaged, true, &vma);
	if (r == SCAN_SUCCEED)
		r = checked_pmd_state(m, KH_COLLAPSE_PMD_STATE, mm, haddr, &t);
	if (r != SCAN_SUCCEED)
		return r;
	ptes = pmd_table(t->e[pmd_index(haddr)]) + pte_index(addr);
	if (unmapped) {
		r = swapin(m, mm, vma, addr, ptes, order);
		if (r != SCAN_SUCCEED)
			return r;
	}
	iso.heads = malloc(PTRS_PER_TABLE * sizeof(*iso.heads));
	if (!iso.heads)
		return SCAN_FAIL;
	r = isolate(m, ptes, order, khugepaged, &iso);
	if (r == SCAN_SUCCEED) {
		copy_and_release(m, mm, ptes, new, &iso);
		if (order == HPAGE_PMD_ORDER)
			install_pmd(m, mm, vma, haddr, t, new);
		else
			install_ptes(m, mm, vma, addr, ptes, new);
	} else {
		release_isolated(m, &iso);
	}
	free(iso.heads);
	return r;
}

/* The allocation comes first and is always counted. */
enum scan_result collapse_huge_page(struct fsim_machine *m,
				    struct mm_struct *mm, unsigned long haddr,
				    unsigned long addr, int order, int unmapped,
				    bool khugepaged)
{
	struct folio *new = folio_alloc(&m->phys, (unsigned int)order);
	enum scan_result r;

	if (kh_point(m, KH_ALLOC, !new)) {
		if (new)
			folio_put_refs(m, new, 1);
		count_collapse_event(m, order, THP_COLLAPSE_ALLOC_FAILED,
				     MTHP_STAT_COLLAPSE_ALLOC_FAILED);
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	}
	count_collapse_event(m, order, THP_COLLAPSE_ALLOC,
			     MTHP_STAT_COLLAPSE_ALLOC);
	r = collapse_locked(m, mm, haddr, addr, unmapped, khugepaged, new);
	if (r != SCAN_SUCCEED)
		folio_put_refs(m, new, 1);
	return r;
}

enum scan_result hpage_collapse_scan_pmd(struct fsim_machine *m,
					 struct mm_struct *mm,
					 unsigned long haddr, bool *locked,
					 bool is_khugepaged)
{
	struct scan_state st = { .pfn = NO_PFN };
	unsigned long orders;
	struct kh_scan_record rec;
	struct pmd_table *t;
	enum scan_result r;

	/* mTHP orders enabled besides PMD (+mthp_collapse, khugepaged) */
	orders = collapse_scan_orders(m, mm, haddr, is_khugepaged);
	st.mthp = orders & ~(1UL << HPAGE_PMD_ORDER);
	r = checked_pmd_state(m, KH_SCAN_PMD_STATE, mm, haddr, &t);
	if (r == SCAN_SUCCEED)
		r = scan_ptes(m, pmd_table(t->e[pmd_index(haddr)]), &st,
			      is_khugepaged);
	if (r == SCAN_SUCCEED)
		r = scan_verdict(m, &st, is_khugepaged);
	if (r == SCAN_SUCCEED && st.mthp) {
		bool attempted = false;

		r = mthp_collapse(m, mm, haddr, st.present, orders,
				  st.unmapped, &attempted);
		if (attempted)	/* the lock was dropped */
			*locked = false;
	} else if (r == SCAN_SUCCEED) {
		r = collapse_huge_page(m, mm, haddr, haddr, HPAGE_PMD_ORDER,
				       st.unmapped, is_khugepaged);
		*locked = false;
	}
	rec = (struct kh_scan_record){
		.mm_idx = mm->idx, .addr = haddr, .status = r,
		.referenced = st.referenced, .none_or_zero = st.none_or_zero,
		.unmapped = st.unmapped, .shared = st.shared, .pfn = st.pfn,
		.is_khugepaged = is_khugepaged,
		.pass = is_khugepaged ? m->khugepaged->passes : 0,
	};
	kh_record(m, &rec);
	return r;
}

int madvise_collapse_errno(enum scan_result r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return -ENOMEM;
	case SCAN_CGROUP_CHARGE_FAIL:
	case SCAN_EXCEED_NONE_PTE:
		return -EBUSY;
	case SCAN_PAGE_COUNT:
	case SCAN_PAGE_LOCK:
	case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
	case SCAN_PAGE_FILLED:
		return -EAGAIN;
	default:
		return -EINVAL;
	}
}

/* Results after which MADV_COLLAPSE goes on with the next PMD. */
static bool collapse_keeps_going(enum scan_result r)
{
	switch (r) {
	case SCAN_PMD_NULL:
	case SCAN_PTE_NON_PRESENT:
	case SCAN_PTE_UFFD_WP:
	case SCAN_PAGE_RO:
	case SCAN_LACK_REFERENCED_PAGE:
	case SCAN_PAGE_NULL:
	case SCAN_PAGE_COUNT:
	case SCAN_PAGE_LOCK:
	case SCAN_PAGE_COMPOUND:
	case SCAN_PAGE_LRU:
	case SCAN_DEL_PAGE_LRU:
		return true;
	default:
		return false;
	}
}

/*
 * madvise_collapse() on [start, end) of one VMA.  The count of PMDs is
 * computed in unsigned arithmetic, as the kernel does: a range inside one
 * PMD that contains no aligned PMD wraps and fails with EINVAL.
 */
static int madvise_collapse(struct fsim_machine *m, struct mm_struct *mm,
			    struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	unsigned long hstart = ALIGN_UP_PMD(start), hend = ALIGN_DOWN_PMD(end);
	enum scan_result last_fail = SCAN_FAIL, r;
	unsigned long addr, thps = 0;
	bool locked = true;

	if (!thp_vma_allowable_order(m, vma, HPAGE_PMD_ORDER,
				     TVA_FORCED_COLLAPSE))
		return -EINVAL;
	for (addr = hstart; addr < hend; addr += PMD_SIZE) {
		if (!locked) {
			locked = true;
			r = revalidate(m, mm, addr, HPAGE_PMD_ORDER, false,
				       false, &vma);
			if (r != SCAN_SUCCEED) {
				last_fail = r;
				break;
			}
			if (hend > ALIGN_DOWN_PMD(vma->vm_end))
				hend = ALIGN_DOWN_PMD(vma->vm_end);
		}
		r = hpage_collapse_scan_pmd(m, mm, addr, &locked, false);
		if (r == SCAN_SUCCEED || r == SCAN_PMD_MAPPED) {
			thps++;
			continue;
		}
		last_fail = r;
		if (!collapse_keeps_going(r))
			break;
	}
	return thps == (hend - hstart) >> PMD_SHIFT ?
		       0 :
		       madvise_collapse_errno(last_fail);
}

static int collapse_one_vma(struct fsim_machine *m, struct mm_struct *mm,
			    struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, void *arg)
{
	(void)arg;
	return madvise_collapse(m, mm, vma, start, end);
}

int madvise_collapse_range(struct fsim_machine *m, struct mm_struct *mm,
			   unsigned long start, unsigned long end)
{
	int err = madvise_walk_vmas(m, mm, start, end, collapse_one_vma, NULL);

	return err ? fsim_err(m, err, "MADV_COLLAPSE failed") : 0;
}
