// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report of the first difference between model and kernel: the
 * statement, then for each process and region that differs both maps side
 * by side (64 pages per row, rows that differ marked '<'), details the
 * maps cannot show (folio order, KSM, which pages share a frame), and the
 * counters that differ with both values.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel/exec_kernel.h"

#define ROW		64
#define SMALL_REGION	1024	/* pages: print every row */
#define MAX_DETAILS	8	/* detail lines per region */
#define MAX_MEMBERS	3	/* sharers named per detail line */
#define MAX_REGIONS	8	/* (process, region) maps printed */

uint8_t kx_diff_entry_bad(const struct kx_diff *d, int p, uint64_t addr)
{
	int64_t j = kx_diff_index(d, addr);

	return j < 0 ? 0 : d->bad[(size_t)p * d->npages + (size_t)j];
}

static uint64_t region_page_addr(const struct kx_diff *d, int g, uint64_t i)
{
	return d->s->regions[g].addr + i * SCN_PAGE_SIZE;
}

/*
 * Does region @g of @p hold a differing page not shown yet?  Regions may
 * overlap; each differing page is shown under the first region holding it.
 */
static bool region_differs(const struct kx_diff *d, int p, int g,
			   bool *shown)
{
	uint64_t n = d->s->regions[g].size / SCN_PAGE_SIZE, i;
	bool any = false;

	if (!d->m.alive[p] || !d->k.alive[p])
		return false;
	for (i = 0; i < n; i++) {
		int64_t j = kx_diff_index(d, region_page_addr(d, g, i));
		size_t e = (size_t)p * d->npages + (size_t)j;

		if (j >= 0 && d->bad[e] && !shown[e])
			any = true;
	}
	for (i = 0; any && i < n; i++) {
		int64_t j = kx_diff_index(d, region_page_addr(d, g, i));

		if (j >= 0)
			shown[(size_t)p * d->npages + (size_t)j] = true;
	}
	return any;
}

static bool row_differs(const struct kx_diff *d, int p, int g, uint64_t row,
			uint64_t n)
{
	uint64_t i;

	for (i = row; i < row + ROW && i < n; i++)
		if (kx_diff_entry_bad(d, p, region_page_addr(d, g, i)))
			return true;
	return false;
}

/* PMD-mapped THPs wholly inside region @g, as the expectations count. */
static int region_thps(const struct kx_diff *d, const struct dside *sd,
		       int p, int g)
{
	uint64_t a = d->s->regions[g].addr, end = a + d->s->regions[g].size;
	int n = 0;

	for (a = (a + SCN_PMD_SIZE - 1) & ~(SCN_PMD_SIZE - 1);
	     a + SCN_PMD_SIZE <= end; a += SCN_PMD_SIZE) {
		int64_t j = kx_diff_index(d, a);
		const struct obs_page *pg;

		if (j < 0)
			continue;
		pg = &sd->pg[(size_t)p * d->npages + (size_t)j];
		n += pg->state == OBS_PRESENT && pg->pmd_mapped;
	}
	return n;
}

static void print_maps(const struct kx_diff *d, int p, int g)
{
	uint64_t n = d->s->regions[g].size / SCN_PAGE_SIZE, row;
	char *mm = exec_map(d->s, d->m.obs, p, g);
	char *km = exec_map(d->s, d->k.obs, p, g);
	FILE *f = d->o->out;

	fprintf(f, "    %6s  %-*s  %s\n", "page", ROW, d->m.name, d->k.name);
	for (row = 0; mm && km && row < n; row += ROW) {
		int w = (int)(n - row < ROW ? n - row : ROW);
		bool bad = row_differs(d, p, g, row, n);

		if (n > SMALL_REGION && !bad)
			continue;
		fprintf(f, "    %6llu  %-*.*s  %-*.*s%s\n",
			(unsigned long long)row, ROW, w, mm + row, ROW, w,
			km + row, bad ? "  <" : "");
	}
	free(mm);
	free(km);
}

/* "C R[5]": the process and region page of entry @e. */
static void name_entry(const struct kx_diff *d, uint64_t e, int prefer,
		       char *buf, size_t len)
{
	int p = (int)(e / d->npages), k = 0, g;
	uint64_t j = e % d->npages, addr;

	while (k + 1 < d->nr_spans && d->span_off[k + 1] <= j)
		k++;
	addr = d->spans[k].start + (j - d->span_off[k]) * SCN_PAGE_SIZE;
	for (g = 0; g < d->s->nr_regions; g++) {
		const struct scn_region *r = &d->s->regions[g];

		if (addr >= r->addr && addr < r->addr + r->size &&
		    (g == prefer || prefer < 0 ||
		     !(addr >= d->s->regions[prefer].addr &&
		       addr < d->s->regions[prefer].addr +
				      d->s->regions[prefer].size)))
			break;
	}
	if (g == d->s->nr_regions)
		g = prefer;
	snprintf(buf, len, "%s %s[%llu]", d->s->procs[p], d->s->regions[g].name,
		 (unsigned long long)((addr - d->s->regions[g].addr) /
				      SCN_PAGE_SIZE));
}

/* The other entries of @e's sharing group on side @sd. */
static void print_group(const struct kx_diff *d, const struct dside *sd,
			uint64_t e, int g)
{
	size_t n = (size_t)d->s->nr_procs * d->npages, i;
	int shown = 0, more = 0;
	char name[96];

	for (i = 0; i < n; i++) {
		if (i == e || sd->label[i] == NO_LABEL ||
		    sd->label[i] != sd->label[e])
			continue;
		if (shown == MAX_MEMBERS) {
			more++;
			continue;
		}
		name_entry(d, i, g, name, sizeof(name));
		fprintf(d->o->out, "%s%s", shown++ ? ", " : "", name);
	}
	if (!shown)
		fputs("nothing", d->o->out);
	if (more)
		fprintf(d->o->out, " and %d more", more);
}

static void print_detail(const struct kx_diff *d, int p, int g, uint64_t i,
			 uint8_t bad)
{
	int64_t j = kx_diff_index(d, region_page_addr(d, g, i));
	size_t e = (size_t)p * d->npages + (size_t)j;
	const struct obs_page *a = &d->m.pg[e], *b = &d->k.pg[e];
	FILE *f = d->o->out;

	fprintf(f, "      page %llu:", (unsigned long long)i);
	if (bad & D_ORDER)
		fprintf(f, " folio order %s %d, %s %d;", d->m.name, a->order,
			d->k.name, b->order);
	if (bad & D_KSM)
		fprintf(f, " KSM %s %s, %s %s;", d->m.name,
			a->ksm ? "yes" : "no", d->k.name,
			b->ksm ? "yes" : "no");
	if (bad & D_SHARE) {
		fprintf(f, " shares its page with: %s ", d->m.name);
		print_group(d, &d->m, e, g);
		fprintf(f, "; %s ", d->k.name);
		print_group(d, &d->k, e, g);
	}
	fputc('\n', f);
}

/* What the maps do not show: order, KSM and sharing differences. */
static void print_details(const struct kx_diff *d, int p, int g)
{
	uint64_t n = d->s->regions[g].size / SCN_PAGE_SIZE, i;
	int shown = 0;

	for (i = 0; i < n && shown < MAX_DETAILS; i++) {
		uint8_t bad = kx_diff_entry_bad(d, p, region_page_addr(d, g, i));

		if (!(bad & (D_ORDER | D_KSM | D_SHARE)))
			continue;
		print_detail(d, p, g, i, bad);
		shown++;
	}
}

static void report_region(const struct kx_diff *d, int p, int g)
{
	int tm = region_thps(d, &d->m, p, g), tk = region_thps(d, &d->k, p, g);
	FILE *f = d->o->out;

	fprintf(f, "  %s %s:", d->s->procs[p], d->s->regions[g].name);
	if (tm != tk)
		fprintf(f, " thp %s %d, %s %d", d->m.name, tm, d->k.name, tk);
	fputc('\n', f);
	print_maps(d, p, g);
	print_details(d, p, g);
}

static void report_alive(const struct kx_diff *d)
{
	int p;

	for (p = 0; p < d->s->nr_procs; p++)
		if (d->m.alive[p] != d->k.alive[p])
			fprintf(d->o->out, "  process %s: %s %s, %s %s\n",
				d->s->procs[p], d->m.name,
				d->m.alive[p] ? "alive" : "gone", d->k.name,
				d->k.alive[p] ? "alive" : "gone");
}

static void report_counters(const struct kx_diff *d, int op)
{
	FILE *f = d->o->out;
	int i;

	for (i = 0; i < exec_nr_vmstat_names; i++)
		if (d->vm_bad[i])
			fprintf(f, "  vmstat %s: %s %lld, %s %lld\n",
				exec_vmstat_names[i], d->m.name,
				(long long)d->vm_m[i], d->k.name,
				(long long)d->vm_k[i]);
	if (d->collapse_bad)
		fprintf(f, "  collapse: %s errno %d, %s errno %d\n",
			d->m.name, d->m.r.collapse_err[op], d->k.name,
			d->k.r.collapse_err[op]);
}

static const char *const state_names[] = {
	[OBS_NONE] = "none", [OBS_ZERO] = "zero",
	[OBS_PRESENT] = "present", [OBS_SWAP] = "swap",
};

static const char *state_name(uint8_t st)
{
	return st < sizeof(state_names) / sizeof(*state_names) &&
		       state_names[st] ? state_names[st] : "?";
}

/* Set the verdict's class to @what and its detail line from @fmt. */
static void __attribute__((format(printf, 3, 4)))
verdict_set(struct kx_diff_verdict *v, const char *what, const char *fmt, ...)
{
	va_list ap;

	snprintf(v->what, sizeof(v->what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

/* The first differing page, described as a verdict (class and detail). */
static void classify_page(const struct kx_diff *d, size_t e,
			  struct kx_diff_verdict *v)
{
	const struct obs_page *a = &d->m.pg[e], *b = &d->k.pg[e];
	uint8_t bad = d->bad[e];
	char name[96], what[32];

	name_entry(d, e, -1, name, sizeof(name));
	if (bad & D_STATE) {
		snprintf(what, sizeof(what), "page:state:%s/%s",
			 state_name(a->state), state_name(b->state));
		verdict_set(v, what, "%s: %s %s, %s %s", name, d->m.name,
			    state_name(a->state), d->k.name,
			    state_name(b->state));
	} else if (bad & D_PMD) {
		verdict_set(v, "page:pmd", "%s: PMD-mapped %s %s, %s %s",
			    name, d->m.name, a->pmd_mapped ? "yes" : "no",
			    d->k.name, b->pmd_mapped ? "yes" : "no");
	} else if (bad & D_ORDER) {
		verdict_set(v, "page:order", "%s: folio order %s %d, %s %d",
			    name, d->m.name, a->order, d->k.name, b->order);
	} else if (bad & D_KSM) {
		verdict_set(v, "page:ksm", "%s: KSM %s %s, %s %s", name,
			    d->m.name, a->ksm ? "yes" : "no", d->k.name,
			    b->ksm ? "yes" : "no");
	} else {
		verdict_set(v, "page:share", "%s: shares its page with other "
			    "entries on one side only", name);
	}
}

/*
 * kx_diff_classify() - the first difference after statement @op as a
 * verdict: with --trace a PMD scan first, then processes alive, pages in entry order, then
 * counters in exec_vmstat_names order, then MADV_COLLAPSE's result.
 */
void kx_diff_classify(const struct kx_diff *d, int op,
		      struct kx_diff_verdict *v)
{
	size_t n = (size_t)d->s->nr_procs * d->npages, e;
	int p, i;

	v->op = op;
	v->zero_page = d->zero_page;
	v->what[0] = v->detail[0] = '\0';
	if (d->scan_what) {
		/* what khugepaged decided explains what the pages show */
		kx_diff_classify_scans(d, v);
		return;
	}
	for (p = 0; d->alive_bad && p < d->s->nr_procs; p++)
		if (d->m.alive[p] != d->k.alive[p]) {
			verdict_set(v, "alive", "process %s: %s %s, %s %s",
				    d->s->procs[p], d->m.name,
				    d->m.alive[p] ? "alive" : "gone",
				    d->k.name,
				    d->k.alive[p] ? "alive" : "gone");
			return;
		}
	for (e = 0; e < n; e++)
		if (d->bad[e]) {
			classify_page(d, e, v);
			return;
		}
	for (i = 0; i < exec_nr_vmstat_names; i++)
		if (d->vm_bad[i]) {
			char what[64];

			snprintf(what, sizeof(what), "vmstat:%s",
				 exec_vmstat_names[i]);
			verdict_set(v, what, "vmstat %s: %s %lld, %s %lld",
				    exec_vmstat_names[i], d->m.name,
				    (long long)d->vm_m[i], d->k.name,
				    (long long)d->vm_k[i]);
			return;
		}
	if (d->collapse_bad)
		verdict_set(v, "collapse",
			    "MADV_COLLAPSE: %s errno %d, %s errno %d",
			    d->m.name, d->m.r.collapse_err[op], d->k.name,
			    d->k.r.collapse_err[op]);
}

/* The value model setting @path had in the model after statement @op. */
static const char *model_value(const struct kx_diff *d, int op,
			       const char *path)
{
	size_t n = strlen(path);
	const char *v = "1";	/* the default of the zero-page settings */
	int i;

	if (d->zero_set && !strncmp(d->zero_set, path, n) &&
	    d->zero_set[n] == '=')
		v = d->zero_set + n + 1;
	for (i = 0; i <= op; i++)
		if (d->s->ops[i].kind == SCN_SET &&
		    !strcmp(d->s->ops[i].path, path))
			v = d->s->ops[i].setval;
	return v;
}

/* A zero page differs: what this kernel's read faults map, and the model. */
static void report_zero_note(const struct kx_diff *d, int op)
{
	static const char *const small[] = { "(could not tell)",
					     "a real page", "the zero page" };
	static const char *const huge[] = { "(could not tell)", "a THP",
					    "the huge zero page" };

	fprintf(d->o->out, "  note: a zero page differs; on this kernel a "
		"read fault maps %s, and %s in an advised PMD range (probed "
		"this run); the model had model/zero_page=%s, "
		"model/huge_zero_page=%s\n", small[d->zero.small + 1],
		huge[d->zero.huge + 1], model_value(d, op, "model/zero_page"),
		model_value(d, op, "model/huge_zero_page"));
}

/* KiB of swap space active on this kernel (/proc/swaps), or -1. */
static long long kernel_swap_kb(void)
{
	char line[512], name[256], type[64];
	long long size, total = 0;
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))	/* the header */
		total = -1;
	while (total >= 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %63s %lld", name, type, &size) == 3)
			total += size;
	fclose(f);
	return total;
}

/*
 * The scenario sized the model's swap (model/swap, ignored by the kernel
 * executor): where swap runs out, and whether more than half of it is in
 * use (vm_swap_full(), which drops the swap cache sooner), can differ.
 */
static void report_swap_note(const struct kx_diff *d, int op)
{
	const char *v = NULL;
	long long kb;
	int i;

	for (i = 0; i <= op; i++)
		if (d->s->ops[i].kind == SCN_SET &&
		    !strcmp(d->s->ops[i].path, "model/swap"))
			v = d->s->ops[i].setval;
	/* no swap on the kernel: the run never swapped, the size is moot */
	if (!v || (kb = kernel_swap_kb()) <= 0)
		return;
	fprintf(d->o->out, "  note: the model's swap is %s (model/swap), the "
		"kernel's %lld KiB: running out of swap and vm_swap_full() "
		"(over half in use: the swap cache is dropped sooner) can "
		"differ\n", v, kb);
}

void kx_diff_report(struct kx_diff *d, int op)
{
	const struct scn_op *o = &d->s->ops[op];
	bool *shown = calloc((size_t)d->s->nr_procs * d->npages + 1, 1);
	int p, g, nr = 0, more = 0;

	fprintf(d->o->out, "%s:%d:%d: after '%s'\n", d->s->path, o->line,
		o->col, o->text);
	fprintf(d->o->out, "  maps: %s\n", exec_map_legend);
	if (d->scan_what)
		kx_diff_report_scans(d);
	report_alive(d);
	for (p = 0; shown && p < d->s->nr_procs; p++)
		for (g = 0; g < d->s->nr_regions; g++) {
			if (!region_differs(d, p, g, shown))
				continue;
			if (nr++ < MAX_REGIONS)
				report_region(d, p, g);
			else
				more++;
		}
	if (more)
		fprintf(d->o->out, "  ... and %d more regions differ\n", more);
	report_counters(d, op);
	if (d->zero_page)
		report_zero_note(d, op);
	report_swap_note(d, op);
	free(shown);
}
