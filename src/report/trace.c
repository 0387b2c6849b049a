// SPDX-License-Identifier: GPL-2.0-only
/*
 * --trace: the PMD scans of khugepaged and MADV_COLLAPSE of one run, under
 * a "# FILE:LINE: statement" header per statement, in one format for the
 * model and the kernel; and the same as the "scans" array of the JSON.
 */
#include <stdio.h>

#include "report.h"

void report_trace(FILE *f, const struct scn_scenario *s,
		  const struct exec_result *r)
{
	char line[256];
	int i, op = -1;

	fprintf(f, "# trace (%s): %d PMD scans\n", r->profile, r->nr_scans);
	for (i = 0; i < r->nr_scans; i++) {
		const struct exec_scan *sc = &r->scans[i];

		if (sc->op != op) {
			op = sc->op;
			fprintf(f, "# %s:%d: %s\n", s->path, s->ops[op].line,
				s->ops[op].text ? s->ops[op].text : "");
		}
		exec_scan_format(s, sc, line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
}

/* A count, or null where the executor cannot see it. */
static void json_count(FILE *f, const char *key, int v)
{
	fprintf(f, ", \"%s\": ", key);
	if (v == EXEC_SCAN_UNKNOWN)
		fputs("null", f);
	else
		fprintf(f, "%d", v);
}

void json_scans(FILE *f, const struct scn_scenario *s,
		const struct exec_result *r)
{
	int i;

	fputs("\"scans\": [", f);
	for (i = 0; i < r->nr_scans; i++) {
		const struct exec_scan *sc = &r->scans[i];
		const char *st = exec_scan_status_name(sc->status);

		fprintf(f, "%s{\"line\": %d, \"pass\": %ld, \"proc\": ",
			i ? ", " : "", s->ops[sc->op].line, sc->pass);
		if (sc->proc >= 0)
			json_string(f, s->procs[sc->proc]);
		else
			fputs("null", f);
		if (sc->addr == EXEC_SCAN_NO_ADDR)
			fputs(", \"addr\": null", f);
		else
			fprintf(f, ", \"addr\": \"%#llx\"",
				(unsigned long long)sc->addr);
		fputs(", \"status\": ", f);
		json_string(f, st ? st : "?");
		json_count(f, "none_or_zero", sc->none_or_zero);
		json_count(f, "swap", sc->unmapped);
		json_count(f, "shared", sc->shared);
		json_count(f, "referenced", sc->referenced);
		if (sc->order)	/* +mthp_collapse: an attempt inside the PMD */
			json_count(f, "order", sc->order);
		fputc('}', f);
	}
	fputc(']', f);
}
