/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An intrusive red-black tree with the textbook insertion and deletion
 * (recolour the red-uncle case, else one or two rotations; a node with two
 * children is replaced by its in-order successor).  lib/rbtree.c uses the
 * same algorithms, so a sequence of inserts and erases leaves the kernel's
 * trees (KSM's unstable tree) in the same shape.
 */
#ifndef FSIM_MODEL_RBTREE_H
#define FSIM_MODEL_RBTREE_H

#include <stdbool.h>
#include <stddef.h>

struct rb_node {
	struct rb_node *parent, *left, *right;
	bool red;
};

struct rb_root {
	struct rb_node *node;
};

/* Hang @node, a new red leaf, at *@link below @parent. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->parent = parent;
	node->left = node->right = NULL;
	node->red = true;
	*link = node;
}

/* Restore the red-black rules after rb_link_node(). */
void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);
/* Check the red-black rules: the black height, or -1 if broken. */
int rb_black_height(const struct rb_node *node);

#endif
