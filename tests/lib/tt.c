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
