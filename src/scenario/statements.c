// SPDX-License-Identifier: GPL-2.0-only
/*
 * One function per statement production (expect is in expect.c).  Each
 * reads its words, resolves names, checks what is statically known, and
 * updates which regions each process maps.
 */
#include <string.h>

#include "config/settings.h"
#include "internal.h"

/* SET := set PATH VALUE */
int scn_parse_set(struct scn_parser *p, struct scn_op *op,
		  const struct scn_tok *first)
{
	struct scn_tok path, val;
	char msg[160], q[SCN_QUOTE_LEN];

	(void)first;
	if (lex_need(p, &path, "a setting path such as enabled") ||
	    lex_need(p, &val, "a value for the setting"))
		return -1;
	op->path = strndup(path.s, (size_t)path.len);
	op->setval = strndup(val.s, (size_t)val.len);
	if (!op->path || !op->setval)
		return scn_nomem(p);
	if (!setting_lookup(op->path, NULL))
		return scn_error(p, path.col,
				 "expected a setting such as enabled or khugepaged/max_ptes_none, got '%s'",
				 tok_quote(&path, q, sizeof(q)));
	if (setting_check(op->path, op->setval, msg, sizeof(msg)))
		return scn_error(p, val.col, "%s, got '%s'", msg,
				 tok_quote(&val, q, sizeof(q)));
	return lex_end(p);
}

/* SPAWN := spawn PROC */
int scn_parse_spawn(struct scn_parser *p, struct scn_op *op,
		    const struct scn_tok *first)
{
	struct scn_tok t;

	(void)first;
	if (lex_need(p, &t, "a process name"))
		return -1;
	op->proc = sym_proc_new(p, &t);
	if (op->proc < 0)
		return -1;
	return lex_end(p);
}

/* KHUGEPAGED := khugepaged [COUNT]    KSM := ksm [COUNT] */
int scn_parse_daemon(struct scn_parser *p, struct scn_op *op,
		     const struct scn_tok *first)
{
	static const char what[] = "a number of full scans";
	char q[SCN_QUOTE_LEN];
	struct scn_tok t = { 0 };
	uint64_t n = 1;
	int r = lex_next(p, &t);

	(void)first;
	if (r < 0 || (r && tok_uint(p, &t, &n, what)))
		return -1;
	if (n < 1 || n > SCN_MAX_COUNT)
		return scn_error(p, t.col,
				 "expected %s from 1 to %ld, got '%s'", what,
				 SCN_MAX_COUNT,
				 tok_quote(&t, q, sizeof(q)));
	op->count = (long)n;
	return lex_end(p);
}

/* SHRINK := shrink */
int scn_parse_shrink(struct scn_parser *p, struct scn_op *op,
		     const struct scn_tok *first)
{
	(void)op;
	(void)first;
	return lex_end(p);
}

/* SHOW := show PROC REGION; op->region and op->range name all of it. */
int scn_parse_show(struct scn_parser *p, struct scn_op *op,
		   const struct scn_tok *first)
{
	struct scn_tok t;

	(void)first;
	if (lex_need(p, &t, "a process name"))
		return -1;
	op->proc = sym_proc_use(p, &t);
	if (op->proc < 0 || lex_need(p, &t, "a region name"))
		return -1;
	op->region = sym_region_known(p, &t);
	if (op->region < 0)
		return -1;
	op->range.region = op->region;
	op->range.end = (long)scn_region_pages(p->s, op->region);
	return lex_end(p);
}

/* RANGE of a region that the acting process maps. */
static int proc_range(struct scn_parser *p, struct scn_op *op)
{
	struct scn_tok t;

	if (lex_need(p, &t, "a range such as R or R[0:8]") ||
	    scn_parse_range(p, &t, &op->range))
		return -1;
	if (sym_flags(p, op->proc, op->range.region) & SCN_HAS)
		return 0;
	return scn_error(p, t.col,
			 "expected a region that '%.40s' maps, got '%.40s'",
			 p->s->procs[op->proc],
			 p->s->regions[op->range.region].name);
}

/* FORK := PROC fork PROC */
static int parse_fork(struct scn_parser *p, struct scn_op *op)
{
	struct scn_tok t;

	if (lex_need(p, &t, "a name for the child process"))
		return -1;
	op->proc2 = sym_proc_new(p, &t);
	if (op->proc2 < 0 || lex_end(p))
		return -1;
	return sym_fork(p, op->proc, op->proc2);
}

/* EXIT := PROC exit */
static int parse_exit(struct scn_parser *p, struct scn_op *op)
{
	if (lex_end(p))
		return -1;
	sym_exit(p, op->proc);
	return 0;
}

/* The SIZE of a mapping: a positive multiple of the page size. */
static int map_size(struct scn_parser *p, const struct scn_tok *t,
		    uint64_t *size)
{
	char q[SCN_QUOTE_LEN];

	if (tok_size(p, t, size))
		return -1;
	if (*size && *size % SCN_PAGE_SIZE == 0)
		return 0;
	return scn_error(p, t->col,
			 "expected a size that is a positive multiple of 4K, got '%s'",
			 tok_quote(t, q, sizeof(q)));
}

/* [at ADDR]: sets op->has_at, op->at, the address and its column. */
static int parse_at(struct scn_parser *p, struct scn_op *op, uint64_t *addr,
		    int *col)
{
	struct scn_tok t;
	int r = lex_peek(p, &t);

	if (r <= 0 || !tok_is(&t, scn_at_word))
		return r < 0 ? -1 : 0;
	lex_next(p, &t);
	if (lex_need(p, &t, "an address such as 0x40000000 or R+2M"))
		return -1;
	op->has_at = true;
	*col = t.col;
	return scn_parse_addr(p, &t, &op->at, addr);
}

/* An existing region keeps its address and size in every process. */
static int reuse_region(struct scn_parser *p, struct scn_op *op, int r,
			int size_col, int at_col, uint64_t at_addr)
{
	const struct scn_region *reg = &p->s->regions[r];
	char a[24], b[24];

	if (reg->size != op->size)
		return scn_error(p, size_col,
				 "expected size %s of region '%.40s', got %s",
				 scn_format_size(a, sizeof(a), reg->size),
				 reg->name,
				 scn_format_size(b, sizeof(b), op->size));
	if (op->has_at && at_addr != reg->addr)
		return scn_error(p, at_col,
				 "expected address 0x%llx of region '%.40s', got 0x%llx",
				 (unsigned long long)reg->addr, reg->name,
				 (unsigned long long)at_addr);
	op->addr = reg->addr;
	op->region = r;
	return 0;
}

/*
 * Places region @name of op->size bytes: a known region keeps its own
 * address; a new one goes "at" @at_addr or to the next automatic slot.
 */
static int place_region(struct scn_parser *p, struct scn_op *op,
			const struct scn_tok *name, int size_col, int at_col,
			uint64_t at_addr)
{
	int r = sym_region_find(p->s, name->s, name->len);

	if (r >= 0)
		return reuse_region(p, op, r, size_col, at_col, at_addr);
	if (op->has_at ? scn_check_place(p, at_col, at_addr, op->size) :
	    sym_auto_addr(p, size_col, op->size, &at_addr))
		return -1;
	r = sym_region_new(p, name, at_addr, op->size);
	if (r < 0)
		return -1;
	op->addr = at_addr;
	op->region = r;
	return 0;
}

/* MMAP := PROC mmap REGION SIZE [at ADDR] */
static int parse_mmap(struct scn_parser *p, struct scn_op *op)
{
	struct scn_tok name, size;
	uint64_t addr = 0;
	int at_col = 0;

	if (lex_need(p, &name, "a region name") ||
	    tok_name(p, &name, "a region name") ||
	    lex_need(p, &size, "a size such as 2M") ||
	    map_size(p, &size, &op->size) ||
	    parse_at(p, op, &addr, &at_col) || lex_end(p) ||
	    place_region(p, op, &name, size.col, at_col, addr))
		return -1;
	return sym_set_flags(p, op->proc, op->region, SCN_HAS);
}

/* MUNMAP := PROC munmap RANGE */
static int parse_munmap(struct scn_parser *p, struct scn_op *op)
{
	if (proc_range(p, op) || lex_end(p))
		return -1;
	if (!scn_range_whole(p->s, &op->range))
		return 0;
	return sym_set_flags(p, op->proc, op->range.region, 0);
}

/* The name after "mremap RANGE": a region other than RANGE's. */
static int mremap_name(struct scn_parser *p, struct scn_op *op,
		       struct scn_tok *name)
{
	const char *old = p->s->regions[op->range.region].name;

	if (lex_need(p, name, "a name for the moved region") ||
	    tok_name(p, name, "a region name"))
		return -1;
	if (!tok_is(name, old))
		return 0;
	return scn_error(p, name->col,
			 "expected a region name other than '%.40s'", old);
}

/* [SIZE] after "mremap RANGE NAME"; default: the size of RANGE. */
static int mremap_size(struct scn_parser *p, struct scn_op *op, int *col)
{
	struct scn_tok t;
	int r = lex_peek(p, &t);

	if (r < 0)
		return -1;
	if (!r || t.s[0] < '0' || t.s[0] > '9') {
		op->size = (uint64_t)(op->range.end - op->range.start) *
			   SCN_PAGE_SIZE;
		return 0;
	}
	lex_next(p, &t);
	op->has_size = true;
	*col = t.col;
	return map_size(p, &t, &op->size);
}

/*
 * The moved pages become region op->region in P; moving all of the old
 * region leaves P without it (and carries MADV_DONTFORK along).
 */
static int mremap_flags(struct scn_parser *p, struct scn_op *op)
{
	int old = op->range.region;
	unsigned char f = SCN_HAS;

	if (scn_range_whole(p->s, &op->range)) {
		f |= sym_flags(p, op->proc, old) & SCN_DONTFORK;
		if (sym_set_flags(p, op->proc, old, 0))
			return -1;
	}
	return sym_set_flags(p, op->proc, op->region, f);
}

/* MREMAP := PROC mremap RANGE REGION [SIZE] [at ADDR] */
static int parse_mremap(struct scn_parser *p, struct scn_op *op)
{
	struct scn_tok name;
	uint64_t addr = 0;
	int size_col, at_col = 0;

	if (proc_range(p, op) || mremap_name(p, op, &name))
		return -1;
	size_col = name.col;
	if (mremap_size(p, op, &size_col) ||
	    parse_at(p, op, &addr, &at_col) || lex_end(p) ||
	    place_region(p, op, &name, size_col, at_col, addr))
		return -1;
	return mremap_flags(p, op);
}

/* MPROTECT := PROC mprotect RANGE (ro | rw) */
static int parse_mprotect(struct scn_parser *p, struct scn_op *op)
{
	char q[SCN_QUOTE_LEN];
	struct scn_tok t;
	int i;

	if (proc_range(p, op) || lex_need(p, &t, "ro or rw"))
		return -1;
	i = scn_name_index(scn_prot_names, 2, &t);
	if (i < 0)
		return scn_error(p, t.col, "expected ro or rw, got '%s'",
				 tok_quote(&t, q, sizeof(q)));
	op->writable = i;
	return lex_end(p);
}

/* Tracks MADV_DONTFORK over a whole region, which fork then skips. */
static int madvise_flags(struct scn_parser *p, struct scn_op *op)
{
	int r = op->range.region;
	unsigned char f = sym_flags(p, op->proc, r);

	if (op->advice == SCN_ADV_DONTFORK && scn_range_whole(p->s, &op->range))
		f |= SCN_DONTFORK;
	else if (op->advice == SCN_ADV_DOFORK)
		f &= (unsigned char)~SCN_DONTFORK;
	else
		return 0;
	return sym_set_flags(p, op->proc, r, f);
}

/* MADVISE := PROC madvise RANGE ADVICE */
static int parse_madvise(struct scn_parser *p, struct scn_op *op)
{
	char q[SCN_QUOTE_LEN], names[160];
	struct scn_tok t;
	int a;

	if (proc_range(p, op) || lex_need(p, &t, "an advice such as hugepage"))
		return -1;
	a = scn_name_index(scn_advice_names, NR_SCN_ADVICE, &t);
	if (a < 0) {
		scn_names_list(scn_advice_names, NR_SCN_ADVICE, names,
			       sizeof(names));
		return scn_error(p, t.col, "expected one of %s, got '%s'",
				 names, tok_quote(&t, q, sizeof(q)));
	}
	op->advice = (enum scn_advice)a;
	if (lex_end(p))
		return -1;
	return madvise_flags(p, op);
}

/* READ := PROC read RANGE */
static int parse_read(struct scn_parser *p, struct scn_op *op)
{
	if (proc_range(p, op))
		return -1;
	return lex_end(p);
}

/* WRITE := PROC write RANGE [zero | value INTEGER] */
static int parse_write(struct scn_parser *p, struct scn_op *op)
{
	static const char what[] = "a 64-bit value";
	char q[SCN_QUOTE_LEN];
	struct scn_tok t;
	int r;

	if (proc_range(p, op))
		return -1;
	r = lex_next(p, &t);
	if (r <= 0)
		return r;
	if (tok_is(&t, scn_write_names[SCN_WRITE_ZERO])) {
		op->write_kind = SCN_WRITE_ZERO;
	} else if (tok_is(&t, scn_write_names[SCN_WRITE_VALUE])) {
		op->write_kind = SCN_WRITE_VALUE;
		if (lex_need(p, &t, what) ||
		    tok_uint(p, &t, &op->value, what))
			return -1;
	} else {
		return scn_error(p, t.col,
				 "expected zero, value N or end of line, got '%s'",
				 tok_quote(&t, q, sizeof(q)));
	}
	return lex_end(p);
}

typedef int (*verb_fn)(struct scn_parser *p, struct scn_op *op);

static const verb_fn proc_verbs[NR_SCN_OPS] = {
	[SCN_FORK] = parse_fork,
	[SCN_EXIT] = parse_exit,
	[SCN_MMAP] = parse_mmap,
	[SCN_MUNMAP] = parse_munmap,
	[SCN_MREMAP] = parse_mremap,
	[SCN_MPROTECT] = parse_mprotect,
	[SCN_MADVISE] = parse_madvise,
	[SCN_READ] = parse_read,
	[SCN_WRITE] = parse_write,
};

static int verb_kind(const struct scn_tok *t)
{
	int k = scn_name_index(scn_op_names, NR_SCN_OPS, t);

	return k >= 0 && proc_verbs[k] ? k : -1;
}

static int bad_verb(struct scn_parser *p, const struct scn_tok *t)
{
	const char *names[NR_SCN_OPS] = { NULL };
	char list[160], q[SCN_QUOTE_LEN];
	int k;

	for (k = 0; k < NR_SCN_OPS; k++)
		if (proc_verbs[k])
			names[k] = scn_op_names[k];
	scn_names_list(names, NR_SCN_OPS, list, sizeof(list));
	return scn_error(p, t->col, "expected one of %s, got '%s'", list,
			 tok_quote(t, q, sizeof(q)));
}

/* PROC_STATEMENT := PROC (FORK | EXIT | MMAP | MUNMAP | ... | WRITE) */
int scn_parse_proc_stmt(struct scn_parser *p, struct scn_op *op,
			const struct scn_tok *first)
{
	char q[SCN_QUOTE_LEN];
	struct scn_tok verb;
	int r = lex_peek(p, &verb), kind;

	if (r < 0)
		return -1;
	if (sym_proc_find(p->s, first) < 0 && (!r || verb_kind(&verb) < 0))
		return scn_error(p, first->col,
				 "expected a statement such as 'spawn P' or 'P mmap R 2M', got '%s'",
				 tok_quote(first, q, sizeof(q)));
	op->proc = sym_proc_use(p, first);
	if (op->proc < 0 || lex_need(p, &verb, "an operation such as mmap"))
		return -1;
	kind = verb_kind(&verb);
	if (kind < 0)
		return bad_verb(p, &verb);
	op->kind = (enum scn_op_kind)kind;
	return proc_verbs[kind](p, op);
}
