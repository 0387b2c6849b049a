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

#endif
