// SPDX-License-Identifier: GPL-2.0-only
/*
 * PMD scan records (--trace): the names of the kernel's scan results, as
 * the kernel's enum spells them and as its tracepoints print them, and the
 * growing array in exec_result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "model/kh_points.h"

static const char *const status_ids[NR_SCAN_RESULTS] = {
#define X(id, name) [id] = #id,
	FSIM_SCAN_RESULTS(X)
#undef X
};

const char *exec_scan_status_name(int status)
{
	return status >= 0 && status < NR_SCAN_RESULTS ? status_ids[status] :
							 NULL;
}

int exec_scan_status_lookup(const char *symbol)
{
	int i;

	for (i = 0; i < NR_SCAN_RESULTS; i++)
		if (!strcmp(scan_result_names[i], symbol))
			return i;
	return -1;
}

const char *exec_scan_limit_name(int status)
{
	switch (status) {
	case SCAN_EXCEED_NONE_PTE:
		return "max_ptes_none";
	case SCAN_EXCEED_SWAP_PTE:
		return "max_ptes_swap";
	case SCAN_EXCEED_SHARED_PTE:
		return "max_ptes_shared";
	default:
		return NULL;
	}
}

int exec_scan_add(struct exec_result *r, const struct exec_scan *sc)
{
	if (r->nr_scans == r->cap_scans) {
		int cap = r->cap_scans ? 2 * r->cap_scans : 64;
		struct exec_scan *p = realloc(r->scans, (size_t)cap * sizeof(*p));

		if (!p)
			return -1;
		r->scans = p;
		r->cap_scans = cap;
	}
	r->scans[r->nr_scans++] = *sc;
	return 0;
}

/* A count, or '-' where the executor cannot see it. */
static const char *count_str(int v, char *buf, size_t len)
{
	if (v == EXEC_SCAN_UNKNOWN)
		return "-";
	snprintf(buf, len, "%d", v);
	return buf;
}

void exec_scan_why(const struct exec_scan *sc, char *buf, size_t len)
{
	const char *limit = exec_scan_limit_name(sc->status);
	int n = sc->status == SCAN_EXCEED_NONE_PTE ? sc->none_or_zero :
		sc->status == SCAN_EXCEED_SWAP_PTE ? sc->unmapped :
						     sc->shared;

	const char *what = sc->status == SCAN_EXCEED_NONE_PTE ? "none_or_zero" :
			   sc->status == SCAN_EXCEED_SWAP_PTE ? "swap" :
								"shared";

	buf[0] = '\0';
	if (limit && sc->limit >= 0 && n != EXEC_SCAN_UNKNOWN)
		snprintf(buf, len, "%s %d > %s %d", what, n, limit, sc->limit);
	else if (limit && sc->limit >= 0)	/* a count the kernel lacks */
		snprintf(buf, len, "%s > %s %d", what, limit, sc->limit);
	else if (sc->status == SCAN_LACK_REFERENCED_PAGE && sc->unmapped)
		snprintf(buf, len, "referenced %d < %d with swap",
			 sc->referenced, EXEC_SCAN_HALF_PMD);
	else if (sc->status == SCAN_LACK_REFERENCED_PAGE)
		snprintf(buf, len, "referenced %d", sc->referenced);
}

void exec_scan_format(const struct scn_scenario *s, const struct exec_scan *sc,
		      char *buf, size_t len)
{
	char who[40], addr[24], n[4][16], why[96], order[16] = "";
	const char *status = exec_scan_status_name(sc->status);

	if (sc->order)	/* +mthp_collapse: one attempt inside the PMD */
		snprintf(order, sizeof(order), "  order %d", sc->order);

	if (sc->pass)
		snprintf(who, sizeof(who), "pass %ld", sc->pass);
	else
		snprintf(who, sizeof(who), "madvise");
	if (sc->addr == EXEC_SCAN_NO_ADDR)
		snprintf(addr, sizeof(addr), "?");
	else
		snprintf(addr, sizeof(addr), "%#llx",
			 (unsigned long long)sc->addr);
	exec_scan_why(sc, why, sizeof(why));
	snprintf(buf, len, "%-9s %-6s %-14s %-26s none_or_zero %s  swap %s  "
		 "shared %s  referenced %s%s%s%s%s", who,
		 sc->proc >= 0 ? s->procs[sc->proc] : "?", addr,
		 status ? status : "?",
		 count_str(sc->none_or_zero, n[0], sizeof(n[0])),
		 count_str(sc->unmapped, n[1], sizeof(n[1])),
		 count_str(sc->shared, n[2], sizeof(n[2])),
		 count_str(sc->referenced, n[3], sizeof(n[3])),
		 why[0] ? "  (" : "", why, why[0] ? ")" : "", order);
}
