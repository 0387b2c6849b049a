// SPDX-License-Identifier: GPL-2.0-only
/*
 * Red-black trees (rbtree.h): insertion and deletion as in the textbook,
 * with NULL leaves (black).  Deletion tracks the parent of the hole, as
 * the hole itself may be NULL.
 */
#include "rbtree.h"

static bool is_red(const struct rb_node *n)
{
	return n && n->red;
}

/* Put @new where @old hangs below @parent (or at the root). */
static void change_child(struct rb_node *old, struct rb_node *new,
			 struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

/* @x's right child takes its place; @x becomes that child's left child. */
static void rotate_left(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	change_child(x, y, x->parent, root);
	y->left = x;
	x->parent = y;
}

static void rotate_right(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	change_child(x, y, x->parent, root);
	y->right = x;
	x->parent = y;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	while (is_red(node->parent)) {
		struct rb_node *parent = node->parent;
		struct rb_node *gparent = parent->parent;
		bool left = parent == gparent->left;
		struct rb_node *uncle = left ? gparent->right : gparent->left;

		if (is_red(uncle)) {
			parent->red = uncle->red = false;
			gparent->red = true;
			node = gparent;
			continue;
		}
		if (node == (left ? parent->right : parent->left)) {
			if (left)
				rotate_left(parent, root);
			else
				rotate_right(parent, root);
			node = parent;
			parent = node->parent;
		}
		parent->red = false;
		gparent->red = true;
		if (left)
			rotate_right(gparent, root);
		else
			rotate_left(gparent, root);
	}
	root->node->red = false;
}

/* A black level went missing below @parent on the side of @node. */
static void erase_color(struct rb_node *node, struct rb_node *parent,
			struct rb_root *root)
{
	while (parent && !is_red(node)) {
		bool left = node == parent->left;
		struct rb_node *sib = left ? parent->right : parent->left;

		if (sib->red) {
			sib->red = false;
			parent->red = true;
			if (left)
				rotate_left(parent, root);
			else
				rotate_right(parent, root);
			sib = left ? parent->right : parent->left;
		}
		if (!is_red(sib->left) && !is_red(sib->right)) {
			sib->red = true;
			node = parent;
			parent = node->parent;
			continue;
		}
		if (!is_red(left ? sib->right : sib->left)) {
			(left ? sib->left : sib->right)->red = false;
			sib->red = true;
			if (left)
				rotate_right(sib, root);
			else
				rotate_left(sib, root);
			sib = left ? parent->right : parent->left;
		}
		sib->red = parent->red;
		parent->red = false;
		(left ? sib->right : sib->left)->red = false;
		if (left)
			rotate_left(parent, root);
		else
			rotate_right(parent, root);
		node = root->node;
		parent = NULL;
	}
	if (node)
		node->red = false;
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *child, *parent;
	bool black;

	if (!node->left || !node->right) {
		child = node->left ? node->left : node->right;
		parent = node->parent;
		black = !node->red;
		change_child(node, child, parent, root);
	} else {
		/* the in-order successor takes the node's place and colour */
		struct rb_node *succ = node->right;

		while (succ->left)
			succ = succ->left;
		child = succ->right;
		black = !succ->red;
		if (succ->parent == node) {
			parent = succ;
		} else {
			parent = succ->parent;
			parent->left = child;
			if (child)
				child->parent = parent;
			succ->right = node->right;
			node->right->parent = succ;
		}
		succ->left = node->left;
		node->left->parent = succ;
		succ->red = node->red;
		change_child(node, succ, node->parent, root);
	}
	if (black)
		erase_color(child, parent, root);
}

int rb_black_height(const struct rb_node *node)
{
	int l, r;

	if (!node)
		return 1;
	if (node->red && (is_red(node->left) || is_red(node->right)))
		return -1;
	if ((node->left && node->left->parent != node) ||
	    (node->right && node->right->parent != node))
		return -1;
	l = rb_black_height(node->left);
	r = rb_black_height(node->right);
	if (l < 0 || l != r)
		return -1;
	return l + !node->red;
}
