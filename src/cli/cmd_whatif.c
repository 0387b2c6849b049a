// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim whatif SNAPSHOT [--profile P[,P...]|all] [--set PATH=V[,V...]]...
 * Rebuilds the snapshot in the model under each profile and each
 * combination of the listed setting values, runs khugepaged to its
 * fixpoint and reports every PMD's verdict, the RAM and THP-coverage
 * change, and the VMAs as tools/mm/thpmaps would show them after.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config/profile.h"
#include "report/thpmaps.h"
#include "snapshot/whatif.h"

#define MAX_SETS 16
#define MAX_VALUES 16
#define MAX_VARIANTS 64
#define MIB (1024.0 * 1024.0)

struct set_opt {
	char path[64];
	char values[MAX_VALUES][32];
	int nr;
};

struct whatif_opts {
	const char *file;
	const char *profiles[16];
	int nr_profiles;
	struct set_opt sets[MAX_SETS];
	int nr_sets;
	bool all_pmds;
};

static int parse_set(const char *arg, struct set_opt *o)
{
	const char *eq = strchr(arg, '=');
	char buf[512], *save = NULL, *tok;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(o->path))
		return cli_error("--set needs PATH=VALUE[,VALUE...], got '%s'",
				 arg);
	memcpy(o->path, arg, (size_t)(eq - arg));
	o->path[eq - arg] = 0;
	snprintf(buf, sizeof(buf), "%s", eq + 1);
	o->nr = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nr == MAX_VALUES || strlen(tok) >= 32)
			return cli_error("--set %s: too many or too long values",
					 o->path);
		snprintf(o->values[o->nr++], 32, "%s", tok);
	}
	if (!o->nr)
		return cli_error("--set %s: no value", o->path);
	return 0;
}

static int parse_opts(int argc, char **argv, struct whatif_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (!strcmp(a, "--all-pmds")) {
			o->all_pmds = true;
		} else if (!strcmp(a, "--profile") ||
			   !strncmp(a, "--profile=", 10)) {
			o->nr_profiles = cli_profile_list(
				a[9] ? argv[i] + 10 : argv[++i], o->profiles,
				16);
			if (o->nr_profiles < 0)
				return 2;
		} else if (!strcmp(a, "--set") || !strncmp(a, "--set=", 6)) {
			v = a[5] ? a + 6 : argv[++i];
			if (!v)
				return cli_error("--set needs PATH=VALUE");
			if (o->nr_sets == MAX_SETS)
				return cli_error("too many --set options");
			if (parse_set(v, &o->sets[o->nr_sets++]))
				return 2;
		} else if (a[0] == '-' && a[1]) {
			return cli_error("unknown option '%s'", a);
		} else if (o->file) {
			return cli_error("whatif takes one snapshot file");
		} else {
			o->file = a;
		}
	}
	if (!o->file)
		return cli_error("whatif needs a snapshot file "
				 "(see foliosim help whatif)");
	if (!o->nr_profiles)
		o->profiles[o->nr_profiles++] = profile_default()->name;
	return 0;
}

/* The settings of variant @k (mixed radix over the value lists). */
static int variant(const struct whatif_opts *o, int k, char bufs[][128],
		   const char **sets, char *label, size_t len)
{
	int i;

	label[0] = 0;
	for (i = 0; i < o->nr_sets; i++) {
		const struct set_opt *so = &o->sets[i];
		const char *v = so->values[k % so->nr];
		size_t used = strlen(label);

		k /= so->nr;
		snprintf(bufs[i], 128, "%s=%s", so->path, v);
		sets[i] = bufs[i];
		snprintf(label + used, len - used, "%s%s", used ? ", " : "",
			 bufs[i]);
	}
	return o->nr_sets;
}

static const char *proc_name(const struct snapshot *s, int p)
{
	return s->procs[p].name;
}

static double mib(uint64_t bytes)
{
	return (double)bytes / MIB;
}

static void print_pmds(const struct snapshot *s,
		       const struct whatif_result *r, bool all)
{
	int i, yes = 0;

	for (i = 0; i < r->nr_pmds; i++) {
		const struct whatif_pmd *p = &r->pmds[i];

		if (p->collapsed)
			yes++;
		if (!all && (p->collapsed ||
			     !strcmp(p->status, "page_pmd_mapped")))
			continue;
		printf("  %s 0x%012llx %-22s none_or_zero=%d referenced=%d "
		       "unmapped=%d\n", proc_name(s, p->proc),
		       (unsigned long long)p->addr,
		       p->collapsed ? "collapse" : p->status,
		       p->none_or_zero, p->referenced, p->unmapped);
	}
}

/* One line per reason: "37 PMDs exceed_none_pte". */
static void print_reasons(const struct whatif_result *r)
{
	const char *seen[64];
	int nseen = 0, i, j, n, yes = 0;

	for (i = 0; i < r->nr_pmds; i++)
		yes += r->pmds[i].collapsed;
	printf("  %d PMD%s would collapse\n", yes, yes == 1 ? "" : "s");
	for (i = 0; i < r->nr_pmds; i++) {
		const char *st = r->pmds[i].status;

		if (r->pmds[i].collapsed)
			continue;
		for (j = 0; j < nseen && strcmp(seen[j], st); j++)
			;
		if (j < nseen || nseen == 64)
			continue;
		seen[nseen++] = st;
		for (n = 0, j = i; j < r->nr_pmds; j++)
			n += !r->pmds[j].collapsed &&
			     !strcmp(r->pmds[j].status, st);
		printf("  %d PMD%s would not: %s%s\n", n, n == 1 ? "" : "s",
		       st, !strcmp(st, "page_pmd_mapped") ?
		       " (already a PMD-mapped THP)" : "");
	}
}

static void print_vmas(const struct snapshot *s, const struct thp_stats *st)
{
	int i;

	for (i = 0; i < s->nr_vmas; i++)
		report_thpmaps_vma(stdout, s->procs[s->vmas[i].proc].pid,
				   &s->vmas[i], &st[i]);
}

static int run_variant(const struct snapshot *s, const struct whatif_opts *o,
		       const char *profile, int k, bool first)
{
	char bufs[MAX_SETS][128], label[1024], err[512];
	const char *sets[MAX_SETS];
	struct whatif_result r;
	int n = variant(o, k, bufs, sets, label, sizeof(label));

	if (whatif_run(s, profile, sets, n, &r, err, sizeof(err))) {
		fprintf(stderr, "foliosim: %s: %s\n", o->file, err);
		return 2;
	}
	if (first) {
		printf("# the snapshot as rebuilt (thpmaps before khugepaged)\n");
		if (r.degraded || r.missed)
			printf("# rebuilt with differences: %ld large folio%s "
			       "as small pages, %ld page%s not as recorded\n",
			       r.degraded, r.degraded == 1 ? "" : "s",
			       r.missed, r.missed == 1 ? "" : "s");
		print_vmas(s, r.before);
		printf("\n");
	}
	printf("== %s%s%s ==\n", profile, n ? ", " : "", label);
	printf("khugepaged: %ld pass%s, %d PMD%s scanned\n", r.passes,
	       r.passes == 1 ? "" : "es", r.nr_pmds,
	       r.nr_pmds == 1 ? "" : "s");
	print_reasons(&r);
	print_pmds(s, &r, o->all_pmds);
	printf("RAM (anon folios): %.1f MiB -> %.1f MiB (%+.1f MiB); "
	       "THP coverage (AnonHugePages): %.1f MiB -> %.1f MiB "
	       "(%+.1f MiB)\n", mib(r.anon_before), mib(r.anon_after),
	       mib(r.anon_after) - mib(r.anon_before), mib(r.thp_before),
	       mib(r.thp_after), mib(r.thp_after) - mib(r.thp_before));
	if (r.violations)
		printf("model invariant violations: %d\n", r.violations);
	printf("# thpmaps after khugepaged\n");
	print_vmas(s, r.after);
	printf("\n");
	whatif_free(&r);
	return r.violations ? 3 : 0;
}

int cmd_whatif(int argc, char **argv)
{
	struct whatif_opts o = { 0 };
	struct snapshot s;
	char err[512];
	int nr = 1, i, k, st, worst = 0;

	st = parse_opts(argc, argv, &o);
	if (st)
		return st;
	for (i = 0; i < o.nr_sets; i++) {
		nr *= o.sets[i].nr;
		if (nr > MAX_VARIANTS)
			return cli_error("more than %d setting combinations",
					 MAX_VARIANTS);
	}
	if (snap_read_file(o.file, &s, err, sizeof(err))) {
		fprintf(stderr, "foliosim: %s\n", err);
		return 2;
	}
	for (i = 0; i < o.nr_profiles && worst != 2; i++)
		for (k = 0; k < nr && worst != 2; k++) {
			st = run_variant(&s, &o, o.profiles[i], k,
					 !i && !k);
			if (st > worst)
				worst = st;
		}
	snap_free(&s);
	return worst;
}

const char whatif_usage[] =
	"usage: foliosim whatif SNAPSHOT [--profile P[,P...]|all]\n"
	"                       [--set PATH=VALUE[,VALUE...]]... [--all-pmds]\n"
	"\n"
	"Rebuild a snapshot (foliosim snapshot) in the model and run\n"
	"khugepaged until a full scan collapses nothing, once per profile and\n"
	"per combination of the --set values (a comma list gives one run per\n"
	"value).  Print the VMAs as the kernel's tools/mm/thpmaps shows them\n"
	"before, then per run: the PMDs khugepaged would not collapse with the\n"
	"scan result and its counts (all scanned PMDs with --all-pmds), the\n"
	"change of RAM held by anonymous folios and of PMD-mapped THP\n"
	"coverage, and the VMAs as thpmaps would show them after.\n"
	"See docs/snapshot.md.\n"
	"\n"
	"  --profile P,...     kernel eras to follow (default v6.18); 'all'\n"
	"  --set PATH=V[,V..]  settings on top of the snapshot's\n"
	"  --all-pmds          list the PMDs that collapse or are THPs too\n"
	"\n"
	"Exit status: 0 ok, 2 bad input, 3 a model invariant broke.\n";
