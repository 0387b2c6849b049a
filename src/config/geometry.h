/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine geometry every layer agrees on: x86-64 with 4 KiB pages,
 * 4-level page tables of 512-entry tables and PMD order 9 (2 MiB).
 */
#ifndef FSIM_CONFIG_GEOMETRY_H
#define FSIM_CONFIG_GEOMETRY_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PTRS_PER_TABLE 512
#define PMD_SHIFT 21
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PUD_SHIFT 30
#define PGDIR_SHIFT 39
#define HPAGE_PMD_ORDER 9
#define HPAGE_PMD_NR (1 << HPAGE_PMD_ORDER)
#define MAX_PAGE_ORDER 10	/* buddy blocks up to 4 MiB, as x86-64 */
#define TASK_SIZE (1UL << 47)

/*
 * Page contents as the kernel executor writes them: one 64-bit word
 * repeated over the page (little-endian), 0 for zeros, the value for
 * "value N", this tag ORed with a run-wide counter (from 1) for unique
 * writes.  KSM's trees order pages by memcmp of these bytes.
 */
#define UNIQUE_CONTENT_TAG 0xF5F5000000000000ULL

#endif
