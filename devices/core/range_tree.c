/* AVL range tree; see range_tree.h for the contract and the choice of AVL. */
#include "devices/core/range_tree.h"

#include <errno.h>
#include <stdlib.h>

struct dev_range_tree {
	struct dev_rt_node *root;
	size_t count;
};

int dev_rt_new(struct dev_range_tree **out)
{
	struct dev_range_tree *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*out = t;
	return 0;
}

static void free_nodes(struct dev_rt_node *n, void (*dtor)(void *, void *), void *ctx)
{
	while (n) {
		free_nodes(n->left_, dtor, ctx);
		struct dev_rt_node *r = n->right_;
		if (dtor)
			dtor(n->val, ctx);
		free(n);
		n = r;
	}
}

void dev_rt_free(struct dev_range_tree *t, void (*dtor)(void *val, void *ctx), void *ctx)
{
	if (!t)
		return;
	free_nodes(t->root, dtor, ctx);
	free(t);
}

size_t dev_rt_count(const struct dev_range_tree *t)
{
	return t->count;
}

static int height(const struct dev_rt_node *n)
{
	return n ? n->height_ : 0;
}

static uint64_t max_span(const struct dev_rt_node *n)
{
	return n ? n->max_span_ : 0;
}

/* Recompute n's height and subtree span maximum from its children. */
static void fix_height(struct dev_rt_node *n)
{
	int l = height(n->left_), r = height(n->right_);
	n->height_ = (l > r ? l : r) + 1;
	uint64_t s = n->end - n->start, ls = max_span(n->left_), rs = max_span(n->right_);
	if (ls > s)
		s = ls;
	if (rs > s)
		s = rs;
	n->max_span_ = s;
}

static struct dev_rt_node *rotate_right(struct dev_rt_node *n)
{
	struct dev_rt_node *l = n->left_;
	n->left_ = l->right_;
	l->right_ = n;
	fix_height(n);
	fix_height(l);
	return l;
}

static struct dev_rt_node *rotate_left(struct dev_rt_node *n)
{
	struct dev_rt_node *r = n->right_;
	n->right_ = r->left_;
	r->left_ = n;
	fix_height(n);
	fix_height(r);
	return r;
}

/* Restore the AVL property at n (children already balanced). */
static struct dev_rt_node *rebalance(struct dev_rt_node *n)
{
	fix_height(n);
	int bf = height(n->left_) - height(n->right_);
	if (bf > 1) {
		if (height(n->left_->left_) < height(n->left_->right_))
			n->left_ = rotate_left(n->left_);
		return rotate_right(n);
	}
	if (bf < -1) {
		if (height(n->right_->right_) < height(n->right_->left_))
			n->right_ = rotate_right(n->right_);
		return rotate_left(n);
	}
	return n;
}

/* Keys are unique because ranges are disjoint (checked before insertion). */
static struct dev_rt_node *insert_node(struct dev_rt_node *root, struct dev_rt_node *nn)
{
	if (!root)
		return nn;
	if (nn->start < root->start)
		root->left_ = insert_node(root->left_, nn);
	else
		root->right_ = insert_node(root->right_, nn);
	return rebalance(root);
}

int dev_rt_insert(struct dev_range_tree *t, uint64_t start, uint64_t end, void *val)
{
	if (start > end)
		return -EINVAL;
	if (dev_rt_first_overlap(t, start, end))
		return -EEXIST;
	struct dev_rt_node *nn = calloc(1, sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	nn->start = start;
	nn->end = end;
	nn->val = val;
	nn->height_ = 1;
	nn->max_span_ = end - start;
	t->root = insert_node(t->root, nn);
	t->count++;
	return 0;
}

/* Detach the minimum node of subtree n into *min; returns the new subtree. */
static struct dev_rt_node *take_min(struct dev_rt_node *n, struct dev_rt_node **min)
{
	if (!n->left_) {
		*min = n;
		return n->right_;
	}
	n->left_ = take_min(n->left_, min);
	return rebalance(n);
}

static struct dev_rt_node *remove_node(struct dev_rt_node *n, uint64_t start,
				       struct dev_rt_node **gone)
{
	if (!n)
		return NULL;
	if (start < n->start) {
		n->left_ = remove_node(n->left_, start, gone);
	} else if (start > n->start) {
		n->right_ = remove_node(n->right_, start, gone);
	} else {
		*gone = n;
		if (!n->left_)
			return n->right_;
		if (!n->right_)
			return n->left_;
		struct dev_rt_node *m;
		struct dev_rt_node *r = take_min(n->right_, &m);
		m->left_ = n->left_;
		m->right_ = r;
		return rebalance(m);
	}
	return rebalance(n);
}

int dev_rt_remove(struct dev_range_tree *t, uint64_t start, void **val_out)
{
	struct dev_rt_node *gone = NULL;
	t->root = remove_node(t->root, start, &gone);
	if (!gone)
		return -ENOENT;
	if (val_out)
		*val_out = gone->val;
	free(gone);
	t->count--;
	return 0;
}

const struct dev_rt_node *dev_rt_floor(const struct dev_range_tree *t, uint64_t addr)
{
	const struct dev_rt_node *n = t->root, *best = NULL;
	while (n) {
		if (n->start <= addr) {
			best = n;
			n = n->right_;
		} else {
			n = n->left_;
		}
	}
	return best;
}

const struct dev_rt_node *dev_rt_ceil(const struct dev_range_tree *t, uint64_t addr)
{
	const struct dev_rt_node *n = t->root, *best = NULL;
	while (n) {
		if (n->start >= addr) {
			best = n;
			n = n->left_;
		} else {
			n = n->right_;
		}
	}
	return best;
}

const struct dev_rt_node *dev_rt_find(const struct dev_range_tree *t, uint64_t addr)
{
	const struct dev_rt_node *n = dev_rt_floor(t, addr);
	return (n && n->end >= addr) ? n : NULL;
}

const struct dev_rt_node *dev_rt_first_overlap(const struct dev_range_tree *t, uint64_t a,
					       uint64_t b)
{
	if (a > b)
		return NULL;
	/* A range containing a starts lowest of all overlapping ranges. */
	const struct dev_rt_node *n = dev_rt_find(t, a);
	if (n)
		return n;
	if (a == UINT64_MAX)
		return NULL;
	n = dev_rt_ceil(t, a + 1);
	return (n && n->start <= b) ? n : NULL;
}

const struct dev_rt_node *dev_rt_first(const struct dev_range_tree *t)
{
	const struct dev_rt_node *n = t->root;
	while (n && n->left_)
		n = n->left_;
	return n;
}

const struct dev_rt_node *dev_rt_last(const struct dev_range_tree *t)
{
	const struct dev_rt_node *n = t->root;
	while (n && n->right_)
		n = n->right_;
	return n;
}

const struct dev_rt_node *dev_rt_next(const struct dev_range_tree *t, const struct dev_rt_node *n)
{
	if (!n || n->start == UINT64_MAX)
		return NULL;
	return dev_rt_ceil(t, n->start + 1);
}

const struct dev_rt_node *dev_rt_prev(const struct dev_range_tree *t, const struct dev_rt_node *n)
{
	if (!n || n->start == 0)
		return NULL;
	return dev_rt_floor(t, n->start - 1);
}

/* Recompute the span maxima on the path from root to the node at key. */
static void refresh_path(struct dev_rt_node *n, uint64_t key)
{
	if (!n)
		return;
	if (key < n->start)
		refresh_path(n->left_, key);
	else if (key > n->start)
		refresh_path(n->right_, key);
	fix_height(n);
}

int dev_rt_set_range(struct dev_range_tree *t, const struct dev_rt_node *n, uint64_t start,
		     uint64_t end)
{
	if (start > end)
		return -EINVAL;
	const struct dev_rt_node *p = dev_rt_prev(t, n), *q = dev_rt_next(t, n);
	if (p && p->end >= start)
		return -EEXIST;
	if (q && q->start <= end)
		return -EEXIST;
	/* Order is kept: p->start <= p->end < start, and end < q->start. */
	struct dev_rt_node *w = (struct dev_rt_node *)n;
	w->start = start;
	w->end = end;
	refresh_path(t->root, start);
	return 0;
}

int dev_rt_move(struct dev_range_tree *t, const struct dev_rt_node *n, uint64_t start, uint64_t end)
{
	if (!n || start > end)
		return -EINVAL;
	/* Overlapping ranges are consecutive in order: if the first is n, the
	 * only other candidate is the one right after n. */
	const struct dev_rt_node *o = dev_rt_first_overlap(t, start, end);
	if (o && o != n)
		return -EEXIST;
	if (o == n) {
		const struct dev_rt_node *q = dev_rt_next(t, n);
		if (q && q->start <= end)
			return -EEXIST;
	}
	struct dev_rt_node *gone = NULL;
	t->root = remove_node(t->root, n->start, &gone);
	if (!gone) /* n is not in t: the caller broke the contract */
		return -ENOENT;
	gone->start = start;
	gone->end = end;
	gone->left_ = gone->right_ = NULL;
	gone->height_ = 1;
	gone->max_span_ = end - start;
	t->root = insert_node(t->root, gone);
	return 0;
}

static int walk(const struct dev_rt_node *n, int reverse,
		int (*cb)(const struct dev_rt_node *, void *), void *ctx)
{
	while (n) {
		int r = walk(reverse ? n->right_ : n->left_, reverse, cb, ctx);
		if (r)
			return r;
		r = cb(n, ctx);
		if (r)
			return r;
		n = reverse ? n->left_ : n->right_;
	}
	return 0;
}

static int walk_span(const struct dev_rt_node *n, int reverse, uint64_t min_span,
		     int (*cb)(const struct dev_rt_node *, void *), void *ctx)
{
	while (n && n->max_span_ >= min_span) {
		int r = walk_span(reverse ? n->right_ : n->left_, reverse, min_span, cb, ctx);
		if (r)
			return r;
		if (n->end - n->start >= min_span && (r = cb(n, ctx)))
			return r;
		n = reverse ? n->left_ : n->right_;
	}
	return 0;
}

int dev_rt_foreach_span(const struct dev_range_tree *t, int reverse, uint64_t min_span,
			int (*cb)(const struct dev_rt_node *n, void *ctx), void *ctx)
{
	return walk_span(t->root, reverse, min_span, cb, ctx);
}

int dev_rt_foreach(const struct dev_range_tree *t, int reverse,
		   int (*cb)(const struct dev_rt_node *n, void *ctx), void *ctx)
{
	return walk(t->root, reverse, cb, ctx);
}

struct check_state {
	const struct dev_rt_node *prev;
	size_t count;
	int bad;
};

static int check_node(const struct dev_rt_node *n, struct check_state *st)
{
	if (!n)
		return 0;
	int l = check_node(n->left_, st);
	if (n->start > n->end)
		st->bad = 1;
	if (st->prev && st->prev->end >= n->start)
		st->bad = 1;
	st->prev = n;
	st->count++;
	int r = check_node(n->right_, st);
	int bf = l - r;
	if (bf > 1 || bf < -1)
		st->bad = 1;
	int h = (l > r ? l : r) + 1;
	if (h != n->height_)
		st->bad = 1;
	uint64_t s = n->end - n->start;
	if (n->left_ && n->left_->max_span_ > s)
		s = n->left_->max_span_;
	if (n->right_ && n->right_->max_span_ > s)
		s = n->right_->max_span_;
	if (s != n->max_span_)
		st->bad = 1;
	return h;
}

int dev_rt_check(const struct dev_range_tree *t)
{
	struct check_state st = {0};
	check_node(t->root, &st);
	return (st.bad || st.count != t->count) ? -EUCLEAN : 0;
}
