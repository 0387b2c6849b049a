// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel executor: exec_kernel_begin() and the step / observer /
 * finish of struct exec_run_ops, in the shape of the model executor.
 * Statements are dispatched to exec_setup.c (set), exec_mem.c
 * (processes and memory) and daemons (khugepaged, ksm, shrink); show and
 * expect use the common observer code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "host/guard.h"
#include "host/internal.h"
#include "exec_internal.h"
#include "host/tracefs.h"

/* {========== daemons, show, expect ==========} */

static enum exec_status do_khugepaged(struct kx_exec *x,
				      const struct scn_op *op)
{
	struct kx_pass_hook hook;

	if (x->tr)
		kx_trace_hook(x, &hook);
	if (kx_khugepaged_run(x->g, &x->kh, op->count, x->tr ? &hook : NULL,
			      NULL, x->err, sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "%s", x->err);
	return EXEC_OK;
}

/* ksmd has nothing to scan unless some actor used MADV_MERGEABLE. */
static bool any_mergeable(const struct kx_exec *x)
{
	int p;

	for (p = 0; p < x->s->nr_procs; p++)
		if (kx_actor_pid(x->act, p) &&
		    kx_ksm_mergeable(kx_actor_pid(x->act, p)))
			return true;
	return false;
}

static enum exec_status do_ksm(struct kx_exec *x, const struct scn_op *op)
{
	if (any_mergeable(x) &&
	    kx_ksm_run(x->g, op->count, x->err, sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "%s", x->err);
	return EXEC_OK;
}

static enum exec_status do_shrink(struct kx_exec *x,
				  const struct scn_op *op)
{
	if (kx_shrink(x->err, sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "%s", x->err);
	return EXEC_OK;
}

static enum exec_status do_show(struct kx_exec *x, int idx)
{
	const struct scn_op *op = &x->s->ops[idx];
	struct exec_show *sh = &x->r->shows[x->r->nr_shows];

	sh->op = idx;
	sh->cells = exec_map(x->s, &x->ob->ops, op->proc, op->region);
	if (!sh->cells)
		return kx_exec_error(x, op, EXEC_CANNOT_RUN,
				     "out of host memory");
	x->r->nr_shows++;
	return EXEC_OK;
}

static void do_expect(struct kx_exec *x, int idx)
{
	const struct scn_op *op = &x->s->ops[idx];
	struct exec_expect *e;

	if (!scn_op_applies(op, x->r->profile))
		return;
	e = &x->r->expects[x->r->nr_expects++];
	e->op = idx;
	e->passed = exec_eval_expect(x->s, op, &x->ob->ops, x->r->collapse_err,
				     e->got, sizeof(e->got));
	if (e->passed)
		x->r->passed++;
	else
		x->r->failed++;
}

static enum exec_status run_op(struct kx_exec *x, int idx)
{
	const struct scn_op *op = &x->s->ops[idx];

	switch (op->kind) {
	case SCN_SET:
		return kx_exec_set(x, op);
	case SCN_KHUGEPAGED:
		return do_khugepaged(x, op);
	case SCN_KSM:
		return do_ksm(x, op);
	case SCN_SHRINK:
		return do_shrink(x, op);
	case SCN_SHOW:
		return do_show(x, idx);
	case SCN_EXPECT:
		do_expect(x, idx);
		return EXEC_OK;
	default:
		return kx_exec_process_op(x, idx, op);
	}
}

/* {========== exec_run_ops ==========} */

/*
 * Can @op not split a folio in place (same frames, smaller folios) or turn
 * a page into a KSM page where it lies?  Then unchanged pagemap entries
 * mean unchanged observations (see kx_observe_invalidate()).
 */
static bool keeps_folios(const struct scn_op *op)
{
	switch (op->kind) {
	case SCN_SPAWN:
	case SCN_FORK:
	case SCN_EXIT:
	case SCN_MMAP:
	case SCN_MUNMAP:
	case SCN_MREMAP:
	case SCN_MPROTECT:
	case SCN_READ:
	case SCN_WRITE:
	case SCN_SHOW:
	case SCN_EXPECT:
		return true;
	case SCN_MADVISE:
		return op->advice == SCN_ADV_HUGEPAGE ||
		       op->advice == SCN_ADV_NOHUGEPAGE ||
		       op->advice == SCN_ADV_MERGEABLE ||
		       op->advice == SCN_ADV_DONTFORK ||
		       op->advice == SCN_ADV_DOFORK;
	default:
		return false;
	}
}

/* --trace: a new actor teaches its mm; then the statement's scans. */
static enum exec_status trace_after(struct kx_exec *x, int i)
{
	const struct scn_op *op = &x->s->ops[i];
	int slot = op->kind == SCN_SPAWN ? op->proc :
		   op->kind == SCN_FORK	 ? op->proc2 :
					   -1;

	if (slot >= 0 && kx_trace_probe(x, slot))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "trace probe: %s",
				     x->err);
	kx_trace_after_op(x);
	return EXEC_OK;
}

static enum exec_status kx_step(void *ctx, int i)
{
	struct kx_exec *x = ctx;
	struct exec_result *r = x->r;
	enum exec_status st;

	if (r->status != EXEC_OK)
		return r->status;
	if (x->tr)
		kx_trace_before_op(x, i);
	st = run_op(x, i);
	kx_observe_invalidate(x->ob, keeps_folios(&x->s->ops[i]));
	if (x->tr && st == EXEC_OK)
		st = trace_after(x, i);
	r->status = st;
	return st;
}

static const struct exec_observer *kx_observer(void *ctx)
{
	struct kx_exec *x = ctx;

	return &x->ob->ops;
}

static enum exec_status kx_finish(void *ctx)
{
	struct kx_exec *x = ctx;
	struct exec_result *r = x->r;
	enum exec_status st = r->status;

	if (st == EXEC_OK && exec_final(x->s, &x->ob->ops, r))
		st = exec_op_error(r, x->s, NULL, "kernel: ", EXEC_CANNOT_RUN,
				   "out of host memory");
	if (st == EXEC_OK && r->data_lost)
		st = EXEC_DATA_LOST;
	if (st == EXEC_OK && r->failed)
		st = EXEC_FAILED;
	kx_exec_teardown(x);
	free(x);
	r->status = st;
	return st;
}

static const struct exec_run_ops kernel_run_ops = {
	.step = kx_step,
	.observer = kx_observer,
	.finish = kx_finish,
};

static int alloc_result(struct exec_result *r, const struct scn_scenario *s)
{
	r->expects = calloc((size_t)s->nr_ops + 1, sizeof(*r->expects));
	r->shows = calloc((size_t)s->nr_ops + 1, sizeof(*r->shows));
	r->collapse_err = calloc((size_t)s->nr_ops + 1, sizeof(int));
	return r->expects && r->shows && r->collapse_err ? 0 : -1;
}

int exec_kernel_begin(const struct scn_scenario *s, struct kx_guard *g,
		      const struct exec_kernel_opts *o, struct exec_result *r,
		      struct exec_run *run)
{
	struct kx_exec *x = calloc(1, sizeof(*x));
	struct utsname u;

	memset(r, 0, sizeof(*r));
	memset(run, 0, sizeof(*run));
	snprintf(r->profile, sizeof(r->profile), "kernel");
	if (!uname(&u))
		snprintf(r->release, sizeof(r->release), "%.*s",
			 (int)sizeof(r->release) - 1, u.release);
	if (!x || alloc_result(r, s)) {
		free(x);
		snprintf(r->error, sizeof(r->error), "out of host memory");
		r->status = EXEC_CANNOT_RUN;
		return -1;
	}
	x->s = s;
	x->g = g;
	x->r = r;
	if (o)
		x->o = *o;
	r->traced = x->o.scans;
	r->why = x->o.scans && x->o.why;
	if (kx_exec_setup(x)) {
		kx_exec_teardown(x);
		free(x);
		return -1;
	}
	*run = (struct exec_run){ &kernel_run_ops, x, s, r };
	return 0;
}

pid_t exec_kernel_pid(const struct exec_run *run, int proc)
{
	const struct kx_exec *x = run->x;

	if (run->ops != &kernel_run_ops || proc < 0 ||
	    proc >= x->s->nr_procs)
		return 0;
	return kx_actor_pid(x->act, proc);
}

int exec_kernel_check(char *err, size_t len)
{
	if (kx_guard_check(err, len) || kx_pagemap_scan_check(err, len))
		return EXEC_CANNOT_RUN;
	return 0;
}

enum exec_status exec_kernel(const struct scn_scenario *s, struct kx_guard *g,
			     const struct exec_kernel_opts *o,
			     struct exec_result *r)
{
	struct exec_run run;

	if (exec_kernel_begin(s, g, o, r, &run))
		return r->status;
	return exec_run_all(&run);
}
