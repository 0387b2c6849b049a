// SPDX-License-Identifier: GPL-2.0-only
/*
 * The built-in demo: the seed's corner case (a THP shared with a child,
 * 256 pages still mapped by both, page 0 mapped by neither, one writable
 * PTE and 255 empty ones, max_ptes_shared=0) run under every profile.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli/run.h"
#include "exec/exec.h"
#include "config/profile.h"

static const char demo_text[] =
	"# The seed's corner case: khugepaged with max_ptes_shared=0 must not\n"
	"# collapse a range whose pages are still shared with a child.\n"
	"set khugepaged/max_ptes_shared 0\n"
	"spawn P\n"
	"P mmap R 2M\n"
	"P madvise R hugepage\n"
	"P write R                     # one PMD-mapped THP\n"
	"P fork C                      # now shared with the child\n"
	"C madvise R[0:1] dontneed     # the child keeps pages 1..256\n"
	"C madvise R[257:] dontneed\n"
	"P madvise R[257:] dontneed    # the parent keeps 0..256: PMD split\n"
	"P write R[0]                  # COW: page 0 of the THP is now unmapped\n"
	"P read R[0:257]               # recently used\n"
	"khugepaged\n"
	"show P R\n"
	"expect[v6.10] P R thp = 1\n"
	"expect[v6.9,v6.15,v6.18] P R thp = 0\n"
	"expect P R[1:257] present = 256\n";

/* RAM held by anonymous folios at the end under @profile, in KiB. */
static long demo_anon_kb(const struct scn_scenario *s, const char *profile)
{
	struct exec_model_opts mo = { .profile = profile, .shared_pred = -1 };
	struct exec_result r;
	long kb;

	exec_model(s, &mo, &r);
	kb = (long)r.anon_kb;
	exec_result_free(&r);
	return kb;
}

int cmd_demo(void)
{
	struct scn_scenario s;
	struct run_opts o;
	char err[512], *argv[] = { "run", "--profile", "all", NULL };
	int st;

	if (scn_parse("<demo>", demo_text, strlen(demo_text), &s, err,
		      sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	fputs(demo_text, stdout);
	fputc('\n', stdout);
	st = run_parse_opts(3, argv, &o);
	if (!st)
		st = run_scenario(&s, &o);
	run_free_opts(&o);
	printf("\nOnly v6.10 (folio_likely_mapped_shared) collapses: page 0 of "
	       "the THP is mapped\nby nobody, so its guess says \"not shared\" "
	       "although the child still maps\n256 pages.  The old THP stays "
	       "for the child and a new one is made for the\nparent: v6.10 "
	       "holds %ld KiB more RAM than v6.18.  Try: foliosim help\n",
	       demo_anon_kb(&s, "v6.10") - demo_anon_kb(&s, "v6.18"));
	scn_free(&s);
	return st;
}
