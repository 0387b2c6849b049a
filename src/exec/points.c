// SPDX-License-Identifier: GPL-2.0-only
/*
 * The khugepaged decision points as the command line sees them: each
 * point's kernel function and the SCAN_* result it gives when it holds,
 * and the parser of "--force POINT=true|false".
 */
#include <stdio.h>
#include <string.h>

#include "exec.h"
#include "model/kh_points.h"

struct point_info {
	const char *function;
	const char *result;
};

/* In the order of FSIM_KH_POINTS (model/kh_points.h). */
static const struct point_info points[NR_KH_POINTS] = {
	[KH_SCAN_PMD_STATE] = { "hpage_collapse_scan_pmd() via "
				"find_pmd_or_thp_or_none()",
				"SCAN_PMD_NULL, SCAN_PMD_NONE, SCAN_PMD_MAPPED" },
	[KH_SCAN_EXCEED_SWAP] = { "hpage_collapse_scan_pmd()",
				  "SCAN_EXCEED_SWAP_PTE" },
	[KH_SCAN_EXCEED_NONE] = { "hpage_collapse_scan_pmd()",
				  "SCAN_EXCEED_NONE_PTE" },
	[KH_SCAN_PAGE_ANON] = { "hpage_collapse_scan_pmd()",
				"SCAN_PAGE_ANON" },
	[KH_SHARED] = { "hpage_collapse_scan_pmd(), "
			"__collapse_huge_page_isolate(): the era's \"is it "
			"shared?\"",
			"(counts a PTE as shared)" },
	[KH_SCAN_EXCEED_SHARED] = { "hpage_collapse_scan_pmd()",
				    "SCAN_EXCEED_SHARED_PTE" },
	[KH_SCAN_PAGE_LRU] = { "hpage_collapse_scan_pmd()",
			       "SCAN_PAGE_LRU" },
	[KH_SCAN_PAGE_LOCK] = { "hpage_collapse_scan_pmd()",
				"SCAN_PAGE_LOCK" },
	[KH_SCAN_PAGE_COUNT] = { "hpage_collapse_scan_pmd() via "
				 "is_refcount_suitable()",
				 "SCAN_PAGE_COUNT" },
	[KH_YOUNG] = { "hpage_collapse_scan_pmd(), "
		       "__collapse_huge_page_isolate(): young or referenced",
		       "(counts a PTE as referenced)" },
	[KH_SCAN_PAGE_RO] = { "hpage_collapse_scan_pmd() (6.17 and older)",
			      "SCAN_PAGE_RO" },
	[KH_SCAN_LACK_REFERENCED] = { "hpage_collapse_scan_pmd()",
				      "SCAN_LACK_REFERENCED_PAGE" },
	[KH_ALLOC] = { "collapse_huge_page() via alloc_charge_folio()",
		       "SCAN_ALLOC_HUGE_PAGE_FAIL" },
	[KH_REVALIDATE] = { "collapse_huge_page() via "
			    "hugepage_vma_revalidate()",
			    "SCAN_VMA_NULL, SCAN_VMA_CHECK, SCAN_ADDRESS_RANGE" },
	[KH_COLLAPSE_PMD_STATE] = { "collapse_huge_page() via "
				    "check_pmd_still_valid()",
				    "SCAN_PMD_NULL, SCAN_PMD_MAPPED" },
	[KH_SWAPIN] = { "collapse_huge_page() via "
			"__collapse_huge_page_swapin()",
			"SCAN_FAIL" },
	[KH_ISO_EXCEED_NONE] = { "__collapse_huge_page_isolate()",
				 "SCAN_EXCEED_NONE_PTE" },
	[KH_ISO_NON_PRESENT] = { "__collapse_huge_page_isolate()",
				 "SCAN_PTE_NON_PRESENT" },
	[KH_ISO_EXCEED_SHARED] = { "__collapse_huge_page_isolate()",
				   "SCAN_EXCEED_SHARED_PTE" },
	[KH_ISO_PAGE_LOCK] = { "__collapse_huge_page_isolate()",
			       "SCAN_PAGE_LOCK" },
	[KH_ISO_PAGE_COUNT] = { "__collapse_huge_page_isolate() via "
				"is_refcount_suitable()",
				"SCAN_PAGE_COUNT" },
	[KH_ISO_DEL_LRU] = { "__collapse_huge_page_isolate() via "
			     "folio_isolate_lru()",
			     "SCAN_DEL_PAGE_LRU" },
	[KH_ISO_PAGE_RO] = { "__collapse_huge_page_isolate() (6.17 and "
			     "older)",
			     "SCAN_PAGE_RO" },
	[KH_ISO_LACK_REFERENCED] = { "__collapse_huge_page_isolate()",
				     "SCAN_LACK_REFERENCED_PAGE" },
};

const char *exec_point_name(int point)
{
	return point >= 0 && point < NR_KH_POINTS ? kh_point_names[point] :
						    NULL;
}

const char *exec_point_function(int point)
{
	return point >= 0 && point < NR_KH_POINTS ? points[point].function :
						    NULL;
}

const char *exec_point_result(int point)
{
	return point >= 0 && point < NR_KH_POINTS ? points[point].result :
						    NULL;
}

int exec_force_parse(const char *arg, struct exec_force *f, char *err,
		     size_t len)
{
	const char *eq = strrchr(arg, '=');
	char name[64];

	if (!eq || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, len, "--force %s: expected POINT=true|false "
				   "('foliosim help points' lists them)", arg);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	f->point = kh_point_lookup(name);
	if (f->point < 0) {
		snprintf(err, len, "--force: no decision point '%s' "
				   "('foliosim help points' lists them)", name);
		return -1;
	}
	if (!strcmp(eq + 1, "true") || !strcmp(eq + 1, "1"))
		f->value = true;
	else if (!strcmp(eq + 1, "false") || !strcmp(eq + 1, "0"))
		f->value = false;
	else {
		snprintf(err, len, "--force %s: the value must be true or false",
			 arg);
		return -1;
	}
	return 0;
}
