// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ranges (R, R[i], R[i:j], R[i:], R[:j]) and the address after "at"
 * (0x..., R+SIZE, R-SIZE).  Region sizes are always known here, so every
 * bound is checked at parse time.
 */
#include "internal.h"

/* The byte of @t at @off, or NUL past its end. */
static char tok_at(const struct scn_tok *t, int off)
{
	return off < t->len ? t->s[off] : '\0';
}

uint64_t scn_region_pages(const struct scn_scenario *s, int region)
{
	return s->regions[region].size / SCN_PAGE_SIZE;
}

bool scn_range_whole(const struct scn_scenario *s, const struct scn_range *r)
{
	return r->start == 0 &&
	       (uint64_t)r->end == scn_region_pages(s, r->region);
}

static int index_bad(struct scn_parser *p, const struct scn_tok *t, int col,
		     const char *want, uint64_t limit)
{
	char q[SCN_QUOTE_LEN];

	return scn_error(p, col, "expected %s %llu in '%s'", want,
			 (unsigned long long)limit,
			 tok_quote(t, q, sizeof(q)));
}

/* INDEX := INTEGER, a page of the region, at *@off in @t. */
static int range_index(struct scn_parser *p, const struct scn_tok *t,
		       int *off, uint64_t *out)
{
	return scan_uint(p, t, off, out, "a page index");
}

/* Checks [start, end) against the region's @npages pages. */
static int range_bounds(struct scn_parser *p, const struct scn_tok *t,
			const int col[2], struct scn_range *r,
			uint64_t start, uint64_t end, uint64_t npages)
{
	if (start >= npages)
		return index_bad(p, t, col[0], "a page index below", npages);
	if (end > npages)
		return index_bad(p, t, col[1], "an end page of at most",
				 npages);
	if (end <= start)
		return index_bad(p, t, col[1], "an end page above", start);
	r->start = (long)start;
	r->end = (long)end;
	return 0;
}

/* Something other than ']' at @off, or something after the ']'. */
static int range_unended(struct scn_parser *p, const struct scn_tok *t,
			 int off)
{
	char q[SCN_QUOTE_LEN];

	tok_quote(t, q, sizeof(q));
	if (tok_at(t, off) == ']')
		return scn_error(p, t->col + off + 1,
				 "expected a blank after the range '%s'", q);
	return scn_error(p, t->col + off, "expected ']' to end the range '%s'",
			 q);
}

/*
 * BRACKET := '[' INDEX ']' | '[' [INDEX] ':' [INDEX] ']'
 * @off is just past the '['.
 */
static int range_bracket(struct scn_parser *p, const struct scn_tok *t,
			 int off, uint64_t npages, struct scn_range *r)
{
	uint64_t start = 0, end = npages;
	int col[2] = { t->col + off, 0 };

	r->has_start = tok_at(t, off) != ':';
	if (r->has_start && range_index(p, t, &off, &start))
		return -1;
	r->form = tok_at(t, off) == ':' ? SCN_R_SLICE : SCN_R_PAGE;
	if (r->form == SCN_R_PAGE) {
		end = start + 1;
		col[1] = col[0];
	} else {
		off++;
		col[1] = t->col + off;
		r->has_end = tok_at(t, off) != ']';
		if (r->has_end && range_index(p, t, &off, &end))
			return -1;
	}
	if (tok_at(t, off) != ']' || off + 1 != t->len)
		return range_unended(p, t, off);
	if (r->form == SCN_R_PAGE)
		r->has_start = false;	/* only slices have bounds */
	return range_bounds(p, t, col, r, start, end, npages);
}

/* RANGE := NAME [BRACKET] */
int scn_parse_range(struct scn_parser *p, const struct scn_tok *t,
		    struct scn_range *r)
{
	struct scn_tok name = { t->s, scan_name(t->s, t->len), t->col };
	char q[SCN_QUOTE_LEN];
	uint64_t npages;

	*r = (struct scn_range){ .region = -1 };
	if (!name.len)
		return scn_error(p, t->col,
				 "expected a range such as R or R[0:8], got '%s'",
				 tok_quote(t, q, sizeof(q)));
	r->region = sym_region_known(p, &name);
	if (r->region < 0)
		return -1;
	npages = scn_region_pages(p->s, r->region);
	if (name.len == t->len) {
		r->form = SCN_R_ALL;
		r->end = (long)npages;
		return 0;
	}
	if (t->s[name.len] != '[')
		return scn_error(p, t->col + name.len,
				 "expected '[' or a blank after the region name in '%s'",
				 tok_quote(t, q, sizeof(q)));
	return range_bracket(p, t, name.len + 1, npages, r);
}

/* REL := NAME ('+' | '-') SIZE, an address relative to a region. */
static int addr_relative(struct scn_parser *p, const struct scn_tok *t,
			 struct scn_addr *a, uint64_t *addr)
{
	struct scn_tok name = { t->s, scan_name(t->s, t->len), t->col };
	char q[SCN_QUOTE_LEN], sign;
	uint64_t base, off;
	int pos;

	a->relative = true;
	a->region = sym_region_known(p, &name);
	if (a->region < 0)
		return -1;
	sign = tok_at(t, name.len);
	if (sign != '+' && sign != '-')
		return scn_error(p, t->col + name.len,
				 "expected '+' or '-' after the region name in '%s'",
				 tok_quote(t, q, sizeof(q)));
	pos = name.len + 1;
	if (scan_size(p, t, &pos, &off))
		return -1;
	if (pos != t->len || off >= SCN_ADDR_LIMIT)
		return scn_error(p, t->col + name.len + 1,
				 "expected an offset such as 2M below 0x%lx, got '%s'",
				 SCN_ADDR_LIMIT, tok_quote(t, q, sizeof(q)));
	base = p->s->regions[a->region].addr;
	a->offset = sign == '-' ? -(int64_t)off : (int64_t)off;
	*addr = base + (uint64_t)a->offset;	/* scn_check_place() */
	if (sign == '-' && off > base)
		*addr = 0;
	return 0;
}

/* ADDR := INTEGER | REL */
int scn_parse_addr(struct scn_parser *p, const struct scn_tok *t,
		   struct scn_addr *a, uint64_t *addr)
{
	*a = (struct scn_addr){ .region = -1 };
	if (t->s[0] >= '0' && t->s[0] <= '9') {
		if (tok_uint(p, t, &a->abs, "an address such as 0x40000000"))
			return -1;
		*addr = a->abs;
		return 0;
	}
	if (!scan_name(t->s, t->len)) {
		char q[SCN_QUOTE_LEN];

		return scn_error(p, t->col,
				 "expected an address such as 0x40000000 or R+2M, got '%s'",
				 tok_quote(t, q, sizeof(q)));
	}
	return addr_relative(p, t, a, addr);
}

/* [@addr, @addr + @size) must be page-aligned user address space. */
int scn_check_place(struct scn_parser *p, int col, uint64_t addr,
		    uint64_t size)
{
	if (addr % SCN_PAGE_SIZE || addr < SCN_MIN_ADDR ||
	    addr > SCN_ADDR_LIMIT || size > SCN_ADDR_LIMIT - addr)
		return scn_error(p, col,
				 "expected a page-aligned address from 0x%lx with the region below 0x%lx, got 0x%llx",
				 SCN_MIN_ADDR, SCN_ADDR_LIMIT,
				 (unsigned long long)addr);
	return 0;
}
