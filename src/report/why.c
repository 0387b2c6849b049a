// SPDX-License-Identifier: GPL-2.0-only
/*
 * --why: one line per PMD of every region of every live process, saying
 * why it is or is not a THP at the end of the run (exec/why.c decides);
 * the same as the "why" array of the JSON.
 */
#include <stdio.h>

#include "report.h"

void report_why(FILE *f, const struct scn_scenario *s,
		const struct exec_result *r)
{
	char line[256];
	int i;

	fprintf(f, "# why (%s): %d PMDs\n", r->profile, r->nr_whys);
	for (i = 0; i < r->nr_whys; i++) {
		const struct exec_why *w = &r->whys[i];

		exec_why_format(r, w, line, sizeof(line));
		fprintf(f, "  %-6s %-6s %#-14llx %s\n", s->procs[w->proc],
			s->regions[w->region].name,
			(unsigned long long)w->addr, line);
	}
}

void json_why(FILE *f, const struct scn_scenario *s,
	      const struct exec_result *r)
{
	char line[256];
	int i;

	fputs("\"why\": [", f);
	for (i = 0; i < r->nr_whys; i++) {
		const struct exec_why *w = &r->whys[i];

		fprintf(f, "%s{\"proc\": ", i ? ", " : "");
		json_string(f, s->procs[w->proc]);
		fputs(", \"region\": ", f);
		json_string(f, s->regions[w->region].name);
		fprintf(f, ", \"addr\": \"%#llx\", \"verdict\": \"%s\", "
			"\"text\": ", (unsigned long long)w->addr,
			exec_why_kind_name(w->kind));
		exec_why_format(r, w, line, sizeof(line));
		json_string(f, line);
		fputc('}', f);
	}
	fputc(']', f);
}
