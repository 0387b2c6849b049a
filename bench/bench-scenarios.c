// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario speed: parse and run every selftest scenario on the model under
 * every profile (goal: well under a second), and, where the live kernel can
 * be used, the same directory with "foliosim kernel", as a ratio measured
 * in the same run.  Prints figures; asserts nothing.  While another run
 * holds the kernel lock it waits (up to --lock-wait seconds) and says
 * whose lock it was and whether it waited or skipped the kernel.
 *
 *	bench-scenarios [--lock-wait SECONDS] [--kernel-only] [DIR]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "config/profile.h"
#include "host/guard.h"
#include "scenario/scenario.h"

#define DIR_SELFTESTS	"tests/scenarios/selftests"
#define LOCK_WAIT_S	60	/* a kernel test holds it for about that */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

/* What one "foliosim kernel" over the directory said. */
struct kernel_try {
	int status;		/* exit status, -1 if it did not exit */
	bool busy;		/* another run held the lock */
	char why[512];		/* its last line on stderr, or the lock's */
};

/* Run "foliosim kernel" over @dir once, stderr captured, stdout dropped. */
static void kernel_once(const char *dir, struct kernel_try *t)
{
	char cmd[600], line[512];
	FILE *p;
	int st;

	memset(t, 0, sizeof(*t));
	t->status = -1;
	snprintf(cmd, sizeof(cmd),
		 "./foliosim kernel %s/*.fsim 2>&1 >/dev/null", dir);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(t->why, sizeof(t->why), "cannot start ./foliosim: %s",
			 strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || t->busy)
			continue;
		t->busy = strstr(line, " holds " KX_LOCK_PATH) != NULL;
		snprintf(t->why, sizeof(t->why), "%s",
			 strncmp(line, "foliosim: ", 10) ? line : line + 10);
	}
	st = pclose(p);
	if (st != -1 && WIFEXITED(st))
		t->status = WEXITSTATUS(st);
	t->busy = t->busy && t->status == KX_CANNOT_RUN;
}

/*
 * "foliosim kernel" over @dir, retried once a second while another run
 * holds the lock, for up to @wait_s seconds.  Prints what happened (with
 * the ratio to @per_profile, the model's seconds, when that is > 0).
 */
static void run_kernel(const char *dir, int wait_s, double per_profile)
{
	double start = now(), t0, took;
	struct kernel_try t;
	char holder[512] = "";

	for (;;) {
		t0 = now();
		kernel_once(dir, &t);
		if (!t.busy)
			break;
		snprintf(holder, sizeof(holder), "%s", t.why);
		if (now() - start >= wait_s) {
			printf("kernel: skipped, not measured: %s (waited %.0f "
			       "s for it)\n", holder, now() - start);
			return;
		}
		sleep(1);
	}
	took = now() - t0;
	if (t.status < 0 || t.status >= EXEC_BAD_INPUT) {
		printf("kernel: %s (foliosim kernel: status %d)%s%s\n",
		       t.status == KX_CANNOT_RUN ? "cannot run here" :
						    "failed",
		       t.status, t.why[0] ? ": " : "", t.why);
		return;
	}
	printf("kernel: %.1f s for the same files (one profile)", took);
	if (per_profile > 0)
		printf("; kernel / model (per profile) = %.0fx",
		       took / per_profile);
	printf("%s\n", t.status ? " (some expects failed)" : "");
	if (holder[0])
		printf("kernel: waited %.0f s first: %s\n", t0 - start,
		       holder);
}

static int usage(void)
{
	fprintf(stderr, "usage: bench-scenarios [--lock-wait SECONDS] "
		"[--kernel-only] [DIR]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *dir = DIR_SELFTESTS;
	int n, failed = 0, i, wait_s = LOCK_WAIT_S;
	struct scn_files l = { 0 };
	bool kernel_only = false;
	double model, best = 1e9;
	char *end;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel-only")) {
			kernel_only = true;
		} else if (!strcmp(argv[i], "--lock-wait") && i + 1 < argc) {
			wait_s = (int)strtol(argv[++i], &end, 10);
			if (*end || wait_s < 0)
				return usage();
		} else if (argv[i][0] != '-' && i == argc - 1) {
			dir = argv[i];
		} else {
			return usage();
		}
	}
	scn_find_files(&l, dir);
	n = l.nr;
	printf("== scenarios: %d files of %s x %d profiles ==\n", n, dir,
	       fsim_nr_profiles);
	if (!n) {
		printf("no scenario files in %s\n", dir);
		scn_files_free(&l);
		return 0;
	}
	for (i = 0; !kernel_only && i < 5; i++) {
		model = run_model(l.files, n, &failed);
		if (model < best)
			best = model;
	}
	if (!kernel_only)
		printf("model: parse + run all, every profile: %.3f s (best "
		       "of 5)%s\n", best,
		       failed ? " (some files failed!)" : "");
	run_kernel(dir, wait_s, kernel_only ? 0 : best / fsim_nr_profiles);
	scn_files_free(&l);
	return 0;
}
