// SPDX-License-Identifier: GPL-2.0-only
/*
 * 'diff --trace' verdicts from canned scan records (no root): the first
 * differing record is classified scan:passes, scan:pmd, scan:status or
 * scan:counts, fields the kernel cannot see match anything, and the
 * detail names the PMD, the pass and the check that decided.
 */
#include <stdio.h>
#include <string.h>

#include "diff/internal.h"
#include "lib/tap.h"
#include "model/khugepaged.h"

static struct scn_scenario scn;

static const struct exec_scan base = {
	.op = 0, .pass = 1, .proc = 0, .addr = 0x40000000,
	.status = SCAN_SUCCEED, .none_or_zero = 3, .unmapped = 0,
	.shared = 0, .referenced = 509, .limit = -1,
};

/* Diff model records @m against kernel records @k; the verdict in @v. */
static bool verdict(struct exec_scan *m, int nm, struct exec_scan *k, int nk,
		    struct kx_diff_verdict *v)
{
	static const struct kx_diff_opts o = { .trace = true };
	struct kx_diff d = { .s = &scn, .o = &o };
	bool bad;

	snprintf(d.m.name, sizeof(d.m.name), "model v6.18");
	snprintf(d.k.name, sizeof(d.k.name), "kernel");
	d.m.r.scans = m;
	d.m.r.nr_scans = nm;
	d.k.r.scans = k;
	d.k.r.nr_scans = nk;
	memset(v, 0, sizeof(*v));
	bad = kx_diff_compare_scans(&d);
	if (bad)
		kx_diff_classify_scans(&d, v);
	printf("# %s: %s\n", v->what, v->detail);
	return bad;
}

static bool test_agree_with_unknowns(void)
{
	struct exec_scan m[2] = { base, base }, k[2] = { base, base };
	struct kx_diff_verdict v;

	k[0].shared = k[1].shared = EXEC_SCAN_UNKNOWN;
	k[1].addr = EXEC_SCAN_NO_ADDR;
	k[1].proc = -1;
	CHECK(!verdict(m, 2, k, 2, &v));
	return true;
}

static bool test_status(void)
{
	struct exec_scan m[2] = { base, base }, k[2] = { base, base };
	struct kx_diff_verdict v;

	m[1].addr = k[1].addr = 0x40200000;
	m[1].status = SCAN_EXCEED_NONE_PTE;
	m[1].none_or_zero = 300;
	m[1].limit = 256;
	k[1].shared = EXEC_SCAN_UNKNOWN;
	CHECK(verdict(m, 2, k, 2, &v));
	CHECK(!strcmp(v.what, "scan:status"));
	CHECK(!strcmp(v.detail, "P PMD 0x40200000 pass 1: model v6.18 "
		      "SCAN_EXCEED_NONE_PTE (none_or_zero 300 > max_ptes_none "
		      "256), kernel SCAN_SUCCEED"));
	return true;
}

static bool test_counts_pmd_passes(void)
{
	struct exec_scan m[2] = { base, base }, k[2] = { base, base };
	struct kx_diff_verdict v;

	k[0].referenced = 100;
	CHECK(verdict(m, 1, k, 1, &v));
	CHECK(!strcmp(v.what, "scan:counts"));
	CHECK(!strcmp(v.detail, "P PMD 0x40000000 pass 1: SCAN_SUCCEED; "
		      "referenced model v6.18 509, kernel 100"));
	k[0] = base;
	k[0].addr = 0x40200000;
	CHECK(verdict(m, 1, k, 1, &v));
	CHECK(!strcmp(v.what, "scan:pmd"));
	CHECK(!strcmp(v.detail, "model v6.18 P PMD 0x40000000 pass 1 "
		      "SCAN_SUCCEED, kernel P PMD 0x40200000 pass 1 "
		      "SCAN_SUCCEED"));
	k[0] = base;
	k[0].pass = 2;
	CHECK(verdict(m, 1, k, 1, &v));
	CHECK(!strcmp(v.what, "scan:passes"));
	CHECK(strstr(v.detail, "kernel P PMD 0x40000000 pass 2"));
	k[0] = base;
	CHECK(verdict(m, 2, k, 1, &v));	/* the model scanned once more */
	CHECK(!strcmp(v.what, "scan:passes"));
	CHECK(strstr(v.detail, "kernel no scan"));
	return true;
}

int main(void)
{
	static const char *procs[] = { "P" };

	scn.procs = (char **)procs;
	scn.nr_procs = 1;
	TEST(test_agree_with_unknowns(), "unknown kernel fields match");
	TEST(test_status(), "another result: scan:status, with the check");
	TEST(test_counts_pmd_passes(), "scan:counts, scan:pmd, scan:passes");
	return tap_done();
}
