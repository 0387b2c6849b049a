// SPDX-License-Identifier: GPL-2.0-only
/*
 * foliosim snapshot: the anonymous memory of running processes, read from
 * outside.  Pages are classified by the kernel executor's observer
 * (observe.c: pagemap, kpageflags, PAGEMAP_SCAN), one PMD-sized chunk at
 * a time; this file adds what a snapshot needs beyond that: the VMAs and
 * their VmFlags, the exclusive bit and swap slots from the raw pagemap
 * entries, REFERENCED from kpageflags, zero-filled pages and settings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guard.h"
#include "config/settings.h"
#include "observe.h"
#include "snapshot.h"

#define PM_SWAP_BIT		(1ULL << 62)
#define PM_EXCLUSIVE		(1ULL << 56)
#define PM_SWAP_TYPE_MASK	0x1fULL
#define PM_SWAP_OFFSET(e)	(((e) & ((1ULL << 55) - 1)) >> 5)
#define KPF_REFERENCED		2
#define PAGE_SZ			4096UL

struct reader {
	struct snapshot *s;
	struct kx_observe *ob;
	int kpf_fd;
	int mem_fd;
	bool contents;
	char *err;
	size_t len;
	int proc, nr_procs;	/* for the progress callback */
	uint64_t pages;		/* read so far */
	kx_snapshot_progress_fn progress;	/* or NULL */
};

/* {========== processes and VMAs ==========} */

static int read_stat(pid_t pid, struct snap_proc *p)
{
	char path[64], buf[1024], *open_paren, *close_paren;
	FILE *f;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren ||
	    sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	*close_paren = 0;
	snprintf(p->comm, sizeof(p->comm), "%s", open_paren + 1);
	for (char *c = p->comm; *c; c++)	/* one token in the file */
		if (*c == ' ' || *c == '\t' || *c == '#')
			*c = '_';
	p->pid = (int)pid;
	p->ppid = ppid;
	return 0;
}

/* Is this smaps header an anonymous private VMA we record? */
static bool anon_vma_line(const char *line, struct snap_vma *v)
{
	unsigned long long start, end, off, inode;
	char perms[8], dev[16], name[256] = "";
	int n;

	n = sscanf(line, "%llx-%llx %7s %llx %15s %llu %255s", &start, &end,
		   perms, &off, dev, &inode, name);
	if (n < 6 || perms[3] != 'p' || inode || perms[0] != 'r')
		return false;
	if (name[0] && strcmp(name, "[heap]") && strcmp(name, "[stack]") &&
	    strncmp(name, "[anon:", 6))
		return false;	/* files, [vdso], [vvar], ... */
	v->start = start;
	v->end = end;
	v->flags = perms[1] == 'w' ? 0 : SNAP_VMA_RO;
	strcpy(v->name, "anon");
	if (name[0] && strlen(name) < sizeof(v->name))	/* [heap], [anon:x] */
		strcpy(v->name, name);
	return true;
}

static int read_vmas(struct reader *rd, int proc, pid_t pid)
{
	char path[64], line[512];
	struct snap_vma v;
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f) {
		snprintf(rd->err, rd->len, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t tok = strcspn(line, " ");

		if (tok && line[tok - 1] != ':') {	/* a VMA's header */
			in = anon_vma_line(line, &v);
			v.proc = proc;
			continue;
		}
		if (!in || strncmp(line, "VmFlags:", 8))
			continue;
		if (strstr(line, " hg"))
			v.flags |= SNAP_VMA_HUGEPAGE;
		if (strstr(line, " nh"))
			v.flags |= SNAP_VMA_NOHUGEPAGE;
		if (snap_add_vma(rd->s, &v)) {
			fclose(f);
			snprintf(rd->err, rd->len, "out of memory");
			return -1;
		}
		in = false;
	}
	fclose(f);
	return 0;
}

/* {========== pages ==========} */

static bool referenced(struct reader *rd, uint64_t pfn)
{
	uint64_t f = 0;

	if (pread(rd->kpf_fd, &f, sizeof(f), (off_t)(pfn * 8)) != sizeof(f))
		return false;
	return f & (1ULL << KPF_REFERENCED);
}

static bool zero_filled(struct reader *rd, uint64_t addr)
{
	static const uint64_t zeros[PAGE_SZ / 8];
	uint64_t buf[PAGE_SZ / 8];

	if (!rd->contents || rd->mem_fd < 0 ||
	    pread(rd->mem_fd, buf, PAGE_SZ, (off_t)addr) != (ssize_t)PAGE_SZ)
		return false;
	return !memcmp(buf, zeros, PAGE_SZ);
}

/* The run describing page @k of chunk @ch at @addr; false if none. */
static bool page_run(struct reader *rd, const struct kx_chunk *ch, int k,
		     uint64_t addr, struct snap_run *r)
{
	const struct kx_obs_page *pg = &ch->pg[k];
	uint64_t raw = ch->raw[k];

	r->addr = addr;
	r->npages = 1;
	r->flags = 0;
	r->order = 0;
	r->idx = 0;
	switch (pg->o.state) {
	case OBS_NONE:
		return false;
	case OBS_ZERO:
		r->kind = pg->o.pmd_mapped ? SNAP_HUGE_ZERO : SNAP_ZERO;
		r->frame = 0;
		return true;
	case OBS_SWAP:
		r->kind = SNAP_SWAP;
		r->frame = ((raw & PM_SWAP_TYPE_MASK) << 50) |
			   PM_SWAP_OFFSET(raw);
		if (raw & PM_EXCLUSIVE)
			r->flags |= SNAP_EXCL;
		return true;
	}
	r->kind = SNAP_PRESENT;
	r->order = pg->o.order;
	r->frame = pg->head;
	r->idx = (uint32_t)(pg->o.frame - pg->head);
	if (pg->o.pmd_mapped)
		r->flags |= SNAP_PMD;
	if (raw & PM_EXCLUSIVE)
		r->flags |= SNAP_EXCL;
	if (pg->o.ksm)
		r->flags |= SNAP_KSM;
	if (referenced(rd, pg->head))
		r->flags |= SNAP_REF;
	return true;
}

/*
 * Contents first: reading /proc/PID/mem marks each folio accessed, which
 * khugepaged counts as referenced, so REFERENCED is read after it and the
 * snapshot says what khugepaged will find.
 */
static int read_range(struct reader *rd, int proc, uint64_t start,
		      uint64_t end)
{
	bool zero[KX_CHUNK_NR];
	uint64_t a, b;

	for (a = start; a < end;) {
		const struct kx_chunk *ch = kx_observe_chunk(rd->ob, proc, a);
		int k, k0;

		if (!ch) {
			snprintf(rd->err, rd->len, "out of memory");
			return -1;
		}
		k0 = (int)((a - ch->base) / PAGE_SZ);
		for (k = k0, b = a; k < KX_CHUNK_NR && b < end;
		     k++, b += PAGE_SZ)
			zero[k] = ch->pg[k].o.state == OBS_PRESENT &&
				  zero_filled(rd, b);
		rd->pages += (uint64_t)(KX_CHUNK_NR - k0);
		if (rd->progress)
			rd->progress(rd->proc, rd->nr_procs, rd->pages);
		for (k = k0; k < KX_CHUNK_NR && a < end;
		     k++, a += PAGE_SZ) {
			struct snap_run r = { .proc = proc };

			if (!page_run(rd, ch, k, a, &r))
				continue;
			if (zero[k])
				r.flags |= SNAP_ZEROFILL;
			if (snap_add_run(rd->s, &r)) {
				snprintf(rd->err, rd->len, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

struct populated {
	struct reader *rd;
	int proc;
};

static int populated_range(void *ctx, uint64_t start, uint64_t end)
{
	struct populated *p = ctx;

	return read_range(p->rd, p->proc, start, end);
}

/* Only the populated parts of @v are read (see kx_populated()). */
static int read_pages(struct reader *rd, int proc, pid_t pid,
		      const struct snap_vma *v)
{
	struct populated p = { rd, proc };
	int ret = kx_populated(pid, v->start, v->end, populated_range, &p);

	if (ret && !rd->err[0])
		snprintf(rd->err, rd->len, "cannot scan /proc/%d/pagemap",
			 (int)pid);
	return ret;
}

/* 'pmd' only where the format allows it (a whole aligned 2 MiB folio). */
static void fix_pmd_flags(struct snapshot *s)
{
	int i;

	for (i = 0; i < s->nr_runs; i++) {
		struct snap_run *r = &s->runs[i];

		if ((r->flags & SNAP_PMD) &&
		    (r->order != 9 || r->idx || r->npages != 512 ||
		     (r->addr & ((1ULL << 21) - 1))))
			r->flags &= ~SNAP_PMD;
	}
}

/* {========== settings ==========} */

static void read_settings(struct snapshot *s)
{
	char path[64], val[64], err[256];
	int i, o;

	for (i = 0; i < fsim_nr_settings; i++) {
		const struct setting_desc *d = &fsim_settings[i];

		if (d->model_only || !strncmp(d->path, "ksm/", 4))
			continue;
		for (o = d->per_size ? 2 : 9; o <= 9; o++) {
			if (d->per_size)
				snprintf(path, sizeof(path),
					 "hugepages-%dkB/enabled", 4 << o);
			else
				snprintf(path, sizeof(path), "%s", d->path);
			if (!kx_get(path, val, sizeof(val), err, sizeof(err)) &&
			    !setting_check(path, val, err, sizeof(err)))
				snap_add_set(s, path, val);
		}
	}
}

/* {========== the whole ==========} */

static int open_mem(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int kx_snapshot(const pid_t *pids, int n, bool contents,
		kx_snapshot_progress_fn progress, struct snapshot *out,
		char *err, size_t len)
{
	struct scn_scenario none = { 0 };
	struct reader rd = { .s = out, .contents = contents, .err = err,
			     .len = len, .kpf_fd = -1, .mem_fd = -1,
			     .progress = progress };
	struct utsname u;
	int i, j, ret = -1;

	memset(out, 0, sizeof(*out));
	err[0] = 0;
	if (geteuid()) {
		snprintf(err, len, "snapshot needs root (page frames in "
			 "/proc/PID/pagemap and /proc/kpageflags)");
		return -2;
	}
	if (!uname(&u))
		snprintf(out->kernel, sizeof(out->kernel), "%s", u.release);
	read_settings(out);
	for (i = 0; i < n; i++) {
		struct snap_proc p = { 0 };

		if (read_stat(pids[i], &p)) {
			snprintf(err, len, "no process %d", (int)pids[i]);
			goto fail;
		}
		snprintf(p.name, sizeof(p.name), "P%d", (int)pids[i]);
		for (j = 0; j < i; j++)
			if (pids[j] == pids[i]) {
				snprintf(err, len, "process %d given twice",
					 (int)pids[i]);
				goto fail;
			}
		if (snap_add_proc(out, &p) || read_vmas(&rd, i, pids[i]))
			goto fail;
	}
	rd.ob = kx_observe_new(&none, pids, err, len);
	rd.kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (!rd.ob || rd.kpf_fd < 0) {
		if (rd.ob)
			snprintf(err, len, "cannot open /proc/kpageflags");
		ret = -2;
		goto fail;
	}
	rd.nr_procs = n;
	for (i = 0; i < n; i++) {
		rd.proc = i;
		rd.mem_fd = contents ? open_mem(pids[i]) : -1;
		for (j = 0; j < out->nr_vmas; j++)
			if (out->vmas[j].proc == i &&
			    read_pages(&rd, i, pids[i], &out->vmas[j]))
				goto fail;
		if (rd.mem_fd >= 0)
			close(rd.mem_fd);
		rd.mem_fd = -1;
	}
	fix_pmd_flags(out);
	ret = 0;
fail:
	if (rd.mem_fd >= 0)
		close(rd.mem_fd);
	if (rd.kpf_fd >= 0)
		close(rd.kpf_fd);
	kx_observe_free(rd.ob);
	if (ret)
		snap_free(out);
	return ret;
}
