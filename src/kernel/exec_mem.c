// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process and memory statements on the kernel: spawn, fork, exit, the
 * mapping calls and madvise as real calls in the actor, and reads and
 * writes in chunks, with the expected contents kept per process (what it
 * last wrote at each page) so that every word read is checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"

static uint64_t range_addr(const struct kx_exec *x, const struct scn_op *op)
{
	return x->s->regions[op->range.region].addr +
	       (uint64_t)op->range.start * SCN_PAGE_SIZE;
}

static uint64_t range_pages(const struct scn_op *op)
{
	return (uint64_t)(op->range.end - op->range.start);
}

/* Run @c in @op's process; a failed call is bad input for the scenario. */
static enum exec_status call(struct kx_exec *x, const struct scn_op *op,
			     int slot, struct kx_cmd *c, const char *what)
{
	if (kx_actor_call(x->act, slot, c, x->err, sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "%s: %s", what,
				     x->err);
	if (c->err)
		return kx_exec_error(x, op, EXEC_BAD_INPUT, "%s: %s", what,
				     strerror(c->err));
	return EXEC_OK;
}

static enum exec_status out_of_memory(struct kx_exec *x,
				      const struct scn_op *op)
{
	return kx_exec_error(x, op, EXEC_CANNOT_RUN, "out of host memory");
}

/* {========== processes ==========} */

static enum exec_status do_spawn(struct kx_exec *x, const struct scn_op *op)
{
	if (kx_actor_spawn(x->act, op->proc, x->err, sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "spawn: %s",
				     x->err);
	x->pat[op->proc] = kx_pat_new();
	return x->pat[op->proc] ? EXEC_OK : out_of_memory(x, op);
}

struct vma_list {
	struct kx_span *v;	/* page numbers [start, end) */
	size_t n;
};

/* The child's VMAs, as page numbers, in address order. */
static int read_vmas(pid_t pid, struct vma_list *l)
{
	char path[64], line[512];
	unsigned long long start, end;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	l->v = NULL;
	l->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &start, &end) != 2)
			continue;
		if (l->n == cap) {
			struct kx_span *v;

			cap = cap ? 2 * cap : 64;
			v = realloc(l->v, cap * sizeof(*v));
			if (!v)
				break;
			l->v = v;
		}
		l->v[l->n++] = (struct kx_span){ start / SCN_PAGE_SIZE,
						 end / SCN_PAGE_SIZE };
	}
	fclose(f);
	return 0;
}

static bool in_vmas(void *ctx, uint64_t page)
{
	const struct vma_list *l = ctx;
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->v[mid].end <= page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->v[lo].start <= page;
}

/*
 * The child sees what the parent last wrote in every VMA it inherited
 * (MADV_DONTFORK ones are not): read from the child's own maps.
 */
static enum exec_status do_fork(struct kx_exec *x, const struct scn_op *op)
{
	struct vma_list l;

	if (kx_actor_fork(x->act, op->proc, op->proc2, x->err,
			  sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "%s", x->err);
	if (read_vmas(kx_actor_pid(x->act, op->proc2), &l))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN,
				     "cannot read the child's maps");
	x->pat[op->proc2] = kx_pat_clone(x->pat[op->proc], in_vmas, &l);
	free(l.v);
	return x->pat[op->proc2] ? EXEC_OK : out_of_memory(x, op);
}

static enum exec_status do_exit(struct kx_exec *x, const struct scn_op *op)
{
	if (kx_actor_exit(x->act, op->proc, x->err, sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "exit: %s",
				     x->err);
	kx_pat_free(x->pat[op->proc]);
	x->pat[op->proc] = NULL;
	return EXEC_OK;
}

/* {========== mappings ==========} */

static enum exec_status do_mmap(struct kx_exec *x, const struct scn_op *op)
{
	struct kx_cmd c = { .op = KX_CMD_MMAP, .addr = op->addr,
			    .len = op->size };
	enum exec_status st = call(x, op, op->proc, &c, "mmap");

	if (st == EXEC_OK)
		kx_pat_clear(x->pat[op->proc], op->addr / SCN_PAGE_SIZE,
			     op->size / SCN_PAGE_SIZE);
	return st;
}

static enum exec_status do_munmap(struct kx_exec *x,
				  const struct scn_op *op)
{
	struct kx_cmd c = { .op = KX_CMD_MUNMAP, .addr = range_addr(x, op),
			    .len = range_pages(op) * SCN_PAGE_SIZE };
	enum exec_status st = call(x, op, op->proc, &c, "munmap");

	if (st == EXEC_OK)
		kx_pat_clear(x->pat[op->proc], c.addr / SCN_PAGE_SIZE,
			     range_pages(op));
	return st;
}

static enum exec_status do_mremap(struct kx_exec *x,
				  const struct scn_op *op)
{
	struct kx_cmd c = { .op = KX_CMD_MREMAP, .addr = range_addr(x, op),
			    .len = range_pages(op) * SCN_PAGE_SIZE,
			    .addr2 = op->addr, .len2 = op->size };
	enum exec_status st = call(x, op, op->proc, &c, "mremap");

	if (st == EXEC_OK &&
	    kx_pat_move(x->pat[op->proc], c.addr / SCN_PAGE_SIZE,
			range_pages(op), op->addr / SCN_PAGE_SIZE,
			op->size / SCN_PAGE_SIZE))
		return out_of_memory(x, op);
	return st;
}

static enum exec_status do_mprotect(struct kx_exec *x,
				    const struct scn_op *op)
{
	struct kx_cmd c = { .op = KX_CMD_MPROTECT, .addr = range_addr(x, op),
			    .len = range_pages(op) * SCN_PAGE_SIZE,
			    .arg = op->writable };

	return call(x, op, op->proc, &c, "mprotect");
}

/*
 * madvise as the model treats it: MADV_COLLAPSE's result is recorded (a
 * failure is no error), ENOMEM (holes in the range) is ignored, and
 * MADV_DONTNEED drops the contents of the range.
 */
static enum exec_status do_madvise(struct kx_exec *x, int idx,
				   const struct scn_op *op)
{
	struct kx_cmd c = { .op = KX_CMD_MADVISE, .addr = range_addr(x, op),
			    .len = range_pages(op) * SCN_PAGE_SIZE,
			    .arg = (int)op->advice };

	if (kx_actor_call(x->act, op->proc, &c, x->err, sizeof(x->err)))
		return kx_exec_error(x, op, EXEC_CANNOT_RUN, "madvise: %s",
				     x->err);
	if (op->advice == SCN_ADV_DONTNEED)
		kx_pat_clear(x->pat[op->proc], c.addr / SCN_PAGE_SIZE,
			     range_pages(op));
	if (op->advice == SCN_ADV_COLLAPSE) {
		x->r->collapse_err[idx] = c.err;
		return EXEC_OK;
	}
	if (c.err && c.err != ENOMEM)
		return kx_exec_error(x, op, EXEC_BAD_INPUT, "madvise %s: %s",
				     scn_advice_names[op->advice],
				     strerror(c.err));
	return EXEC_OK;
}

/* {========== contents ==========} */

static uint64_t next_pattern(struct kx_exec *x, const struct scn_op *op)
{
	if (op->write_kind == SCN_WRITE_ZERO)
		return 0;
	if (op->write_kind == SCN_WRITE_VALUE)
		return op->value;
	return KX_UNIQUE_TAG | ++x->counter;
}

static enum exec_status write_chunk(struct kx_exec *x,
				    const struct scn_op *op, uint64_t first,
				    uint64_t n)
{
	uint64_t *data = kx_actor_data(x->act, op->proc);
	uint64_t page = range_addr(x, op) / SCN_PAGE_SIZE + first, i;
	struct kx_cmd c = { .op = KX_CMD_WRITE,
			    .addr = (page) * SCN_PAGE_SIZE, .npages = n };
	enum exec_status st;

	for (i = 0; i < n; i++)
		data[i] = next_pattern(x, op);
	st = call(x, op, op->proc, &c, "write");
	for (i = 0; st == EXEC_OK && i < n; i++)
		if (kx_pat_set(x->pat[op->proc], page + i, data[i]))
			return out_of_memory(x, op);
	return st;
}

static void report_lost(struct kx_exec *x, const struct scn_op *op,
			uint64_t first, const struct kx_cmd *c)
{
	if (!x->r->data_lost)
		kx_exec_error(x, op, EXEC_DATA_LOST,
			      "data lost: page %llu of %s holds %#llx, process "
			      "%s last wrote %#llx",
			      (unsigned long long)(op->range.start + first +
			      c->first),
			      x->s->regions[op->range.region].name,
			      (unsigned long long)c->got, x->s->procs[op->proc],
			      (unsigned long long)c->want);
	x->r->data_lost += (long)c->bad;
}

static enum exec_status read_chunk(struct kx_exec *x,
				   const struct scn_op *op, uint64_t first,
				   uint64_t n)
{
	uint64_t *data = kx_actor_data(x->act, op->proc);
	uint64_t page = range_addr(x, op) / SCN_PAGE_SIZE + first, i;
	struct kx_cmd c = { .op = KX_CMD_READ,
			    .addr = page * SCN_PAGE_SIZE, .npages = n };
	enum exec_status st;

	for (i = 0; i < n; i++)
		data[i] = kx_pat_get(x->pat[op->proc], page + i);
	st = call(x, op, op->proc, &c, "read");
	if (st == EXEC_OK && c.bad)
		report_lost(x, op, first, &c);
	return st;
}

static enum exec_status do_access(struct kx_exec *x,
				  const struct scn_op *op)
{
	uint64_t n = range_pages(op), done;
	enum exec_status st = EXEC_OK;

	for (done = 0; st == EXEC_OK && done < n; done += KX_CHUNK_PAGES) {
		uint64_t k = n - done < KX_CHUNK_PAGES ? n - done :
							 KX_CHUNK_PAGES;

		st = op->kind == SCN_WRITE ? write_chunk(x, op, done, k) :
					     read_chunk(x, op, done, k);
	}
	return st;
}

enum exec_status kx_exec_process_op(struct kx_exec *x, int idx,
				    const struct scn_op *op)
{
	switch (op->kind) {
	case SCN_SPAWN:
		return do_spawn(x, op);
	case SCN_FORK:
		return do_fork(x, op);
	case SCN_EXIT:
		return do_exit(x, op);
	case SCN_MMAP:
		return do_mmap(x, op);
	case SCN_MUNMAP:
		return do_munmap(x, op);
	case SCN_MREMAP:
		return do_mremap(x, op);
	case SCN_MPROTECT:
		return do_mprotect(x, op);
	case SCN_MADVISE:
		return do_madvise(x, idx, op);
	case SCN_READ:
	case SCN_WRITE:
		return do_access(x, op);
	default:
		return EXEC_OK;
	}
}
