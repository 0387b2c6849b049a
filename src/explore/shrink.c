// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shrinking a finding: delta debugging over the statements of its
 * canonical text (removing chunks, then single lines), then narrowing page
 * ranges; a candidate is kept if it still parses, runs, and shows the same
 * class of difference for the same profile pair with at least the same
 * cost.  Processes and regions disappear with the statements that use them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "scenario/scenario.h"

#define SHRINK_MAX_TRIES 1500

struct lines {
	char **v;
	int n;
};

struct shrink {
	exp_keep_fn keep;
	void *ctx;
	int tries, max_tries;
};

static char *canonical(const char *text)
{
	struct scn_scenario s;
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (scn_parse("<finding>", text, strlen(text), &s, err, sizeof(err)))
		return strdup(text);
	f = open_memstream(&buf, &len);
	if (f) {
		scn_print(f, &s);
		fclose(f);
	}
	scn_free(&s);
	return buf ? buf : strdup(text);
}

static void lines_split(struct lines *l, const char *text)
{
	const char *c = text;

	l->n = 0;
	l->v = calloc(strlen(text) + 2, sizeof(*l->v));
	while (l->v && *c) {
		const char *e = strchr(c, '\n');
		size_t len = e ? (size_t)(e - c) : strlen(c);

		l->v[l->n++] = strndup(c, len);
		c += len + (e ? 1 : 0);
	}
}

/* Join the lines, leaving out [skip_from, skip_to). */
static char *lines_join(const struct lines *l, int skip_from, int skip_to)
{
	size_t len = 1;
	char *out, *p;
	int i;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	p = out;
	for (i = 0; i < l->n; i++) {
		if (i >= skip_from && i < skip_to)
			continue;
		p += sprintf(p, "%s\n", l->v[i]);
	}
	*p = 0;
	return out;
}

static void lines_free(struct lines *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool try_text(struct shrink *sh, const char *text)
{
	if (sh->tries++ >= sh->max_tries)
		return false;
	return sh->keep(sh->ctx, text);
}

/* Lines that must stay: the model's own sizes. */
static bool pinned(const char *line)
{
	return !strncmp(line, "set model/", 10);
}

/* Remove chunks of n lines, halving n down to 1 (ddmin-like). */
static bool shrink_lines(struct shrink *sh, struct lines *l)
{
	bool any = false;
	int chunk, i;

	for (chunk = l->n / 2; chunk >= 1; chunk /= 2) {
		for (i = 0; i + chunk <= l->n;) {
			char *cand;
			int k;

			for (k = i; k < i + chunk && !pinned(l->v[k]); k++)
				;
			if (k < i + chunk) {
				i++;
				continue;
			}
			cand = lines_join(l, i, i + chunk);
			if (cand && try_text(sh, cand)) {
				for (k = i; k < i + chunk; k++)
					free(l->v[k]);
				memmove(&l->v[i], &l->v[i + chunk],
					(size_t)(l->n - i - chunk) * sizeof(char *));
				l->n -= chunk;
				any = true;
			} else {
				i += chunk;
			}
			free(cand);
		}
	}
	return any;
}

/* Candidate narrower forms of the range at @pos (length @len) of @line. */
static int range_candidates(const char *tok, size_t len, char out[][96])
{
	char name[24];
	long a, b;
	int n = 0;

	if (sscanf(tok, "%23[A-Za-z0-9_][%ld:%ld]", name, &a, &b) == 3) {
		if (b - a > 1) {
			snprintf(out[n++], 96, "%s[%ld:%ld]", name, a, (a + b) / 2);
			snprintf(out[n++], 96, "%s[%ld:%ld]", name, (a + b) / 2, b);
			snprintf(out[n++], 96, "%s[%ld]", name, a);
			snprintf(out[n++], 96, "%s[%ld]", name, b - 1);
		}
		return n;
	}
	if (memchr(tok, '[', len))
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)len, tok);
	snprintf(out[n++], 96, "%s[0:256]", name);
	snprintf(out[n++], 96, "%s[256:512]", name);
	snprintf(out[n++], 96, "%s[0]", name);
	snprintf(out[n++], 96, "%s[0:512]", name);
	return n;
}

/* The first range token of a statement: a region name after the verb. */
static const char *find_range(const char *line, size_t *len)
{
	const char *c = strstr(line, " R");

	while (c) {
		const char *e = c + 1;

		while (*e && *e != ' ')
			e++;
		if (c[2] >= '0' && c[2] <= '9' && !strstr(line, " mmap ")) {
			*len = (size_t)(e - c - 1);
			return c + 1;
		}
		c = strstr(c + 1, " R");
	}
	return NULL;
}

static bool shrink_ranges(struct shrink *sh, struct lines *l)
{
	bool any = false;
	int i, k, n;

	for (i = 0; i < l->n; i++) {
		char cands[4][96];
		const char *tok;
		size_t len;

		tok = find_range(l->v[i], &len);
		if (!tok)
			continue;
		n = range_candidates(tok, len, cands);
		for (k = 0; k < n; k++) {
			size_t pre = (size_t)(tok - l->v[i]);
			char *line = malloc(strlen(l->v[i]) + 128), *old, *cand;

			if (!line)
				return any;
			sprintf(line, "%.*s%s%s", (int)pre, l->v[i], cands[k],
				tok + len);
			old = l->v[i];
			l->v[i] = line;
			cand = lines_join(l, 0, 0);
			if (cand && try_text(sh, cand)) {
				free(old);
				free(cand);
				any = true;
				break;
			}
			free(cand);
			l->v[i] = old;
			free(line);
		}
	}
	return any;
}

static int count_statements(const struct lines *l)
{
	int i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i][0] && l->v[i][0] != '#' && !pinned(l->v[i]);
	return n;
}

char *exp_shrink_text(const char *text, exp_keep_fn keep, void *ctx,
		      int max_tries, int *orig_statements, int *statements)
{
	struct shrink sh = { .keep = keep, .ctx = ctx,
			     .max_tries = max_tries };
	char *canon = canonical(text), *out;
	struct lines l;
	int round;

	lines_split(&l, canon);
	free(canon);
	if (orig_statements)
		*orig_statements = count_statements(&l);
	for (round = 0; round < 8; round++) {
		bool changed = shrink_lines(&sh, &l);

		changed |= shrink_ranges(&sh, &l);
		if (!changed)
			break;
	}
	out = lines_join(&l, 0, 0);
	if (statements)
		*statements = count_statements(&l);
	lines_free(&l);
	return out;
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
