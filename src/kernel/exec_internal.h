/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to the kernel executor (exec_kernel.c, exec_*.c): the state of
 * one run and the statement handlers.
 */
#ifndef FSIM_KERNEL_EXEC_INTERNAL_H
#define FSIM_KERNEL_EXEC_INTERNAL_H

#include "actor.h"
#include "config/geometry.h"
#include "daemons.h"
#include "exec_kernel.h"
#include "observe.h"
#include "patterns.h"

/* Contents of unique writes: this tag, then a counter of the run. */
#define KX_UNIQUE_TAG	UNIQUE_CONTENT_TAG

/*
 * The scratch PMD of kx_trace_probe(): 1 GiB above the keeper's, far from
 * any scenario region.
 */
#define KX_PROBE_ADDR	(KX_KEEPER_ADDR + 0x40000000UL)

struct kx_trace_state;

struct kx_exec {
	const struct scn_scenario *s;
	struct kx_guard *g;
	struct exec_kernel_opts o;
	struct exec_result *r;
	struct kx_actors *act;		/* slots: processes, the keeper */
	int keeper;			/* the keeper's slot */
	struct kx_patterns **pat;	/* per process: what it last wrote */
	struct kx_observe *ob;
	struct kx_khugepaged kh;
	uint64_t counter;		/* unique write patterns so far */
	bool prctl_done;		/* the two below hold the old values */
	int old_subreaper, old_thp_disable;
	struct kx_trace_state *tr;	/* --trace, or NULL */
	char err[256];			/* scratch for kx_* messages */
};

/* Report @fmt at @op's position ("file:line:col: kernel: ...") as @st. */
#define kx_exec_error(x, op, st, ...) \
	exec_op_error((x)->r, (x)->s, (op), "kernel: ", (st), __VA_ARGS__)

/* exec_setup.c */
int kx_exec_setup(struct kx_exec *x);
void kx_exec_teardown(struct kx_exec *x);
enum exec_status kx_exec_set(struct kx_exec *x, const struct scn_op *op);

/* exec_mem.c: process and memory statements */
enum exec_status kx_exec_process_op(struct kx_exec *x, int idx,
				    const struct scn_op *op);

/* exec_trace.c: --trace (see there) */
int kx_trace_begin(struct kx_exec *x);
void kx_trace_end(struct kx_exec *x);
void kx_trace_snapshot(struct kx_exec *x);
int kx_trace_probe(struct kx_exec *x, int slot);
void kx_trace_before_op(struct kx_exec *x, int op);
void kx_trace_after_op(struct kx_exec *x);
/* Read the trace only to learn mms (set-up). */
void kx_trace_learn(struct kx_exec *x);
void kx_trace_hook(struct kx_exec *x, struct kx_pass_hook *h);

#endif
