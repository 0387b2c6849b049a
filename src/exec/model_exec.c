// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model executor: run a parsed scenario on a fresh model machine under
 * one profile, verify every read, evaluate the expectations, and observe
 * the final state through the common observer interface.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "model/model.h"

struct model_run {
	const struct scn_scenario *s;
	const struct exec_model_opts *o;
	struct exec_result *r;
	struct thp_settings set;
	struct fsim_machine *m;
	struct mm_struct **procs;
	struct mm_struct *keeper;	/* exec_model_opts.keeper */
	size_t scans_seen;		/* khugepaged records already taken */
	struct exec_observer obs;
};

/* observer callbacks */

static int mx_pages(void *ctx, int proc, uint64_t addr, unsigned long n,
		    struct obs_page *out)
{
	struct model_run *x = ctx;
	struct fsim_page_info info;
	unsigned long i;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (!x->procs[proc])
			continue;
		fsim_page_info(x->m, x->procs[proc], addr + i * SCN_PAGE_SIZE,
			       &info);
		out[i].state = info.state == FSIM_PAGE_PRESENT ? OBS_PRESENT :
			       info.state == FSIM_PAGE_ZERO	? OBS_ZERO :
			       info.state == FSIM_PAGE_SWAP	? OBS_SWAP :
								  OBS_NONE;
		out[i].order = (uint8_t)info.order;
		out[i].pmd_mapped = info.pmd_mapped;
		out[i].ksm = info.ksm;
		out[i].frame = info.pfn;
	}
	return 0;
}

static bool mx_alive(void *ctx, int proc)
{
	struct model_run *x = ctx;

	return x->procs[proc] && fsim_mm_alive(x->procs[proc]);
}

static void mx_smaps(void *ctx, int proc, uint64_t *rss, uint64_t *huge,
		     uint64_t *swap)
{
	struct model_run *x = ctx;
	struct fsim_smaps sm;

	fsim_mm_smaps(x->m, x->procs[proc], &sm);
	*rss = sm.rss >> 10;
	*huge = sm.anon_huge >> 10;
	*swap = sm.swap >> 10;
}

static bool mx_vmstat(void *ctx, const char *name, int64_t *delta)
{
	struct model_run *x = ctx;
	int i = vm_event_lookup(name);

	if (i < 0)
		return false;
	*delta = x->m ? (int64_t)fsim_vm_event(x->m, i) : 0;
	return true;
}

static void mx_memory(void *ctx, uint64_t *anon_kb, uint64_t *thp_kb)
{
	struct model_run *x = ctx;

	struct fsim_smaps sm = { 0 };

	if (x->keeper)
		fsim_mm_smaps(x->m, x->keeper, &sm);
	*anon_kb = x->m ? (fsim_anon_bytes(x->m) - sm.rss) >> 10 : 0;
	*thp_kb = x->m ? (fsim_thp_bytes(x->m) - sm.anon_huge) >> 10 : 0;
}

static enum pmd_elig mx_pmd_eligible(void *ctx, int proc, uint64_t addr,
				     char *why, size_t len)
{
	struct model_run *x = ctx;

	return fsim_pmd_eligible(x->m, x->procs[proc], addr, why, len);
}

/* Report a run-time error at @op's position and stop the run. */
#define op_error(x, op, st, ...) \
	exec_op_error((x)->r, (x)->s, (op), "", (st), __VA_ARGS__)

/*
 * The kernel executor's keeper (exec_model_opts.keeper): registered first,
 * its every page written (so the underused shrinker leaves it), collapsed
 * if the fault gave no THP; the events of its set-up are not the run's.
 * Without room for it the run goes on without it.
 */
static struct mm_struct *keeper_setup(struct model_run *x)
{
	struct mm_struct *mm = fsim_spawn(x->m);
	struct fsim_page_info info;
	unsigned long i;

	if (!mm || fsim_mmap(x->m, mm, EXEC_KEEPER_ADDR, PMD_SIZE) ||
	    fsim_madvise(x->m, mm, EXEC_KEEPER_ADDR, PMD_SIZE,
			 FSIM_MADV_HUGEPAGE))
		return NULL;
	for (i = 0; i < PMD_SIZE; i += PAGE_SIZE)
		if (fsim_write(x->m, mm, EXEC_KEEPER_ADDR + i,
			       fsim_unique_content(x->m)))
			return NULL;
	if (!fsim_page_info(x->m, mm, EXEC_KEEPER_ADDR, &info) &&
	    !info.pmd_mapped)
		fsim_madvise(x->m, mm, EXEC_KEEPER_ADDR, PMD_SIZE,
			     FSIM_MADV_COLLAPSE);
	return mm;
}

static void thread_start_pass(struct model_run *x);

/*
 * The kernel executor starts its keeper under the default tunables,
 * before any statement (so it is registered even if the scenario begins
 * with 'set enabled never'); the scenario's settings apply after it, its
 * leading 'set' statements one by one: one that starts the khugepaged
 * thread again (after one that stopped it) makes the new thread's pass.
 */
static void start_keeper(struct model_run *x)
{
	struct thp_settings cur;
	char err[160];
	bool thread;
	int i;

	settings_init_defaults(&cur);
	fsim_load_settings(x->m, &cur);
	x->keeper = keeper_setup(x);
	thread = fsim_khugepaged_thread(x->m);
	for (i = 0; i < x->s->nr_ops && x->s->ops[i].kind == SCN_SET; i++) {
		if (setting_apply(&cur, x->s->ops[i].path, x->s->ops[i].setval,
				  err, sizeof(err)))
			continue;	/* refused already, into x->set */
		fsim_load_settings(x->m, &cur);
		if (!thread && fsim_khugepaged_thread(x->m))
			thread_start_pass(x);
		thread = fsim_khugepaged_thread(x->m);
	}
	fsim_load_settings(x->m, &x->set);	/* with --set's */
	if (!thread && fsim_khugepaged_thread(x->m))
		thread_start_pass(x);
	fsim_scenario_start(x->m);
}

static enum exec_status ensure_machine(struct model_run *x,
				       const struct scn_op *op)
{
	struct fsim_profile p = *profile_default();
	char err[160];
	int i;

	if (x->m)
		return EXEC_OK;
	if (x->o->profile && profile_resolve(x->o->profile, &p, err,
					     sizeof(err)))
		return op_error(x, op, EXEC_BAD_INPUT, "%s", err);
	x->m = fsim_new(&x->set, &p);
	if (!x->m)
		return op_error(x, op, EXEC_BAD_INPUT,
				"cannot create a machine with these sizes");
	if (x->o->shared_pred >= 0)
		fsim_set_shared_pred(x->m, x->o->shared_pred);
	fsim_track_truth(x->m, x->o->track_truth);
	for (i = 0; i < x->o->nr_forces; i++)
		fsim_force_point(x->m, (enum kh_point)x->o->forces[i].point,
				 x->o->forces[i].value ? KH_FORCE_TRUE :
							 KH_FORCE_FALSE);
	if (x->o->keeper)
		start_keeper(x);
	x->scans_seen = fsim_nr_scan_records(x->m);
	return EXEC_OK;
}

/* Apply a setting; before the machine exists it goes into its settings. */
static int apply_setting(struct model_run *x, const char *path,
			 const char *value, char *err, size_t len)
{
	if (!x->m)
		return setting_apply(&x->set, path, value, err, len);
	if (fsim_set(x->m, path, value)) {
		snprintf(err, len, "%s", fsim_strerror(x->m));
		return -1;
	}
	return 0;
}

/*
 * With the keeper, as the kernel executor does when a 'set' starts the
 * khugepaged thread (kx_set_enabled()): the new thread's immediate pass,
 * with pages_to_scan 1, which leaves the cursor past the keeper's PMD.
 * It belongs to no statement: not counted, and its scans are dropped.
 */
static void thread_start_pass(struct model_run *x)
{
	fsim_khugepaged_start_pass(x->m, 1);
	x->scans_seen = fsim_nr_scan_records(x->m);
}

static enum exec_status do_set(struct model_run *x, const struct scn_op *op)
{
	bool thread = x->m && x->keeper && fsim_khugepaged_thread(x->m);
	char err[160];

	if (apply_setting(x, op->path, op->setval, err, sizeof(err)))
		return op_error(x, op, EXEC_BAD_INPUT, "%s", err);
	if (x->m && x->keeper && !thread && fsim_khugepaged_thread(x->m))
		thread_start_pass(x);
	return EXEC_OK;
}

static uint64_t range_addr(const struct model_run *x, const struct scn_op *op)
{
	return x->s->regions[op->range.region].addr +
	       (uint64_t)op->range.start * SCN_PAGE_SIZE;
}

static uint64_t range_len(const struct scn_op *op)
{
	return (uint64_t)(op->range.end - op->range.start) * SCN_PAGE_SIZE;
}

static enum exec_status do_read(struct model_run *x, const struct scn_op *op)
{
	uint64_t addr = range_addr(x, op), i, n = range_len(op) / SCN_PAGE_SIZE;
	content_t got, want;

	for (i = 0; i < n; i++) {
		struct mm_struct *mm = x->procs[op->proc];

		if (fsim_read(x->m, mm, addr + i * SCN_PAGE_SIZE, &got, &want))
			return op_error(x, op, EXEC_BAD_INPUT, "read: %s",
					fsim_strerror(x->m));
		if (got != want && !x->r->data_lost++)
			op_error(x, op, EXEC_DATA_LOST,
				 "data lost: page %llu of %s holds %#x, "
				 "process %s last wrote %#x",
				 (unsigned long long)(op->range.start + i),
				 x->s->regions[op->range.region].name, got,
				 x->s->procs[op->proc], want);
	}
	return EXEC_OK;
}

static enum exec_status do_write(struct model_run *x, const struct scn_op *op)
{
	uint64_t addr = range_addr(x, op), i, n = range_len(op) / SCN_PAGE_SIZE;

	for (i = 0; i < n; i++) {
		content_t c = op->write_kind == SCN_WRITE_ZERO ? 0 :
			      op->write_kind == SCN_WRITE_VALUE ?
				      fsim_value_content(x->m, op->value) :
				      fsim_unique_content(x->m);

		if (fsim_write(x->m, x->procs[op->proc],
			       addr + i * SCN_PAGE_SIZE, c))
			return op_error(x, op, EXEC_BAD_INPUT, "write: %s",
					fsim_strerror(x->m));
	}
	return EXEC_OK;
}

static enum exec_status do_madvise(struct model_run *x, int idx,
				   const struct scn_op *op)
{
	int err = fsim_madvise(x->m, x->procs[op->proc], range_addr(x, op),
			       range_len(op), (enum fsim_advice)op->advice);

	if (op->advice == SCN_ADV_COLLAPSE) {
		x->r->collapse_err[idx] = -err;
		return EXEC_OK;
	}
	if (err && err != -ENOMEM)
		return op_error(x, op, EXEC_BAD_INPUT, "madvise %s: %s",
				scn_advice_names[op->advice],
				fsim_strerror(x->m));
	return EXEC_OK;
}

static enum exec_status check_call(struct model_run *x,
				   const struct scn_op *op, int err,
				   const char *what)
{
	if (!err)
		return EXEC_OK;
	return op_error(x, op, EXEC_BAD_INPUT, "%s: %s", what,
			fsim_strerror(x->m));
}

static enum exec_status do_process_op(struct model_run *x,
				      const struct scn_op *op)
{
	struct mm_struct *mm = x->procs[op->proc];

	switch (op->kind) {
	case SCN_SPAWN:
		x->procs[op->proc] = fsim_spawn(x->m);
		return check_call(x, op, x->procs[op->proc] ? 0 : -ENOMEM,
				  "spawn");
	case SCN_FORK:
		x->procs[op->proc2] = fsim_fork(x->m, mm);
		return check_call(x, op, x->procs[op->proc2] ? 0 : -ENOMEM,
				  "fork");
	case SCN_EXIT:
		return check_call(x, op, fsim_exit(x->m, mm), "exit");
	case SCN_MMAP:
		return check_call(x, op, fsim_mmap(x->m, mm, op->addr, op->size),
				  "mmap");
	case SCN_MUNMAP:
		return check_call(x, op,
				  fsim_munmap(x->m, mm, range_addr(x, op),
					      range_len(op)),
				  "munmap");
	case SCN_MREMAP:
		return check_call(x, op,
				  fsim_mremap(x->m, mm, range_addr(x, op),
					      range_len(op), op->addr,
					      op->size),
				  "mremap");
	case SCN_MPROTECT:
		return check_call(x, op,
				  fsim_mprotect(x->m, mm, range_addr(x, op),
						range_len(op), op->writable),
				  "mprotect");
	default:
		return EXEC_OK;
	}
}

static enum exec_status do_show(struct model_run *x, int idx,
				const struct exec_observer *obs)
{
	const struct scn_op *op = &x->s->ops[idx];
	struct exec_show *sh = &x->r->shows[x->r->nr_shows];

	sh->op = idx;
	sh->cells = exec_map(x->s, obs, op->proc, op->region);
	if (!sh->cells)
		return op_error(x, op, EXEC_BAD_INPUT, "out of host memory");
	x->r->nr_shows++;
	return EXEC_OK;
}

static void do_expect(struct model_run *x, int idx,
		      const struct exec_observer *obs)
{
	const struct scn_op *op = &x->s->ops[idx];
	struct exec_expect *e;

	if (!scn_op_applies(op, x->r->profile))
		return;
	e = &x->r->expects[x->r->nr_expects++];
	e->op = idx;
	e->passed = exec_eval_expect(x->s, op, obs, x->r->collapse_err,
				     e->got, sizeof(e->got));
	if (e->passed)
		x->r->passed++;
	else
		x->r->failed++;
}

static enum exec_status run_op(struct model_run *x, int idx,
			       const struct exec_observer *obs)
{
	const struct scn_op *op = &x->s->ops[idx];
	enum exec_status st;

	if (op->kind == SCN_SET)
		return do_set(x, op);
	st = ensure_machine(x, op);
	if (st)
		return st;
	switch (op->kind) {
	case SCN_READ:
		return do_read(x, op);
	case SCN_WRITE:
		return do_write(x, op);
	case SCN_MADVISE:
		return do_madvise(x, idx, op);
	case SCN_KHUGEPAGED:
		fsim_khugepaged(x->m, op->count);
		return EXEC_OK;
	case SCN_KSM:
		return fsim_ksm(x->m, op->count) ?
			       op_error(x, op, EXEC_BAD_INPUT, "ksm: %s",
					fsim_strerror(x->m)) :
			       EXEC_OK;
	case SCN_SHRINK:
		fsim_shrink(x->m);
		return EXEC_OK;
	case SCN_SHOW:
		return do_show(x, idx, obs);
	case SCN_EXPECT:
		do_expect(x, idx, obs);
		return EXEC_OK;
	default:
		return do_process_op(x, op);
	}
}

/* "--set PATH=VALUE" options, applied before the first statement. */
static enum exec_status apply_cli_sets(struct model_run *x)
{
	char path[128], err[160];
	const char *value;
	int i;

	for (i = 0; i < x->o->nr_sets; i++) {
		const char *arg = x->o->sets[i];

		if (exec_set_split(arg, path, sizeof(path), &value,
				   x->r->error, sizeof(x->r->error)))
			return EXEC_BAD_INPUT;
		if (apply_setting(x, path, value, err, sizeof(err))) {
			snprintf(x->r->error, sizeof(x->r->error),
				 "--set %s: %s", arg, err);
			return EXEC_BAD_INPUT;
		}
	}
	return EXEC_OK;
}

static int alloc_result(struct exec_result *r, const struct scn_scenario *s)
{
	r->expects = calloc((size_t)s->nr_ops + 1, sizeof(*r->expects));
	r->shows = calloc((size_t)s->nr_ops + 1, sizeof(*r->shows));
	r->collapse_err = calloc((size_t)s->nr_ops + 1, sizeof(int));
	return r->expects && r->shows && r->collapse_err ? 0 : -1;
}

static int proc_of(const struct model_run *x, int mm_idx)
{
	int p;

	for (p = 0; p < x->s->nr_procs; p++)
		if (x->procs[p] && fsim_mm_idx(x->procs[p]) == mm_idx)
			return p;
	return -1;
}

/* The max_ptes_* setting that a SCAN_EXCEED_* result passed. */
static int scan_limit(const struct thp_settings *set, enum scan_result r)
{
	switch (r) {
	case SCAN_EXCEED_NONE_PTE:
		return set->max_ptes_none;
	case SCAN_EXCEED_SWAP_PTE:
		return set->max_ptes_swap;
	case SCAN_EXCEED_SHARED_PTE:
		return set->max_ptes_shared;
	default:
		return -1;
	}
}

/* --trace: take the PMD scans statement @idx made (not the keeper's). */
static enum exec_status take_scans(struct model_run *x, int idx)
{
	size_t n = fsim_nr_scan_records(x->m);

	for (; x->scans_seen < n; x->scans_seen++) {
		struct fsim_scan_record rec;
		struct exec_scan sc;

		fsim_scan_record(x->m, x->scans_seen, &rec);
		if (x->keeper && rec.mm_idx == fsim_mm_idx(x->keeper))
			continue;
		sc = (struct exec_scan){
			.op = idx, .pass = (long)rec.pass,
			.proc = proc_of(x, rec.mm_idx), .addr = rec.addr,
			.status = rec.result,
			.none_or_zero = rec.none_or_zero,
			.unmapped = rec.unmapped, .shared = rec.shared,
			.referenced = rec.referenced,
			/* an mTHP attempt's limits are not the sysfs ones */
			.limit = rec.order ? -1 :
					     scan_limit(fsim_get_settings(x->m),
							rec.result),
			.order = rec.order,
		};
		if (exec_scan_add(x->r, &sc))
			return op_error(x, &x->s->ops[idx], EXEC_BAD_INPUT,
					"out of host memory");
	}
	return EXEC_OK;
}

/* exec_run_ops of the model */

static enum exec_status mx_step(void *ctx, int i)
{
	struct model_run *x = ctx;
	struct exec_result *r = x->r;
	enum exec_status st;

	if (r->status != EXEC_OK)
		return r->status;
	st = run_op(x, i, &x->obs);
	if (st == EXEC_OK && x->o->trace && x->m)
		st = take_scans(x, i);
	if (st == EXEC_OK && x->o->check && x->m) {
		int v = fsim_check(x->m, stderr);

		if (v && !r->invariant_violations)
			op_error(x, &x->s->ops[i], EXEC_DATA_LOST,
				 "invariant broken after this statement");
		r->invariant_violations += v;
	}
	r->status = st;
	return st;
}

static const struct exec_observer *mx_observer(void *ctx)
{
	struct model_run *x = ctx;

	return &x->obs;
}

_Static_assert(NR_KH_POINTS <= 64, "exec_result keeps the points in 64 bits");

static void point_bits(const struct fsim_machine *m, struct exec_result *r)
{
	int p;

	for (p = 0; p < NR_KH_POINTS; p++) {
		uint64_t bit = 1ULL << p, evaluated, held;

		fsim_point_counts(m, (enum kh_point)p, &evaluated, &held);
		if (evaluated)
			r->points_evaluated |= bit;
		if (held)
			r->points_held |= bit;
		if (held < evaluated)
			r->points_failed |= bit;
	}
}

static enum exec_status mx_finish(void *ctx)
{
	static const struct scn_op end = { .line = 0 };
	struct model_run *x = ctx;
	struct exec_result *r = x->r;
	enum exec_status st = r->status;

	if (st == EXEC_OK && !x->m)
		st = ensure_machine(x, &end);
	if (st == EXEC_OK && (x->o->metrics_only ?
				      exec_final_metrics(x->s, &x->obs, r) :
				      exec_final(x->s, &x->obs, r)))
		st = EXEC_BAD_INPUT;
	if (x->m) {
		fsim_pred_errors(x->m, &r->pred_fn, &r->pred_fp);
		point_bits(x->m, r);
		r->costed = x->o->cost;
		if (r->costed)
			fsim_mapcount_atomics(x->m, r->atomics);
	}
	if (st == EXEC_OK && (r->data_lost || r->invariant_violations))
		st = EXEC_DATA_LOST;
	if (st == EXEC_OK && r->failed)
		st = EXEC_FAILED;
	fsim_free(x->m);
	free(x->procs);
	free(x);
	r->status = st;
	return st;
}

static const struct exec_run_ops model_run_ops = {
	.step = mx_step,
	.observer = mx_observer,
	.finish = mx_finish,
};

int exec_model_begin(const struct scn_scenario *s,
		     const struct exec_model_opts *o, struct exec_result *r,
		     struct exec_run *run)
{
	struct model_run *x = calloc(1, sizeof(*x));

	memset(r, 0, sizeof(*r));
	*run = (struct exec_run){ &model_run_ops, x, s, r };
	snprintf(r->profile, sizeof(r->profile), "%s",
		 o->profile ? o->profile : profile_default()->name);
	if (!x || !(x->procs = calloc((size_t)s->nr_procs + 1,
				      sizeof(*x->procs))) ||
	    alloc_result(r, s)) {
		free(x);
		r->status = EXEC_BAD_INPUT;
		snprintf(r->error, sizeof(r->error), "out of host memory");
		return -1;
	}
	x->s = s;
	x->o = o;
	x->r = r;
	r->traced = o->trace;
	r->why = o->trace && o->why;
	x->obs = (struct exec_observer){ x, mx_pages, mx_alive, mx_smaps,
					 mx_vmstat, mx_memory,
					 mx_pmd_eligible };
	settings_init_defaults(&x->set);
	r->status = apply_cli_sets(x);
	return 0;
}

enum exec_status exec_run_all(struct exec_run *run)
{
	int i;

	for (i = 0; i < run->s->nr_ops; i++)
		if (run->ops->step(run->x, i) != EXEC_OK)
			break;
	return run->ops->finish(run->x);
}

enum exec_status exec_model(const struct scn_scenario *s,
			    const struct exec_model_opts *o,
			    struct exec_result *r)
{
	struct exec_run run;

	if (exec_model_begin(s, o, r, &run))
		return r->status;
	return exec_run_all(&run);
}
