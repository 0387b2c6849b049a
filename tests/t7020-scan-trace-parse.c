// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing the mm_khugepaged_scan_pmd lines of a tracefs 'trace' file
 * (kernel --trace) from canned text: no root needed.
 */
#include <stdio.h>
#include <string.h>

#include "exec/exec.h"
#include "kernel/scan_trace.h"
#include "lib/tap.h"
#include "model/khugepaged.h"

static bool test_khugepaged_line(void)
{
	struct kx_scan_event ev;
	const char *line =
		"      khugepaged-47      [001] .....  1234.567890: "
		"mm_khugepaged_scan_pmd: mm=000000007d3c8a1f, "
		"scan_pfn=0x12a400, referenced=100, none_or_zero=257, "
		"status=exceed_none_pte, unmapped=0";

	CHECK_INT(kx_scan_parse_line(line, &ev), ==, 1);
	CHECK_INT(ev.pid, ==, 47);
	CHECK(ev.mm == 0x7d3c8a1fULL);
	CHECK(ev.pfn == 0x12a400ULL);
	CHECK_INT(ev.referenced, ==, 100);
	CHECK_INT(ev.none_or_zero, ==, 257);
	CHECK_INT(ev.status, ==, SCAN_EXCEED_NONE_PTE);
	CHECK_INT(ev.unmapped, ==, 0);
	return true;
}

/* A task name with '-', digits and spaces; no folio (pfn -1). */
static bool test_madvise_line(void)
{
	struct kx_scan_event ev;
	const char *line =
		" foliosim-x 2-31337   [000] ..... 88.000001: "
		"mm_khugepaged_scan_pmd: mm=ffff8881019e4000, "
		"scan_pfn=0xffffffffffffffff, referenced=0, none_or_zero=0, "
		"status=page_pmd_mapped, unmapped=0";

	CHECK_INT(kx_scan_parse_line(line, &ev), ==, 1);
	CHECK_INT(ev.pid, ==, 31337);
	CHECK(ev.mm == 0xffff8881019e4000ULL);
	CHECK(ev.pfn == KX_SCAN_NO_PFN);
	CHECK_INT(ev.status, ==, SCAN_PMD_MAPPED);
	CHECK(!strcmp(exec_scan_status_name(ev.status), "SCAN_PMD_MAPPED"));
	return true;
}

static bool test_every_status_name(void)
{
	struct kx_scan_event ev;
	char line[512];
	int i;

	for (i = 0; i <= SCAN_PAGE_FILLED; i++) {
		snprintf(line, sizeof(line),
			 "khugepaged-5 [000] .... 1.0: mm_khugepaged_scan_pmd: "
			 "mm=1, scan_pfn=0x1, referenced=0, none_or_zero=0, "
			 "status=%s, unmapped=3", scan_result_names[i]);
		CHECK_INT(kx_scan_parse_line(line, &ev), ==, 1);
		CHECK_INT(ev.status, ==, i);
		CHECK_INT(ev.unmapped, ==, 3);
	}
	return true;
}

static bool test_other_lines(void)
{
	struct kx_scan_event ev;

	CHECK_INT(kx_scan_parse_line("# tracer: nop", &ev), ==, 0);
	CHECK_INT(kx_scan_parse_line("", &ev), ==, 0);
	CHECK_INT(kx_scan_parse_line(
			  "khugepaged-5 [000] .... 1.0: mm_collapse_huge_page: "
			  "mm=1, isolated=1, status=succeeded", &ev), ==, 0);
	/* the event, but a status this build does not know, or a field gone */
	CHECK_INT(kx_scan_parse_line(
			  "khugepaged-5 [000] .... 1.0: mm_khugepaged_scan_pmd: "
			  "mm=1, scan_pfn=0x1, referenced=0, none_or_zero=0, "
			  "status=new_result, unmapped=0", &ev), ==, -1);
	CHECK_INT(kx_scan_parse_line(
			  "khugepaged-5 [000] .... 1.0: mm_khugepaged_scan_pmd: "
			  "mm=1, scan_pfn=0x1, referenced=0, status=failed, "
			  "unmapped=0", &ev), ==, -1);
	CHECK_INT(kx_scan_parse_line(
			  "khugepaged [000] .... 1.0: mm_khugepaged_scan_pmd: "
			  "mm=1, scan_pfn=0x1, referenced=0, none_or_zero=0, "
			  "status=failed, unmapped=0", &ev), ==, -1);
	return true;
}

int main(void)
{
	TEST(test_khugepaged_line(), "a khugepaged line");
	TEST(test_madvise_line(), "a MADV_COLLAPSE line, odd task name, no pfn");
	TEST(test_every_status_name(), "every status name of 6.18");
	TEST(test_other_lines(), "other lines and malformed ones");
	return tap_done();
}
