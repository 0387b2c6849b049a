// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run-time errors of both executors, in one format: where the statement
 * stands, which executor, what went wrong.
 */
#include <stdarg.h>
#include <stdio.h>

#include "exec.h"

void exec_op_verror(struct exec_result *r, const struct scn_scenario *s,
		    const struct scn_op *op, const char *who, const char *fmt,
		    va_list ap)
{
	size_t n;

	if (op)
		n = (size_t)snprintf(r->error, sizeof(r->error),
				     "%s:%d:%d: %s", s->path, op->line,
				     op->col, who);
	else
		n = (size_t)snprintf(r->error, sizeof(r->error), "%s: %s",
				     s->path, who);
	if (n < sizeof(r->error))
		vsnprintf(r->error + n, sizeof(r->error) - n, fmt, ap);
}

enum exec_status exec_op_error(struct exec_result *r,
			       const struct scn_scenario *s,
			       const struct scn_op *op, const char *who,
			       enum exec_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	exec_op_verror(r, s, op, who, fmt, ap);
	va_end(ap);
	return st;
}
