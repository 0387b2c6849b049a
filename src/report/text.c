// SPDX-License-Identifier: GPL-2.0-only
/*
 * The human report: one column per profile, one row per expectation, per
 * process/region figure, memory total and vmstat delta; rows where the
 * columns differ are marked with '*' (and coloured on a terminal); then
 * the maps captured by "show".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

#define LABEL_W 44
#define COL_W 12

struct row {
	char label[128];
	char cell[8][COL_W + 8];
	int nr;
};

static void row_init(struct row *r, const char *fmt, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	va_start(ap, fmt);
	vsnprintf(r->label, sizeof(r->label), fmt, ap);
	va_end(ap);
}

static void row_cell(struct row *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nr >= 8)
		return;
	va_start(ap, fmt);
	vsnprintf(r->cell[r->nr++], COL_W + 8, fmt, ap);
	va_end(ap);
}

/* Cells of "-" (an expectation that does not apply) never differ. */
static bool row_differs(const struct row *r)
{
	const char *first = NULL;
	int i;

	for (i = 0; i < r->nr; i++) {
		if (!strcmp(r->cell[i], "-"))
			continue;
		if (first && strcmp(r->cell[i], first))
			return true;
		first = r->cell[i];
	}
	return false;
}

static void row_print(FILE *f, const struct row *r,
		      const struct report_opts *o)
{
	bool diff = row_differs(r);
	int i;

	fprintf(f, "%c %-*.*s", diff ? '*' : ' ', LABEL_W, LABEL_W, r->label);
	for (i = 0; i < r->nr; i++) {
		bool hl = diff && o->color && strcmp(r->cell[i], "-") &&
			  strcmp(r->cell[i], r->cell[0]);

		fprintf(f, " %s%-*s%s", hl ? "\033[1;33m" : "", COL_W,
			r->cell[i], hl ? "\033[0m" : "");
	}
	fputc('\n', f);
}

static const struct exec_expect *find_expect(const struct exec_result *r,
					     int op)
{
	int i;

	for (i = 0; i < r->nr_expects; i++)
		if (r->expects[i].op == op)
			return &r->expects[i];
	return NULL;
}

static void text_expects(FILE *f, const struct scn_scenario *s,
			 const struct exec_result *rs, int nr,
			 const struct report_opts *o)
{
	struct row row;
	int i, k;

	fputs("expectations\n", f);
	for (i = 0; i < s->nr_ops; i++) {
		if (s->ops[i].kind != SCN_EXPECT)
			continue;
		row_init(&row, "%4d %s", s->ops[i].line, s->ops[i].text);
		for (k = 0; k < nr; k++) {
			const struct exec_expect *e = find_expect(&rs[k], i);

			if (!e)
				row_cell(&row, "-");
			else if (e->passed)
				row_cell(&row, "ok");
			else
				row_cell(&row, "FAIL %s", e->got);
		}
		row_print(f, &row, o);
	}
}

static void text_final(FILE *f, const struct scn_scenario *s,
		       const struct exec_result *rs, int nr,
		       const struct report_opts *o)
{
	struct row row;
	int p, g, k;

	fputs("final state (thp / present / swapped / shared pages)\n", f);
	for (p = 0; p < s->nr_procs; p++) {
		for (g = 0; g < s->nr_regions; g++) {
			bool any = false;

			for (k = 0; k < nr; k++)
				any |= rs[k].procs && rs[k].procs[p].alive &&
				       rs[k].procs[p].regions[g].mapped;
			if (!any)
				continue;
			row_init(&row, "  %s %s", s->procs[p],
				 s->regions[g].name);
			for (k = 0; k < nr; k++) {
				const struct exec_region_final *rf;

				if (!rs[k].procs) {
					row_cell(&row, "-");
					continue;
				}
				rf = &rs[k].procs[p].regions[g];
				row_cell(&row, "%llu/%llu/%llu/%llu",
					 (unsigned long long)rf->thp,
					 (unsigned long long)rf->present,
					 (unsigned long long)rf->swapped,
					 (unsigned long long)rf->shared);
			}
			row_print(f, &row, o);
		}
		row_init(&row, "  %s rss KiB", s->procs[p]);
		for (k = 0; k < nr; k++)
			if (rs[k].procs && rs[k].procs[p].alive)
				row_cell(&row, "%llu", (unsigned long long)
						rs[k].procs[p].rss_kb);
			else
				row_cell(&row, "exited");
		row_print(f, &row, o);
	}
}

/* --cost: one row per mapcount scheme, whatever each column's profile */
static void text_cost(FILE *f, const struct exec_result *rs, int nr,
		      const struct report_opts *o)
{
	struct row row;
	int s, k;

	for (k = 0; k < nr && !rs[k].costed; k++)
		;
	if (k == nr)
		return;
	for (s = 0; s < NR_MAPCOUNT_SCHEMES; s++) {
		row_init(&row, "  mapcount atomics, %s",
			 mapcount_scheme_names[s]);
		for (k = 0; k < nr; k++)
			if (rs[k].costed)
				row_cell(&row, "%llu",
					 (unsigned long long)rs[k].atomics[s]);
			else
				row_cell(&row, "-");
		row_print(f, &row, o);
	}
}

static void text_memory(FILE *f, const struct exec_result *rs, int nr,
			const struct report_opts *o)
{
	struct row row;
	int i, k;

	fputs("memory\n", f);
	row_init(&row, "  RAM in anon folios KiB");
	for (k = 0; k < nr; k++)
		row_cell(&row, "%llu", (unsigned long long)rs[k].anon_kb);
	row_print(f, &row, o);
	row_init(&row, "  RAM in PMD-size folios KiB");
	for (k = 0; k < nr; k++)
		row_cell(&row, "%llu", (unsigned long long)rs[k].thp_kb);
	row_print(f, &row, o);
	text_cost(f, rs, nr, o);
	fputs("vmstat (change since the start; zero rows left out)\n", f);
	for (i = 0; i < exec_nr_vmstat_names; i++) {
		bool any = false;

		for (k = 0; k < nr; k++)
			any |= i < rs[k].nr_vmstat && rs[k].vmstat[i].delta;
		if (!any)
			continue;
		row_init(&row, "  %s", exec_vmstat_names[i]);
		for (k = 0; k < nr; k++)
			row_cell(&row, "%lld", i < rs[k].nr_vmstat ?
					       (long long)rs[k].vmstat[i].delta :
					       0LL);
		row_print(f, &row, o);
	}
}

void report_map(FILE *f, const char *cells, const char *indent)
{
	size_t n = strlen(cells), i;

	for (i = 0; i < n; i += 64)
		fprintf(f, "%s%5zu %.*s\n", indent, i, 64, cells + i);
}

const char *report_show_cells(const struct exec_result *r, int op)
{
	int i;

	for (i = 0; i < r->nr_shows; i++)
		if (r->shows[i].op == op)
			return r->shows[i].cells;
	return NULL;
}

/* Each distinct map once, naming the profiles that share it. */
static void text_show(FILE *f, const struct scn_scenario *s, int op,
		      const struct exec_result *rs, int nr)
{
	bool done[8] = { false };
	int k, j;

	fprintf(f, "show %s %s (line %d)\n", s->procs[s->ops[op].proc],
		s->regions[s->ops[op].region].name, s->ops[op].line);
	for (k = 0; k < nr && k < 8; k++) {
		const char *c = report_show_cells(&rs[k], op);

		if (done[k] || !c)
			continue;
		fprintf(f, "  %s", rs[k].profile);
		for (j = k + 1; j < nr && j < 8; j++) {
			const char *d = report_show_cells(&rs[j], op);

			if (d && !strcmp(c, d)) {
				done[j] = true;
				fprintf(f, ", %s", rs[j].profile);
			}
		}
		fputs(":\n", f);
		report_map(f, c, "  ");
	}
}

static void text_header(FILE *f, const struct scn_scenario *s,
			const struct exec_result *rs, int nr)
{
	int k;

	fprintf(f, "scenario %s\n  %-*s", s->path, LABEL_W, "");
	for (k = 0; k < nr; k++)
		fprintf(f, " %-*s", COL_W, rs[k].profile);
	fputc('\n', f);
}

static void text_status(FILE *f, const struct exec_result *rs, int nr)
{
	int k;

	for (k = 0; k < nr; k++) {
		fprintf(f, "%s: %d passed, %d failed", rs[k].profile,
			rs[k].passed, rs[k].failed);
		if (rs[k].data_lost)
			fprintf(f, ", %ld pages of data lost", rs[k].data_lost);
		if (rs[k].invariant_violations)
			fprintf(f, ", %ld invariant violations",
				rs[k].invariant_violations);
		fputc('\n', f);
		if (rs[k].error[0])
			fprintf(f, "  %s\n", rs[k].error);
	}
}

void report_text(FILE *f, const struct scn_scenario *s,
		 const struct exec_result *rs, int nr,
		 const struct report_opts *o)
{
	bool shows = false;
	int i;

	text_header(f, s, rs, nr);
	text_expects(f, s, rs, nr, o);
	text_final(f, s, rs, nr, o);
	text_memory(f, rs, nr, o);
	for (i = 0; i < s->nr_ops; i++) {
		if (s->ops[i].kind != SCN_SHOW)
			continue;
		if (!shows)
			fprintf(f, "maps: %s\n", exec_map_legend);
		shows = true;
		text_show(f, s, i, rs, nr);
	}
	text_status(f, rs, nr);
}
