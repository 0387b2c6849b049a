// SPDX-License-Identifier: GPL-2.0-only
/*
 * The symbol tables: process and region names in first-use order, which
 * regions each process maps (inherited through fork), and the automatic
 * placement of regions at PMD-aligned addresses from SCN_AUTO_BASE up.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Makes room for element @n of @arr (@size bytes each, *@cap of them).
 * Returns the array, moved perhaps, or NULL (then @arr is still valid).
 */
void *scn_grow(struct scn_parser *p, void *arr, int *cap, int n,
	       size_t size)
{
	int ncap = *cap ? *cap * 2 : 8;
	void *na;

	if (n < *cap)
		return arr;
	na = realloc(arr, (size_t)ncap * size);
	if (!na) {
		scn_nomem(p);
		return NULL;
	}
	*cap = ncap;
	return na;
}

int sym_proc_find(const struct scn_scenario *s, const struct scn_tok *t)
{
	int i;

	for (i = 0; i < s->nr_procs; i++)
		if (tok_is(t, s->procs[i]))
			return i;
	return -1;
}

static int proc_name_free(struct scn_parser *p, const struct scn_tok *t)
{
	char q[SCN_QUOTE_LEN];

	if (tok_name(p, t, "a process name"))
		return -1;
	tok_quote(t, q, sizeof(q));
	if (scn_reserved_proc_name(t))
		return scn_error(p, t->col,
				 "expected a process name, got keyword '%s'",
				 q);
	if (sym_proc_find(p->s, t) >= 0)
		return scn_error(p, t->col,
				 "expected a new process name, '%s' is taken",
				 q);
	if (p->s->nr_procs >= SCN_MAX_PROCS)
		return scn_error(p, t->col, "expected at most %d processes",
				 SCN_MAX_PROCS);
	return 0;
}

/* Creates process @t (spawn, fork); returns its index or -1. */
int sym_proc_new(struct scn_parser *p, const struct scn_tok *t)
{
	struct scn_scenario *s = p->s;
	int cap = p->cap_procs;
	struct scn_proc_state *ps;
	char **procs;
	char *name;

	if (proc_name_free(p, t))
		return -1;
	procs = scn_grow(p, s->procs, &p->cap_procs, s->nr_procs,
			 sizeof(*procs));
	if (!procs)
		return -1;
	s->procs = procs;
	ps = scn_grow(p, p->ps, &cap, s->nr_procs, sizeof(*ps));
	if (!ps)
		return -1;
	p->ps = ps;
	name = strndup(t->s, (size_t)t->len);
	if (!name)
		return scn_nomem(p);
	s->procs[s->nr_procs] = name;
	p->ps[s->nr_procs] = (struct scn_proc_state){ .alive = true };
	return s->nr_procs++;
}

/* Process @t, which must exist and be alive; its index or -1. */
int sym_proc_use(struct scn_parser *p, const struct scn_tok *t)
{
	char q[SCN_QUOTE_LEN];
	int i;

	if (tok_name(p, t, "a process name"))
		return -1;
	i = sym_proc_find(p->s, t);
	if (i < 0)
		return scn_error(p, t->col,
				 "expected a process created by spawn or fork, got '%s'",
				 tok_quote(t, q, sizeof(q)));
	if (!p->ps[i].alive)
		return scn_error(p, t->col,
				 "expected a live process, '%s' has exited",
				 tok_quote(t, q, sizeof(q)));
	return i;
}

int sym_region_find(const struct scn_scenario *s, const char *name,
		    int len)
{
	struct scn_tok t = { .s = name, .len = len };
	int i;

	for (i = 0; i < s->nr_regions; i++)
		if (tok_is(&t, s->regions[i].name))
			return i;
	return -1;
}

/* Creates region @t at [@addr, @addr + @size); its index or -1. */
int sym_region_new(struct scn_parser *p, const struct scn_tok *t,
		   uint64_t addr, uint64_t size)
{
	struct scn_scenario *s = p->s;
	struct scn_region *r;

	if (s->nr_regions >= SCN_MAX_REGIONS)
		return scn_error(p, t->col, "expected at most %d regions",
				 SCN_MAX_REGIONS);
	r = scn_grow(p, s->regions, &p->cap_regions, s->nr_regions,
		     sizeof(*r));
	if (!r)
		return -1;
	s->regions = r;
	r += s->nr_regions;
	r->name = strndup(t->s, (size_t)t->len);
	if (!r->name)
		return scn_nomem(p);
	r->addr = addr;
	r->size = size;
	sym_placed(p, addr, size);
	return s->nr_regions++;
}

/* Region @t, which some mmap or mremap must have created; index or -1. */
int sym_region_known(struct scn_parser *p, const struct scn_tok *t)
{
	char q[SCN_QUOTE_LEN];
	int i;

	if (tok_name(p, t, "a region name"))
		return -1;
	i = sym_region_find(p->s, t->s, t->len);
	if (i < 0)
		return scn_error(p, t->col,
				 "expected a region created by mmap or mremap, got '%s'",
				 tok_quote(t, q, sizeof(q)));
	return i;
}

unsigned char sym_flags(const struct scn_parser *p, int proc, int region)
{
	const struct scn_proc_state *ps = &p->ps[proc];

	return region < ps->nr_rflags ? ps->rflags[region] : 0;
}

int sym_set_flags(struct scn_parser *p, int proc, int region,
		  unsigned char flags)
{
	struct scn_proc_state *ps = &p->ps[proc];
	int n = p->s->nr_regions;
	unsigned char *nf;

	if (region >= ps->nr_rflags) {
		nf = realloc(ps->rflags, (size_t)n);
		if (!nf)
			return scn_nomem(p);
		memset(nf + ps->nr_rflags, 0, (size_t)(n - ps->nr_rflags));
		ps->rflags = nf;
		ps->nr_rflags = n;
	}
	ps->rflags[region] = flags;
	return 0;
}

/* @child inherits what @parent maps, except MADV_DONTFORK regions. */
int sym_fork(struct scn_parser *p, int parent, int child)
{
	int r;

	for (r = 0; r < p->ps[parent].nr_rflags; r++) {
		unsigned char f = p->ps[parent].rflags[r];

		if ((f & SCN_HAS) && !(f & SCN_DONTFORK) &&
		    sym_set_flags(p, child, r, SCN_HAS))
			return -1;
	}
	return 0;
}

void sym_exit(struct scn_parser *p, int proc)
{
	struct scn_proc_state *ps = &p->ps[proc];

	ps->alive = false;
	free(ps->rflags);
	ps->rflags = NULL;
	ps->nr_rflags = 0;
}

/* The next automatic slot for @size bytes; @col for the error. */
int sym_auto_addr(struct scn_parser *p, int col, uint64_t size,
		  uint64_t *addr)
{
	uint64_t a = p->next_auto;

	if (a > SCN_ADDR_LIMIT || size > SCN_ADDR_LIMIT - a)
		return scn_error(p, col,
				 "expected a region that fits below 0x%lx",
				 SCN_ADDR_LIMIT);
	*addr = a;
	return 0;
}

/*
 * A region now lies at [@addr, @addr + @size): automatic placement goes on
 * above it, leaving one unmapped PMD so that VMAs never merge.
 */
void sym_placed(struct scn_parser *p, uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	uint64_t next = ((end + SCN_PMD_SIZE - 1) & ~(SCN_PMD_SIZE - 1)) +
			SCN_PMD_SIZE;

	if (next > p->next_auto)
		p->next_auto = next;
}

void sym_free(struct scn_parser *p)
{
	int i;

	for (i = 0; p->ps && i < p->s->nr_procs; i++)
		free(p->ps[i].rflags);
	free(p->ps);
	p->ps = NULL;
}
