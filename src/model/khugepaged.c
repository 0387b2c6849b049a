// SPDX-License-Identifier: GPL-2.0-only
/*
 * khugepaged's scan loop (khugepaged_do_scan(), khugepaged_scan_mm_slot())
 * and its budget, the per-mm registration list, decision points, scan
 * records, and "khugepaged N".  The per-PMD scan and the collapse itself
 * are in collapse.c.
 *
 * Deliberate simplifications, none of which can change a verdict here:
 * one NUMA node (so SCAN_SCAN_ABORT never happens), no memcg (no charge
 * failures), no userfaultfd (no uffd results), no concurrent threads (the
 * mmap trylock always succeeds, no folio is ever locked or off the LRU at
 * scan time unless a collapse in progress did it), and sleeping is
 * instantaneous.
 */
#include <stdlib.h>
#include <string.h>

#include "collapse.h"
#include "internal.h"
#include "khugepaged.h"

/* No scenario needs this many; it only guards against a model bug. */
#define KH_MAX_PASSES 1000000

const char *const scan_result_names[NR_SCAN_RESULTS] = {
#define X(id, name) [id] = name,
	FSIM_SCAN_RESULTS(X)
#undef X
};

const char *const kh_point_names[NR_KH_POINTS] = {
#define X(id, name) [id] = name,
	FSIM_KH_POINTS(X)
#undef X
};

struct khugepaged_state *khugepaged_state_new(void)
{
	struct khugepaged_state *k = calloc(1, sizeof(*k));

	if (k)
		k->keep_records = true;
	return k;
}

void khugepaged_state_free(struct khugepaged_state *k)
{
	if (k) {
		free(k->slots);
		free(k->records);
	}
	free(k);
}

int kh_point_lookup(const char *name)
{
	int i;

	for (i = 0; i < NR_KH_POINTS; i++)
		if (!strcmp(kh_point_names[i], name))
			return i;
	return -1;
}

void khugepaged_force(struct fsim_machine *m, enum kh_point p,
		      enum kh_force how)
{
	m->khugepaged->force[p] = how;
}

void kh_record(struct fsim_machine *m, const struct kh_scan_record *r)
{
	struct khugepaged_state *k = m->khugepaged;

	if (!k->keep_records)
		return;
	if (k->nr_records == k->cap_records) {
		size_t cap = k->cap_records ? 2 * k->cap_records : 64;
		void *p = realloc(k->records, cap * sizeof(*k->records));

		if (!p)
			return;
		k->records = p;
		k->cap_records = cap;
	}
	k->records[k->nr_records++] = *r;
}

void khugepaged_remove_slot(struct khugepaged_state *k, struct mm_struct *mm)
{
	int i;

	for (i = 0; i < k->nr_slots; i++)
		if (k->slots[i] == mm)
			break;
	if (i == k->nr_slots)
		return;
	memmove(&k->slots[i], &k->slots[i + 1],
		(size_t)(k->nr_slots - i - 1) * sizeof(*k->slots));
	k->nr_slots--;
	mm->flags &= ~MMF_VM_HUGEPAGE;
}

/* collect_mm_slot(): a slot is freed once its mm has exited. */
static void collect_mm_slot(struct khugepaged_state *k, struct mm_struct *mm)
{
	if (!mm->alive)
		khugepaged_remove_slot(k, mm);
}

/* Step the cursor past @mm: to the next slot, or back to the list head. */
static void advance_cursor(struct khugepaged_state *k, struct mm_struct *mm)
{
	int i;

	for (i = 0; i < k->nr_slots; i++)
		if (k->slots[i] == mm)
			break;
	if (i + 1 < k->nr_slots) {
		k->cursor = k->slots[i + 1];
	} else {
		k->cursor = NULL;
		k->full_scans++;
	}
	k->cursor_addr = 0;
	collect_mm_slot(k, mm);
}

/*
 * Scan the PMDs of one VMA from the cursor.  Returns true when the call
 * must end (budget spent, or a collapse attempt dropped the lock).
 */
static bool scan_vma(struct fsim_machine *m, struct mm_struct *mm, int v,
		     unsigned int pages, unsigned int *progress,
		     enum scan_result *result)
{
	struct khugepaged_state *k = m->khugepaged;
	struct vm_area_struct *vma = &mm->vmas[v];
	unsigned long hstart = ALIGN_UP_PMD(vma->vm_start);
	unsigned long hend = ALIGN_DOWN_PMD(vma->vm_end);
	bool locked;

	if (!collapse_possible_orders(m, vma, true) ||
	    k->cursor_addr > hend) {
		(*progress)++;
		return false;
	}
	if (k->cursor_addr < hstart)
		k->cursor_addr = hstart;
	while (k->cursor_addr < hend) {
		locked = true;
		*result = hpage_collapse_scan_pmd(m, mm, k->cursor_addr,
						  &locked, true);
		if (*result == SCAN_SUCCEED)
			k->pages_collapsed++;
		k->cursor_addr += PMD_SIZE;
		*progress += HPAGE_PMD_NR;
		if (!locked || *progress >= pages)
			return true;
	}
	return false;
}

/* khugepaged_scan_mm_slot(): returns the budget used. */
static unsigned int scan_mm_slot(struct fsim_machine *m, unsigned int pages,
				 enum scan_result *result)
{
	struct khugepaged_state *k = m->khugepaged;
	struct mm_struct *mm;
	unsigned int progress = 1;	/* the mmap lock was taken */
	int v;

	*result = SCAN_FAIL;
	if (!k->cursor) {
		k->cursor = k->slots[0];
		k->cursor_addr = 0;
	}
	mm = k->cursor;
	if (mm->alive) {
		for (v = 0; v < mm->nr_vmas; v++) {
			if (mm->vmas[v].vm_end <= k->cursor_addr)
				continue;
			if (scan_vma(m, mm, v, pages, &progress, result))
				return progress;	/* vma != NULL: resume */
		}
	}
	advance_cursor(k, mm);
	return progress;
}

static bool khugepaged_has_work(struct fsim_machine *m)
{
	return m->khugepaged->nr_slots > 0 && khugepaged_enabled(m);
}

void khugepaged_do_scan(struct fsim_machine *m)
{
	struct khugepaged_state *k = m->khugepaged;
	unsigned int budget = (unsigned int)m->set.pages_to_scan, progress = 0;
	enum scan_result result = SCAN_SUCCEED;
	bool may_alloc_sleep = true;
	int head_passes = 0;

	k->passes++;
	for (;;) {
		if (!k->cursor)
			head_passes++;
		if (khugepaged_has_work(m) && head_passes < 2)
			progress += scan_mm_slot(m, budget - progress, &result);
		else
			progress = budget;
		if (progress >= budget)
			break;
		if (result == SCAN_ALLOC_HUGE_PAGE_FAIL) {
			if (!may_alloc_sleep)
				break;	/* a second failure ends the pass */
			may_alloc_sleep = false;	/* alloc_sleep_millisecs */
		}
	}
}

/*
 * Checked at pass boundaries only, as a kernel run can observe it: stop
 * once at least N+1 increments of full_scans were seen (the first only
 * starts a full scan) and two increments happened since pages_collapsed
 * last moved, so one whole full scan collapsed nothing.
 */
long khugepaged_run(struct fsim_machine *m, long n)
{
	struct khugepaged_state *k = m->khugepaged;
	uint64_t start = k->full_scans, collapsed = k->pages_collapsed;
	uint64_t quiet_since = k->full_scans;
	long passes = 0;

	if (n < 1)
		n = 1;
	while (khugepaged_has_work(m) && passes < KH_MAX_PASSES) {
		khugepaged_do_scan(m);
		passes++;
		if (k->pages_collapsed != collapsed) {
			collapsed = k->pages_collapsed;
			quiet_since = k->full_scans;
		}
		if (k->full_scans - start >= (uint64_t)n + 1 &&
		    k->full_scans - quiet_since >= 2)
			break;
	}
	return passes;
}
