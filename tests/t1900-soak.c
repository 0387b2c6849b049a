// SPDX-License-Identifier: GPL-2.0-only
/*
 * Soak test: a fixed-seed stream of random operations on a small machine,
 * under each of the four profiles, with the invariant checker after every
 * operation and every read verified (the page holds what the process last
 * wrote there).  Processes spawn, fork and exit; each owns the same three
 * regions of 1-3 PMDs, on which reads, writes, munmap, mmap, mprotect,
 * madvise and mremap act over structured ranges (a whole region or PMD,
 * PMD halves, first or last page, single pages, random runs), between
 * changes of the THP settings and runs of the deferred-split shrinker.
 *
 * Every operation's result is predicted from the VMAs before it runs
 * (e.g. a write to a read-only VMA must fail with -EACCES); -ENOMEM from a
 * fault is tolerated after one shrink-and-retry, and counted.
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/tm.h"

#if defined(__SANITIZE_ADDRESS__)
#define OPS_PER_PROFILE 5000
#else
#define OPS_PER_PROFILE 25000
#endif

#define MAX_PROCS 4
#define NR_REGIONS 3
#define LOG_LINES 24


/* Region r starts at TM_BASE + r * 8 MiB and spans r + 1 PMDs. */
static unsigned long region_base(int r)
{
	return TM_BASE + (unsigned long)r * 4 * PMD_SIZE;
}

static unsigned long region_len(int r)
{
	return (unsigned long)(r + 1) * PMD_SIZE;
}

struct soak {
	struct fsim_machine *m;
	struct mm_struct *procs[MAX_PROCS];
	uint64_t rng;
	long ops, reads, writes, enomem;
	char log[LOG_LINES][160];
	long nr_log;
};

static uint64_t rnd(struct soak *s)
{
	/* xorshift64*: deterministic, no libc state */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dULL;
}

static long rnd_below(struct soak *s, long n)
{
	return (long)(rnd(s) % (uint64_t)n);
}

static void note(struct soak *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Remember what the current operation is, for the failure report. */
static void note(struct soak *s, const char *fmt, ...)
{
	char *line = s->log[s->nr_log++ % LOG_LINES];
	va_list ap;
	int n;

	n = snprintf(line, 160, "op %ld: ", s->ops);
	va_start(ap, fmt);
	vsnprintf(line + n, 160 - (size_t)n, fmt, ap);
	va_end(ap);
}

static void dump_log(struct soak *s)
{
	long i = s->nr_log > LOG_LINES ? s->nr_log - LOG_LINES : 0;

	printf("# last operations (profile %s):\n", s->m->profile->name);
	for (; i < s->nr_log; i++)
		printf("#   %s\n", s->log[i % LOG_LINES]);
}

#define SOAK_CHECK(s, expr)                                             \
	do {                                                            \
		if (!(expr)) {                                          \
			printf("# %s:%d: check failed: %s\n", __FILE__, \
			       __LINE__, #expr);                        \
			dump_log(s);                                    \
			return false;                                   \
		}                                                       \
	} while (0)

/* An index of a live process, or -1. */
static int pick_proc(struct soak *s)
{
	int i, n = 0, live[MAX_PROCS];

	for (i = 0; i < MAX_PROCS; i++)
		if (s->procs[i])
			live[n++] = i;
	return n ? live[rnd_below(s, n)] : -1;
}

static int nr_live(struct soak *s)
{
	int i, n = 0;

	for (i = 0; i < MAX_PROCS; i++)
		n += s->procs[i] != NULL;
	return n;
}

static int free_slot(struct soak *s)
{
	int i;

	for (i = 0; i < MAX_PROCS; i++)
		if (!s->procs[i])
			return i;
	return -1;
}

/*
 * A structured range inside region @r: the whole region, a whole PMD, a
 * PMD half, the first or last page of a PMD, one random page, a 64 KiB
 * block, or a random run.
 */
static void pick_range(struct soak *s, int r, unsigned long *start,
		       unsigned long *len)
{
	unsigned long base = region_base(r), rlen = region_len(r);
	unsigned long pmd = base +
			    PMD_SIZE * (unsigned long)rnd_below(s, r + 1);
	long pages = (long)(rlen / PAGE_SIZE), first, n;

	switch (rnd_below(s, 9)) {
	case 0:
		*start = base, *len = rlen;
		return;
	case 1:
		*start = pmd, *len = PMD_SIZE;
		return;
	case 2:
		*start = pmd, *len = PMD_SIZE / 2;
		return;
	case 3:
		*start = pmd + PMD_SIZE / 2, *len = PMD_SIZE / 2;
		return;
	case 4:
		*start = pmd, *len = PAGE_SIZE;
		return;
	case 5:
		*start = pmd + PMD_SIZE - PAGE_SIZE, *len = PAGE_SIZE;
		return;
	case 6:
		*start = base + TM_PAGE(rnd_below(s, pages)), *len = PAGE_SIZE;
		return;
	case 7:
		*start = base + TM_PAGE(rnd_below(s, pages / 16) * 16);
		*len = TM_PAGE(16);
		return;
	default:
		first = rnd_below(s, pages);
		n = 1 + rnd_below(s, rnd_below(s, 4) ? 64 : 600);
		if (first + n > pages)
			n = pages - first;
		*start = base + TM_PAGE(first), *len = TM_PAGE(n);
		return;
	}
}

/* A write fault may find memory full: shrink once and retry. */
static int soak_write(struct soak *s, struct mm_struct *mm, unsigned long a)
{
	int err = fsim_write(s->m, mm, a, content_unique(s->m));

	if (err == -ENOMEM) {
		fsim_shrink(s->m);
		err = fsim_write(s->m, mm, a, content_unique(s->m));
		if (err == -ENOMEM)
			s->enomem++;
	}
	return err;
}

static bool op_access(struct soak *s, struct mm_struct *mm, int r,
		      bool write)
{
	unsigned long start, len, a;

	pick_range(s, r, &start, &len);
	note(s, "mm %u %s 0x%lx+%lu pages", mm->mm_id,
	     write ? "write" : "read", start, len / PAGE_SIZE);
	for (a = start; a < start + len; a += PAGE_SIZE) {
		struct vm_area_struct *vma = vma_lookup(mm, a);
		content_t got, want;
		int err;

		if (!write) {
			err = fsim_read(s->m, mm, a, &got, &want);
			SOAK_CHECK(s, err == (vma ? 0 : -EFAULT));
			if (!err) {
				if (got != want)
					printf("# 0x%lx: got %x want %x\n", a,
					       got, want);
				SOAK_CHECK(s, got == want);
			}
			s->reads++;
			continue;
		}
		err = soak_write(s, mm, a);
		if (err == -ENOMEM)
			return true;
		SOAK_CHECK(s, err == (!vma ? -EFAULT :
				      (vma->vm_flags & VM_WRITE) ? 0 :
				      -EACCES));
		s->writes++;
	}
	return true;
}

/* mmap every unmapped run of a range (the "mmap again" operation). */
static bool op_mmap_holes(struct soak *s, struct mm_struct *mm, int r)
{
	unsigned long start, len, a, hole = 0;

	pick_range(s, r, &start, &len);
	note(s, "mm %u mmap holes of 0x%lx+%lu pages", mm->mm_id, start,
	     len / PAGE_SIZE);
	for (a = start; a <= start + len; a += PAGE_SIZE) {
		bool mapped = a == start + len || vma_lookup(mm, a);

		if (!mapped && !hole)
			hole = a;
		if (mapped && hole) {
			SOAK_CHECK(s, !fsim_mmap(s->m, mm, hole, a - hole));
			hole = 0;
		}
	}
	return true;
}

static const enum fsim_advice soak_advice[] = {
	FSIM_MADV_HUGEPAGE, FSIM_MADV_NOHUGEPAGE, FSIM_MADV_DONTNEED,
	FSIM_MADV_DONTNEED, FSIM_MADV_DONTFORK, FSIM_MADV_DOFORK,
};

static bool op_range(struct soak *s, struct mm_struct *mm, int r, int kind)
{
	unsigned long start, len;
	bool covered;
	int err = 0;

	pick_range(s, r, &start, &len);
	covered = vma_range_covered(mm, start, start + len);
	switch (kind) {
	case 0:
		note(s, "mm %u munmap 0x%lx+%lu pages", mm->mm_id, start,
		     len / PAGE_SIZE);
		err = fsim_munmap(s->m, mm, start, len);
		SOAK_CHECK(s, err == 0);
		break;
	case 1:
	case 2:
		note(s, "mm %u mprotect %s 0x%lx+%lu pages", mm->mm_id,
		     kind == 1 ? "ro" : "rw", start, len / PAGE_SIZE);
		err = fsim_mprotect(s->m, mm, start, len, kind == 2);
		SOAK_CHECK(s, err == (covered ? 0 : -ENOMEM));
		break;
	default: {
		enum fsim_advice adv = soak_advice[rnd_below(s, 6)];

		note(s, "mm %u madvise %s 0x%lx+%lu pages", mm->mm_id,
		     fsim_advice_names[adv], start, len / PAGE_SIZE);
		err = fsim_madvise(s->m, mm, start, len, adv);
		SOAK_CHECK(s, err == (covered ? 0 : -ENOMEM));
		break;
	}
	}
	return true;
}

/*
 * mremap a range of region @r to another region: same offset, a random
 * PMD-aligned offset or any page offset, with the same, a smaller or a
 * larger length.
 */
static bool op_mremap(struct soak *s, struct mm_struct *mm, int r)
{
	int d = (r + 1 + (int)rnd_below(s, NR_REGIONS - 1)) % NR_REGIONS;
	unsigned long start, len, to, new_len, dlen = region_len(d);
	struct vm_area_struct *vma;
	bool inside;
	long pages;
	int err;

	pick_range(s, r, &start, &len);
	switch (rnd_below(s, 3)) {
	case 0:
		to = start - region_base(r);
		break;
	case 1:
		to = (unsigned long)rnd_below(s, d + 1) * PMD_SIZE;
		break;
	default:
		to = TM_PAGE(rnd_below(s, (long)(dlen / PAGE_SIZE)));
		break;
	}
	if (to >= dlen)
		to = 0;
	new_len = len;
	if (!rnd_below(s, 4))
		new_len = TM_PAGE(1 + rnd_below(s, (long)(len / PAGE_SIZE) *
							   2));
	pages = (long)((dlen - to) / PAGE_SIZE);
	if (new_len > TM_PAGE(pages))
		new_len = TM_PAGE(pages);
	to += region_base(d);
	vma = vma_lookup(mm, start);
	inside = vma && vma->vm_end >= start + len;	/* before it moves */
	note(s, "mm %u mremap 0x%lx+%lu pages -> 0x%lx+%lu pages", mm->mm_id,
	     start, len / PAGE_SIZE, to, new_len / PAGE_SIZE);
	err = fsim_mremap(s->m, mm, start, len, to, new_len);
	SOAK_CHECK(s, err == (inside ? 0 : -EFAULT));
	return true;
}

static bool op_set(struct soak *s)
{
	static const char *const modes[] = { "always", "never", "madvise",
					     "inherit" };
	static const char *const none[] = { "0", "64", "256", "511" };
	char path[64];
	int k = (int)rnd_below(s, 8);

	switch (rnd_below(s, 5)) {
	case 0:
	case 1:
		snprintf(path, sizeof(path), "hugepages-%lukB/enabled",
			 4UL << (2 + rnd_below(s, 8)));
		note(s, "set %s %s", path, modes[k % 4]);
		SOAK_CHECK(s, !fsim_set(s->m, path, modes[k % 4]));
		break;
	case 2:
		note(s, "set use_zero_page %d", k & 1);
		SOAK_CHECK(s, !fsim_set(s->m, "use_zero_page",
					k & 1 ? "1" : "0"));
		break;
	case 3:
		note(s, "set khugepaged/max_ptes_none %s", none[k % 4]);
		SOAK_CHECK(s, !fsim_set(s->m, "khugepaged/max_ptes_none",
					none[k % 4]));
		break;
	default:
		note(s, "set enabled %s", modes[k % 3]);
		SOAK_CHECK(s, !fsim_set(s->m, "enabled", modes[k % 3]));
		break;
	}
	return true;
}

/* A new process with every region mapped, some advised hugepage. */
static bool op_spawn(struct soak *s)
{
	int i = free_slot(s), r;
	struct mm_struct *mm;

	if (i < 0)
		return true;
	note(s, "spawn");
	mm = fsim_spawn(s->m);
	SOAK_CHECK(s, mm);
	for (r = 0; r < NR_REGIONS; r++) {
		SOAK_CHECK(s, !fsim_mmap(s->m, mm, region_base(r),
					 region_len(r)));
		if (rnd_below(s, 2))
			SOAK_CHECK(s, !fsim_madvise(s->m, mm, region_base(r),
						    region_len(r),
						    FSIM_MADV_HUGEPAGE));
	}
	s->procs[i] = mm;
	return true;
}

static bool op_fork(struct soak *s, int i)
{
	int j = free_slot(s);

	if (j < 0)
		return true;
	note(s, "mm %u fork", s->procs[i]->mm_id);
	s->procs[j] = fsim_fork(s->m, s->procs[i]);
	SOAK_CHECK(s, s->procs[j]);
	return true;
}

static bool op_exit(struct soak *s, int i)
{
	note(s, "mm %u exit", s->procs[i]->mm_id);
	SOAK_CHECK(s, !fsim_exit(s->m, s->procs[i]));
	s->procs[i] = NULL;
	return true;
}

/* One random operation; weights favour accesses. */
static bool soak_step(struct soak *s)
{
	int i = pick_proc(s), r = (int)rnd_below(s, NR_REGIONS);
	long w = rnd_below(s, 100);
	struct mm_struct *mm;

	if (i < 0)
		return op_spawn(s);
	mm = s->procs[i];
	if (w < 22)
		return op_access(s, mm, r, false);
	if (w < 46)
		return op_access(s, mm, r, true);
	if (w < 50)
		return nr_live(s) < MAX_PROCS ? op_fork(s, i) : op_exit(s, i);
	if (w < 52)
		return nr_live(s) > 1 ? op_exit(s, i) : op_fork(s, i);
	if (w < 53)
		return op_spawn(s);
	if (w < 58)
		return op_range(s, mm, r, 0);
	if (w < 63)
		return op_mmap_holes(s, mm, r);
	if (w < 71)
		return op_range(s, mm, r, 1 + (int)rnd_below(s, 2));
	if (w < 86)
		return op_range(s, mm, r, 3);
	if (w < 91)
		return op_mremap(s, mm, r);
	if (w < 96)
		return op_set(s);
	note(s, "shrink");
	fsim_shrink(s->m);
	return true;
}

/*
 * folio_maybe_mapped_shared() is exact for small folios (KSM ones aside:
 * one mm may map them many times, spec 7) and for THPs mapped only by
 * PMDs (spec 3.3): compare it with the rmap walk.
 */
static bool audit_predicates(struct soak *s)
{
	struct fsim_phys *ph = &s->m->phys;
	pfn_t pfn;

	for (pfn = 0; pfn < ph->nr_pages;) {
		struct folio *f = pfn_folio(ph, pfn);
		bool pmd_only;

		if (!(f->page.flags & PG_allocated)) {
			pfn++;
			continue;
		}
		pfn += (pfn_t)folio_nr_pages(f);
		pmd_only = folio_test_large(f) &&
			   folio_mapcount(s->m, f) ==
				   folio_entire_mapcount(s->m, f);
		if (folio_test(f, PG_ksm) ||
		    (folio_test_large(f) && !pmd_only) ||
		    folio_maybe_mapped_shared(s->m, f) ==
			    folio_exact_mapped_shared(s->m, f))
			continue;
		printf("# pfn %u: maybe %d, exact %d\n",
		       folio_pfn(ph, f), folio_maybe_mapped_shared(s->m, f),
		       folio_exact_mapped_shared(s->m, f));
		dump_log(s);
		return false;
	}
	return true;
}

/* @nr_ops random operations under @profile, checking after each. */
static bool soak_profile(const char *profile, uint64_t seed, long nr_ops,
			 long *done)
{
	struct soak *s = calloc(1, sizeof(*s));
	bool ok = true;
	int bad;

	CHECK(s);
	s->m = tm_new(profile);
	s->rng = seed;
	CHECK(s->m);
	for (s->ops = 0; ok && s->ops < nr_ops; s->ops++) {
		ok = soak_step(s);
		if (!ok)
			break;
		bad = fsim_check(s->m, stdout);
		if (bad) {
			printf("# %d invariant violations after op %ld\n", bad,
			       s->ops);
			dump_log(s);
			ok = false;
		}
		if (ok && !(s->ops % 8))
			ok = audit_predicates(s);
	}
	printf("# %s: %ld operations, %ld page reads verified, %ld page "
	       "writes, %ld out of memory\n", profile, s->ops, s->reads,
	       s->writes, s->enomem);
	printf("# %s: thp_fault_alloc %llu, thp_split_pmd %llu, "
	       "thp_split_page %llu (underused %llu), thp_deferred_split_page "
	       "%llu\n", profile,
	       (unsigned long long)s->m->ev[THP_FAULT_ALLOC],
	       (unsigned long long)s->m->ev[THP_SPLIT_PMD],
	       (unsigned long long)s->m->ev[THP_SPLIT_PAGE],
	       (unsigned long long)s->m->ev[THP_UNDERUSED_SPLIT_PAGE],
	       (unsigned long long)s->m->ev[THP_DEFERRED_SPLIT_PAGE]);
	*done += s->ops;
	fsim_free(s->m);
	free(s);
	return ok;
}

int main(void)
{
	struct timespec t0, t1;
	long done = 0;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * The checker allocates its recount arrays on every call: keep freed
	 * memory in the heap rather than returning it to the kernel and
	 * faulting it back in 100,000 times.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < TM_NR_PROFILES; i++)
		TEST(soak_profile(tm_profiles[i], 0x5eed0000ULL + (uint64_t)i,
				  OPS_PER_PROFILE, &done),
		     "%s: %d random operations, checker after each",
		     tm_profiles[i], OPS_PER_PROFILE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# soak: %ld operations in %.1f s\n", done,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return tap_done();
}
