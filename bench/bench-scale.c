// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scale: the scenarios of bench/scenarios/ (1,000 processes with 64 MiB of
 * written THP memory each, shared or private, and one process with
 * 64 GiB), each parsed and run on the model as 'foliosim run' does, in a
 * child of its own so that the peak host RSS (ru_maxrss) is that case's
 * alone.  Goal: 64 GiB across 1,000 processes in under 2 GiB of host RSS.
 * Prints figures; asserts nothing.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "lib/host.h"

#define DIR_SCALE "bench/scenarios/"
#define GOAL_RSS_KIB (2UL << 20)		/* 2 GiB */

struct scale_case {
	const char *file;
	const char *what;
};

static const struct scale_case cases[] = {
	{ "scale-fork-shared.fsim",
	  "1,000 procs x 64 MiB THP, forked after the write (shared)" },
	{ "scale-fork-private.fsim",
	  "1,000 procs x 64 MiB THP, each written after the fork" },
	{ "scale-one-64g.fsim", "1 proc x 64 GiB THP, written" },
};

/* What the child hands back. */
struct scale_result {
	int status;			/* enum exec_status; -1: not parsed */
	int passed, failed;		/* expectations */
	double seconds;			/* parse + run + final observation */
	char error[sizeof(((struct exec_result *)0)->error)];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_case(const struct scale_case *c, struct scale_result *out)
{
	struct exec_model_opts o = { .shared_pred = -1 };
	struct scn_scenario s;
	struct exec_result r;
	char path[256];
	double t0 = now();
	int i;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), DIR_SCALE "%s", c->file);
	if (scn_parse_file(path, &s, out->error, sizeof(out->error))) {
		out->status = -1;
		return;
	}
	out->status = exec_model(&s, &o, &r);
	out->seconds = now() - t0;
	snprintf(out->error, sizeof(out->error), "%s", r.error);
	for (i = 0; i < r.nr_expects; i++) {
		out->passed += r.expects[i].passed;
		out->failed += !r.expects[i].passed;
	}
	exec_result_free(&r);
	scn_free(&s);
}

/* Run @c in a child; its peak RSS in KiB, or 0 if the child failed. */
static long run_child(const struct scale_case *c, struct scale_result *res)
{
	struct rusage ru;
	int fd[2], st;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe(fd))
		return 0;
	pid = fork();
	if (!pid) {
		struct scale_result r;

		close(fd[0]);
		run_case(c, &r);
		_exit(write(fd[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 :
									  1);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], res, sizeof(*res)) != (ssize_t)sizeof(*res)) {
		snprintf(res->error, sizeof(res->error), "the child died");
		res->status = -1;
	}
	close(fd[0]);
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
		return 0;
	return ru.ru_maxrss;
}

static void print_host(void)
{
	char load[64];

	bench_load_average(load, sizeof(load));
	printf("== scale: bench/scenarios/scale-*.fsim on the model, one child "
	       "each (host load: %s) ==\n", load);
}

int main(void)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	print_host();
	printf("   %-58s %7s %9s %-5s %s\n", "case", "time s", "RSS MiB",
	       "goal", "expectations");
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct scale_result r;
		long rss = run_child(&cases[i], &r);

		if (r.status < 0 || r.status > EXEC_FAILED) {
			printf("   %-58s failed: %s\n", cases[i].what, r.error);
			continue;
		}
		printf("   %-58s %7.2f %9.1f %-5s %d passed, %d failed\n",
		       cases[i].what, r.seconds, rss / 1024.0,
		       rss && (unsigned long)rss < GOAL_RSS_KIB ? "ok" : "over",
		       r.passed, r.failed);
	}
	printf("   (time: parse, run and the final observation of every page\n"
	       "    of every process, one run each; RSS: the child's peak\n"
	       "    resident set (ru_maxrss); goal: 64 GiB across 1,000\n"
	       "    processes in under 2 GiB of host RSS)\n");
	return 0;
}
