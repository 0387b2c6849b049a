// SPDX-License-Identifier: GPL-2.0-only
/*
 * khugepaged collapse to mTHP orders, the rule of the unmerged series
 * "khugepaged: mTHP support" (Nico Pache, Dev Jain; modifiers
 * +mthp_collapse, +mthp_collapse_v10 and +mthp_collapse_v11, see
 * docs/profiles.md): which orders khugepaged may collapse to, how many
 * empty PTEs each order tolerates, and the forward walk over the bitmap
 * of present PTEs that the PMD scan leaves.  With the modifier off every
 * function here answers as 6.18 does, so plain eras keep their results.
 */
#include "collapse.h"
#include "internal.h"

#define PMD_ORDER_BIT (1UL << HPAGE_PMD_ORDER)
/* Every order an anonymous collapse may produce, 2 .. PMD. */
#define COLLAPSE_ORDERS (((PMD_ORDER_BIT << 1) - 1) & ~((1UL << 2) - 1))

static enum mthp_collapse_rule rule_of(struct fsim_machine *m)
{
	return m->profile->mthp_collapse;
}

int mthp_allowed_none(enum mthp_collapse_rule rule, int max_ptes_none,
		      int order)
{
	int none = max_ptes_none;

	if (rule == MTHP_COLLAPSE_OFF || order >= HPAGE_PMD_ORDER)
		return max_ptes_none;
	switch (rule) {
	case MTHP_COLLAPSE_V19:
		/* only "never add an empty page" or "always" are kept */
		return max_ptes_none == HPAGE_PMD_NR - 1 ? (1 << order) - 1 : 0;
	case MTHP_COLLAPSE_V11:
		/* under half a range, so a collapse cannot qualify the next */
		if (none > HPAGE_PMD_NR / 2 - 1)
			none = HPAGE_PMD_NR / 2 - 1;
		return none >> (HPAGE_PMD_ORDER - order);
	case MTHP_COLLAPSE_V10:
	default:
		return none >> (HPAGE_PMD_ORDER - order);
	}
}

int collapse_max_ptes_none(struct fsim_machine *m, int order)
{
	return mthp_allowed_none(rule_of(m), (int)m->set.max_ptes_none, order);
}

int collapse_max_ptes_shared(struct fsim_machine *m, int order)
{
	return order < HPAGE_PMD_ORDER ? 0 : (int)m->set.max_ptes_shared;
}

/* The per-size "enabled" of @order lets some VMA have it. */
static bool order_enabled(struct fsim_machine *m, int order)
{
	long mode = m->set.size_enabled[order];

	if (mode == THP_ALWAYS || mode == THP_MADVISE)
		return true;
	return mode == THP_INHERIT && m->set.enabled != THP_NEVER;
}

bool khugepaged_enabled(struct fsim_machine *m)
{
	int o;

	if (!rule_of(m))
		return hugepage_pmd_enabled(m);
	for (o = 2; o <= HPAGE_PMD_ORDER; o++)
		if (order_enabled(m, o))
			return true;
	return false;
}

unsigned long collapse_possible_orders(struct fsim_machine *m,
				       struct vm_area_struct *vma,
				       bool khugepaged)
{
	enum tva_type type = khugepaged ? TVA_KHUGEPAGED : TVA_FORCED_COLLAPSE;

	/* MADV_COLLAPSE stays PMD-only under every variant */
	if (!khugepaged || !rule_of(m))
		return thp_vma_allowable_order(m, vma, HPAGE_PMD_ORDER, type) ?
			       PMD_ORDER_BIT :
			       0;
	return thp_vma_allowable_orders(m, vma, COLLAPSE_ORDERS, type);
}

unsigned long collapse_scan_orders(struct fsim_machine *m,
				   struct mm_struct *mm, unsigned long haddr,
				   bool khugepaged)
{
	struct vm_area_struct *vma;

	if (!khugepaged || !rule_of(m))
		return PMD_ORDER_BIT;
	vma = find_vma(mm, haddr);
	return vma ? collapse_possible_orders(m, vma, true) : PMD_ORDER_BIT;
}

void count_collapse_event(struct fsim_machine *m, int order,
			  enum vm_event_item pmd_item,
			  enum mthp_collapse_stat stat)
{
	if (order == HPAGE_PMD_ORDER)
		count_vm_event(m, pmd_item);
	m->khugepaged->mthp_stat[order][stat]++;
}

static int present_in(const uint64_t *present, int from, int nr)
{
	int i, n = 0;

	for (i = from; i < from + nr; i++)
		n += (int)((present[i / 64] >> (i % 64)) & 1);
	return n;
}

/* Failures after which a smaller order at the same offset may still work */
static bool retry_lower_order(enum scan_result r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
	case SCAN_LACK_REFERENCED_PAGE:
	case SCAN_EXCEED_NONE_PTE:
	case SCAN_EXCEED_SWAP_PTE:
	case SCAN_EXCEED_SHARED_PTE:
	case SCAN_PAGE_LOCK:
	case SCAN_PAGE_COUNT:
	case SCAN_PAGE_NULL:
	case SCAN_DEL_PAGE_LRU:
	case SCAN_PTE_NON_PRESENT:
	case SCAN_PTE_UFFD_WP:
		return true;
	default:
		return false;
	}
}

/* A trace record of one collapse attempt below PMD order. */
static void record_attempt(struct fsim_machine *m, struct mm_struct *mm,
			   unsigned long addr, int order, int occupied,
			   enum scan_result r)
{
	struct kh_scan_record rec = {
		.mm_idx = mm->idx, .addr = addr, .status = r,
		.none_or_zero = (1 << order) - occupied, .pfn = NO_PFN,
		.is_khugepaged = true, .pass = m->khugepaged->passes,
		.order = order,
	};

	kh_record(m, &rec);
}

/* Natural alignment bounds the order tried at the next offset. */
static int next_offset_order(int offset)
{
	int o = __builtin_ctz((unsigned int)offset);

	return o < HPAGE_PMD_ORDER ? o : HPAGE_PMD_ORDER;
}

enum scan_result mthp_collapse(struct fsim_machine *m, struct mm_struct *mm,
			       unsigned long haddr, const uint64_t *present,
			       unsigned long orders, int unmapped,
			       bool *attempted)
{
	enum scan_result last = SCAN_FAIL, r;
	int offset = 0, order = HPAGE_PMD_ORDER, collapsed = 0;
	int nr, occupied;
	unsigned long addr;

	while (offset < HPAGE_PMD_NR) {
		nr = 1 << order;
		if (orders & (1UL << order)) {
			occupied = present_in(present, offset, nr);
			if (occupied >= nr - collapse_max_ptes_none(m, order)) {
				addr = haddr + (unsigned long)offset * PAGE_SIZE;
				*attempted = true;
				r = collapse_huge_page(m, mm, haddr, addr, order,
						       unmapped, true);
				if (order < HPAGE_PMD_ORDER)
					record_attempt(m, mm, addr, order,
						       occupied, r);
				if (r == SCAN_SUCCEED)
					collapsed += nr;
				if (r == SCAN_SUCCEED ||
				    r == SCAN_PTE_MAPPED_HUGEPAGE)
					goto next_offset;
				last = r;
				if (!retry_lower_order(r))
					break;
			}
		}
		/* a smaller enabled order at the same offset, if any */
		if (order > 2 && (orders & ((1UL << order) - 1))) {
			order--;
			continue;
		}
next_offset:
		offset += nr;
		order = next_offset_order(offset);
	}
	return collapsed ? SCAN_SUCCEED : last;
}
