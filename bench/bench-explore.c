// SPDX-License-Identifier: GPL-2.0-only
/*
 * Explorer throughput: scenario x profile runs per second on one core
 * (-j 1, default limits, two profiles), next to the goal of 10,000, in
 * CPU time so that the load of the host matters less.  The numerator
 * counts the measuring runs only; the time includes shrinking, so the
 * rate is a lower bound.  Prints figures; asserts nothing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "explore/explore.h"

#define GOAL_PER_CORE 10000.0

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct explore_opts o;
	struct explore_result r;
	double best = 1e9;
	int i;

	explore_opts_init(&o);
	o.runs = 2000;
	printf("== explore: %ld runs x %d profiles, seed %llu, -j 1 ==\n",
	       o.runs, o.nr_profiles, (unsigned long long)o.seed);
	for (i = 0; i < 3; i++) {
		double t0 = cpu_now(), t;

		if (explore_run(&o, &r))
			return 1;
		t = cpu_now() - t0;
		if (t < best)
			best = t;
		if (i == 2)
			printf("findings: %d\n", r.nr);
		explore_result_free(&r);
	}
	printf("CPU time: %.3f s (best of 3); scenario x profile runs per "
	       "second per core: %.0f (goal %.0f: %.2fx of it)\n", best,
	       (double)o.runs * o.nr_profiles / best,
	       GOAL_PER_CORE, (double)o.runs * o.nr_profiles / best /
				      GOAL_PER_CORE);
	puts("(shrinking runs are not counted in the numerator; the rate is a "
	     "lower bound)");
	return 0;
}
