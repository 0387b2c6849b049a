// SPDX-License-Identifier: GPL-2.0-only
/*
 * The settings table: every tunable path the model knows, with the values
 * the kernel's sysfs store accepts for it and the default on this kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

static const char *const top_modes[] = { "never", "always", "madvise", NULL };
static const char *const size_modes[] = { "never", "always", "madvise",
					  "inherit", NULL };
static const char *const defrag_modes[] = { "always", "defer",
					    "defer+madvise", "madvise",
					    "never", NULL };

#define OFF(f) offsetof(struct thp_settings, f)
#define UINT_MAX_L 4294967295L

const struct setting_desc fsim_settings[] = {
	{ "enabled", SET_CHOICE, top_modes, 0, 0, OFF(enabled), false, false },
	{ "hugepages-<N>kB/enabled", SET_CHOICE, size_modes, 0, 0,
	  OFF(size_enabled), false, true },
	{ "defrag", SET_CHOICE, defrag_modes, 0, 0, OFF(defrag), false, false },
	{ "use_zero_page", SET_INT, NULL, 0, 1, OFF(use_zero_page), false,
	  false },
	{ "shrink_underused", SET_BOOL, NULL, 0, 1, OFF(shrink_underused),
	  false, false },
	{ "khugepaged/max_ptes_none", SET_INT, NULL, 0, HPAGE_PMD_NR - 1,
	  OFF(max_ptes_none), false, false },
	{ "khugepaged/max_ptes_swap", SET_INT, NULL, 0, HPAGE_PMD_NR - 1,
	  OFF(max_ptes_swap), false, false },
	{ "khugepaged/max_ptes_shared", SET_INT, NULL, 0, HPAGE_PMD_NR - 1,
	  OFF(max_ptes_shared), false, false },
	{ "khugepaged/pages_to_scan", SET_INT, NULL, 1, UINT_MAX_L,
	  OFF(pages_to_scan), false, false },
	{ "khugepaged/defrag", SET_INT, NULL, 0, 1, OFF(khugepaged_defrag),
	  false, false },
	{ "khugepaged/scan_sleep_millisecs", SET_INT, NULL, 0, UINT_MAX_L,
	  OFF(scan_sleep_millisecs), false, false },
	{ "khugepaged/alloc_sleep_millisecs", SET_INT, NULL, 0, UINT_MAX_L,
	  OFF(alloc_sleep_millisecs), false, false },
	{ "ksm/pages_to_scan", SET_INT, NULL, 0, UINT_MAX_L,
	  OFF(ksm_pages_to_scan), false, false },
	{ "ksm/max_page_sharing", SET_INT, NULL, 2, 2147483647L,
	  OFF(ksm_max_page_sharing), false, false },
	{ "ksm/use_zero_pages", SET_BOOL, NULL, 0, 1, OFF(ksm_use_zero_pages),
	  false, false },
	{ "ksm/sleep_millisecs", SET_INT, NULL, 0, UINT_MAX_L,
	  OFF(ksm_sleep_millisecs), false, false },
	{ "ksm/run", SET_INT, NULL, 0, 2, OFF(ksm_run), false, false },
	{ "ksm/merge_across_nodes", SET_INT, NULL, 0, 1,
	  OFF(ksm_merge_across_nodes), false, false },
	{ "model/zero_page", SET_INT, NULL, 0, 1, OFF(zero_page), true,
	  false },
	{ "model/huge_zero_page", SET_INT, NULL, 0, 1, OFF(huge_zero_page),
	  true, false },
	{ "model/ram", SET_SIZE, NULL, 4L << 20, 64L << 30, OFF(ram_bytes),
	  true, false },
	{ "model/swap", SET_SIZE, NULL, 0, 64L << 30, OFF(swap_bytes), true,
	  false },
};

const int fsim_nr_settings = sizeof(fsim_settings) / sizeof(fsim_settings[0]);

void settings_init_defaults(struct thp_settings *s)
{
	int o;

	memset(s, 0, sizeof(*s));
	s->enabled = THP_MADVISE;	/* this kernel's Kconfig choice */
	for (o = 0; o <= HPAGE_PMD_ORDER; o++)
		s->size_enabled[o] = THP_NEVER;
	s->size_enabled[HPAGE_PMD_ORDER] = THP_INHERIT;
	s->defrag = 3;			/* madvise */
	s->use_zero_page = 1;
	s->shrink_underused = 1;
	s->max_ptes_none = HPAGE_PMD_NR - 1;
	s->max_ptes_swap = HPAGE_PMD_NR / 8;
	s->max_ptes_shared = HPAGE_PMD_NR / 2;
	s->pages_to_scan = HPAGE_PMD_NR * 8;
	s->khugepaged_defrag = 1;
	s->scan_sleep_millisecs = 10000;
	s->alloc_sleep_millisecs = 60000;
	s->ksm_pages_to_scan = 100;
	s->ksm_max_page_sharing = 256;
	s->ksm_use_zero_pages = 0;
	s->ksm_sleep_millisecs = 20;
	s->ksm_run = 0;
	s->ksm_merge_across_nodes = 1;
	s->zero_page = 1;
	s->huge_zero_page = 1;
	s->ram_bytes = 4ULL << 30;
	s->swap_bytes = 4ULL << 30;
}

/* hugepages-<N>kB/enabled: N must be 4 << order for order 2..9 (anon). */
static int size_path_order(const char *path)
{
	char *end;
	unsigned long kb;
	int o;

	if (strncmp(path, "hugepages-", 10))
		return -1;
	errno = 0;
	kb = strtoul(path + 10, &end, 10);
	if (errno || strcmp(end, "kB/enabled"))
		return -1;
	for (o = 2; o <= HPAGE_PMD_ORDER; o++)
		if (kb == (4UL << o))
			return o;
	return -1;
}

const struct setting_desc *setting_lookup(const char *path, int *order)
{
	int i, o = size_path_order(path);

	if (order)
		*order = o;
	for (i = 0; i < fsim_nr_settings; i++) {
		if (fsim_settings[i].per_size ? o >= 0 :
		    !strcmp(fsim_settings[i].path, path))
			return &fsim_settings[i];
	}
	return NULL;
}

static int parse_bool(const char *v)
{
	static const char *const yes[] = { "1", "y", "Y", "yes", "on", NULL };
	static const char *const no[] = { "0", "n", "N", "no", "off", NULL };
	int i;

	for (i = 0; yes[i]; i++)
		if (!strcmp(v, yes[i]))
			return 1;
	for (i = 0; no[i]; i++)
		if (!strcmp(v, no[i]))
			return 0;
	return -1;
}

/* An integer with an optional K/M/G binary suffix; -1 on error. */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno)
		return -1;
	if (*end == 'K')
		n <<= 10, end++;
	else if (*end == 'M')
		n <<= 20, end++;
	else if (*end == 'G')
		n <<= 30, end++;
	if (*end)
		return -1;
	*out = n;
	return 0;
}

static void choices_msg(const struct setting_desc *d, char *err, size_t len)
{
	size_t n = (size_t)snprintf(err, len, "expected one of");
	int i;

	for (i = 0; d->choices[i] && n < len; i++)
		n += (size_t)snprintf(err + n, len - n, "%s %s",
				      i ? "," : "", d->choices[i]);
}

static int setting_parse(const char *path, const char *value, long *out,
			 const struct setting_desc **desc, int *order,
			 char *err, size_t errlen)
{
	const struct setting_desc *d = setting_lookup(path, order);
	char *end;
	long v;
	int i;

	*desc = d;
	if (!d) {
		snprintf(err, errlen, "unknown setting '%s'", path);
		return -1;
	}
	switch (d->kind) {
	case SET_CHOICE:
		for (i = 0; d->choices[i]; i++)
			if (!strcmp(d->choices[i], value)) {
				*out = i;
				return 0;
			}
		choices_msg(d, err, errlen);
		return -1;
	case SET_BOOL:
		v = parse_bool(value);
		if (v < 0) {
			snprintf(err, errlen, "expected a boolean (0 or 1)");
			return -1;
		}
		*out = v;
		return 0;
	case SET_SIZE: {
		uint64_t sz;

		if (parse_size(value, &sz) || sz < (uint64_t)d->min ||
		    sz > (uint64_t)d->max) {
			snprintf(err, errlen,
				 "expected a size from %ldM to %ldG",
				 d->min >> 20, d->max >> 30);
			return -1;
		}
		*out = (long)sz;
		return 0;
	}
	case SET_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < d->min ||
		    v > d->max) {
			snprintf(err, errlen, "expected an integer from %ld to %ld",
				 d->min, d->max);
			return -1;
		}
		*out = v;
		return 0;
	}
	return -1;
}

int setting_check(const char *path, const char *value, char *err,
		  size_t errlen)
{
	const struct setting_desc *d;
	long v;
	int order;

	return setting_parse(path, value, &v, &d, &order, err, errlen);
}

int setting_apply(struct thp_settings *s, const char *path, const char *value,
		  char *err, size_t errlen)
{
	const struct setting_desc *d;
	long v;
	int order;

	if (setting_parse(path, value, &v, &d, &order, err, errlen))
		return -1;
	if (d->per_size) {
		s->size_enabled[order] = v;
	} else if (d->kind == SET_SIZE) {
		*(uint64_t *)((char *)s + d->offset) = (uint64_t)v;
	} else {
		if (d->choices == top_modes && v == THP_INHERIT)
			return -1;
		*(long *)((char *)s + d->offset) = v;
	}
	return 0;
}

int setting_format(const struct thp_settings *s, const char *path, char *buf,
		   size_t len)
{
	const struct setting_desc *d;
	int order;
	long v;

	d = setting_lookup(path, &order);
	if (!d)
		return -1;
	if (d->per_size)
		v = s->size_enabled[order];
	else if (d->kind == SET_SIZE)
		v = (long)*(const uint64_t *)((const char *)s + d->offset);
	else
		v = *(const long *)((const char *)s + d->offset);
	if (d->kind == SET_CHOICE)
		snprintf(buf, len, "%s", d->choices[v]);
	else
		snprintf(buf, len, "%ld", v);
	return 0;
}
