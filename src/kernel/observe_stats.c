// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel observer's totals: smaps figures over the VMAs that overlap
 * scenario regions, /proc/vmstat deltas from the baseline, and the RAM
 * held by the distinct folios mapped in scenario regions of live actors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "observe.h"

#define PAGE_SZ		4096UL
#define VMSTAT_MAX	512	/* counters kept from /proc/vmstat */
#define PMD_ORDER	9

/* {========== smaps ==========} */

/* The whole of a /proc file, NUL-terminated, from malloc(); or NULL. */
static char *read_whole(const char *path)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL, *b;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	for (;;) {
		b = realloc(buf, cap);
		if (!b) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = b;
		len += fread(buf + len, 1, cap - len - 1, f);
		if (len + 1 < cap) {
			buf[len] = '\0';
			break;
		}
		cap *= 2;
	}
	fclose(f);
	return buf;
}

static bool overlaps_regions(const struct kx_observe *ob, uint64_t start,
			     uint64_t end)
{
	int i;

	for (i = 0; i < ob->nr_spans; i++)
		if (ob->spans[i].start < end && start < ob->spans[i].end)
			return true;
	return false;
}

/* "Name:   123 kB" -> 123 if @line starts with @name */
static bool field(const char *line, const char *name, uint64_t *sum)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n))
		return false;
	*sum += strtoull(line + n, NULL, 10);
	return true;
}

void kx_obs_smaps(void *ctx, int proc, uint64_t *rss_kb, uint64_t *huge_kb,
		  uint64_t *swap_kb)
{
	struct kx_observe *ob = ctx;
	char path[64], *buf, *line, *save = NULL;
	bool in = false;

	*rss_kb = *huge_kb = *swap_kb = 0;
	if (!ob->pids[proc])
		return;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)ob->pids[proc]);
	buf = read_whole(path);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end;

		if ((line[0] >= '0' && line[0] <= '9') ||
		    (line[0] >= 'a' && line[0] <= 'f')) {
			in = sscanf(line, "%llx-%llx", &start, &end) == 2 &&
			     overlaps_regions(ob, start, end);
			continue;
		}
		if (in && !field(line, "Rss:", rss_kb) &&
		    !field(line, "AnonHugePages:", huge_kb))
			field(line, "Swap:", swap_kb);
	}
	free(buf);
}

/* {========== vmstat ==========} */

void kx_vmstat_free(struct kx_vmstat_snap *snap)
{
	free(snap->name);
	free(snap->value);
	memset(snap, 0, sizeof(*snap));
}

int kx_vmstat_read(struct kx_vmstat_snap *snap)
{
	char line[128];
	long long v;
	FILE *f = fopen("/proc/vmstat", "re");

	memset(snap, 0, sizeof(*snap));
	if (!f)
		return -1;
	snap->name = calloc(VMSTAT_MAX, sizeof(*snap->name));
	snap->value = calloc(VMSTAT_MAX, sizeof(*snap->value));
	while (snap->name && snap->value && snap->nr < VMSTAT_MAX &&
	       fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%47s %lld", snap->name[snap->nr], &v) != 2)
			continue;
		snap->value[snap->nr++] = v;
	}
	fclose(f);
	if (!snap->name || !snap->value) {
		kx_vmstat_free(snap);
		return -1;
	}
	return 0;
}

static bool lookup(const struct kx_vmstat_snap *snap, const char *name,
		   int64_t *v)
{
	int i;

	for (i = 0; i < snap->nr; i++)
		if (!strcmp(snap->name[i], name)) {
			*v = snap->value[i];
			return true;
		}
	return false;
}

bool kx_obs_vmstat(void *ctx, const char *name, int64_t *delta)
{
	struct kx_observe *ob = ctx;
	int64_t a, b;

	if (!ob->now_valid) {
		kx_vmstat_free(&ob->now);
		ob->now_valid = !kx_vmstat_read(&ob->now);
	}
	if (!lookup(&ob->base, name, &a) || !lookup(&ob->now, name, &b))
		return false;
	*delta = b - a;
	return true;
}

/* {========== memory ==========} */

struct folio_ref {
	uint64_t head;
	uint8_t order;
};

static int cmp_folio(const void *a, const void *b)
{
	const struct folio_ref *x = a, *y = b;

	return x->head < y->head ? -1 : x->head > y->head;
}

/* Append the folios of the present pages of span @sp in @proc. */
static size_t span_folios(struct kx_observe *ob, int proc,
			  const struct kx_span *sp, struct folio_ref *v,
			  size_t n)
{
	uint64_t a;

	for (a = sp->start; a < sp->end; a += PAGE_SZ) {
		const struct kx_chunk *ch = kx_observe_chunk(ob, proc, a);
		const struct kx_obs_page *pg;

		if (!ch)
			continue;
		pg = &ch->pg[(a - ch->base) / PAGE_SZ];
		if (pg->o.state == OBS_PRESENT)
			v[n++] = (struct folio_ref){ pg->head, pg->o.order };
	}
	return n;
}

void kx_obs_memory(void *ctx, uint64_t *anon_kb, uint64_t *thp_kb)
{
	struct kx_observe *ob = ctx;
	struct folio_ref *v;
	size_t cap = 0, n = 0, i;
	int p, k;

	*anon_kb = *thp_kb = 0;
	for (k = 0; k < ob->nr_spans; k++)
		cap += (ob->spans[k].end - ob->spans[k].start) / PAGE_SZ;
	v = malloc((cap * (size_t)ob->s->nr_procs + 1) * sizeof(*v));
	if (!v)
		return;
	for (p = 0; p < ob->s->nr_procs; p++)
		for (k = 0; ob->pids[p] && k < ob->nr_spans; k++)
			n = span_folios(ob, p, &ob->spans[k], v, n);
	qsort(v, n, sizeof(*v), cmp_folio);
	for (i = 0; i < n; i++) {
		uint64_t kb = (PAGE_SZ << v[i].order) >> 10;

		if (i && v[i].head == v[i - 1].head)
			continue;
		*anon_kb += kb;
		if (v[i].order == PMD_ORDER)
			*thp_kb += kb;
	}
	free(v);
}
