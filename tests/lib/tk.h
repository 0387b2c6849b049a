/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the kernel tests (t7xxx): taking turns on the test lock,
 * opening the guard while another run may hold it, and probing what this
 * kernel's read faults map.
 */
#ifndef FSIM_TESTS_TK_H
#define FSIM_TESTS_TK_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "host/guard.h"
#include "kernel/zero_page.h"

/*
 * Kernel test binaries (plain and sanitized, run in parallel) take turns:
 * flock() KX_TEST_LOCK, waiting.  Return: the fd to close, or -1.
 */
int tk_serialize(void);

/*
 * Open the guard, waiting (up to two minutes) while another run holds it.
 * Return: the guard, or NULL with the reason as a line on @out.
 */
struct kx_guard *tk_open_guard(FILE *out);

/*
 * What this kernel's read faults map (kx_zero_probe() under a guard of
 * our own), printed as a TAP comment.  Return: false (said on stdout) if
 * the probe could not run.
 */
bool tk_zero_probe(struct kx_zero_page *z);

/*
 * A scenario into @text (@size bytes) whose read faults show the zero
 * pages: model/zero_page @zero_page, model/huge_zero_page @huge_zero_page,
 * @line after the 2 MiB mmap, then a read of pages 0-3 and a write of 9.
 */
void tk_zero_scenario(char *text, size_t size, int zero_page,
		      int huge_zero_page, const char *line);

/*
 * The kernel tests' prologue: stdout line-buffered; then, unless @can_run
 * (exec_kernel_check() and the like) says no (false, the reason in @why,
 * for the caller to skip its tests with), take turns (tk_serialize(): the
 * fd to close in *@lock, -1 if none) and undo what an interrupted run
 * left (kx_restore_saved()).
 */
bool tk_begin(int (*can_run)(char *why, size_t len), char *why, size_t len,
	      int *lock);

/* tk_begin()'s can_run for tests that need a trace instance too. */
int tk_can_trace(char *why, size_t len);

/*
 * Start @argv[0] (a path) with its stdout on a pipe, whose read end goes
 * to *@out_fd.  Return: the pid, or -1.
 */
pid_t tk_spawn_out(char *const argv[], int *out_fd);

struct tk_test {
	bool (*fn)(void);
	const char *desc;
};

/* tap_skip() every test of @tests with @why. */
void tk_skip_all(const struct tk_test *tests, int n, const char *why);

/*
 * A kernel test's main(): tk_begin(), then every test, or every test
 * skipped with the reason.  Return: tap_done().
 */
int tk_main(const struct tk_test *tests, int n,
	    int (*can_run)(char *why, size_t len));

#endif
