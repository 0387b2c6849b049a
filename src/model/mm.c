// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-table pages and the sorted VMA array of an mm.  Only structure lives
 * here; what happens to the memory behind an entry is the business of the
 * fault, zap, fork and split code.
 */
#include <stdlib.h>
#include <string.h>

#include "mm.h"

struct pmd_table *pmd_table_lookup(struct mm_struct *mm, unsigned long addr,
				   bool alloc)
{
	struct pud_table **pudp = &mm->pgd->e[pgd_index(addr)];
	struct pmd_table **pmdp;

	if (!*pudp) {
		if (!alloc)
			return NULL;
		*pudp = calloc(1, sizeof(**pudp));
		if (!*pudp)
			return NULL;
	}
	pmdp = &(*pudp)->e[pud_index(addr)];
	if (!*pmdp) {
		if (!alloc)
			return NULL;
		*pmdp = calloc(1, sizeof(**pmdp));
	}
	return *pmdp;
}

pmd_t *pmd_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct pmd_table *t = pmd_table_lookup(mm, addr, false);

	return t ? &t->e[pmd_index(addr)] : NULL;
}

pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = pmd_lookup(mm, addr);

	if (!pmd || !pmd_is_table(*pmd))
		return NULL;
	return &pmd_table(*pmd)[pte_index(addr)];
}

pte_t *pte_table_alloc(struct mm_struct *mm)
{
	pte_t *t = calloc(PTRS_PER_TABLE, sizeof(pte_t));

	if (t)
		mm->nr_ptes++;
	return t;
}

/* The slot of @t in the map (insert: an empty one if absent), or NULL. */
static uint32_t *refs_slot(struct table_refs *r, pte_t *t, bool insert)
{
	uintptr_t key = (uintptr_t)t;
	uint32_t h, mask;

	if (insert && 2 * (r->used + 1) > r->cap) {
		struct table_refs old = *r;
		uint32_t i;

		r->cap = old.cap ? 2 * old.cap : 64;
		r->keys = calloc(r->cap, sizeof(*r->keys));
		r->extra = calloc(r->cap, sizeof(*r->extra));
		if (!r->keys || !r->extra)
			abort();	/* out of host memory */
		r->used = 0;
		for (i = 0; i < old.cap; i++)
			if (old.keys[i] && old.extra[i])
				*refs_slot(r, (pte_t *)old.keys[i], true) =
					old.extra[i];
		free(old.keys);
		free(old.extra);
	}
	if (!r->cap)
		return NULL;
	mask = r->cap - 1;
	for (h = (uint32_t)(key >> 4) * 2654435761U & mask;;
	     h = (h + 1) & mask) {
		if (r->keys[h] == key)
			return &r->extra[h];
		if (!r->keys[h]) {
			if (!insert)
				return NULL;
			r->keys[h] = key;
			r->used++;
			return &r->extra[h];
		}
	}
}

void pte_table_share(struct mm_struct *mm, pte_t *table)
{
	(*refs_slot(mm->refs, table, true))++;
	mm->nr_ptes++;
}

/* Entries with no extra reference stay in the map as tombstones (0). */
void pte_table_free(struct mm_struct *mm, pte_t *table)
{
	uint32_t *extra;

	if (!table)
		return;
	mm->nr_ptes--;
	extra = refs_slot(mm->refs, table, false);
	if (extra && *extra) {
		(*extra)--;
		return;
	}
	free(table);
}

pte_t *pte_table_own(struct mm_struct *mm, pte_t **slot)
{
	uint32_t *extra = refs_slot(mm->refs, *slot, false);
	pte_t *copy;

	if (!extra || !*extra)
		return *slot;
	copy = malloc(PTRS_PER_TABLE * sizeof(pte_t));
	if (!copy)
		return NULL;
	memcpy(copy, *slot, PTRS_PER_TABLE * sizeof(pte_t));
	(*extra)--;
	*slot = copy;
	return copy;
}

void table_refs_free(struct table_refs *r)
{
	free(r->keys);
	free(r->extra);
	memset(r, 0, sizeof(*r));
}

static void free_pmd_table(struct mm_struct *mm, struct pmd_table *t)
{
	int i;

	for (i = 0; i < PTRS_PER_TABLE; i++) {
		if (pmd_is_table(t->e[i]))
			pte_table_free(mm, pmd_table(t->e[i]));
		pte_table_free(mm, t->deposit[i]);
	}
	free(t);
}

void free_all_pgtables(struct mm_struct *mm)
{
	int i, j;

	for (i = 0; i < PTRS_PER_TABLE; i++) {
		struct pud_table *pud = mm->pgd->e[i];

		if (!pud)
			continue;
		for (j = 0; j < PTRS_PER_TABLE; j++)
			if (pud->e[j])
				free_pmd_table(mm, pud->e[j]);
		free(pud);
		mm->pgd->e[i] = NULL;
	}
}

/*
 * free_pgtables(): a PTE table goes away once no VMA intersects its 2 MiB
 * range, and a PMD table once no VMA intersects its 1 GiB range, as
 * free_pgd_range() does with the neighbours as floor and ceiling.  (The
 * PUD tables above are kept: no verdict depends on them.)
 */
void free_pgtables(struct mm_struct *mm, unsigned long start,
		   unsigned long end)
{
	const unsigned long pud_size = 1UL << PUD_SHIFT;
	unsigned long addr;

	for (addr = ALIGN_DOWN_PMD(start); addr < end; addr += PMD_SIZE) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		pmd_t *pmd;

		if (vma && vma->vm_start < addr + PMD_SIZE)
			continue;
		pmd = pmd_lookup(mm, addr);
		if (pmd && pmd_is_table(*pmd)) {
			pte_table_free(mm, pmd_table(*pmd));
			*pmd = 0;
		}
	}
	for (addr = start & ~(pud_size - 1); addr < end; addr += pud_size) {
		struct pud_table *pud = mm->pgd->e[pgd_index(addr)];
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!pud || !pud->e[pud_index(addr)] ||
		    (vma && vma->vm_start < addr + pud_size))
			continue;
		free_pmd_table(mm, pud->e[pud_index(addr)]);
		pud->e[pud_index(addr)] = NULL;
	}
}

/* First VMA with vm_end > addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	int lo = 0, hi = mm->nr_vmas;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (mm->vmas[mid].vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < mm->nr_vmas ? &mm->vmas[lo] : NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

static int vma_make_room(struct mm_struct *mm, int pos)
{
	if (mm->nr_vmas == mm->cap_vmas) {
		int cap = mm->cap_vmas ? mm->cap_vmas * 2 : 8;
		void *p = realloc(mm->vmas, (size_t)cap * sizeof(*mm->vmas));

		if (!p)
			return -1;
		mm->vmas = p;
		mm->cap_vmas = cap;
	}
	memmove(&mm->vmas[pos + 1], &mm->vmas[pos],
		(size_t)(mm->nr_vmas - pos) * sizeof(*mm->vmas));
	mm->nr_vmas++;
	return 0;
}

void vma_avc_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma->anon_vma && mm->avc_clock)
		vma->avc_seq = ++*mm->avc_clock;
}

int vma_split_at(struct mm_struct *mm, unsigned long addr, bool new_below)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	int pos;

	if (!vma || vma->vm_start == addr)
		return 0;
	pos = (int)(vma - mm->vmas);
	if (vma_make_room(mm, pos + 1))
		return -1;
	vma = &mm->vmas[pos];
	mm->vmas[pos + 1] = *vma;
	mm->vmas[pos + 1].vm_start = addr;
	mm->vmas[pos + 1].vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	vma->vm_end = addr;
	vma_avc_link(mm, &mm->vmas[new_below ? pos : pos + 1]);
	vma_avc_link(mm, &mm->vmas[new_below ? pos + 1 : pos]);
	return 0;
}

struct vm_area_struct *vma_insert(struct mm_struct *mm,
				  const struct vm_area_struct *v)
{
	struct vm_area_struct *next = find_vma(mm, v->vm_start);
	int pos = next ? (int)(next - mm->vmas) : mm->nr_vmas;

	if (next && next->vm_start < v->vm_end)
		return NULL;
	if (vma_make_room(mm, pos))
		return NULL;
	mm->vmas[pos] = *v;
	vma_avc_link(mm, &mm->vmas[pos]);
	return &mm->vmas[pos];
}

void vma_remove_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	int i, j = 0;

	vma_split_at(mm, start, true);
	vma_split_at(mm, end, false);
	for (i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = &mm->vmas[i];

		if (v->vm_start >= start && v->vm_end <= end)
			continue;
		mm->vmas[j++] = *v;
	}
	mm->nr_vmas = j;
}

/*
 * Anonymous VMAs merge when they touch, have the same flags, compatible
 * anon_vmas and consecutive page offsets (is_mergeable_anon_vma()).
 */
static bool vma_can_merge(const struct vm_area_struct *a,
			  const struct vm_area_struct *b)
{
	if (a->vm_end != b->vm_start || a->vm_flags != b->vm_flags)
		return false;
	if (a->anon_vma && b->anon_vma && a->anon_vma != b->anon_vma)
		return false;
	/* is_mergeable_anon_vma(): one without needs a singular chain */
	if ((!a->anon_vma || !b->anon_vma) &&
	    (a->anon_vma_forked || b->anon_vma_forked))
		return false;
	return a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) ==
	       b->vm_pgoff;
}

/*
 * The VMA a merge keeps is the neighbour that grows over the changed
 * range: the previous VMA if the range merges with it, else the next one
 * (vma_merge_existing_range(), vma_merge_new_range()).  The model always
 * keeps the lower entry, so when a changed VMA merges only with its next
 * neighbour it takes over what that neighbour carries per VMA: the swap
 * readahead window and hits.
 */
static void vma_merge_keep_next(struct vm_area_struct *a,
				const struct vm_area_struct *b)
{
	a->swap_ra_addr = b->swap_ra_addr;
	a->swap_ra_win = b->swap_ra_win;
	a->swap_ra_hits = b->swap_ra_hits;
}

void vma_merge_range(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	bool grown = false;	/* vmas[i] already absorbed a neighbour */
	int i = 0;

	while (i + 1 < mm->nr_vmas) {
		struct vm_area_struct *a = &mm->vmas[i], *b = a + 1;

		if (b->vm_start < start || a->vm_end > end ||
		    !vma_can_merge(a, b)) {
			i++;
			grown = false;
			continue;
		}
		/* a lies in the changed range: it is the middle, not prev */
		if (!grown && a->vm_start > start)
			vma_merge_keep_next(a, b);
		grown = true;
		a->vm_end = b->vm_end;
		if (!a->anon_vma)
			a->anon_vma = b->anon_vma;
		a->anon_vma_forked |= b->anon_vma_forked;
		vma_avc_link(mm, a);	/* the grown VMA is relinked */
		memmove(b, b + 1,
			(size_t)(mm->nr_vmas - i - 2) * sizeof(*b));
		mm->nr_vmas--;
	}
}

bool vma_range_covered(struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	while (start < end) {
		struct vm_area_struct *vma = vma_lookup(mm, start);

		if (!vma)
			return false;
		start = vma->vm_end;
	}
	return true;
}
