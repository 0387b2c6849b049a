// SPDX-License-Identifier: GPL-2.0-only
/*
 * --why on the kernel: may khugepaged collapse a PMD of an actor now?
 * Read from the actor's /proc/PID/smaps (the VMA around the PMD and its
 * VmFlags) and the PMD size's sysfs mode.  (smaps' THPeligible says
 * whether any THP order may be used, so an mTHP size makes it 1 where
 * PMDs are off.)  The kernel shows neither anon_vmas nor khugepaged's
 * list: an eligible-looking PMD is ELIG_UNSEEN, with what cannot be
 * told in the reason.
 */
#include <stdio.h>
#include <string.h>

#include "actor.h"
#include "host/guard.h"
#include "observe.h"

#define PMD_BYTES	(512 * 4096ULL)

struct vma_seen {
	uint64_t start, end;
	bool found, advised, no_huge, anon;
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

const char *kx_pmd_mode(char *mode, size_t len)
{
	const char *knob = "hugepages-2048kB/enabled";
	char err[128];

	if (kx_get(knob, mode, len, err, sizeof(err)) ||
	    !strcmp(mode, "inherit")) {
		knob = "enabled";
		if (kx_get(knob, mode, len, err, sizeof(err)))
			snprintf(mode, len, "never");
	}
	return knob;
}

/*
 * Do the sysfs modes let khugepaged have PMD THPs in a VMA (advised or
 * not)?  If not, @why says which knob stops it.
 */
static bool mode_allows(bool advised, char *why, size_t len)
{
	char mode[32];
	const char *knob = kx_pmd_mode(mode, sizeof(mode));

	if (!strcmp(mode, "always") || (!strcmp(mode, "madvise") && advised))
		return true;
	if (!strcmp(mode, "madvise"))
		snprintf(why, len, "%s madvise and no MADV_HUGEPAGE", knob);
	else
		snprintf(why, len, "%s never", knob);
	return false;
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

enum pmd_elig kx_obs_pmd_eligible(void *ctx, int proc, uint64_t addr,
				  char *why, size_t len)
{
	struct kx_observe *ob = ctx;
	struct vma_seen v;

	why[0] = '\0';
	if (!ob->pids[proc]) {
		snprintf(why, len, "the process is gone");
		return ELIG_UNMAPPED;
	}
	find_vma(ob->pids[proc], addr, &v);
	if (!v.found) {
		snprintf(why, len, "not mapped");
		return ELIG_UNMAPPED;
	}
	if (v.start > addr || v.end < addr + PMD_BYTES) {
		snprintf(why, len, "the PMD range is not inside one VMA");
		return ELIG_VMA_SPLIT;
	}
	if (v.no_huge) {
		snprintf(why, len, "MADV_NOHUGEPAGE");
		return ELIG_NOHUGEPAGE;
	}
	if (!mode_allows(v.advised, why, len))
		return ELIG_SYSFS;
	if (!v.anon && !maps_huge_zero(ob, proc, v.start, v.end))
		snprintf(why, len, "no page in its VMA: perhaps no anon_vma");
	else
		snprintf(why, len, "the kernel does not show whether its mm "
			 "is on khugepaged's list");
	return ELIG_UNSEEN;
}
