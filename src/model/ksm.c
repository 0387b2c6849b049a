// SPDX-License-Identifier: GPL-2.0-only
/*
 * KSM for anonymous memory (mm/ksm.c of Linux 6.18): MADV_MERGEABLE and
 * MADV_UNMERGEABLE, ksmd's scan (scan_get_next_rmap_item(),
 * cmp_and_merge_page()), merging (write_protect_page(), replace_page()),
 * the stable and unstable trees, use_zero_pages and the counters.
 *
 * The stable tree is a plain array searched by content tag: a search that
 * finds a node of equal contents is all that matters there, stale nodes
 * being pruned on the way.  Stable-node chains are nodes with equal
 * content; a merge joins the fullest node that still has room below
 * max_page_sharing.  The unstable tree is a red-black tree ordered like
 * memcmp() of the pages, as the kernel's: its search gives up at the
 * first node on its path whose page is gone, so its shape matters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ksm.h"
#include "model.h"

struct ksm_state *ksm_state_new(void)
{
	struct ksm_state *k = calloc(1, sizeof(*k));

	if (k)
		k->cursor = -1;
	return k;
}

static void free_subtree(struct rb_node *n)
{
	if (!n)
		return;
	free_subtree(n->left);
	free_subtree(n->right);
	free(n);	/* rb is the first member of ksm_unstable_node */
}

/* A full scan starts with an empty unstable tree. */
static void unstable_tree_reset(struct ksm_state *k)
{
	int s, i;

	for (s = 0; s < k->nr_slots; s++)
		for (i = 0; i < k->slots[s].nr; i++)
			k->slots[s].items[i].unode = NULL;
	free_subtree(k->unstable.node);
	k->unstable.node = NULL;
}

void ksm_state_free(struct ksm_state *k)
{
	int i;

	if (!k)
		return;
	unstable_tree_reset(k);
	for (i = 0; i < k->nr_slots; i++)
		free(k->slots[i].items);
	free(k->slots);
	free(k->nodes);
	free(k);
}

static int slot_of(struct ksm_state *k, struct mm_struct *mm)
{
	int i;

	for (i = 0; i < k->nr_slots; i++)
		if (k->slots[i].mm == mm)
			return i;
	return -1;
}

/*
 * __ksm_enter(): a new mm goes just behind the scan cursor, so that it is
 * scanned last in the current round (at the tail when at the list head).
 */
static int ksm_enter(struct fsim_machine *m, struct mm_struct *mm)
{
	struct ksm_state *k = m->ksm;
	int at = k->cursor < 0 ? k->nr_slots : k->cursor;

	if (mm->flags & MMF_VM_MERGEABLE)
		return 0;
	if (k->nr_slots == k->cap_slots) {
		int cap = k->cap_slots ? 2 * k->cap_slots : 8;
		void *p = realloc(k->slots, (size_t)cap * sizeof(*k->slots));

		if (!p)
			return -ENOMEM;
		k->slots = p;
		k->cap_slots = cap;
	}
	memmove(&k->slots[at + 1], &k->slots[at],
		(size_t)(k->nr_slots - at) * sizeof(*k->slots));
	memset(&k->slots[at], 0, sizeof(k->slots[at]));
	k->slots[at].mm = mm;
	k->nr_slots++;
	if (k->cursor >= 0)
		k->cursor++;
	mm->flags |= MMF_VM_MERGEABLE;
	return 0;
}

/* remove_rmap_item_from_tree() */
static void item_untree(struct ksm_state *k, struct ksm_rmap_item *it)
{
	if (it->stable >= 0) {
		k->nodes[it->stable].nr_items--;
		it->stable = -1;
	}
	if (it->unode) {	/* a node of this scan's tree */
		rb_erase(&it->unode->rb, &k->unstable);
		free(it->unode);
		it->unode = NULL;
	}
	it->unstable_seq = 0;
}

static void slot_remove(struct ksm_state *k, int s)
{
	int i;

	for (i = 0; i < k->slots[s].nr; i++)
		item_untree(k, &k->slots[s].items[i]);
	free(k->slots[s].items);
	k->slots[s].mm->flags &= ~MMF_VM_MERGEABLE;
	memmove(&k->slots[s], &k->slots[s + 1],
		(size_t)(k->nr_slots - s - 1) * sizeof(*k->slots));
	k->nr_slots--;
	if (k->cursor > s)
		k->cursor--;
}

void ksm_fork(struct fsim_machine *m, struct mm_struct *child,
	      struct mm_struct *parent)
{
	if (parent->flags & MMF_VM_MERGEABLE)
		ksm_enter(m, child);
}

/* __ksm_exit(): the cursor's slot is left for the scanner to drop. */
void ksm_exit(struct fsim_machine *m, struct mm_struct *mm)
{
	struct ksm_state *k = m->ksm;
	int s = slot_of(k, mm);

	if (s >= 0 && s != k->cursor)
		slot_remove(k, s);
}

void ksm_might_unmap_zero_page(struct fsim_machine *m, pte_t pte)
{
	if (pte_present(pte) && pte_special(pte) && pte_dirty(pte))
		m->ksm->zero_pages--;
}

/* The page mapped at @addr (by PTE or inside a huge PMD), or NULL. */
static struct page *follow_page(struct fsim_machine *m, struct mm_struct *mm,
				unsigned long addr)
{
	pmd_t *pmd = pmd_lookup(mm, addr);
	pte_t pte;

	if (!pmd || pmd_none(*pmd))
		return NULL;
	if (pmd_trans_huge(*pmd))
		return pmd_huge_zero(*pmd) ? NULL :
		       &m->phys.pages[pmd_pfn(*pmd) + pte_index(addr)];
	pte = pmd_table(*pmd)[pte_index(addr)];
	if (!pte_present(pte) || pte_special(pte))
		return NULL;
	return &m->phys.pages[pte_pfn(pte)];
}

/*
 * write_protect_page(): make the one PTE at @addr read-only and clean,
 * dropping exclusivity; refuses if the folio has unexpected references.
 */
static int write_protect_page(struct fsim_machine *m, struct mm_struct *mm,
			      unsigned long addr, struct folio *folio)
{
	pte_t *ptep = pte_lookup(mm, addr);
	struct page *page;
	long extra;

	if (!ptep || !pte_present(*ptep) || pte_special(*ptep))
		return -EFAULT;
	page = &m->phys.pages[pte_pfn(*ptep)];
	extra = folio_test(folio, PG_swapcache) ? 1 : 0;
	if (pte_write(*ptep) || pte_dirty(*ptep) || PageAnonExclusive(page)) {
		if (folio_mapcount(m, folio) + extra != folio_ref_count(folio))
			return -EBUSY;
		if (PageAnonExclusive(page) &&
		    folio_try_share_anon_rmap_pte(m, folio, page))
			return -EBUSY;
		if (pte_dirty(*ptep))
			folio_set(folio, PG_dirty);
		*ptep &= ~(_PTE_WRITE | _PTE_DIRTY);
	}
	return 0;
}

/* replace_page(): map @kpage (or a KSM zero page) instead of the page. */
static void replace_page(struct fsim_machine *m, struct mm_struct *mm,
			 unsigned long addr, struct folio *old,
			 struct page *kpage)
{
	pte_t *ptep = pte_lookup(mm, addr);
	struct page *page = &m->phys.pages[pte_pfn(*ptep)];

	if (!kpage) {
		set_pte_keep(ptep, pte_mkzero() | _PTE_DIRTY);
		mm_inc_rss(mm, MM_ANONPAGES, -1);
		m->ksm->zero_pages++;
	} else {
		struct folio *kf = page_folio(&m->phys, kpage);

		folio_ref_add(kf, 1);
		folio_add_anon_rmap_ptes(m, kf, kpage, 1, mm, RMAP_NONE);
		set_pte_keep(ptep,
			     pfn_pte(page_to_pfn(&m->phys, kpage), _PTE_YOUNG));
	}
	folio_remove_rmap_ptes(m, old, page, 1, mm);
	if (!folio_mapped(m, old) && folio_test(old, PG_swapcache))
		folio_free_swap(m, old);
	folio_put_refs(m, old, 1);
}

/*
 * try_to_merge_one_page(): split a large folio first; then either turn
 * the page itself into a KSM page (@kpage NULL and !@zero) or map @kpage
 * (or the zero page) in its place.  Returns 0 on success.
 */
static int try_to_merge_one_page(struct fsim_machine *m, struct mm_struct *mm,
				 unsigned long addr, struct page *kpage,
				 bool zero)
{
	struct page *page = follow_page(m, mm, addr);
	struct folio *folio;

	if (!page)
		return -EFAULT;
	folio = page_folio(&m->phys, page);
	if (!folio_test(folio, PG_anon))
		return -EFAULT;
	if (folio_test_large(folio)) {
		if (split_folio_to_order(m, folio, 0))
			return -EBUSY;
		page = follow_page(m, mm, addr);
		if (!page)
			return -EFAULT;
		folio = page_folio(&m->phys, page);
	}
	if (write_protect_page(m, mm, addr, folio))
		return -EBUSY;
	if (!kpage && !zero) {
		folio_set(folio, PG_ksm | PG_referenced | PG_dirty);
		return 0;
	}
	if (kpage && kpage->content != page->content)
		return -EBUSY;	/* pages_identical() failed */
	replace_page(m, mm, addr, folio, kpage);
	return 0;
}

/* A live stable node for the KSM page at @pfn, or -1. */
static int node_of_pfn(struct ksm_state *k, pfn_t pfn)
{
	int i;

	for (i = 0; i < k->nr_nodes; i++)
		if (k->nodes[i].live && k->nodes[i].kpfn == pfn)
			return i;
	return -1;
}

/* get_ksm_page(): a node whose KSM page is gone is pruned. */
static bool node_valid(struct fsim_machine *m, int n)
{
	struct ksm_stable_node *node = &m->ksm->nodes[n];
	struct page *page = &m->phys.pages[node->kpfn];

	if (node->live && (page->flags & PG_allocated) &&
	    (page->flags & PG_ksm) && page->content == node->content &&
	    folio_mapped(m, page_folio(&m->phys, page)))
		return true;
	node->live = false;
	return false;
}

/*
 * stable_tree_search(): among the nodes with @content, the fullest one
 * that can still take a mapping (chain_prune() packs them that way).
 */
static int stable_tree_search(struct fsim_machine *m, content_t content)
{
	struct ksm_state *k = m->ksm;
	int i, best = -1;

	for (i = 0; i < k->nr_nodes; i++) {
		if (k->nodes[i].content != content || !node_valid(m, i))
			continue;
		if (k->nodes[i].nr_items >= m->set.ksm_max_page_sharing)
			continue;
		if (best < 0 || k->nodes[i].nr_items > k->nodes[best].nr_items)
			best = i;
	}
	return best;
}

static int stable_tree_insert(struct fsim_machine *m, struct page *kpage)
{
	struct ksm_state *k = m->ksm;
	struct ksm_stable_node *node;

	if (k->nr_nodes == k->cap_nodes) {
		int cap = k->cap_nodes ? 2 * k->cap_nodes : 16;
		void *p = realloc(k->nodes, (size_t)cap * sizeof(*k->nodes));

		if (!p)
			return -1;
		k->nodes = p;
		k->cap_nodes = cap;
	}
	node = &k->nodes[k->nr_nodes];
	node->content = kpage->content;
	node->kpfn = page_to_pfn(&m->phys, kpage);
	node->nr_items = 0;
	node->live = true;
	return k->nr_nodes++;
}

static void stable_tree_append(struct ksm_state *k,
			       struct ksm_rmap_item *it, int n)
{
	it->stable = n;
	k->nodes[n].nr_items++;
}

/* The rmap_item of @mm at @addr. */
static struct ksm_rmap_item *item_at(struct ksm_state *k, struct mm_struct *mm,
				     unsigned long addr)
{
	struct ksm_slot *sl = &k->slots[slot_of(k, mm)];
	int lo = 0, hi = sl->nr - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (sl->items[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &sl->items[lo];
}

/* get_mergeable_page(): the anon page still mapped at a tree node, or NULL. */
static struct page *get_mergeable_page(struct fsim_machine *m,
				       struct mm_struct *mm,
				       unsigned long addr)
{
	struct vm_area_struct *vma = mm->alive ? vma_lookup(mm, addr) : NULL;
	struct page *page;

	if (!vma || !(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma)
		return NULL;
	page = follow_page(m, mm, addr);
	if (!page || !(page_folio(&m->phys, page)->page.flags & PG_anon))
		return NULL;
	return page;
}

/*
 * unstable_tree_search_insert(): walk this scan's tree from the root by
 * the pages' current contents; an equal page is the merge partner,
 * otherwise @it is inserted where the walk ended.  A node whose page is
 * gone (unmapped, swapped out, now the zero page) ends the walk without
 * inserting, and stays in the tree.
 */
static struct ksm_rmap_item *
unstable_tree_search_insert(struct fsim_machine *m, struct mm_struct *mm,
			    struct ksm_rmap_item *it, struct page *page,
			    struct mm_struct **tree_mm, struct page **tree_page)
{
	struct ksm_state *k = m->ksm;
	struct rb_node **link = &k->unstable.node, *parent = NULL;
	struct ksm_unstable_node *node;

	while (*link) {
		struct ksm_unstable_node *t = (struct ksm_unstable_node *)*link;
		struct page *tp = get_mergeable_page(m, t->mm, t->addr);
		int ret;

		if (!tp || tp == page)	/* gone, or a forked page: itself */
			return NULL;
		ret = content_memcmp(m, page->content, tp->content);
		parent = *link;
		if (!ret) {
			*tree_mm = t->mm;
			*tree_page = tp;
			return item_at(k, t->mm, t->addr);
		}
		link = ret < 0 ? &parent->left : &parent->right;
	}
	node = malloc(sizeof(*node));
	if (!node)
		return NULL;
	node->mm = mm;
	node->addr = it->addr;
	rb_link_node(&node->rb, parent, link);
	rb_insert_color(&node->rb, &k->unstable);
	it->unode = node;
	it->unstable_seq = k->seqnr + 1;
	return NULL;
}

/* break_cow() of the KSM page at addr: an unsharing fault copies it. */
static void break_ksm(struct fsim_machine *m, struct mm_struct *mm,
		      struct vm_area_struct *vma, unsigned long addr)
{
	pte_t *ptep = pte_lookup(mm, addr);
	struct folio *folio;

	if (!ptep || !pte_present(*ptep))
		return;
	if (pte_special(*ptep)) {
		if (pte_dirty(*ptep))
			unshare_fault(m, mm, vma, addr, ptep);
		return;
	}
	folio = pfn_folio(&m->phys, pte_pfn(*ptep));
	if (folio_test(folio, PG_ksm))
		unshare_fault(m, mm, vma, addr, ptep);
}

void ksm_unmerge_range(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long start, unsigned long end)
{
	unsigned long addr;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);

		if (vma && (vma->vm_flags & VM_MERGEABLE))
			break_ksm(m, mm, vma, addr);
	}
}

/* cmp_and_merge_page() of 6.18 */
static void cmp_and_merge_page(struct fsim_machine *m, struct mm_struct *mm,
			       struct ksm_rmap_item *it, struct page *page)
{
	struct ksm_state *k = m->ksm;
	struct folio *folio = page_folio(&m->phys, page);
	struct ksm_rmap_item *tree_it;
	struct mm_struct *tree_mm;
	struct page *tree_page;
	int node = -1, kn;

	if (folio_test(folio, PG_ksm)) {
		node = node_of_pfn(k, page_to_pfn(&m->phys, page));
		if (node >= 0 && it->stable == node)
			return;
	} else {
		item_untree(k, it);
		if (!it->seen || it->checksum != page->content) {
			it->checksum = page->content;
			it->seen = true;
			return;
		}
		if (m->set.ksm_use_zero_pages && !it->checksum &&
		    !try_to_merge_one_page(m, mm, it->addr, NULL, true))
			return;
	}
	kn = stable_tree_search(m, page->content);
	if (kn >= 0 && k->nodes[kn].kpfn == page_to_pfn(&m->phys, page) &&
	    it->stable == node)
		return;
	item_untree(k, it);
	if (kn >= 0) {
		if (!try_to_merge_one_page(m, mm, it->addr,
					   &m->phys.pages[k->nodes[kn].kpfn],
					   false))
			stable_tree_append(k, it, kn);
		return;
	}
	if (folio_test(folio, PG_ksm))
		return;
	tree_it = unstable_tree_search_insert(m, mm, it, page, &tree_mm,
					      &tree_page);
	if (!tree_it)
		return;
	if (folio_test_large(folio) &&
	    page_folio(&m->phys, tree_page) == folio) {
		/*
		 * Both pages lie in one large folio: the reference ksmd holds
		 * on the tree page makes the split in try_to_merge_one_page()
		 * fail.  Once that reference is dropped, cmp_and_merge_page()
		 * splits the folio, and nothing merges in this round.
		 */
		folio_ref_add(folio, 1);
		split_folio_to_order(m, folio, 0);
		folio_put_refs(m, folio, 1);
		split_folio_to_order(m, folio, 0);
		return;
	}
	/* try_to_merge_two_pages(): this page becomes the KSM page */
	if (try_to_merge_one_page(m, mm, it->addr, NULL, false))
		return;
	page = follow_page(m, mm, it->addr);
	if (try_to_merge_one_page(m, tree_mm, tree_it->addr, page, false)) {
		break_ksm(m, mm, vma_lookup(mm, it->addr), it->addr);
		return;
	}
	item_untree(k, tree_it);	/* out of the unstable tree */
	kn = stable_tree_insert(m, page);
	if (kn < 0)
		return;
	stable_tree_append(k, tree_it, kn);
	stable_tree_append(k, it, kn);
}

/* get_next_rmap_item(): drop stale items below @addr, find or make one. */
static struct ksm_rmap_item *get_next_rmap_item(struct ksm_state *k,
						struct ksm_slot *sl,
						unsigned long addr)
{
	int pos = k->cursor_pos;

	while (pos < sl->nr && sl->items[pos].addr < addr) {
		item_untree(k, &sl->items[pos]);
		memmove(&sl->items[pos], &sl->items[pos + 1],
			(size_t)(sl->nr - pos - 1) * sizeof(*sl->items));
		sl->nr--;
	}
	if (pos == sl->nr || sl->items[pos].addr != addr) {
		if (sl->nr == sl->cap) {
			int cap = sl->cap ? 2 * sl->cap : 64;
			void *p = realloc(sl->items,
					  (size_t)cap * sizeof(*sl->items));

			if (!p)
				return NULL;
			sl->items = p;
			sl->cap = cap;
		}
		memmove(&sl->items[pos + 1], &sl->items[pos],
			(size_t)(sl->nr - pos) * sizeof(*sl->items));
		memset(&sl->items[pos], 0, sizeof(sl->items[pos]));
		sl->items[pos].addr = addr;
		sl->items[pos].stable = -1;
		sl->nr++;
	}
	k->cursor_pos = pos + 1;
	return &sl->items[pos];
}

/* Scan the cursor's mm from cursor_addr: the next anon page, or none. */
static struct ksm_rmap_item *scan_mm(struct fsim_machine *m,
				     struct ksm_slot *sl, struct page **pagep)
{
	struct ksm_state *k = m->ksm;
	struct mm_struct *mm = sl->mm;
	int v;

	for (v = 0; mm->alive && v < mm->nr_vmas; v++) {
		struct vm_area_struct *vma = &mm->vmas[v];

		if (vma->vm_end <= k->cursor_addr ||
		    !(vma->vm_flags & VM_MERGEABLE))
			continue;
		if (k->cursor_addr < vma->vm_start)
			k->cursor_addr = vma->vm_start;
		if (!vma->anon_vma)
			k->cursor_addr = vma->vm_end;
		while (k->cursor_addr < vma->vm_end) {
			struct page *page = follow_page(m, mm, k->cursor_addr);

			if (page && (page_folio(&m->phys, page)->page.flags &
				     PG_anon)) {
				*pagep = page;
				k->cursor_addr += PAGE_SIZE;
				return get_next_rmap_item(
					k, sl, k->cursor_addr - PAGE_SIZE);
			}
			k->cursor_addr += PAGE_SIZE;
		}
	}
	return NULL;
}

/*
 * scan_get_next_rmap_item(): the next page to look at, or NULL when a full
 * scan has just completed (or nothing is registered).
 */
static struct ksm_rmap_item *scan_next(struct fsim_machine *m,
				       struct mm_struct **mmp,
				       struct page **pagep)
{
	struct ksm_state *k = m->ksm;

	if (!k->nr_slots)
		return NULL;
	if (k->cursor < 0) {
		k->cursor = 0;
		unstable_tree_reset(k);
		k->cursor_addr = 0;
		k->cursor_pos = 0;
	}
	while (k->cursor < k->nr_slots) {
		struct ksm_slot *sl = &k->slots[k->cursor];
		struct ksm_rmap_item *it = scan_mm(m, sl, pagep);
		int i;

		if (it) {
			*mmp = sl->mm;
			return it;
		}
		/* remove_trailing_rmap_items() */
		for (i = k->cursor_pos; i < sl->nr; i++)
			item_untree(k, &sl->items[i]);
		sl->nr = k->cursor_pos;
		if (!sl->mm->alive || k->cursor_addr == 0)
			slot_remove(k, k->cursor);	/* no mergeable VMA */
		else
			k->cursor++;
		k->cursor_addr = 0;
		k->cursor_pos = 0;
	}
	k->cursor = -1;
	k->seqnr++;
	return NULL;
}

int fsim_ksm(struct fsim_machine *m, long n)
{
	struct ksm_state *k = m->ksm;
	uint64_t target = k->seqnr + (uint64_t)(n < 1 ? 1 : n);

	while (k->nr_slots && k->seqnr < target) {
		struct mm_struct *mm;
		struct page *page;
		struct ksm_rmap_item *it = scan_next(m, &mm, &page);

		if (it)
			cmp_and_merge_page(m, mm, it, page);
	}
	return 0;
}

void ksm_counters(struct fsim_machine *m, struct ksm_counters *c)
{
	struct ksm_state *k = m->ksm;
	long items = 0;
	int i, s;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < k->nr_nodes; i++) {
		if (!k->nodes[i].nr_items)
			continue;
		c->pages_shared++;
		c->pages_sharing += k->nodes[i].nr_items - 1;
	}
	for (s = 0; s < k->nr_slots; s++) {
		items += k->slots[s].nr;
		for (i = 0; i < k->slots[s].nr; i++)
			c->pages_unshared += k->slots[s].items[i].unstable_seq ==
					     k->seqnr + 1;
	}
	c->pages_volatile = items - c->pages_shared - c->pages_sharing -
			    c->pages_unshared;
	c->full_scans = (long)k->seqnr;
	c->ksm_zero_pages = k->zero_pages;
}

/*
 * ksm_madvise(): MERGEABLE marks the VMAs and registers the mm;
 * UNMERGEABLE breaks every KSM page (and KSM zero page) in the range by an
 * unsharing fault, then clears the flag.
 */
/* ksm_madvise(): runs only on the VMAs whose VM_MERGEABLE changes. */
static int ksm_madvise_vma(struct fsim_machine *m, struct mm_struct *mm,
			   struct vm_area_struct *vma, void *arg)
{
	unsigned long addr;

	if (*(bool *)arg)
		return ksm_enter(m, mm) ? -ENOMEM : 0;
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE)
		break_ksm(m, mm, vma, addr);
	return 0;
}

int ksm_madvise_range(struct fsim_machine *m, struct mm_struct *mm,
		      unsigned long start, unsigned long end, bool merge)
{
	int err = 0;

	if (!vma_range_covered(mm, start, end))
		err = fsim_err(m, -ENOMEM, "0x%lx-0x%lx is not entirely mapped",
			       start, end);
	if (vma_modify_flags_range(m, mm, start, end,
				   merge ? VM_MERGEABLE : 0,
				   merge ? 0 : VM_MERGEABLE, NULL,
				   ksm_madvise_vma,
				   &merge))
		return -ENOMEM;
	return err;
}
