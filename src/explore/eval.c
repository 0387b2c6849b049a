// SPDX-License-Identifier: GPL-2.0-only
/*
 * Measuring a scenario under every profile of the search and classifying
 * the differences: extra RAM, lost PMD THP coverage, and (against
 * "exact") false negatives and positives of the shared predicate.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "explore.h"
#include "config/profile.h"

const char *const exp_class_names[NR_EXP_CLASSES] = {
	[EXP_EXTRA_RAM] = "extra RAM",
	[EXP_LOST_THP] = "lost THP coverage",
	[EXP_PRED_FN] = "predicate false negative",
	[EXP_PRED_FP] = "predicate false positive",
};

/*
 * A search profile: a profile name, "NAME:PRED" (that era's rules with
 * another shared predicate, to isolate the predicate from the era's other
 * rules), or "exact" (v6.18 with the exact predicate).
 */
int exp_profile_opts(const char *name, struct exec_model_opts *mo,
		     char *buf, size_t len)
{
	const char *colon = strchr(name, ':');

	memset(mo, 0, sizeof(*mo));
	mo->shared_pred = -1;
	mo->track_truth = true;
	if (!strcmp(name, "exact")) {
		mo->profile = profile_default()->name;
		mo->shared_pred = PRED_EXACT;
		return 0;
	}
	snprintf(buf, len, "%.*s", colon ? (int)(colon - name) : (int)len,
		 name);
	mo->profile = buf;
	if (colon)
		mo->shared_pred = shared_pred_lookup(colon + 1);
	return profile_valid(buf) && (!colon || mo->shared_pred >= 0) ? 0 : -1;
}

static int exact_index(const struct explore_opts *o)
{
	int k;

	for (k = 0; k < o->nr_profiles; k++)
		if (!strcmp(o->profiles[k], "exact"))
			return k;
	return -1;
}

bool exp_measure(const struct explore_opts *o, const char *text,
		 struct exp_metrics *m)
{
	struct scn_scenario s;
	char err[256];
	int k;

	if (scn_parse("<generated>", text, strlen(text), &s, err, sizeof(err)))
		return false;
	for (k = 0; k < o->nr_profiles; k++) {
		struct exec_model_opts mo;
		struct exec_result r;
		char name[PROFILE_NAME_MAX];

		exp_profile_opts(o->profiles[k], &mo, name, sizeof(name));
		mo.metrics_only = true;
		mo.forces = o->forces;
		mo.nr_forces = o->nr_forces;
		/* predicate answers are only classified against "exact" */
		mo.track_truth = exact_index(o) >= 0;
		exec_model(&s, &mo, &r);
		m[k].ok = r.status == EXEC_OK || r.status == EXEC_FAILED;
		m[k].anon_bytes = r.anon_kb << 10;
		m[k].thp_bytes = 0;
		m[k].pred_fn = r.pred_fn;
		m[k].pred_fp = r.pred_fp;
		snprintf(m[k].pmds, sizeof(m[k].pmds), "%s",
			 r.pmd_map ? r.pmd_map : "");
		for (char *c = m[k].pmds; *c; c++)
			m[k].thp_bytes += *c == 'H' ? 2UL << 20 : 0;
		exec_result_free(&r);
		if (!m[k].ok) {
			scn_free(&s);
			return false;
		}
	}
	scn_free(&s);
	return true;
}


static int add(struct exp_finding *out, int n, int max, enum exp_class cls,
	       int a, int b, int64_t cost)
{
	if (n >= max || cost <= 0)
		return n;
	memset(&out[n], 0, sizeof(out[n]));
	out[n].cls = cls;
	out[n].a = a;
	out[n].b = b;
	out[n].cost = cost;
	return n + 1;
}

int exp_classify(const struct explore_opts *o, const struct exp_metrics *m,
		 struct exp_finding *out, int max)
{
	int a, b, n = 0, x = exact_index(o);

	for (a = 0; a < o->nr_profiles; a++) {
		for (b = a + 1; b < o->nr_profiles; b++) {
			int64_t ram = (int64_t)m[b].anon_bytes -
				      (int64_t)m[a].anon_bytes;
			int64_t thp = (int64_t)m[a].thp_bytes -
				      (int64_t)m[b].thp_bytes;

			/* b is always the worse one of the pair */
			n = ram > 0 ? add(out, n, max, EXP_EXTRA_RAM, a, b, ram) :
				      add(out, n, max, EXP_EXTRA_RAM, b, a, -ram);
			n = thp > 0 ? add(out, n, max, EXP_LOST_THP, a, b, thp) :
				      add(out, n, max, EXP_LOST_THP, b, a, -thp);
		}
		if (x >= 0 && a != x) {
			n = add(out, n, max, EXP_PRED_FN, x, a, m[a].pred_fn);
			n = add(out, n, max, EXP_PRED_FP, x, a, m[a].pred_fp);
		}
	}
	return n;
}

bool exp_still_shows(const struct explore_opts *o, const char *text,
		     const struct exp_finding *f, int64_t min_cost,
		     int64_t *cost)
{
	struct exp_metrics m[EXP_MAX_PROFILES];
	struct exp_finding found[4 * EXP_MAX_PROFILES * EXP_MAX_PROFILES];
	int n, i;

	if (!exp_measure(o, text, m))
		return false;
	n = exp_classify(o, m, found, (int)(sizeof(found) / sizeof(found[0])));
	for (i = 0; i < n; i++)
		if (found[i].cls == f->cls && found[i].a == f->a &&
		    found[i].b == f->b && found[i].cost >= min_cost) {
			if (cost)
				*cost = found[i].cost;
			return true;
		}
	return false;
}

/* FNV-1a over the statement shapes: keywords only, no names or numbers. */
uint64_t exp_signature(const struct exp_finding *f)
{
	uint64_t h = 1469598103934665603ULL;
	const char *c;
	bool word = false;

	h = (h ^ (uint64_t)f->cls) * 1099511628211ULL;
	h = (h ^ (uint64_t)(f->a * 16 + f->b)) * 1099511628211ULL;
	for (c = f->text; c && *c; c++) {
		bool letter = (*c >= 'a' && *c <= 'z') || *c == '\n';

		if (!strncmp(c, "model/", 6)) {
			while (*c && *c != '\n')
				c++;
			if (!*c)
				break;
		}
		if (letter || (word && *c == '_')) {
			h = (h ^ (uint64_t)(unsigned char)*c) * 1099511628211ULL;
			word = *c != '\n';
		} else {
			word = false;
		}
	}
	return h;
}
