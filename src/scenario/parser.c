// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parser's driver: scn_parse() walks the statements, gives each an op
 * with its position and text, and dispatches on the first word.  All
 * errors pass through scn_error(), which keeps the first one as
 * "file:line:column: expected ...".
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int scn_error(struct scn_parser *p, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return -1;
	p->failed = true;
	if (!p->err || !p->errlen)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%d:%d: ", p->path, p->lineno,
		     col);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int scn_nomem(struct scn_parser *p)
{
	return scn_error(p, p->lpos + 1, "out of memory");
}

typedef int (*stmt_fn)(struct scn_parser *p, struct scn_op *op,
		       const struct scn_tok *first);

/* Statements that start with a keyword; the rest start with a process. */
static const stmt_fn leading_stmts[NR_SCN_OPS] = {
	[SCN_SET] = scn_parse_set,
	[SCN_SPAWN] = scn_parse_spawn,
	[SCN_KHUGEPAGED] = scn_parse_daemon,
	[SCN_KSM] = scn_parse_daemon,
	[SCN_SHRINK] = scn_parse_shrink,
	[SCN_SHOW] = scn_parse_show,
	[SCN_EXPECT] = scn_parse_expect,
};

static bool is_expect_word(const struct scn_tok *t)
{
	return t->len > 6 && !memcmp(t->s, "expect[", 7);
}

/*
 * STATEMENT := SET | SPAWN | KHUGEPAGED | KSM | SHRINK | SHOW | EXPECT
 *            | PROC PROC_STATEMENT
 */
static int parse_statement(struct scn_parser *p, struct scn_op *op)
{
	struct scn_tok t;
	int kind;

	if (lex_need(p, &t, "a statement"))
		return -1;
	kind = is_expect_word(&t) ? SCN_EXPECT :
	       scn_name_index(scn_op_names, NR_SCN_OPS, &t);
	if (kind >= 0 && leading_stmts[kind]) {
		op->kind = (enum scn_op_kind)kind;
		return leading_stmts[kind](p, op, &t);
	}
	return scn_parse_proc_stmt(p, op, &t);
}

/* A new op for the current statement, with its position and text. */
static struct scn_op *new_op(struct scn_parser *p)
{
	struct scn_scenario *s = p->s;
	struct scn_op *ops, *op;
	int col = 1;

	ops = scn_grow(p, s->ops, &p->cap_ops, s->nr_ops, sizeof(*ops));
	if (!ops)
		return NULL;
	s->ops = ops;
	op = &ops[s->nr_ops++];
	*op = (struct scn_op){ .proc = -1, .proc2 = -1, .region = -1,
			       .range.region = -1, .at.region = -1 };
	while (p->line[col - 1] == ' ' || p->line[col - 1] == '\t')
		col++;
	op->line = p->lineno;
	op->col = col;
	op->text = strndup(p->line + col - 1, (size_t)(p->line_len - col + 1));
	if (!op->text) {
		scn_nomem(p);
		return NULL;
	}
	return op;
}

static int parse_all(struct scn_parser *p)
{
	struct scn_op *op;

	p->s->path = strdup(p->path);
	if (!p->s->path)
		return scn_nomem(p);
	if (p->len > INT_MAX) {
		p->lineno = 1;
		return scn_error(p, 1, "expected a file below 2 GiB");
	}
	while (lex_next_line(p)) {
		op = new_op(p);
		if (!op || parse_statement(p, op))
			return -1;
	}
	return 0;
}

int scn_parse(const char *path, const char *text, size_t len,
	      struct scn_scenario *out, char *err, size_t errlen)
{
	struct scn_parser p = {
		.path = path ? path : "<input>",
		.buf = text,
		.len = text ? len : 0,
		.s = out,
		.next_auto = SCN_AUTO_BASE,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	ret = parse_all(&p);
	sym_free(&p);
	if (ret)
		scn_free(out);
	return ret;
}
