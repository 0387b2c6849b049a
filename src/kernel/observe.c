// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-page observation of the actors: pagemap, kpageflags and the
 * PAGEMAP_SCAN ioctl, one PMD-sized chunk at a time, cached until the
 * next statement.  The uapi of PAGEMAP_SCAN (Linux 6.7) is spelled out
 * here because the installed headers may predate it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "observe.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_PFN_MASK	((1ULL << 55) - 1)

#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_KSM			21
#define KPF_ZERO_PAGE		24

#define PAGE_SZ		4096UL
#define CHUNK_BYTES	(KX_CHUNK_NR * PAGE_SZ)
#define MAX_FOLIO_ORDER	9	/* anon folios: at most PMD-sized */

/* {========== PAGEMAP_SCAN (include/uapi/linux/fs.h, 6.7+) ==========} */

#define KX_PAGE_IS_PRESENT	(1 << 3)
#define KX_PAGE_IS_SWAPPED	(1 << 4)
#define KX_PAGE_IS_HUGE		(1 << 6)

struct kx_page_region {
	uint64_t start, end, categories;
};

struct kx_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define KX_PAGEMAP_SCAN _IOWR('f', 16, struct kx_pm_scan_arg)

static int open_pagemap(pid_t pid);

/* Set huge[i] for the pages of [base, base + n pages) that are PMD-mapped. */
static int scan_huge(int fd, uint64_t base, unsigned long n, bool *huge)
{
	struct kx_page_region v[8];
	struct kx_pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = base,
		.end = base + n * PAGE_SZ,
		.vec = (uint64_t)(uintptr_t)v,
		.vec_len = sizeof(v) / sizeof(v[0]),
		.category_mask = KX_PAGE_IS_HUGE,
		.return_mask = KX_PAGE_IS_HUGE,
	};
	long got, i;
	uint64_t a;

	while (arg.start < arg.end) {
		got = ioctl(fd, KX_PAGEMAP_SCAN, &arg);
		if (got < 0)
			return -1;
		for (i = 0; i < got; i++)
			for (a = v[i].start; a < v[i].end; a += PAGE_SZ)
				huge[(a - base) / PAGE_SZ] = true;
		if (arg.walk_end <= arg.start)
			break;
		arg.start = arg.walk_end;
	}
	return 0;
}

int kx_populated(pid_t pid, uint64_t start, uint64_t end,
		 int (*fn)(void *ctx, uint64_t start, uint64_t end), void *ctx)
{
	struct kx_page_region v[64];
	struct kx_pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)v,
		.vec_len = sizeof(v) / sizeof(v[0]),
		.category_anyof_mask = KX_PAGE_IS_PRESENT | KX_PAGE_IS_SWAPPED,
		.return_mask = KX_PAGE_IS_PRESENT | KX_PAGE_IS_SWAPPED,
	};
	int fd = open_pagemap(pid), ret = 0;
	long got, i;

	if (fd < 0)
		return -1;
	while (!ret && arg.start < arg.end) {
		got = ioctl(fd, KX_PAGEMAP_SCAN, &arg);
		if (got < 0) {
			ret = -1;
			break;
		}
		for (i = 0; i < got && !ret; i++)
			ret = fn(ctx, v[i].start, v[i].end);
		if (arg.walk_end <= arg.start)
			break;
		arg.start = arg.walk_end;
	}
	close(fd);
	return ret;
}

int kx_pagemap_scan_check(char *err, size_t len)
{
	bool huge[1];
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int ret = fd < 0 ? -1 : scan_huge(fd, (uint64_t)(uintptr_t)huge &
					  ~(PAGE_SZ - 1), 1, huge);

	if (ret)
		snprintf(err, len, "no PAGEMAP_SCAN ioctl on /proc/PID/pagemap "
			 "(Linux 6.7+ is needed): %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int open_pagemap(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

bool kx_pmd_mapped(pid_t pid, uint64_t addr)
{
	bool huge[KX_CHUNK_NR] = { false };
	int fd = open_pagemap(pid);
	bool ret;

	if (fd < 0)
		return false;
	ret = !scan_huge(fd, addr, KX_CHUNK_NR, huge) && huge[0] &&
	      huge[KX_CHUNK_NR - 1];
	close(fd);
	return ret;
}

/* {========== kpageflags ==========} */

static bool has(uint64_t flags, int bit)
{
	return flags & (1ULL << bit);
}

static uint64_t kpageflags(const struct kx_observe *ob, uint64_t pfn)
{
	uint64_t f = 0;

	if (pread(ob->kpageflags_fd, &f, sizeof(f), (off_t)(pfn * 8)) !=
	    sizeof(f))
		return 0;
	return f;
}

/*
 * Does the folio headed by frame @head have order >= @k?  Anonymous
 * folios are naturally aligned (order k starts at a multiple of 2^k), so
 * frame head + 2^(k-1) is one of its tails exactly then: an aligned frame
 * of a smaller folio's neighbourhood starts no tail of @head's.
 */
static bool order_at_least(const struct kx_observe *ob, uint64_t head, int k)
{
	return !k || has(kpageflags(ob, head + (1ULL << (k - 1))),
			 KPF_COMPOUND_TAIL);
}

/*
 * The folio holding tail frame @pfn: its head is @pfn rounded down to
 * some 2^k, the largest k first (PMD-sized folios are the common case:
 * two lookups).  Single 8-byte reads, since a system call costs more here
 * than reading many flags.
 */
static void folio_of_tail(struct kx_observe *ob, uint64_t pfn)
{
	int k, m, order;

	for (k = MAX_FOLIO_ORDER; k >= 1; k--) {
		uint64_t cand = pfn & ~((1ULL << k) - 1);

		if (cand == pfn ||
		    !has(kpageflags(ob, cand), KPF_COMPOUND_HEAD))
			continue;
		for (m = 0; (1ULL << m) <= pfn - cand; m++)
			;
		if (!order_at_least(ob, cand, m))
			continue;	/* a smaller folio before ours */
		for (order = m; order < MAX_FOLIO_ORDER &&
		     order_at_least(ob, cand, order + 1); order++)
			;
		ob->fol_head = cand;
		ob->fol_nr = 1ULL << order;
		return;
	}
	ob->fol_head = pfn;	/* no head found: treat it as small */
	ob->fol_nr = 1;
}

/* The folio headed by frame @pfn. */
static void folio_of_head(struct kx_observe *ob, uint64_t pfn)
{
	int order = 0;

	while (order < MAX_FOLIO_ORDER && order_at_least(ob, pfn, order + 1))
		order++;
	ob->fol_head = pfn;
	ob->fol_nr = 1ULL << order;
}

static uint8_t order_of(uint64_t nr)
{
	uint8_t order = 0;

	while ((2ULL << order) <= nr)
		order++;
	return order;
}

/* A present frame: zero page, KSM, or the order and head of its folio. */
static void classify(struct kx_observe *ob, uint64_t pfn,
		     struct kx_obs_page *pg)
{
	uint64_t flags;

	pg->o.frame = pfn;
	pg->o.state = OBS_PRESENT;
	if (pfn >= ob->fol_head && pfn < ob->fol_head + ob->fol_nr) {
		pg->head = ob->fol_head;
		pg->o.order = order_of(ob->fol_nr);
		return;
	}
	flags = kpageflags(ob, pfn);
	pg->head = pfn;
	if (has(flags, KPF_ZERO_PAGE)) {
		pg->o.state = OBS_ZERO;
		return;
	}
	pg->o.ksm = has(flags, KPF_KSM);
	if (!has(flags, KPF_COMPOUND_HEAD) && !has(flags, KPF_COMPOUND_TAIL))
		return;
	if (has(flags, KPF_COMPOUND_HEAD))
		folio_of_head(ob, pfn);
	else
		folio_of_tail(ob, pfn);
	pg->head = ob->fol_head;
	pg->o.order = order_of(ob->fol_nr);
}

/* {========== chunks ==========} */

/* The pagemap entries and PMD-mapped pages of @ch's range, now. */
static bool read_chunk(struct kx_observe *ob, const struct kx_chunk *ch,
		       pid_t pid, uint64_t *ent, bool *huge)
{
	int fd = pid ? open_pagemap(pid) : -1;
	bool ok;

	memset(ent, 0, KX_CHUNK_NR * sizeof(*ent));
	memset(huge, 0, KX_CHUNK_NR * sizeof(*huge));
	if (fd < 0)
		return false;
	ok = pread(fd, ent, KX_CHUNK_NR * sizeof(*ent),
		   (off_t)(ch->base / PAGE_SZ * 8)) ==
	     (ssize_t)(KX_CHUNK_NR * sizeof(*ent));
	if (ok)
		scan_huge(fd, ch->base, KX_CHUNK_NR, huge);
	else
		memset(ent, 0, KX_CHUNK_NR * sizeof(*ent));
	close(fd);
	(void)ob;
	return ok;
}

/*
 * Observe @ch now.  If the statement just run cannot split folios in
 * place (ob->reuse_ok) and the chunk was observed right before it with
 * the same frames at the same pages, what was learnt from kpageflags
 * then still holds.
 */
static void fill_chunk(struct kx_observe *ob, struct kx_chunk *ch)
{
	uint64_t ent[KX_CHUNK_NR];
	bool huge[KX_CHUNK_NR];
	pid_t pid = ob->pids[ch->proc];
	int i;

	read_chunk(ob, ch, pid, ent, huge);
	if (ob->reuse_ok && ch->epoch + 1 == ob->epoch && ch->pid == pid &&
	    !memcmp(ent, ch->raw, sizeof(ent)) &&
	    !memcmp(huge, ch->huge, sizeof(huge))) {
		ch->epoch = ob->epoch;
		return;
	}
	memset(ch->pg, 0, sizeof(ch->pg));
	for (i = 0; i < KX_CHUNK_NR; i++) {
		struct kx_obs_page *pg = &ch->pg[i];

		if (ent[i] & PM_PRESENT)
			classify(ob, ent[i] & PM_PFN_MASK, pg);
		else if (ent[i] & PM_SWAP)
			pg->o.state = OBS_SWAP;
		pg->o.pmd_mapped = huge[i] && pg->o.state != OBS_SWAP;
	}
	memcpy(ch->raw, ent, sizeof(ent));
	memcpy(ch->huge, huge, sizeof(huge));
	ch->pid = pid;
	ch->epoch = ob->epoch;
}

static size_t index_slot(const struct kx_observe *ob, int proc, uint64_t base)
{
	uint64_t h = (base / CHUNK_BYTES) * 0x9E3779B97F4A7C15ULL +
		     (uint64_t)proc * 0xC2B2AE3D27D4EB4FULL;

	return (size_t)(h >> 20) & (ob->index_cap - 1);
}

static int index_grow(struct kx_observe *ob)
{
	size_t cap = ob->index_cap ? 2 * ob->index_cap : 256, i;
	int *old = ob->index, k;

	ob->index = calloc(cap, sizeof(int));
	if (!ob->index) {
		ob->index = old;
		return -1;
	}
	ob->index_cap = cap;
	free(old);
	for (k = 0; k < ob->nr_chunks; k++) {
		i = index_slot(ob, ob->chunks[k]->proc, ob->chunks[k]->base);
		while (ob->index[i])
			i = (i + 1) & (cap - 1);
		ob->index[i] = k + 1;
	}
	return 0;
}

/* A new chunk, kept for the whole run. */
static struct kx_chunk *new_chunk(struct kx_observe *ob)
{
	struct kx_chunk *ch;

	if (ob->nr_chunks == ob->cap_chunks) {
		int cap = ob->cap_chunks ? 2 * ob->cap_chunks : 16;
		struct kx_chunk **c = realloc(ob->chunks,
					      (size_t)cap * sizeof(*c));

		if (!c)
			return NULL;
		ob->chunks = c;
		ob->cap_chunks = cap;
	}
	ch = calloc(1, sizeof(*ch));
	if (ch)
		ob->chunks[ob->nr_chunks] = ch;
	return ch;
}

const struct kx_chunk *kx_observe_chunk(struct kx_observe *ob, int proc,
					uint64_t addr)
{
	uint64_t base = addr & ~(CHUNK_BYTES - 1);
	struct kx_chunk *ch;
	size_t i;

	if (2 * ((size_t)ob->nr_chunks + 1) > ob->index_cap &&
	    index_grow(ob))
		return NULL;
	i = index_slot(ob, proc, base);
	for (; ob->index[i]; i = (i + 1) & (ob->index_cap - 1)) {
		ch = ob->chunks[ob->index[i] - 1];
		if (ch->proc != proc || ch->base != base)
			continue;
		if (ch->epoch != ob->epoch)
			fill_chunk(ob, ch);
		return ch;
	}
	ch = new_chunk(ob);
	if (!ch)
		return NULL;
	ch->proc = proc;
	ch->base = base;
	ch->epoch = ob->epoch - 1;	/* never observed: no reuse */
	ch->pid = -1;
	fill_chunk(ob, ch);
	ob->index[i] = ++ob->nr_chunks;
	return ch;
}

void kx_observe_invalidate(struct kx_observe *ob, bool reuse_ok)
{
	ob->epoch++;
	ob->reuse_ok = reuse_ok;
	ob->fol_head = ob->fol_nr = 0;
	ob->now_valid = false;
}

/* exec_observer.pages */
static int obs_pages(void *ctx, int proc, uint64_t addr, unsigned long n,
		     struct obs_page *out)
{
	struct kx_observe *ob = ctx;
	unsigned long i = 0;

	while (i < n) {
		uint64_t a = addr + i * PAGE_SZ;
		const struct kx_chunk *ch = kx_observe_chunk(ob, proc, a);
		unsigned long k = (unsigned long)((a - (a & ~(CHUNK_BYTES - 1)))
						  / PAGE_SZ);

		for (; k < KX_CHUNK_NR && i < n; k++, i++) {
			if (ch)
				out[i] = ch->pg[k].o;
			else
				memset(&out[i], 0, sizeof(out[i]));
		}
	}
	return 0;
}

static bool obs_alive(void *ctx, int proc)
{
	const struct kx_observe *ob = ctx;

	return ob->pids[proc] != 0;
}

/* {========== setup ==========} */

static int cmp_span(const void *a, const void *b)
{
	const struct kx_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int kx_spans_build(const struct scn_scenario *s, struct kx_span **out)
{
	struct kx_span *v = calloc((size_t)s->nr_regions + 1, sizeof(*v));
	int i, n = 0;

	*out = v;
	if (!v)
		return -1;
	for (i = 0; i < s->nr_regions; i++)
		v[i] = (struct kx_span){ s->regions[i].addr,
					 s->regions[i].addr +
						 s->regions[i].size };
	qsort(v, (size_t)s->nr_regions, sizeof(*v), cmp_span);
	for (i = 0; i < s->nr_regions; i++) {
		if (n && v[i].start <= v[n - 1].end) {
			if (v[i].end > v[n - 1].end)
				v[n - 1].end = v[i].end;
			continue;
		}
		v[n++] = v[i];
	}
	return n;
}

struct kx_observe *kx_observe_new(const struct scn_scenario *s,
				  const pid_t *pids, char *err, size_t len)
{
	struct kx_observe *ob = calloc(1, sizeof(*ob));

	if (!ob) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	ob->s = s;
	ob->pids = pids;
	ob->kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (ob->kpageflags_fd < 0) {
		snprintf(err, len, "cannot open /proc/kpageflags: %s",
			 strerror(errno));
		kx_observe_free(ob);
		return NULL;
	}
	ob->nr_spans = kx_spans_build(s, &ob->spans);
	if (ob->nr_spans < 0) {
		snprintf(err, len, "out of memory");
		kx_observe_free(ob);
		return NULL;
	}
	ob->ops = (struct exec_observer){ ob, obs_pages, obs_alive,
					  kx_obs_smaps, kx_obs_vmstat,
					  kx_obs_memory, kx_obs_pmd_eligible };
	return ob;
}

void kx_observe_free(struct kx_observe *ob)
{
	int i;

	if (!ob)
		return;
	for (i = 0; i < ob->nr_chunks; i++)
		free(ob->chunks[i]);
	free(ob->chunks);
	free(ob->index);
	free(ob->spans);
	kx_vmstat_free(&ob->base);
	kx_vmstat_free(&ob->now);
	if (ob->kpageflags_fd >= 0)
		close(ob->kpageflags_fd);
	free(ob);
}

int kx_observe_baseline(struct kx_observe *ob, char *err, size_t len)
{
	kx_vmstat_free(&ob->base);
	if (kx_vmstat_read(&ob->base)) {
		snprintf(err, len, "cannot read /proc/vmstat: %s",
			 strerror(errno));
		return -1;
	}
	ob->now_valid = false;
	return 0;
}
