// SPDX-License-Identifier: GPL-2.0-only
/*
 * Machine life cycle, settings, errors, content tags, mm ids and the
 * process operations (spawn, fork, exit).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "khugepaged.h"
#include "ksm.h"
#include "model.h"
#include "swap.h"

const char *const fsim_advice_names[NR_FSIM_ADVICE] = {
	[FSIM_MADV_HUGEPAGE] = "hugepage",
	[FSIM_MADV_NOHUGEPAGE] = "nohugepage",
	[FSIM_MADV_DONTNEED] = "dontneed",
	[FSIM_MADV_COLLAPSE] = "collapse",
	[FSIM_MADV_PAGEOUT] = "pageout",
	[FSIM_MADV_MERGEABLE] = "mergeable",
	[FSIM_MADV_UNMERGEABLE] = "unmergeable",
	[FSIM_MADV_DONTFORK] = "dontfork",
	[FSIM_MADV_DOFORK] = "dofork",
	[FSIM_MADV_COLD] = "cold",
};

int fsim_err(struct fsim_machine *m, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *fsim_strerror(struct fsim_machine *m)
{
	return m->err;
}

struct fsim_machine *fsim_new(const struct thp_settings *set,
			      const struct fsim_profile *profile)
{
	struct fsim_machine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (set)
		m->set = *set;
	else
		settings_init_defaults(&m->set);
	m->profile_buf = profile ? *profile : *profile_default();
	m->profile = &m->profile_buf;
	m->shared = m->profile->shared;
	m->next_unique = 1;
	m->khugepaged = khugepaged_state_new();
	m->ksm = ksm_state_new();
	if (!m->khugepaged || !m->ksm || phys_init(&m->phys, m->set.ram_bytes) ||
	    swap_init(m, m->set.swap_bytes)) {
		fsim_free(m);
		return NULL;
	}
	return m;
}

static void mm_destroy(struct fsim_machine *m, struct mm_struct *mm)
{
	(void)m;
	free_all_pgtables(mm);
	free(mm->pgd);
	free(mm->vmas);
	free(mm);
}

void fsim_free(struct fsim_machine *m)
{
	int i;

	if (!m)
		return;
	for (i = 0; i < m->nr_mms; i++)
		mm_destroy(m, m->mms[i]);
	free(m->mms);
	table_refs_free(&m->table_refs);
	free(m->values);
	free(m->exact_cache);
	free(m->check_buf);
	khugepaged_state_free(m->khugepaged);
	ksm_state_free(m->ksm);
	swap_destroy(m);
	phys_destroy(&m->phys);
	free(m);
}

void fsim_set_shared_pred(struct fsim_machine *m, enum shared_pred pred)
{
	m->shared = pred;
}

int fsim_set(struct fsim_machine *m, const char *path, const char *value)
{
	const struct setting_desc *d = setting_lookup(path, NULL);

	if (d && d->kind == SET_SIZE)
		return fsim_err(m, -EINVAL,
				"%s can only be set before the first process",
				path);
	if (setting_apply(&m->set, path, value, m->err, sizeof(m->err)))
		return -EINVAL;
	return 0;
}

content_t content_unique(struct fsim_machine *m)
{
	/* Unique tags use the low 31 bits; wrapping would need 2^31 writes. */
	content_t c = m->next_unique++;

	if (m->next_unique >= 0x80000000U)
		m->next_unique = 1;
	return c;
}

content_t content_value(struct fsim_machine *m, uint64_t value)
{
	uint32_t i;

	if (!value)
		return 0;
	for (i = 0; i < m->nr_values; i++)
		if (m->values[i] == value)
			return 0x80000000U | i;
	if (m->nr_values == m->cap_values) {
		uint32_t cap = m->cap_values ? 2 * m->cap_values : 16;
		void *p = realloc(m->values, cap * sizeof(*m->values));

		if (!p)
			abort();
		m->values = p;
		m->cap_values = cap;
	}
	m->values[m->nr_values] = value;
	return 0x80000000U | m->nr_values++;
}

void content_mark_origin(struct fsim_machine *m)
{
	m->unique_origin = m->next_unique - 1;
}

/* The 64-bit word the kernel executor fills a page of @c with. */
static uint64_t content_word(const struct fsim_machine *m, content_t c)
{
	if (!c)
		return 0;
	if (c & 0x80000000U)
		return m->values[c & 0x7fffffffU];
	return UNIQUE_CONTENT_TAG | (uint64_t)(c - m->unique_origin);
}

int content_memcmp(const struct fsim_machine *m, content_t a, content_t b)
{
	/* memcmp() of little-endian words: the low byte compares first */
	uint64_t x = __builtin_bswap64(content_word(m, a));
	uint64_t y = __builtin_bswap64(content_word(m, b));

	return x < y ? -1 : x > y;
}

void folio_put_refs(struct fsim_machine *m, struct folio *folio, int nr)
{
	folio->page._refcount -= nr;
	if (folio->page._refcount == 0)
		folio_free(&m->phys, folio);
}

uint32_t mm_alloc_id(struct fsim_machine *m)
{
	uint32_t id;
	int i;

	for (id = 1;; id++) {
		for (i = 0; i < m->nr_mms; i++)
			if (m->mms[i]->alive && m->mms[i]->mm_id == id)
				break;
		if (i == m->nr_mms)
			return id;
	}
}

static struct mm_struct *mm_new(struct fsim_machine *m)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	mm->pgd = calloc(1, sizeof(*mm->pgd));
	if (!mm->pgd || m->nr_mms == INT32_MAX) {
		free(mm->pgd);
		free(mm);
		return NULL;
	}
	if (m->nr_mms == m->cap_mms) {
		int cap = m->cap_mms ? 2 * m->cap_mms : 8;
		void *p = realloc(m->mms, (size_t)cap * sizeof(*m->mms));

		if (!p) {
			free(mm->pgd);
			free(mm);
			return NULL;
		}
		m->mms = p;
		m->cap_mms = cap;
	}
	mm->refs = &m->table_refs;
	mm->avc_clock = &m->avc_clock;
	mm->mm_id = mm_alloc_id(m);
	mm->alive = true;
	mm->idx = m->nr_mms;
	m->mms[m->nr_mms++] = mm;
	return mm;
}

struct mm_struct *fsim_spawn(struct fsim_machine *m)
{
	struct mm_struct *mm = mm_new(m);

	if (!mm)
		fsim_err(m, -ENOMEM, "out of host memory");
	return mm;
}

struct mm_struct *fsim_fork(struct fsim_machine *m, struct mm_struct *parent)
{
	struct mm_struct *child;

	if (!parent || !parent->alive) {
		fsim_err(m, -ESRCH, "no such process");
		return NULL;
	}
	child = mm_new(m);
	if (!child) {
		fsim_err(m, -ENOMEM, "out of host memory");
		return NULL;
	}
	ksm_fork(m, child, parent);
	if (dup_mmap(m, child, parent)) {
		fsim_exit(m, child);
		fsim_err(m, -ENOMEM, "fork: out of memory");
		return NULL;
	}
	return child;
}

/* exit_mmap(): zap everything, free the tables, leave khugepaged. */
int fsim_exit(struct fsim_machine *m, struct mm_struct *mm)
{
	int i;

	if (!mm || !mm->alive)
		return fsim_err(m, -ESRCH, "no such process");
	khugepaged_exit(m, mm);
	ksm_exit(m, mm);
	for (i = 0; i < mm->nr_vmas; i++)
		zap_vma_range(m, mm, &mm->vmas[i], mm->vmas[i].vm_start,
			      mm->vmas[i].vm_end, false);
	mm->nr_vmas = 0;
	free_all_pgtables(mm);
	mm->alive = false;
	return 0;
}

/* Memory pressure: one full pass of the deferred-split shrinker. */
void fsim_shrink(struct fsim_machine *m)
{
	deferred_split_scan(m, m->phys.deferred_len);
}

long fsim_khugepaged(struct fsim_machine *m, long n)
{
	return khugepaged_run(m, n);
}

bool fsim_khugepaged_thread(struct fsim_machine *m)
{
	return khugepaged_enabled(m);
}
