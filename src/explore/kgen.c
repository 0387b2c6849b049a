// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generator for searches against the live kernel: random scenarios
 * over the whole language, sized for a real machine (regions of 1 to 4
 * MiB, at most four processes, tens of MiB in all).  It keeps the state a
 * statement needs to be valid (who maps which page, read-only and
 * don't-fork pages), and each statement is kept only if the scenario so
 * far still parses and runs on the model (v6.18) with the invariant
 * checker clean; a rejected statement is dropped and its state change
 * undone.  The model is deterministic, so the text depends only on the
 * seed and the run index.
 *
 * Global tunables that would let other processes on the machine move the
 * global vmstat counters (PMD THPs "always") are not generated: a
 * difference they cause is noise, not the model's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "explore.h"

#define KG_PROCS	4
#define KG_REGIONS	8
#define KG_PAGES	1024	/* 4 MiB */
#define KG_PMD		512
#define KG_TRIES	6	/* attempts at a valid statement */

/* Per (process, region, page) */
#define PG_MAPPED	1
#define PG_RO		2
#define PG_DONTFORK	4

struct kg_state {
	int nr_procs, nr_regions;
	bool alive[KG_PROCS];
	int npages[KG_REGIONS];
	uint8_t pg[KG_PROCS][KG_REGIONS][KG_PAGES];
};

struct kgen {
	struct exp_rng rng;
	const struct explore_opts *o;
	char *buf;		/* the accepted text */
	size_t len, cap;
	struct kg_state st, saved;
	char line[256];		/* the statement being built */
	size_t ll;
	long rejected;
};

static int pick(struct kgen *g, int n)
{
	return (int)exp_rng_below(&g->rng, (uint64_t)n);
}

static void put(struct kgen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append to the statement being built. */
static void put(struct kgen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->line + g->ll, sizeof(g->line) - g->ll, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->ll = g->ll + (size_t)n < sizeof(g->line) ?
				g->ll + (size_t)n : sizeof(g->line) - 1;
}

static int append(struct kgen *g, const char *s)
{
	size_t n = strlen(s);

	if (g->len + n + 1 > g->cap) {
		size_t cap = 2 * g->cap + n + 64;
		char *p = realloc(g->buf, cap);

		if (!p)
			return -1;
		g->buf = p;
		g->cap = cap;
	}
	memcpy(g->buf + g->len, s, n + 1);
	g->len += n;
	return 0;
}

bool exp_model_clean(const char *text, char *why, size_t len)
{
	struct exec_model_opts mo = { .profile = "v6.18", .shared_pred = -1,
				      .check = true };
	struct scn_scenario s;
	struct exec_result r;
	char err[256];
	bool ok;

	if (scn_parse("<generated>", text, strlen(text), &s, err,
		      sizeof(err))) {
		if (why)
			snprintf(why, len, "%s", err);
		return false;
	}
	exec_model(&s, &mo, &r);
	ok = r.status == EXEC_OK && !r.invariant_violations && !r.data_lost;
	if (!ok && why)
		snprintf(why, len, "%s", r.error[0] ? r.error :
			 "invariant violated or data lost");
	exec_result_free(&r);
	scn_free(&s);
	return ok;
}

/*
 * Keep the statement in g->line if the text with it runs clean on the
 * model; otherwise undo the state change made since begin().
 */
static void begin(struct kgen *g)
{
	g->ll = 0;
	g->line[0] = '\0';
	g->saved = g->st;
}

static bool commit(struct kgen *g)
{
	size_t old = g->len;

	put(g, "\n");
	if (append(g, g->line))
		return false;
	if (exp_model_clean(g->buf, NULL, 0))
		return true;
	g->len = old;
	g->buf[old] = '\0';
	g->st = g->saved;
	g->rejected++;
	return false;
}

/* {========== choosing ==========} */

static int pick_proc(struct kgen *g)
{
	int live[KG_PROCS], n = 0, p;

	for (p = 0; p < g->st.nr_procs; p++)
		if (g->st.alive[p])
			live[n++] = p;
	return n ? live[pick(g, n)] : -1;
}

/* Does @p map any page of region @r with all @need bits? */
static bool region_has(const struct kgen *g, int p, int r, uint8_t need)
{
	int i;

	for (i = 0; i < g->st.npages[r]; i++)
		if ((g->st.pg[p][r][i] & need) == need)
			return true;
	return false;
}

static int pick_region(struct kgen *g, int p)
{
	int rs[KG_REGIONS], n = 0, r;

	for (r = 0; r < g->st.nr_regions; r++)
		if (region_has(g, p, r, PG_MAPPED))
			rs[n++] = r;
	return n ? rs[pick(g, n)] : -1;
}

/* A page range [*a, *b) of region @r, in one of the shapes that matter. */
static void pick_shape(struct kgen *g, int r, int *a, int *b)
{
	int n = g->st.npages[r], k = pick(g, (n + KG_PMD - 1) / KG_PMD) *
				     KG_PMD, sz;

	switch (pick(g, 11)) {
	case 0:
	case 1:
		*a = 0, *b = n;			/* the whole region */
		break;
	case 2:
		*a = k, *b = k + KG_PMD;	/* one PMD */
		break;
	case 3:
		*a = k + pick(g, 2) * KG_PMD / 2;	/* half of one */
		*b = *a + KG_PMD / 2;
		break;
	case 4:
		*a = pick(g, 2) ? k : k + KG_PMD - 1;	/* first or last */
		*b = *a + 1;
		break;
	case 5:
		*a = pick(g, n), *b = *a + 1;
		break;
	case 6:
		sz = 1 << (2 + pick(g, 7));	/* an mTHP-sized block */
		*a = k + pick(g, KG_PMD / sz) * sz;
		*b = *a + sz;
		break;
	case 7:
		*a = KG_PMD - 1 - pick(g, 64);	/* across a PMD boundary */
		*b = KG_PMD + 1 + pick(g, 64);
		break;
	default:
		*a = pick(g, n);
		*b = *a + 1 + pick(g, n - *a < 80 ? n - *a : 80);
	}
	if (*b > n)
		*b = n;
	if (*a >= *b)
		*a = *b - 1;
}

/* Every page of [a, b) in @p's region @r has the bits @need. */
static bool range_is(const struct kgen *g, int p, int r, int a, int b,
		     uint8_t need)
{
	int i;

	for (i = a; i < b; i++)
		if ((g->st.pg[p][r][i] & need) != need)
			return false;
	return true;
}

/* Some page of [a, b) in @p's region @r has a bit of @bits. */
static bool range_any(const struct kgen *g, int p, int r, int a, int b,
		      uint8_t bits)
{
	int i;

	for (i = a; i < b; i++)
		if (g->st.pg[p][r][i] & bits)
			return true;
	return false;
}

static void put_range(struct kgen *g, int r, int a, int b)
{
	if (a == 0 && b == g->st.npages[r])
		put(g, "R%d", r);
	else if (b == a + 1)
		put(g, "R%d[%d]", r, a);
	else
		put(g, "R%d[%d:%d]", r, a, b);
}

/* A range of @p's region @r whose pages all have @need; false if none. */
static bool pick_range(struct kgen *g, int p, int r, uint8_t need, int *a,
		       int *b)
{
	int t;

	for (t = 0; t < 8; t++) {
		pick_shape(g, r, a, b);
		if (range_is(g, p, r, *a, *b, need))
			return true;
	}
	return false;
}

static void set_bits(struct kgen *g, int p, int r, int a, int b, uint8_t set,
		     uint8_t clear)
{
	int i;

	for (i = a; i < b; i++)
		g->st.pg[p][r][i] = (uint8_t)((g->st.pg[p][r][i] & ~clear) |
					      set);
}

/* {========== statements ==========} */

static const char *const sizes_kb[] = { "16", "32", "64", "128", "256",
					"512", "1024" };

static void gen_set(struct kgen *g, bool prologue)
{
	static const char *const none[] = { "0", "1", "64", "255", "256",
					    "511" };
	static const char *const mthp[] = { "always", "madvise", "never",
					    "inherit" };
	static const char *const defrag[] = { "madvise", "never", "defer",
					      "defer+madvise" };
	static const char *const ptes[] = { "none", "swap", "shared" };

	switch (pick(g, prologue ? 10 : 9)) {
	case 0:
	case 1:
		put(g, "set hugepages-%skB/enabled %s",
		    sizes_kb[pick(g, 7)], mthp[pick(g, 4)]);
		break;
	case 2:
		/* never "always": other processes would fault PMD THPs */
		put(g, "set %s %s", pick(g, 2) ? "enabled" :
			"hugepages-2048kB/enabled",
		    mthp[1 + pick(g, 3)]);
		break;
	case 3:
		put(g, "set defrag %s", defrag[pick(g, 4)]);
		break;
	case 4:
		put(g, "set %s %d", pick(g, 2) ? "use_zero_page" :
			"shrink_underused", pick(g, 2));
		break;
	case 5:
	case 6:
		put(g, "set khugepaged/max_ptes_%s %s", ptes[pick(g, 3)],
		    none[pick(g, 6)]);
		break;
	case 7:
		if (pick(g, 2))
			put(g, "set khugepaged/pages_to_scan %d",
			    64 << (3 * pick(g, 3)));
		else
			put(g, "set khugepaged/defrag %d", pick(g, 2));
		break;
	case 8:
		put(g, "set ksm/pages_to_scan %d", 100 * (1 + 9 * pick(g, 3)));
		break;
	default:
		/* refused (busy) once KSM has merged: prologue only */
		if (pick(g, 2))
			put(g, "set ksm/max_page_sharing %d", 2 + pick(g, 2));
		else
			put(g, "set ksm/use_zero_pages %d", pick(g, 2));
	}
	commit(g);
}

static const char *const region_sizes[] = { "1M", "2M", "2M", "3M", "4M",
					    "4M" };

static int size_pages(const char *sz)
{
	return atoi(sz) * 256;
}

/* mmap a new region in @p (optionally right after the last one). */
static void gen_mmap(struct kgen *g, int p)
{
	int r = g->st.nr_regions, last = r - 1;
	const char *sz = region_sizes[pick(g, 6)];

	if (r >= KG_REGIONS)
		return;
	begin(g);
	g->st.nr_regions++;
	g->st.npages[r] = size_pages(sz);
	set_bits(g, p, r, 0, g->st.npages[r], PG_MAPPED, 0xff);
	put(g, "P%d mmap R%d %s", p, r, sz);
	/* a neighbour whose VMA may merge with the last region's */
	if (last >= 0 && !pick(g, 4))
		put(g, " at R%d+%dK", last, g->st.npages[last] * 4);
	if (!commit(g))
		return;
	if (pick(g, 4)) {
		begin(g);
		put(g, "P%d madvise R%d hugepage", p, r);
		commit(g);
	}
}

static void gen_access(struct kgen *g, int p, bool write)
{
	int r = pick_region(g, p), a, b, t;

	if (r < 0)
		return;
	for (t = 0; t < 4; t++) {
		if (!pick_range(g, p, r, PG_MAPPED, &a, &b))
			return;
		if (!write || !range_any(g, p, r, a, b, PG_RO))
			break;
	}
	if (t == 4)
		return;
	begin(g);
	put(g, "P%d %s ", p, write ? "write" : "read");
	put_range(g, r, a, b);
	if (write && !pick(g, 10))
		put(g, " zero");
	else if (write && !pick(g, 5))
		put(g, " value %d", 1 + pick(g, 3));
	commit(g);
}

static void gen_madvise(struct kgen *g, int p)
{
	static const char *const adv[] = {
		"dontneed", "dontneed", "pageout", "pageout", "cold",
		"collapse", "collapse", "collapse", "hugepage", "nohugepage",
		"mergeable", "mergeable", "unmergeable", "dontfork", "dofork",
	};
	int r = pick_region(g, p), a, b, k = pick(g, 15);

	if (r < 0 || !pick_range(g, p, r, PG_MAPPED, &a, &b))
		return;
	begin(g);
	if (!strcmp(adv[k], "dontfork"))
		set_bits(g, p, r, a, b, PG_DONTFORK, 0);
	else if (!strcmp(adv[k], "dofork"))
		set_bits(g, p, r, a, b, 0, PG_DONTFORK);
	put(g, "P%d madvise ", p);
	put_range(g, r, a, b);
	put(g, " %s", adv[k]);
	commit(g);
}

static void gen_mprotect(struct kgen *g, int p)
{
	int r = pick_region(g, p), a, b;
	bool ro = pick(g, 3) != 0;

	if (r < 0 || !pick_range(g, p, r, PG_MAPPED, &a, &b))
		return;
	begin(g);
	set_bits(g, p, r, a, b, ro ? PG_RO : 0, ro ? 0 : PG_RO);
	put(g, "P%d mprotect ", p);
	put_range(g, r, a, b);
	put(g, " %s", ro ? "ro" : "rw");
	commit(g);
}

static void gen_munmap(struct kgen *g, int p)
{
	int r = pick_region(g, p), a, b;

	if (r < 0)
		return;
	pick_shape(g, r, &a, &b);
	begin(g);
	set_bits(g, p, r, a, b, 0, 0xff);
	put(g, "P%d munmap ", p);
	put_range(g, r, a, b);
	commit(g);
}

/*
 * mremap part of a region to a new one: to the next free slot, or right
 * after the last region (where the VMAs may merge), possibly resized.
 */
static void gen_mremap(struct kgen *g, int p)
{
	int r = pick_region(g, p), n = g->st.nr_regions, a, b, i, pages;

	if (r < 0 || n >= KG_REGIONS ||
	    !pick_range(g, p, r, PG_MAPPED, &a, &b))
		return;
	pages = b - a;
	if (!pick(g, 4))
		pages = pick(g, 2) ? (pages + 1) / 2 : pages * 2;
	if (pages > KG_PAGES)
		pages = KG_PAGES;
	begin(g);
	g->st.nr_regions++;
	g->st.npages[n] = pages;
	for (i = 0; i < pages; i++)
		g->st.pg[p][n][i] = i < b - a ? g->st.pg[p][r][a + i] :
						g->st.pg[p][r][b - 1];
	set_bits(g, p, r, a, b, 0, 0xff);
	put(g, "P%d mremap ", p);
	put_range(g, r, a, b);
	put(g, " R%d", n);
	if (pages != b - a)
		put(g, " %dK", pages * 4);
	if (!pick(g, 3))
		put(g, " at R%d+%dK", n - 1, g->st.npages[n - 1] * 4);
	commit(g);
}

static void gen_fork(struct kgen *g, int p)
{
	int c = g->st.nr_procs, r, i;

	if (c >= KG_PROCS)
		return;
	begin(g);
	g->st.nr_procs++;
	g->st.alive[c] = true;
	for (r = 0; r < g->st.nr_regions; r++)
		for (i = 0; i < g->st.npages[r]; i++)
			g->st.pg[c][r][i] = g->st.pg[p][r][i] & PG_DONTFORK ?
						    0 : g->st.pg[p][r][i];
	put(g, "P%d fork P%d", p, c);
	commit(g);
}

static void gen_spawn(struct kgen *g)
{
	int c = g->st.nr_procs;

	if (c >= KG_PROCS || g->st.nr_regions >= KG_REGIONS)
		return;
	begin(g);
	g->st.nr_procs++;
	g->st.alive[c] = true;
	put(g, "spawn P%d", c);
	if (commit(g))
		gen_mmap(g, c);
}

static void gen_exit(struct kgen *g, int p)
{
	int live = 0, q;

	for (q = 0; q < g->st.nr_procs; q++)
		live += g->st.alive[q];
	if (live < 2)
		return;
	begin(g);
	g->st.alive[p] = false;
	memset(g->st.pg[p], 0, sizeof(g->st.pg[p]));
	put(g, "P%d exit", p);
	commit(g);
}

static void gen_daemon(struct kgen *g, const char *name)
{
	begin(g);
	if (pick(g, 3))
		put(g, "%s", name);
	else
		put(g, "%s %d", name, 2);
	commit(g);
}

/* One random statement; the weights favour what moves THPs around. */
static void gen_statement(struct kgen *g)
{
	int p = pick_proc(g), w = pick(g, 100);

	if (p < 0)
		return;
	if (w < 22)
		gen_access(g, p, true);
	else if (w < 30)
		gen_access(g, p, false);
	else if (w < 39)
		gen_fork(g, p);
	else if (w < 42)
		gen_exit(g, p);
	else if (w < 43)
		gen_spawn(g);
	else if (w < 47)
		gen_mmap(g, p);
	else if (w < 51)
		gen_munmap(g, p);
	else if (w < 55)
		gen_mremap(g, p);
	else if (w < 59)
		gen_mprotect(g, p);
	else if (w < 77)
		gen_madvise(g, p);
	else if (w < 84)
		gen_daemon(g, "khugepaged");
	else if (w < 88)
		gen_daemon(g, "ksm");
	else if (w < 91) {
		begin(g);
		put(g, "shrink");
		commit(g);
	} else if (w < 95) {
		begin(g);
		gen_set(g, false);
	} else {
		gen_access(g, p, true);
	}
}

/* The model's sizes, the caller's settings, and a first written region. */
static int prologue(struct kgen *g)
{
	const struct explore_opts *o = g->o;
	int i;

	g->cap = 4096;
	g->buf = malloc(g->cap);
	if (!g->buf)
		return -1;
	g->buf[0] = '\0';
	if (append(g, "set model/ram 64M\nset model/swap 64M\n"))
		return -1;
	for (i = 0; i < o->nr_sets; i++) {
		const char *eq = strchr(o->sets[i], '=');

		begin(g);
		if (eq)
			put(g, "set %.*s %s", (int)(eq - o->sets[i]),
			    o->sets[i], eq + 1);
		commit(g);
	}
	for (i = pick(g, 3); i > 0; i--) {
		begin(g);
		gen_set(g, true);
	}
	g->st.nr_procs = 1;
	g->st.alive[0] = true;
	if (append(g, "spawn P0\n"))
		return -1;
	gen_mmap(g, 0);
	if (g->st.nr_regions && pick(g, 4)) {
		begin(g);
		put(g, "P0 write R0");
		commit(g);
	}
	return 0;
}

char *exp_kgenerate(const struct explore_opts *o, long run)
{
	struct kgen *g = calloc(1, sizeof(*g));
	char *text;
	int i, n;

	if (!g)
		return NULL;
	g->o = o;
	exp_rng_seed(&g->rng, o->seed ^ 0x6b65726e656cULL, (uint64_t)run);
	if (prologue(g)) {
		free(g->buf);
		free(g);
		return NULL;
	}
	n = 4 + pick(g, o->max_ops > 4 ? o->max_ops - 3 : 1);
	for (i = 0; i < n; i++) {
		int t;
		size_t before = g->len;

		for (t = 0; t < KG_TRIES && g->len == before; t++)
			gen_statement(g);
	}
	if (pick(g, 3)) {
		begin(g);
		put(g, "khugepaged");
		commit(g);
	}
	text = g->buf;
	free(g);
	return text;
}
