// SPDX-License-Identifier: GPL-2.0-only
/*
 * Swap: slots with a content tag, a use count (swap_map) and a zeromap
 * bit, the swap cache, writing folios out (swap_writeout()) and the rules
 * that release the swap cache (folio_free_swap(), free_swap_and_cache(),
 * free_swap_cache()).  Swap-in is in swapin.c.
 *
 * The device behaves like zram, the swap device of the live kernel here
 * (SWP_SYNCHRONOUS_IO): a folio written out leaves the swap cache at once.
 * A folio read back through the swap cache (a shared entry) stays there,
 * clean, while it is mapped and the swap space is not more than half full
 * (vm_swap_full()), so a later reclaim needs no second write.
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
	s->zeromap = calloc(n + 1, sizeof(*s->zeromap));
	if (!s->content || !s->count || !s->cache || !s->zeromap)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		s->cache[i] = NO_PFN;
	return swap_clusters_init(s);
}

void swap_destroy(struct fsim_machine *m)
{
	free(m->swap.content);
	free(m->swap.count);
	free(m->swap.cache);
	free(m->swap.zeromap);
	free(m->swap.cl_order);
	free(m->swap.cl_used);
	free(m->swap.cl_list);
	free(m->swap.cl_seq);
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
		s->zeromap[offset] = 0;
		s->nr_used--;
		swap_cluster_put(s, offset);
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

/*
 * vm_swap_full(): fewer than half of the usable slots are free.  Slot 0
 * holds the swap header and is not counted, as the kernel does not.
 */
bool vm_swap_full(struct fsim_machine *m)
{
	const struct fsim_swap *s = &m->swap;
	uint32_t total = s->nr_slots ? s->nr_slots - 1 : 0;

	return 2 * (uint64_t)(total - s->nr_used) < total;
}

/*
 * Drop one PTE's reference (free_swap_and_cache_nr()).  A folio left in
 * the swap cache with no reference is dropped from it only if nothing
 * maps it or the swap space is full (__try_to_reclaim_swap() with
 * TTRS_UNMAPPED | TTRS_FULL); a mapped one stays, clean.
 */
void free_swap_and_cache(struct fsim_machine *m, uint32_t offset)
{
	struct fsim_swap *s = &m->swap;
	struct folio *folio;

	s->count[offset]--;
	if (s->count[offset] || s->cache[offset] == NO_PFN) {
		swap_slot_release(s, offset);
		return;
	}
	folio = pfn_folio(&m->phys, s->cache[offset]);
	if (!folio_mapped(m, folio) || vm_swap_full(m))
		folio_free_swap(m, folio);
}

/*
 * free_swap_cache(): a swap-cache folio whose last mapping went away (a
 * zap, a CoW copy) leaves the cache unless swap entries still use it.
 */
void free_swap_cache(struct fsim_machine *m, struct folio *folio)
{
	if (folio_test(folio, PG_swapcache) && !folio_mapped(m, folio))
		folio_free_swap(m, folio);
}

/*
 * swap_writeout() for a folio in the swap cache: a folio whose every
 * byte is zero is only noted in the zeromap (6.12+: swpout_zero per page,
 * nothing written, no pswpout or thp_swpout); any other is written whole.  The write is synchronous (zram), so reclaim then takes the folio
 * out of the swap cache and frees it (__remove_mapping()), although its
 * swap entries still use the slots.
 */
void swap_writeout(struct fsim_machine *m, struct folio *folio)
{
	uint32_t offset = folio_swap_offset(m, folio);
	long k, nr = folio_nr_pages(folio);
	bool zero = m->profile->swap_zeromap;

	for (k = 0; k < nr && zero; k++)
		zero = !folio_page(folio, k)->content;
	for (k = 0; k < nr; k++) {
		m->swap.content[offset + k] = folio_page(folio, k)->content;
		m->swap.zeromap[offset + k] = zero;
	}
	if (zero) {
		count_vm_events(m, SWPOUT_ZERO, nr);
	} else {
		count_vm_events(m, PSWPOUT, nr);
		if (folio_test_pmd_mappable(folio))
			count_vm_event(m, THP_SWPOUT);
	}
	swap_cache_reclaim(m, folio);
}

/*
 * swap_read_folio() into a new folio for the slots from @offset: zeroes
 * for a zeromap range (swpin_zero), else a read (pswpin), per page.
 */
void swap_read_folio(struct fsim_machine *m, struct folio *folio,
		     uint32_t offset)
{
	long k, nr = folio_nr_pages(folio);

	for (k = 0; k < nr; k++)
		folio_page(folio, k)->content = m->swap.content[offset + k];
	count_vm_events(m, m->swap.zeromap[offset] ? SWPIN_ZERO : PSWPIN, nr);
}

/* Drop the PTE's reference after a swap-in of the slot (swap_free_nr()). */
void swap_free(struct fsim_machine *m, uint32_t offset)
{
	m->swap.count[offset]--;
	swap_slot_release(&m->swap, offset);
}
