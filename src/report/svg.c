// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SVG writer and the page-map picture.  A map row holds the pages of
 * one PMD (512 cells; fewer for a region smaller than a PMD, with wider
 * cells), aligned on the PMD boundary so that a THP is always one whole
 * row; runs of equal cells become one rectangle, which keeps a picture of
 * a gigabyte small.  Profiles (or model and kernel) are columns side by
 * side, regions are panels stacked top to bottom.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "exec/exec.h"
#include "svg.h"

#define PMD_PAGES 512
#define WIDTH 1240.0
#define LEFT 96.0		/* row labels */
#define GAP 24.0		/* between columns */
#define ROW_H 12.0
#define MARK_H 4.0		/* band under a row marking differing cells */
#define MARK_MIN_W 4.0
#define ROW_GAP 2.0

/* {========== the writer ==========} */

void svg_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			/* XML 1.0 allows no other control characters */
			if ((unsigned char)*s >= 0x20 || *s == '\t' ||
			    *s == '\n')
				fputc(*s, f);
		}
	}
}

void svg_begin(FILE *f, double w, double h, const char *title,
	       const char *css)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
		w, h, w, h);
	fputs("<title>", f);
	svg_escape(f, title);
	fputs("</title>\n<style>\n"
	      "text { font-family: sans-serif; font-size: 12px; fill: #222; }\n"
	      ".title { font-size: 16px; font-weight: bold; }\n"
	      ".sub { fill: #555; }\n"
	      ".mono { font-family: monospace; font-size: 10px; }\n", f);
	fputs(css, f);
	fputs("</style>\n<rect x=\"0\" y=\"0\" width=\"100%\" "
	      "height=\"100%\" fill=\"white\"/>\n", f);
}

void svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

void svg_text(FILE *f, double x, double y, const char *cls, const char *fmt,
	      ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
	if (cls)
		fprintf(f, " class=\"%s\"", cls);
	fputc('>', f);
	svg_escape(f, buf);
	fputs("</text>\n", f);
}

void svg_rect(FILE *f, double x, double y, double w, double h,
	      const char *cls)
{
	fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
		"height=\"%.1f\" class=\"%s\"/>\n", x, y, w, h, cls);
}

/* {========== page states ==========} */

/* The states of exec_map_legend, in legend order. */
static const struct cell_style {
	char c;
	const char *cls, *fill, *what;
} styles[] = {
	{ CELL_THP, "thp", "#2e7d32", "PMD-mapped THP" },
	{ 'h', "thp-shared", "#00695c", "PMD-mapped THP, shared" },
	{ CELL_MTHP, "mthp", "#fdd835", "PTE-mapped large folio" },
	{ 'M', "mthp-shared", "#b8860b", "PTE-mapped large folio, shared" },
	{ CELL_EXCL, "excl", "#ffb74d", "small page" },
	{ CELL_SHARED, "shared", "#e65100", "small page, shared" },
	{ CELL_ZERO, "zero", "#90caf9", "zero page" },
	{ CELL_HUGE_ZERO, "huge-zero", "#1565c0", "huge zero page" },
	{ CELL_KSM, "ksm", "#d81b60", "KSM page" },
	{ CELL_SWAP, "swap", "#7e57c2", "swapped out" },
	{ CELL_NONE, "none", "#eeeeee", "not mapped" },
};

#define NR_STYLES (int)(sizeof(styles) / sizeof(styles[0]))

static int style_of(char c)
{
	int i;

	for (i = 0; i < NR_STYLES; i++)
		if (styles[i].c == c)
			return i;
	return NR_STYLES - 1;
}

const char *svg_cell_class(char c)
{
	return styles[style_of(c)].cls;
}

static void map_css(char *buf, size_t len)
{
	size_t n = 0;
	int i;

	for (i = 0; i < NR_STYLES && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, ".%s { fill: %s; }\n",
				      styles[i].cls, styles[i].fill);
	if (n < len)
		snprintf(buf + n, len - n, ".mark { fill: #d50000; }\n"
			 ".frame { fill: none; stroke: #999; "
			 "stroke-width: 0.5; }\n");
}

/* {========== layout ==========} */

struct panel_geom {
	unsigned long per_row;	/* cells per row */
	unsigned long skip;	/* empty slots before the first page */
	unsigned long rows;
	bool marks;
};

static struct panel_geom geom_of(const struct svg_map_panel *p)
{
	struct panel_geom g = { 0 };
	int k;

	if (p->npages >= PMD_PAGES) {
		g.per_row = PMD_PAGES;
		g.skip = (p->addr / 4096) % PMD_PAGES;
	} else {
		g.per_row = p->npages ? p->npages : 1;
	}
	g.rows = (g.skip + p->npages + g.per_row - 1) / g.per_row;
	for (k = 0; k < p->nr_rows; k++)
		g.marks |= p->rows[k].marks != NULL;
	return g;
}

static double row_pitch(const struct panel_geom *g)
{
	return ROW_H + (g->marks ? MARK_H : 0) + ROW_GAP;
}

/* Panel height: title, column headers, rows, space after. */
static double panel_height(const struct svg_map_panel *p)
{
	struct panel_geom g = geom_of(p);

	return 22 + 16 + (double)g.rows * row_pitch(&g) + 14;
}

/* Runs of equal cells of row @r as rectangles; marks in the band below. */
static void draw_row(FILE *f, const struct svg_map_row *mr,
		     const struct panel_geom *g, unsigned long npages,
		     unsigned long r, double x0, double y, double cw)
{
	unsigned long first = r * g->per_row, i, j;

	for (i = first; i < first + g->per_row; i = j) {
		long pi = (long)i - (long)g->skip;
		char c;

		j = i + 1;
		if (pi < 0 || (unsigned long)pi >= npages)
			continue;
		c = mr->cells[pi];
		while (j < first + g->per_row && j - g->skip < npages &&
		       mr->cells[j - g->skip] == c)
			j++;
		svg_rect(f, x0 + (double)(i - first) * cw, y,
			 (double)(j - i) * cw, ROW_H, svg_cell_class(c));
	}
	for (i = first; mr->marks && i < first + g->per_row; i = j) {
		long pi = (long)i - (long)g->skip;

		j = i + 1;
		if (pi < 0 || (unsigned long)pi >= npages || !mr->marks[pi])
			continue;
		while (j < first + g->per_row && j - g->skip < npages &&
		       mr->marks[j - g->skip])
			j++;
		/* a single page must stay visible in a 512-page row */
		svg_rect(f, x0 + (double)(i - first) * cw, y + ROW_H,
			 (double)(j - i) * cw > MARK_MIN_W ?
				 (double)(j - i) * cw : MARK_MIN_W,
			 MARK_H, "mark");
	}
}

static void draw_panel(FILE *f, const struct svg_map_panel *p, double y,
		       double col_w)
{
	struct panel_geom g = geom_of(p);
	double cw = col_w / (double)g.per_row, pitch = row_pitch(&g);
	unsigned long r;
	int k;

	fprintf(f, "<g class=\"panel\">\n");
	svg_text(f, 12, y + 15, "sub", "%s", p->title);
	y += 22;
	for (k = 0; k < p->nr_rows; k++)
		svg_text(f, LEFT + k * (col_w + GAP), y + 11, NULL, "%s",
			 p->rows[k].label);
	y += 16;
	for (r = 0; r < g.rows; r++) {
		uint64_t va = p->addr - (uint64_t)g.skip * 4096 +
			      (uint64_t)r * g.per_row * 4096;

		svg_text(f, 12, y + r * pitch + 10, "mono", "0x%llx",
			 (unsigned long long)va);
		for (k = 0; k < p->nr_rows; k++) {
			double x0 = LEFT + k * (col_w + GAP);

			fprintf(f, "<g class=\"map\" data-row=\"%d\">\n", k);
			draw_row(f, &p->rows[k], &g, p->npages, r, x0,
				 y + r * pitch, cw);
			fputs("</g>\n", f);
			fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
				"height=\"%.1f\" class=\"frame\"/>\n", x0,
				y + r * pitch, col_w, ROW_H);
		}
	}
	fputs("</g>\n", f);
}

/* Which states (and whether marks) occur anywhere. */
static bool states_used(const struct svg_map_panel *p, int nr,
			bool used[NR_STYLES])
{
	bool marks = false;
	unsigned long i;
	int n, k;

	memset(used, 0, NR_STYLES * sizeof(bool));
	for (n = 0; n < nr; n++)
		for (k = 0; k < p[n].nr_rows; k++)
			for (i = 0; i < p[n].npages; i++) {
				used[style_of(p[n].rows[k].cells[i])] = true;
				marks |= p[n].rows[k].marks &&
					 p[n].rows[k].marks[i];
			}
	return marks;
}

#define LEGEND_COLS 4
#define LEGEND_W 280.0
#define LEGEND_H 18.0

static void draw_legend(FILE *f, const bool used[NR_STYLES], bool marks,
			double y)
{
	int i, n = 0;

	fputs("<g class=\"legend\">\n", f);
	for (i = 0; i <= NR_STYLES; i++) {
		double x;

		if (i < NR_STYLES ? !used[i] : !marks)
			continue;
		x = 12 + (n % LEGEND_COLS) * LEGEND_W;
		y += n && !(n % LEGEND_COLS) ? LEGEND_H : 0;
		if (i < NR_STYLES) {
			svg_rect(f, x, y, 14, 10, styles[i].cls);
			svg_text(f, x + 20, y + 10, NULL, "%c  %s", styles[i].c,
				 styles[i].what);
		} else {
			svg_rect(f, x, y + 3, 14, MARK_H, "mark");
			svg_text(f, x + 20, y + 10, NULL,
				 "model and kernel differ");
		}
		n++;
	}
	fputs("</g>\n", f);
}

void svg_maps(FILE *f, const char *title, const char *subtitle,
	      const struct svg_map_panel *p, int nr)
{
	bool used[NR_STYLES], marks = states_used(p, nr, used);
	double y = 50, col_w, h = y;
	char css[1024];
	int i, cols = 1, nlegend = marks;

	for (i = 0; i < nr; i++) {
		cols = p[i].nr_rows > cols ? p[i].nr_rows : cols;
		h += panel_height(&p[i]);
	}
	for (i = 0; i < NR_STYLES; i++)
		nlegend += used[i];
	h += 10 + LEGEND_H * ((nlegend + LEGEND_COLS - 1) / LEGEND_COLS) + 10;
	col_w = (WIDTH - LEFT - 12 - (cols - 1) * GAP) / cols;
	if (col_w > 2 * PMD_PAGES)
		col_w = 2 * PMD_PAGES;
	map_css(css, sizeof(css));
	svg_begin(f, WIDTH, h, title, css);
	svg_text(f, 12, 22, "title", "%s", title);
	svg_text(f, 12, 40, "sub", "%s", subtitle);
	for (i = 0; i < nr; i++) {
		draw_panel(f, &p[i], y, col_w);
		y += panel_height(&p[i]);
	}
	draw_legend(f, used, marks, y + 10);
	svg_end(f);
}
