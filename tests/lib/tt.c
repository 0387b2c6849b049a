// SPDX-License-Identifier: GPL-2.0-only
/* Scenarios of the --trace tests (see tt.h). */
#include "tt.h"

const char tt_none_text[] =
	"set khugepaged/max_ptes_none 256\n"
	"spawn P\n"
	"P mmap R 4M\n"
	"P write R[0:100]\n"
	"P write R[512:1024]\n"
	"P madvise R hugepage\n"
	"khugepaged\n"
	"P madvise R collapse\n";

const char tt_shared_text[] =
	"set khugepaged/max_ptes_none 511\n"
	"set khugepaged/max_ptes_shared 0\n"
	"spawn P\n"
	"P mmap R 2M\n"
	"P write R\n"
	"P madvise R[0:256] dontneed\n"
	"P fork C\n"
	"P madvise R hugepage\n"
	"C madvise R hugepage\n"
	"khugepaged\n";

const char tt_swap_text[] =
	"set khugepaged/max_ptes_swap 64\n"
	"spawn P\n"
	"P mmap R 2M\n"
	"P write R\n"
	"P madvise R[0:100] pageout\n"
	"P madvise R hugepage\n"
	"khugepaged\n";

/*
 * --why: one PMD region per verdict (t3510 on the model, t7410 on the
 * kernel).  Regions are written before they are advised, so that their
 * faults map small pages.
 */
const char tt_why_text[] =
	"set enabled madvise\n"
	"set khugepaged/max_ptes_none 256\n"
	"spawn P\n"
	"P mmap F 2M\n"		/* THP from a fault */
	"P madvise F hugepage\n"
	"P write F\n"
	"P mmap K 2M\n"		/* collapsed by khugepaged */
	"P write K\n"
	"P mmap C 2M\n"		/* collapsed by MADV_COLLAPSE */
	"P write C\n"
	"P madvise C collapse\n"
	"P mmap N 2M\n"		/* exceed_none_pte: 312 none */
	"P write N[0:200]\n"
	"P mmap S 2M\n"		/* collapsed, then split */
	"P write S\n"
	"P mmap H 2M\n"		/* MADV_NOHUGEPAGE */
	"P write H\n"
	"P madvise H nohugepage\n"
	"P mmap U 2M\n"		/* never advised */
	"P write U[0:10]\n"
	"P mmap V 2M\n"		/* two VMAs in the PMD */
	"P write V\n"
	"P madvise V hugepage\n"
	"P mprotect V[0:256] ro\n"
	"P mmap W 2M\n"		/* advised, never touched: no anon_vma */
	"P madvise W hugepage\n"
	"P madvise K hugepage\n"
	"P madvise N hugepage\n"
	"P madvise S hugepage\n"
	"khugepaged\n"
	"P madvise S[5] dontneed\n"
	"P mmap E 2M\n"		/* eligible, but after the last pass */
	"P write E\n"
	"P madvise E hugepage\n";

/*
 * --why and zero pages: A the huge zero page (scanned, left alone); B a
 * THP from the write fault on its huge zero page, then an empty PMD; C
 * small zero pages only (no anon_vma).
 */
const char tt_why_zero_text[] =
	"set enabled madvise\n"
	"set use_zero_page 1\n"
	"spawn P\n"
	"P mmap A 2M\n"
	"P madvise A hugepage\n"
	"P read A\n"
	"P mmap B 4M\n"
	"P madvise B hugepage\n"
	"P read B[0:512]\n"
	"P write B[3]\n"
	"P mmap C 2M\n"
	"P read C[0:4]\n"
	"P madvise C hugepage\n"
	"khugepaged\n";

/*
 * fork copies the PMD table of a range with no PMD entry left (the THP
 * was dropped): the child's scan ends SCAN_PMD_NONE, like the parent's.
 */
const char tt_fork_table_text[] =
	"spawn P\n"
	"P mmap R 2M\n"
	"P madvise R hugepage\n"
	"P write R\n"
	"P madvise R dontneed\n"
	"P fork C\n"
	"khugepaged\n";
