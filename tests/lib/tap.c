// SPDX-License-Identifier: GPL-2.0-only
/* TAP output for the C tests (see tap.h). */
#include <stdarg.h>
#include <stdio.h>

#include "tap.h"

static int tap_count, tap_failed;

static void tap_line(const char *prefix, const char *fmt, va_list ap,
		     const char *suffix)
{
	printf("%s %d - ", prefix, ++tap_count);
	vprintf(fmt, ap);
	printf("%s\n", suffix);
	fflush(stdout);
}

void tap_run(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok ? "ok" : "not ok", fmt, ap, "");
	va_end(ap);
	if (!ok)
		tap_failed++;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("ok %d - ", ++tap_count);
	vprintf(fmt, ap);
	printf(" # SKIP %s\n", reason);
	va_end(ap);
	fflush(stdout);
}

int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
