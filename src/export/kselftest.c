// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario's part of an exported kselftest: the tables the runtime
 * reads (processes, regions, the spans whose contents the actors track,
 * foliosim's default tunables, the sysfs files the scenario needs, the
 * vmstat counters it checks) and run_scenario(), one runtime call per
 * statement with every range resolved to addresses.  Expects that do not
 * apply to the kernel stay as comments.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "export/export.h"
#include "config/settings.h"

#define USER_TOP	(1ULL << 47)	/* x86-64 4-level user space */
#define EXPORT_MAX_PROCS 200

static const char *const madv_names[NR_SCN_ADVICE] = {
	[SCN_ADV_HUGEPAGE] = "MADV_HUGEPAGE",
	[SCN_ADV_NOHUGEPAGE] = "MADV_NOHUGEPAGE",
	[SCN_ADV_DONTNEED] = "MADV_DONTNEED",
	[SCN_ADV_COLLAPSE] = "MADV_COLLAPSE",
	[SCN_ADV_PAGEOUT] = "MADV_PAGEOUT",
	[SCN_ADV_MERGEABLE] = "MADV_MERGEABLE",
	[SCN_ADV_UNMERGEABLE] = "MADV_UNMERGEABLE",
	[SCN_ADV_DONTFORK] = "MADV_DONTFORK",
	[SCN_ADV_DOFORK] = "MADV_DOFORK",
	[SCN_ADV_COLD] = "MADV_COLD",
};

static const char *const cmp_names[] = { "EQ", "NE", "LT", "LE", "GT", "GE" };

static const char *const what_names[] = {
	[SCN_EXP_THP] = "THP",
	[SCN_EXP_PRESENT] = "PRESENT",
	[SCN_EXP_SWAPPED] = "SWAPPED",
	[SCN_EXP_SHARED] = "SHARED",
	[SCN_EXP_RSS] = "RSS",
};

static const char *const write_names[] = {
	[SCN_WRITE_UNIQUE] = "WRITE_UNIQUE",
	[SCN_WRITE_ZERO] = "WRITE_ZERO",
	[SCN_WRITE_VALUE] = "WRITE_VALUE",
};

/* The kernel executor owns these (the khugepaged gate, 'ksm N'). */
static bool gate_owned(const char *path)
{
	return !strcmp(path, "khugepaged/scan_sleep_millisecs") ||
	       !strcmp(path, "khugepaged/alloc_sleep_millisecs") ||
	       !strcmp(path, "ksm/run");
}

static bool is_enabled_file(const char *path)
{
	size_t n = strlen(path);

	return !strcmp(path, "enabled") ||
	       (n > 8 && !strcmp(path + n - 8, "/enabled"));
}

/* {========== text ==========} */

/* @s as the body of a C string literal. */
static void put_cstr(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/* @s inside a comment: "*" followed by "/" would end it. */
static void put_comment_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		fputc(*s, f);
		if (*s == '*' && s[1] == '/')
			fputc(' ', f);
	}
}

static void put_lines(FILE *f, const char *const *lines)
{
	for (; *lines; lines++)
		fprintf(f, "%s\n", *lines);
}

/* {========== what the scenario uses ==========} */

struct export {
	const struct scn_scenario *s;
	FILE *f;
	const char **vmstat;		/* counters checked, first use order */
	int nr_vmstat;
	int *collapse;			/* per op: its MADV_COLLAPSE index */
	int nr_collapses;
	int nr_checks;
	bool ksm, swap;
};

static int vmstat_index(struct export *x, const char *name)
{
	int i;

	for (i = 0; i < x->nr_vmstat; i++)
		if (!strcmp(x->vmstat[i], name))
			return i;
	x->vmstat[x->nr_vmstat] = name;
	return x->nr_vmstat++;
}

static void survey(struct export *x)
{
	const struct scn_scenario *s = x->s;
	int i;

	for (i = 0; i < s->nr_ops; i++) {
		const struct scn_op *op = &s->ops[i];

		x->collapse[i] = -1;
		switch (op->kind) {
		case SCN_KSM:
			x->ksm = true;
			break;
		case SCN_SET:
			x->ksm |= !strncmp(op->path, "ksm/", 4) &&
				  !gate_owned(op->path);
			break;
		case SCN_MADVISE:
			x->ksm |= op->advice == SCN_ADV_MERGEABLE ||
				  op->advice == SCN_ADV_UNMERGEABLE;
			x->swap |= op->advice == SCN_ADV_PAGEOUT;
			if (op->advice == SCN_ADV_COLLAPSE)
				x->collapse[i] = x->nr_collapses++;
			break;
		case SCN_EXPECT:
			if (!scn_op_applies(op, "kernel"))
				break;
			x->nr_checks++;
			if (op->expect == SCN_EXP_VMSTAT)
				vmstat_index(x, op->vmstat);
			break;
		default:
			break;
		}
	}
}

/* {========== what cannot be exported ==========} */

static int refuse(const struct scn_scenario *s, const struct scn_op *op,
		  char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int refuse(const struct scn_scenario *s, const struct scn_op *op,
		  char *err, size_t len, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(err, len, "%s:%d:%d: cannot export: ", s->path,
			     op->line, op->col);
	va_start(ap, fmt);
	if (n < len)
		vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The program maps the keeper's PMD at EXEC_KEEPER_ADDR and only user
 * addresses below 2^47 exist: a region there cannot be had.
 */
static int check_placement(const struct scn_scenario *s,
			   const struct scn_op *op, char *err, size_t len)
{
	uint64_t end = op->addr + op->size;

	if (op->kind != SCN_MMAP && op->kind != SCN_MREMAP)
		return 0;
	if (end > USER_TOP || end < op->addr)
		return refuse(s, op, err, len, "%s ends at %#llx, above the "
			      "user address space (%#llx)",
			      s->regions[op->region].name,
			      (unsigned long long)end,
			      (unsigned long long)USER_TOP);
	if (op->addr < EXEC_KEEPER_ADDR + SCN_PMD_SIZE &&
	    end > EXEC_KEEPER_ADDR)
		return refuse(s, op, err, len, "%s overlaps the program's "
			      "keeper PMD at %#lx", s->regions[op->region].name,
			      EXEC_KEEPER_ADDR);
	return 0;
}

/* {========== the tables ==========} */

static int cmp_span(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* The union of every region's addresses, as sorted disjoint spans. */
static void put_spans(struct export *x)
{
	const struct scn_scenario *s = x->s;
	uint64_t (*v)[2] = calloc((size_t)s->nr_regions + 1, sizeof(*v));
	int i, n = 0;

	if (!v)
		return;
	for (i = 0; i < s->nr_regions; i++) {
		v[i][0] = s->regions[i].addr;
		v[i][1] = s->regions[i].addr + s->regions[i].size;
	}
	qsort(v, (size_t)s->nr_regions, sizeof(*v), cmp_span);
	for (i = 0; i < s->nr_regions; i++) {
		if (n && v[i][0] <= v[n - 1][1]) {
			if (v[i][1] > v[n - 1][1])
				v[n - 1][1] = v[i][1];
			continue;
		}
		v[n][0] = v[i][0];
		v[n++][1] = v[i][1];
	}
	fprintf(x->f, "#define NR_SPANS\t%d\n", n);
	fprintf(x->f, "static const struct span spans[] = {\n");
	for (i = 0; i < n; i++)
		fprintf(x->f, "\t{ %#llxUL, %#llxUL },\n",
			(unsigned long long)v[i][0],
			(unsigned long long)v[i][1]);
	if (!n)
		fprintf(x->f, "\t{ 0, 0 },\n");
	fprintf(x->f, "};\n\n");
	free(v);
}

static void put_default(FILE *f, const struct thp_settings *def,
			const char *path)
{
	char v[64];

	if (!setting_format(def, path, v, sizeof(v)))
		fprintf(f, "\t{ \"%s\", \"%s\" },\n", path, v);
}

/*
 * foliosim's defaults (the kernel executor's starting point), for every
 * file of the settings table but the khugepaged sleeps, which are the
 * gate's.
 */
static void put_defaults(FILE *f)
{
	struct thp_settings def;
	char path[64];
	int i, order;

	settings_init_defaults(&def);
	fprintf(f, "/* foliosim's defaults: every run starts from them */\n");
	fprintf(f, "static const struct knob defaults[] = {\n");
	for (i = 0; i < fsim_nr_settings; i++) {
		const struct setting_desc *d = &fsim_settings[i];

		if (d->model_only || !strcmp(d->path, "khugepaged/"
					     "scan_sleep_millisecs") ||
		    !strcmp(d->path, "khugepaged/alloc_sleep_millisecs"))
			continue;
		if (!d->per_size) {
			put_default(f, &def, d->path);
			continue;
		}
		for (order = 1; order <= 9; order++) {
			snprintf(path, sizeof(path), "hugepages-%dkB/enabled",
				 4 << order);
			put_default(f, &def, path);
		}
	}
	fprintf(f, "\t{ NULL, NULL },\n};\n\n");
}

/* The files the program must be able to write, or it skips. */
static void put_needs(struct export *x)
{
	static const char *const gate[] = {
		"khugepaged/full_scans", "khugepaged/pages_collapsed",
		"khugepaged/scan_sleep_millisecs",
		"khugepaged/alloc_sleep_millisecs",
		"khugepaged/pages_to_scan",
	};
	const struct scn_scenario *s = x->s;
	size_t k;
	int i, j;

	fprintf(x->f, "/* without these files the test cannot run here */\n");
	fprintf(x->f, "static const char *const needs[] = {\n");
	for (k = 0; k < sizeof(gate) / sizeof(gate[0]); k++)
		fprintf(x->f, "\t\"%s\",\n", gate[k]);
	for (i = 0; i < s->nr_ops; i++) {
		const struct scn_op *op = &s->ops[i];

		if (op->kind != SCN_SET || !strncmp(op->path, "model/", 6) ||
		    gate_owned(op->path))
			continue;
		for (j = 0; j < i; j++)
			if (s->ops[j].kind == SCN_SET &&
			    !strcmp(s->ops[j].path, op->path))
				break;
		if (j == i)
			fprintf(x->f, "\t\"%s\",\n", op->path);
	}
	fprintf(x->f, "\tNULL,\n};\n\n");
}

static void put_tables(struct export *x)
{
	const struct scn_scenario *s = x->s;
	FILE *f = x->f;
	int i;

	fprintf(f, "/* ======== the scenario ======== */\n\n");
	fprintf(f, "static const char scenario_file[] = \"");
	put_cstr(f, s->path);
	fprintf(f, "\";\n\n");
	fprintf(f, "#define NR_PROCS\t%d\n", s->nr_procs);
	fprintf(f, "#define NR_REGIONS\t%d\n", s->nr_regions);
	fprintf(f, "#define NR_CHECKS\t%d\t/* expects checked on the kernel "
		"*/\n", x->nr_checks);
	fprintf(f, "#define NR_COLLAPSES\t%d\n", x->nr_collapses);
	fprintf(f, "#define NR_VMSTAT\t%d\n", x->nr_vmstat);
	fprintf(f, "#define USES_KSM\t%d\n", x->ksm);
	fprintf(f, "#define USES_SWAP\t%d\n\n", x->swap);
	if (s->nr_procs) {
		fprintf(f, "enum {");
		for (i = 0; i < s->nr_procs; i++)
			fprintf(f, " PROC_%s%s", s->procs[i],
				i + 1 < s->nr_procs ? "," : " ");
		fprintf(f, "};\n");
	}
	fprintf(f, "static const char *const procs[] = {");
	for (i = 0; i < s->nr_procs; i++)
		fprintf(f, " \"%s\",", s->procs[i]);
	fprintf(f, "%s };\n\n", s->nr_procs ? "" : " \"\"");
	if (s->nr_regions) {
		fprintf(f, "enum {");
		for (i = 0; i < s->nr_regions; i++)
			fprintf(f, " REGION_%s%s", s->regions[i].name,
				i + 1 < s->nr_regions ? "," : " ");
		fprintf(f, "};\n");
	}
	fprintf(f, "static const struct region regions[] = {\n");
	for (i = 0; i < s->nr_regions; i++)
		fprintf(f, "\t{ \"%s\", %#llxUL, %#llxUL },\n",
			s->regions[i].name,
			(unsigned long long)s->regions[i].addr,
			(unsigned long long)s->regions[i].size);
	if (!s->nr_regions)
		fprintf(f, "\t{ \"\", 0, 0 },\n");
	fprintf(f, "};\n\n");
	put_spans(x);
	put_defaults(f);
	put_needs(x);
	fprintf(f, "static const char *const vmstat_names[] = {");
	for (i = 0; i < x->nr_vmstat; i++)
		fprintf(f, " \"%s\",", x->vmstat[i]);
	fprintf(f, "%s };\n\n", x->nr_vmstat ? "" : " \"\"");
}

/* {========== the statements ==========} */

static uint64_t range_addr(const struct scn_scenario *s,
			   const struct scn_op *op)
{
	return s->regions[op->range.region].addr +
	       (uint64_t)op->range.start * SCN_PAGE_SIZE;
}

static uint64_t range_len(const struct scn_op *op)
{
	return (uint64_t)(op->range.end - op->range.start) * SCN_PAGE_SIZE;
}

/* "PROC_P, 0x40000000UL, 0x200000UL": who, where, how much */
static void put_range(FILE *f, const struct scn_scenario *s,
		      const struct scn_op *op)
{
	fprintf(f, "PROC_%s, %#llxUL, %#llxUL", s->procs[op->proc],
		(unsigned long long)range_addr(s, op),
		(unsigned long long)range_len(op));
}

static bool same_range(const struct scn_range *a, const struct scn_range *b)
{
	return a->region == b->region && a->start == b->start &&
	       a->end == b->end;
}

/* The MADV_COLLAPSE an "expect collapse" at @idx is about, or -1. */
static int collapse_of(const struct export *x, int idx)
{
	const struct scn_op *op = &x->s->ops[idx];
	int i;

	for (i = idx - 1; i >= 0; i--) {
		const struct scn_op *o = &x->s->ops[i];

		if (o->kind == SCN_MADVISE && o->advice == SCN_ADV_COLLAPSE &&
		    o->proc == op->proc && same_range(&o->range, &op->range))
			return x->collapse[i];
	}
	return -1;
}

static void put_text_arg(FILE *f, const struct scn_op *op)
{
	fputc('"', f);
	put_cstr(f, op->text);
	fputc('"', f);
}

static void put_expect(struct export *x, int idx)
{
	const struct scn_scenario *s = x->s;
	const struct scn_op *op = &s->ops[idx];
	FILE *f = x->f;

	fprintf(f, "\t");
	switch (op->expect) {
	case SCN_EXP_VMSTAT:
		fprintf(f, "expect_vmstat(%d, ", op->line);
		put_text_arg(f, op);
		fprintf(f, ",\n\t\t      %d, %s, %lld);\n",
			vmstat_index(x, op->vmstat),
			cmp_names[op->cmp], (long long)op->expect_value);
		break;
	case SCN_EXP_COLLAPSE:
		fprintf(f, "expect_collapse(%d, ", op->line);
		put_text_arg(f, op);
		fprintf(f, ",\n\t\t\t%d, %s);\n", collapse_of(x, idx),
			op->collapse_ok ? "true" : "false");
		break;
	default:
		fprintf(f, "expect_range(%d, ", op->line);
		put_text_arg(f, op);
		fprintf(f, ",\n\t\t     PROC_%s, %#llxUL, %lu, %s, %s, %lld);\n",
			s->procs[op->proc],
			(unsigned long long)range_addr(s, op),
			(unsigned long)(op->range.end - op->range.start),
			what_names[op->expect], cmp_names[op->cmp],
			(long long)op->expect_value);
	}
}

static void put_set(FILE *f, const struct scn_op *op)
{
	if (!strncmp(op->path, "model/", 6)) {
		fprintf(f, "\t/* the model's only: nothing on the kernel */\n");
		return;
	}
	if (gate_owned(op->path)) {
		fprintf(f, "\t/* owned by the khugepaged gate and 'ksm N' "
			"(ignored, as 'foliosim kernel' does) */\n");
		return;
	}
	fprintf(f, "\t%s(%d, \"%s\", \"%s\");\n",
		is_enabled_file(op->path) ? "set_enabled" : "write_knob",
		op->line, op->path, op->setval);
}

static void put_madvise(struct export *x, int idx)
{
	const struct scn_op *op = &x->s->ops[idx];

	if (op->advice == SCN_ADV_COLLAPSE) {
		fprintf(x->f, "\tdo_collapse(%d, ", op->line);
		put_range(x->f, x->s, op);
		fprintf(x->f, ", %d);\n", x->collapse[idx]);
		return;
	}
	fprintf(x->f, "\tdo_madvise(%d, ", op->line);
	put_range(x->f, x->s, op);
	fprintf(x->f, ", %s);\n", madv_names[op->advice]);
}

static void put_op(struct export *x, int idx)
{
	const struct scn_scenario *s = x->s;
	const struct scn_op *op = &s->ops[idx];
	FILE *f = x->f;

	fprintf(f, "\t/* %d: ", op->line);
	put_comment_text(f, op->text);
	if (op->kind == SCN_EXPECT && !scn_op_applies(op, "kernel")) {
		fprintf(f, " (model profiles only) */\n");
		return;
	}
	fprintf(f, " */\n");
	switch (op->kind) {
	case SCN_SET:
		put_set(f, op);
		break;
	case SCN_SPAWN:
		fprintf(f, "\tspawn(%d, PROC_%s);\n", op->line,
			s->procs[op->proc]);
		break;
	case SCN_FORK:
		fprintf(f, "\tdo_fork(%d, PROC_%s, PROC_%s);\n", op->line,
			s->procs[op->proc], s->procs[op->proc2]);
		break;
	case SCN_EXIT:
		fprintf(f, "\tdo_exit(%d, PROC_%s);\n", op->line,
			s->procs[op->proc]);
		break;
	case SCN_MMAP:
		fprintf(f, "\tdo_mmap(%d, PROC_%s, %#llxUL, %#llxUL);\n",
			op->line, s->procs[op->proc],
			(unsigned long long)op->addr,
			(unsigned long long)op->size);
		break;
	case SCN_MUNMAP:
		fprintf(f, "\tdo_munmap(%d, ", op->line);
		put_range(f, s, op);
		fprintf(f, ");\n");
		break;
	case SCN_MREMAP:
		fprintf(f, "\tdo_mremap(%d, ", op->line);
		put_range(f, s, op);
		fprintf(f, ",\n\t\t  %#llxUL, %#llxUL);\n",
			(unsigned long long)op->addr,
			(unsigned long long)op->size);
		break;
	case SCN_MPROTECT:
		fprintf(f, "\tdo_mprotect(%d, ", op->line);
		put_range(f, s, op);
		fprintf(f, ", %s);\n", op->writable ?
			"PROT_READ | PROT_WRITE" : "PROT_READ");
		break;
	case SCN_MADVISE:
		put_madvise(x, idx);
		break;
	case SCN_READ:
		fprintf(f, "\tdo_read(%d, ", op->line);
		put_range(f, s, op);
		fprintf(f, ");\n");
		break;
	case SCN_WRITE:
		fprintf(f, "\tdo_write(%d, ", op->line);
		put_range(f, s, op);
		fprintf(f, ",\n\t\t %s, %#llxULL);\n",
			write_names[op->write_kind],
			(unsigned long long)op->value);
		break;
	case SCN_KHUGEPAGED:
		fprintf(f, "\trun_khugepaged(%d, %ld);\n", op->line,
			op->count);
		break;
	case SCN_KSM:
		fprintf(f, "\trun_ksm(%d, %ld);\n", op->line, op->count);
		break;
	case SCN_SHRINK:
		fprintf(f, "\tshrink(%d);\n", op->line);
		break;
	case SCN_SHOW:
		fprintf(f, "\tshow(%d, ", op->line);
		put_text_arg(f, op);
		fprintf(f, ", PROC_%s, REGION_%s);\n", s->procs[op->proc],
			s->regions[op->region].name);
		break;
	case SCN_EXPECT:
		put_expect(x, idx);
		break;
	default:
		break;
	}
}

static void put_header(FILE *f, const struct scn_scenario *s,
		       const char *origin)
{
	fprintf(f, "// SPDX-License-Identifier: GPL-2.0-only\n/*\n");
	fprintf(f, " * The foliosim scenario\n *\t");
	put_comment_text(f, s->path);
	fprintf(f, "\n * as a kselftest, exported by ");
	put_comment_text(f, origin);
	fprintf(f, "\n * (foliosim export --kselftest).\n"
		" *\n"
		" *\tcc -std=gnu11 -Wall -Wextra -Werror test.c -o test && "
		"sudo ./test\n"
		" *\n"
		" * Each scenario process is a child process that carries out "
		"the\n"
		" * statements sent to it through a pipe; the checks are the "
		"scenario's\n"
		" * expect lines that apply to the kernel, read from pagemap, "
		"kpageflags\n"
		" * and vmstat, and every read verifies what was last written."
		"  The THP,\n"
		" * khugepaged and KSM settings changed are restored on every "
		"exit.\n"
		" * khugepaged runs only in 'khugepaged N' statements, counted "
		"in full\n"
		" * scans.  It changes global settings and counts global "
		"events: run it\n"
		" * alone.  Exit status: 0 pass, 1 fail, 4 skip (not root, no "
		"THP, ...).\n"
		" */\n"
		"#define _GNU_SOURCE\n");
}

/*
 * Four pipe ends per process stay open in the program: past this many
 * processes it would run out of file descriptors (1024 by default).
 */
static int check_procs(const struct scn_scenario *s, const struct scn_op *op,
		       char *err, size_t len)
{
	int p = op->kind == SCN_SPAWN ? op->proc :
		op->kind == SCN_FORK  ? op->proc2 : -1;

	if (p < EXPORT_MAX_PROCS)
		return 0;
	return refuse(s, op, err, len, "more than %d processes",
		      EXPORT_MAX_PROCS);
}

int export_kselftest(FILE *out, const struct scn_scenario *s,
		     const char *origin, char *err, size_t errlen)
{
	struct export x = { .s = s, .f = out };
	int i;

	for (i = 0; i < s->nr_ops; i++)
		if (check_placement(s, &s->ops[i], err, errlen) ||
		    check_procs(s, &s->ops[i], err, errlen))
			return -1;
	x.vmstat = calloc((size_t)s->nr_ops + 1, sizeof(*x.vmstat));
	x.collapse = calloc((size_t)s->nr_ops + 1, sizeof(*x.collapse));
	if (!x.vmstat || !x.collapse) {
		free(x.vmstat);
		free(x.collapse);
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	survey(&x);
	put_header(out, s, origin);
	put_lines(out, export_runtime_head);
	put_tables(&x);
	put_lines(out, export_runtime_body);
	fprintf(out, "\n/* ======== the statements ======== */\n\n");
	fprintf(out, "static void run_scenario(void)\n{\n");
	for (i = 0; i < s->nr_ops; i++)
		put_op(&x, i);
	fprintf(out, "}\n");
	free(x.vmstat);
	free(x.collapse);
	return 0;
}
