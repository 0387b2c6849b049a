/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small TAP producer for the C tests.  Each test is a function returning
 * bool; TEST() runs it and prints "ok N - description" or "not ok N".  The
 * CHECK macros print the file, line, expression and both values on failure
 * and make the test return false.
 */
#ifndef FSIM_TESTS_TAP_H
#define FSIM_TESTS_TAP_H

#include <stdbool.h>
#include <stdio.h>

void tap_run(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_skip(const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the plan; returns the exit status (0 only if all passed). */
int tap_done(void);

#define TEST(call, ...) tap_run((call), __VA_ARGS__)

#define CHECK(expr)                                                     \
	do {                                                            \
		if (!(expr)) {                                          \
			printf("# %s:%d: check failed: %s\n", __FILE__, \
			       __LINE__, #expr);                        \
			return false;                                   \
		}                                                       \
	} while (0)

#define CHECK_INT(a, op, b)                                               \
	do {                                                              \
		long long _a = (long long)(a), _b = (long long)(b);       \
		if (!(_a op _b)) {                                        \
			printf("# %s:%d: check failed: %s %s %s\n"        \
			       "#   left:  %lld\n#   right: %lld\n",      \
			       __FILE__, __LINE__, #a, #op, #b, _a, _b);  \
			return false;                                     \
		}                                                         \
	} while (0)

#endif
