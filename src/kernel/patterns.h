/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each process last wrote at each page, so that every read can be
 * checked word by word: a map from page number (address / 4096) to the
 * 64-bit pattern the page is filled with.  A page not in the map reads as
 * zeros (never written, unmapped, or dropped).  One map per process.
 */
#ifndef FSIM_KERNEL_PATTERNS_H
#define FSIM_KERNEL_PATTERNS_H

#include <stdbool.h>
#include <stdint.h>

struct kx_patterns;

struct kx_patterns *kx_pat_new(void);
void kx_pat_free(struct kx_patterns *p);
/*
 * A copy holding only the pages for which @keep says true (fork: the pages
 * of the VMAs the child inherited).  NULL when out of memory.
 */
struct kx_patterns *kx_pat_clone(const struct kx_patterns *p,
				 bool (*keep)(void *ctx, uint64_t page),
				 void *ctx);
uint64_t kx_pat_get(const struct kx_patterns *p, uint64_t page);
/* Set one page (0 removes it).  0, or -1 when out of memory. */
int kx_pat_set(struct kx_patterns *p, uint64_t page, uint64_t v);
/* Forget pages [page, page + n): munmap, MADV_DONTNEED. */
void kx_pat_clear(struct kx_patterns *p, uint64_t page, uint64_t n);
/*
 * mremap: pages [from, from + n) move to @to; the destination
 * [to, to + newn) is cleared first and pages at offsets >= newn are
 * dropped.  0, or -1 when out of memory.
 */
int kx_pat_move(struct kx_patterns *p, uint64_t from, uint64_t n,
		uint64_t to, uint64_t newn);

#endif
