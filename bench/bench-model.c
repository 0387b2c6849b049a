// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-model: how fast and how small the model is, next to the live
 * kernel measured in the same run (lib/kprobe.c), or, when it cannot be
 * measured here, reference figures and the reason.  Prints tables;
 * asserts nothing.
 *
 *   1. fork and munmap of 1 GiB in three layouts: PMD-mapped THP,
 *      PTE-mapped THP and order-0 pages (ns per 4 KiB page, median).
 *   2. Host bytes per simulated page and per mapping, from the model's
 *      own structures and from malloc's books.
 *   3. khugepaged scanning 1 GiB that collapses and 1 GiB that cannot,
 *      and MADV_COLLAPSE of 1 GiB.
 *   4. Mapcount atomics per page of fork and munmap (m->cost): per-page
 *      mapcounts against CONFIG_NO_PAGE_MAPCOUNT.
 *
 * See bench/README.md for what each column means.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/host.h"
#include "lib/kprobe.h"
#include "model/khugepaged.h"
#include "model/model.h"

#define BENCH_BASE (1UL << 40)			/* 1 GiB aligned */
#define BENCH_LEN (1UL << 30)
#define BENCH_PAGES (BENCH_LEN >> PAGE_SHIFT)
#define BENCH_PMDS (BENCH_LEN >> PMD_SHIFT)
#define BENCH_RAM (2UL << 30)
#define NR_COLD_RUNS 3				/* glibc's default trimming */
#define NR_RUNS 11				/* warm fork / munmap runs */
#define NR_KH_RUNS 5				/* khugepaged runs */
#define MAX_RUNS NR_RUNS			/* >= every NR_*_RUNS */
#define KERNEL_COLLAPSE_MS 226.0		/* MADV_COLLAPSE of 1 GiB */

_Static_assert(MAX_RUNS >= NR_COLD_RUNS && MAX_RUNS >= NR_KH_RUNS &&
	       MAX_RUNS >= KPROBE_RUNS, "MAX_RUNS too small");
_Static_assert(BENCH_BASE == KPROBE_BASE && BENCH_LEN == KPROBE_LEN,
	       "the kernel probe measures another range");

/* The probe's order, so that its samples index the same way. */
enum layout {
	L_PMD = KP_PMD,
	L_PTE = KP_PTE,
	L_ORDER0 = KP_ORDER0,
	NR_LAYOUTS = KP_NR_LAYOUTS
};

/* Reference figures, used only when the probe cannot measure. */
struct layout_desc {
	const char *name;
	double kernel_fork_ms;			/* live kernel, 1 GiB */
	double kernel_munmap_ms;
};

static const struct layout_desc layouts[NR_LAYOUTS] = {
	[L_PMD] = { "PMD-mapped THP", 0.5, 2.2 },
	[L_PTE] = { "PTE-mapped THP", 8.5, 4.2 },
	[L_ORDER0] = { "order-0 pages", 17.0, 65.0 },
};


/* 1 GiB, one slot per run. */
struct timings {
	struct kprobe_sample fork[MAX_RUNS];
	struct kprobe_sample munmap[MAX_RUNS];		/* fresh mapping */
	/* parent, child still maps */
	struct kprobe_sample munmap_shared[MAX_RUNS];
};

/* What one layout's runs measured. */
struct layout_result {
	struct timings cold, warm;
	struct rmap_cost fork_cost, munmap_cost;
	/* host memory with the 1 GiB populated */
	double side_table_bytes;		/* folio_large pool */
	double table_bytes;			/* page-table pages */
	double malloc_bytes;			/* malloc's view of the growth */
	unsigned long nr_ptes, nr_pmd_tables;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of @n values (at most MAX_RUNS). */
static double median_of(const double *v, int n)
{
	double s[MAX_RUNS];

	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Median of the wall (or, with @cpu, the CPU) times of @n samples. */
static double median(const struct kprobe_sample *v, int n, bool cpu)
{
	double s[MAX_RUNS];
	int i;

	for (i = 0; i < n; i++)
		s[i] = cpu ? v[i].cpu : v[i].wall;
	return median_of(s, n);
}

static double best(const struct kprobe_sample *v, int n)
{
	double b = v[0].wall;
	int i;

	for (i = 1; i < n; i++)
		if (v[i].wall < b)
			b = v[i].wall;
	return b;
}

static void die(struct fsim_machine *m, const char *what)
{
	fprintf(stderr, "bench-model: %s: %s\n", what,
		m ? fsim_strerror(m) : "out of host memory");
	exit(1);
}

static size_t malloc_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static struct fsim_machine *bench_machine(void)
{
	struct fsim_machine *m;
	struct thp_settings s;

	settings_init_defaults(&s);	/* enabled=madvise */
	s.ram_bytes = BENCH_RAM;
	s.swap_bytes = 0;
	m = fsim_new(&s, NULL);
	if (!m)
		die(NULL, "fsim_new");
	m->khugepaged->keep_records = false;
	return m;
}

/* PTE-map every THP of the range: a VMA split inside each PMD splits it. */
static void split_every_pmd(struct fsim_machine *m, struct mm_struct *mm)
{
	unsigned long a;

	for (a = BENCH_BASE; a < BENCH_BASE + BENCH_LEN; a += PMD_SIZE)
		if (fsim_mprotect(m, mm, a, PAGE_SIZE, false) ||
		    fsim_mprotect(m, mm, a, PAGE_SIZE, true))
			die(m, "mprotect");
}

/* The first and last page of every PMD must look as @l says. */
static void check_layout(struct fsim_machine *m, struct mm_struct *mm,
			 enum layout l)
{
	bool want_pmd = l == L_PMD;
	unsigned int want_order = l == L_ORDER0 ? 0 : HPAGE_PMD_ORDER;
	struct fsim_page_info info;
	unsigned long a;
	int k;

	for (a = BENCH_BASE; a < BENCH_BASE + BENCH_LEN; a += PMD_SIZE) {
		for (k = 0; k < 2; k++) {
			fsim_page_info(m, mm, a + (k ? PMD_SIZE - PAGE_SIZE : 0),
				       &info);
			if (info.state == FSIM_PAGE_PRESENT &&
			    info.pmd_mapped == want_pmd &&
			    info.order == want_order)
				continue;
			fprintf(stderr,
				"bench-model: %s: 0x%lx has the wrong layout (state %d pmd %d order %u)\n",
				layouts[l].name, a, info.state,
				info.pmd_mapped, info.order);
			exit(1);
		}
	}
}

/* A process with the 1 GiB written in layout @l. */
static struct mm_struct *populate(struct fsim_machine *m, enum layout l)
{
	struct mm_struct *mm = fsim_spawn(m);
	unsigned long a;

	if (!mm || fsim_mmap(m, mm, BENCH_BASE, BENCH_LEN))
		die(m, "mmap");
	if (l != L_ORDER0 &&
	    fsim_madvise(m, mm, BENCH_BASE, BENCH_LEN, FSIM_MADV_HUGEPAGE))
		die(m, "madvise");
	for (a = BENCH_BASE; a < BENCH_BASE + BENCH_LEN; a += PAGE_SIZE)
		if (fsim_write(m, mm, a, content_unique(m)))
			die(m, "write");
	if (l == L_PTE)
		split_every_pmd(m, mm);
	check_layout(m, mm, l);
	return mm;
}

static struct rmap_cost cost_delta(const struct rmap_cost *a,
				   const struct rmap_cost *b)
{
	return (struct rmap_cost){
		.page_mapcount_ops = b->page_mapcount_ops - a->page_mapcount_ops,
		.nr_pages_mapped_ops =
			b->nr_pages_mapped_ops - a->nr_pages_mapped_ops,
		.entire_mapcount_ops =
			b->entire_mapcount_ops - a->entire_mapcount_ops,
		.large_mapcount_ops =
			b->large_mapcount_ops - a->large_mapcount_ops,
	};
}

/* Page-table pages of @mm: PTE tables (incl. deposits) and the levels up. */
static double table_bytes(struct mm_struct *mm, unsigned long *nr_pmd_tables)
{
	double bytes = (double)mm->nr_ptes * PTRS_PER_TABLE * sizeof(pte_t) +
		       sizeof(struct pgd_table);
	int i, j;

	*nr_pmd_tables = 0;
	for (i = 0; i < PTRS_PER_TABLE; i++) {
		struct pud_table *pud = mm->pgd->e[i];

		if (!pud)
			continue;
		bytes += sizeof(*pud);
		for (j = 0; j < PTRS_PER_TABLE; j++)
			if (pud->e[j]) {
				bytes += sizeof(struct pmd_table);
				(*nr_pmd_tables)++;
			}
	}
	return bytes;
}

static void measure_memory(struct fsim_machine *m, struct mm_struct *mm,
			   struct layout_result *r, size_t malloc_before)
{
	r->side_table_bytes =
		(double)m->phys.cap_large * sizeof(struct folio_large);
	r->table_bytes = table_bytes(mm, &r->nr_pmd_tables);
	r->nr_ptes = mm->nr_ptes;
	r->malloc_bytes = (double)(malloc_in_use() - malloc_before);
}

/*
 * One run of layout @l: munmap of a fresh mapping, then fork of a second
 * one and munmap of the parent's copy while the child still maps it.
 */
static void run_layout(struct fsim_machine *m, enum layout l, int run,
		       struct timings *t, struct layout_result *r)
{
	struct rmap_cost c0, c1;
	struct mm_struct *mm, *child;
	size_t before = malloc_in_use();
	struct kprobe_sample t0;

	mm = populate(m, l);
	if (r)
		measure_memory(m, mm, r, before);
	c0 = m->cost;
	t0 = kprobe_stopwatch_start();
	if (fsim_munmap(m, mm, BENCH_BASE, BENCH_LEN))
		die(m, "munmap");
	t->munmap[run] = kprobe_stopwatch_stop(t0);
	c1 = m->cost;
	if (r)
		r->munmap_cost = cost_delta(&c0, &c1);
	fsim_exit(m, mm);

	mm = populate(m, l);
	c0 = m->cost;
	t0 = kprobe_stopwatch_start();
	child = fsim_fork(m, mm);
	t->fork[run] = kprobe_stopwatch_stop(t0);
	c1 = m->cost;
	if (!child)
		die(m, "fork");
	if (r)
		r->fork_cost = cost_delta(&c0, &c1);
	t0 = kprobe_stopwatch_start();
	if (fsim_munmap(m, mm, BENCH_BASE, BENCH_LEN))
		die(m, "munmap");
	t->munmap_shared[run] = kprobe_stopwatch_stop(t0);
	fsim_exit(m, child);
	fsim_exit(m, mm);
}

static double per_page(double ns)
{
	return ns / (double)BENCH_PAGES;
}

static const char *verdict(double ratio)
{
	return ratio >= 10 ? "ok" : "below";
}

/* One row: model, cpu, best, kernel, ratio, goal, cold, [shared]. */
static void print_speed_row(enum layout l, const struct kprobe_sample *warm,
			    const struct kprobe_sample *cold, double kernel_ms,
			    const struct kprobe_sample *shared)
{
	double w = median(warm, NR_RUNS, false);
	double k = kernel_ms * 1e6;

	printf("   %-16s %8.3f %8.3f %8.3f %8.3f %6.1fx %-5s %8.3f",
	       layouts[l].name, per_page(w),
	       per_page(median(warm, NR_RUNS, true)),
	       per_page(best(warm, NR_RUNS)), per_page(k), k / w,
	       verdict(k / w), per_page(median(cold, NR_COLD_RUNS, false)));
	if (shared)
		printf(" %8.3f", per_page(median(shared, NR_RUNS, false)));
	printf("\n");
}

/* The live kernel's figures the ratios use: this run's, or the reference. */
struct kernel_figures {
	bool measured;
	char why[sizeof(((struct kprobe_result *)0)->why)];
	double fork_ms[NR_LAYOUTS], munmap_ms[NR_LAYOUTS], collapse_ms;
	/* measured: the median CPU times */
	double fork_cpu[NR_LAYOUTS], munmap_cpu[NR_LAYOUTS], collapse_cpu;
};

static void kernel_figures(struct kernel_figures *k)
{
	struct kprobe_result r;
	int l;

	kprobe_measure(&r);
	memset(k, 0, sizeof(*k));
	k->measured = r.measured;
	snprintf(k->why, sizeof(k->why), "%s", r.why);
	for (l = 0; l < NR_LAYOUTS; l++) {
		k->fork_ms[l] = layouts[l].kernel_fork_ms;
		k->munmap_ms[l] = layouts[l].kernel_munmap_ms;
	}
	k->collapse_ms = KERNEL_COLLAPSE_MS;
	if (!r.measured)
		return;
	for (l = 0; l < NR_LAYOUTS; l++) {
		k->fork_ms[l] = median(r.fork[l], KPROBE_RUNS, false) / 1e6;
		k->fork_cpu[l] = median(r.fork[l], KPROBE_RUNS, true) / 1e6;
		k->munmap_ms[l] = median(r.munmap[l], KPROBE_RUNS, false) / 1e6;
		k->munmap_cpu[l] = median(r.munmap[l], KPROBE_RUNS, true) / 1e6;
	}
	k->collapse_ms = median(r.collapse, KPROBE_RUNS, false) / 1e6;
	k->collapse_cpu = median(r.collapse, KPROBE_RUNS, true) / 1e6;
}

static void print_kernel_source(const struct kernel_figures *k)
{
	if (k->measured)
		printf("   (kernel: the live kernel, measured in this run: median\n"
		       "    wall time of %d runs of the probe, fork %.2f / %.2f /\n"
		       "    %.2f ms, munmap %.2f / %.2f / %.2f ms for 1 GiB;\n"
		       "    median CPU time of the calling thread: fork %.2f /\n"
		       "    %.2f / %.2f ms, munmap %.2f / %.2f / %.2f ms;\n",
		       KPROBE_RUNS, k->fork_ms[L_PMD], k->fork_ms[L_PTE],
		       k->fork_ms[L_ORDER0], k->munmap_ms[L_PMD],
		       k->munmap_ms[L_PTE], k->munmap_ms[L_ORDER0],
		       k->fork_cpu[L_PMD], k->fork_cpu[L_PTE],
		       k->fork_cpu[L_ORDER0], k->munmap_cpu[L_PMD],
		       k->munmap_cpu[L_PTE], k->munmap_cpu[L_ORDER0]);
	else
		printf("   (kernel: NOT measured in this run (%s);\n"
		       "    reference figures of the live kernel on the reference\n"
		       "    machine instead: fork 0.5 / 8.5 / 17 ms, munmap\n"
		       "    2.2 / 4.2 / 65 ms for 1 GiB;\n", k->why);
	printf("    goal: k/model >= 10)\n\n");
}

static void print_speed(const struct layout_result *res,
			const struct kernel_figures *k)
{
	int l;

	printf("1. fork and munmap of 1 GiB, ns per 4 KiB page\n"
	       "   model: median wall time of %d runs, each layout in turn within\n"
	       "   a run (cpu: median of the thread's CPU time, which leaves out\n"
	       "   preemption by other tasks; best: fastest wall time);\n"
	       "   cold: median of %d earlier runs under glibc's default heap\n"
	       "   trimming, where freed page tables go back to the host and\n"
	       "   the next allocation faults them in again (excluded from the\n"
	       "   model column, for which trimming is off)\n\n",
	       NR_RUNS, NR_COLD_RUNS);
	printf("1a. fork: fsim_fork() of a process that maps the 1 GiB\n");
	printf("   %-16s %8s %8s %8s %8s %7s %-5s %8s\n", "layout", "model",
	       "cpu", "best", "kernel", "k/model", "goal", "cold");
	for (l = 0; l < NR_LAYOUTS; l++)
		print_speed_row(l, res[l].warm.fork, res[l].cold.fork,
				k->fork_ms[l], NULL);
	printf("\n1b. munmap: fsim_munmap() of a fresh 1 GiB (never forked, every\n"
	       "    folio freed); shared: of the parent's 1 GiB right after fork,\n"
	       "    the child still mapping it (nothing freed)\n");
	printf("   %-16s %8s %8s %8s %8s %7s %-5s %8s %8s\n", "layout",
	       "model", "cpu", "best", "kernel", "k/model", "goal", "cold",
	       "shared");
	for (l = 0; l < NR_LAYOUTS; l++)
		print_speed_row(l, res[l].warm.munmap, res[l].cold.munmap,
				k->munmap_ms[l], res[l].warm.munmap_shared);
	print_kernel_source(k);
}

/* "ok" if @v is within @goal, else by how much it is over. */
static const char *goal_verdict(double v, double goal, char *buf, size_t len)
{
	if (v <= goal)
		return "ok";
	snprintf(buf, len, "+%.1f%%", (v - goal) / goal * 100);
	return buf;
}

static void print_memory_row(enum layout l, const struct layout_result *r)
{
	double n = (double)BENCH_PAGES;
	double pg = sizeof(struct page) + r->side_table_bytes / n;
	double mp = r->table_bytes / n;
	char b1[16], b2[16], b3[16];

	printf("   %-16s %6lu %7.3f %-6s %7.3f %-6s %7.3f %-6s %7.3f\n",
	       layouts[l].name, r->nr_ptes, pg, goal_verdict(pg, 16, b1, 16),
	       mp, goal_verdict(mp, 8, b2, 16), pg + mp,
	       goal_verdict(pg + mp, 24, b3, 16), r->malloc_bytes / n);
}

static void print_memory(const struct layout_result *res)
{
	int l;

	printf("2. host memory per simulated 4 KiB page, 1 GiB mapped once\n"
	       "   page: struct page (%zu B) + the folio_large pool (%zu B a large\n"
	       "         folio, allocated capacity) over the 1 GiB; goal 16\n"
	       "   map:  page-table pages over the pages mapped: 4 KiB PTE tables\n"
	       "         (deposited ones under huge PMDs too), PMD tables (%zu B\n"
	       "         with the deposit pointers), PUD and PGD; goal 8\n"
	       "   malloc: what malloc handed out while populating (map + pool\n"
	       "         growth + malloc's own headers), a cross-check of map\n\n",
	       sizeof(struct page), sizeof(struct folio_large),
	       sizeof(struct pmd_table));
	printf("   %-16s %6s %7s %-6s %7s %-6s %7s %-6s %7s\n", "layout",
	       "PTEtab", "page", "goal", "map", "goal", "sum", "goal",
	       "malloc");
	for (l = 0; l < NR_LAYOUTS; l++)
		print_memory_row(l, &res[l]);
	printf("   (PTEtab: PTE tables held; a PTE is 8 bytes, its upper half the\n"
	       "    checker's expected content; sum goal 24 = 16 + 8)\n\n");
}

static double nopm_ops(const struct rmap_cost *c, enum layout l)
{
	/* order-0 folios keep page->_mapcount as their only mapcount */
	return (double)(c->large_mapcount_ops + c->entire_mapcount_ops +
			(l == L_ORDER0 ? c->page_mapcount_ops : 0));
}

static double all_ops(const struct rmap_cost *c)
{
	return (double)(c->page_mapcount_ops + c->nr_pages_mapped_ops +
			c->entire_mapcount_ops + c->large_mapcount_ops);
}

static void print_cost_row(const char *op, enum layout l,
			   const struct rmap_cost *c)
{
	double n = (double)BENCH_PAGES;

	printf("   %-6s %-16s %7.4f %7.4f %7.4f %7.4f | %8.4f %7.4f %6.0fx\n",
	       op, layouts[l].name, (double)c->page_mapcount_ops / n,
	       (double)c->nr_pages_mapped_ops / n,
	       (double)c->entire_mapcount_ops / n,
	       (double)c->large_mapcount_ops / n, all_ops(c) / n,
	       nopm_ops(c, l) / n, all_ops(c) / nopm_ops(c, l));
}

static void print_cost(const struct layout_result *res)
{
	int l;

	printf("4. mapcount atomics per 4 KiB page (m->cost, one run)\n\n");
	printf("   %-6s %-16s %7s %7s %7s %7s | %8s %7s %7s\n", "op", "layout",
	       "page", "nr_pmap", "entire", "large", "per-page", "no-pmc",
	       "saving");
	for (l = 0; l < NR_LAYOUTS; l++)
		print_cost_row("fork", l, &res[l].fork_cost);
	for (l = 0; l < NR_LAYOUTS; l++)
		print_cost_row("munmap", l, &res[l].munmap_cost);
	printf("   (page = page->_mapcount, nr_pmap = _nr_pages_mapped, entire =\n"
	       "    _entire_mapcount, large = _large_mapcount with its MM_ID slot;\n"
	       "    per-page = all four, as 6.18 with CONFIG_PAGE_MAPCOUNT does;\n"
	       "    no-pmc = CONFIG_NO_PAGE_MAPCOUNT: large + entire, plus page for\n"
	       "    order-0 folios, whose _mapcount is the folio's mapcount)\n\n");
}

/* ---- khugepaged and MADV_COLLAPSE -------------------------------------- */

struct kh_result {
	struct kprobe_sample t[NR_KH_RUNS];
	uint64_t scanned, collapsed;
	long passes;
};

/* An order-0 1 GiB with MADV_HUGEPAGE (so registered with khugepaged). */
static struct mm_struct *kh_process(struct fsim_machine *m)
{
	struct mm_struct *mm = populate(m, L_ORDER0);

	if (fsim_madvise(m, mm, BENCH_BASE, BENCH_LEN, FSIM_MADV_HUGEPAGE))
		die(m, "madvise");
	return mm;
}

/*
 * Time fsim_khugepaged(m, 1) over an order-0 1 GiB; with @fork the
 * process is forked first (both registered) and max_ptes_shared is
 * @max_shared, so that every scan stops at exceed_shared_pte.
 */
static void kh_bench(struct kh_result *r, int run, bool fork,
		     const char *max_shared)
{
	struct fsim_machine *m = bench_machine();
	struct mm_struct *mm = kh_process(m);
	uint64_t scanned, collapsed;
	struct kprobe_sample t0;

	if (fork && !fsim_fork(m, mm))
		die(m, "fork");
	if (max_shared && fsim_set(m, "khugepaged/max_ptes_shared", max_shared))
		die(m, "set");
	scanned = m->khugepaged->evaluated[KH_SCAN_PMD_STATE];
	collapsed = m->khugepaged->pages_collapsed;
	t0 = kprobe_stopwatch_start();
	r->passes = fsim_khugepaged(m, 1);
	r->t[run] = kprobe_stopwatch_stop(t0);
	r->scanned = m->khugepaged->evaluated[KH_SCAN_PMD_STATE] - scanned;
	r->collapsed = m->khugepaged->pages_collapsed - collapsed;
	if (!fork)
		check_layout(m, mm, L_PMD);
	fsim_free(m);
}

static void collapse_bench(struct kh_result *r, int run)
{
	struct fsim_machine *m = bench_machine();
	struct mm_struct *mm = populate(m, L_ORDER0);
	struct kprobe_sample t0;
	int err;

	t0 = kprobe_stopwatch_start();
	err = fsim_madvise(m, mm, BENCH_BASE, BENCH_LEN, FSIM_MADV_COLLAPSE);
	r->t[run] = kprobe_stopwatch_stop(t0);
	if (err)
		die(m, "MADV_COLLAPSE");
	check_layout(m, mm, L_PMD);
	r->scanned = r->collapsed = BENCH_PMDS;
	fsim_free(m);
}

static void print_kh_row(const char *what, const struct kh_result *r)
{
	double t = median(r->t, NR_KH_RUNS, false);

	printf("   %-28s %7.2f %7.2f %7lu %6lu %6ld %8.0f %8.0f\n", what,
	       t / 1e6, median(r->t, NR_KH_RUNS, true) / 1e6,
	       (unsigned long)r->scanned, (unsigned long)r->collapsed,
	       r->passes, r->scanned ? t / (double)r->scanned : 0.0,
	       t / (double)BENCH_PMDS);
}

static void bench_khugepaged(const struct kernel_figures *kf)
{
	struct kh_result all = { 0 }, none0 = { 0 }, none256 = { 0 };
	struct kh_result col = { 0 };
	double t, c, k = kf->collapse_ms * 1e6;
	int run;

	for (run = 0; run < NR_KH_RUNS; run++) {
		kh_bench(&all, run, false, NULL);
		kh_bench(&none0, run, true, "0");
		kh_bench(&none256, run, true, NULL);
		collapse_bench(&col, run);
	}
	printf("3. khugepaged and MADV_COLLAPSE over 1 GiB of order-0 pages\n"
	       "   (median wall time of %d runs; cpu: median CPU time)\n",
	       NR_KH_RUNS);
	printf("   khugepaged: fsim_khugepaged(m, 1), i.e. full scans until one\n"
	       "   collapses nothing; scan records off; default pages_to_scan\n\n");
	printf("   %-28s %7s %7s %7s %6s %6s %8s %8s\n", "case", "ms", "cpu ms",
	       "PMDscan", "collap", "passes", "ns/scan", "ns/PMD");
	print_kh_row("khugepaged: collapse all", &all);
	print_kh_row("  forked, max_ptes_shared=0", &none0);
	print_kh_row("  forked, max_ptes_shared=256", &none256);
	print_kh_row("MADV_COLLAPSE", &col);
	t = median(col.t, NR_KH_RUNS, false);
	c = median(col.t, NR_KH_RUNS, true);
	printf("   (ns/PMD: per PMD of the 1 GiB; forked: parent and child both\n"
	       "    scanned, every PTE shared, each scan ends exceed_shared_pte at\n"
	       "    PTE 1 or 257 (the default max_ptes_shared is 256))\n");
	printf("   MADV_COLLAPSE of 1 GiB: model %.2f ms (cpu %.2f), live kernel\n",
	       t / 1e6, c / 1e6);
	if (kf->measured)
		printf("   %.1f ms (cpu %.1f; measured in this run, median of %d)",
		       kf->collapse_ms, kf->collapse_cpu, KPROBE_RUNS);
	else
		printf("   %.0f ms (reference figure: not measured, %s)",
		       kf->collapse_ms, kf->why);
	printf(": k/model %.1fx %s (goal >= 10)\n\n", k / t, verdict(k / t));
}

static void print_host(void)
{
	char load[64];

	bench_load_average(load, sizeof(load));
	printf("bench-model: foliosim, 1 GiB in a %lu GiB model machine "
	       "(host load: %s)\n\n", BENCH_RAM >> 30, load);
}

/*
 * Every layout once per run, in turn, so that drift hits them alike.  The
 * first cold run, on fresh machines, also takes the memory figures and
 * the cost counters (those are the same in every run).
 */
static void run_all(struct fsim_machine **m, struct layout_result *res,
		    bool warm, int nr_runs)
{
	int l, run;

	for (run = 0; run < nr_runs; run++)
		for (l = 0; l < NR_LAYOUTS; l++)
			run_layout(m[l], l, run,
				   warm ? &res[l].warm : &res[l].cold,
				   !warm && run == 0 ? &res[l] : NULL);
}

int main(void)
{
	struct layout_result res[NR_LAYOUTS];
	struct fsim_machine *m[NR_LAYOUTS];
	struct kernel_figures kf;
	double t0 = kprobe_clock_ns(CLOCK_MONOTONIC);
	int l;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(res, 0, sizeof(res));
	print_host();
	/* first, while this process is small: the probe forks */
	kernel_figures(&kf);
	for (l = 0; l < NR_LAYOUTS; l++)
		m[l] = bench_machine();
	run_all(m, res, false, NR_COLD_RUNS);
	/* Keep freed page tables in the heap from now on. */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	run_all(m, res, true, NR_RUNS);
	for (l = 0; l < NR_LAYOUTS; l++)
		fsim_free(m[l]);
	print_speed(res, &kf);
	print_memory(res);
	bench_khugepaged(&kf);
	print_cost(res);
	printf("total bench time %.1f s\n",
	       (kprobe_clock_ns(CLOCK_MONOTONIC) - t0) / 1e9);
	return 0;
}
