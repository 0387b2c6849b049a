/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the scenario front end share and nobody else sees: the
 * parser's state (one per scn_parse() call, so parsers may run in several
 * threads), the lexer's tokens, the symbol tables and the one error path.
 */
#ifndef FSIM_SCENARIO_INTERNAL_H
#define FSIM_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define SCN_MIN_ADDR 0x10000UL		/* the kernel's mmap_min_addr */
#define SCN_ADDR_LIMIT (1UL << 47)	/* x86-64 TASK_SIZE */
#define SCN_MAX_PROCS 4096		/* guards memory, not the language */
#define SCN_MAX_REGIONS 4096
#define SCN_MAX_COUNT 1000000L		/* khugepaged N, ksm N */
#define SCN_QUOTE_LEN 44		/* a word quoted in a message */

/* A word of the current statement; not NUL-terminated. */
struct scn_tok {
	const char *s;
	int len;
	int col;			/* 1-based column of s[0] */
};

/* Per-process state the parser tracks to catch errors statically. */
#define SCN_HAS 1			/* the process maps (part of) it */
#define SCN_DONTFORK 2			/* all of it MADV_DONTFORK */

struct scn_proc_state {
	bool alive;
	unsigned char *rflags;		/* by region: SCN_HAS etc. */
	int nr_rflags;
};

struct scn_parser {
	const char *path;
	const char *buf;		/* the whole input */
	size_t len, pos;		/* pos: start of the next line */
	int lineno;
	const char *line;		/* statement, without comment */
	int line_len, lpos;		/* lpos: lexer cursor in line */
	struct scn_scenario *s;
	struct scn_proc_state *ps;	/* parallel to s->procs */
	int cap_ops, cap_procs, cap_regions;
	uint64_t next_auto;		/* next automatic region address */
	char *err;
	size_t errlen;
	bool failed;
};

/* parser.c: the one error path.  Records the first error, returns -1. */
int scn_error(struct scn_parser *p, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int scn_nomem(struct scn_parser *p);

/* lexer.c */
bool lex_next_line(struct scn_parser *p);
int lex_next(struct scn_parser *p, struct scn_tok *t);
int lex_peek(struct scn_parser *p, struct scn_tok *t);
int lex_need(struct scn_parser *p, struct scn_tok *t, const char *what);
int lex_end(struct scn_parser *p);
int lex_eol_col(const struct scn_parser *p);
bool tok_is(const struct scn_tok *t, const char *word);
const char *tok_quote(const struct scn_tok *t, char *buf, size_t len);
int scan_name(const char *s, int len);
int tok_name(struct scn_parser *p, const struct scn_tok *t, const char *what);
int scan_uint(struct scn_parser *p, const struct scn_tok *t, int *off,
	      uint64_t *out, const char *what);
int tok_uint(struct scn_parser *p, const struct scn_tok *t, uint64_t *out,
	     const char *what);
int scan_size(struct scn_parser *p, const struct scn_tok *t, int *off,
	      uint64_t *out);
int tok_size(struct scn_parser *p, const struct scn_tok *t, uint64_t *out);

/* names.c: the small keyword tables, and lookups; -1 if not found. */
extern const char *const scn_prot_names[2];	/* by op->writable */
extern const char *const scn_result_names[2];	/* by op->collapse_ok */
extern const char *const scn_write_names[3];	/* by enum scn_write_kind */
extern const char scn_at_word[];
int scn_name_index(const char *const *table, int n, const struct scn_tok *t);
bool scn_reserved_proc_name(const struct scn_tok *t);
void scn_names_list(const char *const *table, int n, char *buf, size_t len);

/* symbols.c: process and region tables, per-process region sets. */
void *scn_grow(struct scn_parser *p, void *arr, int *cap, int n,
	       size_t size);
int sym_proc_find(const struct scn_scenario *s, const struct scn_tok *t);
int sym_proc_new(struct scn_parser *p, const struct scn_tok *t);
int sym_proc_use(struct scn_parser *p, const struct scn_tok *t);
int sym_region_find(const struct scn_scenario *s, const char *name,
		    int len);
int sym_region_new(struct scn_parser *p, const struct scn_tok *t,
		   uint64_t addr, uint64_t size);
int sym_region_known(struct scn_parser *p, const struct scn_tok *t);
unsigned char sym_flags(const struct scn_parser *p, int proc, int region);
int sym_set_flags(struct scn_parser *p, int proc, int region,
		  unsigned char flags);
int sym_fork(struct scn_parser *p, int parent, int child);
void sym_exit(struct scn_parser *p, int proc);
int sym_auto_addr(struct scn_parser *p, int col, uint64_t size,
		  uint64_t *addr);
void sym_placed(struct scn_parser *p, uint64_t addr, uint64_t size);
void sym_free(struct scn_parser *p);

/* range.c: RANGE, ADDR and whole-region tests. */
int scn_parse_range(struct scn_parser *p, const struct scn_tok *t,
		    struct scn_range *r);
int scn_parse_addr(struct scn_parser *p, const struct scn_tok *t,
		   struct scn_addr *a, uint64_t *addr);
bool scn_range_whole(const struct scn_scenario *s,
		     const struct scn_range *r);
uint64_t scn_region_pages(const struct scn_scenario *s, int region);
int scn_check_place(struct scn_parser *p, int col, uint64_t addr,
		    uint64_t size);

/* statements.c, expect.c: one function per production. */
int scn_parse_proc_stmt(struct scn_parser *p, struct scn_op *op,
			const struct scn_tok *first);
int scn_parse_set(struct scn_parser *p, struct scn_op *op,
		  const struct scn_tok *first);
int scn_parse_spawn(struct scn_parser *p, struct scn_op *op,
		    const struct scn_tok *first);
int scn_parse_daemon(struct scn_parser *p, struct scn_op *op,
		     const struct scn_tok *first);
int scn_parse_shrink(struct scn_parser *p, struct scn_op *op,
		     const struct scn_tok *first);
int scn_parse_show(struct scn_parser *p, struct scn_op *op,
		   const struct scn_tok *first);
int scn_parse_expect(struct scn_parser *p, struct scn_op *op,
		     const struct scn_tok *first);

/* printer.c */
const char *scn_format_size(char *buf, size_t len, uint64_t bytes);

#endif
