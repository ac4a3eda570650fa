/* Range tree: an ordered, balanced tree of non-overlapping inclusive ranges
 * [start, end], each carrying a caller pointer.
 *
 * Why AVL: the trees here (bus indexes, allocator free/used lists) are
 * read far more often than they change, and AVL keeps the tighter height bound
 * (<= 1.44 log2 n, against 2 log2 n for red-black), so every lookup visits
 * fewer nodes. Its extra rotations on insert/remove are cheap at these sizes
 * (tens to thousands of ranges). A B-tree would win on cache misses for very
 * large sets, but costs far more code for node splitting and merging.
 *
 * Ends are inclusive, so a range may end at UINT64_MAX (the whole 64-bit
 * space is [0, UINT64_MAX]); no computation here ever forms end + 1.
 *
 * Complexity: insert, remove, find, first_overlap, next/prev, set_range,
 * move: O(log n); foreach: O(n). Each node also keeps the largest range
 * length in its subtree, so dev_rt_foreach_span can skip subtrees of ranges
 * too short for an allocation request. Not thread-safe: the caller serialises all access.
 *
 * Ownership: dev_rt_new() allocates a tree, dev_rt_free() frees it and all its
 * nodes; the values are the caller's (dev_rt_free can call a destructor on
 * each one). Errors are negative errno values as documented per function.
 */
#ifndef VMM_DEVICES_CORE_RANGE_TREE_H
#define VMM_DEVICES_CORE_RANGE_TREE_H

#include <stddef.h>
#include <stdint.h>

/* A node. start/end/val may be read by the caller; the rest is private.
 * Never modify start or end of a node that is in a tree. */
struct dev_rt_node {
	uint64_t start; /* first address of the range */
	uint64_t end;	/* last address of the range (inclusive) */
	void *val;	/* the caller's pointer */
	struct dev_rt_node *left_, *right_;
	uint64_t max_span_; /* max (end - start) in this subtree */
	int height_;
};

struct dev_range_tree;

/* Allocate an empty tree. Returns 0 or -ENOMEM. */
int dev_rt_new(struct dev_range_tree **out);

/* Free the tree and its nodes; if dtor is non-NULL it is called on each
 * value (in order). NULL is accepted. */
void dev_rt_free(struct dev_range_tree *t, void (*dtor)(void *val, void *ctx), void *ctx);

/* Number of ranges in the tree. */
size_t dev_rt_count(const struct dev_range_tree *t);

/* Insert [start, end] with val. Returns 0, -EINVAL if start > end,
 * -EEXIST if it overlaps a range already in the tree (tree unchanged),
 * -ENOMEM. */
int dev_rt_insert(struct dev_range_tree *t, uint64_t start, uint64_t end, void *val);

/* Remove the range that starts exactly at start. On success stores its value
 * in *val_out (if non-NULL) and returns 0; -ENOENT if there is none. */
int dev_rt_remove(struct dev_range_tree *t, uint64_t start, void **val_out);

/* The range containing addr, or NULL. */
const struct dev_rt_node *dev_rt_find(const struct dev_range_tree *t, uint64_t addr);

/* The range with the lowest start that overlaps [a, b] (a <= b), or NULL. */
const struct dev_rt_node *dev_rt_first_overlap(const struct dev_range_tree *t, uint64_t a,
					       uint64_t b);

/* First / last range in address order, or NULL when empty. */
const struct dev_rt_node *dev_rt_first(const struct dev_range_tree *t);
const struct dev_rt_node *dev_rt_last(const struct dev_range_tree *t);

/* The range that follows / precedes node n in address order, or NULL. */
const struct dev_rt_node *dev_rt_next(const struct dev_range_tree *t, const struct dev_rt_node *n);
const struct dev_rt_node *dev_rt_prev(const struct dev_range_tree *t, const struct dev_rt_node *n);

/* The range with the greatest start <= addr / smallest start >= addr, or NULL. */
const struct dev_rt_node *dev_rt_floor(const struct dev_range_tree *t, uint64_t addr);
const struct dev_rt_node *dev_rt_ceil(const struct dev_range_tree *t, uint64_t addr);

/* Change the range of node n (which must be in t) to [start, end]. Allowed
 * only if the node keeps its place in the order and overlaps no other range:
 * returns 0, -EINVAL (start > end) or -EEXIST (would overlap or reorder);
 * the tree is unchanged on error. Never allocates, so it cannot fail with
 * -ENOMEM: allocators use it to shrink, grow and merge ranges in place. */
int dev_rt_set_range(struct dev_range_tree *t, const struct dev_rt_node *n, uint64_t start,
		     uint64_t end);

/* Move node n (which must be in t) to [start, end], which may overlap n's
 * old range but no other range. Returns 0, -EINVAL (n NULL or start > end),
 * -EEXIST, or -ENOENT (n not in t); the tree is unchanged on -EINVAL/-EEXIST.
 * Never allocates: the node is relinked. */
int dev_rt_move(struct dev_range_tree *t, const struct dev_rt_node *n, uint64_t start,
		uint64_t end);

/* In-order iteration (ascending if reverse == 0, else descending). cb returns
 * 0 to continue or non-zero to stop; dev_rt_foreach returns that value (or 0
 * when every range was visited). The tree must not change during iteration. */
int dev_rt_foreach(const struct dev_range_tree *t, int reverse,
		   int (*cb)(const struct dev_rt_node *n, void *ctx), void *ctx);

/* Like dev_rt_foreach, but visits only ranges with end - start >= min_span,
 * skipping whole subtrees that hold none (each node keeps the largest span
 * below it). First-fit searches use it: O(log n) when the first range long
 * enough also fits, instead of a walk over every shorter range before it. */
int dev_rt_foreach_span(const struct dev_range_tree *t, int reverse, uint64_t min_span,
			int (*cb)(const struct dev_rt_node *n, void *ctx), void *ctx);

/* Internal invariant check for tests: 0 if the tree is a valid AVL tree of
 * sorted disjoint ranges with correct heights, span maxima and count, else
 * -EUCLEAN. */
int dev_rt_check(const struct dev_range_tree *t);

#endif
