/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Basic constants and page-table entry encodings of the model.
 *
 * The geometry is in config/geometry.h.  Entries are 64-bit words; the
 * upper 32 bits of a PTE are a software field that records the content the
 * owning process last wrote or read there, which is how the invariant checker proves that
 * no data was lost or mixed up.  The kernel logic never looks at it.
 */
#ifndef FSIM_MODEL_TYPES_H
#define FSIM_MODEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/geometry.h"

typedef uint32_t pfn_t;
#define NO_PFN ((pfn_t)~0U)

/* A content tag: 0 means "all zero bytes"; see content.h. */
typedef uint32_t content_t;

/*
 * PTE layout (ours):
 *   bit 0 present, bit 1 swap entry, bits 2..6 flags, bits 8..31 pfn or swap
 *   offset, bits 32..63 expected content (software only).
 * A none PTE is 0 apart from the expected-content field, which is 0 too.
 */
typedef uint64_t pte_t;

#define _PTE_PRESENT (1ULL << 0)
#define _PTE_SWAP (1ULL << 1)	/* non-present swap entry */
#define _PTE_WRITE (1ULL << 2)
#define _PTE_DIRTY (1ULL << 3)
#define _PTE_YOUNG (1ULL << 4)
#define _PTE_SPECIAL (1ULL << 5) /* maps the shared zero page */
#define _PTE_SWP_EXCLUSIVE (1ULL << 6)
#define _PTE_FLAGS_MASK 0xffULL
#define _PTE_PFN_SHIFT 8
#define _PTE_PFN_MASK 0xffffffULL /* 24 bits: 64 GiB of RAM or swap */
#define _PTE_CONTENT_SHIFT 32
#define PFN_LIMIT (1UL << 24)

static inline bool pte_none(pte_t pte)
{
	return !(pte & (_PTE_PRESENT | _PTE_SWAP));
}

static inline bool pte_present(pte_t pte)
{
	return pte & _PTE_PRESENT;
}

static inline bool pte_is_swap(pte_t pte)
{
	return pte & _PTE_SWAP;
}

static inline bool pte_write(pte_t pte)
{
	return pte & _PTE_WRITE;
}

static inline bool pte_dirty(pte_t pte)
{
	return pte & _PTE_DIRTY;
}

static inline bool pte_young(pte_t pte)
{
	return pte & _PTE_YOUNG;
}

static inline bool pte_special(pte_t pte)
{
	return pte & _PTE_SPECIAL;
}

static inline bool pte_swp_exclusive(pte_t pte)
{
	return pte & _PTE_SWP_EXCLUSIVE;
}

static inline pfn_t pte_pfn(pte_t pte)
{
	return (pfn_t)((pte >> _PTE_PFN_SHIFT) & _PTE_PFN_MASK);
}

/* The swap offset shares the pfn field of a non-present entry. */
static inline uint32_t pte_swp_offset(pte_t pte)
{
	return (uint32_t)((pte >> _PTE_PFN_SHIFT) & _PTE_PFN_MASK);
}

static inline content_t pte_expected(pte_t pte)
{
	return (content_t)(pte >> _PTE_CONTENT_SHIFT);
}

static inline pte_t pte_set_expected(pte_t pte, content_t c)
{
	return (pte & 0xffffffffULL) | ((pte_t)c << _PTE_CONTENT_SHIFT);
}

static inline pte_t pfn_pte(pfn_t pfn, pte_t flags)
{
	return _PTE_PRESENT | flags | ((pte_t)pfn << _PTE_PFN_SHIFT);
}

static inline pte_t swp_entry_pte(uint32_t offset, bool exclusive)
{
	return _PTE_SWAP | (exclusive ? _PTE_SWP_EXCLUSIVE : 0) |
	       ((pte_t)offset << _PTE_PFN_SHIFT);
}

static inline pte_t pte_mkzero(void)
{
	return _PTE_PRESENT | _PTE_SPECIAL | _PTE_YOUNG;
}

static inline pte_t pte_wrprotect(pte_t pte)
{
	return pte & ~_PTE_WRITE;
}

static inline pte_t pte_mkold(pte_t pte)
{
	return pte & ~_PTE_YOUNG;
}

/*
 * PMD layout: 0 is none; a PTE table is a host pointer with bit 0 set (tables
 * are 16-byte aligned); a huge mapping has bit 1 set and carries the same
 * flag bits and pfn field as a PTE.
 */
typedef uint64_t pmd_t;

#define _PMD_TABLE (1ULL << 0)
#define _PMD_HUGE (1ULL << 1)
#define _PMD_WRITE _PTE_WRITE
#define _PMD_DIRTY _PTE_DIRTY
#define _PMD_YOUNG _PTE_YOUNG
#define _PMD_ZERO _PTE_SPECIAL	/* huge zero page */

static inline bool pmd_none(pmd_t pmd)
{
	return pmd == 0;
}

static inline bool pmd_trans_huge(pmd_t pmd)
{
	return pmd & _PMD_HUGE;
}

static inline bool pmd_is_table(pmd_t pmd)
{
	return pmd & _PMD_TABLE;
}

static inline pte_t *pmd_table(pmd_t pmd)
{
	return (pte_t *)(uintptr_t)(pmd & ~0xfULL);
}

static inline pmd_t pmd_mktable(pte_t *table)
{
	return (pmd_t)(uintptr_t)table | _PMD_TABLE;
}

static inline bool pmd_huge_zero(pmd_t pmd)
{
	return pmd_trans_huge(pmd) && (pmd & _PMD_ZERO);
}

static inline pfn_t pmd_pfn(pmd_t pmd)
{
	return pte_pfn(pmd);
}

static inline pmd_t pfn_pmd(pfn_t pfn, pmd_t flags)
{
	return _PMD_HUGE | flags | ((pmd_t)pfn << _PTE_PFN_SHIFT);
}

static inline bool pmd_write(pmd_t pmd)
{
	return pmd & _PMD_WRITE;
}

static inline bool pmd_young(pmd_t pmd)
{
	return pmd & _PMD_YOUNG;
}

static inline bool pmd_dirty(pmd_t pmd)
{
	return pmd & _PMD_DIRTY;
}

#define ALIGN_DOWN_PMD(a) ((a) & PMD_MASK)
#define ALIGN_UP_PMD(a) (((a) + PMD_SIZE - 1) & PMD_MASK)

#endif
