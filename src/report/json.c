// SPDX-License-Identifier: GPL-2.0-only
/*
 * The --json output of the language contract: one object per scenario,
 * with one entry per profile (or "kernel") under "results".  Keys beyond
 * the contract ("status", "error", "release", "zero_page", "shows",
 * "collapse", "scans" with --trace) are additions, never renames.
 */
#include <stdio.h>

#include "report.h"

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_expect(FILE *f, const struct scn_scenario *s,
			const struct exec_result *r)
{
	int i, n = 0;

	fprintf(f, "\"expect\": {\"passed\": %d, \"failed\": %d, "
		   "\"failures\": [", r->passed, r->failed);
	for (i = 0; i < r->nr_expects; i++) {
		const struct exec_expect *e = &r->expects[i];

		if (e->passed)
			continue;
		fprintf(f, "%s{\"line\": %d, \"text\": ", n++ ? ", " : "",
			s->ops[e->op].line);
		json_string(f, s->ops[e->op].text);
		fputs(", \"got\": ", f);
		json_string(f, e->got);
		fputc('}', f);
	}
	fputs("]}", f);
}

static void json_proc(FILE *f, const struct scn_scenario *s,
		      const struct exec_proc_final *pf)
{
	int g, n = 0;

	fprintf(f, "{\"rss_kb\": %llu, \"anon_huge_kb\": %llu, "
		   "\"swap_kb\": %llu, \"regions\": {",
		(unsigned long long)pf->rss_kb,
		(unsigned long long)pf->anon_huge_kb,
		(unsigned long long)pf->swap_kb);
	for (g = 0; g < s->nr_regions; g++) {
		const struct exec_region_final *rf = &pf->regions[g];

		if (!rf->mapped)
			continue;
		fprintf(f, "%s", n++ ? ", " : "");
		json_string(f, s->regions[g].name);
		fprintf(f, ": {\"thp\": %llu, \"present\": %llu, "
			   "\"swapped\": %llu, \"shared\": %llu}",
			(unsigned long long)rf->thp,
			(unsigned long long)rf->present,
			(unsigned long long)rf->swapped,
			(unsigned long long)rf->shared);
	}
	fputs("}}", f);
}

static void json_final(FILE *f, const struct scn_scenario *s,
		       const struct exec_result *r)
{
	int p, i, n = 0;

	fputs("\"final\": {\"procs\": {", f);
	for (p = 0; p < r->nr_procs; p++) {
		if (!r->procs[p].alive)
			continue;
		fprintf(f, "%s", n++ ? ", " : "");
		json_string(f, s->procs[p]);
		fputs(": ", f);
		json_proc(f, s, &r->procs[p]);
	}
	fprintf(f, "}, \"memory\": {\"anon_kb\": %llu, \"thp_kb\": %llu}, ",
		(unsigned long long)r->anon_kb, (unsigned long long)r->thp_kb);
	if (r->costed) {
		fputs("\"cost\": {\"mapcount_atomics\": {", f);
		for (i = 0; i < NR_MAPCOUNT_SCHEMES; i++) {
			fprintf(f, "%s", i ? ", " : "");
			json_string(f, mapcount_scheme_names[i]);
			fprintf(f, ": %llu", (unsigned long long)r->atomics[i]);
		}
		fputs("}}, ", f);
	}
	fputs("\"vmstat\": {", f);
	for (i = 0; i < r->nr_vmstat; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_string(f, r->vmstat[i].name);
		fprintf(f, ": %lld", (long long)r->vmstat[i].delta);
	}
	fputs("}}", f);
}

/* A probe's answer: true, false, or null when it could not tell. */
static const char *json_probe(int probe)
{
	return probe > 0 ? "true" : probe ? "null" : "false";
}

static void json_result(FILE *f, const struct scn_scenario *s,
			const struct exec_result *r)
{
	fputs("{\"profile\": ", f);
	json_string(f, r->profile);
	if (r->release[0]) {
		fputs(", \"release\": ", f);
		json_string(f, r->release);
	}
	if (r->zero_probed)
		fprintf(f, ", \"zero_page\": {\"small\": %s, \"huge\": %s}",
			json_probe(r->zero_page), json_probe(r->huge_zero_page));
	fprintf(f, ", \"status\": %d", r->status);
	if (r->error[0]) {
		fputs(", \"error\": ", f);
		json_string(f, r->error);
	}
	fputs(", ", f);
	json_expect(f, s, r);
	fprintf(f, ", \"data_lost\": %ld, \"invariant_violations\": %ld",
		r->data_lost, r->invariant_violations);
	if (r->procs) {
		fputs(", ", f);
		json_final(f, s, r);
	}
	if (r->traced) {
		fputs(", ", f);
		json_scans(f, s, r);
	}
	if (r->why) {
		fputs(", ", f);
		json_why(f, s, r);
	}
	fputc('}', f);
}

void report_json(FILE *f, const struct scn_scenario *s,
		 const struct exec_result *rs, int nr)
{
	int i;

	fputs("{\"scenario\": ", f);
	json_string(f, s->path);
	fputs(", \"results\": [", f);
	for (i = 0; i < nr; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_result(f, s, &rs[i]);
	}
	fputs("]}\n", f);
}
