// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario generator: valid scenario text from a seed.  It keeps just
 * enough state (live processes, who maps which region, read-only and
 * don't-fork regions) to emit only statements that run, over the whole
 * operation alphabet of the language and structured page ranges (whole
 * region, one PMD, halves, single pages, first and last page, runs).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"

#define GEN_MAX_PROCS 8
#define GEN_MAX_REGIONS 6

struct gen {
	struct exp_rng rng;
	const struct explore_opts *o;
	char *buf;
	size_t len, cap;
	int nr_procs, nr_regions;
	bool alive[GEN_MAX_PROCS];
	int pmds[GEN_MAX_REGIONS];
	bool has[GEN_MAX_PROCS][GEN_MAX_REGIONS];
	bool ro[GEN_MAX_PROCS][GEN_MAX_REGIONS];
	bool dontfork[GEN_MAX_PROCS][GEN_MAX_REGIONS];
};

void exp_rng_seed(struct exp_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t z = seed ^ (stream * 0x9e3779b97f4a7c15ULL);
	int i;

	for (i = 0; i < 4; i++) {	/* splitmix64 */
		z += 0x9e3779b97f4a7c15ULL;
		r->s[i] = z;
		r->s[i] = (r->s[i] ^ (r->s[i] >> 30)) * 0xbf58476d1ce4e5b9ULL;
		r->s[i] = (r->s[i] ^ (r->s[i] >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] ^= r->s[i] >> 31;
	}
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t exp_rng_next(struct exp_rng *r)
{
	uint64_t res = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return res;
}

uint64_t exp_rng_below(struct exp_rng *r, uint64_t n)
{
	return n ? exp_rng_next(r) % n : 0;
}

static int pick(struct gen *g, int n)
{
	return (int)exp_rng_below(&g->rng, (uint64_t)n);
}

static void emit(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < g->cap - g->len)
			break;
		g->cap = 2 * g->cap + (size_t)n + 64;
		g->buf = realloc(g->buf, g->cap);
		if (!g->buf)
			abort();
	}
	g->len += (size_t)n;
}

/* A live process, or -1. */
static int pick_proc(struct gen *g)
{
	int live[GEN_MAX_PROCS], n = 0, p;

	for (p = 0; p < g->nr_procs; p++)
		if (g->alive[p])
			live[n++] = p;
	return n ? live[pick(g, n)] : -1;
}

/* A region process @p maps (optionally a writable one), or -1. */
static int pick_region(struct gen *g, int p, bool writable)
{
	int rs[GEN_MAX_REGIONS], n = 0, r;

	for (r = 0; r < g->nr_regions; r++)
		if (g->has[p][r] && (!writable || !g->ro[p][r]))
			rs[n++] = r;
	return n ? rs[pick(g, n)] : -1;
}

/* Emit a structured range of region @r. */
static void emit_range(struct gen *g, int r)
{
	int pages = g->pmds[r] * 512, k = pick(g, g->pmds[r]) * 512;
	int a, b;

	switch (pick(g, 9)) {
	case 0:
	case 1:
		emit(g, "R%d", r);
		return;
	case 2:
		emit(g, "R%d[%d:%d]", r, k, k + 512);
		return;
	case 3:
		emit(g, "R%d[%d:%d]", r, k, k + 256);
		return;
	case 4:
		emit(g, "R%d[%d:%d]", r, k + 256, k + 512);
		return;
	case 5:
		emit(g, "R%d[%d]", r, pick(g, 2) ? k : k + 511);
		return;
	case 6:
		emit(g, "R%d[%d]", r, pick(g, pages));
		return;
	default:
		a = pick(g, pages);
		b = a + 1 + pick(g, pages - a);
		emit(g, "R%d[%d:%d]", r, a, b);
	}
}

static void gen_access(struct gen *g, int p, bool write)
{
	int r = pick_region(g, p, write);

	if (r < 0)
		return;
	emit(g, "P%d %s ", p, write ? "write" : "read");
	emit_range(g, r);
	if (write && !pick(g, 12))
		emit(g, " zero");
	else if (write && !pick(g, 20))
		emit(g, " value %d", 1 + pick(g, 3));
	emit(g, "\n");
}

static void gen_madvise(struct gen *g, int p, const char *advice)
{
	int r = pick_region(g, p, false);

	if (r < 0)
		return;
	emit(g, "P%d madvise ", p);
	emit_range(g, r);
	emit(g, " %s\n", advice);
}

static void gen_fork(struct gen *g, int p)
{
	int c = g->nr_procs, r;

	if (c >= g->o->max_procs || c >= GEN_MAX_PROCS)
		return;
	g->nr_procs++;
	g->alive[c] = true;
	for (r = 0; r < g->nr_regions; r++) {
		g->has[c][r] = g->has[p][r] && !g->dontfork[p][r];
		g->ro[c][r] = g->ro[p][r];
	}
	emit(g, "P%d fork P%d\n", p, c);
}

static void gen_mmap(struct gen *g, int p)
{
	int r = g->nr_regions;

	if (r >= GEN_MAX_REGIONS)
		return;
	g->nr_regions++;
	g->pmds[r] = 1 + pick(g, g->o->max_pmds);
	g->has[p][r] = true;
	emit(g, "P%d mmap R%d %dM\n", p, r, 2 * g->pmds[r]);
	if (pick(g, 5))
		emit(g, "P%d madvise R%d hugepage\n", p, r);
}

static void gen_whole_region_op(struct gen *g, int p, int kind)
{
	int r = pick_region(g, p, false);

	if (r < 0)
		return;
	switch (kind) {
	case 0:
		g->ro[p][r] = !g->ro[p][r];
		emit(g, "P%d mprotect R%d %s\n", p, r, g->ro[p][r] ? "ro" : "rw");
		break;
	case 1:
		g->dontfork[p][r] = !g->dontfork[p][r];
		emit(g, "P%d madvise R%d %s\n", p, r,
		     g->dontfork[p][r] ? "dontfork" : "dofork");
		break;
	default:
		g->has[p][r] = false;
		emit(g, "P%d munmap R%d\n", p, r);
	}
}

static void gen_set(struct gen *g)
{
	static const char *const paths[] = { "khugepaged/max_ptes_shared",
					     "khugepaged/max_ptes_none",
					     "khugepaged/max_ptes_swap" };
	static const int values[] = { 0, 1, 64, 255, 256, 257, 511 };

	emit(g, "set %s %d\n", paths[pick(g, 3)], values[pick(g, 7)]);
}

/* One random statement; weights favour what makes THPs differ. */
static void gen_statement(struct gen *g)
{
	int p = pick_proc(g), w = pick(g, 100);

	if (p < 0)
		return;
	if (w < 26)
		gen_access(g, p, true);
	else if (w < 34)
		gen_access(g, p, false);
	else if (w < 42)
		gen_fork(g, p);
	else if (w < 45 && g->nr_procs > 1) {
		g->alive[p] = false;
		emit(g, "P%d exit\n", p);
	} else if (w < 55)
		gen_madvise(g, p, "dontneed");
	else if (w < 59)
		gen_madvise(g, p, "pageout");
	else if (w < 64)
		gen_madvise(g, p, "collapse");
	else if (w < 67)
		gen_madvise(g, p, pick(g, 3) ? "hugepage" : "nohugepage");
	else if (w < 76)
		emit(g, "khugepaged\n");
	else if (w < 79)
		emit(g, "shrink\n");
	else if (w < 82)
		gen_mmap(g, p);
	else if (w < 86)
		gen_whole_region_op(g, p, pick(g, 3));
	else if (w < 89)
		gen_set(g);
	else
		gen_access(g, p, true);
}

/*
 * The bounded exhaustive mode: a fixed start (one process with one
 * advised, fully written 2 MiB region) followed by o->exhaustive
 * statements from a small alphabet; run i spells its statements with the
 * base-EXH_ALPHABET digits of i, so the runs cover every sequence once.
 */
static const char *const exh_alphabet[] = {
	"P0 fork P1\n",
	"P1 madvise R0[0:256] dontneed\n",
	"P0 madvise R0[256:512] dontneed\n",
	"P0 write R0[0]\n",
	"P1 write R0[511]\n",
	"P0 madvise R0[0:1] pageout\n",
	"P1 exit\n",
	"khugepaged\n",
};

#define EXH_ALPHABET ((long)(sizeof(exh_alphabet) / sizeof(exh_alphabet[0])))

long exp_exhaustive_runs(int depth)
{
	long n = 1;
	int i;

	for (i = 0; i < depth; i++)
		n *= EXH_ALPHABET;
	return n;
}

/* The buffer and the settings every generated scenario starts with. */
static int gen_start(struct gen *g)
{
	const struct explore_opts *o = g->o;
	int i;

	g->cap = 1024;
	g->buf = malloc(g->cap);
	if (!g->buf)
		return -1;
	g->buf[0] = 0;
	emit(g, "set model/ram 64M\nset model/swap 64M\n");
	for (i = 0; i < o->nr_sets; i++) {
		const char *eq = strchr(o->sets[i], '=');

		if (eq)
			emit(g, "set %.*s %s\n", (int)(eq - o->sets[i]),
			     o->sets[i], eq + 1);
	}
	return 0;
}

/* Statements about P1 are only valid once it was forked and until exit. */
static char *generate_exhaustive(const struct explore_opts *o, long run)
{
	struct gen g = { .o = o };
	bool child = false, forked = false;	/* names are used once */
	int i;

	if (gen_start(&g))
		return NULL;
	emit(&g, "spawn P0\nP0 mmap R0 2M\nP0 madvise R0 hugepage\n"
		 "P0 write R0\n");
	for (i = 0; i < o->exhaustive; i++, run /= EXH_ALPHABET) {
		const char *st = exh_alphabet[run % EXH_ALPHABET];

		if (!strncmp(st, "P0 fork", 7)) {
			if (forked)
				continue;
			child = forked = true;
		} else if (!strncmp(st, "P1", 2) && !child) {
			continue;
		} else if (!strncmp(st, "P1 exit", 7)) {
			child = false;
		}
		emit(&g, "%s", st);
	}
	emit(&g, "khugepaged\n");
	return g.buf;
}

char *exp_generate(const struct explore_opts *o, long run)
{
	struct gen g = { .o = o };
	int i, n;

	if (o->exhaustive > 0)
		return generate_exhaustive(o, run);
	exp_rng_seed(&g.rng, o->seed, (uint64_t)run);
	if (gen_start(&g))
		return NULL;
	if (!pick(&g, 3))
		gen_set(&g);
	g.nr_procs = 1;
	g.alive[0] = true;
	emit(&g, "spawn P0\n");
	gen_mmap(&g, 0);
	emit(&g, "P0 write R0\n");
	n = 1 + pick(&g, o->max_ops);
	for (i = 0; i < n; i++)
		gen_statement(&g);
	if (pick(&g, 5))
		emit(&g, "khugepaged\n");
	return g.buf;
}
