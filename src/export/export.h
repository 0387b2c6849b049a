/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Export of a scenario as a standalone program: `foliosim export FILE
 * --kselftest` writes a C program in the style of the kernel's
 * tools/testing/selftests/mm that needs only libc and runs the scenario
 * on the kernel it runs on, with its kernel expects as TAP checks.
 *
 * The program is a fixed runtime (runtime.c: C text kept here) and the
 * scenario's part (kselftest.c: tables and one call per statement).
 */
#ifndef FSIM_EXPORT_EXPORT_H
#define FSIM_EXPORT_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "scenario/scenario.h"

/* The runtime's text: before the scenario's tables, and after them. */
extern const char *const export_runtime_head[];
extern const char *const export_runtime_body[];

/*
 * Write the kselftest program for @s to @out; @origin names what made it
 * (e.g. "foliosim 1a2b3c4").  Output depends only on @s and @origin.
 * Returns 0, or -1 with "file:line:col: cannot export: ..." in @err (and
 * nothing written) when a statement cannot be carried out by the program.
 */
int export_kselftest(FILE *out, const struct scn_scenario *s,
		     const char *origin, char *err, size_t errlen);

#endif
