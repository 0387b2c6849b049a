// SPDX-License-Identifier: GPL-2.0-only
/*
 * KSM's unstable tree: the red-black tree keeps its rules and the
 * textbook shape through inserts and erases, pages order like memcmp() of
 * the words the kernel executor writes, and a search gives up at a stale
 * node only when the node is on its path (the cases of
 * tests/scenarios/ksm/forked-thp-stale-root.fsim and stale-off-path.fsim,
 * both confirmed on 6.18).
 */
#include <stdlib.h>

#include "lib/tm.h"
#include "model/ksm.h"
#include "model/rbtree.h"

#define R1 (TM_BASE + PMD_SIZE)		/* a second region */

struct knode {
	struct rb_node rb;
	int key;
};

static void insert_key(struct rb_root *root, struct knode *n)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = n->key < ((struct knode *)parent)->key ? &parent->left :
								 &parent->right;
	}
	rb_link_node(&n->rb, parent, link);
	rb_insert_color(&n->rb, root);
}

static int key(const struct rb_node *n)
{
	return ((const struct knode *)n)->key;
}

/* In-order keys strictly increase; returns the count or -1. */
static int inorder(const struct rb_node *n, int *last)
{
	int l, r;

	if (!n)
		return 0;
	l = inorder(n->left, last);
	if (l < 0 || key(n) <= *last)
		return -1;
	*last = key(n);
	r = inorder(n->right, last);
	return r < 0 ? -1 : l + 1 + r;
}

static bool test_shape(void)
{
	struct knode n[8] = { { .key = 0 } };
	struct rb_root root = { NULL };
	int i;

	for (i = 1; i <= 7; i++) {
		n[i].key = i;
		insert_key(&root, &n[i]);
	}
	/* ascending 1..7: 2 and 6 under root 4 after the rotations */
	CHECK_INT(key(root.node), ==, 2);
	CHECK_INT(key(root.node->right), ==, 4);
	CHECK_INT(key(root.node->right->right), ==, 6);
	CHECK(root.node->right->red);
	CHECK_INT(rb_black_height(root.node), ==, 3);
	/* a node with two children is replaced by its successor */
	rb_erase(&n[4].rb, &root);
	CHECK_INT(key(root.node->right), ==, 5);
	CHECK_INT(key(root.node->right->right), ==, 6);
	CHECK_INT(rb_black_height(root.node), >, 0);
	rb_erase(&n[2].rb, &root);
	CHECK_INT(key(root.node), ==, 3);
	CHECK_INT(rb_black_height(root.node), >, 0);
	return true;
}

/* Random inserts and erases keep the red-black rules and the order. */
static bool test_random(void)
{
	enum { N = 200 };
	static struct knode n[N];
	struct rb_root root = { NULL };
	bool in[N] = { false };
	unsigned int seed = 12345;
	int step, count = 0;

	for (step = 0; step < 5000; step++) {
		int i, last = -1;

		seed = seed * 1103515245 + 12345;
		i = (int)((seed >> 8) % N);
		if (in[i]) {
			rb_erase(&n[i].rb, &root);
			count--;
		} else {
			n[i].key = i;
			insert_key(&root, &n[i]);
			count++;
		}
		in[i] = !in[i];
		CHECK_INT(rb_black_height(root.node), >, 0);
		CHECK_INT(inorder(root.node, &last), ==, count);
		CHECK(!root.node || !root.node->parent);
	}
	return true;
}

/* memcmp() of little-endian words: the low byte decides first. */
static bool test_content_order(void)
{
	struct fsim_machine *m = tm_new(NULL);
	content_t v1, v5, v256, u1, u256;

	CHECK(m);
	v1 = content_value(m, 1);
	v5 = content_value(m, 5);
	v256 = content_value(m, 256);
	content_mark_origin(m);	/* u1 is the run's unique 1 */
	u1 = content_unique(m);
	while ((u256 = content_unique(m)) != u1 + 255)
		;
	CHECK_INT(content_memcmp(m, 0, v256), <, 0);
	CHECK_INT(content_memcmp(m, v256, v1), <, 0);
	CHECK_INT(content_memcmp(m, v1, v5), <, 0);
	CHECK_INT(content_memcmp(m, v5, v5), ==, 0);
	CHECK_INT(content_memcmp(m, v1, u1), <, 0);	/* 01 00.. 00 00 */
	CHECK_INT(content_memcmp(m, v5, u1), >, 0);	/* 05 > 01 */
	CHECK_INT(content_memcmp(m, u256, u1), <, 0);
	CHECK_INT(content_memcmp(m, u1, 0), >, 0);
	fsim_free(m);
	return true;
}

static bool is_ksm(struct fsim_machine *m, struct mm_struct *mm,
		   unsigned long addr)
{
	struct folio *folio = tm_folio(m, mm, addr);

	return folio && folio_test(folio, PG_ksm);
}

static bool tree_in_order(struct fsim_machine *m, const struct rb_node *n,
			  content_t *last, bool *first)
{
	const struct ksm_unstable_node *u = (const void *)n;
	struct page *page;

	if (!n)
		return true;
	if (!tree_in_order(m, n->left, last, first))
		return false;
	page = tm_page(m, u->mm, u->addr);
	if (page) {	/* stale nodes keep their place, whatever they hold */
		if (!*first && content_memcmp(m, *last, page->content) >= 0)
			return false;
		*last = page->content;
		*first = false;
	}
	return tree_in_order(m, n->right, last, first);
}

/* stale-off-path.fsim: value 7 merges past the stale node, 256 does not. */
static bool test_stale_off_path(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p0, *p1;
	content_t last = 0;
	bool first = true;

	CHECK(m && !fsim_set(m, "hugepages-128kB/enabled", "always"));
	p0 = tm_process(m, TM_BASE, PMD_SIZE, false);
	p1 = fsim_spawn(m);
	CHECK(p0 && p1);
	CHECK(!fsim_mmap(m, p0, R1, PMD_SIZE) &&
	      !fsim_mmap(m, p1, R1, PMD_SIZE));
	CHECK(!fsim_madvise(m, p0, R1, PMD_SIZE, FSIM_MADV_NOHUGEPAGE) &&
	      !fsim_madvise(m, p1, R1, PMD_SIZE, FSIM_MADV_NOHUGEPAGE));
	CHECK(!fsim_write(m, p0, TM_BASE, content_value(m, 5)));
	CHECK(!fsim_write(m, p0, R1, content_value(m, 7)));
	CHECK(!fsim_write(m, p0, R1 + TM_PAGE(1), content_value(m, 256)));
	CHECK(!fsim_write(m, p1, R1, content_value(m, 7)));
	CHECK(!fsim_write(m, p1, R1 + TM_PAGE(1), content_value(m, 256)));
	CHECK(!fsim_madvise(m, p0, TM_BASE, PMD_SIZE, FSIM_MADV_MERGEABLE));
	CHECK(!fsim_madvise(m, p0, R1, PMD_SIZE, FSIM_MADV_MERGEABLE));
	CHECK(!fsim_madvise(m, p1, R1, PMD_SIZE, FSIM_MADV_MERGEABLE));
	CHECK(!fsim_ksm(m, 2));
	CHECK(!tm_page(m, p0, TM_BASE + TM_PAGE(1)));	/* node 1: stale */
	CHECK(is_ksm(m, p1, R1));
	CHECK(!is_ksm(m, p1, R1 + TM_PAGE(1)));
	CHECK_INT(rb_black_height(m->ksm->unstable.node), >, 0);
	CHECK(tree_in_order(m, m->ksm->unstable.node, &last, &first));
	CHECK(!fsim_ksm(m, 1));
	CHECK(is_ksm(m, p1, R1 + TM_PAGE(1)));
	return tm_done(m);
}

/* forked-thp-stale-root.fsim: the stale zero root stops value 2. */
static bool test_stale_root(void)
{
	struct fsim_machine *m = tm_new(NULL);
	struct mm_struct *p0, *p1;
	unsigned long a465 = TM_BASE + TM_PAGE(465);

	CHECK(m);
	p0 = tm_process(m, TM_BASE, PMD_SIZE, true);
	CHECK(p0);
	CHECK(!fsim_write(m, p0, a465, content_value(m, 2)));
	CHECK(!fsim_write(m, p0, a465 + PAGE_SIZE, content_value(m, 2)));
	CHECK(tm_pmd_mapped(p0, TM_BASE));
	p1 = fsim_fork(m, p0);
	CHECK(p1);
	CHECK(!fsim_madvise(m, p1, TM_BASE + TM_PAGE(448), TM_PAGE(32),
			    FSIM_MADV_MERGEABLE));
	CHECK(!fsim_ksm(m, 2));
	CHECK(!tm_pmd_mapped(p1, TM_BASE));
	CHECK(!is_ksm(m, p1, a465) && !is_ksm(m, p1, a465 + PAGE_SIZE));
	CHECK(!fsim_ksm(m, 1));
	CHECK(is_ksm(m, p1, a465) && is_ksm(m, p1, a465 + PAGE_SIZE));
	return tm_done(m);
}

int main(void)
{
	TEST(test_shape(),
	     "rbtree: ascending inserts rotate as the textbook; erase takes the successor");
	TEST(test_random(), "rbtree: 5000 random inserts and erases keep the rules and the order");
	TEST(test_content_order(),
	     "contents order like memcmp() of little-endian words: 256 before 1, unique 1 between 1 and 5");
	TEST(test_stale_off_path(),
	     "a stale node off the path lets 7 merge; on the path (256 sorts before 5) it stops the merge for one scan");
	TEST(test_stale_root(),
	     "forked THP: the stale zero root stops value 2 from merging until the next scan");
	return tap_done();
}
