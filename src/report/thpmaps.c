// SPDX-License-Identifier: GPL-2.0-only
/* The thpmaps printer (see thpmaps.h); anonymous figures only. */
#include <inttypes.h>
#include <string.h>

#include "thpmaps.h"

#define LABEL_FIELD 32

static void stat_line(FILE *f, const char *label, uint64_t kb,
		      uint64_t total)
{
	int pad = LABEL_FIELD - (int)strlen(label) - 1;

	if (!kb)
		return;
	fprintf(f, "%s:%*s%8" PRIu64 " kB", label, pad > 0 ? pad : 0, "", kb);
	if (total)
		fprintf(f, " (%3.0f%%)", 100.0 * (double)kb / (double)total);
	fputc('\n', f);
}

void report_thpmaps_vma(FILE *f, int pid, const struct snap_vma *v,
			const struct thp_stats *st)
{
	char label[64];
	int o;

	fprintf(f, "%010d: %016" PRIx64 "-%016" PRIx64 " r%c-p %08x %02x:%02x "
		"%08x %s\n", pid, v->start, v->end,
		v->flags & SNAP_VMA_RO ? '-' : 'w', 0, 0, 0, 0,
		strcmp(v->name, "anon") ? v->name : "");
	stat_line(f, "anon-thp-pmd-aligned-2048kB", st->pmd_kb, st->anon_kb);
	for (o = 2; o <= 9; o++) {
		snprintf(label, sizeof(label), "anon-thp-pte-aligned-%dkB",
			 4 << o);
		stat_line(f, label, st->pte_aligned_kb[o], st->anon_kb);
	}
	for (o = 2; o <= 9; o++) {
		snprintf(label, sizeof(label), "anon-thp-pte-unaligned-%dkB",
			 4 << o);
		stat_line(f, label, st->pte_unaligned_kb[o], st->anon_kb);
	}
	stat_line(f, "anon-thp-pte-partial", st->partial_kb, st->anon_kb);
}
