// SPDX-License-Identifier: GPL-2.0-only
/*
 * whatif: rebuild, measure, run khugepaged ("khugepaged 1" of the
 * language: full scans until one collapses nothing), measure again.  A
 * PMD's verdict is "collapsed" if any of its scans collapsed it, else the
 * result of its last scan with that scan's counts.
 */
#include <stdlib.h>
#include <string.h>

#include "whatif.h"

static void totals(struct snap_model *sm, int nr, uint64_t *anon,
		   uint64_t *thp)
{
	struct fsim_smaps sm_out;
	int i;

	*anon = fsim_anon_bytes(sm->m);
	*thp = 0;
	for (i = 0; i < nr; i++) {
		fsim_mm_smaps(sm->m, sm->mms[i], &sm_out);
		*thp += sm_out.anon_huge;
	}
}

static void vma_stats(const struct snapshot *s, struct snap_model *sm,
		      struct thp_stats *out)
{
	int i;

	for (i = 0; i < s->nr_vmas; i++)
		thp_stats_of(sm->m, sm->mms[s->vmas[i].proc],
			     s->vmas[i].start, s->vmas[i].end, &out[i]);
}

static int proc_of(const struct snapshot *s, struct snap_model *sm, int idx)
{
	int i;

	for (i = 0; i < s->nr_procs; i++)
		if (sm->mms[i] && fsim_mm_idx(sm->mms[i]) == idx)
			return i;
	return -1;
}

struct rec {
	struct fsim_scan_record r;
	int proc;
	size_t seq;
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->proc != y->proc)
		return x->proc - y->proc;
	if (x->r.addr != y->r.addr)
		return x->r.addr < y->r.addr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Fold the scan records into one verdict per PMD, in address order. */
static int verdicts(const struct snapshot *s, struct snap_model *sm,
		    size_t from, struct whatif_result *r)
{
	size_t n = fsim_nr_scan_records(sm->m), i, nr = 0;
	struct rec *v = calloc(n - from + 1, sizeof(*v));

	r->pmds = calloc(n - from + 1, sizeof(*r->pmds));
	if (!v || !r->pmds) {
		free(v);
		return -1;
	}
	for (i = from; i < n; i++) {
		fsim_scan_record(sm->m, i, &v[nr].r);
		v[nr].proc = proc_of(s, sm, v[nr].r.mm_idx);
		v[nr].seq = i;
		if (v[nr].proc >= 0 && v[nr].r.is_khugepaged)
			nr++;
	}
	qsort(v, nr, sizeof(*v), cmp_rec);
	for (i = 0; i < nr; i++) {
		struct whatif_pmd *p = r->nr_pmds ? &r->pmds[r->nr_pmds - 1]
						  : NULL;

		if (!p || p->proc != v[i].proc || p->addr != v[i].r.addr) {
			p = &r->pmds[r->nr_pmds++];
			p->proc = v[i].proc;
			p->addr = v[i].r.addr;
		}
		if (p->collapsed)
			continue;
		p->collapsed = v[i].r.succeeded;
		p->status = v[i].r.status;
		p->referenced = v[i].r.referenced;
		p->none_or_zero = v[i].r.none_or_zero;
		p->unmapped = v[i].r.unmapped;
	}
	free(v);
	return 0;
}

int whatif_run(const struct snapshot *s, const char *profile,
	       const char *const *sets, int nr_sets, struct whatif_result *r,
	       char *err, size_t errlen)
{
	struct snap_model sm;
	size_t from;

	memset(r, 0, sizeof(*r));
	if (snap_replay(s, profile, sets, nr_sets, &sm, err, errlen))
		return -1;
	r->degraded = sm.degraded;
	r->missed = sm.missed;
	r->before = calloc((size_t)s->nr_vmas + 1, sizeof(*r->before));
	r->after = calloc((size_t)s->nr_vmas + 1, sizeof(*r->after));
	if (!r->before || !r->after) {
		snprintf(err, errlen, "out of memory");
		snap_model_free(&sm);
		whatif_free(r);
		return -1;
	}
	totals(&sm, s->nr_procs, &r->anon_before, &r->thp_before);
	vma_stats(s, &sm, r->before);
	from = fsim_nr_scan_records(sm.m);
	r->passes = fsim_khugepaged(sm.m, 1);
	totals(&sm, s->nr_procs, &r->anon_after, &r->thp_after);
	vma_stats(s, &sm, r->after);
	r->violations = fsim_check(sm.m, NULL);
	if (verdicts(s, &sm, from, r)) {
		snprintf(err, errlen, "out of memory");
		snap_model_free(&sm);
		whatif_free(r);
		return -1;
	}
	snap_model_free(&sm);
	return 0;
}

void whatif_free(struct whatif_result *r)
{
	free(r->pmds);
	free(r->before);
	free(r->after);
	memset(r, 0, sizeof(*r));
}
