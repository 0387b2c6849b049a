// SPDX-License-Identifier: GPL-2.0-only
/*
 * The expect productions: the profile filter, the three shapes of an
 * assertion (per range, vmstat, collapse result) and CMP.  Observations may
 * name a region the process no longer maps (expecting it empty is useful),
 * so only the region's existence is checked.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_PROFILES 64
#define NR_CMPS 6

static bool is_profile_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
	       c == '+';
}

static bool has_profile(const struct scn_op *op, const char *s, int len)
{
	int i;

	for (i = 0; i < op->nr_profiles; i++)
		if (!strncmp(op->profiles[i], s, (size_t)len) &&
		    !op->profiles[i][len])
			return true;
	return false;
}

/* PROFILE := [A-Za-z0-9_.+-]+ ("v6.18+total_mapped"), appended. */
static int add_profile(struct scn_parser *p, struct scn_op *op,
		       const struct scn_tok *t, int off, int len, int *cap)
{
	char **list;

	if (!len || has_profile(op, t->s + off, len) ||
	    op->nr_profiles >= MAX_PROFILES)
		return scn_error(p, t->col + off,
				 "expected %s profile name such as v6.9",
				 len ? "a different" : "a");
	list = scn_grow(p, op->profiles, cap, op->nr_profiles,
			sizeof(*list));
	if (!list)
		return -1;
	op->profiles = list;
	list[op->nr_profiles] = strndup(t->s + off, (size_t)len);
	if (!list[op->nr_profiles])
		return scn_nomem(p);
	op->nr_profiles++;
	return 0;
}

/* PROFILES := '[' PROFILE { ',' PROFILE } ']', from "expect[" on. */
static int parse_profiles(struct scn_parser *p, struct scn_op *op,
			  const struct scn_tok *t)
{
	int off = 7, len, cap = 0;

	for (;;) {
		for (len = 0; off + len < t->len &&
			      is_profile_char(t->s[off + len]); len++)
			;
		if (add_profile(p, op, t, off, len, &cap))
			return -1;
		off += len;
		if (off < t->len && t->s[off] == ',') {
			off++;
			continue;
		}
		if (off == t->len - 1 && t->s[off] == ']')
			return 0;
		return scn_error(p, t->col + off,
				 "expected ',' or ']' after a profile name");
	}
}

/* CMP := '=' | '!=' | '<' | '<=' | '>' | '>=', optional (default '='). */
static int parse_cmp(struct scn_parser *p, struct scn_op *op)
{
	char q[SCN_QUOTE_LEN], names[40];
	struct scn_tok t;
	int r = lex_peek(p, &t), c;

	if (r <= 0 || !strchr("=!<>", t.s[0]))
		return r < 0 ? -1 : 0;
	lex_next(p, &t);
	c = scn_name_index(scn_cmp_names, NR_CMPS, &t);
	if (c >= 0) {
		op->cmp = (enum scn_cmp)c;
		return 0;
	}
	scn_names_list(scn_cmp_names, NR_CMPS, names, sizeof(names));
	return scn_error(p, t.col, "expected one of %s, got '%s'", names,
			 tok_quote(&t, q, sizeof(q)));
}

/* VALUE := ['-'] INTEGER (vmstat deltas may be negative) | SIZE (rss). */
static int parse_value(struct scn_parser *p, struct scn_op *op, bool size,
		       bool sign)
{
	const char *what = size ? "a size such as 2M" : "a count such as 1";
	char q[SCN_QUOTE_LEN];
	struct scn_tok t;
	uint64_t v;
	bool neg;
	int off;

	if (parse_cmp(p, op) || lex_need(p, &t, what))
		return -1;
	neg = sign && t.s[0] == '-';
	off = neg;
	if (off == t.len)
		return scn_error(p, t.col, "expected %s, got '-'", what);
	if (size ? scan_size(p, &t, &off, &v) :
	    scan_uint(p, &t, &off, &v, what))
		return -1;
	if (off != t.len || v > INT64_MAX)
		return scn_error(p, t.col, "expected %s below 2^63, got '%s'",
				 what, tok_quote(&t, q, sizeof(q)));
	op->expect_value = neg ? -(int64_t)v : (int64_t)v;
	return lex_end(p);
}

/* vmstat NAME [CMP] VALUE */
static int parse_vmstat(struct scn_parser *p, struct scn_op *op)
{
	struct scn_tok t;

	op->expect = SCN_EXP_VMSTAT;
	if (lex_need(p, &t, "a vmstat counter name") ||
	    tok_name(p, &t, "a vmstat counter name"))
		return -1;
	op->vmstat = strndup(t.s, (size_t)t.len);
	if (!op->vmstat)
		return scn_nomem(p);
	return parse_value(p, op, false, true);
}

/* PROC RANGE, as observed by an expect: the region must exist. */
static int expect_target(struct scn_parser *p, struct scn_op *op,
			 const struct scn_tok *proc)
{
	struct scn_tok t;

	op->proc = sym_proc_use(p, proc);
	if (op->proc < 0 ||
	    lex_need(p, &t, "a range such as R or R[0:8]"))
		return -1;
	return scn_parse_range(p, &t, &op->range);
}

/* collapse PROC RANGE (ok | fail) */
static int parse_collapse(struct scn_parser *p, struct scn_op *op)
{
	char q[SCN_QUOTE_LEN];
	struct scn_tok t;
	int ok;

	op->expect = SCN_EXP_COLLAPSE;
	if (lex_need(p, &t, "a process name") || expect_target(p, op, &t) ||
	    lex_need(p, &t, "ok or fail"))
		return -1;
	ok = scn_name_index(scn_result_names, 2, &t);
	if (ok < 0)
		return scn_error(p, t.col, "expected ok or fail, got '%s'",
				 tok_quote(&t, q, sizeof(q)));
	op->collapse_ok = ok;
	return lex_end(p);
}

/* PROC RANGE (thp | present | swapped | shared | rss) [CMP] VALUE */
static int parse_range_expect(struct scn_parser *p, struct scn_op *op,
			      const struct scn_tok *proc)
{
	char q[SCN_QUOTE_LEN], names[60];
	struct scn_tok t;
	int e;

	if (expect_target(p, op, proc) ||
	    lex_need(p, &t, "what to expect such as thp"))
		return -1;
	e = scn_name_index(scn_expect_names, SCN_EXP_VMSTAT, &t);
	if (e < 0) {
		scn_names_list(scn_expect_names, SCN_EXP_VMSTAT, names,
			       sizeof(names));
		return scn_error(p, t.col, "expected one of %s, got '%s'",
				 names, tok_quote(&t, q, sizeof(q)));
	}
	op->expect = (enum scn_expect_kind)e;
	return parse_value(p, op, e == SCN_EXP_RSS, false);
}

/* EXPECT := (expect | expect PROFILES) (RANGE_EXPECT | VMSTAT | COLLAPSE) */
int scn_parse_expect(struct scn_parser *p, struct scn_op *op,
		     const struct scn_tok *first)
{
	struct scn_tok t;

	if (first->len > 6 && parse_profiles(p, op, first))
		return -1;
	if (lex_need(p, &t, "a process name, vmstat or collapse"))
		return -1;
	if (tok_is(&t, scn_expect_names[SCN_EXP_VMSTAT]))
		return parse_vmstat(p, op);
	if (tok_is(&t, scn_expect_names[SCN_EXP_COLLAPSE]))
		return parse_collapse(p, op);
	return parse_range_expect(p, op, &t);
}
