// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both executors share: evaluating "expect" lines, the final summary
 * per process and region, and page maps — all computed from per-page
 * observations, so the model and the kernel are judged by the same code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

const char exec_map_legend[] =
	". none  0 zero page  Z huge zero page  x exclusive  s shared  "
	"S swapped  H PMD THP (h shared)  m PTE-mapped large folio "
	"(M shared)  k KSM";

const char *const exec_vmstat_names[] = {
	"thp_fault_alloc",	    "thp_fault_fallback",
	"thp_collapse_alloc",	    "thp_collapse_alloc_failed",
	"thp_split_pmd",	    "thp_split_page",
	"thp_split_page_failed",    "thp_deferred_split_page",
	"thp_underused_split_page", "thp_scan_exceed_none_pte",
	"thp_scan_exceed_swap_pte", "thp_scan_exceed_share_pte",
	"thp_swpout",		    "thp_swpout_fallback",
	"pswpin",		    "pswpout",
	"swpin_zero",		    "swpout_zero",
	"swap_ra",		    "swap_ra_hit",
	"cow_ksm",
};

const int exec_nr_vmstat_names =
	sizeof(exec_vmstat_names) / sizeof(exec_vmstat_names[0]);

/* A (frame, process) pair, to answer "is this frame mapped elsewhere?". */
struct frame_owner {
	uint64_t frame;
	int proc;
};

static int cmp_owner(const void *a, const void *b)
{
	const struct frame_owner *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->proc - y->proc;
}

struct frame_index {
	struct frame_owner *v;
	size_t n;
};

/* Every present frame of every live process in every region. */
static int frame_index_build(const struct scn_scenario *s,
			     const struct exec_observer *obs,
			     struct frame_index *fi)
{
	size_t cap = 0;
	int p, r;

	fi->v = NULL;
	fi->n = 0;
	/* with fewer than two live processes nothing can be shared */
	for (p = 0, r = 0; p < s->nr_procs; p++)
		r += obs->alive(obs->ctx, p);
	if (r < 2)
		return 0;
	for (r = 0; r < s->nr_regions; r++)
		cap += s->nr_procs * (s->regions[r].size / SCN_PAGE_SIZE);
	fi->v = malloc((cap + 1) * sizeof(*fi->v));
	if (!fi->v)
		return -1;
	for (p = 0; p < s->nr_procs; p++) {
		if (!obs->alive(obs->ctx, p))
			continue;
		for (r = 0; r < s->nr_regions; r++) {
			unsigned long n = s->regions[r].size / SCN_PAGE_SIZE, i;
			struct obs_page *pg = calloc(n + 1, sizeof(*pg));

			if (!pg)
				return -1;
			obs->pages(obs->ctx, p, s->regions[r].addr, n, pg);
			for (i = 0; i < n; i++)
				if (pg[i].state == OBS_PRESENT)
					fi->v[fi->n++] = (struct frame_owner){
						pg[i].frame, p };
			free(pg);
		}
	}
	qsort(fi->v, fi->n, sizeof(*fi->v), cmp_owner);
	return 0;
}

/* Is @frame also mapped by a process other than @proc? */
static bool frame_shared(const struct frame_index *fi, uint64_t frame,
			 int proc)
{
	size_t lo = 0, hi = fi->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (fi->v[mid].frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < fi->n && fi->v[lo].frame == frame; lo++)
		if (fi->v[lo].proc != proc)
			return true;
	return false;
}

struct range_counts {
	uint64_t thp, present, swapped, shared, rss_pages;
};

/*
 * Count the pages of [addr, +n pages) of @proc; @fi is the frame index of
 * the state observed now (built once by the caller: it covers every
 * region of every process).
 */
static int count_range(const struct frame_index *fi,
		       const struct exec_observer *obs, int proc, uint64_t addr,
		       unsigned long n, struct range_counts *c)
{
	struct obs_page *pg = calloc(n + 1, sizeof(*pg));
	unsigned long i;

	memset(c, 0, sizeof(*c));
	if (!pg)
		return -1;
	obs->pages(obs->ctx, proc, addr, n, pg);
	for (i = 0; i < n; i++) {
		c->present += pg[i].state == OBS_PRESENT ||
			      pg[i].state == OBS_ZERO;
		c->swapped += pg[i].state == OBS_SWAP;
		c->rss_pages += pg[i].state == OBS_PRESENT;
		c->shared += pg[i].state == OBS_PRESENT &&
			     frame_shared(fi, pg[i].frame, proc);
	}
	/* PMD-mapped THPs whose whole 2 MiB lies inside the range */
	for (i = 0; i < n; i++) {
		uint64_t a = addr + i * SCN_PAGE_SIZE;
		unsigned long per = SCN_PMD_SIZE / SCN_PAGE_SIZE;

		if ((a & (SCN_PMD_SIZE - 1)) || i + per > n)
			continue;
		if (pg[i].state == OBS_PRESENT && pg[i].pmd_mapped &&
		    pg[i + per - 1].pmd_mapped)
			c->thp++;
	}
	free(pg);
	return 0;
}

static bool compare(int64_t got, enum scn_cmp cmp, int64_t want)
{
	switch (cmp) {
	case SCN_EQ:
		return got == want;
	case SCN_NE:
		return got != want;
	case SCN_LT:
		return got < want;
	case SCN_LE:
		return got <= want;
	case SCN_GT:
		return got > want;
	case SCN_GE:
		return got >= want;
	}
	return false;
}

static bool same_range(const struct scn_range *a, const struct scn_range *b)
{
	return a->region == b->region && a->start == b->start &&
	       a->end == b->end;
}

/* "expect collapse P RANGE ok|fail": the last MADV_COLLAPSE on RANGE. */
static bool eval_collapse(const struct scn_scenario *s, const struct scn_op *op,
			  const int *collapse_err, char *got, size_t len)
{
	int i = (int)(op - s->ops);

	while (--i >= 0) {
		const struct scn_op *o = &s->ops[i];

		if (o->kind == SCN_MADVISE && o->advice == SCN_ADV_COLLAPSE &&
		    o->proc == op->proc && same_range(&o->range, &op->range))
			break;
	}
	if (i < 0) {
		snprintf(got, len, "no collapse of this range before");
		return false;
	}
	if (collapse_err[i])
		snprintf(got, len, "fail (errno %d)", collapse_err[i]);
	else
		snprintf(got, len, "ok");
	return !collapse_err[i] == op->collapse_ok;
}

bool exec_eval_expect(const struct scn_scenario *s, const struct scn_op *op,
		      const struct exec_observer *obs, const int *collapse_err,
		      char *got, size_t gotlen)
{
	struct frame_index fi = { 0 };
	const struct scn_region *rg;
	struct range_counts c;
	int64_t v;

	if (op->expect == SCN_EXP_COLLAPSE)
		return eval_collapse(s, op, collapse_err, got, gotlen);
	if (op->expect == SCN_EXP_VMSTAT) {
		if (!obs->vmstat(obs->ctx, op->vmstat, &v)) {
			snprintf(got, gotlen, "unknown counter");
			return false;
		}
		snprintf(got, gotlen, "%lld", (long long)v);
		return compare(v, op->cmp, op->expect_value);
	}
	rg = &s->regions[op->range.region];
	if (frame_index_build(s, obs, &fi) ||
	    count_range(&fi, obs, op->proc,
			rg->addr + (uint64_t)op->range.start * SCN_PAGE_SIZE,
			(unsigned long)(op->range.end - op->range.start), &c)) {
		free(fi.v);
		snprintf(got, gotlen, "out of memory");
		return false;
	}
	free(fi.v);
	switch (op->expect) {
	case SCN_EXP_THP:
		v = (int64_t)c.thp;
		break;
	case SCN_EXP_PRESENT:
		v = (int64_t)c.present;
		break;
	case SCN_EXP_SWAPPED:
		v = (int64_t)c.swapped;
		break;
	case SCN_EXP_SHARED:
		v = (int64_t)c.shared;
		break;
	default:
		v = (int64_t)(c.rss_pages * SCN_PAGE_SIZE);
		break;
	}
	snprintf(got, gotlen, "%lld", (long long)v);
	return compare(v, op->cmp, op->expect_value);
}

/* One cell per process, region and PMD: is it a PMD-mapped THP? */
static char *pmd_map(const struct scn_scenario *s,
		     const struct exec_observer *obs)
{
	size_t n = 0, k = 0;
	char *map;
	int p, g;

	for (g = 0; g < s->nr_regions; g++)
		n += (s->regions[g].size + SCN_PMD_SIZE - 1) / SCN_PMD_SIZE + 1;
	map = malloc(n * (size_t)s->nr_procs + 1);
	if (!map)
		return NULL;
	for (p = 0; p < s->nr_procs; p++) {
		for (g = 0; g < s->nr_regions; g++) {
			uint64_t a = s->regions[g].addr;
			uint64_t end = a + s->regions[g].size;
			struct obs_page pg;

			for (; a < end; a += SCN_PMD_SIZE) {
				if (!obs->alive(obs->ctx, p)) {
					map[k++] = '-';
					continue;
				}
				obs->pages(obs->ctx, p, a, 1, &pg);
				map[k++] = pg.state == OBS_PRESENT &&
						   pg.pmd_mapped ? 'H' : '.';
			}
			map[k++] = '|';
		}
	}
	map[k] = 0;
	return map;
}

int exec_final_metrics(const struct scn_scenario *s,
		       const struct exec_observer *obs, struct exec_result *r)
{
	obs->memory(obs->ctx, &r->anon_kb, &r->thp_kb);
	r->pmd_map = pmd_map(s, obs);
	return r->pmd_map ? 0 : -1;
}

int exec_final(const struct scn_scenario *s, const struct exec_observer *obs,
	       struct exec_result *r)
{
	struct frame_index fi;
	int p, g, err = -1;

	r->nr_procs = s->nr_procs;
	r->nr_regions = s->nr_regions;
	r->procs = calloc((size_t)s->nr_procs + 1, sizeof(*r->procs));
	r->vmstat = calloc((size_t)exec_nr_vmstat_names, sizeof(*r->vmstat));
	if (!r->procs || !r->vmstat || frame_index_build(s, obs, &fi))
		return -1;
	for (p = 0; p < s->nr_procs; p++) {
		struct exec_proc_final *pf = &r->procs[p];

		pf->regions = calloc((size_t)s->nr_regions + 1,
				     sizeof(*pf->regions));
		if (!pf->regions)
			goto out;
		pf->alive = obs->alive(obs->ctx, p);
		if (!pf->alive)
			continue;
		obs->smaps(obs->ctx, p, &pf->rss_kb, &pf->anon_huge_kb,
			   &pf->swap_kb);
		for (g = 0; g < s->nr_regions; g++) {
			struct exec_region_final *rf = &pf->regions[g];
			struct range_counts c;

			if (count_range(&fi, obs, p, s->regions[g].addr,
					s->regions[g].size / SCN_PAGE_SIZE, &c))
				goto out;
			rf->mapped = c.present || c.swapped;
			rf->thp = c.thp;
			rf->present = c.present;
			rf->swapped = c.swapped;
			rf->shared = c.shared;
		}
	}
	obs->memory(obs->ctx, &r->anon_kb, &r->thp_kb);
	r->pmd_map = pmd_map(s, obs);
	for (g = 0; g < exec_nr_vmstat_names; g++) {
		r->vmstat[g].name = exec_vmstat_names[g];
		if (!obs->vmstat(obs->ctx, exec_vmstat_names[g],
				 &r->vmstat[g].delta))
			r->vmstat[g].delta = 0;
	}
	r->nr_vmstat = exec_nr_vmstat_names;
	err = 0;
out:
	free(fi.v);
	return err;
}

char exec_map_cell(const struct obs_page *pg, bool shared)
{
	switch (pg->state) {
	case OBS_NONE:
		return CELL_NONE;
	case OBS_ZERO:
		return pg->pmd_mapped ? CELL_HUGE_ZERO : CELL_ZERO;
	case OBS_SWAP:
		return CELL_SWAP;
	}
	if (pg->ksm)
		return CELL_KSM;
	if (pg->pmd_mapped)
		return shared ? 'h' : CELL_THP;
	if (pg->order)
		return shared ? 'M' : CELL_MTHP;
	return shared ? CELL_SHARED : CELL_EXCL;
}

char *exec_map(const struct scn_scenario *s, const struct exec_observer *obs,
	       int proc, int region)
{
	unsigned long n = s->regions[region].size / SCN_PAGE_SIZE, i;
	struct obs_page *pg = calloc(n + 1, sizeof(*pg));
	char *cells = malloc(n + 1);
	struct frame_index fi = { 0 };

	if (!pg || !cells || frame_index_build(s, obs, &fi)) {
		free(pg);
		free(fi.v);
		free(cells);
		return NULL;
	}
	obs->pages(obs->ctx, proc, s->regions[region].addr, n, pg);
	for (i = 0; i < n; i++)
		cells[i] = exec_map_cell(&pg[i],
				    pg[i].state == OBS_PRESENT &&
					    frame_shared(&fi, pg[i].frame, proc));
	cells[n] = 0;
	free(pg);
	free(fi.v);
	return cells;
}

void exec_result_free(struct exec_result *r)
{
	int i;

	for (i = 0; r->procs && i < r->nr_procs; i++)
		free(r->procs[i].regions);
	for (i = 0; i < r->nr_shows; i++)
		free(r->shows[i].cells);
	free(r->procs);
	free(r->expects);
	free(r->vmstat);
	free(r->shows);
	free(r->collapse_err);
	free(r->pmd_map);
	free(r->scans);
	memset(r, 0, sizeof(*r));
}
