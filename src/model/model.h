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

#include "machine.h"

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
	const char *status;		/* the tracepoint's name for it */
	int referenced, none_or_zero, unmapped;
	bool is_khugepaged;
};

size_t fsim_nr_scan_records(struct fsim_machine *m);
void fsim_scan_record(struct fsim_machine *m, size_t i,
		      struct fsim_scan_record *out);

/*
 * The invariant checker (the model's CONFIG_DEBUG_VM): recount everything
 * from the page tables.  Returns the number of violations; each is
 * described by a line written to @log (may be NULL).
 */
int fsim_check(struct fsim_machine *m, FILE *log);

#endif
