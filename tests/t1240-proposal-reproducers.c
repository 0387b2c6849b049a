// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reproducers of docs/findings.md's issue-12 sections: each file in
 * examples/findings/ named below runs under the profiles its header
 * names ("#   foliosim run --profile LIST FILE") with the invariant
 * checker on; every expectation holds, and each profile has expectations
 * of its own (expect[PROFILE]), which pin where the proposal and plain
 * v6.18 part.  Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "lib/tap.h"
#include "report/report.h"
#include "scenario/scenario.h"

static const char *const files[] = {
	"mapcount-shared-partial-ram",
	"mapcount-shared-partial-thp",
	"mapcount-split-then-collapse-ram",
	"underused-all-zero-ram",
	"underused-all-zero-thp",
	"underused-all-zero-gains-thp",
	"zero-remap-gated-ram",
	"zero-remap-gated-swap",
};

#define MAX_PROFILES 4

/* The profile list of the header's run line, split at commas. */
static int header_profiles(const char *path, char *buf, size_t len,
			   const char *out[MAX_PROFILES])
{
	static const char key[] = "#   foliosim run --profile ";
	FILE *f = fopen(path, "r");
	char line[512], *p;
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, sizeof(key) - 1)) {
			snprintf(buf, len, "%s", line + sizeof(key) - 1);
			break;
		}
	fclose(f);
	p = strtok(buf, " ");	/* drop " FILE" */
	for (p = strtok(p, ","); p && n < MAX_PROFILES; p = strtok(NULL, ","))
		out[n++] = p;
	return n;
}

/* Expectations restricted to @profile: where the file pins what differs. */
static int restricted(const struct scn_scenario *s, const char *profile)
{
	int i, j, n = 0;

	for (i = 0; i < s->nr_ops; i++)
		for (j = 0; j < s->ops[i].nr_profiles; j++)
			n += !strcmp(s->ops[i].profiles[j], profile);
	return n;
}

static bool reproduces(const char *name)
{
	struct exec_result r[MAX_PROFILES];
	const char *profiles[MAX_PROFILES];
	struct scn_scenario s;
	char path[256], list[512], err[512];
	int n, k;

	snprintf(path, sizeof(path), "examples/findings/%s.fsim", name);
	n = header_profiles(path, list, sizeof(list), profiles);
	CHECK_INT(n, >=, 2);
	CHECK(!strcmp(profiles[0], "v6.18"));
	if (scn_parse_file(path, &s, err, sizeof(err)) ||
	    exec_validate(&s, err, sizeof(err))) {
		printf("# %s\n", err);
		return false;
	}
	for (k = 0; k < n; k++) {
		struct exec_model_opts mo = {
			.profile = profiles[k],
			.shared_pred = -1,
			.check = true,
		};

		exec_model(&s, &mo, &r[k]);
		printf("# %s: %s, %d passed, %d failed\n", profiles[k],
		       r[k].status == EXEC_OK ? "ok" : r[k].error,
		       r[k].passed, r[k].failed);
	}
	for (k = 0; k < n; k++) {
		CHECK_INT(r[k].status, ==, EXEC_OK);
		CHECK_INT(restricted(&s, profiles[k]), >, 0);
	}
	for (k = 0; k < n; k++)
		exec_result_free(&r[k]);
	scn_free(&s);
	return true;
}

/*
 * --cost: the run records the atomics of every scheme, whatever its
 * profile, and the JSON report carries them.
 */
static bool cost_recorded(void)
{
	const char *path = "examples/findings/mapcount-shared-partial-thp.fsim";
	struct exec_model_opts mo = { .profile = "v6.18+underused_all_zero",
				      .shared_pred = -1, .cost = true };
	struct exec_result r, plain;
	struct scn_scenario s;
	char err[512], *json = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(!scn_parse_file(path, &s, err, sizeof(err)));
	exec_model(&s, &mo, &r);
	CHECK(r.costed);
	CHECK(r.atomics[MAPCOUNT_PER_PAGE] > r.atomics[MAPCOUNT_NO_PAGE]);
	CHECK(r.atomics[MAPCOUNT_NO_PAGE] >= r.atomics[MAPCOUNT_TOTAL_MAPPED]);
	f = open_memstream(&json, &len);
	CHECK(f);
	report_json(f, &s, &r, 1);
	fclose(f);
	printf("# per-page %llu, no_page %llu, total %llu\n",
	       (unsigned long long)r.atomics[MAPCOUNT_PER_PAGE],
	       (unsigned long long)r.atomics[MAPCOUNT_NO_PAGE],
	       (unsigned long long)r.atomics[MAPCOUNT_TOTAL_MAPPED]);
	CHECK(strstr(json, "\"cost\": {\"mapcount_atomics\": {\"per-page\": "));
	free(json);
	/* without --cost nothing is recorded and the JSON is as before */
	mo.cost = false;
	exec_model(&s, &mo, &plain);
	CHECK(!plain.costed);
	exec_result_free(&r);
	exec_result_free(&plain);
	scn_free(&s);
	return true;
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		TEST(reproduces(files[i]), "examples/findings/%s.fsim",
		     files[i]);
	TEST(cost_recorded(), "--cost records every scheme's atomics");
	return tap_done();
}
