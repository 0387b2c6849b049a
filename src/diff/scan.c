// SPDX-License-Identifier: GPL-2.0-only
/*
 * diff --trace: the PMD scans each statement made on the model and on the
 * kernel, compared record by record in order (so pass by pass for
 * khugepaged: the model holds the kernel's keeper, so the passes cover the
 * same PMDs).  The first differing record is classified:
 *  "scan:passes"  a record of another pass, or one side scanned more;
 *  "scan:pmd"     another process or PMD (where the kernel placed it);
 *  "scan:status"  another SCAN_* result;
 *  "scan:counts"  the same result with other none_or_zero, swap,
 *                 referenced (or shared, where the kernel has it).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Does the kernel's @b (fields it could not see are wildcards) match @a? */
static const char *scan_differs(const struct exec_scan *a,
				const struct exec_scan *b)
{
	if (a->pass != b->pass)
		return "scan:passes";
	if ((b->proc >= 0 && a->proc != b->proc) ||
	    (b->addr != EXEC_SCAN_NO_ADDR && a->addr != b->addr))
		return "scan:pmd";
	if (a->status != b->status)
		return "scan:status";
	if (a->none_or_zero != b->none_or_zero || a->unmapped != b->unmapped ||
	    a->referenced != b->referenced ||
	    (b->shared != EXEC_SCAN_UNKNOWN && a->shared != b->shared))
		return "scan:counts";
	return NULL;
}

bool kx_diff_compare_scans(struct kx_diff *d)
{
	int nm = d->m.r.nr_scans - d->scan_m, nk = d->k.r.nr_scans - d->scan_k;
	int i;

	d->scan_bad = -1;
	d->scan_what = NULL;
	for (i = 0; i < nm && i < nk; i++) {
		d->scan_what = scan_differs(&d->m.r.scans[d->scan_m + i],
					    &d->k.r.scans[d->scan_k + i]);
		if (d->scan_what) {
			d->scan_bad = i;
			return true;
		}
	}
	if (nm != nk) {
		d->scan_bad = i;
		d->scan_what = "scan:passes";
		return true;
	}
	d->scans_compared += nm;
	return false;
}

/* One side's record @i of this statement, or NULL. */
static const struct exec_scan *side_scan(const struct dside *sd, int from,
					 int i)
{
	return from + i < sd->r.nr_scans ? &sd->r.scans[from + i] : NULL;
}

/* "P PMD 0x... pass N", or "scan N" where the PMD is not known. */
static void scan_where(const struct kx_diff *d, const struct exec_scan *sc,
		       int i, char *buf, size_t len)
{
	if (sc && sc->addr != EXEC_SCAN_NO_ADDR)
		snprintf(buf, len, "%s PMD %#llx",
			 sc->proc >= 0 ? d->s->procs[sc->proc] : "?",
			 (unsigned long long)sc->addr);
	else
		snprintf(buf, len, "scan %d", i + 1);
	if (sc && sc->pass)
		snprintf(buf + strlen(buf), len - strlen(buf), " pass %ld",
			 sc->pass);
}

/* "SCAN_... (why)", or "no scan". */
static void scan_result(const struct exec_scan *sc, char *buf, size_t len)
{
	char why[96];

	if (!sc) {
		snprintf(buf, len, "no scan");
		return;
	}
	exec_scan_why(sc, why, sizeof(why));
	snprintf(buf, len, "%s%s%s%s", exec_scan_status_name(sc->status),
		 why[0] ? " (" : "", why, why[0] ? ")" : "");
}

/* The first count that differs, as "referenced model 509, kernel 100". */
static void scan_counts(const struct kx_diff *d, const struct exec_scan *a,
			const struct exec_scan *b, char *buf, size_t len)
{
	static const char *const names[] = { "none_or_zero", "swap",
					     "referenced", "shared" };
	const int va[] = { a->none_or_zero, a->unmapped, a->referenced,
			   a->shared };
	const int vb[] = { b->none_or_zero, b->unmapped, b->referenced,
			   b->shared };
	int i;

	for (i = 0; i < 4 && va[i] == vb[i]; i++)
		;
	if (i < 4 && snprintf(buf, len, "%s %s %d, %s %d", names[i],
			      d->m.name, va[i], d->k.name, vb[i]) >= (int)len)
		buf[len - 1] = '\0';
}

void kx_diff_classify_scans(const struct kx_diff *d,
			    struct kx_diff_verdict *v)
{
	int i = d->scan_bad;
	const struct exec_scan *a = side_scan(&d->m, d->scan_m, i);
	const struct exec_scan *b = side_scan(&d->k, d->scan_k, i);
	char wa[64], wb[64], ra[128], rb[128], n[160] = "";
	int len;

	scan_where(d, a ? a : b, i, wa, sizeof(wa));
	scan_where(d, b, i, wb, sizeof(wb));
	scan_result(a, ra, sizeof(ra));
	scan_result(b, rb, sizeof(rb));
	snprintf(v->what, sizeof(v->what), "%s", d->scan_what);
	if (a && b && !strcmp(d->scan_what, "scan:counts")) {
		scan_counts(d, a, b, n, sizeof(n));
		len = snprintf(v->detail, sizeof(v->detail), "%s: %s; %s", wa,
			       ra, n);
	} else if (a && b && strcmp(d->scan_what, "scan:status")) {
		/* another PMD or pass: say where each side was */
		len = snprintf(v->detail, sizeof(v->detail),
			       "%s %s %s, %s %s %s", d->m.name, wa, ra,
			       d->k.name, wb, rb);
	} else {
		len = snprintf(v->detail, sizeof(v->detail), "%s: %s %s, %s %s",
			       wa, d->m.name, ra, d->k.name, rb);
	}
	if (len >= (int)sizeof(v->detail))
		v->detail[sizeof(v->detail) - 1] = '\0';
}

/* Both sides' scans of the statement, to a little past the first bad one */
void kx_diff_report_scans(const struct kx_diff *d)
{
	const struct dside *sides[2] = { &d->m, &d->k };
	const int from[2] = { d->scan_m, d->scan_k };
	struct kx_diff_verdict v;
	char line[256];
	int s, i;

	kx_diff_classify_scans(d, &v);
	fprintf(d->o->out, "  %s: %s\n", v.what, v.detail);
	for (s = 0; s < 2; s++) {
		const struct dside *sd = sides[s];
		int n = sd->r.nr_scans - from[s];

		fprintf(d->o->out, "  %s scans (%d):\n", sd->name, n);
		for (i = 0; i < n && i <= d->scan_bad + 2; i++) {
			exec_scan_format(d->s, &sd->r.scans[from[s] + i], line,
					 sizeof(line));
			fprintf(d->o->out, "  %c %s\n",
				i == d->scan_bad ? '>' : ' ', line);
		}
		if (i < n)
			fprintf(d->o->out, "    ... %d more\n", n - i);
	}
}
