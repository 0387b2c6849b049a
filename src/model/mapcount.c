// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mapcount schemes (docs/profiles.md): what a kernel that keeps no
 * per-page _mapcount (CONFIG_NO_PAGE_MAPCOUNT, 6.15) or that replaces
 * _entire_mapcount and _nr_pages_mapped by _total_mapped_pages (the RFC
 * "support arbitrary folio mappings", April 2026) answers where 6.18 with
 * CONFIG_PAGE_MAPCOUNT reads per-page counts, and how many atomic updates
 * each scheme pays for the same rmap call.
 *
 * The model keeps every field of the per-page scheme in every profile (the
 * invariant checker needs them); the other schemes' fields are derived from
 * them, which is exact: _total_mapped_pages is the PTE mappings plus
 * nr_pages per PMD mapping.
 */
#include "rmap.h"

enum mapcount_scheme folio_mapcount_scheme(struct fsim_machine *m)
{
	return m->profile->mapcount;
}

long folio_total_mapped_pages(struct fsim_machine *m,
			      const struct folio *folio)
{
	long entire;

	if (!folio_test_large(folio))
		return folio_mapcount(m, folio);
	entire = folio_entire_mapcount(m, folio);
	return folio_large_mapcount(m, folio) - entire +
	       entire * folio_nr_pages(folio);
}

int folio_average_page_mapcount(struct fsim_machine *m,
				const struct folio *folio)
{
	unsigned int order = folio_order(folio);
	long total, mapcount, entire;

	if (!folio_test_large(folio))
		return folio_mapcount(m, folio);
	if (folio_mapcount_scheme(m) == MAPCOUNT_TOTAL_MAPPED) {
		total = folio_total_mapped_pages(m, folio);
		if (!total)
			return 0;
		total = (total + (1L << (order - 1))) >> order;
		return total > 1 ? (int)total : 1;
	}
	/* 6.15+: PTE mappings averaged over the pages, plus PMD mappings */
	mapcount = folio_large_mapcount(m, folio);
	entire = folio_entire_mapcount(m, folio);
	if (mapcount <= 0)
		return 0;
	if (mapcount <= entire)
		return (int)entire;
	mapcount = ((mapcount - entire) + (1L << (order - 1))) >> order;
	return mapcount + entire > 1 ? (int)(mapcount + entire) : 1;
}

int folio_page_mapcount_proc(struct fsim_machine *m, struct folio *folio,
			     const struct page *page)
{
	if (folio_mapcount_scheme(m) == MAPCOUNT_PER_PAGE)
		return folio_precise_page_mapcount(m, folio, page);
	return folio_average_page_mapcount(m, folio);
}

bool folio_certainly_partially_mapped(struct fsim_machine *m,
				      const struct folio *folio)
{
	long n = folio_nr_pages(folio), mapcount;

	if (folio_mapcount_scheme(m) == MAPCOUNT_TOTAL_MAPPED) {
		long total = folio_total_mapped_pages(m, folio);

		return total && total < n;
	}
	/* average page mapcount below 1 and no PMD: some page is unmapped */
	mapcount = folio_large_mapcount(m, folio);
	return mapcount && !folio_entire_mapcount(m, folio) && mapcount < n;
}

/*
 * Cost of one rmap call on PTEs of a large folio: per page, one atomic on
 * each page's _mapcount, one on _nr_pages_mapped if some page crossed
 * mapped/unmapped, and the locked _large_mapcount update; the other two
 * schemes only take the lock (_total_mapped_pages moves under it).
 */
void rmap_cost_ptes(struct fsim_machine *m, int nr, bool crossed)
{
	uint64_t *a = m->cost.atomics;

	a[MAPCOUNT_PER_PAGE] += (uint64_t)nr + crossed + 1;
	a[MAPCOUNT_NO_PAGE] += 1;
	a[MAPCOUNT_TOTAL_MAPPED] += 1;
}

/* ... on a PMD: _entire_mapcount survives NO_PAGE_MAPCOUNT, not the RFC. */
void rmap_cost_pmd(struct fsim_machine *m, bool crossed)
{
	uint64_t *a = m->cost.atomics;

	a[MAPCOUNT_PER_PAGE] += 2 + crossed;
	a[MAPCOUNT_NO_PAGE] += 2;
	a[MAPCOUNT_TOTAL_MAPPED] += 1;
}

/* ... on a small folio: its _mapcount is the folio mapcount everywhere. */
void rmap_cost_small(struct fsim_machine *m)
{
	int s;

	for (s = 0; s < NR_MAPCOUNT_SCHEMES; s++)
		m->cost.atomics[s]++;
}
