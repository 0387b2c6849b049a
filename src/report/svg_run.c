// SPDX-License-Identifier: GPL-2.0-only
/*
 * The picture of a model run ("foliosim run --svg"): the maps that the
 * scenario's "show" statements captured, or, for a scenario without any,
 * the map of every region at the end.  Profiles with the same map share
 * one column, named after all of them, as in the text report.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "svg.h"

#define MAX_COLS 8

struct panel_buf {
	struct svg_map_panel p;
	struct svg_map_row rows[MAX_COLS];
	char labels[MAX_COLS][128];
};

/* One column per distinct map among @cells[0..nr) (NULL: none). */
static void fill_rows(struct panel_buf *b, const struct exec_result *rs,
		      const char *const *cells, int nr)
{
	bool done[MAX_COLS] = { false };
	int k, j;

	for (k = 0; k < nr && k < MAX_COLS; k++) {
		struct svg_map_row *row;
		size_t n;

		if (done[k] || !cells[k])
			continue;
		row = &b->rows[b->p.nr_rows];
		row->cells = cells[k];
		row->label = b->labels[b->p.nr_rows];
		n = (size_t)snprintf(b->labels[b->p.nr_rows], 128, "%s",
				     rs[k].profile);
		for (j = k + 1; j < nr && j < MAX_COLS; j++)
			if (cells[j] && !strcmp(cells[j], cells[k])) {
				done[j] = true;
				if (n < 128)
					n += (size_t)snprintf(
						b->labels[b->p.nr_rows] + n,
						128 - n, ", %s", rs[j].profile);
			}
		b->p.nr_rows++;
	}
	b->p.rows = b->rows;
	if (b->p.nr_rows)
		b->p.npages = strlen(b->rows[0].cells);
}

/* Panels of the "show" statements; returns how many. */
static int show_panels(const struct scn_scenario *s,
		       const struct exec_result *rs, int nr,
		       struct panel_buf *b)
{
	const char *cells[MAX_COLS];
	int i, k, n = 0;

	for (i = 0; i < s->nr_ops; i++) {
		const struct scn_op *op = &s->ops[i];

		if (op->kind != SCN_SHOW)
			continue;
		for (k = 0; k < nr && k < MAX_COLS; k++)
			cells[k] = report_show_cells(&rs[k], i);
		snprintf(b[n].p.title, sizeof(b[n].p.title),
			 "show %s %s (line %d)", s->procs[op->proc],
			 s->regions[op->region].name, op->line);
		b[n].p.addr = s->regions[op->region].addr;
		fill_rows(&b[n], rs, cells, nr);
		n += b[n].p.nr_rows > 0;
	}
	return n;
}

/* Panels of every region at the end of the run. */
static int final_panels(const struct scn_scenario *s,
			const struct exec_result *rs, int nr,
			char **const *maps, struct panel_buf *b)
{
	const char *cells[MAX_COLS];
	int p, g, k, n = 0;

	for (p = 0; p < s->nr_procs; p++)
		for (g = 0; g < s->nr_regions; g++) {
			for (k = 0; k < nr && k < MAX_COLS; k++)
				cells[k] = maps[k] ?
					maps[k][p * s->nr_regions + g] : NULL;
			snprintf(b[n].p.title, sizeof(b[n].p.title),
				 "%s %s at the end", s->procs[p],
				 s->regions[g].name);
			b[n].p.addr = s->regions[g].addr;
			fill_rows(&b[n], rs, cells, nr);
			n += b[n].p.nr_rows > 0;
		}
	return n;
}

int report_svg(FILE *f, const struct scn_scenario *s,
	       const struct exec_result *rs, int nr, char **const *maps)
{
	size_t cap = (size_t)s->nr_ops + (size_t)s->nr_procs * s->nr_regions;
	struct panel_buf *b = calloc(cap + 1, sizeof(*b));
	struct svg_map_panel *p = calloc(cap + 1, sizeof(*p));
	char title[256], sub[256];
	size_t len = 0;
	int n, i, k;

	if (!b || !p) {
		free(b);
		free(p);
		return -1;
	}
	n = maps ? final_panels(s, rs, nr, maps, b) : show_panels(s, rs, nr, b);
	for (i = 0; i < n; i++)
		p[i] = b[i].p;
	snprintf(title, sizeof(title), "foliosim run %s", s->path);
	len = (size_t)snprintf(sub, sizeof(sub), "profiles:");
	for (k = 0; k < nr && len < sizeof(sub); k++)
		len += (size_t)snprintf(sub + len, sizeof(sub) - len, " %s",
					rs[k].profile);
	if (len < sizeof(sub))
		snprintf(sub + len, sizeof(sub) - len, "%s",
			 n ? "; one row per PMD (512 pages)" :
			     "; nothing is mapped");
	svg_maps(f, title, sub, p, n);
	free(b);
	free(p);
	return 0;
}
