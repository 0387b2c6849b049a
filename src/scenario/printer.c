// SPDX-License-Identifier: GPL-2.0-only
/*
 * The printer: an op list back to canonical scenario text, one statement a
 * line, single spaces, sizes with the largest exact binary suffix and every
 * CMP spelled out.  Parsing what it prints gives the same op list.
 */
#include <inttypes.h>

#include "internal.h"

/* "2M", "4K", "3G", or plain bytes when not a multiple of 1K. */
const char *scn_format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char suffixes[] = "GMK";
	int i;

	for (i = 0; bytes && i < 3; i++) {
		unsigned int shift = 10 * (unsigned int)(3 - i);

		if (!(bytes & ((1ULL << shift) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", bytes >> shift,
				 suffixes[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, bytes);
	return buf;
}

static void print_size(FILE *f, uint64_t bytes)
{
	char buf[32];

	fputs(scn_format_size(buf, sizeof(buf), bytes), f);
}

/* R, R[i], R[i:j], R[i:], R[:j], as the source wrote it. */
static void print_range(FILE *f, const struct scn_scenario *s,
			const struct scn_range *r)
{
	fprintf(f, " %s", s->regions[r->region].name);
	if (r->form == SCN_R_PAGE)
		fprintf(f, "[%ld]", r->start);
	if (r->form != SCN_R_SLICE)
		return;
	fputc('[', f);
	if (r->has_start)
		fprintf(f, "%ld", r->start);
	fputc(':', f);
	if (r->has_end)
		fprintf(f, "%ld", r->end);
	fputc(']', f);
}

/* " at 0x..." or " at R+SIZE" / " at R-SIZE", only if written. */
static void print_at(FILE *f, const struct scn_scenario *s,
		     const struct scn_op *op)
{
	const struct scn_addr *a = &op->at;

	if (!op->has_at)
		return;
	if (!a->relative) {
		fprintf(f, " %s 0x%" PRIx64, scn_at_word, a->abs);
		return;
	}
	fprintf(f, " %s %s%c", scn_at_word, s->regions[a->region].name,
		a->offset < 0 ? '-' : '+');
	print_size(f, a->offset < 0 ? -(uint64_t)a->offset :
		   (uint64_t)a->offset);
}

/* "expect[...]" and what follows it. */
static void print_expect(FILE *f, const struct scn_scenario *s,
			 const struct scn_op *op)
{
	int i;

	fputs(scn_op_names[SCN_EXPECT], f);
	for (i = 0; i < op->nr_profiles; i++)
		fprintf(f, "%c%s", i ? ',' : '[', op->profiles[i]);
	if (op->nr_profiles)
		fputc(']', f);
	if (op->expect == SCN_EXP_VMSTAT) {
		fprintf(f, " %s %s %s %" PRId64, scn_expect_names[op->expect],
			op->vmstat, scn_cmp_names[op->cmp], op->expect_value);
		return;
	}
	if (op->expect == SCN_EXP_COLLAPSE)
		fprintf(f, " %s", scn_expect_names[op->expect]);
	fprintf(f, " %s", s->procs[op->proc]);
	print_range(f, s, &op->range);
	if (op->expect == SCN_EXP_COLLAPSE) {
		fprintf(f, " %s", scn_result_names[op->collapse_ok]);
		return;
	}
	fprintf(f, " %s %s ", scn_expect_names[op->expect],
		scn_cmp_names[op->cmp]);
	if (op->expect == SCN_EXP_RSS)
		print_size(f, (uint64_t)op->expect_value);
	else
		fprintf(f, "%" PRId64, op->expect_value);
}

/* What follows "P VERB RANGE" for the verbs that take more words. */
static void print_range_tail(FILE *f, const struct scn_scenario *s,
			     const struct scn_op *op)
{
	switch (op->kind) {
	case SCN_MREMAP:
		fprintf(f, " %s", s->regions[op->region].name);
		if (op->has_size) {
			fputc(' ', f);
			print_size(f, op->size);
		}
		print_at(f, s, op);
		break;
	case SCN_MPROTECT:
		fprintf(f, " %s", scn_prot_names[op->writable]);
		break;
	case SCN_MADVISE:
		fprintf(f, " %s", scn_advice_names[op->advice]);
		break;
	case SCN_WRITE:
		if (op->write_kind != SCN_WRITE_UNIQUE)
			fprintf(f, " %s", scn_write_names[op->write_kind]);
		if (op->write_kind == SCN_WRITE_VALUE)
			fprintf(f, " %" PRIu64, op->value);
		break;
	default:
		break;
	}
}

/* "P VERB ..." statements. */
static void print_proc_op(FILE *f, const struct scn_scenario *s,
			  const struct scn_op *op)
{
	fprintf(f, "%s %s", s->procs[op->proc], scn_op_names[op->kind]);
	switch (op->kind) {
	case SCN_FORK:
		fprintf(f, " %s", s->procs[op->proc2]);
		break;
	case SCN_EXIT:
		break;
	case SCN_MMAP:
		fprintf(f, " %s ", s->regions[op->region].name);
		print_size(f, op->size);
		print_at(f, s, op);
		break;
	default:
		print_range(f, s, &op->range);
		print_range_tail(f, s, op);
		break;
	}
}

/* One statement, without a newline. */
void scn_print_op(FILE *f, const struct scn_scenario *s,
		  const struct scn_op *op)
{
	switch (op->kind) {
	case SCN_SET:
		fprintf(f, "%s %s %s", scn_op_names[op->kind], op->path,
			op->setval);
		break;
	case SCN_SPAWN:
		fprintf(f, "%s %s", scn_op_names[op->kind], s->procs[op->proc]);
		break;
	case SCN_KHUGEPAGED:
	case SCN_KSM:
		fputs(scn_op_names[op->kind], f);
		if (op->count != 1)
			fprintf(f, " %ld", op->count);
		break;
	case SCN_SHRINK:
		fputs(scn_op_names[op->kind], f);
		break;
	case SCN_SHOW:
		fprintf(f, "%s %s %s", scn_op_names[op->kind],
			s->procs[op->proc], s->regions[op->region].name);
		break;
	case SCN_EXPECT:
		print_expect(f, s, op);
		break;
	default:
		print_proc_op(f, s, op);
		break;
	}
}

void scn_print(FILE *f, const struct scn_scenario *s)
{
	int i;

	for (i = 0; i < s->nr_ops; i++) {
		scn_print_op(f, s, &s->ops[i]);
		fputc('\n', f);
	}
}
