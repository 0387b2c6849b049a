// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shrinking a finding: delta debugging over the statements of its parsed
 * op list (removing chunks, then single statements), then narrowing page
 * ranges; a candidate is kept if it still parses, runs, and shows the same
 * class of difference for the same profile pair with at least the same
 * cost.  Processes and regions disappear with the statements that use
 * them.  Candidates are the kept ops printed canonically: the predicate
 * judges text, as a reproducer will be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "scenario/scenario.h"

#define SHRINK_MAX_TRIES 1500

/* One kept statement and its canonical line, printed when it changes. */
struct stmt {
	struct scn_op *op;
	char *line;
};

struct shrink {
	exp_keep_fn keep;
	void *ctx;
	int tries, max_tries;
	const struct scn_scenario *s;
	struct stmt *v;		/* the statements still kept, in order */
	int n;
};

static char *print_op(const struct scn_scenario *s, const struct scn_op *op)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	scn_print_op(f, s, op);
	fclose(f);
	return buf;
}

/* The kept statements as text, leaving out [skip_from, skip_to). */
static char *join(const struct shrink *sh, int skip_from, int skip_to)
{
	size_t len = 1;
	char *out, *p;
	int i;

	for (i = 0; i < sh->n; i++)
		len += strlen(sh->v[i].line) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	p = out;
	for (i = 0; i < sh->n; i++) {
		if (i >= skip_from && i < skip_to)
			continue;
		p += sprintf(p, "%s\n", sh->v[i].line);
	}
	*p = 0;
	return out;
}

static bool try_text(struct shrink *sh, const char *text)
{
	if (sh->tries++ >= sh->max_tries)
		return false;
	return sh->keep(sh->ctx, text);
}

/* Statements that must stay: the model's own sizes. */
static bool pinned(const struct scn_op *op)
{
	return op->kind == SCN_SET && !strncmp(op->path, "model/", 6);
}

/* Remove chunks of n statements, halving n down to 1 (ddmin-like). */
static bool shrink_ops(struct shrink *sh)
{
	bool any = false;
	int chunk, i;

	for (chunk = sh->n / 2; chunk >= 1; chunk /= 2) {
		for (i = 0; i + chunk <= sh->n;) {
			char *cand;
			int k;

			for (k = i; k < i + chunk && !pinned(sh->v[k].op); k++)
				;
			if (k < i + chunk) {
				i++;
				continue;
			}
			cand = join(sh, i, i + chunk);
			if (cand && try_text(sh, cand)) {
				for (k = i; k < i + chunk; k++)
					free(sh->v[k].line);
				memmove(&sh->v[i], &sh->v[i + chunk],
					(size_t)(sh->n - i - chunk) *
						sizeof(*sh->v));
				sh->n -= chunk;
				any = true;
			} else {
				i += chunk;
			}
			free(cand);
		}
	}
	return any;
}

/* Does @op act on a page range (not mmap's new region, not show)? */
static bool has_range(const struct scn_op *op)
{
	switch (op->kind) {
	case SCN_MUNMAP:
	case SCN_MREMAP:
	case SCN_MPROTECT:
	case SCN_MADVISE:
	case SCN_READ:
	case SCN_WRITE:
		return true;
	case SCN_EXPECT:
		return op->expect != SCN_EXP_VMSTAT;
	default:
		return false;
	}
}

static struct scn_range slice(int region, long start, long end)
{
	return (struct scn_range){ .region = region, .form = SCN_R_SLICE,
				   .has_start = true, .has_end = true,
				   .start = start, .end = end };
}

static struct scn_range page(int region, long start)
{
	return (struct scn_range){ .region = region, .form = SCN_R_PAGE,
				   .start = start, .end = start + 1 };
}

/*
 * Narrower forms of @r: the halves and the end pages of a slice with
 * both bounds; of a whole region, the halves, the first page and the
 * first PMD of a 2 MiB one (a region of another size makes some of them
 * out of bounds, and the parser refuses those candidates).
 */
static int range_candidates(const struct scn_range *r, struct scn_range *out)
{
	long a = r->start, b = r->end;
	int n = 0;

	if (r->form == SCN_R_SLICE && r->has_start && r->has_end) {
		if (b - a > 1) {
			out[n++] = slice(r->region, a, (a + b) / 2);
			out[n++] = slice(r->region, (a + b) / 2, b);
			out[n++] = page(r->region, a);
			out[n++] = page(r->region, b - 1);
		}
		return n;
	}
	if (r->form != SCN_R_ALL)
		return 0;
	out[n++] = slice(r->region, 0, 256);
	out[n++] = slice(r->region, 256, 512);
	out[n++] = page(r->region, 0);
	out[n++] = slice(r->region, 0, 512);
	return n;
}

static bool shrink_ranges(struct shrink *sh)
{
	bool any = false;
	int i, k, n;

	for (i = 0; i < sh->n; i++) {
		struct scn_op *op = sh->v[i].op;
		struct scn_range cands[4], old = op->range;

		if (!has_range(op))
			continue;
		n = range_candidates(&op->range, cands);
		for (k = 0; k < n; k++) {
			char *line, *cand, *old_line = sh->v[i].line;

			op->range = cands[k];
			line = print_op(sh->s, op);
			if (!line) {
				op->range = old;
				return any;
			}
			sh->v[i].line = line;
			cand = join(sh, 0, 0);
			if (cand && try_text(sh, cand)) {
				free(old_line);
				free(cand);
				any = true;
				break;
			}
			free(cand);
			free(line);
			sh->v[i].line = old_line;
			op->range = old;
		}
	}
	return any;
}

static int count_statements(const struct shrink *sh)
{
	int i, n = 0;

	for (i = 0; i < sh->n; i++)
		n += !pinned(sh->v[i].op);
	return n;
}

char *exp_shrink_text(const char *text, exp_keep_fn keep, void *ctx,
		      int max_tries, int *orig_statements, int *statements)
{
	struct shrink sh = { .keep = keep, .ctx = ctx,
			     .max_tries = max_tries };
	struct scn_scenario s;
	char err[256], *out = NULL;
	int i, round;

	if (orig_statements)
		*orig_statements = 0;
	if (statements)
		*statements = 0;
	/* Generated text always parses; other text is left as it is. */
	if (scn_parse("<finding>", text, strlen(text), &s, err, sizeof(err)))
		return strdup(text);
	sh.s = &s;
	sh.v = calloc((size_t)s.nr_ops + 1, sizeof(*sh.v));
	for (i = 0; sh.v && i < s.nr_ops; i++) {
		sh.v[i].op = &s.ops[i];
		sh.v[i].line = print_op(&s, &s.ops[i]);
		if (!sh.v[i].line)
			goto out;
		sh.n++;
	}
	if (!sh.v)
		goto out;
	if (orig_statements)
		*orig_statements = count_statements(&sh);
	for (round = 0; round < 8; round++) {
		bool changed = shrink_ops(&sh);

		changed |= shrink_ranges(&sh);
		if (!changed)
			break;
	}
	out = join(&sh, 0, 0);
	if (statements)
		*statements = count_statements(&sh);
out:
	for (i = 0; i < sh.n; i++)
		free(sh.v[i].line);
	free(sh.v);
	scn_free(&s);
	return out ? out : strdup(text);
}

struct still_shows {
	const struct explore_opts *o;
	struct exp_finding *f;
	int64_t min_cost;
};

static bool still_shows(void *ctx, const char *text)
{
	struct still_shows *c = ctx;
	int64_t cost;

	if (!exp_still_shows(c->o, text, c->f, c->min_cost, &cost))
		return false;
	c->f->cost = cost;
	return true;
}

void exp_shrink(const struct explore_opts *o, struct exp_finding *f)
{
	struct still_shows c = { .o = o, .f = f, .min_cost = f->cost };
	char *text;

	f->orig_cost = f->cost;
	text = exp_shrink_text(f->text, still_shows, &c, SHRINK_MAX_TRIES,
			       &f->orig_statements, &f->nr_statements);
	free(f->text);
	f->text = text;
	f->signature = exp_signature(f);
}
