/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for model tests: a small machine, range accesses, the invariant
 * checker, and a look at the folio behind an address.  Tests include the
 * model's internal headers on purpose, as the kernel's vma tests do.
 */
#ifndef FSIM_TESTS_TM_H
#define FSIM_TESTS_TM_H

#include "model/model.h"
#include "model/internal.h"
#include "model/predicate.h"
#include "tap.h"

#define TM_BASE (1UL << 30)		/* first region, PMD aligned */
#define TM_PAGE(i) ((unsigned long)(i) * PAGE_SIZE)

/* A 64 MiB machine with 64 MiB swap under @profile (NULL: default). */
struct fsim_machine *tm_new(const char *profile);
/* Write every page of [addr, addr + n pages) with unique contents. */
bool tm_write(struct fsim_machine *m, struct mm_struct *mm, unsigned long addr,
	      long n);
/* Read [addr, +n pages); false on error or data lost. */
bool tm_read(struct fsim_machine *m, struct mm_struct *mm, unsigned long addr,
	     long n);
/* Run the invariant checker; prints violations as TAP diagnostics. */
bool tm_check(struct fsim_machine *m);
/* The folio mapped at addr in mm, or NULL. */
struct folio *tm_folio(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long addr);
struct page *tm_page(struct fsim_machine *m, struct mm_struct *mm,
		     unsigned long addr);
/* mmap 2 MiB at TM_BASE, MADV_HUGEPAGE, write it all: one PMD THP. */
struct mm_struct *tm_thp_process(struct fsim_machine *m);
bool tm_pmd_mapped(struct mm_struct *mm, unsigned long addr);

/*
 * Raw (biased) mapcount fields of a large folio, as the spec's tables give
 * them: -1 is "zero" for large, entire and the slot counts.
 */
struct tm_large {
	int large, entire, nr_pages_mapped;
	uint32_t id0, id1;
	int cnt0, cnt1;
	bool shared;
};

/* A large folio that nothing maps (prep_compound_head() values). */
#define TM_LARGE_UNMAPPED                                                \
	((struct tm_large){ .large = -1, .entire = -1, .nr_pages_mapped = 0, \
			    .cnt0 = -1, .cnt1 = -1 })

/* Compare every field; print the ones that differ as TAP diagnostics. */
bool tm_large_is(struct fsim_machine *m, struct folio *folio,
		 struct tm_large want);
/* Raw _mapcount of pages [from, from + n) of @folio all equal @raw. */
bool tm_pages_mapcount(struct folio *folio, long from, long n, int raw);
/* PG_anon_exclusive of pages [from, from + n) of @folio all equal @excl. */
bool tm_pages_exclusive(struct folio *folio, long from, long n, bool excl);
/* fsim_page_info() by value. */
struct fsim_page_info tm_info(struct fsim_machine *m, struct mm_struct *mm,
			      unsigned long addr);
/* A process with [addr, addr + len) mapped (and MADV_HUGEPAGE if asked). */
struct mm_struct *tm_process(struct fsim_machine *m, unsigned long addr,
			     unsigned long len, bool hugepage);
/* Number of VMAs of @mm. */
int tm_nr_vmas(struct mm_struct *mm);

struct kh_scan_record;

/* tm_new() with @ram bytes of RAM and @swap bytes of swap. */
struct fsim_machine *tm_new_sized(const char *profile, uint64_t ram,
				  uint64_t swap);
/* The last scan record (khugepaged or MADV_COLLAPSE) of @mm at @addr. */
const struct kh_scan_record *tm_last_record(struct fsim_machine *m,
					    struct mm_struct *mm,
					    unsigned long addr);
/* MADV_PAGEOUT of [addr, addr + pages). */
int tm_pageout(struct fsim_machine *m, struct mm_struct *mm,
	       unsigned long addr, long pages);
/* The end of a test: the invariant checker, then free the machine. */
bool tm_done(struct fsim_machine *m);
/* How many pages of [addr, addr + n pages) of @mm are in @state. */
long tm_count_state(struct fsim_machine *m, struct mm_struct *mm,
		    unsigned long addr, long n, enum fsim_page_state state);

/* The four eras the model tests run under, oldest first. */
#define TM_NR_PROFILES 4
extern const char *const tm_profiles[TM_NR_PROFILES];
/* 64 KiB mTHPs always on, 2 MiB at TM_BASE, its first @nr pages written. */
struct mm_struct *tm_mthp_process(struct fsim_machine *m, long nr);
/*
 * The usual start of a test: tm_new(@profile) in *@m and a process in
 * *@p, tm_thp_process() or with @nr > 0 tm_mthp_process(@nr); the folio
 * at TM_BASE in *@f and a child forked from *@p in *@c, where asked.
 */
bool tm_start(struct fsim_machine **m, const char *profile, long nr,
	      struct mm_struct **p, struct folio **f, struct mm_struct **c);
/*
 * The seed's corner case (mapping accounting spec 9): tm_start() with a
 * child; both unmap pages 257-511 of the THP, the child page 0 too, and
 * the parent's write copies page 0.  Both map pages 1-256 of *@f.
 */
bool tm_seed_corner(struct fsim_machine **m, const char *profile,
		    struct mm_struct **p, struct folio **f,
		    struct mm_struct **c);
/* MADV_HUGEPAGE on [addr, addr + len), then one khugepaged pass. */
bool tm_khugepaged(struct fsim_machine *m, struct mm_struct *mm,
		   unsigned long addr, unsigned long len);

/*
 * A check the model is known to fail (a recorded model bug): print
 * "# BUG: <why>" and go on with the test.  Once the model passes it, say
 * so, so that the marker can become a CHECK again.
 */
#define KNOWN_BUG(expr, why)                                              \
	do {                                                              \
		if (!(expr))                                              \
			printf("# BUG: %s (%s:%d: %s)\n", (why), __FILE__, \
			       __LINE__, #expr);                          \
		else                                                      \
			printf("# BUG marker now passes, make it a CHECK: " \
			       "%s:%d\n", __FILE__, __LINE__);            \
	} while (0)

#endif
