// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VMA's THP figures as tools/mm/thpmaps computes them from pagemap and
 * kpageflags: a large folio mapped whole, page after page in the order of
 * its frames, counts under its size, "aligned" when its first page sits at
 * a multiple of its size; any other page of a large folio is "partial";
 * PMD-mapped ones are taken out and shown as anon-thp-pmd-aligned.
 */
#include "whatif.h"

#define PG 4096UL

/* Is the folio of @pi mapped whole and in frame order from @a on? */
static bool whole_from(struct fsim_machine *m, struct mm_struct *mm,
		       uint64_t a, uint64_t end, const struct fsim_page_info *pi)
{
	uint64_t nr = 1ULL << pi->order, j;
	struct fsim_page_info q;

	if (pi->pfn != pi->head || a + nr * PG > end)
		return false;
	for (j = 1; j < nr; j++) {
		fsim_page_info(m, mm, (unsigned long)(a + j * PG), &q);
		if (q.state != FSIM_PAGE_PRESENT || q.pfn != pi->head + j)
			return false;
	}
	return true;
}

void thp_stats_of(struct fsim_machine *m, struct mm_struct *mm,
		  uint64_t start, uint64_t end, struct thp_stats *out)
{
	struct fsim_page_info pi;
	uint64_t a = start;

	*out = (struct thp_stats){ 0 };
	while (a < end) {
		uint64_t nr;

		fsim_page_info(m, mm, (unsigned long)a, &pi);
		if (pi.state != FSIM_PAGE_PRESENT) {
			a += PG;
			continue;
		}
		out->anon_kb += 4;
		if (pi.order < 2) {
			a += PG;
			continue;
		}
		if (!whole_from(m, mm, a, end, &pi)) {
			out->partial_kb += 4;
			a += PG;
			continue;
		}
		nr = 1ULL << pi.order;
		out->anon_kb += 4 * (nr - 1);
		if (pi.pmd_mapped)
			out->pmd_kb += 4 * nr;
		else if ((a / PG) % nr == 0)
			out->pte_aligned_kb[pi.order] += 4 * nr;
		else
			out->pte_unaligned_kb[pi.order] += 4 * nr;
		a += nr * PG;
	}
}
