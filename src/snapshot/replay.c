// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshot replay.  Processes are built parents first; a child is a fork
 * of its parent (its ppid, else the first earlier process it shares a
 * frame with), after which every page where the child differs from the
 * parent is dropped in the child and built again.  A page is built by the
 * fault that makes it: large folios first (only their order enabled, one
 * write fault in their naturally aligned range), then small pages, zero
 * pages (read faults) and swap entries (a small page, then MADV_PAGEOUT).
 * Holes inside a large folio's range are punched with MADV_DONTNEED; a
 * PTE-mapped PMD-sized folio is split out of its PMD by an mprotect()
 * round trip on one page.  Settings, madvise flags and read-only
 * protections come last, as the snapshot recorded them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/profile.h"
#include "config/settings.h"
#include "replay.h"

#define PG 4096UL

struct tgt {
	int kind;			/* enum snap_kind, or -1: none */
	const struct snap_run *r;
	uint32_t i;			/* page within r */
};

struct replay {
	const struct snapshot *s;
	struct snap_model *sm;
	struct fsim_machine *m;
	int cur_order;			/* the one fault order enabled */
	content_t next;
	int *first, *end;		/* per process: its runs */
	char *err;
	size_t errlen;
};

/* {========== targets ==========} */

static struct tgt target(const struct replay *rp, int proc, uint64_t a)
{
	const struct snap_run *runs = rp->s->runs;
	int lo = rp->first[proc], hi = rp->end[proc];

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		const struct snap_run *r = &runs[mid];

		if (a < r->addr)
			hi = mid;
		else if (a >= r->addr + (uint64_t)r->npages * PG)
			lo = mid + 1;
		else
			return (struct tgt){ r->kind, r,
					     (uint32_t)((a - r->addr) / PG) };
	}
	return (struct tgt){ -1, NULL, 0 };
}

static uint64_t tgt_frame(const struct tgt *t)
{
	return t->r->frame + (t->kind == SNAP_SWAP ? t->i : 0);
}

static uint32_t tgt_idx(const struct tgt *t)
{
	return t->r->idx + t->i;
}

static bool same(const struct tgt *a, const struct tgt *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == SNAP_PRESENT)
		return tgt_frame(a) == tgt_frame(b) && tgt_idx(a) == tgt_idx(b);
	if (a->kind == SNAP_SWAP)
		return tgt_frame(a) == tgt_frame(b);
	return true;
}

static const struct snap_vma *vma_at(const struct snapshot *s, int proc,
				     uint64_t a)
{
	int i;

	for (i = 0; i < s->nr_vmas; i++)
		if (s->vmas[i].proc == proc && s->vmas[i].start <= a &&
		    a < s->vmas[i].end)
			return &s->vmas[i];
	return NULL;
}

static bool has_vma(const struct snapshot *s, int proc,
		    const struct snap_vma *v)
{
	const struct snap_vma *w = vma_at(s, proc, v->start);

	return w && w->start == v->start && w->end == v->end;
}

/* {========== faults ==========} */

static const char *const size_names[] = {
	[2] = "hugepages-16kB/enabled", [3] = "hugepages-32kB/enabled",
	[4] = "hugepages-64kB/enabled", [5] = "hugepages-128kB/enabled",
	[6] = "hugepages-256kB/enabled", [7] = "hugepages-512kB/enabled",
	[8] = "hugepages-1024kB/enabled", [9] = "hugepages-2048kB/enabled",
};

/* Let faults allocate folios of @order only (0: small pages only). */
static void only_order(struct replay *rp, int order)
{
	int o;

	if (rp->cur_order == order)
		return;
	for (o = 2; o <= 9; o++)
		fsim_set(rp->m, size_names[o], o == order ? "always" : "never");
	rp->cur_order = order;
}

static content_t content_of(struct replay *rp, const struct tgt *t)
{
	if (t->r->flags & SNAP_ZEROFILL)
		return 0;
	/* The model's own tags use the low 31 bits. */
	return 0x80000000U | (rp->next++ & 0x7fffffffU);
}

static void info(struct replay *rp, struct mm_struct *mm, uint64_t a,
		 struct fsim_page_info *pi)
{
	fsim_page_info(rp->m, mm, (unsigned long)a, pi);
}

static void dontneed(struct replay *rp, struct mm_struct *mm, uint64_t a,
		     uint64_t len)
{
	if (len)
		fsim_madvise(rp->m, mm, (unsigned long)a, (unsigned long)len,
			     FSIM_MADV_DONTNEED);
}

/* Write the small page @t at @a. */
static void build_small(struct replay *rp, struct mm_struct *mm, uint64_t a,
			const struct tgt *t)
{
	only_order(rp, 0);
	fsim_write(rp->m, mm, (unsigned long)a, content_of(rp, t));
}

/*
 * Build the large folio of @t (seen at @a) if its naturally aligned range
 * lies in one VMA and is empty.  Pages of the range that the snapshot has
 * as something else are punched out.  @need: pages still to build, from
 * @v's start.  Returns false if the folio must be rebuilt as small pages.
 */
static bool build_large(struct replay *rp, int proc, struct mm_struct *mm,
			const struct snap_vma *v, uint64_t a,
			const struct tgt *t, bool *need, uint64_t lo,
			uint64_t hi)
{
	uint64_t nr = 1ULL << t->r->order, size = nr * PG;
	uint64_t base = a - (uint64_t)tgt_idx(t) * PG, b, first = 0;
	struct fsim_page_info pi;
	bool ok = true;

	if (base & (size - 1) || base < v->start || base + size > v->end ||
	    base < lo || base + size > hi)
		return false;
	for (b = base; b < base + size && ok; b += PG) {
		struct tgt u = target(rp, proc, b);

		info(rp, mm, b, &pi);
		ok = pi.state == FSIM_PAGE_NONE;
		if (!first && u.kind == SNAP_PRESENT && need[(b - lo) / PG] &&
		    tgt_frame(&u) == tgt_frame(t) &&
		    tgt_idx(&u) == (b - base) / PG)
			first = b;
	}
	if (!ok || !first)
		return false;
	only_order(rp, t->r->order);
	fsim_write(rp->m, mm, (unsigned long)first, content_of(rp, t));
	info(rp, mm, first, &pi);
	if (pi.state != FSIM_PAGE_PRESENT || pi.order != t->r->order) {
		dontneed(rp, mm, base, size);
		return false;
	}
	for (b = base; b < base + size; b += PG) {
		struct tgt u = target(rp, proc, b);
		size_t k = (b - lo) / PG;

		if (u.kind == SNAP_PRESENT && need[k] &&
		    tgt_frame(&u) == tgt_frame(t) &&
		    tgt_idx(&u) == (b - base) / PG) {
			if (b != first)
				fsim_write(rp->m, mm, (unsigned long)b,
					   content_of(rp, &u));
			need[k] = false;
		} else {
			dontneed(rp, mm, b, PG);
		}
	}
	return true;
}

/* A huge zero page for the 512 pages at @a, if they are all hugezero. */
static bool build_huge_zero(struct replay *rp, int proc, struct mm_struct *mm,
			    uint64_t a, bool *need, uint64_t lo, uint64_t hi)
{
	struct fsim_page_info pi;
	uint64_t b;

	if (a & ((1ULL << 21) - 1) || a + (1ULL << 21) > hi)
		return false;
	for (b = a; b < a + (1ULL << 21); b += PG) {
		struct tgt u = target(rp, proc, b);

		info(rp, mm, b, &pi);
		if (u.kind != SNAP_HUGE_ZERO || !need[(b - lo) / PG] ||
		    pi.state != FSIM_PAGE_NONE)
			return false;
	}
	only_order(rp, 9);
	fsim_set(rp->m, "use_zero_page", "1");
	fsim_read(rp->m, mm, (unsigned long)a, &(content_t){ 0 },
		  &(content_t){ 0 });
	info(rp, mm, a, &pi);
	if (!pi.huge_zero) {
		dontneed(rp, mm, a, 1ULL << 21);
		return false;
	}
	for (b = a; b < a + (1ULL << 21); b += PG)
		need[(b - lo) / PG] = false;
	return true;
}

static void build_page(struct replay *rp, struct mm_struct *mm, uint64_t a,
		       const struct tgt *t)
{
	struct fsim_page_info pi;

	switch (t->kind) {
	case SNAP_PRESENT:
		build_small(rp, mm, a, t);
		break;
	case SNAP_ZERO:
	case SNAP_HUGE_ZERO:
		only_order(rp, 0);
		fsim_read(rp->m, mm, (unsigned long)a, &(content_t){ 0 },
			  &(content_t){ 0 });
		break;
	case SNAP_SWAP:
		build_small(rp, mm, a, t);
		fsim_madvise(rp->m, mm, (unsigned long)a, PG,
			     FSIM_MADV_PAGEOUT);
		info(rp, mm, a, &pi);
		if (pi.state != FSIM_PAGE_SWAP)
			rp->sm->missed++;
		break;
	}
}

/* Split PMD mappings the snapshot has as PTE mappings. */
static void split_pmds(struct replay *rp, int proc, struct mm_struct *mm,
		       const struct snap_vma *v, uint64_t lo, uint64_t hi)
{
	struct fsim_page_info pi;
	uint64_t a;

	for (a = (lo + (1ULL << 21) - 1) & ~((1ULL << 21) - 1);
	     a + (1ULL << 21) <= hi && a + (1ULL << 21) <= v->end;
	     a += 1ULL << 21) {
		struct tgt t = target(rp, proc, a);

		info(rp, mm, a, &pi);
		if (!pi.pmd_mapped || pi.huge_zero || t.kind != SNAP_PRESENT ||
		    (t.r->flags & SNAP_PMD))
			continue;
		fsim_mprotect(rp->m, mm, (unsigned long)a, PG, false);
		fsim_mprotect(rp->m, mm, (unsigned long)a, PG, true);
	}
}

/*
 * Bring VMA @v of @proc to its recorded state.  @par: the process it was
 * forked from (-1: none), whose pages the child still maps.
 */
/*
 * The part of @v that any run of @proc or @par touches, widened to whole
 * PMDs inside @v: nothing outside it needs building or dropping.  Huge
 * sparse VMAs (a sanitizer's shadow) cost only their populated span.
 */
static void vma_span(const struct replay *rp, int proc, int par,
		     const struct snap_vma *v, uint64_t *lo, uint64_t *hi)
{
	const int who[2] = { proc, par };
	int w, i;

	*lo = v->end;
	*hi = v->start;
	for (w = 0; w < 2; w++) {
		if (who[w] < 0)
			continue;
		for (i = rp->first[who[w]]; i < rp->end[who[w]]; i++) {
			const struct snap_run *r = &rp->s->runs[i];
			uint64_t e = r->addr + (uint64_t)r->npages * PG;

			if (e <= v->start || r->addr >= v->end)
				continue;
			if (r->addr < *lo)
				*lo = r->addr;
			if (e > *hi)
				*hi = e;
		}
	}
	if (*lo >= *hi) {
		*lo = *hi = v->start;
		return;
	}
	*lo &= ~((1ULL << 21) - 1);
	*hi = (*hi + (1ULL << 21) - 1) & ~((1ULL << 21) - 1);
	if (*lo < v->start)
		*lo = v->start;
	if (*hi > v->end)
		*hi = v->end;
}

/*
 * Bring VMA @v of @proc to its recorded state.  @par: the process it was
 * forked from (-1: none), whose pages the child still maps.
 */
static int build_vma(struct replay *rp, int proc, int par,
		     const struct snap_vma *v)
{
	struct mm_struct *mm = rp->sm->mms[proc];
	bool inherit = par >= 0 && has_vma(rp->s, par, v);
	uint64_t lo, hi, a;
	size_t n, k, run = 0;
	bool *need;

	vma_span(rp, proc, inherit ? par : -1, v, &lo, &hi);
	n = (hi - lo) / PG;
	need = calloc(n + 1, sizeof(*need));
	if (!need)
		return -ENOMEM;
	/* Drop what the child inherited but does not have. */
	for (k = 0; k <= n; k++) {
		struct tgt t, p;
		bool differs = false;

		if (k < n) {
			a = lo + k * PG;
			t = target(rp, proc, a);
			p = inherit ? target(rp, par, a)
				    : (struct tgt){ -1, NULL, 0 };
			differs = !same(&t, &p);
			need[k] = differs && t.kind >= 0;
			if (differs && p.kind >= 0) {
				run++;
				continue;
			}
		}
		dontneed(rp, mm, lo + (k - run) * PG, run * PG);
		run = 0;
	}
	/* Large folios, then huge zero pages, then the rest. */
	for (k = 0; k < n; k++) {
		struct tgt t;

		a = lo + k * PG;
		t = target(rp, proc, a);
		if (!need[k] || t.kind != SNAP_PRESENT || t.r->order < 2)
			continue;
		if (!build_large(rp, proc, mm, v, a, &t, need, lo, hi)) {
			rp->sm->degraded++;
			for (; k < n; k++) {
				struct tgt u = target(rp, proc, lo + k * PG);

				if (u.kind != SNAP_PRESENT ||
				    tgt_frame(&u) != tgt_frame(&t))
					break;
			}
			k--;
		}
	}
	for (k = 0; k < n; k++) {
		a = lo + k * PG;
		if (!(a & ((1ULL << 21) - 1)) && need[k] &&
		    target(rp, proc, a).kind == SNAP_HUGE_ZERO)
			build_huge_zero(rp, proc, mm, a, need, lo, hi);
	}
	for (k = 0; k < n; k++) {
		struct tgt t;

		if (!need[k])
			continue;
		a = lo + k * PG;
		t = target(rp, proc, a);
		build_page(rp, mm, a, &t);
	}
	split_pmds(rp, proc, mm, v, lo, hi);
	free(need);
	return 0;
}

/* {========== processes ==========} */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The sorted head frames of @p's present pages (a count, or -1). */
static long frames_of(const struct replay *rp, int p, uint64_t **out)
{
	long n = 0, i;

	*out = malloc(((size_t)(rp->end[p] - rp->first[p]) + 1) *
		      sizeof(**out));
	if (!*out)
		return -1;
	for (i = rp->first[p]; i < rp->end[p]; i++)
		if (rp->s->runs[i].kind == SNAP_PRESENT)
			(*out)[n++] = rp->s->runs[i].frame;
	qsort(*out, (size_t)n, sizeof(**out), cmp_u64);
	return n;
}

static bool shares_frame(const struct replay *rp, int p, int q)
{
	uint64_t *a, *b;
	long na = frames_of(rp, p, &a), nb = frames_of(rp, q, &b), i = 0, j = 0;
	bool found = false;

	while (i < na && j < nb && !found) {
		if (a[i] == b[j])
			found = true;
		else if (a[i] < b[j])
			i++;
		else
			j++;
	}
	free(a);
	free(b);
	return found;
}

static bool is_ancestor(const int *parent, int anc, int p, int n)
{
	int steps;

	for (steps = 0; p >= 0 && steps <= n; steps++, p = parent[p])
		if (p == anc)
			return true;
	return false;
}

/* Who each process is forked from (see the file comment). */
static void choose_parents(const struct replay *rp, int *parent)
{
	const struct snapshot *s = rp->s;
	int i, j, n = s->nr_procs;

	for (i = 0; i < n; i++) {
		parent[i] = -1;
		for (j = 0; j < n; j++)
			if (j != i && s->procs[j].pid == s->procs[i].ppid &&
			    s->procs[i].ppid > 0)
				parent[i] = j;
	}
	for (i = 0; i < n; i++)	/* break cycles of hand-written files */
		if (parent[i] >= 0 && is_ancestor(parent, i, parent[i], n))
			parent[i] = -1;
	for (i = 0; i < n; i++) {
		if (parent[i] >= 0)
			continue;
		for (j = 0; j < i; j++)
			if (!is_ancestor(parent, i, j, n) &&
			    shares_frame(rp, i, j)) {
				parent[i] = j;
				break;
			}
	}
}

static int build_proc(struct replay *rp, int p)
{
	const struct snapshot *s = rp->s;
	int par = rp->sm->parent[p], i;
	struct mm_struct *mm;

	mm = par >= 0 ? fsim_fork(rp->m, rp->sm->mms[par]) : fsim_spawn(rp->m);
	if (!mm) {
		snprintf(rp->err, rp->errlen, "%s: cannot create process: %s",
			 s->procs[p].name, fsim_strerror(rp->m));
		return -1;
	}
	rp->sm->mms[p] = mm;
	if (par >= 0)	/* the child's own VMA layout */
		for (i = 0; i < s->nr_vmas; i++)
			if (s->vmas[i].proc == par &&
			    !has_vma(s, p, &s->vmas[i]))
				fsim_munmap(rp->m, mm, s->vmas[i].start,
					    s->vmas[i].end - s->vmas[i].start);
	for (i = 0; i < s->nr_vmas; i++) {
		const struct snap_vma *v = &s->vmas[i];

		if (v->proc != p || (par >= 0 && has_vma(s, par, v)))
			continue;
		if (fsim_mmap(rp->m, mm, v->start, v->end - v->start)) {
			snprintf(rp->err, rp->errlen, "%s: vma 0x%llx: %s",
				 s->procs[p].name,
				 (unsigned long long)v->start,
				 fsim_strerror(rp->m));
			return -1;
		}
	}
	for (i = 0; i < s->nr_vmas; i++)
		if (s->vmas[i].proc == p &&
		    build_vma(rp, p, par, &s->vmas[i])) {
			snprintf(rp->err, rp->errlen, "%s: vma 0x%llx: out of "
				 "memory", s->procs[p].name,
				 (unsigned long long)s->vmas[i].start);
			return -1;
		}
	for (i = 0; i < s->nr_procs; i++)
		if (rp->sm->parent[i] == p && build_proc(rp, i))
			return -1;
	return 0;
}

/* What the snapshot recorded beyond the pages, then the caller's sets. */
static int finish(struct replay *rp, const char *const *sets, int nr_sets)
{
	const struct snapshot *s = rp->s;
	struct fsim_machine *m = rp->m;
	int i, o;

	for (o = 2; o <= 9; o++)
		fsim_set(m, size_names[o], "inherit");
	fsim_set(m, "hugepages-2048kB/enabled", "inherit");
	for (i = 0; i < s->nr_sets; i++)
		if (fsim_set(m, s->sets[i].path, s->sets[i].value) &&
		    strncmp(s->sets[i].path, "model/", 6))
			goto bad;
	for (i = 0; i < nr_sets; i++) {
		char path[128];
		const char *eq = strchr(sets[i], '=');

		if (!eq || eq - sets[i] >= (long)sizeof(path)) {
			snprintf(rp->err, rp->errlen,
				 "--set needs PATH=VALUE, got '%s'", sets[i]);
			return -1;
		}
		memcpy(path, sets[i], (size_t)(eq - sets[i]));
		path[eq - sets[i]] = 0;
		if (fsim_set(m, path, eq + 1)) {
			snprintf(rp->err, rp->errlen, "--set %s: %s", sets[i],
				 fsim_strerror(m));
			return -1;
		}
	}
	for (i = 0; i < s->nr_vmas; i++) {
		const struct snap_vma *v = &s->vmas[i];
		struct mm_struct *mm = rp->sm->mms[v->proc];
		unsigned long len = v->end - v->start;

		if (v->flags & SNAP_VMA_HUGEPAGE)
			fsim_madvise(m, mm, v->start, len, FSIM_MADV_HUGEPAGE);
		if (v->flags & SNAP_VMA_NOHUGEPAGE)
			fsim_madvise(m, mm, v->start, len,
				     FSIM_MADV_NOHUGEPAGE);
		if (v->flags & SNAP_VMA_RO)
			fsim_mprotect(m, mm, v->start, len, false);
	}
	for (i = 0; i < s->nr_runs; i++) {
		const struct snap_run *r = &s->runs[i];
		uint32_t k;

		/* young bits are invisible from userspace: all accessed */
		for (k = 0; r->kind == SNAP_PRESENT && k < r->npages; k++)
			fsim_read(m, rp->sm->mms[r->proc],
				  (unsigned long)(r->addr + k * PG),
				  &(content_t){ 0 }, &(content_t){ 0 });
	}
	for (i = 0; i < s->nr_procs; i++)
		fsim_khugepaged_enter(m, rp->sm->mms[i]);
	return 0;
bad:
	snprintf(rp->err, rp->errlen, "set %s %s: %s", s->sets[i].path,
		 s->sets[i].value, fsim_strerror(m));
	return -1;
}

/* RAM and swap enough for every folio and slot (an upper bound). */
static struct fsim_machine *new_machine(const struct snapshot *s,
					const struct fsim_profile *prof)
{
	struct thp_settings set;
	uint64_t ram = 0, swap = 0;
	char v[32];
	int i;

	for (i = 0; i < s->nr_runs; i++) {
		uint64_t n = s->runs[i].npages;

		if (s->runs[i].kind == SNAP_SWAP)
			swap += n * 2;
		else if (n < (1ULL << s->runs[i].order))
			n = 1ULL << s->runs[i].order;
		ram += n * PG;
	}
	ram = 2 * ram + (64ULL << 20);
	ram = ram < (4ULL << 30) ? 4ULL << 30 : (ram + (1ULL << 21)) & ~((1ULL << 21) - 1);
	swap = swap * PG + (64ULL << 20);
	settings_init_defaults(&set);
	snprintf(v, sizeof(v), "%lluM", (unsigned long long)(ram >> 20));
	if (setting_apply(&set, "model/ram", v, NULL, 0))
		return NULL;
	snprintf(v, sizeof(v), "%lluM", (unsigned long long)(swap >> 20));
	if (setting_apply(&set, "model/swap", v, NULL, 0))
		return NULL;
	return fsim_new(&set, prof);
}

int snap_replay(const struct snapshot *s, const char *profile,
		const char *const *sets, int nr_sets, struct snap_model *out,
		char *err, size_t errlen)
{
	struct fsim_profile pbuf = *profile_default();
	const struct fsim_profile *prof = &pbuf;
	struct replay rp = { .s = s, .sm = out, .cur_order = -1, .next = 1,
			     .err = err, .errlen = errlen };
	int i, ret = -1;

	memset(out, 0, sizeof(*out));
	if (profile && profile_resolve(profile, &pbuf, err, errlen))
		return -1;
	out->m = rp.m = new_machine(s, prof);
	out->mms = calloc((size_t)s->nr_procs + 1, sizeof(*out->mms));
	out->parent = calloc((size_t)s->nr_procs + 1, sizeof(int));
	rp.first = calloc((size_t)s->nr_procs + 1, sizeof(int));
	rp.end = calloc((size_t)s->nr_procs + 1, sizeof(int));
	if (!rp.m || !out->mms || !out->parent || !rp.first || !rp.end) {
		snprintf(err, errlen, "snapshot too large for the model "
			 "(at most 64 GiB of RAM and of swap)");
		goto out;
	}
	for (i = 0; i < s->nr_procs; i++)
		rp.first[i] = rp.end[i] = 0;
	for (i = s->nr_runs - 1; i >= 0; i--)
		rp.first[s->runs[i].proc] = i;
	for (i = 0; i < s->nr_runs; i++)
		rp.end[s->runs[i].proc] = i + 1;
	choose_parents(&rp, out->parent);
	for (i = 0; i < s->nr_procs; i++)
		if (out->parent[i] < 0 && build_proc(&rp, i))
			goto out;
	ret = finish(&rp, sets, nr_sets);
out:
	free(rp.first);
	free(rp.end);
	if (ret)
		snap_model_free(out);
	return ret;
}

void snap_model_free(struct snap_model *sm)
{
	if (sm->m)
		fsim_free(sm->m);
	free(sm->mms);
	free(sm->parent);
	memset(sm, 0, sizeof(*sm));
}
