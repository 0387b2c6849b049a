/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reports: results of one scenario under one or more profiles (or the
 * kernel), as a side-by-side text table with page maps, or as the JSON of
 * the language contract.  The report layer only reads exec_result.
 */
#ifndef FSIM_REPORT_REPORT_H
#define FSIM_REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "exec/exec.h"

struct report_opts {
	bool color;		/* ANSI colour (only on a terminal) */
};

void report_text(FILE *f, const struct scn_scenario *s,
		 const struct exec_result *rs, int nr,
		 const struct report_opts *o);
/* One JSON object (one line) for the scenario, as the contract says. */
void report_json(FILE *f, const struct scn_scenario *s,
		 const struct exec_result *rs, int nr);
/* A page map: 64 cells per line, with the page index at the left. */
void report_map(FILE *f, const char *cells, const char *indent);
/* The cells the "show" statement @op captured in @r, or NULL. */
const char *report_show_cells(const struct exec_result *r, int op);
void json_string(FILE *f, const char *s);
/*
 * The page maps as an SVG picture: those of the "show" statements, or
 * with @maps (per result, as exec_model_maps() gives them) every region's
 * at the end.  0, or -1 when out of memory.
 */
int report_svg(FILE *f, const struct scn_scenario *s,
	       const struct exec_result *rs, int nr, char **const *maps);
/* trace.c: the PMD scans of r (--trace), text and the JSON "scans" key */
void report_trace(FILE *f, const struct scn_scenario *s,
		  const struct exec_result *r);
void json_scans(FILE *f, const struct scn_scenario *s,
		const struct exec_result *r);
/* why.c: every PMD's verdict (--why), text and the JSON "why" key */
void report_why(FILE *f, const struct scn_scenario *s,
		const struct exec_result *r);
void json_why(FILE *f, const struct scn_scenario *s,
	      const struct exec_result *r);

#endif
