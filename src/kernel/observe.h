/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel executor's observer: what each page of each actor looks like
 * from outside, as root, answered through the common exec_observer.
 *
 *  - /proc/PID/pagemap: present (bit 63), swap (bit 62), PFN (bits 0-54);
 *  - /proc/kpageflags: ZERO_PAGE (the small and the huge zero page), KSM,
 *    compound head/tail (the order of a large folio: back to its head,
 *    forward over its tails);
 *  - the PAGEMAP_SCAN ioctl on the pagemap (PAGE_IS_HUGE): PMD-mapped;
 *  - /proc/PID/smaps summed over the VMAs that overlap scenario regions;
 *  - /proc/vmstat as deltas from a baseline.
 *
 * Observations are cached per PMD-sized chunk until the next statement
 * (kx_observe_invalidate()).
 */
#ifndef FSIM_KERNEL_OBSERVE_H
#define FSIM_KERNEL_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec/exec.h"

#define KX_CHUNK_NR	512	/* pages per cached chunk: one PMD */

/* One page as observed, with its folio's head frame. */
struct kx_obs_page {
	struct obs_page o;
	uint64_t head;		/* present: the folio's first frame */
};

struct kx_chunk {
	int proc;
	pid_t pid;		/* whose pagemap was read */
	uint64_t base;		/* PMD-aligned address */
	unsigned long epoch;	/* when it was observed */
	uint64_t raw[KX_CHUNK_NR];	/* the pagemap entries then */
	bool huge[KX_CHUNK_NR];	/* PMD-mapped then */
	struct kx_obs_page pg[KX_CHUNK_NR];
};

/* The union of the scenario's region address ranges. */
struct kx_span {
	uint64_t start, end;
};

struct kx_vmstat_snap {
	char (*name)[48];
	int64_t *value;
	int nr;
};

struct kx_observe {
	const struct scn_scenario *s;
	const pid_t *pids;		/* per scenario process; 0: gone */
	int kpageflags_fd;
	struct exec_observer ops;
	/* chunks observed so far; current if their epoch is ob->epoch */
	struct kx_chunk **chunks;
	int nr_chunks, cap_chunks;
	int *index;			/* hash: chunk number + 1, 0 free */
	size_t index_cap;
	unsigned long epoch;		/* statements run */
	bool reuse_ok;			/* the last one split no folio */
	/* the last large folio looked up: frames [fol_head, +fol_nr) */
	uint64_t fol_head, fol_nr;
	struct kx_span *spans;
	int nr_spans;
	struct kx_vmstat_snap base, now;
	bool now_valid;
};

/**
 * kx_observe_new() - an observer of the processes in @pids
 * @pids: per scenario process, the pid (0 when it has none); read at
 *        every question, so the caller updates it in place
 *
 * Return: the observer, or NULL with @err.
 */
struct kx_observe *kx_observe_new(const struct scn_scenario *s,
				  const pid_t *pids, char *err, size_t len);
void kx_observe_free(struct kx_observe *ob);
/*
 * A statement ran: every observation is to be made again.  @reuse_ok: the
 * statement cannot have split a folio in place or made a page KSM without
 * moving it (no shrink, khugepaged, ksm, set, nor a madvise that touches
 * pages), so a chunk whose pagemap entries did not change keeps its folio
 * orders and flags.
 */
void kx_observe_invalidate(struct kx_observe *ob, bool reuse_ok);
/* Take the vmstat baseline (deltas are from now).  0, or -1 with @err. */
int kx_observe_baseline(struct kx_observe *ob, char *err, size_t len);
/* The chunk holding @addr in @proc (filled on first use), or NULL. */
const struct kx_chunk *kx_observe_chunk(struct kx_observe *ob, int proc,
					uint64_t addr);
/*
 * The union of @s's region address ranges as sorted, disjoint spans in
 * *@out (from malloc()).  Return: the number of spans, or -1.
 */
int kx_spans_build(const struct scn_scenario *s, struct kx_span **out);
/* Is PAGEMAP_SCAN available on this kernel?  0, or -1 with @err. */
int kx_pagemap_scan_check(char *err, size_t len);
/*
 * Call @fn for each range of [start, end) in @pid that has present or
 * swapped pages (PAGEMAP_SCAN, which skips empty page tables: fast on huge
 * sparse mappings such as a sanitizer's shadow).  Stops at the first
 * non-zero return of @fn and returns it; -1 if the scan fails.
 */
int kx_populated(pid_t pid, uint64_t start, uint64_t end,
		 int (*fn)(void *ctx, uint64_t start, uint64_t end), void *ctx);
/* Is 2 MiB at @addr in @pid one PMD-mapped THP?  For the keeper. */
bool kx_pmd_mapped(pid_t pid, uint64_t addr);

/* observe_stats.c: the exec_observer callbacks other than pages() */
void kx_obs_smaps(void *ctx, int proc, uint64_t *rss_kb, uint64_t *huge_kb,
		  uint64_t *swap_kb);
bool kx_obs_vmstat(void *ctx, const char *name, int64_t *delta);
void kx_obs_memory(void *ctx, uint64_t *anon_kb, uint64_t *thp_kb);
/*
 * The PMD size's 'enabled' mode now ("always", "madvise" or "never") into
 * @mode; returns the knob it came from (the top level's for "inherit").
 */
const char *kx_pmd_mode(char *mode, size_t len);
enum pmd_elig kx_obs_pmd_eligible(void *ctx, int proc, uint64_t addr,
				  char *why, size_t len);
int kx_vmstat_read(struct kx_vmstat_snap *snap);
void kx_vmstat_free(struct kx_vmstat_snap *snap);

#endif
