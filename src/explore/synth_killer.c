// SPDX-License-Identifier: GPL-2.0-only
/*
 * One killer candidate: what differs between a mutant and the original at
 * the end of a scenario, in the fields an expectation can assert, the
 * shrinking that keeps a difference, and the expectations themselves.
 * Only fields the live-kernel executor observes the same way are used:
 * per process and region THPs, swapped, present and shared pages, and the
 * vmstat counters only khugepaged moves (it runs only inside the
 * executor's gate, so nothing else on the machine changes them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "explore.h"
#include "synth.h"

#define MAX_EXPECTS	3
#define SHRINK_TRIES	600

/* The fields in the order they tell most about a collapse decision. */
enum field { F_THP, F_SWAPPED, F_PRESENT, F_SHARED, F_VMSTAT, NR_FIELDS };

static const char *const field_names[NR_FIELDS - 1] = {
	"thp", "swapped", "present", "shared",
};

static const char *const vmstat_names[] = {
	"thp_collapse_alloc", "thp_scan_exceed_none_pte",
	"thp_scan_exceed_swap_pte", "thp_scan_exceed_share_pte",
};

struct end_diff {
	char expect[128];	/* holds for the original */
	char what[96];		/* "P0 R0 thp 1 (mutant 0)" */
};

static uint64_t region_field(const struct exec_region_final *g, int f)
{
	return f == F_THP ? g->thp : f == F_SWAPPED ? g->swapped :
	       f == F_PRESENT ? g->present : g->shared;
}

static int64_t vmstat_delta(const struct exec_result *r, const char *name)
{
	int i;

	for (i = 0; r->vmstat && i < r->nr_vmstat; i++)
		if (!strcmp(r->vmstat[i].name, name))
			return r->vmstat[i].delta;
	return 0;
}

/* Up to @max differences of @m from @o, the most telling first. */
static int end_diffs(const struct scn_scenario *s, const struct exec_result *o,
		     const struct exec_result *m, struct end_diff *out,
		     int max)
{
	int f, p, g, i, n = 0;

	if (!o->procs || !m->procs)
		return 0;
	for (f = 0; f < NR_FIELDS && n < max; f++) {
		if (f == F_VMSTAT) {
			for (i = 0; i < (int)(sizeof(vmstat_names) /
					      sizeof(vmstat_names[0])) &&
				    n < max; i++) {
				int64_t a = vmstat_delta(o, vmstat_names[i]);
				int64_t b = vmstat_delta(m, vmstat_names[i]);

				if (a == b)
					continue;
				snprintf(out[n].expect, sizeof(out[n].expect),
					 "expect vmstat %s = %lld",
					 vmstat_names[i], (long long)a);
				snprintf(out[n].what, sizeof(out[n].what),
					 "vmstat %s %lld (%lld)",
					 vmstat_names[i], (long long)a,
					 (long long)b);
				n++;
			}
			break;
		}
		for (p = 0; p < s->nr_procs && n < max; p++) {
			if (!o->procs[p].alive || !m->procs[p].alive)
				continue;
			for (g = 0; g < s->nr_regions && n < max; g++) {
				const struct exec_region_final *a, *b;

				a = &o->procs[p].regions[g];
				b = &m->procs[p].regions[g];
				if (region_field(a, f) == region_field(b, f))
					continue;
				snprintf(out[n].expect, sizeof(out[n].expect),
					 "expect %s %s %s = %llu", s->procs[p],
					 s->regions[g].name, field_names[f],
					 (unsigned long long)region_field(a, f));
				snprintf(out[n].what, sizeof(out[n].what),
					 "%s %s %s %llu (%llu)",
					 s->procs[p], s->regions[g].name,
					 field_names[f],
					 (unsigned long long)region_field(a, f),
					 (unsigned long long)region_field(b, f));
				n++;
			}
		}
	}
	return n;
}

static enum exec_status run_model(const char *profile,
				  const struct mut_mutant *mu,
				  const struct scn_scenario *s,
				  struct exec_result *r)
{
	struct exec_force f;
	struct exec_model_opts mo;

	mut_model_opts(profile, mu, &f, &mo);
	return exec_model(s, &mo, r);
}

/* The differences of @mu on @s, whose original run is @orig. */
static int mutant_diffs(const char *profile, const struct mut_mutant *mu,
			const struct scn_scenario *s,
			const struct exec_result *orig, struct end_diff *out,
			int max)
{
	struct exec_result r;
	int n = 0;

	if (run_model(profile, mu, s, &r) == EXEC_OK)
		n = end_diffs(s, orig, &r, out, max);
	exec_result_free(&r);
	return n;
}

bool synth_differs(const char *profile, const struct mut_mutant *mu,
		   const struct scn_scenario *s, const struct exec_result *orig)
{
	struct end_diff d;

	return mutant_diffs(profile, mu, s, orig, &d, 1) > 0;
}

/* Parse @text and run it unmutated; false unless it runs clean. */
static bool run_original(const char *profile, const char *text,
			 struct scn_scenario *s, struct exec_result *r)
{
	char err[256];

	if (scn_parse("<killer>", text, strlen(text), s, err, sizeof(err)))
		return false;
	if (run_model(profile, NULL, s, r) == EXEC_OK)
		return true;
	exec_result_free(r);
	scn_free(s);
	return false;
}

struct keep_ctx {
	const char *profile;
	const struct mut_mutant *mu;
};

static bool still_differs(void *ctx, const char *text)
{
	struct keep_ctx *k = ctx;
	struct scn_scenario s;
	struct exec_result r;
	bool yes;

	if (!run_original(k->profile, text, &s, &r))
		return false;
	yes = synth_differs(k->profile, k->mu, &s, &r);
	exec_result_free(&r);
	scn_free(&s);
	return yes;
}

/*
 * @text without the generator's "set model/" lines, when it still differs
 * without them: the kernel ignores them, and an exported test is cleaner.
 */
static char *drop_model_sets(struct keep_ctx *k, char *text)
{
	char *bare = malloc(strlen(text) + 1), *o = bare;
	const char *c = text;

	if (!bare)
		return text;
	while (*c) {
		size_t n = strcspn(c, "\n") + (c[strcspn(c, "\n")] == '\n');

		if (strncmp(c, "set model/", 10)) {
			memcpy(o, c, n);
			o += n;
		}
		c += n;
	}
	*o = 0;
	if (!still_differs(k, bare)) {
		free(bare);
		return text;
	}
	free(text);
	return bare;
}

char *synth_candidate(const char *profile, const struct mut_mutant *mu,
		      const char *text, int *orig_statements, int *statements,
		      char *differs, size_t len)
{
	struct keep_ctx k = { .profile = profile, .mu = mu };
	struct end_diff d[MAX_EXPECTS];
	struct scn_scenario s;
	struct exec_result r;
	char *small, *out = NULL;
	size_t olen = 0;
	FILE *f;
	int i, n;

	if (!still_differs(&k, text))
		return NULL;
	small = exp_shrink_text(text, still_differs, &k, SHRINK_TRIES,
				orig_statements, statements);
	if (small)
		small = drop_model_sets(&k, small);
	if (!small || !run_original(profile, small, &s, &r)) {
		free(small);
		return NULL;
	}
	n = mutant_diffs(profile, mu, &s, &r, d, MAX_EXPECTS);
	exec_result_free(&r);
	scn_free(&s);
	f = n ? open_memstream(&out, &olen) : NULL;
	if (f) {
		fputs(small, f);
		for (i = 0; i < n; i++)
			fprintf(f, "%s\n", d[i].expect);
		fclose(f);
	}
	differs[0] = 0;
	for (i = 0; i < n; i++)
		snprintf(differs + strlen(differs), len - strlen(differs),
			 "%s%s", i ? "; " : "", d[i].what);
	free(small);
	return out;
}

bool synth_kills(const char *profile, const struct mut_mutant *mu,
		 const char *text)
{
	struct scn_scenario s;
	struct exec_result r;
	enum exec_status st;

	if (!run_original(profile, text, &s, &r))
		return false;
	exec_result_free(&r);
	st = run_model(profile, mu, &s, &r);
	exec_result_free(&r);
	scn_free(&s);
	return st != EXEC_OK;
}
