// SPDX-License-Identifier: GPL-2.0-only
/*
 * --why on the kernel: may khugepaged collapse a PMD of an actor now?
 * Read from the actor's /proc/PID/smaps (the VMA around the PMD, its
 * THPeligible and VmFlags) and the sysfs modes.  The kernel shows no
 * anon_vma and no khugepaged list, so a VMA with neither resident nor
 * swapped anonymous memory stands for "no anon_vma", and registration is
 * not checked.  (A VMA mapping the huge zero page has one too; one left
 * with only the small zero pages of a split huge zero PMD is missed.)
 */
#include <stdio.h>
#include <string.h>

#include "actor.h"
#include "host/guard.h"
#include "observe.h"

#define PMD_BYTES	(512 * 4096ULL)

struct vma_seen {
	uint64_t start, end;
	bool found, eligible, advised, no_huge, anon;
};

/* The VMA of @pid that holds @addr, with the smaps fields we need. */
static void find_vma(pid_t pid, uint64_t addr, struct vma_seen *v)
{
	char line[512];
	bool in = false;
	FILE *f;

	memset(v, 0, sizeof(*v));
	f = kx_smaps_open(pid);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;
		uint64_t a, b;
		int eligible;

		if (kx_smaps_vma(line, &a, &b)) {
			if (v->found)
				break;
			in = a <= addr && addr < b;
			if (in) {
				v->found = true;
				v->start = a;
				v->end = b;
			}
		} else if (!in) {
			continue;
		} else if (sscanf(line, "THPeligible: %d", &eligible) == 1) {
			v->eligible = eligible;
		} else if ((sscanf(line, "Anonymous: %llu", &kb) == 1 ||
			    sscanf(line, "Swap: %llu", &kb) == 1) && kb) {
			v->anon = true;
		} else if (!strncmp(line, "VmFlags:", 8)) {
			v->advised = strstr(line + 8, " hg");
			v->no_huge = strstr(line + 8, " nh");
		}
	}
	fclose(f);
}

/* Why the sysfs modes keep PMD THPs out of a VMA (advised or not). */
static void mode_reason(bool advised, char *why, size_t len)
{
	const char *knob = "hugepages-2048kB/enabled";
	char mode[32], err[128];

	if (kx_get(knob, mode, sizeof(mode), err, sizeof(err)) ||
	    !strcmp(mode, "inherit")) {
		knob = "enabled";
		if (kx_get(knob, mode, sizeof(mode), err, sizeof(err)))
			snprintf(mode, sizeof(mode), "?");
	}
	if (!strcmp(mode, "madvise") && !advised)
		snprintf(why, len, "%s madvise and no MADV_HUGEPAGE", knob);
	else if (!strcmp(mode, "never"))
		snprintf(why, len, "%s never", knob);
	else
		snprintf(why, len, "THPeligible 0 in smaps");
}

/*
 * Does @proc map the huge zero page somewhere in the scenario regions of
 * [start, end)?  The read fault that mapped it prepared the anon_vma,
 * though smaps counts no page for it.
 */
static bool maps_huge_zero(struct kx_observe *ob, int proc, uint64_t start,
			   uint64_t end)
{
	struct obs_page pg;
	uint64_t a;
	int i;

	for (i = 0; i < ob->nr_spans; i++)
		for (a = ob->spans[i].start; a < ob->spans[i].end;
		     a += PMD_BYTES)
			if (a >= start && a + PMD_BYTES <= end &&
			    !ob->ops.pages(ob, proc, a, 1, &pg) &&
			    pg.state == OBS_ZERO && pg.pmd_mapped)
				return true;
	return false;
}

bool kx_obs_pmd_eligible(void *ctx, int proc, uint64_t addr, char *why,
			 size_t len)
{
	struct kx_observe *ob = ctx;
	struct vma_seen v;

	why[0] = '\0';
	if (!ob->pids[proc]) {
		snprintf(why, len, "the process is gone");
		return false;
	}
	find_vma(ob->pids[proc], addr, &v);
	if (!v.found) {
		snprintf(why, len, "not mapped");
		return false;
	}
	if (v.start > addr || v.end < addr + PMD_BYTES) {
		snprintf(why, len, "the PMD range is not inside one VMA");
		return false;
	}
	if (v.no_huge) {
		snprintf(why, len, "MADV_NOHUGEPAGE");
		return false;
	}
	if (!v.eligible) {
		mode_reason(v.advised, why, len);
		return false;
	}
	if (!v.anon && !maps_huge_zero(ob, proc, v.start, v.end)) {
		snprintf(why, len, "no anon_vma: no page was ever allocated there");
		return false;
	}
	return true;
}
