// SPDX-License-Identifier: GPL-2.0-only
/*
 * --why: for every PMD (aligned, as khugepaged sees them) that a scenario
 * region of a live process touches, why it is or is not a THP at the end
 * of the run.  A THP was collapsed by a
 * recorded scan or came from a fault, fork or move; otherwise its last
 * scan names the check that stopped it, or, when nothing scanned it, the
 * executor says what keeps khugepaged away (VMA flags, sysfs modes ...).
 * Executor-independent: both executors call it from exec_final().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "model/kh_points.h"

static uint64_t pmd_down(uint64_t a)
{
	return a & ~(uint64_t)(SCN_PMD_SIZE - 1);
}

/* An upper bound of the aligned PMDs the regions touch, all processes. */
static int nr_pmds(const struct scn_scenario *s)
{
	int g, n = 0;

	for (g = 0; g < s->nr_regions; g++)
		n += (int)((s->regions[g].size + SCN_PMD_SIZE - 1) /
			   SCN_PMD_SIZE) + 1;
	return n * s->nr_procs;
}

/* Was @proc's PMD at @a given a verdict already (under another region)? */
static bool seen(const struct exec_result *r, int n, int proc, uint64_t a)
{
	int i;

	for (i = n - 1; i >= 0 && r->whys[i].proc == proc; i--)
		if (r->whys[i].addr == a)
			return true;
	return false;
}

/* The last PMD scan of @proc's PMD at @addr, and the last success. */
static void last_scans(const struct exec_result *r, int proc, uint64_t addr,
		       struct exec_why *w)
{
	int i;

	w->scan = w->collapsed = -1;
	w->unplaced = 0;
	for (i = 0; i < r->nr_scans; i++) {
		const struct exec_scan *sc = &r->scans[i];

		if (sc->order)
			continue;
		/* the kernel's trace could not tell which PMD it was */
		if ((sc->proc == proc || sc->proc < 0) &&
		    sc->addr == EXEC_SCAN_NO_ADDR)
			w->unplaced++;
		if (sc->proc != proc || sc->addr != addr)
			continue;
		w->scan = i;
		if (sc->status == SCAN_SUCCEED)
			w->collapsed = i;
	}
}

static void explain(const struct exec_observer *obs, struct exec_result *r,
		   struct exec_why *w)
{
	struct obs_page pg;

	last_scans(r, w->proc, w->addr, w);
	w->reason[0] = '\0';
	w->elig = ELIG_OK;
	obs->pages(obs->ctx, w->proc, w->addr, 1, &pg);
	if (pg.state == OBS_PRESENT && pg.pmd_mapped) {
		w->kind = EXEC_WHY_THP;
		return;
	}
	if (pg.state == OBS_ZERO && pg.pmd_mapped) {
		w->kind = EXEC_WHY_HUGE_ZERO;
		return;
	}
	/* only a PMD that is no THP needs it (the kernel reads smaps) */
	w->elig = obs->pmd_eligible ?
			  obs->pmd_eligible(obs->ctx, w->proc, w->addr,
					    w->reason, sizeof(w->reason)) :
			  ELIG_UNSEEN;
	if (w->elig != ELIG_OK && w->elig != ELIG_UNSEEN)
		w->kind = EXEC_WHY_INELIGIBLE;
	else if (w->scan >= 0)
		w->kind = EXEC_WHY_SCANNED;
	else
		w->kind = EXEC_WHY_UNSCANNED;
}

int exec_why_collect(const struct scn_scenario *s,
		     const struct exec_observer *obs, struct exec_result *r)
{
	int p, g, n = 0;

	free(r->whys);
	r->whys = calloc((size_t)nr_pmds(s) + 1, sizeof(*r->whys));
	r->nr_whys = 0;
	if (!r->whys)
		return -1;
	for (p = 0; p < s->nr_procs; p++) {
		if (!obs->alive(obs->ctx, p))
			continue;
		for (g = 0; g < s->nr_regions; g++) {
			/* khugepaged's PMDs: aligned, whatever the region */
			uint64_t a = pmd_down(s->regions[g].addr);
			uint64_t end = s->regions[g].addr + s->regions[g].size;

			for (; a < end; a += SCN_PMD_SIZE) {
				struct exec_why *w;

				if (seen(r, n, p, a))
					continue;
				w = &r->whys[n++];

				w->proc = p;
				w->region = g;
				w->addr = a;
				explain(obs, r, w);
			}
		}
	}
	r->nr_whys = n;
	return 0;
}

static const char *scan_when(const struct exec_scan *sc, char *buf,
			     size_t len)
{
	if (sc->pass)
		snprintf(buf, len, "khugepaged pass %ld", sc->pass);
	else
		snprintf(buf, len, "MADV_COLLAPSE");
	return buf;
}

const char *exec_why_kind_name(enum exec_why_kind kind)
{
	static const char *const names[] = {
		[EXEC_WHY_THP] = "thp",
		[EXEC_WHY_HUGE_ZERO] = "huge_zero",
		[EXEC_WHY_SCANNED] = "scanned",
		[EXEC_WHY_INELIGIBLE] = "ineligible",
		[EXEC_WHY_UNSCANNED] = "unscanned",
	};

	return names[kind];
}

void exec_why_format(const struct exec_result *r, const struct exec_why *w,
		     char *buf, size_t len)
{
	const struct exec_scan *last = w->scan >= 0 ? &r->scans[w->scan] :
						      NULL;
	const char *status = last ? exec_scan_status_name(last->status) : NULL;
	char when[40], why[96];

	switch (w->kind) {
	case EXEC_WHY_THP:
		if (w->collapsed >= 0)
			snprintf(buf, len, "THP, collapsed by %s",
				 scan_when(&r->scans[w->collapsed], when,
					   sizeof(when)));
		else
			snprintf(buf, len, "THP from a fault, fork or move");
		return;
	case EXEC_WHY_HUGE_ZERO:
		snprintf(buf, len, "the huge zero page, mapped by a read fault "
			 "(khugepaged leaves it)%s%s%s%s",
			 last ? "; last scanned: " : "", status ? status : "",
			 last ? " at " : "",
			 last ? scan_when(last, when, sizeof(when)) : "");
		return;
	case EXEC_WHY_SCANNED:
		exec_scan_why(last, why, sizeof(why));
		if (w->collapsed >= 0 && (last->status == SCAN_SUCCEED ||
					  last->status == SCAN_PMD_MAPPED))
			snprintf(buf, len, "not a THP: collapsed by %s, split "
				 "since", scan_when(&r->scans[w->collapsed],
						    when, sizeof(when)));
		else if (last->status == SCAN_PMD_MAPPED)
			snprintf(buf, len, "not a THP: PMD-mapped at %s, split "
				 "since", scan_when(last, when, sizeof(when)));
		else
			snprintf(buf, len, "not collapsed: %s at %s%s%s%s",
				 status ? status : "?",
				 scan_when(last, when, sizeof(when)),
				 why[0] ? " (" : "", why, why[0] ? ")" : "");
		if (last->status == SCAN_PMD_NONE || last->status == SCAN_PMD_NULL)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " (nothing mapped there)");
		return;
	case EXEC_WHY_INELIGIBLE:
		snprintf(buf, len, "not eligible: %s%s%s", w->reason,
			 last ? "; last scanned: " : "",
			 status ? status : "");
		return;
	case EXEC_WHY_UNSCANNED:
		if (w->elig == ELIG_UNSEEN)
			snprintf(buf, len, "never scanned: eligible as far as "
				 "can be seen (%s)", w->reason);
		else
			snprintf(buf, len, "eligible, never scanned (no "
				 "khugepaged pass or MADV_COLLAPSE reached it)");
		if (w->unplaced)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 "; %d scans of the process could not be placed",
				 w->unplaced);
		return;
	}
}
