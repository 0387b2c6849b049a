// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SVG line plot: x and y axes with "nice" ticks (1, 2 or 5 times a
 * power of ten), one polyline with point markers per series, the legend
 * at the right.  Values above 8 MiB are shown in MiB.
 */
#include <stdbool.h>
#include <string.h>

#include "svg.h"

#define W 1000.0
#define H 560.0
#define PL 90.0			/* plot area: left, right, top, bottom */
#define PR 740.0
#define PT 70.0
#define PB 490.0

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
	"#ff7f0e", "#8c564b", "#e377c2", "#17becf",
};

#define NR_COLORS (int)(sizeof(palette) / sizeof(palette[0]))

/* A step of 1, 2 or 5 times a power of ten giving about six ticks. */
static double nice_step(double range)
{
	double raw = range / 6, mag = 1;

	if (raw <= 0)
		return 1;
	while (mag * 10 <= raw)
		mag *= 10;
	while (mag > raw)
		mag /= 10;
	if (raw <= mag)
		return mag;
	if (raw <= 2 * mag)
		return 2 * mag;
	if (raw <= 5 * mag)
		return 5 * mag;
	return 10 * mag;
}

struct axis {
	double lo, hi, step;
};

static struct axis axis_of(double lo, double hi, bool from_zero)
{
	struct axis a;

	if (from_zero && lo > 0)
		lo = 0;
	if (hi <= lo)
		hi = lo + 1;
	a.step = nice_step(hi - lo);
	/* widen to whole steps (values are integers, so this is exact) */
	a.lo = (double)(long long)(lo / a.step) * a.step;
	if (a.lo > lo)
		a.lo -= a.step;
	a.hi = (double)(long long)(hi / a.step) * a.step;
	if (a.hi < hi)
		a.hi += a.step;
	return a;
}

static double map_x(const struct axis *a, double v)
{
	return PL + (v - a->lo) / (a->hi - a->lo) * (PR - PL);
}

static double map_y(const struct axis *a, double v)
{
	return PB - (v - a->lo) / (a->hi - a->lo) * (PB - PT);
}

static void draw_axes(FILE *f, const struct svg_plot *p, const struct axis *ax,
		      const struct axis *ay, const char *yunit)
{
	double v;

	fputs("<g class=\"axes\">\n", f);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"class=\"axis\"/>\n", PL, PB, PR, PB);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"class=\"axis\"/>\n", PL, PB, PL, PT);
	for (v = ax->lo; v <= ax->hi + ax->step / 2; v += ax->step) {
		double x = map_x(ax, v);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" class=\"tick\"/>\n", x, PB, x, PB + 5);
		svg_text(f, x, PB + 18, "tick-x", "%g", v);
	}
	for (v = ay->lo; v <= ay->hi + ay->step / 2; v += ay->step) {
		double y = map_y(ay, v);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" class=\"grid\"/>\n", PL - 5, y, PR, y);
		svg_text(f, PL - 8, y + 4, "tick-y", "%g", v);
	}
	svg_text(f, (PL + PR) / 2, PB + 42, "label-x", "%s", p->xlabel);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"label-y\" "
		"transform=\"rotate(-90 %.1f %.1f)\">", 24.0, (PT + PB) / 2,
		24.0, (PT + PB) / 2);
	svg_escape(f, p->ylabel);
	fprintf(f, " (%s)</text>\n</g>\n", yunit);
}

static void draw_series(FILE *f, const struct svg_plot *p,
			const struct svg_series *s, const struct axis *ax,
			const struct axis *ay, double yscale)
{
	const char *color = palette[s->color % NR_COLORS];
	int i;

	fputs("<g class=\"series\" data-label=\"", f);
	svg_escape(f, s->label);
	fputs("\">\n<polyline points=\"", f);
	for (i = 0; i < p->nr_x; i++)
		fprintf(f, "%s%.1f,%.1f", i ? " " : "", map_x(ax, p->x[i]),
			map_y(ay, s->y[i] / yscale));
	fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
		color, s->dashed ? " stroke-dasharray=\"7 4\"" : "");
	for (i = 0; i < p->nr_x; i++)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
			"fill=\"%s\" stroke=\"%s\"/>\n", map_x(ax, p->x[i]),
			map_y(ay, s->y[i] / yscale),
			s->dashed ? "white" : color, color);
	fputs("</g>\n", f);
}

static void draw_legend(FILE *f, const struct svg_plot *p)
{
	int i;

	fputs("<g class=\"legend\">\n", f);
	for (i = 0; i < p->nr_series; i++) {
		const struct svg_series *s = &p->series[i];
		double y = PT + 10 + i * 20;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
			PR + 20, y, PR + 50, y, palette[s->color % NR_COLORS],
			s->dashed ? " stroke-dasharray=\"7 4\"" : "");
		svg_text(f, PR + 58, y + 4, NULL, "%s", s->label);
	}
	fputs("</g>\n", f);
}

void svg_line_plot(FILE *f, const struct svg_plot *p)
{
	double xlo = p->nr_x ? p->x[0] : 0, xhi = xlo, ymax = 0, yscale = 1;
	struct axis ax, ay;
	int i, k;

	for (i = 0; i < p->nr_x; i++) {
		xlo = p->x[i] < xlo ? p->x[i] : xlo;
		xhi = p->x[i] > xhi ? p->x[i] : xhi;
		for (k = 0; k < p->nr_series; k++)
			if (p->series[k].y[i] > ymax)
				ymax = p->series[k].y[i];
	}
	if (ymax >= 8192)
		yscale = 1024;
	ax = axis_of(xlo, xhi, false);
	ay = axis_of(0, ymax / yscale, true);
	svg_begin(f, W, H, p->title,
		  ".axis { stroke: #222; stroke-width: 1; }\n"
		  ".tick { stroke: #222; }\n"
		  ".grid { stroke: #ddd; }\n"
		  ".tick-x, .label-x { text-anchor: middle; }\n"
		  ".tick-y { text-anchor: end; }\n"
		  ".label-y { text-anchor: middle; }\n");
	svg_text(f, 12, 24, "title", "%s", p->title);
	svg_text(f, 12, 44, "sub", "%s", p->subtitle);
	draw_axes(f, p, &ax, &ay, yscale > 1 ? "MiB" : "KiB");
	for (k = 0; k < p->nr_series; k++)
		draw_series(f, p, &p->series[k], &ax, &ay, yscale);
	draw_legend(f, p);
	svg_end(f);
}
