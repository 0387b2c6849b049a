// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshots on the model, no root needed: the text format (round trip,
 * errors with file:line:col), replay of a hand-written snapshot
 * (tests/snapshots/basic.snap: a PMD-mapped THP shared by fork, 64 KiB
 * mTHPs, small pages, a zero page, a swap entry, half of a PTE-mapped THP
 * shared with the child) with the invariant checker clean and every page
 * where the file puts it, and whatif's per-PMD verdicts under
 * max_ptes_none 511 and 0.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/tm.h"
#include "snapshot/replay.h"
#include "snapshot/whatif.h"

#define SNAP "tests/snapshots/basic.snap"
#define A(pmd, page) (0x40000000UL + (pmd) * PMD_SIZE + (page) * PAGE_SIZE)

static char *text_of(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	snap_write(f, s);
	fclose(f);
	return buf;
}

static bool roundtrip(const struct snapshot *s)
{
	char *a = text_of(s), *b = NULL, err[256];
	struct snapshot t;
	bool ok;

	CHECK(a);
	CHECK(!snap_parse("rt", a, &t, err, sizeof(err)));
	b = text_of(&t);
	ok = b && !strcmp(a, b);
	snap_free(&t);
	free(a);
	free(b);
	return ok;
}

static bool error_is(const char *text, const char *want)
{
	struct snapshot s;
	char err[256];

	if (!snap_parse("x.snap", text, &s, err, sizeof(err))) {
		snap_free(&s);
		printf("# parsed: %s\n", text);
		return false;
	}
	printf("# %s\n", err);
	return !strncmp(err, want, strlen(want));
}

static bool parse_errors(void)
{
	const char *hdr = "foliosim-snapshot 1\nproc P pid 1 ppid 0 comm a\n"
			  "vma P 0x40000000 0x40200000\n";
	char buf[512];

	CHECK(error_is("hello\n", "x.snap:1:1: expected 'foliosim-snapshot"));
	CHECK(error_is("foliosim-snapshot 2\n", "x.snap:1:"));
	snprintf(buf, sizeof(buf), "%spresent Q 0x40000000 1 folio 1 order 0 "
		 "idx 0\n", hdr);
	CHECK(error_is(buf, "x.snap:4:9: unknown process 'Q'"));
	snprintf(buf, sizeof(buf), "%spresent P 0x40000000 2 folio 1 order 0 "
		 "idx 0\n", hdr);
	CHECK(error_is(buf, "x.snap:4:"));
	snprintf(buf, sizeof(buf), "%spresent P 0x50000000 1 folio 1 order 0 "
		 "idx 0\n", hdr);
	CHECK(error_is(buf, "x.snap:4:"));
	snprintf(buf, sizeof(buf), "%szero P 0x40000000 1 wobbly\n", hdr);
	CHECK(error_is(buf, "x.snap:4:21: expected a flag"));
	snprintf(buf, sizeof(buf), "%sset khugepaged/max_ptes_none 999\n", hdr);
	CHECK(error_is(buf, "x.snap:4:"));
	CHECK(error_is("foliosim-snapshot 1\nvma P 0 4096\n",
		       "x.snap:2:5: unknown process"));
	return true;
}

static bool state_is(struct fsim_machine *m, struct mm_struct *mm,
		     unsigned long a, enum fsim_page_state st, unsigned order,
		     bool pmd)
{
	struct fsim_page_info pi = tm_info(m, mm, a);

	if (pi.state != st || (st == FSIM_PAGE_PRESENT && pi.order != order) ||
	    pi.pmd_mapped != pmd) {
		printf("# 0x%lx: state %d order %u pmd %d\n", a, pi.state,
		       pi.order, pi.pmd_mapped);
		return false;
	}
	return true;
}

static pfn_t pfn_at(struct fsim_machine *m, struct mm_struct *mm,
		    unsigned long a)
{
	struct fsim_page_info pi = tm_info(m, mm, a);

	return pi.state == FSIM_PAGE_PRESENT ? pi.pfn : NO_PFN;
}

static bool replayed(const struct snapshot *s)
{
	struct snap_model sm;
	struct mm_struct *p, *q;
	struct fsim_machine *m;
	content_t got = 1, want = 1;
	char err[256];
	int i;

	CHECK(!snap_replay(s, NULL, NULL, 0, &sm, err, sizeof(err)));
	m = sm.m;
	p = sm.mms[0];
	q = sm.mms[1];
	CHECK_INT(sm.parent[1], ==, 0);
	CHECK_INT(sm.degraded, ==, 0);
	CHECK_INT(sm.missed, ==, 0);
	CHECK_INT(fsim_check(m, stdout), ==, 0);
	/* PMD 0: one THP mapped by a PMD in both */
	CHECK(state_is(m, p, A(0, 0), FSIM_PAGE_PRESENT, 9, true));
	CHECK(state_is(m, q, A(0, 511), FSIM_PAGE_PRESENT, 9, true));
	CHECK(pfn_at(m, p, A(0, 7)) == pfn_at(m, q, A(0, 7)));
	/* PMD 1: four 64 KiB folios, in P only */
	for (i = 0; i < 64; i++)
		CHECK(state_is(m, p, A(1, i), FSIM_PAGE_PRESENT, 4, false));
	CHECK(state_is(m, p, A(1, 64), FSIM_PAGE_NONE, 0, false));
	CHECK(state_is(m, q, A(1, 0), FSIM_PAGE_NONE, 0, false));
	CHECK(pfn_at(m, p, A(1, 16)) != pfn_at(m, p, A(1, 15)) + 1 ||
	      pfn_at(m, p, A(1, 16)) % 16 == 0);
	/* the zero-filled folio reads zeros, the others do not */
	CHECK(!fsim_read(m, p, A(1, 48), &got, &want) && got == 0);
	CHECK(!fsim_read(m, p, A(1, 0), &got, &want) && got != 0);
	/* PMD 2: small pages, a zero page, a swap entry */
	CHECK(state_is(m, p, A(2, 2), FSIM_PAGE_PRESENT, 0, false));
	CHECK(state_is(m, p, A(2, 3), FSIM_PAGE_ZERO, 0, false));
	CHECK(state_is(m, p, A(2, 4), FSIM_PAGE_SWAP, 0, false));
	CHECK(state_is(m, p, A(2, 5), FSIM_PAGE_NONE, 0, false));
	/* PMD 3: half a THP, PTE-mapped, shared page for page */
	for (i = 0; i < 256; i += 51) {
		CHECK(state_is(m, p, A(3, i), FSIM_PAGE_PRESENT, 9, false));
		CHECK(pfn_at(m, p, A(3, i)) == pfn_at(m, q, A(3, i)));
	}
	CHECK(state_is(m, p, A(3, 256), FSIM_PAGE_NONE, 0, false));
	snap_model_free(&sm);
	return true;
}

static const struct whatif_pmd *pmd_of(const struct whatif_result *r,
				       int proc, int pmd)
{
	int i;

	for (i = 0; i < r->nr_pmds; i++)
		if (r->pmds[i].proc == proc && r->pmds[i].addr == A(pmd, 0))
			return &r->pmds[i];
	return NULL;
}

static bool verdict(const struct whatif_result *r, int proc, int pmd,
		    const char *status)
{
	const struct whatif_pmd *p = pmd_of(r, proc, pmd);

	CHECK(p);
	printf("# proc %d pmd %d: %s (%s) none_or_zero=%d\n", proc, pmd,
	       p->collapsed ? "collapse" : "no", p->status, p->none_or_zero);
	return status ? !p->collapsed && !strcmp(p->status, status)
		      : p->collapsed;
}

static bool whatif(const struct snapshot *s)
{
	const char *none0[] = { "khugepaged/max_ptes_none=0" };
	struct whatif_result r;
	char err[256];

	CHECK(!whatif_run(s, "v6.18", NULL, 0, &r, err, sizeof(err)));
	CHECK_INT(r.violations, ==, 0);
	CHECK(verdict(&r, 0, 0, "page_pmd_mapped"));
	CHECK(verdict(&r, 0, 1, NULL));
	CHECK(verdict(&r, 0, 2, "lack_referenced_page"));
	CHECK(verdict(&r, 0, 3, NULL));
	CHECK(verdict(&r, 1, 1, "exceed_none_pte"));
	CHECK(verdict(&r, 1, 3, NULL));	/* every mapped page counts as young */
	CHECK(r.thp_after - r.thp_before == 3 * PMD_SIZE);
	CHECK(r.before[0].pmd_kb == 2048 && r.before[0].partial_kb == 1024 &&
	      r.before[0].pte_aligned_kb[4] == 256);
	CHECK(r.after[0].pmd_kb == 6144 && r.after[0].anon_kb == 6144 + 12);
	whatif_free(&r);

	CHECK(!whatif_run(s, "v6.18", none0, 1, &r, err, sizeof(err)));
	CHECK(verdict(&r, 0, 1, "exceed_none_pte"));
	CHECK(verdict(&r, 0, 3, "exceed_none_pte"));
	CHECK(r.thp_after == r.thp_before && r.anon_after == r.anon_before);
	whatif_free(&r);
	return true;
}

int main(void)
{
	struct snapshot s;
	char err[256];

	if (snap_read_file(SNAP, &s, err, sizeof(err))) {
		tap_run(false, "read %s: %s", SNAP, err);
		return tap_done();
	}
	TEST(roundtrip(&s), "a snapshot written and parsed again is the same");
	TEST(parse_errors(), "bad snapshot files: file:line:col messages");
	TEST(replayed(&s), "replay: checker clean, pages where the file says");
	TEST(whatif(&s), "whatif: per-PMD verdicts under max_ptes_none 511/0");
	snap_free(&s);
	return tap_done();
}
