// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario speed: parse and run every selftest scenario on the model under
 * every profile (goal: well under a second), and, where the live kernel can
 * be used, the same directory with "foliosim kernel", as a ratio measured
 * in the same run.  Prints figures; asserts nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "exec/exec.h"
#include "config/profile.h"

#define DIR_SELFTESTS "tests/scenarios/selftests"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .fsim files of DIR_SELFTESTS, sorted; returns how many. */
static int list_files(char ***out)
{
	DIR *d = opendir(DIR_SELFTESTS);
	struct dirent *e;
	char **v = NULL;
	int n = 0;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".fsim"))
			continue;
		v = realloc(v, (size_t)(n + 1) * sizeof(*v));
		if (!v || asprintf(&v[n], "%s/%s", DIR_SELFTESTS, e->d_name) < 0)
			exit(1);
		n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

/* Parse and run every file under every profile; seconds taken. */
static double run_model(char **files, int n, int *failed)
{
	double t0 = now();
	int i, k;

	*failed = 0;
	for (i = 0; i < n; i++) {
		struct scn_scenario s;
		char err[256];

		if (scn_parse_file(files[i], &s, err, sizeof(err))) {
			(*failed)++;
			continue;
		}
		for (k = 0; k < fsim_nr_profiles; k++) {
			struct exec_model_opts o = {
				.profile = fsim_profiles[k].name,
				.shared_pred = -1,
			};
			struct exec_result r;

			if (exec_model(&s, &o, &r) > EXEC_FAILED)
				(*failed)++;
			exec_result_free(&r);
		}
		scn_free(&s);
	}
	return now() - t0;
}

/* "foliosim kernel" over the directory; <0 if it cannot run here. */
static double run_kernel(void)
{
	double t0 = now();
	int st = system("./foliosim kernel " DIR_SELFTESTS "/*.fsim "
			">/dev/null 2>&1");

	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) >= 2)
		return -1;
	return now() - t0;
}

int main(void)
{
	char **files;
	int n = list_files(&files), failed, i;
	double model, best = 1e9, kernel;

	printf("== scenarios: %d selftest files x %d profiles ==\n", n,
	       fsim_nr_profiles);
	if (!n) {
		printf("no scenario files in %s\n", DIR_SELFTESTS);
		return 0;
	}
	for (i = 0; i < 5; i++) {
		model = run_model(files, n, &failed);
		if (model < best)
			best = model;
	}
	printf("model: parse + run all, every profile: %.3f s (best of 5)%s\n",
	       best, failed ? " (some files failed!)" : "");
	kernel = run_kernel();
	if (kernel < 0)
		printf("kernel: cannot run here (needs root, THP, tracefs)\n");
	else
		printf("kernel: %.1f s for the same files (one profile); "
		       "kernel / model (per profile) = %.0fx\n", kernel,
		       kernel / (best / fsim_nr_profiles));
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return 0;
}
