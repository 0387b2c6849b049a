/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SVG pictures: page maps (one row of cells per PMD, a colour per page
 * state, a legend) and line plots (axes with ticks, one line per series,
 * a legend).  Plain SVG 1.1 with a style sheet, no scripts, so any browser
 * shows it.  Output depends only on the input.
 */
#ifndef FSIM_REPORT_SVG_H
#define FSIM_REPORT_SVG_H

#include <stdint.h>
#include <stdio.h>

/* {========== the writer ==========} */

/* Open the root element of a @w x @h picture with @title and @css. */
void svg_begin(FILE *f, double w, double h, const char *title,
	       const char *css);
void svg_end(FILE *f);
/* @s with &, <, >, " and ' as entities (and control characters dropped) */
void svg_escape(FILE *f, const char *s);
/* A text element at (@x, @y) of class @cls (may be NULL). */
void svg_text(FILE *f, double x, double y, const char *cls, const char *fmt,
	      ...) __attribute__((format(printf, 5, 6)));
void svg_rect(FILE *f, double x, double y, double w, double h,
	      const char *cls);

/* {========== page maps ==========} */

/* One map: a profile's (or the model's or kernel's) cells for a region. */
struct svg_map_row {
	const char *label;		/* "v6.18", "model v6.18", "kernel" */
	const char *cells;		/* exec_map cells, one per page */
	const unsigned char *marks;	/* NULL, or non-zero where it differs */
};

/* The maps of one region, drawn side by side. */
struct svg_map_panel {
	char title[160];		/* "show P R (line 12)" */
	uint64_t addr;			/* address of the first page */
	unsigned long npages;
	const struct svg_map_row *rows;
	int nr_rows;
};

/* Panels stacked top to bottom under @title and @subtitle, then a legend. */
void svg_maps(FILE *f, const char *title, const char *subtitle,
	      const struct svg_map_panel *p, int nr);
/* The CSS class of a map cell character ("thp", "zero", ...). */
const char *svg_cell_class(char c);

/* {========== line plots ==========} */

struct svg_series {
	const char *label;		/* "v6.18 RAM held" */
	int color;			/* index into the palette */
	int dashed;			/* 0 solid, 1 dashed */
	const double *y;		/* one per x */
};

struct svg_plot {
	const char *title, *subtitle;
	const char *xlabel, *ylabel;
	const double *x;
	int nr_x;
	const struct svg_series *series;
	int nr_series;
};

void svg_line_plot(FILE *f, const struct svg_plot *p);

#endif
