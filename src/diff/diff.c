// SPDX-License-Identifier: GPL-2.0-only
/*
 * 'foliosim diff': step the model and the kernel through the same
 * scenario and compare their observations after every statement that can
 * change state, stopping at the first difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel/exec_kernel.h"

static const char *const per_pass[] = {
	"thp_scan_exceed_none_pte",
	"thp_scan_exceed_swap_pte",
	"thp_scan_exceed_share_pte",
};

/* {========== set-up ==========} */

static int side_alloc(struct dside *sd, const struct kx_diff *d)
{
	size_t n = (size_t)d->s->nr_procs * d->npages + 1;

	sd->alive = calloc((size_t)d->s->nr_procs + 1, sizeof(*sd->alive));
	sd->pg = calloc(n, sizeof(*sd->pg));
	sd->label = calloc(n, sizeof(*sd->label));
	return sd->alive && sd->pg && sd->label ? 0 : -1;
}

static void side_free(struct dside *sd)
{
	free(sd->alive);
	free(sd->pg);
	free(sd->label);
}

static int diff_alloc(struct kx_diff *d)
{
	size_t n;
	int i;

	d->nr_spans = kx_spans_build(d->s, &d->spans);
	if (d->nr_spans < 0)
		return -1;
	d->span_off = calloc((size_t)d->nr_spans + 1, sizeof(*d->span_off));
	if (!d->span_off)
		return -1;
	for (i = 0; i < d->nr_spans; i++) {
		d->span_off[i] = d->npages;
		d->npages += (d->spans[i].end - d->spans[i].start) /
			     SCN_PAGE_SIZE;
	}
	n = (size_t)d->s->nr_procs * d->npages + 1;
	d->bad = calloc(n, 1);
	d->vm_m = calloc((size_t)exec_nr_vmstat_names, sizeof(int64_t));
	d->vm_k = calloc((size_t)exec_nr_vmstat_names, sizeof(int64_t));
	d->vm_bad = calloc((size_t)exec_nr_vmstat_names, sizeof(bool));
	if (!d->bad || !d->vm_m || !d->vm_k || !d->vm_bad)
		return -1;
	return side_alloc(&d->m, d) || side_alloc(&d->k, d);
}

static void diff_free(struct kx_diff *d)
{
	side_free(&d->m);
	side_free(&d->k);
	free(d->spans);
	free(d->span_off);
	free(d->bad);
	free(d->vm_m);
	free(d->vm_k);
	free(d->vm_bad);
}

int64_t kx_diff_index(const struct kx_diff *d, uint64_t addr)
{
	int lo = 0, hi = d->nr_spans;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (d->spans[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == d->nr_spans || d->spans[lo].start > addr)
		return -1;
	return (int64_t)(d->span_off[lo] +
			 (addr - d->spans[lo].start) / SCN_PAGE_SIZE);
}

/* {========== observing one side ==========} */

struct frame_ref {
	uint64_t frame, entry;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct frame_ref *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Each present entry's label: the first entry mapping the same frame. */
static int label_sharing(const struct kx_diff *d, struct dside *sd)
{
	size_t n = (size_t)d->s->nr_procs * d->npages, k = 0, i;
	struct frame_ref *v = malloc((n + 1) * sizeof(*v));

	if (!v)
		return -1;
	for (i = 0; i < n; i++) {
		sd->label[i] = NO_LABEL;
		if (sd->pg[i].state == OBS_PRESENT)
			v[k++] = (struct frame_ref){ sd->pg[i].frame, i };
	}
	qsort(v, k, sizeof(*v), cmp_ref);
	for (i = 0; i < k; i++)
		sd->label[v[i].entry] = i && v[i].frame == v[i - 1].frame ?
						sd->label[v[i - 1].entry] :
						v[i].entry;
	free(v);
	return 0;
}

static int observe_side(const struct kx_diff *d, struct dside *sd)
{
	int p, k;

	sd->obs = sd->run.ops->observer(sd->run.x);
	memset(sd->pg, 0, (size_t)d->s->nr_procs * d->npages *
				  sizeof(*sd->pg));
	for (p = 0; p < d->s->nr_procs; p++) {
		sd->alive[p] = sd->obs->alive(sd->obs->ctx, p);
		for (k = 0; sd->alive[p] && k < d->nr_spans; k++)
			sd->obs->pages(sd->obs->ctx, p, d->spans[k].start,
				       (d->spans[k].end - d->spans[k].start) /
					       SCN_PAGE_SIZE,
				       sd->pg + (size_t)p * d->npages +
					       d->span_off[k]);
	}
	return label_sharing(d, sd);
}

/* {========== comparing ==========} */

static uint8_t page_diff(const struct obs_page *a, const struct obs_page *b)
{
	uint8_t bad = 0;

	if (a->state != b->state)
		return D_STATE;
	if ((a->state == OBS_PRESENT || a->state == OBS_ZERO) &&
	    a->pmd_mapped != b->pmd_mapped)
		bad |= D_PMD;
	if (a->state == OBS_PRESENT && a->order != b->order)
		bad |= D_ORDER;
	if (a->state == OBS_PRESENT && a->ksm != b->ksm)
		bad |= D_KSM;
	return bad;
}

static bool compare_pages(struct kx_diff *d)
{
	size_t n = (size_t)d->s->nr_procs * d->npages, i;
	bool any = false;
	int p;

	d->alive_bad = false;
	d->zero_page = false;
	for (p = 0; p < d->s->nr_procs; p++)
		d->alive_bad |= d->m.alive[p] != d->k.alive[p];
	for (i = 0; i < n; i++) {
		d->bad[i] = page_diff(&d->m.pg[i], &d->k.pg[i]);
		d->zero_page |= d->bad[i] && (d->m.pg[i].state == OBS_ZERO ||
					      d->k.pg[i].state == OBS_ZERO);
		if (!d->bad[i] && d->m.label[i] != d->k.label[i])
			d->bad[i] = D_SHARE;
		any |= d->bad[i] != 0;
	}
	return any || d->alive_bad;
}

static bool is_per_pass(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(per_pass) / sizeof(per_pass[0]); i++)
		if (!strcmp(name, per_pass[i]))
			return true;
	return false;
}

static bool compare_vmstat(struct kx_diff *d)
{
	bool any = false;
	int i;

	for (i = 0; i < exec_nr_vmstat_names; i++) {
		const char *name = exec_vmstat_names[i];
		int64_t a = 0, b = 0;

		d->m.obs->vmstat(d->m.obs->ctx, name, &a);
		d->k.obs->vmstat(d->k.obs->ctx, name, &b);
		d->vm_m[i] = a;
		d->vm_k[i] = b;
		d->vm_bad[i] = is_per_pass(name) ? !a != !b : a != b;
		any |= d->vm_bad[i];
	}
	return any;
}

static bool compare_collapse(struct kx_diff *d, int op)
{
	const struct scn_op *o = &d->s->ops[op];

	d->collapse_bad = o->kind == SCN_MADVISE &&
			  o->advice == SCN_ADV_COLLAPSE &&
			  !d->m.r.collapse_err[op] != !d->k.r.collapse_err[op];
	return d->collapse_bad;
}

/* Compare both sides now; -1 when out of memory, 1 on a difference. */
static int compare(struct kx_diff *d, int op)
{
	bool pages, vm, col, scans = false;

	if (observe_side(d, &d->m) || observe_side(d, &d->k))
		return -1;
	pages = compare_pages(d);
	vm = compare_vmstat(d);
	col = compare_collapse(d, op);
	if (d->o->trace || d->o->why)
		scans = kx_diff_compare_scans(d);
	return pages || vm || col || scans;
}

/* {========== the run ==========} */

static bool changes_state(const struct scn_op *op)
{
	return op->kind != SCN_EXPECT && op->kind != SCN_SHOW;
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

/* A statement failed on one side or both: say so; the worse status. */
static int step_failed(struct kx_diff *d, int op, int sm, int sk)
{
	FILE *f = d->o->out;

	fprintf(f, "%s:%d:%d: after '%s': cannot compare\n", d->s->path,
		d->s->ops[op].line, d->s->ops[op].col, d->s->ops[op].text);
	if (sm != EXEC_OK || d->m.r.data_lost)
		fprintf(f, "  %s: %s\n", d->m.name, d->m.r.error);
	if (sk != EXEC_OK || d->k.r.data_lost)
		fprintf(f, "  %s: %s\n", d->k.name, d->k.r.error);
	if (d->m.r.data_lost || d->k.r.data_lost)
		sm = worst(sm, EXEC_DATA_LOST);
	return worst(sm, sk);
}

static int step_all(struct kx_diff *d, int *compared)
{
	int i, sm, sk, c;

	for (i = 0; i < d->s->nr_ops; i++) {
		d->scan_m = d->m.r.nr_scans;
		d->scan_k = d->k.r.nr_scans;
		sm = (int)d->m.run.ops->step(d->m.run.x, i);
		sk = (int)d->k.run.ops->step(d->k.run.x, i);
		if (sm != EXEC_OK || sk != EXEC_OK || d->m.r.data_lost ||
		    d->k.r.data_lost)
			return step_failed(d, i, sm, sk);
		if (!changes_state(&d->s->ops[i]))
			continue;
		c = compare(d, i);
		if (c < 0) {
			fprintf(d->o->out, "%s: out of memory\n", d->s->path);
			return EXEC_CANNOT_RUN;
		}
		(*compared)++;
		if (c) {
			d->first_op = i;
			kx_diff_report(d, i);
			if (d->o->verdict)
				kx_diff_classify(d, i, d->o->verdict);
			return EXEC_FAILED;
		}
	}
	return EXEC_OK;
}

/*
 * The model setting (index into zero_sets) that makes the model this
 * kernel as probed: a kernel that maps no zero page at read faults, or no
 * huge one; -1 for one that maps both (or where the probe could not tell).
 */
static const char *const zero_sets[] = { "model/zero_page=0",
					 "model/huge_zero_page=0" };
static const char *const zero_whys[] = {
	"as this kernel maps no zero page at read faults",
	"as this kernel maps no huge zero page at read faults",
};

static int zero_set(const struct kx_zero_page *z)
{
	if (!z->small)
		return 0;
	return z->huge ? -1 : 1;
}

static int begin(struct kx_diff *d, struct kx_guard *g)
{
	struct exec_kernel_opts ko = { .scans = d->o->trace || d->o->why,
				       .why = d->o->why };
	char err[256];
	int set;

	if (kx_zero_probe(g, &d->zero, err, sizeof(err))) {
		fprintf(d->o->out, "%s: kernel: %s\n", d->s->path, err);
		return EXEC_CANNOT_RUN;
	}
	/* the model keeps a pointer to its options for the whole run */
	d->mo = (struct exec_model_opts){ .profile = d->o->profile,
					  .shared_pred = -1, .keeper = true,
					  .trace = d->o->trace || d->o->why,
					  .why = d->o->why };
	set = zero_set(&d->zero);
	if (set >= 0) {
		d->zero_set = zero_sets[set];
		d->zero_why = zero_whys[set];
		d->mo.sets = &zero_sets[set];
		d->mo.nr_sets = 1;
	}
	if (exec_model_begin(d->s, &d->mo, &d->m.r, &d->m.run)) {
		fprintf(d->o->out, "%s\n", d->m.r.error);
		return EXEC_CANNOT_RUN;
	}
	d->m.begun = true;
	snprintf(d->m.name, sizeof(d->m.name), "model %s", d->m.r.profile);
	snprintf(d->k.name, sizeof(d->k.name), "kernel");
	if (exec_kernel_begin(d->s, g, &ko, &d->k.r, &d->k.run)) {
		fprintf(d->o->out, "%s\n", d->k.r.error);
		return EXEC_CANNOT_RUN;
	}
	d->k.begun = true;
	return EXEC_OK;
}

/* The picture, if asked for; its status (2 when it cannot be written). */
static int write_svg(const struct kx_diff *d, int op)
{
	if (!d->o->svg || !kx_diff_svg(d, op, d->o->svg))
		return EXEC_OK;
	fprintf(stderr, "foliosim: cannot write '%s': %s\n", d->o->svg,
		strerror(errno));
	return EXEC_BAD_INPUT;
}

static void finish(struct kx_diff *d)
{
	if (d->m.begun)
		d->m.run.ops->finish(d->m.run.x);
	if (d->k.begun)
		d->k.run.ops->finish(d->k.run.x);
	d->m.begun = d->k.begun = false;
}

/* The pass (0: MADV_COLLAPSE) of scan @i, or -1 when there is none. */
static long scan_pass(const struct exec_result *r, int i)
{
	return i >= 0 ? r->scans[i].pass : -1;
}

/*
 * Same verdict: the kind; for a THP, the pass that collapsed it; for a
 * PMD scanned, its last scan's result and pass; for one not eligible, what
 * stops it.  A PMD the model keeps from khugepaged for want of an anon_vma
 * or of a place on khugepaged's list, which the kernel does not show, is
 * the same as one the kernel saw eligible and nothing scanned; so is a
 * PMD the model scanned where the kernel has scans it could not place
 * (its last scan may be one of them).
 */
static bool same_why(const struct exec_result *m, const struct exec_why *a,
		     const struct exec_result *k, const struct exec_why *b)
{
	if (b->elig == ELIG_UNSEEN && a->kind == EXEC_WHY_INELIGIBLE &&
	    (a->elig == ELIG_NO_ANON_VMA || a->elig == ELIG_NOT_LISTED))
		return b->kind == EXEC_WHY_UNSCANNED;
	/* the kernel's (last) scan of it may be one it could not place */
	if (a->kind == EXEC_WHY_SCANNED && b->unplaced &&
	    (b->kind == EXEC_WHY_UNSCANNED || b->kind == EXEC_WHY_SCANNED))
		return true;
	if (a->kind != b->kind ||
	    scan_pass(m, a->collapsed) != scan_pass(k, b->collapsed))
		return false;
	switch (a->kind) {
	case EXEC_WHY_SCANNED:
		return scan_pass(m, a->scan) == scan_pass(k, b->scan) &&
		       m->scans[a->scan].status == k->scans[b->scan].status;
	case EXEC_WHY_INELIGIBLE:
		return a->elig == b->elig;
	default:
		return true;
	}
}

/*
 * --why: after a run that agreed, the verdict of every PMD on both sides
 * (the maps agree, so a difference is in a scan or in eligibility).
 * Returns EXEC_FAILED at the first difference, printed.
 */
static int compare_whys(struct kx_diff *d)
{
	const struct exec_result *m = &d->m.r, *k = &d->k.r;
	char a[256], b[256];
	int i;

	if (!m->why || !k->why || m->nr_whys != k->nr_whys) {
		fprintf(d->o->out, "%s: --why: no verdicts to compare\n",
			d->s->path);
		return EXEC_CANNOT_RUN;
	}
	for (i = 0; i < m->nr_whys; i++) {
		const struct exec_why *w = &m->whys[i];

		if (same_why(m, w, k, &k->whys[i]))
			continue;
		exec_why_format(m, w, a, sizeof(a));
		exec_why_format(k, &k->whys[i], b, sizeof(b));
		if (d->o->verdict) {
			struct kx_diff_verdict *v = d->o->verdict;

			v->op = d->s->nr_ops - 1;
			snprintf(v->what, sizeof(v->what), "why:%s/%s",
				 exec_why_kind_name(w->kind),
				 exec_why_kind_name(k->whys[i].kind));
			snprintf(v->detail, sizeof(v->detail),
				 "%s %s PMD %#llx: model %.60s, kernel %.60s",
				 d->s->procs[w->proc],
				 d->s->regions[w->region].name,
				 (unsigned long long)w->addr, a, b);
		}
		fprintf(d->o->out, "%s: at the end, %s %s PMD %#llx:\n"
			"  %s: %s\n  %s: %s\n", d->s->path,
			d->s->procs[w->proc], d->s->regions[w->region].name,
			(unsigned long long)w->addr, d->m.name, a, d->k.name,
			b);
		return EXEC_FAILED;
	}
	return EXEC_OK;
}

int kx_diff(const struct scn_scenario *s, struct kx_guard *g,
	    const struct kx_diff_opts *o)
{
	struct kx_diff d = { .s = s, .o = o, .scan_bad = -1 };
	char scans[48] = "";
	int st, compared = 0;

	if (o->verdict)
		*o->verdict = (struct kx_diff_verdict){ .op = -1 };
	if (diff_alloc(&d)) {
		fprintf(o->out, "%s: out of memory\n", s->path);
		diff_free(&d);
		return EXEC_CANNOT_RUN;
	}
	st = begin(&d, g);
	if (st == EXEC_OK)
		st = step_all(&d, &compared);
	if (st == EXEC_OK || st == EXEC_FAILED)
		st = worst(st, write_svg(&d, st == EXEC_OK ? -1 : d.first_op));
	finish(&d);
	if (st == EXEC_OK && o->why)
		st = compare_whys(&d);
	if (st == EXEC_OK && o->why)
		snprintf(scans, sizeof(scans), ", %ld PMD scans, %d PMD "
			 "verdicts", d.scans_compared, d.m.r.nr_whys);
	else if (st == EXEC_OK && o->trace)
		snprintf(scans, sizeof(scans), ", %ld PMD scans",
			 d.scans_compared);
	if (st == EXEC_OK)
		fprintf(o->out, "%s: %s and kernel %s agree after every "
			"statement (%d compared%s%s%s%s%s)\n", s->path,
			d.m.name, d.k.r.release, compared, scans,
			d.zero_set ? "; " : "", d.zero_set ? d.zero_set : "",
			d.zero_set ? " " : "", d.zero_set ? d.zero_why : "");
	exec_result_free(&d.m.r);
	exec_result_free(&d.k.r);
	diff_free(&d);
	return st;
}
