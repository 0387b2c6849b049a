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

/*
 * Observations are made a bounded chunk at a time, so that a huge region
 * costs time but no host memory in proportion to its size.  Chunks end on
 * PMD boundaries: a PMD inside a range lies inside one chunk.
 */
#define OBS_CHUNK_PAGES	(64UL << 10)

typedef int (*chunk_fn)(void *ctx, const struct obs_page *pg, uint64_t addr,
			unsigned long n);

/* Call @fn on the observations of [addr, +n pages) of @proc, by chunks. */
static int observe_chunks(const struct exec_observer *obs, int proc,
			  uint64_t addr, unsigned long n, chunk_fn fn, void *ctx)
{
	uint64_t end = addr + (uint64_t)n * SCN_PAGE_SIZE;
	struct obs_page *pg;
	int ret = 0;

	pg = calloc(n < OBS_CHUNK_PAGES ? n + 1 : OBS_CHUNK_PAGES,
		    sizeof(*pg));
	if (!pg)
		return -1;
	while (!ret && addr < end) {
		uint64_t next = (addr + OBS_CHUNK_PAGES * SCN_PAGE_SIZE) &
				~(SCN_PMD_SIZE - 1);
		unsigned long k;

		if (next > end || next <= addr)
			next = end;
		k = (unsigned long)((next - addr) / SCN_PAGE_SIZE);
		obs->pages(obs->ctx, proc, addr, k, pg);
		ret = fn(ctx, pg, addr, k);
		addr = next;
	}
	free(pg);
	return ret;
}

/*
 * Which process maps each present frame: none, one, or more than one.
 * Frames are grouped in blocks of 512 (a PMD's worth), each with a 16-bit
 * owner per frame (0: none, process + 1, or FI_SHARED), found through an
 * open-addressing hash of block numbers.  A THP's frames share a block,
 * so the index costs 2 bytes per frame of the blocks in use: at most 2
 * bytes per frame of the machine, however many processes map them.
 */
#define FI_BLOCK_SHIFT	9
#define FI_BLOCK	(1UL << FI_BLOCK_SHIFT)
#define FI_SHARED	0xffffU
#define FI_MIN_SLOTS	64UL

struct fi_block {
	uint64_t nr;			/* frame >> FI_BLOCK_SHIFT */
	uint16_t owner[FI_BLOCK];
};

struct frame_index {
	struct fi_block **slot;		/* NULL: free */
	size_t cap;			/* a power of two; 0: nothing shared */
	size_t n;
	struct fi_block *last;		/* the block looked up last */
};

static size_t fi_hash(uint64_t nr, size_t cap)
{
	return (size_t)((nr * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

/* The slot of block @nr, or the free one where it would go. */
static struct fi_block **fi_slot(const struct frame_index *fi, uint64_t nr)
{
	size_t i = fi_hash(nr, fi->cap);

	while (fi->slot[i] && fi->slot[i]->nr != nr)
		i = (i + 1) & (fi->cap - 1);
	return &fi->slot[i];
}

static int fi_grow(struct frame_index *fi)
{
	struct frame_index big = { .cap = fi->cap ? fi->cap * 2 : FI_MIN_SLOTS };
	size_t i;

	big.slot = calloc(big.cap, sizeof(*big.slot));
	if (!big.slot)
		return -1;
	for (i = 0; i < fi->cap; i++)
		if (fi->slot[i])
			*fi_slot(&big, fi->slot[i]->nr) = fi->slot[i];
	big.n = fi->n;
	free(fi->slot);
	*fi = big;
	return 0;
}

/* The block holding @frame; NULL if it has none (or, @add, no memory). */
static struct fi_block *fi_block(struct frame_index *fi, uint64_t frame,
				 bool add)
{
	uint64_t nr = frame >> FI_BLOCK_SHIFT;
	struct fi_block **s;

	if (fi->last && fi->last->nr == nr)
		return fi->last;
	if (!fi->cap)
		return NULL;
	s = fi_slot(fi, nr);
	if (!*s && add) {
		if ((fi->n + 1) * 2 > fi->cap) {
			if (fi_grow(fi))
				return NULL;
			s = fi_slot(fi, nr);
		}
		*s = calloc(1, sizeof(**s));
		if (!*s)
			return NULL;
		(*s)->nr = nr;
		fi->n++;
	}
	if (*s)
		fi->last = *s;
	return *s;
}

static int fi_add(struct frame_index *fi, uint64_t frame, int proc)
{
	unsigned int owner = (unsigned int)proc + 1;
	struct fi_block *b;
	uint16_t *o;

	/* the parser's process limit is far below this */
	if (owner >= FI_SHARED || (!fi->cap && fi_grow(fi)))
		return -1;
	b = fi_block(fi, frame, true);
	if (!b)
		return -1;
	o = &b->owner[frame & (FI_BLOCK - 1)];
	if (!*o)
		*o = (uint16_t)owner;
	else if (*o != owner)
		*o = FI_SHARED;
	return 0;
}

struct fi_build {
	struct frame_index *fi;
	int proc;
};

static int fi_add_chunk(void *ctx, const struct obs_page *pg, uint64_t addr,
			unsigned long n)
{
	struct fi_build *b = ctx;
	unsigned long i;

	(void)addr;
	for (i = 0; i < n; i++)
		if (pg[i].state == OBS_PRESENT &&
		    fi_add(b->fi, pg[i].frame, b->proc))
			return -1;
	return 0;
}

/* Every present frame of every live process in every region. */
static int frame_index_build(const struct scn_scenario *s,
			     const struct exec_observer *obs,
			     struct frame_index *fi)
{
	struct fi_build b = { fi, 0 };
	int r;

	memset(fi, 0, sizeof(*fi));
	/* with fewer than two live processes nothing can be shared */
	for (b.proc = 0, r = 0; b.proc < s->nr_procs; b.proc++)
		r += obs->alive(obs->ctx, b.proc);
	if (r < 2)
		return 0;
	for (b.proc = 0; b.proc < s->nr_procs; b.proc++) {
		if (!obs->alive(obs->ctx, b.proc))
			continue;
		for (r = 0; r < s->nr_regions; r++)
			if (observe_chunks(obs, b.proc, s->regions[r].addr,
					   s->regions[r].size / SCN_PAGE_SIZE,
					   fi_add_chunk, &b))
				return -1;
	}
	return 0;
}

static void frame_index_free(struct frame_index *fi)
{
	size_t i;

	for (i = 0; i < fi->cap; i++)
		free(fi->slot[i]);
	free(fi->slot);
	memset(fi, 0, sizeof(*fi));
}

/* Is @frame also mapped by a process other than @proc? */
static bool frame_shared(struct frame_index *fi, uint64_t frame, int proc)
{
	struct fi_block *b = fi_block(fi, frame, false);
	unsigned int o = b ? b->owner[frame & (FI_BLOCK - 1)] : 0;

	return o && o != (unsigned int)proc + 1;
}

struct range_counts {
	uint64_t thp, present, swapped, shared, rss_pages;
};

struct count_ctx {
	struct frame_index *fi;		/* NULL: shared is not wanted */
	int proc;
	uint64_t end;			/* of the whole range */
	struct range_counts *c;
};

static int count_chunk(void *ctx, const struct obs_page *pg, uint64_t addr,
		       unsigned long n)
{
	struct count_ctx *x = ctx;
	struct range_counts *c = x->c;
	unsigned long per = SCN_PMD_SIZE / SCN_PAGE_SIZE, i;

	for (i = 0; i < n; i++) {
		c->present += pg[i].state == OBS_PRESENT ||
			      pg[i].state == OBS_ZERO;
		c->swapped += pg[i].state == OBS_SWAP;
		c->rss_pages += pg[i].state == OBS_PRESENT;
		c->shared += x->fi && pg[i].state == OBS_PRESENT &&
			     frame_shared(x->fi, pg[i].frame, x->proc);
	}
	/* PMD-mapped THPs whose whole 2 MiB lies inside the range */
	for (i = 0; i < n; i++) {
		uint64_t a = addr + i * SCN_PAGE_SIZE;

		if ((a & (SCN_PMD_SIZE - 1)) || a + SCN_PMD_SIZE > x->end)
			continue;
		if (pg[i].state == OBS_PRESENT && pg[i].pmd_mapped &&
		    pg[i + per - 1].pmd_mapped)
			c->thp++;
	}
	return 0;
}

/*
 * Count the pages of [addr, +n pages) of @proc; @fi is the frame index of
 * the state observed now (built once by the caller: it covers every
 * region of every process), or NULL when the shared count is not needed.
 */
static int count_range(struct frame_index *fi,
		       const struct exec_observer *obs, int proc, uint64_t addr,
		       unsigned long n, struct range_counts *c)
{
	struct count_ctx x = { fi, proc, addr + (uint64_t)n * SCN_PAGE_SIZE,
			       c };

	memset(c, 0, sizeof(*c));
	return observe_chunks(obs, proc, addr, n, count_chunk, &x);
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
	/* only the shared count needs every process's frames */
	if ((op->expect == SCN_EXP_SHARED && frame_index_build(s, obs, &fi)) ||
	    count_range(op->expect == SCN_EXP_SHARED ? &fi : NULL, obs,
			op->proc,
			rg->addr + (uint64_t)op->range.start * SCN_PAGE_SIZE,
			(unsigned long)(op->range.end - op->range.start), &c)) {
		frame_index_free(&fi);
		snprintf(got, gotlen, "out of memory");
		return false;
	}
	frame_index_free(&fi);
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
	struct frame_index fi = { 0 };
	int p, g, err = -1;

	r->nr_procs = s->nr_procs;
	r->nr_regions = s->nr_regions;
	r->procs = calloc((size_t)s->nr_procs + 1, sizeof(*r->procs));
	r->vmstat = calloc((size_t)exec_nr_vmstat_names, sizeof(*r->vmstat));
	if (!r->procs || !r->vmstat || frame_index_build(s, obs, &fi))
		goto out;
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
	if (r->why && exec_why_collect(s, obs, r))
		goto out;
	for (g = 0; g < exec_nr_vmstat_names; g++) {
		r->vmstat[g].name = exec_vmstat_names[g];
		if (!obs->vmstat(obs->ctx, exec_vmstat_names[g],
				 &r->vmstat[g].delta))
			r->vmstat[g].delta = 0;
	}
	r->nr_vmstat = exec_nr_vmstat_names;
	err = 0;
out:
	frame_index_free(&fi);
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

struct map_ctx {
	struct frame_index *fi;
	int proc;
	char *cell;		/* the next one to fill */
};

static int map_chunk(void *ctx, const struct obs_page *pg, uint64_t addr,
		     unsigned long n)
{
	struct map_ctx *x = ctx;
	unsigned long i;

	(void)addr;
	for (i = 0; i < n; i++)
		*x->cell++ = exec_map_cell(&pg[i],
				pg[i].state == OBS_PRESENT &&
					frame_shared(x->fi, pg[i].frame,
						     x->proc));
	return 0;
}

char *exec_map(const struct scn_scenario *s, const struct exec_observer *obs,
	       int proc, int region)
{
	unsigned long n = s->regions[region].size / SCN_PAGE_SIZE;
	struct frame_index fi = { 0 };
	char *cells = malloc(n + 1);
	struct map_ctx x = { &fi, proc, cells };

	if (!cells || frame_index_build(s, obs, &fi) ||
	    observe_chunks(obs, proc, s->regions[region].addr, n, map_chunk,
			   &x)) {
		frame_index_free(&fi);
		free(cells);
		return NULL;
	}
	cells[n] = 0;
	frame_index_free(&fi);
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
	free(r->whys);
	memset(r, 0, sizeof(*r));
}
