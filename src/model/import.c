// SPDX-License-Identifier: GPL-2.0-only
/*
 * What callers outside the model need beyond the syscalls, with the
 * machine kept opaque: registration of an mm with khugepaged as its
 * faults would have done it under the current settings
 * (khugepaged_enter_vma() for each VMA), read access to khugepaged's
 * per-PMD scan records, the event counters and the predicate's errors.
 */
#include "internal.h"
#include "khugepaged.h"
#include "model.h"

void fsim_khugepaged_enter(struct fsim_machine *m, struct mm_struct *mm)
{
	int i;

	for (i = 0; mm && mm->alive && i < mm->nr_vmas; i++)
		if (mm->vmas[i].anon_vma)
			khugepaged_enter_vma(m, mm, &mm->vmas[i]);
}

size_t fsim_nr_scan_records(struct fsim_machine *m)
{
	return m->khugepaged->nr_records;
}

void fsim_scan_record(struct fsim_machine *m, size_t i,
		      struct fsim_scan_record *out)
{
	const struct kh_scan_record *r = &m->khugepaged->records[i];

	*out = (struct fsim_scan_record){
		.mm_idx = r->mm_idx,
		.addr = r->addr,
		.succeeded = r->status == SCAN_SUCCEED,
		.result = r->status,
		.status = scan_result_names[r->status],
		.referenced = r->referenced,
		.none_or_zero = r->none_or_zero,
		.unmapped = r->unmapped,
		.shared = r->shared,
		.is_khugepaged = r->is_khugepaged,
		.pass = r->pass,
		.order = r->order,
	};
}

int fsim_mm_idx(const struct mm_struct *mm)
{
	return mm->idx;
}

bool fsim_mm_alive(const struct mm_struct *mm)
{
	return mm->alive;
}

uint64_t fsim_vm_event(const struct fsim_machine *m, int item)
{
	return m->ev[item];
}

void fsim_track_truth(struct fsim_machine *m, bool on)
{
	m->track_truth = on;
}

void fsim_pred_errors(const struct fsim_machine *m, long *fn, long *fp)
{
	*fn = m->pred_fn;
	*fp = m->pred_fp;
}
