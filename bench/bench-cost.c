// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mapcount cost table: atomic updates of mapcount fields per 4 KiB
 * page for fork, munmap and COW of PTE-mapped large folios, counted for
 * the three schemes (per-page as merged, CONFIG_NO_PAGE_MAPCOUNT, the
 * RFC's _total_mapped_pages) in the same runs, next to the speedups the
 * cover letters published.  The model counts operations, not time: what
 * can be compared is the direction (fewer atomics, faster) and the rank.
 */
#include <stdio.h>
#include <stdlib.h>

#include "model/model.h"

#define COST_BASE (1UL << 40)
#define COST_LEN (64UL << 20)
#define COST_PAGES (COST_LEN >> PAGE_SHIFT)

enum op { OP_FORK, OP_MUNMAP, OP_COW_COPY, OP_COW_REUSE, NR_OPS };

static const char *const op_names[NR_OPS] = {
	[OP_FORK] = "fork",
	[OP_MUNMAP] = "munmap (last mapping)",
	[OP_COW_COPY] = "COW write, child alive",
	[OP_COW_REUSE] = "COW write, child gone",
};

/* What the cover letters measured, NO_PAGE_MAPCOUNT against per-page. */
static const char *const published[NR_OPS] = {
	[OP_FORK] = "up to ~20% faster (Xeon 4210R), ~10% (AmpereOne) [1]",
	[OP_MUNMAP] = "up to ~30% faster (Xeon 4210R), ~70% (AmpereOne) [1]",
	[OP_COW_COPY] = "unchanged [1]",
	[OP_COW_REUSE] = "reuse vs copy: ~65% less time (4210R), ~54% "
			 "(arm64), any scheme [1]",
};

struct layout {
	const char *name;
	const char *sysfs;	/* the size's hugepages-*kB/enabled */
	unsigned int order;
	bool pmd;		/* left PMD-mapped */
};

static const struct layout layouts[] = {
	{ "64 KiB mTHP", "hugepages-64kB/enabled", 4 },
	{ "2 MiB THP, PMD-mapped", "hugepages-2048kB/enabled", 9, true },
	{ "2 MiB THP, PTE-mapped", "hugepages-2048kB/enabled", 9 },
};

#define NR_LAYOUTS ((int)(sizeof(layouts) / sizeof(layouts[0])))

static void die(struct fsim_machine *m, const char *what)
{
	fprintf(stderr, "bench-cost: %s failed: %s\n", what,
		m ? fsim_strerror(m) : "no machine");
	exit(1);
}

/* A machine where the only enabled size is @l's. */
static struct fsim_machine *machine(const struct layout *l)
{
	struct thp_settings s;
	struct fsim_machine *m;

	settings_init_defaults(&s);
	s.ram_bytes = 4 * COST_LEN;
	s.swap_bytes = 0;
	m = fsim_new(&s, NULL);
	if (!m || fsim_set(m, "hugepages-2048kB/enabled", "never") ||
	    fsim_set(m, l->sysfs, "always"))
		die(m, "setup");
	return m;
}

/* @mm writes every page; a PMD-size THP is then split to PTEs. */
static void populate(struct fsim_machine *m, struct mm_struct *mm,
		     const struct layout *l)
{
	struct fsim_page_info info;
	unsigned long a;

	if (fsim_mmap(m, mm, COST_BASE, COST_LEN))
		die(m, "mmap");
	for (a = COST_BASE; a < COST_BASE + COST_LEN; a += PAGE_SIZE)
		if (fsim_write(m, mm, a, fsim_unique_content(m)))
			die(m, "write");
	if (l->order == HPAGE_PMD_ORDER && !l->pmd)
		for (a = COST_BASE; a < COST_BASE + COST_LEN; a += PMD_SIZE)
			if (fsim_mprotect(m, mm, a, PAGE_SIZE, false) ||
			    fsim_mprotect(m, mm, a, PAGE_SIZE, true))
				die(m, "mprotect");
	fsim_page_info(m, mm, COST_BASE + COST_LEN - PAGE_SIZE, &info);
	if (info.order != l->order || info.pmd_mapped != l->pmd)
		die(m, "layout");
}

static void write_all(struct fsim_machine *m, struct mm_struct *mm)
{
	unsigned long a;

	for (a = COST_BASE; a < COST_BASE + COST_LEN; a += PAGE_SIZE)
		if (fsim_write(m, mm, a, fsim_unique_content(m)))
			die(m, "write");
}

/* Atomics per page of @op on layout @l, per scheme, into @out. */
static void measure(const struct layout *l, enum op op,
		    double out[NR_MAPCOUNT_SCHEMES])
{
	struct fsim_machine *m = machine(l);
	struct mm_struct *p = fsim_spawn(m), *c = NULL;
	uint64_t before[NR_MAPCOUNT_SCHEMES], after[NR_MAPCOUNT_SCHEMES];
	int s;

	if (!p)
		die(m, "spawn");
	populate(m, p, l);
	if (op != OP_FORK && op != OP_MUNMAP) {
		c = fsim_fork(m, p);
		if (!c)
			die(m, "fork");
		if (op == OP_COW_REUSE && fsim_exit(m, c))
			die(m, "exit");
	}
	fsim_mapcount_atomics(m, before);
	switch (op) {
	case OP_FORK:
		if (!fsim_fork(m, p))
			die(m, "fork");
		break;
	case OP_MUNMAP:
		if (fsim_munmap(m, p, COST_BASE, COST_LEN))
			die(m, "munmap");
		break;
	case OP_COW_COPY:
	case OP_COW_REUSE:
		write_all(m, p);
		break;
	case NR_OPS:
		break;
	}
	fsim_mapcount_atomics(m, after);
	for (s = 0; s < NR_MAPCOUNT_SCHEMES; s++)
		out[s] = (double)(after[s] - before[s]) /
			 COST_PAGES;
	fsim_free(m);
}

/* @scheme's atomics against @ref's: "fewer", "as many" or "more". */
static const char *direction(double scheme, double ref)
{
	return scheme < ref ? "fewer" : scheme > ref ? "more" : "as many";
}

int main(void)
{
	double r[NR_LAYOUTS][NR_OPS][NR_MAPCOUNT_SCHEMES];
	int l, op, s;

	for (l = 0; l < NR_LAYOUTS; l++)
		for (op = 0; op < NR_OPS; op++)
			measure(&layouts[l], op, r[l][op]);

	printf("Mapcount atomics per 4 KiB page, 64 MiB, counted for every "
	       "scheme in the same run\n\n");
	printf("%-23s %-22s", "operation", "folios");
	for (s = 0; s < NR_MAPCOUNT_SCHEMES; s++)
		printf(" %16s", mapcount_scheme_names[s]);
	printf("  no_page vs per-page\n");
	for (op = 0; op < NR_OPS; op++)
		for (l = 0; l < NR_LAYOUTS; l++) {
			printf("%-23s %-22s", op_names[op], layouts[l].name);
			for (s = 0; s < NR_MAPCOUNT_SCHEMES; s++)
				printf(" %16.4f", r[l][op][s]);
			printf("  %s\n",
			       direction(r[l][op][MAPCOUNT_NO_PAGE],
					 r[l][op][MAPCOUNT_PER_PAGE]));
		}

	printf("\nDirection and rank against the published figures "
	       "(NO_PAGE_MAPCOUNT vs per-page)\n\n");
	for (op = 0; op < NR_OPS; op++) {
		const double *x = r[NR_LAYOUTS - 1][op];
		double cut = x[MAPCOUNT_PER_PAGE] ?
				     100 * (1 - x[MAPCOUNT_NO_PAGE] /
						    x[MAPCOUNT_PER_PAGE]) :
				     0;

		const double *pmd = r[1][op];

		printf("%-23s model: no_page %.1f%% fewer atomics than "
		       "per-page (2 MiB PTE-mapped);\n"
		       "%-23s        total_mapped vs no_page: %s "
		       "(PMD-mapped: %s)\n"
		       "%-23s published: %s\n", op_names[op], cut, "",
		       direction(x[MAPCOUNT_TOTAL_MAPPED],
				 x[MAPCOUNT_NO_PAGE]),
		       direction(pmd[MAPCOUNT_TOTAL_MAPPED],
				 pmd[MAPCOUNT_NO_PAGE]),
		       "", published[op]);
	}
	printf("\n[1] D. Hildenbrand, \"mm: MM owner tracking for large "
	       "folios (!hugetlb) +\n    CONFIG_NO_PAGE_MAPCOUNT\", v2 "
	       "(24 Feb 2025) / v3 (3 Mar 2025), merged in 6.15;\n"
	       "    figures as paraphrased in "
	       "shared/docs/folio-mapcount-spec.md 8.2.\n"
	       "[2] D. Hildenbrand, \"[PATCH RFC 00/13] mm/rmap: support "
	       "arbitrary folio\n    mappings\", 12 Apr 2026: no speedup "
	       "figures in the cover letter (see\n    bench/README.md).\n");
	return 0;
}
