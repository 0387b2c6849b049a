// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim snapshot and whatif against the live kernel (root and THP;
 * skipped with the reason otherwise).  The kernel executor builds two
 * processes with a known layout (P: a THP, small pages, a swap entry,
 * 64 KiB mTHPs; Q: P's fork), they are snapshotted, the recovered layout
 * is checked against what the scenario made, whatif predicts khugepaged's
 * verdict for every PMD, and then the kernel's khugepaged runs (through
 * the executor's gate, under the guard, which restores every setting) and
 * every PMD is compared with the prediction.  The executor's finish() and
 * the guard end the processes on every way out.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/exec_kernel.h"
#include "host/guard.h"
#include "kernel/observe.h"
#include "kernel/snapshot.h"
#include "lib/tap.h"
#include "lib/tk.h"
#include "snapshot/whatif.h"

/* Two runs: the default max_ptes_none, and 0 (read back from sysfs). */
static const char *const headers[] = {
	"set khugepaged/max_ptes_none 511\n",
	"set khugepaged/max_ptes_none 0\n",
};
#define NR_RUNS 2

static const char body[] =
	"set enabled madvise\n"
	"spawn P\n"
	"P mmap A 8M\n"
	"P mmap B 2M\n"
	"P write A[512:612]\n"		/* PMD 1: small pages */
	"P write A[1024:1030]\n"	/* PMD 2: small pages and a swap entry */
	"P madvise A[1029] pageout\n"
	"set hugepages-64kB/enabled always\n"
	"P write B[0:64]\n"		/* four 64 KiB mTHPs */
	"set hugepages-64kB/enabled never\n"
	"P madvise A hugepage\n"
	"P madvise B hugepage\n"
	"P write A[0:512]\n"		/* PMD 0: a THP */
	"P fork Q\n"
	"P read A[512:612]\n"
	"Q read A[512:612]\n"
	"P read A[1024:1029]\n"
	"P read B[0:64]\n"
	"khugepaged\n";
#define KHUGEPAGED_LINE 20

struct krun {
	struct kx_guard *g;
	struct scn_scenario s;
	struct exec_result r;
	struct exec_run run;
	bool begun;
	int next;
};

static struct krun k;
static struct snapshot snap;
static struct whatif_result wr;
static uint64_t a_addr, b_addr;
static int variant;
static char scenario[2048];

static const struct snap_run *run_at(int proc, uint64_t addr)
{
	int i;

	for (i = 0; i < snap.nr_runs; i++)
		if (snap.runs[i].proc == proc && snap.runs[i].addr <= addr &&
		    addr < snap.runs[i].addr + snap.runs[i].npages * 4096ULL)
			return &snap.runs[i];
	return NULL;
}

static uint64_t frame_at(int proc, uint64_t addr)
{
	const struct snap_run *r = run_at(proc, addr);

	if (!r || r->kind != SNAP_PRESENT)
		return ~0ULL;
	return r->frame + r->idx + (addr - r->addr) / 4096;
}

/* For a look afterwards: foliosim whatif build/t7450-N.snap */
static void save_snapshot(void)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "build/t7450-%d.snap", variant);
	f = fopen(path, "w");

	if (f) {
		snap_write(f, &snap);
		fclose(f);
	}
}

static bool step_to(int line)
{
	while (k.next < k.s.nr_ops && k.s.ops[k.next].line < line)
		if (k.run.ops->step(k.run.x, k.next++) != EXEC_OK) {
			printf("# step: %s\n", k.r.error);
			return false;
		}
	return true;
}

static bool start(void)
{
	char err[512];

	snprintf(scenario, sizeof(scenario), "%s%s", headers[variant], body);
	k.g = tk_open_guard(stdout);
	if (!k.g)
		return false;
	if (scn_parse("t7450.fsim", scenario, strlen(scenario), &k.s, err,
		      sizeof(err))) {
		printf("# %s\n", err);
		return false;
	}
	if (exec_kernel_begin(&k.s, k.g, NULL, &k.r, &k.run)) {
		printf("# exec_kernel_begin: %s\n", k.r.error);
		return false;
	}
	k.begun = true;
	a_addr = k.s.regions[0].addr;
	b_addr = k.s.regions[1].addr;
	return step_to(KHUGEPAGED_LINE);
}

static bool in_regions(uint64_t start, uint64_t end)
{
	return (start >= a_addr && end <= a_addr + (8ULL << 20)) ||
	       (start >= b_addr && end <= b_addr + (2ULL << 20));
}

/*
 * Keep the scenario's regions only: the actors are forks of this binary,
 * and under the sanitizers they carry terabytes of shadow mappings that
 * the model need not rebuild.
 */
static void keep_regions(void)
{
	int i, n;

	for (i = n = 0; i < snap.nr_vmas; i++)
		if (in_regions(snap.vmas[i].start, snap.vmas[i].end))
			snap.vmas[n++] = snap.vmas[i];
	snap.nr_vmas = n;
	for (i = n = 0; i < snap.nr_runs; i++)
		if (in_regions(snap.runs[i].addr, snap.runs[i].addr +
				   snap.runs[i].npages * 4096ULL))
			snap.runs[n++] = snap.runs[i];
	snap.nr_runs = n;
}

static bool snapshot_layout(void)
{
	pid_t pids[2];
	const struct snap_run *r;
	char err[512];
	int i;

	pids[0] = exec_kernel_pid(&k.run, 0);
	pids[1] = exec_kernel_pid(&k.run, 1);
	CHECK(pids[0] > 0 && pids[1] > 0);
	CHECK(!kx_snapshot(pids, 2, true, NULL, &snap, err, sizeof(err)));
	keep_regions();
	CHECK_INT(snap.nr_procs, ==, 2);
	save_snapshot();
	CHECK_INT(snap.procs[1].ppid, ==, snap.procs[0].pid);
	/* PMD 0: one PMD-mapped THP, the same one in Q */
	r = run_at(0, a_addr);
	CHECK(r && r->kind == SNAP_PRESENT && r->order == 9 &&
	      r->npages == 512 && (r->flags & SNAP_PMD));
	CHECK(frame_at(0, a_addr) == frame_at(1, a_addr));
	/* PMD 1: 100 small pages shared with Q, then nothing */
	for (i = 0; i < 100; i++) {
		uint64_t a = a_addr + (512 + i) * 4096ULL;

		r = run_at(0, a);
		CHECK(r && r->kind == SNAP_PRESENT && r->order == 0);
		CHECK(frame_at(0, a) == frame_at(1, a));
	}
	CHECK(!run_at(0, a_addr + 612 * 4096ULL));
	/* PMD 2: a swap entry, the same slot in Q */
	r = run_at(0, a_addr + 1029 * 4096ULL);
	CHECK(r && r->kind == SNAP_SWAP);
	CHECK(run_at(1, a_addr + 1029 * 4096ULL) &&
	      run_at(1, a_addr + 1029 * 4096ULL)->frame == r->frame);
	/* B: four 64 KiB folios, aligned */
	for (i = 0; i < 64; i += 16) {
		r = run_at(0, b_addr + i * 4096ULL);
		CHECK(r && r->kind == SNAP_PRESENT && r->order == 4 &&
		      r->idx == 0 && r->npages == 16);
	}
	return true;
}

static bool predict(void)
{
	char err[512];
	int i;

	CHECK(!whatif_run(&snap, "v6.18", NULL, 0, &wr, err, sizeof(err)));
	CHECK_INT(wr.degraded, ==, 0);
	CHECK_INT(wr.missed, ==, 0);
	CHECK_INT(wr.violations, ==, 0);
	CHECK(wr.before[0].pmd_kb == 2048);
	if (variant == 1)	/* the snapshot's max_ptes_none=0 */
		for (i = 0; i < wr.nr_pmds; i++)
			CHECK(!wr.pmds[i].collapsed);
	for (i = 0; i < wr.nr_pmds; i++)
		printf("# predicted %s 0x%llx: %s\n",
		       snap.procs[wr.pmds[i].proc].name,
		       (unsigned long long)wr.pmds[i].addr,
		       wr.pmds[i].collapsed ? "collapse" : wr.pmds[i].status);
	CHECK(wr.nr_pmds >= 6);
	return true;
}

static bool compare(void)
{
	int i, bad = 0;

	CHECK(step_to(KHUGEPAGED_LINE + 1));
	for (i = 0; i < wr.nr_pmds; i++) {
		const struct whatif_pmd *p = &wr.pmds[i];
		bool want = p->collapsed ||
			    !strcmp(p->status, "page_pmd_mapped");
		bool got = kx_pmd_mapped(exec_kernel_pid(&k.run, p->proc),
					 p->addr);

		if (want != got) {
			printf("# %s 0x%llx: predicted %s, kernel %s\n",
			       snap.procs[p->proc].name,
			       (unsigned long long)p->addr,
			       p->collapsed ? "collapse" : p->status,
			       got ? "PMD-mapped" : "not PMD-mapped");
			bad++;
		}
	}
	CHECK_INT(bad, ==, 0);
	return true;
}

static void stop(void)
{
	if (k.begun) {
		step_to(1 << 30);
		k.run.ops->finish(k.run.x);
	}
	exec_result_free(&k.r);
	scn_free(&k.s);
	if (k.g && kx_guard_close(k.g))
		printf("# kx_guard_close failed\n");
	whatif_free(&wr);
	snap_free(&snap);
	memset(&k, 0, sizeof(k));
}

int main(void)
{
	static const char *const desc[] = {
		"snapshot recovers the layout the processes made",
		"whatif predicts every PMD on the snapshot",
		"the kernel's khugepaged does what whatif predicted",
	};
	char why[256];
	int lock, i;
	bool ok;

	if (!tk_begin(exec_kernel_check, why, sizeof(why), &lock)) {
		for (variant = 0; variant < NR_RUNS; variant++)
			for (i = 0; i < 3; i++)
				tap_skip(why, "%s (%s)", desc[i],
					 headers[variant] + 4);
		return tap_done();
	}
	for (variant = 0; variant < NR_RUNS; variant++) {
		const char *h = headers[variant] + 4;	/* after "set " */

		printf("# %s", h);
		if (!start()) {
			for (i = 0; i < 3; i++)
				tap_skip("the kernel run could not start",
					 "%s", desc[i]);
		} else {
			ok = snapshot_layout();
			TEST(ok, "%s", desc[0]);
			ok = ok && predict();
			TEST(ok, "%s", desc[1]);
			TEST(ok && compare(), "%s", desc[2]);
		}
		stop();
	}
	if (lock >= 0)
		close(lock);
	return tap_done();
}
