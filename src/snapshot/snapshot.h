/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A snapshot: the anonymous private memory of a few real processes as
 * userspace sees it (docs/snapshot.md).  Plain data: kernel/ fills it from
 * /proc, format.c reads and writes it as text, replay.c rebuilds it in the
 * model, whatif.c asks the model what khugepaged would do to it.
 */
#ifndef FSIM_SNAPSHOT_SNAPSHOT_H
#define FSIM_SNAPSHOT_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SNAP_NAME_MAX 32

enum snap_kind {
	SNAP_PRESENT,		/* a page of an anonymous folio */
	SNAP_ZERO,		/* the shared zero page */
	SNAP_HUGE_ZERO,		/* a page of the huge zero page */
	SNAP_SWAP,		/* a swap entry */
};

/* Per-page flags of a run. */
#define SNAP_PMD	(1U << 0)	/* mapped by a PMD */
#define SNAP_EXCL	(1U << 1)	/* pagemap PM_MMAP_EXCLUSIVE */
#define SNAP_ZEROFILL	(1U << 2)	/* the page holds only zero bytes */
#define SNAP_KSM	(1U << 3)
#define SNAP_REF	(1U << 4)	/* kpageflags REFERENCED */

/*
 * @npages consecutive virtual pages from @addr of one process, all of one
 * kind and flags.  Present: pages @idx.. of the folio whose head frame is
 * @frame (an identity only) and order @order.  Swap: slots @frame...
 */
struct snap_run {
	int proc;
	uint64_t addr;
	uint32_t npages;
	uint8_t kind;		/* enum snap_kind */
	uint8_t order;
	uint32_t flags;
	uint32_t idx;
	uint64_t frame;
};

#define SNAP_VMA_HUGEPAGE	(1U << 0)	/* VmFlags hg */
#define SNAP_VMA_NOHUGEPAGE	(1U << 1)	/* VmFlags nh */
#define SNAP_VMA_RO		(1U << 2)	/* not writable */

struct snap_vma {
	int proc;
	uint64_t start, end;
	uint32_t flags;
	char name[SNAP_NAME_MAX];	/* "[heap]", "[stack]", "anon" */
};

struct snap_proc {
	char name[SNAP_NAME_MAX];
	int pid, ppid;
	char comm[SNAP_NAME_MAX];
};

struct snap_set {
	char path[64];
	char value[32];
};

struct snapshot {
	char kernel[80];
	struct snap_set *sets;
	int nr_sets;
	struct snap_proc *procs;
	int nr_procs;
	struct snap_vma *vmas;		/* sorted by proc, then address */
	int nr_vmas;
	struct snap_run *runs;		/* sorted by proc, then address */
	int nr_runs;
	int cap_sets, cap_procs, cap_vmas, cap_runs;
};

void snap_free(struct snapshot *s);
int snap_add_set(struct snapshot *s, const char *path, const char *value);
int snap_add_proc(struct snapshot *s, const struct snap_proc *p);
int snap_add_vma(struct snapshot *s, const struct snap_vma *v);
/* Appends, or extends the previous run when @r continues it. */
int snap_add_run(struct snapshot *s, const struct snap_run *r);

/* Text form (docs/snapshot.md). */
int snap_write(FILE *f, const struct snapshot *s);
/* 0, or -1 with "path:line:col: ..." in @err. */
int snap_read_file(const char *path, struct snapshot *s, char *err,
		   size_t errlen);
int snap_parse(const char *path, const char *text, struct snapshot *s,
	       char *err, size_t errlen);

extern const char *const snap_kind_names[];

#endif
