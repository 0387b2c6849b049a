// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sweep reports: the table, the JSON object and the line plot of RAM held
 * and THP coverage against the swept value, one pair per profile.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "svg.h"
#include "sweep.h"

static const struct sweep_point *point(const struct sweep_result *r, int p,
				       int v)
{
	return &r->pt[p * r->nr_values + v];
}

/* A column fits "PROFILE:ram" whole: modified profiles have long names. */
static int column_width(const char *profile)
{
	int w = (int)strlen(profile) + 4;

	return w < 14 ? 14 : w;
}

void report_sweep_text(FILE *f, const struct sweep_result *r)
{
	int p, v, w;

	fprintf(f, "sweep %s over %s\n", r->path, r->scenario);
	fputs("ram: KiB of RAM in anonymous folios; pmd: KiB PMD-mapped "
	      "(THP coverage); at the end of the run\n", f);
	fprintf(f, "%12s", "value");
	for (p = 0; p < r->nr_profiles; p++) {
		w = column_width(r->profiles[p]) - 4;
		fprintf(f, " %*s:ram %*s:pmd", w, r->profiles[p], w,
			r->profiles[p]);
	}
	fputc('\n', f);
	for (v = 0; v < r->nr_values; v++) {
		fprintf(f, "%12ld", r->values[v]);
		for (p = 0; p < r->nr_profiles; p++) {
			w = column_width(r->profiles[p]);
			fprintf(f, " %*llu %*llu", w,
				(unsigned long long)point(r, p, v)->anon_kb, w,
				(unsigned long long)point(r, p, v)->pmd_kb);
		}
		fputc('\n', f);
	}
}

void report_sweep_json(FILE *f, const struct sweep_result *r)
{
	int p, v;

	fputs("{\"scenario\": ", f);
	json_string(f, r->scenario);
	fputs(", \"set\": ", f);
	json_string(f, r->path);
	fputs(", \"values\": [", f);
	for (v = 0; v < r->nr_values; v++)
		fprintf(f, "%s%ld", v ? ", " : "", r->values[v]);
	fputs("], \"results\": [", f);
	for (p = 0; p < r->nr_profiles; p++) {
		fprintf(f, "%s{\"profile\": ", p ? ", " : "");
		json_string(f, r->profiles[p]);
		fputs(", \"points\": [", f);
		for (v = 0; v < r->nr_values; v++) {
			const struct sweep_point *pt = point(r, p, v);

			fprintf(f, "%s{\"value\": %ld, \"anon_kb\": %llu, "
				"\"pmd_mapped_kb\": %llu, \"failed\": %d}",
				v ? ", " : "", r->values[v],
				(unsigned long long)pt->anon_kb,
				(unsigned long long)pt->pmd_kb, pt->failed);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}

/*
 * The legend labels of profile @p's lines; a line that lies on top of an
 * earlier profile's says so, or the earlier one would look missing.
 */
static void same_as(const struct sweep_result *r, int p, char *ram,
		    char *pmd)
{
	const char *sr = NULL, *sp = NULL;
	int q, v;

	for (q = 0; q < p; q++) {
		bool eq_ram = true, eq_pmd = true;

		for (v = 0; v < r->nr_values; v++) {
			eq_ram &= point(r, p, v)->anon_kb ==
				  point(r, q, v)->anon_kb;
			eq_pmd &= point(r, p, v)->pmd_kb ==
				  point(r, q, v)->pmd_kb;
		}
		sr = !sr && eq_ram ? r->profiles[q] : sr;
		sp = !sp && eq_pmd ? r->profiles[q] : sp;
	}
	snprintf(ram, 64, "%s RAM held%s%s", r->profiles[p],
		 sr ? " = " : "", sr ? sr : "");
	snprintf(pmd, 64, "%s PMD-mapped%s%s", r->profiles[p],
		 sp ? " = " : "", sp ? sp : "");
}

int report_sweep_svg(FILE *f, const struct sweep_result *r)
{
	int n = r->nr_profiles * 2, p, v;
	double *x = calloc((size_t)r->nr_values + 1, sizeof(*x));
	double *y = calloc((size_t)(n * r->nr_values) + 1, sizeof(*y));
	struct svg_series *s = calloc((size_t)n + 1, sizeof(*s));
	char (*labels)[64] = calloc((size_t)n + 1, sizeof(*labels));
	char title[256], sub[256];
	struct svg_plot plot = {
		.title = title, .subtitle = sub, .xlabel = r->path,
		.ylabel = "RAM held (solid), PMD-mapped (dashed)",
		.x = x, .nr_x = r->nr_values, .series = s, .nr_series = n,
	};

	if (!x || !y || !s || !labels) {
		free(x);
		free(y);
		free(s);
		free(labels);
		return -1;
	}
	for (v = 0; v < r->nr_values; v++)
		x[v] = (double)r->values[v];
	for (p = 0; p < r->nr_profiles; p++) {
		double *ram = y + (2 * p) * r->nr_values;
		double *pmd = y + (2 * p + 1) * r->nr_values;

		for (v = 0; v < r->nr_values; v++) {
			ram[v] = (double)point(r, p, v)->anon_kb;
			pmd[v] = (double)point(r, p, v)->pmd_kb;
		}
		same_as(r, p, labels[2 * p], labels[2 * p + 1]);
		s[2 * p] = (struct svg_series){ labels[2 * p], p, 0, ram };
		s[2 * p + 1] = (struct svg_series){ labels[2 * p + 1], p, 1,
						     pmd };
	}
	snprintf(title, sizeof(title), "foliosim sweep %s", r->scenario);
	snprintf(sub, sizeof(sub), "RAM in anonymous folios and THP coverage "
		 "(PMD-mapped) at the end of the run, against %s", r->path);
	svg_line_plot(f, &plot);
	free(x);
	free(y);
	free(s);
	free(labels);
	return 0;
}
