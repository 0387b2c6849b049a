/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The live kernel's side of bench-model, measured in the same run: fork
 * and munmap of 1 GiB in the three layouts the model side builds, and
 * MADV_COLLAPSE of 1 GiB of order-0 pages.  A child process maps, advises
 * and touches the memory, checks its layout through pagemap, kpageflags
 * and PAGEMAP_SCAN, and times the calls with CLOCK_MONOTONIC.
 *
 * It runs under the guard of 'foliosim kernel' (src/kernel/guard.h): the
 * machine-wide lock, so it never overlaps a kernel run or test, and every
 * THP setting it changes is saved first and restored on every way out.
 */
#ifndef FSIM_BENCH_KPROBE_H
#define FSIM_BENCH_KPROBE_H

#include <stdbool.h>
#include <time.h>

#define KPROBE_RUNS	5
#define KPROBE_LEN	(1UL << 30)
#define KPROBE_BASE	(1UL << 40)	/* as the model side */

/* Same order as bench-model's layouts. */
enum kprobe_layout { KP_PMD, KP_PTE, KP_ORDER0, KP_NR_LAYOUTS };

/* One timed call, in ns. */
struct kprobe_sample {
	double wall;			/* CLOCK_MONOTONIC */
	double cpu;			/* the thread's, system time included */
};

/* One sample per run. */
struct kprobe_result {
	bool measured;
	char why[240];			/* !measured: why not */
	struct kprobe_sample fork[KP_NR_LAYOUTS][KPROBE_RUNS];
	struct kprobe_sample munmap[KP_NR_LAYOUTS][KPROBE_RUNS];
	struct kprobe_sample collapse[KPROBE_RUNS];
};

double kprobe_clock_ns(clockid_t id);
/*
 * Start timing one call.  A sleep of 1 ms first lets the host's other
 * tasks run, so that on a busy host the call starts on a fresh time slice
 * rather than being preempted halfway through one its set-up used up.
 */
struct kprobe_sample kprobe_stopwatch_start(void);
/* The time since @start. */
struct kprobe_sample kprobe_stopwatch_stop(struct kprobe_sample start);

/*
 * Measure, or say in @r->why why the live kernel cannot be measured here
 * (not root, no THP, the lock busy, a layout that could not be built).
 */
void kprobe_measure(struct kprobe_result *r);

#endif
