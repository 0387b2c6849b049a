/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The live-kernel executor: runs a scenario on this machine's kernel, one
 * real process (an actor) per scenario process, and observes it through
 * the same exec_observer as the model, so that expectations, the final
 * summary and 'foliosim diff' treat both alike.
 *
 * A run starts from this kernel's default tunables (the model's
 * defaults), with khugepaged gated (it runs only inside 'khugepaged N'),
 * ksmd stopped (it runs only inside 'ksm N') and a keeper mm registered
 * with khugepaged.  The caller opens the guard before the first run and
 * closes it after the last; each run leaves no process behind, and the
 * guard puts every setting back.
 *
 * 'set' writes the sysfs file, except model/ paths and the files the
 * executor owns, which it ignores as the model does: the two khugepaged
 * sleeps (the gate) and ksm/run ('ksm N').  An 'enabled' write that
 * starts khugepaged has the new thread's immediate first pass scan only
 * the keeper (see kx_set_enabled()).
 */
#ifndef FSIM_KERNEL_EXEC_KERNEL_H
#define FSIM_KERNEL_EXEC_KERNEL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "exec/exec.h"

struct kx_guard;

struct exec_kernel_opts {
	/*
	 * When set, the huge_memory trace events (mm_khugepaged_scan_pmd,
	 * mm_collapse_huge_page) of each statement that produced some are
	 * written here, after a "# FILE:LINE: statement" header.
	 */
	FILE *trace;
	/*
	 * Record the PMD scans (exec_result.scans) from the trace, attributed
	 * to process and PMD as exec_trace.c says.
	 */
	bool scans;
	/* With scans: explain every PMD at the end (exec_result.whys). */
	bool why;
};

/* Where the keeper maps its THP (see exec.h). */
#define KX_KEEPER_ADDR	EXEC_KEEPER_ADDR

/*
 * Can the kernel executor run here?  kx_guard_check() plus the features
 * the executor needs (PAGEMAP_SCAN).  Changes nothing.  Return: 0, or
 * EXEC_CANNOT_RUN with a one-line reason in @err.
 */
int exec_kernel_check(char *err, size_t len);

/**
 * exec_kernel_begin() - set up a kernel run of @s
 * @g: the open guard (all changes go through it)
 * @o: options (may be NULL)
 * @r: the result, filled as the run goes
 * @run: receives the run's step/observer/finish
 *
 * Sets the default tunables, probes what read faults map (once per
 * guard, into r->zero_page and r->huge_zero_page), opens the trace
 * instance (mounting tracefs if it is mounted nowhere; where it cannot be
 * had, only a run with @o->trace fails, with EXEC_CANNOT_RUN), sets up
 * swap if the scenario pages out, starts the keeper and closes the
 * khugepaged gate.  The run's finish() fills the final summary and ends
 * every process of the run, but leaves the guard open.  Either way @r is
 * freed with exec_result_free().
 *
 * Return: 0; or -1 with r->status and r->error set (nothing is left
 * running; do not step or finish the run).
 */
int exec_kernel_begin(const struct scn_scenario *s, struct kx_guard *g,
		      const struct exec_kernel_opts *o, struct exec_result *r,
		      struct exec_run *run);

/* The pid of scenario process @proc in a kernel run, 0 if it has none. */
pid_t exec_kernel_pid(const struct exec_run *run, int proc);

/* Begin, step every statement, finish.  Returns r->status. */
enum exec_status exec_kernel(const struct scn_scenario *s, struct kx_guard *g,
			     const struct exec_kernel_opts *o,
			     struct exec_result *r);

#endif
