// SPDX-License-Identifier: GPL-2.0-only
/*
 * --trace on the kernel: the mm_khugepaged_scan_pmd events of each
 * khugepaged pass and each MADV_COLLAPSE, attributed to a scenario
 * process and PMD and stored as exec_result.scans, as the model does.
 *
 * The event names neither the process nor the address, so:
 *  - an mm is known by its hashed pointer once some event of it was hit
 *    by a known actor (the task is in every line): the keeper and each
 *    spawned or forked actor do a MADV_COLLAPSE on an empty PMD of a
 *    scratch mapping (KX_PROBE_ADDR), and every MADV_COLLAPSE statement
 *    teaches its process's mm again;
 *  - the PMD: a MADV_COLLAPSE scans the PMDs of its range in order; for
 *    khugepaged the event's pfn (a folio's head) is looked up in the
 *    processes' pagemaps, read before each pass; a scan that looked at
 *    no page (pfn -1) is placed by order: khugepaged scans an mm's PMDs
 *    in address order, those of its VMAs it may collapse (read from
 *    smaps before the pass), from where it stopped in the mm or from the
 *    first; else it stays unattributed ('?').
 * The keeper's events are left out: the model holds the same keeper
 * (exec_model_opts.keeper), so passes line up.  The shared count is not
 * in the event: EXEC_SCAN_UNKNOWN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "exec_internal.h"
#include "scan_trace.h"
#include "host/tracefs.h"

#define KEEPER_PROC	(-2)
#define PMD_BYTES	((uint64_t)SCN_PMD_SIZE)

struct mm_ent {
	uint64_t mm;
	int proc;		/* scenario process, or KEEPER_PROC */
};

struct pfn_ent {
	uint64_t pfn, addr;
	int proc;
};

/* A PMD where process @proc maps the huge zero page. */
struct hzp_ent {
	uint64_t addr;
	int proc;
};

/* The PMDs khugepaged may scan in one process, in address order. */
struct pmd_list {
	uint64_t *addr;
	size_t n;
	long next;		/* index where its next visit starts */
};

struct kx_trace_state {
	struct mm_ent *mms;
	int nr_mms;
	struct pmd_list *pmds;	/* per process */
	struct pfn_ent *pfns;	/* sorted by pfn */
	size_t nr_pfns;
	struct hzp_ent *hzps;	/* huge zero PMDs, by process and address */
	size_t nr_hzps, cap_hzps;
	long pass;		/* khugepaged passes of the run so far */
	int op;			/* the statement being stepped */
	int madv_seen;		/* MADV_COLLAPSE events of this statement */
	/* this pass: scans that follow a keeper scan (a fresh mm visit) */
	int *fresh;
	int nr_fresh, cap_fresh;
	bool keeper_seen;	/* the last scan was the keeper's */
	int raw_op;		/* the last statement with a raw header */
};

static int proc_of_mm(const struct kx_trace_state *t, uint64_t mm)
{
	int i;

	for (i = 0; i < t->nr_mms; i++)
		if (t->mms[i].mm == mm)
			return t->mms[i].proc;
	return -1;
}

static void learn_mm(struct kx_trace_state *t, uint64_t mm, int proc)
{
	struct mm_ent *v;
	int i;

	for (i = 0; i < t->nr_mms; i++)
		if (t->mms[i].mm == mm || t->mms[i].proc == proc) {
			t->mms[i] = (struct mm_ent){ mm, proc };
			return;
		}
	v = realloc(t->mms, (size_t)(t->nr_mms + 1) * sizeof(*v));
	if (!v)
		return;
	t->mms = v;
	t->mms[t->nr_mms++] = (struct mm_ent){ mm, proc };
}

/* The scenario process (or the keeper) that task @pid is, or -1. */
static int proc_of_pid(const struct kx_exec *x, pid_t pid)
{
	int p;

	for (p = 0; p < x->s->nr_procs; p++)
		if (pid && kx_actor_pid(x->act, p) == pid)
			return p;
	return pid && kx_actor_pid(x->act, x->keeper) == pid ? KEEPER_PROC :
							       -1;
}

int kx_trace_begin(struct kx_exec *x)
{
	x->tr = calloc(1, sizeof(*x->tr));
	if (!x->tr)
		return -1;
	x->tr->pmds = calloc((size_t)x->s->nr_procs + 1, sizeof(*x->tr->pmds));
	if (!x->tr->pmds)
		return -1;
	x->tr->op = x->tr->raw_op = -1;	/* set-up: learn mms only */
	return 0;
}

void kx_trace_end(struct kx_exec *x)
{
	int p;

	if (x->tr) {
		for (p = 0; x->tr->pmds && p < x->s->nr_procs; p++)
			free(x->tr->pmds[p].addr);
		free(x->tr->pmds);
		free(x->tr->fresh);
		free(x->tr->mms);
		free(x->tr->pfns);
		free(x->tr->hzps);
	}
	free(x->tr);
	x->tr = NULL;
}

static int cmp_pfn(const void *a, const void *b)
{
	const struct pfn_ent *p = a, *q = b;

	return p->pfn < q->pfn ? -1 : p->pfn > q->pfn;
}

/*
 * May khugepaged collapse in a VMA with these VmFlags?  The PMD size's
 * 'enabled' (or the top level's, for "inherit"): always, or madvise with
 * MADV_HUGEPAGE; never with MADV_NOHUGEPAGE.  @mode is that word.
 */
static bool vma_eligible(const char *vmflags, const char *mode)
{
	if (strstr(vmflags, " nh"))
		return false;
	if (!strcmp(mode, "always"))
		return true;
	return !strcmp(mode, "madvise") && strstr(vmflags, " hg");
}

/* Does [start, end) meet a scenario region? */
static bool in_regions(const struct kx_exec *x, uint64_t start, uint64_t end)
{
	int i;

	for (i = 0; i < x->ob->nr_spans; i++)
		if (x->ob->spans[i].start < end && start < x->ob->spans[i].end)
			return true;
	return false;
}

static void add_pmds(struct pmd_list *l, size_t *cap, uint64_t start,
		     uint64_t end)
{
	uint64_t a = (start + PMD_BYTES - 1) & ~(PMD_BYTES - 1);

	for (; a + PMD_BYTES <= end; a += PMD_BYTES) {
		if (l->n == *cap) {
			uint64_t *v;

			*cap = *cap ? 2 * *cap : 16;
			v = realloc(l->addr, *cap * sizeof(*v));
			if (!v)
				return;
			l->addr = v;
		}
		l->addr[l->n++] = a;
	}
}

/* Does process @proc map the huge zero page in [start, end)? */
static bool maps_huge_zero(const struct kx_trace_state *t, int proc,
			   uint64_t start, uint64_t end)
{
	size_t i;

	for (i = 0; i < t->nr_hzps; i++)
		if (t->hzps[i].proc == proc && t->hzps[i].addr >= start &&
		    t->hzps[i].addr < end)
			return true;
	return false;
}

/*
 * The PMDs khugepaged may scan in process @proc: those of its VMAs inside
 * the scenario's regions (the actors' other mappings are MADV_NOHUGEPAGE)
 * that the mode allows and that have an anon_vma.  That is approximated:
 * smaps counts some page, resident or swapped, there, or the VMA maps the
 * huge zero page (smaps counts none for it, but the fault that mapped it
 * prepared the anon_vma).  A VMA holding only small zero pages (say, from
 * a split huge zero PMD) is missed; place_by_order() notices.
 */
static void read_pmds(struct kx_exec *x, int proc, const char *mode,
		      struct pmd_list *l)
{
	uint64_t start = 0, end = 0;
	bool anon = false;
	size_t cap = 0;
	char line[512];
	FILE *f;

	free(l->addr);
	l->addr = NULL;
	l->n = 0;
	f = kx_smaps_open(kx_actor_pid(x->act, proc));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;

		if (kx_smaps_vma(line, &start, &end)) {
			anon = false;
		} else if ((sscanf(line, "Anonymous: %llu", &kb) == 1 ||
			    sscanf(line, "Swap: %llu", &kb) == 1) && kb) {
			anon = true;
		} else if (!strncmp(line, "VmFlags:", 8) &&
			   (anon || maps_huge_zero(x->tr, proc, start, end)) &&
			   vma_eligible(line + 8, mode) &&
			   in_regions(x, start, end)) {
			add_pmds(l, &cap, start, end);
		}
	}
	fclose(f);
}

/* Note a huge zero PMD at @addr of process @proc. */
static void add_hzp(struct kx_trace_state *t, uint64_t addr, int proc)
{
	if (t->nr_hzps == t->cap_hzps) {
		size_t cap = t->cap_hzps ? 2 * t->cap_hzps : 16;
		struct hzp_ent *v = realloc(t->hzps, cap * sizeof(*v));

		if (!v)
			return;
		t->hzps = v;
		t->cap_hzps = cap;
	}
	t->hzps[t->nr_hzps++] = (struct hzp_ent){ addr, proc };
}

/* Record page @pg at @addr of process @proc; false if out of memory. */
static bool note_page(struct kx_trace_state *t, const struct obs_page *pg,
		      uint64_t addr, int proc, size_t *cap)
{
	struct pfn_ent *v;

	if (pg->state == OBS_ZERO && pg->pmd_mapped &&
	    !(addr & (PMD_BYTES - 1)))
		add_hzp(t, addr, proc);
	if (pg->state != OBS_PRESENT)
		return true;
	if (t->nr_pfns == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		v = realloc(t->pfns, *cap * sizeof(*v));
		if (!v)
			return false;
		t->pfns = v;
	}
	/* the event names the folio's head */
	t->pfns[t->nr_pfns++] = (struct pfn_ent){
		pg->frame & ~((1ULL << pg->order) - 1), addr, proc };
	return true;
}

/*
 * Every present page of every process's regions, by pfn; the huge zero
 * PMDs; and from both and smaps, the PMDs khugepaged may scan.
 */
void kx_trace_snapshot(struct kx_exec *x)
{
	struct kx_trace_state *t = x->tr;
	const struct exec_observer *obs = &x->ob->ops;
	struct obs_page pg[512];
	size_t cap = 0;
	char mode[32];
	int p, g;

	t->nr_pfns = 0;
	t->nr_hzps = 0;
	kx_observe_invalidate(x->ob, false);
	kx_pmd_mode(mode, sizeof(mode));
	for (p = 0; p < x->s->nr_procs; p++) {
		t->pmds[p].n = 0;
		if (!obs->alive(obs->ctx, p))
			continue;
		for (g = 0; g < x->s->nr_regions; g++) {
			const struct scn_region *rg = &x->s->regions[g];
			uint64_t a;

			for (a = rg->addr; a < rg->addr + rg->size;
			     a += PMD_BYTES) {
				unsigned long i, n = 512;

				if (a + n * SCN_PAGE_SIZE > rg->addr + rg->size)
					n = (rg->addr + rg->size - a) /
					    SCN_PAGE_SIZE;
				if (obs->pages(obs->ctx, p, a, n, pg))
					continue;
				for (i = 0; i < n; i++)
					if (!note_page(t, &pg[i],
						       a + i * SCN_PAGE_SIZE,
						       p, &cap))
						return;
			}
		}
		read_pmds(x, p, mode, &t->pmds[p]);
	}
	if (t->nr_pfns)	/* none at all: pfns may still be NULL */
		qsort(t->pfns, t->nr_pfns, sizeof(*t->pfns), cmp_pfn);
}

/*
 * The PMD of @pfn in process @proc (any process when -1, if only one maps
 * it); *procp gets the process.  EXEC_SCAN_NO_ADDR if not found.
 */
static uint64_t pmd_of_pfn(const struct kx_trace_state *t, uint64_t pfn,
			   int proc, int *procp)
{
	size_t lo = 0, hi = t->nr_pfns, i;
	uint64_t addr = EXEC_SCAN_NO_ADDR;
	int found = -1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->pfns[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < t->nr_pfns && t->pfns[i].pfn == pfn; i++) {
		if (proc >= 0 && t->pfns[i].proc != proc)
			continue;
		if (found >= 0 && (found != t->pfns[i].proc ||
				   addr != (t->pfns[i].addr & ~(PMD_BYTES - 1))))
			return EXEC_SCAN_NO_ADDR;	/* ambiguous */
		found = t->pfns[i].proc;
		addr = t->pfns[i].addr & ~(PMD_BYTES - 1);
	}
	*procp = found;
	return addr;
}

static int limit_of(struct kx_exec *x, int status)
{
	const char *name = exec_scan_limit_name(status);
	char path[64], buf[32];

	if (!name)
		return -1;
	snprintf(path, sizeof(path), "khugepaged/%s", name);
	if (kx_get(path, buf, sizeof(buf), x->err, sizeof(x->err)))
		return -1;
	return atoi(buf);
}

/* A MADV_COLLAPSE event of statement @op: the k-th PMD of its range. */
static uint64_t madvise_pmd(struct kx_exec *x, const struct scn_op *op,
			    int k)
{
	uint64_t start = x->s->regions[op->range.region].addr +
			 (uint64_t)op->range.start * SCN_PAGE_SIZE;

	start = (start + PMD_BYTES - 1) & ~(PMD_BYTES - 1);
	return start + (uint64_t)k * PMD_BYTES;
}

/* Scan @i begins a visit of its mm from the mm's first PMD. */
static void mark_fresh(struct kx_trace_state *t, int i)
{
	if (t->nr_fresh == t->cap_fresh) {
		int cap = t->cap_fresh ? 2 * t->cap_fresh : 8;
		int *v = realloc(t->fresh, (size_t)cap * sizeof(*v));

		if (!v)
			return;
		t->fresh = v;
		t->cap_fresh = cap;
	}
	t->fresh[t->nr_fresh++] = i;
}

static bool is_fresh(const struct kx_trace_state *t, int i)
{
	int k;

	for (k = 0; k < t->nr_fresh; k++)
		if (t->fresh[k] == i)
			return true;
	return false;
}

static void take_event(struct kx_exec *x, const struct kx_scan_event *ev,
		       long pass)
{
	struct kx_trace_state *t = x->tr;
	const struct scn_op *op;
	int by = proc_of_pid(x, ev->pid), proc, found = -1;
	struct exec_scan sc = {
		.op = t->op, .pass = pass, .addr = EXEC_SCAN_NO_ADDR,
		.status = ev->status, .none_or_zero = ev->none_or_zero,
		.unmapped = ev->unmapped, .shared = EXEC_SCAN_UNKNOWN,
		.referenced = ev->referenced,
	};

	if (by != -1)
		learn_mm(t, ev->mm, by);
	if (!x->o.scans || t->op < 0)
		return;
	op = &x->s->ops[t->op];
	if (op->kind != SCN_KHUGEPAGED &&
	    !(op->kind == SCN_MADVISE && op->advice == SCN_ADV_COLLAPSE))
		return;		/* a probe */
	proc = proc_of_mm(t, ev->mm);
	if (proc == KEEPER_PROC) {
		t->keeper_seen = true;
		return;
	}
	if (t->keeper_seen && pass)
		mark_fresh(t, x->r->nr_scans);
	t->keeper_seen = false;
	if (by >= 0 && op->kind == SCN_MADVISE) {
		sc.pass = 0;
		sc.addr = madvise_pmd(x, op, t->madv_seen++);
	} else if (ev->pfn != KX_SCAN_NO_PFN) {
		sc.addr = pmd_of_pfn(t, ev->pfn, proc, &found);
		if (proc < 0 && found >= 0) {
			proc = found;
			learn_mm(t, ev->mm, proc);
		}
	}
	sc.proc = proc;
	sc.limit = limit_of(x, ev->status);
	exec_scan_add(x->r, &sc);
}

static long pmd_index_of(const struct pmd_list *l, uint64_t addr)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->addr[i] == addr)
			return (long)i;
	return -1;
}

/*
 * Place the khugepaged scans of one pass (r->scans[from..]) that have no
 * PMD: each run of consecutive scans of one process (a visit: a keeper
 * scan between two runs of one process ends one visit and begins the
 * next, from the first PMD) covers consecutive PMDs of its list, anchored
 * at a scan placed by its pfn, or else where the process's previous visit
 * stopped (or its first PMD).  The run that ends the pass leaves the
 * cursor inside the process.  A run longer than the PMDs left in its
 * list stays unplaced.
 */
static void place_by_order(struct kx_trace_state *t, struct exec_result *r,
			   int from)
{
	int i = from, j, k;

	while (i < r->nr_scans) {
		struct exec_scan *sc = &r->scans[i];
		struct pmd_list *l;
		long base = -1;

		for (j = i + 1; j < r->nr_scans && r->scans[j].proc == sc->proc &&
				!is_fresh(t, j);
		     j++)
			;
		if (sc->proc < 0) {
			i = j;
			continue;
		}
		l = &t->pmds[sc->proc];
		for (k = i; k < j && base < 0; k++)
			if (r->scans[k].addr != EXEC_SCAN_NO_ADDR &&
			    pmd_index_of(l, r->scans[k].addr) >= 0)
				base = pmd_index_of(l, r->scans[k].addr) -
				       (k - i);
		if (base < 0)
			base = !is_fresh(t, i) && l->next < (long)l->n ?
				       l->next : 0;
		/*
		 * More scans than PMDs from there on: the list misses a VMA
		 * (one that has an anon_vma but shows no page in smaps), so
		 * the order tells nothing; leave them unplaced.
		 */
		if (base + (j - i) > (long)l->n) {
			l->next = 0;
			i = j;
			continue;
		}
		for (k = i; k < j; k++)
			if (r->scans[k].addr == EXEC_SCAN_NO_ADDR &&
			    base + (k - i) >= 0 && base + (k - i) < (long)l->n)
				r->scans[k].addr = l->addr[base + (k - i)];
		l->next = j == r->nr_scans ? base + (j - i) : 0;
		i = j;
	}
}

/* The raw event lines, under a "# FILE:LINE: statement" header. */
static void raw_line(struct kx_exec *x, const char *line)
{
	struct kx_trace_state *t = x->tr;
	const struct scn_op *op;

	if (!x->o.trace || line[0] == '#' || t->op < 0)
		return;
	op = &x->s->ops[t->op];
	if (t->raw_op != t->op)
		fprintf(x->o.trace, "# %s:%d: %s\n", x->s->path, op->line,
			op->text ? op->text : "");
	t->raw_op = t->op;
	fprintf(x->o.trace, "%s\n", line);
}

/* Read and empty the trace; add its scans as of statement op, pass. */
static void take_trace(struct kx_exec *x, long pass)
{
	size_t len = 0;
	char *buf = kx_trace_read(x->g, &len), *line, *save = NULL;
	struct kx_scan_event ev;
	int from = x->r->nr_scans;

	x->tr->nr_fresh = 0;
	x->tr->keeper_seen = false;
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		raw_line(x, line);
		if (kx_scan_parse_line(line, &ev) > 0)
			take_event(x, &ev, pass);
	}
	free(buf);
	kx_trace_clear(x->g);
	if (pass)
		place_by_order(x->tr, x->r, from);
}

void kx_trace_before_op(struct kx_exec *x, int op)
{
	const struct scn_op *o = &x->s->ops[op];

	x->tr->op = op;
	x->tr->madv_seen = 0;
	if (o->kind == SCN_MADVISE && o->advice == SCN_ADV_COLLAPSE)
		kx_trace_snapshot(x);
}

void kx_trace_after_op(struct kx_exec *x)
{
	take_trace(x, 0);
}

void kx_trace_learn(struct kx_exec *x)
{
	x->tr->op = -1;
	take_trace(x, 0);
}

static void before_pass(void *ctx)
{
	kx_trace_snapshot(ctx);
}

static void after_pass(void *ctx)
{
	struct kx_exec *x = ctx;

	take_trace(x, ++x->tr->pass);
}

void kx_trace_hook(struct kx_exec *x, struct kx_pass_hook *h)
{
	*h = (struct kx_pass_hook){ before_pass, after_pass, x };
}

/*
 * Teach the trace process @slot's mm (the keeper, or an actor just
 * spawned or forked): a MADV_COLLAPSE of the empty PMD of a scratch
 * mapping, which the kernel scans (SCAN_PMD_NULL) without changing
 * anything.  The mapping needs an anon_vma for MADV_COLLAPSE to scan it,
 * so one page past the PMD is written first; a PMD cannot hold it, so no
 * THP is tried there.
 */
int kx_trace_probe(struct kx_exec *x, int slot)
{
	struct kx_cmd map = { .op = KX_CMD_MMAP, .addr = KX_PROBE_ADDR,
			      .len = PMD_BYTES + SCN_PAGE_SIZE };
	struct kx_cmd touch = { .op = KX_CMD_WRITE,
				.addr = KX_PROBE_ADDR + PMD_BYTES,
				.npages = 1 };
	struct kx_cmd adv = { .op = KX_CMD_MADVISE, .addr = KX_PROBE_ADDR,
			      .len = PMD_BYTES, .arg = SCN_ADV_COLLAPSE };
	struct kx_cmd unmap = { .op = KX_CMD_MUNMAP, .addr = KX_PROBE_ADDR,
				.len = PMD_BYTES + SCN_PAGE_SIZE };

	kx_actor_data(x->act, slot)[0] = KX_UNIQUE_TAG;
	if (kx_actor_call(x->act, slot, &map, x->err, sizeof(x->err)))
		return -1;
	if (map.err) {
		snprintf(x->err, sizeof(x->err), "mmap at %#lx: %s",
			 KX_PROBE_ADDR, strerror(map.err));
		return -1;
	}
	if (kx_actor_call(x->act, slot, &touch, x->err, sizeof(x->err)) ||
	    kx_actor_call(x->act, slot, &adv, x->err, sizeof(x->err)) ||
	    kx_actor_call(x->act, slot, &unmap, x->err, sizeof(x->err)))
		return -1;
	return 0;
}
