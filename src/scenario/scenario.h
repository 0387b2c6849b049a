/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The op list: the one contract between the front (parser, explorer's
 * generator) and the back (model and kernel executors).  A parsed scenario
 * is a list of statements with every name resolved to an index and every
 * region placed at its address, so an executor never looks at text.
 *
 * The language itself is specified in docs/scenario-language.md (a copy of
 * the project's binding contract).  Nothing here knows the model's structs.
 */
#ifndef FSIM_SCENARIO_SCENARIO_H
#define FSIM_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SCN_PAGE_SIZE 4096UL
#define SCN_PMD_SIZE (2UL << 20)
#define SCN_AUTO_BASE (1UL << 30)	/* first automatic region address */

enum scn_op_kind {
	SCN_SET,		/* set PATH VALUE */
	SCN_SPAWN,		/* spawn P */
	SCN_FORK,		/* P fork Q */
	SCN_EXIT,		/* P exit */
	SCN_MMAP,		/* P mmap R SIZE [at ADDR] */
	SCN_MUNMAP,		/* P munmap RANGE */
	SCN_MREMAP,		/* P mremap RANGE NEWNAME [SIZE] [at ADDR] */
	SCN_MPROTECT,		/* P mprotect RANGE ro|rw */
	SCN_MADVISE,		/* P madvise RANGE ADVICE */
	SCN_READ,		/* P read RANGE */
	SCN_WRITE,		/* P write RANGE [zero | value N] */
	SCN_KHUGEPAGED,		/* khugepaged [N] */
	SCN_KSM,		/* ksm [N] */
	SCN_SHRINK,		/* shrink */
	SCN_SHOW,		/* show P R */
	SCN_EXPECT,		/* expect[PROFILES] ... */
	NR_SCN_OPS
};

/* Same order as the model's enum fsim_advice. */
enum scn_advice {
	SCN_ADV_HUGEPAGE,
	SCN_ADV_NOHUGEPAGE,
	SCN_ADV_DONTNEED,
	SCN_ADV_COLLAPSE,
	SCN_ADV_PAGEOUT,
	SCN_ADV_MERGEABLE,
	SCN_ADV_UNMERGEABLE,
	SCN_ADV_DONTFORK,
	SCN_ADV_DOFORK,
	SCN_ADV_COLD,		/* extension: MADV_COLD */
	NR_SCN_ADVICE
};

enum scn_write_kind { SCN_WRITE_UNIQUE, SCN_WRITE_ZERO, SCN_WRITE_VALUE };

enum scn_expect_kind {
	SCN_EXP_THP,		/* P RANGE thp CMP N */
	SCN_EXP_PRESENT,	/* P RANGE present CMP N */
	SCN_EXP_SWAPPED,	/* P RANGE swapped CMP N */
	SCN_EXP_SHARED,		/* P RANGE shared CMP N */
	SCN_EXP_RSS,		/* P RANGE rss CMP SIZE (bytes) */
	SCN_EXP_VMSTAT,		/* vmstat NAME CMP N */
	SCN_EXP_COLLAPSE,	/* collapse P RANGE ok|fail */
	NR_SCN_EXPECTS
};

enum scn_cmp { SCN_EQ, SCN_NE, SCN_LT, SCN_LE, SCN_GT, SCN_GE };

/*
 * How a range was written, so the printer gives it back the same way:
 * R, R[i], R[i:j], R[i:], R[:j].
 */
enum scn_range_form { SCN_R_ALL, SCN_R_PAGE, SCN_R_SLICE };

struct scn_range {
	int region;			/* index in scenario->regions */
	enum scn_range_form form;
	bool has_start, has_end;	/* SCN_R_SLICE: which bounds were given */
	long start, end;		/* resolved pages [start, end) */
};

/* An address as written after "at": absolute, or relative to a region. */
struct scn_addr {
	bool relative;
	uint64_t abs;			/* absolute address */
	int region;			/* relative: base region */
	int64_t offset;			/* relative: signed byte offset */
};

struct scn_op {
	enum scn_op_kind kind;
	int line, col;			/* position of the statement */
	char *text;			/* the statement as written (no comment) */
	int proc;			/* acting process, -1 if none */
	int proc2;			/* fork: the child */
	struct scn_range range;
	int region;			/* mmap: the region; mremap: NEWNAME */
	uint64_t size;			/* mmap/mremap size in bytes */
	bool has_size;			/* mremap: SIZE was given */
	bool has_at;
	struct scn_addr at;
	uint64_t addr;			/* mmap/mremap: resolved address */
	enum scn_advice advice;
	bool writable;			/* mprotect rw */
	enum scn_write_kind write_kind;
	uint64_t value;			/* write value N */
	long count;			/* khugepaged/ksm N (default 1) */
	char *path, *setval;		/* set PATH VALUE */
	/* expect */
	enum scn_expect_kind expect;
	enum scn_cmp cmp;
	int64_t expect_value;		/* N, or SIZE in bytes for rss */
	bool collapse_ok;
	char *vmstat;			/* vmstat NAME */
	char **profiles;		/* expect[...]: names; NULL = all */
	int nr_profiles;
};

struct scn_region {
	char *name;
	uint64_t addr;			/* where it is mapped */
	uint64_t size;			/* bytes */
};

struct scn_scenario {
	char *path;			/* as given (for messages) */
	struct scn_op *ops;
	int nr_ops;
	char **procs;			/* process names, first-use order */
	int nr_procs;
	struct scn_region *regions;	/* region names, first-use order */
	int nr_regions;
};

extern const char *const scn_op_names[NR_SCN_OPS];
extern const char *const scn_advice_names[NR_SCN_ADVICE];
extern const char *const scn_expect_names[NR_SCN_EXPECTS];
extern const char *const scn_cmp_names[];

/*
 * Parse @len bytes of @text, naming it @path in messages.  On success
 * returns 0 and fills @out.  On error returns -1 and writes one line
 * "path:line:column: expected ..." (no newline) into @err.
 */
int scn_parse(const char *path, const char *text, size_t len,
	      struct scn_scenario *out, char *err, size_t errlen);
/* Read and parse a file; errors as above (an unreadable file too). */
int scn_parse_file(const char *path, struct scn_scenario *out, char *err,
		   size_t errlen);
void scn_free(struct scn_scenario *s);

/* Paths of scenario files (files.c). */
struct scn_files {
	char **files;
	int nr, cap;
};
/*
 * Append every *.fsim below @dir (subdirectories followed, names starting
 * with '.' skipped), sorted.  Return 0, or -1 (errno) when a directory
 * cannot be read or memory runs out; what was found stays in @l.
 */
int scn_find_files(struct scn_files *l, const char *dir);
void scn_files_free(struct scn_files *l);

/*
 * Print @s as canonical scenario text: one statement per line, single
 * spaces, sizes with the largest exact suffix, no comments.  Parsing the
 * output gives the same op list.
 */
void scn_print(FILE *f, const struct scn_scenario *s);
/* One statement as scn_print() writes it, without the newline. */
void scn_print_op(FILE *f, const struct scn_scenario *s,
		  const struct scn_op *op);
/* True if @op applies to profile @name (expect[...] filter). */
bool scn_op_applies(const struct scn_op *op, const char *name);
/*
 * True if two ops mean the same: every resolved field is equal; line, col
 * and text (where and how it was written) are not compared.
 */
bool scn_op_equal(const struct scn_op *a, const struct scn_op *b);
/* Same ops (scn_op_equal), same process names, same region table. */
bool scn_equal(const struct scn_scenario *a, const struct scn_scenario *b);

#endif
