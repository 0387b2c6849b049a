// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel executor's record of what each process last wrote per page
 * (src/kernel/patterns.c), checked against a plain array: sets, clears of
 * small and large ranges, mremap-style moves, fork-style filtered copies,
 * and growth well past the initial table.  Needs no root.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/patterns.h"
#include "lib/tap.h"

#define BASE	0x40000UL	/* page number of 1 GiB */
#define SPAN	4096		/* pages mirrored */

struct mirror {
	struct kx_patterns *p;
	uint64_t v[SPAN];
};

static bool same(const struct mirror *m)
{
	unsigned long i;

	for (i = 0; i < SPAN; i++)
		if (kx_pat_get(m->p, BASE + i) != m->v[i]) {
			printf("# page %lu: map %#llx, mirror %#llx\n", i,
			       (unsigned long long)kx_pat_get(m->p, BASE + i),
			       (unsigned long long)m->v[i]);
			return false;
		}
	return true;
}

static void set(struct mirror *m, unsigned long i, uint64_t v)
{
	kx_pat_set(m->p, BASE + i, v);
	m->v[i] = v;
}

static void clear(struct mirror *m, unsigned long i, unsigned long n)
{
	kx_pat_clear(m->p, BASE + i, n);
	memset(&m->v[i], 0, n * sizeof(m->v[0]));
}

static void move(struct mirror *m, unsigned long from, unsigned long n,
		 unsigned long to, unsigned long newn)
{
	uint64_t tmp[SPAN] = { 0 };
	unsigned long i;

	for (i = 0; i < n && i < newn; i++)
		tmp[i] = m->v[from + i];
	kx_pat_move(m->p, BASE + from, n, BASE + to, newn);
	memset(&m->v[from], 0, n * sizeof(m->v[0]));
	memcpy(&m->v[to], tmp, newn * sizeof(m->v[0]));
}

static bool test_set_and_clear(void)
{
	struct mirror m = { kx_pat_new() };
	unsigned long i;

	CHECK(m.p);
	for (i = 0; i < SPAN; i += 3)
		set(&m, i, 0xF5F5000000000000ULL | i);
	CHECK(same(&m));
	clear(&m, 10, 20);		/* smaller than the table */
	clear(&m, 1000, 3000);		/* larger: rebuilt */
	CHECK(same(&m));
	for (i = 0; i < SPAN; i += 2)
		set(&m, i, 0);		/* removals keep probe runs */
	CHECK(same(&m));
	kx_pat_free(m.p);
	return true;
}

static bool test_move_like_mremap(void)
{
	struct mirror m = { kx_pat_new() };
	unsigned long i;

	for (i = 0; i < 1024; i++)
		set(&m, i, 7 + i);
	move(&m, 0, 4, 2048, 4);	/* same size */
	move(&m, 100, 300, 3000, 100);	/* shrinking drops the rest */
	move(&m, 500, 10, 1500, 50);	/* growing leaves new pages zero */
	CHECK(same(&m));
	kx_pat_free(m.p);
	return true;
}

static bool even(void *ctx, uint64_t page)
{
	(void)ctx;
	return !(page & 1);
}

static bool test_clone_filtered(void)
{
	struct kx_patterns *p = kx_pat_new(), *q;
	unsigned long i;

	for (i = 0; i < 100; i++)
		kx_pat_set(p, BASE + i, 1 + i);
	q = kx_pat_clone(p, even, NULL);
	CHECK(q);
	for (i = 0; i < 100; i++)
		CHECK_INT(kx_pat_get(q, BASE + i), ==, i & 1 ? 0 : 1 + i);
	kx_pat_free(p);
	kx_pat_free(q);
	return true;
}

int main(void)
{
	TEST(test_set_and_clear(), "set, remove and clear ranges of pages");
	TEST(test_move_like_mremap(), "moves shrink, grow and clear the "
	     "destination");
	TEST(test_clone_filtered(), "a fork copy keeps only inherited pages");
	return tap_done();
}
