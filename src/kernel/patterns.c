// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-process pattern map: open addressing with linear probing on the
 * page number (never 0: nothing is mapped at address 0), at most half
 * full, and backward-shift deletion so that no tombstones accumulate.
 */
#include <stdlib.h>
#include <string.h>

#include "patterns.h"

struct kx_pat_entry {
	uint64_t page;		/* 0: free */
	uint64_t v;
};

struct kx_patterns {
	struct kx_pat_entry *e;
	size_t cap;		/* a power of two */
	size_t nr;
};

#define MIN_CAP 64

static size_t slot_of(const struct kx_patterns *p, uint64_t page)
{
	uint64_t h = page * 0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 17) & (p->cap - 1);
}

static struct kx_patterns *alloc_map(size_t cap)
{
	struct kx_patterns *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cap = cap;
	p->e = calloc(cap, sizeof(*p->e));
	if (!p->e) {
		free(p);
		return NULL;
	}
	return p;
}

struct kx_patterns *kx_pat_new(void)
{
	return alloc_map(MIN_CAP);
}

void kx_pat_free(struct kx_patterns *p)
{
	if (p)
		free(p->e);
	free(p);
}

/* Insert without growing; the table has room. */
static void insert(struct kx_patterns *p, uint64_t page, uint64_t v)
{
	size_t i = slot_of(p, page);

	while (p->e[i].page && p->e[i].page != page)
		i = (i + 1) & (p->cap - 1);
	if (!p->e[i].page)
		p->nr++;
	p->e[i] = (struct kx_pat_entry){ page, v };
}

static int grow(struct kx_patterns *p)
{
	struct kx_pat_entry *old = p->e;
	size_t i, cap = p->cap;

	p->e = calloc(cap * 2, sizeof(*p->e));
	if (!p->e) {
		p->e = old;
		return -1;
	}
	p->cap = cap * 2;
	p->nr = 0;
	for (i = 0; i < cap; i++)
		if (old[i].page)
			insert(p, old[i].page, old[i].v);
	free(old);
	return 0;
}

static size_t find(const struct kx_patterns *p, uint64_t page)
{
	size_t i = slot_of(p, page);

	while (p->e[i].page && p->e[i].page != page)
		i = (i + 1) & (p->cap - 1);
	return i;
}

uint64_t kx_pat_get(const struct kx_patterns *p, uint64_t page)
{
	const struct kx_pat_entry *e = &p->e[find(p, page)];

	return e->page ? e->v : 0;
}

/* Remove the entry at @i and shift later entries of its run back. */
static void remove_at(struct kx_patterns *p, size_t i)
{
	size_t mask = p->cap - 1, j = i;

	p->e[i].page = 0;
	p->nr--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!p->e[j].page)
			return;
		home = slot_of(p, p->e[j].page);
		/* can the entry at j move to the hole at i? */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			p->e[i] = p->e[j];
			p->e[j].page = 0;
			i = j;
		}
	}
}

int kx_pat_set(struct kx_patterns *p, uint64_t page, uint64_t v)
{
	size_t i;

	if (!v) {
		i = find(p, page);
		if (p->e[i].page)
			remove_at(p, i);
		return 0;
	}
	if (2 * (p->nr + 1) > p->cap && grow(p))
		return -1;
	insert(p, page, v);
	return 0;
}

/* Keep only the entries @keep accepts, rebuilding the table in place. */
static int filter(struct kx_patterns *p, bool (*keep)(void *, uint64_t),
		  void *ctx)
{
	struct kx_patterns *q = alloc_map(p->cap);
	size_t i;

	if (!q)
		return -1;
	for (i = 0; i < p->cap; i++)
		if (p->e[i].page && keep(ctx, p->e[i].page))
			insert(q, p->e[i].page, p->e[i].v);
	free(p->e);
	*p = *q;
	free(q);
	return 0;
}

struct span {
	uint64_t start, end;
};

static bool outside(void *ctx, uint64_t page)
{
	const struct span *s = ctx;

	return page < s->start || page >= s->end;
}

void kx_pat_clear(struct kx_patterns *p, uint64_t page, uint64_t n)
{
	struct span s = { page, page + n };
	uint64_t k;

	if (n <= p->cap || filter(p, outside, &s)) {
		for (k = 0; k < n; k++)
			kx_pat_set(p, page + k, 0);
	}
}

struct kx_patterns *kx_pat_clone(const struct kx_patterns *p,
				 bool (*keep)(void *ctx, uint64_t page),
				 void *ctx)
{
	struct kx_patterns *q = alloc_map(p->cap);
	size_t i;

	if (!q)
		return NULL;
	for (i = 0; i < p->cap; i++)
		if (p->e[i].page && keep(ctx, p->e[i].page))
			insert(q, p->e[i].page, p->e[i].v);
	return q;
}

int kx_pat_move(struct kx_patterns *p, uint64_t from, uint64_t n,
		uint64_t to, uint64_t newn)
{
	struct kx_pat_entry *moved;
	size_t i, k = 0;

	moved = malloc((p->nr + 1) * sizeof(*moved));
	if (!moved)
		return -1;
	for (i = 0; i < p->cap; i++) {
		uint64_t pg = p->e[i].page;

		if (pg && pg >= from && pg < from + n && pg - from < newn)
			moved[k++] = (struct kx_pat_entry){ to + pg - from,
							    p->e[i].v };
	}
	kx_pat_clear(p, from, n);
	kx_pat_clear(p, to, newn);
	for (i = 0; i < k; i++)
		if (kx_pat_set(p, moved[i].page, moved[i].v)) {
			free(moved);
			return -1;
		}
	free(moved);
	return 0;
}
