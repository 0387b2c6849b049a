// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op list's lifetime and identity: reading a scenario file, freeing a
 * parsed scenario, and comparing two op lists field by field (what the
 * print/parse round trip and the explorer's shrinker rely on).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Reads all of @f into a malloc'ed buffer; NULL with errno on failure. */
static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap), *nb;

	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n < cap)
			continue;
		nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	if (buf && ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

int scn_parse_file(const char *path, struct scn_scenario *out, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (f) {
		text = read_all(f, &len);
		fclose(f);
	}
	if (!text) {
		if (err && errlen)
			snprintf(err, errlen,
				 "%s:1:1: cannot read the file (%s)", path,
				 strerror(errno));
		return -1;
	}
	ret = scn_parse(path, text, len, out, err, errlen);
	free(text);
	return ret;
}

static void free_op(struct scn_op *op)
{
	int i;

	free(op->text);
	free(op->path);
	free(op->setval);
	free(op->vmstat);
	for (i = 0; i < op->nr_profiles; i++)
		free(op->profiles[i]);
	free(op->profiles);
}

void scn_free(struct scn_scenario *s)
{
	int i;

	for (i = 0; i < s->nr_ops; i++)
		free_op(&s->ops[i]);
	free(s->ops);
	for (i = 0; i < s->nr_procs; i++)
		free(s->procs[i]);
	free(s->procs);
	for (i = 0; i < s->nr_regions; i++)
		free(s->regions[i].name);
	free(s->regions);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

static bool str_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool range_equal(const struct scn_range *a, const struct scn_range *b)
{
	return a->region == b->region && a->form == b->form &&
	       a->has_start == b->has_start && a->has_end == b->has_end &&
	       a->start == b->start && a->end == b->end;
}

static bool addr_equal(const struct scn_addr *a, const struct scn_addr *b)
{
	return a->relative == b->relative && a->abs == b->abs &&
	       a->region == b->region && a->offset == b->offset;
}

static bool profiles_equal(const struct scn_op *a, const struct scn_op *b)
{
	int i;

	if (a->nr_profiles != b->nr_profiles || !a->profiles != !b->profiles)
		return false;
	for (i = 0; i < a->nr_profiles; i++)
		if (strcmp(a->profiles[i], b->profiles[i]))
			return false;
	return true;
}

bool scn_op_equal(const struct scn_op *a, const struct scn_op *b)
{
	return a->kind == b->kind && a->proc == b->proc &&
	       a->proc2 == b->proc2 && range_equal(&a->range, &b->range) &&
	       a->region == b->region && a->size == b->size &&
	       a->has_size == b->has_size && a->has_at == b->has_at &&
	       addr_equal(&a->at, &b->at) && a->addr == b->addr &&
	       a->advice == b->advice && a->writable == b->writable &&
	       a->write_kind == b->write_kind && a->value == b->value &&
	       a->count == b->count && str_equal(a->path, b->path) &&
	       str_equal(a->setval, b->setval) && a->expect == b->expect &&
	       a->cmp == b->cmp && a->expect_value == b->expect_value &&
	       a->collapse_ok == b->collapse_ok &&
	       str_equal(a->vmstat, b->vmstat) && profiles_equal(a, b);
}

static bool tables_equal(const struct scn_scenario *a,
			 const struct scn_scenario *b)
{
	int i;

	if (a->nr_procs != b->nr_procs || a->nr_regions != b->nr_regions)
		return false;
	for (i = 0; i < a->nr_procs; i++)
		if (strcmp(a->procs[i], b->procs[i]))
			return false;
	for (i = 0; i < a->nr_regions; i++)
		if (strcmp(a->regions[i].name, b->regions[i].name) ||
		    a->regions[i].addr != b->regions[i].addr ||
		    a->regions[i].size != b->regions[i].size)
			return false;
	return true;
}

bool scn_equal(const struct scn_scenario *a, const struct scn_scenario *b)
{
	int i;

	if (a->nr_ops != b->nr_ops || !tables_equal(a, b))
		return false;
	for (i = 0; i < a->nr_ops; i++)
		if (!scn_op_equal(&a->ops[i], &b->ops[i]))
			return false;
	return true;
}
