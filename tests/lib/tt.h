/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scenarios of the --trace tests, shared by the model test (t3500) and
 * the kernel test (t7400), which must see the same records.
 */
#ifndef FSIM_TESTS_TT_H
#define FSIM_TESTS_TT_H

/* max_ptes_none 256 exceeded in PMD 0, PMD 1 collapses; MADV_COLLAPSE */
extern const char tt_none_text[];
/* max_ptes_shared 0 exceeded after fork, in both processes */
extern const char tt_shared_text[];

/* max_ptes_swap 64 exceeded: 100 pages paged out */
extern const char tt_swap_text[];

/* fork of an emptied PMD table: both scans SCAN_PMD_NONE (tt.c) */
extern const char tt_fork_table_text[];

/* --why: regions F K C N S H U V W E, one verdict each (tt.c) */
extern const char tt_why_text[];
/* --why and zero pages: regions A B C (tt.c) */
extern const char tt_why_zero_text[];

#endif
