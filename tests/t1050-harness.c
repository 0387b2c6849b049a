// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's executor API (model/harness.c), used through model.h alone
 * as exec/model_exec.c uses it: set-up under other tunables, the start of
 * the scenario, contents, forced points and their counters, the pass of a
 * freshly started khugepaged thread, and the mapcount cost counters.
 */
#include <string.h>

#include "lib/tap.h"
#include "model/model.h"

#define BASE	0x40000000UL

/*
 * One process with a PTE-mapped PMD range under madvise, its first @nr
 * pages written.
 */
static struct mm_struct *small_pages_process(struct fsim_machine *m, int nr)
{
	struct mm_struct *mm = fsim_spawn(m);
	unsigned long i;

	if (!mm || fsim_mmap(m, mm, BASE, PMD_SIZE))
		return NULL;
	for (i = 0; i < (unsigned long)nr * PAGE_SIZE; i += PAGE_SIZE)
		if (fsim_write(m, mm, BASE + i, fsim_unique_content(m)))
			return NULL;
	if (fsim_set(m, "enabled", "madvise") ||
	    fsim_madvise(m, mm, BASE, PMD_SIZE, FSIM_MADV_HUGEPAGE))
		return NULL;
	return mm;
}

static struct fsim_machine *machine_thp(const char *enabled)
{
	struct fsim_machine *m = fsim_new(NULL, NULL);

	if (m && fsim_set(m, "enabled", enabled)) {
		fsim_free(m);
		return NULL;
	}
	return m;
}

/* Loaded settings replace every tunable; the start zeroes the events. */
static bool test_settings_and_start(void)
{
	struct fsim_machine *m = machine_thp("always");
	struct thp_settings set;
	struct mm_struct *mm;

	CHECK(m);
	set = *fsim_get_settings(m);
	mm = fsim_spawn(m);
	CHECK(mm && !fsim_mmap(m, mm, BASE, PMD_SIZE));
	CHECK(!fsim_write(m, mm, BASE, fsim_unique_content(m)));
	CHECK_INT(fsim_vm_event(m, THP_FAULT_ALLOC), ==, 1);
	set.max_ptes_none = 7;
	fsim_load_settings(m, &set);
	CHECK_INT(fsim_get_settings(m)->max_ptes_none, ==, 7);
	fsim_scenario_start(m);
	CHECK_INT(fsim_vm_event(m, THP_FAULT_ALLOC), ==, 0);
	fsim_free(m);
	return true;
}

/* Unique tags never repeat; "value N" tags are interned; 0 is zeroes. */
static bool test_contents(void)
{
	struct fsim_machine *m = fsim_new(NULL, NULL);
	content_t a, b;

	CHECK(m);
	a = fsim_unique_content(m);
	b = fsim_unique_content(m);
	CHECK(a != b && a && b);
	CHECK_INT(fsim_value_content(m, 0), ==, 0);
	CHECK_INT(fsim_value_content(m, 9), ==, fsim_value_content(m, 9));
	CHECK(fsim_value_content(m, 9) != fsim_value_content(m, 10));
	fsim_free(m);
	return true;
}

/*
 * The thread's start pass scans (and here collapses) but is not counted:
 * the first counted pass is still pass 1.
 */
static bool test_start_pass_not_counted(void)
{
	struct fsim_machine *m = machine_thp("never");
	struct fsim_scan_record rec;
	struct mm_struct *mm;

	CHECK(m);
	mm = small_pages_process(m, HPAGE_PMD_NR);
	CHECK(mm);
	CHECK_INT(fsim_nr_scan_records(m), ==, 0);
	fsim_khugepaged_start_pass(m, 1);
	CHECK_INT(fsim_nr_scan_records(m), ==, 1);
	fsim_scan_record(m, 0, &rec);
	CHECK(rec.succeeded && rec.result == SCAN_SUCCEED);
	CHECK_INT(rec.pass, ==, 1);
	CHECK_INT(rec.addr, ==, BASE);
	CHECK_INT(fsim_get_settings(m)->pages_to_scan, ==, 4096);
	CHECK(fsim_khugepaged(m, 1) >= 1);
	fsim_scan_record(m, fsim_nr_scan_records(m) - 1, &rec);
	CHECK_INT(rec.pass, ==, 1);
	fsim_free(m);
	return true;
}

/*
 * A forced point decides the scan (the first of 12 none PTEs exceeds
 * max_ptes_none 511), and its counters say it held.
 */
static bool test_forced_point(void)
{
	struct fsim_machine *m = machine_thp("never");
	struct fsim_scan_record rec;
	uint64_t evaluated, held;

	CHECK(m);
	CHECK(small_pages_process(m, HPAGE_PMD_NR - 12));
	fsim_point_counts(m, KH_SCAN_EXCEED_NONE, &evaluated, &held);
	CHECK_INT(evaluated, ==, 0);
	fsim_force_point(m, KH_SCAN_EXCEED_NONE, KH_FORCE_TRUE);
	CHECK(fsim_khugepaged(m, 1) >= 1);
	CHECK(fsim_nr_scan_records(m) >= 1);
	fsim_scan_record(m, 0, &rec);
	CHECK(rec.result == SCAN_EXCEED_NONE_PTE);
	CHECK(!strcmp(rec.status, "exceed_none_pte"));
	CHECK_INT(rec.none_or_zero, ==, 1);
	fsim_point_counts(m, KH_SCAN_EXCEED_NONE, &evaluated, &held);
	CHECK(evaluated >= 1 && held == evaluated);
	fsim_point_counts(m, KH_ALLOC, &evaluated, &held);
	CHECK_INT(evaluated, ==, 0);
	fsim_free(m);
	return true;
}

/* Fork of a PTE-mapped range costs atomics under every scheme. */
static bool test_mapcount_atomics(void)
{
	struct fsim_machine *m = machine_thp("never");
	uint64_t before[NR_MAPCOUNT_SCHEMES], after[NR_MAPCOUNT_SCHEMES];
	struct mm_struct *mm;
	int s;

	CHECK(m);
	mm = small_pages_process(m, HPAGE_PMD_NR);
	CHECK(mm);
	fsim_mapcount_atomics(m, before);
	CHECK(fsim_fork(m, mm));
	fsim_mapcount_atomics(m, after);
	for (s = 0; s < NR_MAPCOUNT_SCHEMES; s++)
		CHECK_INT(after[s] - before[s], >=, HPAGE_PMD_NR);
	fsim_free(m);
	return true;
}

int main(void)
{
	TEST(test_settings_and_start(), "loaded settings, scenario start");
	TEST(test_contents(), "unique and value contents");
	TEST(test_start_pass_not_counted(), "thread start pass not counted");
	TEST(test_forced_point(), "forced point decides and is counted");
	TEST(test_mapcount_atomics(), "mapcount atomics per scheme");
	return tap_done();
}
