/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model's public API: what the scenario executor, the explorer, the
 * tests and the benchmarks call.  Every operation returns 0 or a negative
 * errno (the message is in fsim_strerror()); bad input never corrupts the
 * model.  Addresses and lengths are in bytes and must be page aligned.
 */
#ifndef FSIM_MODEL_MODEL_H
#define FSIM_MODEL_MODEL_H

#include <stdio.h>

#include "config/profile.h"
#include "config/eligible.h"
#include "config/settings.h"
#include "kh_points.h"
#include "stats.h"
#include "types.h"

/* Opaque outside model/: reached only through the functions below. */
struct fsim_machine;
struct mm_struct;

enum fsim_advice {
	FSIM_MADV_HUGEPAGE,
	FSIM_MADV_NOHUGEPAGE,
	FSIM_MADV_DONTNEED,
	FSIM_MADV_COLLAPSE,
	FSIM_MADV_PAGEOUT,
	FSIM_MADV_MERGEABLE,
	FSIM_MADV_UNMERGEABLE,
	FSIM_MADV_DONTFORK,
	FSIM_MADV_DOFORK,
	FSIM_MADV_COLD,
	NR_FSIM_ADVICE
};

extern const char *const fsim_advice_names[NR_FSIM_ADVICE];

/*
 * A new machine with settings @set (NULL: defaults) under @profile (NULL:
 * the default).  NULL if the RAM or swap size is out of range.
 */
struct fsim_machine *fsim_new(const struct thp_settings *set,
			      const struct fsim_profile *profile);
void fsim_free(struct fsim_machine *m);
/* Override the khugepaged shared predicate (fault injection, exact). */
void fsim_set_shared_pred(struct fsim_machine *m, enum shared_pred pred);
/* Apply a setting by its sysfs path (model/ram and model/swap excepted). */
int fsim_set(struct fsim_machine *m, const char *path, const char *value);
const char *fsim_strerror(struct fsim_machine *m);

struct mm_struct *fsim_spawn(struct fsim_machine *m);
struct mm_struct *fsim_fork(struct fsim_machine *m, struct mm_struct *parent);
int fsim_exit(struct fsim_machine *m, struct mm_struct *mm);

/* MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, read-write. */
int fsim_mmap(struct fsim_machine *m, struct mm_struct *mm,
	      unsigned long addr, unsigned long len);
int fsim_munmap(struct fsim_machine *m, struct mm_struct *mm,
		unsigned long addr, unsigned long len);
/* mremap(MREMAP_MAYMOVE|MREMAP_FIXED) within one VMA. */
int fsim_mremap(struct fsim_machine *m, struct mm_struct *mm,
		unsigned long addr, unsigned long old_len,
		unsigned long new_addr, unsigned long new_len);
int fsim_mprotect(struct fsim_machine *m, struct mm_struct *mm,
		  unsigned long addr, unsigned long len, bool writable);
/* For FSIM_MADV_COLLAPSE the result is the errno madvise would return. */
int fsim_madvise(struct fsim_machine *m, struct mm_struct *mm,
		 unsigned long addr, unsigned long len,
		 enum fsim_advice advice);

/*
 * Touch one page as a user access would, faulting as needed.  A read
 * stores what the page holds in *got and what this process last wrote
 * there in *want; they differ only if data was lost.
 */
int fsim_read(struct fsim_machine *m, struct mm_struct *mm,
	      unsigned long addr, content_t *got, content_t *want);
int fsim_write(struct fsim_machine *m, struct mm_struct *mm,
	       unsigned long addr, content_t value);

/* Memory pressure on the deferred-split / underused-THP shrinker. */
void fsim_shrink(struct fsim_machine *m);

/*
 * The language's "khugepaged N": at least N full scans, then until a full
 * scan collapses nothing (see khugepaged_run()).  Returns the passes made.
 */
long fsim_khugepaged(struct fsim_machine *m, long n);
/* Would the kernel run a khugepaged thread now (PMD THP enabled)? */
bool fsim_khugepaged_thread(struct fsim_machine *m);
/* The language's "ksm N": ksmd completes at least N full scans. */
int fsim_ksm(struct fsim_machine *m, long n);

/* What one page of an mm looks like (for maps, expects and diffs). */
enum fsim_page_state {
	FSIM_PAGE_NONE,
	FSIM_PAGE_ZERO,		/* shared zero page or huge zero page */
	FSIM_PAGE_PRESENT,
	FSIM_PAGE_SWAP,
};

struct fsim_page_info {
	enum fsim_page_state state;
	pfn_t pfn;			/* present: the page frame */
	pfn_t head;			/* its folio's head */
	unsigned int order;		/* its folio's order */
	bool pmd_mapped;		/* mapped by a huge PMD */
	bool huge_zero;
	bool writable, young, dirty;
	bool anon_exclusive;
	bool ksm;
	int mapcount;			/* kpagecount: precise or average */
	bool mmap_exclusive;		/* pagemap's PM_MMAP_EXCLUSIVE */
	uint32_t swap_offset;
};

int fsim_page_info(struct fsim_machine *m, struct mm_struct *mm,
		   unsigned long addr, struct fsim_page_info *info);

/*
 * May khugepaged collapse the PMD at @addr of @mm now?  If not, the
 * answer says what stops it, and @why in words (never ELIG_UNSEEN).
 */

enum pmd_elig fsim_pmd_eligible(struct fsim_machine *m, struct mm_struct *mm,
				unsigned long addr, char *why, size_t len);

/* smaps-style figures of one mm, in bytes. */
struct fsim_smaps {
	unsigned long rss, anon_huge, swap;
};

void fsim_mm_smaps(struct fsim_machine *m, struct mm_struct *mm,
		   struct fsim_smaps *out);
/* RAM held by anonymous folios, including unmapped parts of large ones. */
unsigned long fsim_anon_bytes(struct fsim_machine *m);
/* ... by PMD-sized ones (mapped by PMD or by PTEs). */
unsigned long fsim_thp_bytes(struct fsim_machine *m);

/*
 * Loading outside state (model/import.c).  fsim_khugepaged_enter()
 * registers @mm with khugepaged as a fault in each of its VMAs would under
 * the current settings.  Scan records are the mm_khugepaged_scan_pmd
 * events of every khugepaged pass and MADV_COLLAPSE so far, oldest first.
 */
void fsim_khugepaged_enter(struct fsim_machine *m, struct mm_struct *mm);

struct fsim_scan_record {
	int mm_idx;			/* mm->idx */
	unsigned long addr;		/* the PMD */
	bool succeeded;			/* SCAN_SUCCEED: collapsed */
	enum scan_result result;
	const char *status;		/* the tracepoint's name for it */
	int referenced, none_or_zero, unmapped;
	int shared;			/* not in the tracepoint */
	bool is_khugepaged;
	unsigned long pass;		/* khugepaged's pass, 0 for MADV_COLLAPSE */
	int order;	/* 0: the PMD scan; 2..8: one mTHP collapse attempt */
};

size_t fsim_nr_scan_records(struct fsim_machine *m);
void fsim_scan_record(struct fsim_machine *m, size_t i,
		      struct fsim_scan_record *out);
/* The number scan records name @mm by (fsim_scan_record.mm_idx). */
int fsim_mm_idx(const struct mm_struct *mm);
/* @mm has not exited. */
bool fsim_mm_alive(const struct mm_struct *mm);

/* Vm event @item (enum vm_event_item, model/stats.h) since the start. */
uint64_t fsim_vm_event(const struct fsim_machine *m, int item);
/*
 * Compare each answer of khugepaged's "shared?" predicate with the exact
 * one (slow); fsim_pred_errors() gives the false negatives and positives.
 */
void fsim_track_truth(struct fsim_machine *m, bool on);
void fsim_pred_errors(const struct fsim_machine *m, long *fn, long *fp);

/*
 * Driving the model as the kernel executor drives the kernel
 * (model/harness.c).  The executor sets up its keeper under other
 * tunables, then loads the scenario's (fsim_load_settings(): every
 * tunable at once, no side effect) and calls fsim_scenario_start(): vm
 * events restart from zero and unique contents count from there.
 */
const struct thp_settings *fsim_get_settings(const struct fsim_machine *m);
void fsim_load_settings(struct fsim_machine *m, const struct thp_settings *set);
void fsim_scenario_start(struct fsim_machine *m);
/* What a write stores: a tag never written before, or "value N"'s. */
content_t fsim_unique_content(struct fsim_machine *m);
content_t fsim_value_content(struct fsim_machine *m, uint64_t value);
/* Mutation coverage: force decision point @p; how often it was met/held. */
void fsim_force_point(struct fsim_machine *m, enum kh_point p,
		      enum kh_force how);
void fsim_point_counts(const struct fsim_machine *m, enum kh_point p,
		       uint64_t *evaluated, uint64_t *held);
/*
 * The pass a khugepaged thread makes as soon as it starts, over at most
 * @pages pages (the kernel executor lowers pages_to_scan while it starts
 * the thread); it is not counted among khugepaged's passes.
 */
void fsim_khugepaged_start_pass(struct fsim_machine *m, long pages);
/* The mapcount atomics each scheme would have done so far. */
void fsim_mapcount_atomics(const struct fsim_machine *m,
			   uint64_t out[NR_MAPCOUNT_SCHEMES]);

/*
 * The invariant checker (the model's CONFIG_DEBUG_VM): recount everything
 * from the page tables.  Returns the number of violations; each is
 * described by a line written to @log (may be NULL).
 */
int fsim_check(struct fsim_machine *m, FILE *log);

#endif
