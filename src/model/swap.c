// SPDX-License-Identifier: GPL-2.0-only
/*
 * Swap: slots with a content tag and a use count (swap_map), the swap
 * cache, swap-in (do_swap_page()) and the swap-cache release rules.
 *
 * The device behaves like zram, the swap device of the live kernel here
 * (SWP_SYNCHRONOUS_IO): a slot used by one PTE is read without the swap
 * cache and freed at once; a slot shared after fork goes through the swap
 * cache, which is dropped as soon as no PTE references the slot any more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "swap.h"

int swap_init(struct fsim_machine *m, uint64_t bytes)
{
	struct fsim_swap *s = &m->swap;
	uint32_t n = (uint32_t)(bytes >> PAGE_SHIFT), i;

	memset(s, 0, sizeof(*s));
	if (n > PFN_LIMIT)
		return -EINVAL;
	s->nr_slots = n;
	s->content = calloc(n + 1, sizeof(*s->content));
	s->count = calloc(n + 1, sizeof(*s->count));
	s->cache = calloc(n + 1, sizeof(*s->cache));
	if (!s->content || !s->count || !s->cache)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		s->cache[i] = NO_PFN;
	return 0;
}

void swap_destroy(struct fsim_machine *m)
{
	free(m->swap.content);
	free(m->swap.count);
	free(m->swap.cache);
	free(m->swap.rev);
	memset(&m->swap, 0, sizeof(m->swap));
}

/* The reverse map head pfn -> first slot, for folios in the swap cache. */
static uint32_t *rev_slot(struct fsim_swap *s, pfn_t pfn, bool insert)
{
	uint32_t mask, h;

	if (insert && 2 * (s->rev_used + 1) > s->rev_cap) {
		uint32_t cap = s->rev_cap ? 2 * s->rev_cap : 64, i;
		struct swap_rev *old = s->rev, *new;

		new = calloc(cap, sizeof(*new));
		if (!new)
			return NULL;
		s->rev = new;
		s->rev_cap = cap;
		s->rev_used = 0;
		for (i = 0; old && i < cap / 2; i++)
			if (old[i].pfn_plus1)
				*rev_slot(s, old[i].pfn_plus1 - 1, true) =
					old[i].offset;
		free(old);
	}
	if (!s->rev_cap)
		return NULL;
	mask = s->rev_cap - 1;
	for (h = (pfn * 2654435761U) & mask;; h = (h + 1) & mask) {
		if (s->rev[h].pfn_plus1 == pfn + 1)
			return &s->rev[h].offset;
		if (!s->rev[h].pfn_plus1) {
			if (!insert)
				return NULL;
			s->rev[h].pfn_plus1 = pfn + 1;
			s->rev_used++;
			return &s->rev[h].offset;
		}
	}
}

/* Remove by re-inserting the rest of the cluster (linear probing). */
static void rev_del(struct fsim_swap *s, pfn_t pfn)
{
	uint32_t mask = s->rev_cap - 1, h, j;

	for (h = (pfn * 2654435761U) & mask; s->rev[h].pfn_plus1 != pfn + 1;
	     h = (h + 1) & mask)
		;
	s->rev[h].pfn_plus1 = 0;
	s->rev_used--;
	for (j = (h + 1) & mask; s->rev[j].pfn_plus1; j = (j + 1) & mask) {
		struct swap_rev e = s->rev[j];

		s->rev[j].pfn_plus1 = 0;
		s->rev_used--;
		*rev_slot(s, e.pfn_plus1 - 1, true) = e.offset;
	}
}

uint32_t folio_swap_offset(struct fsim_machine *m, struct folio *folio)
{
	uint32_t *slot = rev_slot(&m->swap, folio_pfn(&m->phys, folio),
				  false);

	return slot ? *slot : 0;
}

int swap_alloc(struct fsim_machine *m, long nr, uint32_t *offset)
{
	struct fsim_swap *s = &m->swap;
	uint32_t tries, start;
	long k;

	if (!s->nr_slots || (uint32_t)nr > s->nr_slots)
		return -ENOSPC;
	for (tries = 0; tries < s->nr_slots; tries++) {
		/* slot 0 is never handed out, like the swap header */
		start = (s->cursor + tries) % s->nr_slots;
		start = (start + (uint32_t)nr - 1) & ~((uint32_t)nr - 1);
		if (!start || start + (uint32_t)nr > s->nr_slots)
			continue;
		for (k = 0; k < nr; k++)
			if (s->count[start + k] || s->cache[start + k] != NO_PFN)
				break;
		if (k == nr) {
			s->cursor = start + (uint32_t)nr;
			s->nr_used += (uint32_t)nr;
			*offset = start;
			return 0;
		}
	}
	return -ENOSPC;
}

int add_to_swap_cache(struct fsim_machine *m, struct folio *folio,
		      uint32_t offset)
{
	long k, nr = folio_nr_pages(folio);
	uint32_t *slot = rev_slot(&m->swap, folio_pfn(&m->phys, folio), true);

	if (!slot)
		return -ENOMEM;
	*slot = offset;
	for (k = 0; k < nr; k++)
		m->swap.cache[offset + k] = folio_pfn(&m->phys, folio) +
					    (pfn_t)k;
	folio_set(folio, PG_swapcache);
	folio_ref_add(folio, (int)nr);
	return 0;
}

/* Give back a slot nobody references any more. */
static void swap_slot_release(struct fsim_swap *s, uint32_t offset)
{
	if (!s->count[offset] && s->cache[offset] == NO_PFN) {
		s->content[offset] = 0;
		s->nr_used--;
	}
}

static void delete_from_swap_cache(struct fsim_machine *m,
				   struct folio *folio)
{
	pfn_t pfn = folio_pfn(&m->phys, folio);
	uint32_t offset = folio_swap_offset(m, folio);
	long k, nr = folio_nr_pages(folio);

	rev_del(&m->swap, pfn);
	for (k = 0; k < nr; k++) {
		m->swap.cache[offset + k] = NO_PFN;
		swap_slot_release(&m->swap, offset + (uint32_t)k);
	}
	folio_clear(folio, PG_swapcache);
	folio_put_refs(m, folio, (int)nr);
}

/*
 * __remove_mapping() for a swap-cache folio that reclaim has unmapped and
 * written out: it leaves the swap cache and is freed, while its slots stay
 * with the swap entries that reference them.  -EBUSY if someone else still
 * holds a reference.
 */
int swap_cache_reclaim(struct fsim_machine *m, struct folio *folio)
{
	if (!folio_test(folio, PG_swapcache) ||
	    folio_ref_count(folio) != folio_nr_pages(folio))
		return -EBUSY;
	delete_from_swap_cache(m, folio);
	return 0;
}

/* folio_free_swap(): 0 if the folio left the swap cache. */
int folio_free_swap(struct fsim_machine *m, struct folio *folio)
{
	uint32_t offset;
	long k;

	if (!folio_test(folio, PG_swapcache))
		return -EINVAL;
	offset = folio_swap_offset(m, folio);
	for (k = 0; k < folio_nr_pages(folio); k++)
		if (m->swap.count[offset + k])
			return -EBUSY;	/* folio_swapped() */
	delete_from_swap_cache(m, folio);
	return 0;
}

void swap_duplicate(struct fsim_machine *m, uint32_t offset)
{
	m->swap.count[offset]++;
}

/* Drop one PTE's reference; try to drop the swap cache when unused. */
void free_swap_and_cache(struct fsim_machine *m, uint32_t offset)
{
	struct fsim_swap *s = &m->swap;

	s->count[offset]--;
	if (!s->count[offset] && s->cache[offset] != NO_PFN)
		folio_free_swap(m, pfn_folio(&m->phys, s->cache[offset]));
	else
		swap_slot_release(s, offset);
}

/* do_swap_page() for an order-0 swap-in (the model never swaps in mTHPs). */
int do_swap_page(struct fsim_machine *m, struct mm_struct *mm,
		 struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
		 bool write)
{
	struct fsim_swap *s = &m->swap;
	uint32_t offset = pte_swp_offset(*ptep);
	bool exclusive = pte_swp_exclusive(*ptep), fresh = false;
	pte_t entry = _PTE_YOUNG;
	struct folio *folio;
	struct page *page;
	int flags;

	(void)addr;
	if (s->cache[offset] != NO_PFN) {
		page = &m->phys.pages[s->cache[offset]];
		folio = page_folio(&m->phys, page);
		folio_ref_add(folio, 1);
	} else {
		folio = folio_alloc(&m->phys, 0);
		if (!folio)
			return VM_FAULT_OOM;
		page = &folio->page;
		page->content = s->content[offset];
		count_vm_event(m, PSWPIN);
		if (s->count[offset] == 1) {
			fresh = exclusive = true;	/* swap cache bypass */
		} else if (add_to_swap_cache(m, folio, offset)) {
			folio_put_refs(m, folio, 1);
			return VM_FAULT_OOM;
		}
	}
	if (folio_test(folio, PG_ksm))
		exclusive = false;
	if (!folio_test(folio, PG_ksm) &&
	    (exclusive || folio_ref_count(folio) == 1)) {
		if (vma->vm_flags & VM_WRITE) {
			entry |= _PTE_WRITE;
			if (write)
				entry |= _PTE_DIRTY;
		}
		exclusive = true;
	}
	flags = exclusive ? RMAP_EXCLUSIVE : RMAP_NONE;
	mm_inc_rss(mm, MM_ANONPAGES, 1);
	mm_inc_rss(mm, MM_SWAPENTS, -1);
	if (fresh || !folio_test(folio, PG_anon)) {
		folio_add_new_anon_rmap(m, folio, mm, vma, addr, flags);
		folio_set(folio, PG_lru);
	} else {
		folio_add_anon_rmap_ptes(m, folio, page, 1, mm, flags);
	}
	set_pte_keep(ptep, pfn_pte(page_to_pfn(&m->phys, page), entry));
	s->count[offset]--;
	if (folio_test(folio, PG_swapcache))
		folio_free_swap(m, folio);	/* SWP_SYNCHRONOUS_IO */
	else
		swap_slot_release(s, offset);
	return VM_FAULT_DONE;
}
