/* Address allocator over a span; see addr_alloc.h. Both trees hold inclusive
 * ranges, so the span may end at UINT64_MAX without any end + 1. */
#include "devices/core/addr_alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/range_tree.h"
#include <vmm-mem/endian.h>

struct dev_addr_alloc {
	uint64_t base, last;
	struct dev_range_tree *free_rt; /* free space, maximal ranges */
	struct dev_range_tree *used_rt; /* allocated ranges */
};

static const char addr_magic[8] = {'D', 'E', 'V', 'A', 'D', 'D', 'R', '1'};

static int alloc_span(struct dev_addr_alloc **out, uint64_t base, uint64_t last, int with_free)
{
	struct dev_addr_alloc *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->base = base;
	a->last = last;
	if (dev_rt_new(&a->free_rt) || dev_rt_new(&a->used_rt) ||
	    (with_free && dev_rt_insert(a->free_rt, base, last, NULL))) {
		dev_addr_alloc_destroy(a);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

int dev_addr_alloc_new(struct dev_addr_alloc **out, uint64_t base, uint64_t size)
{
	uint64_t last;
	if (size == 0)
		return -EDOM;
	if (__builtin_add_overflow(base, size - 1, &last))
		return -EOVERFLOW;
	return alloc_span(out, base, last, 1);
}

void dev_addr_alloc_destroy(struct dev_addr_alloc *a)
{
	if (!a)
		return;
	dev_rt_free(a->free_rt, NULL, NULL);
	dev_rt_free(a->used_rt, NULL, NULL);
	free(a);
}

uint64_t dev_addr_alloc_base(const struct dev_addr_alloc *a)
{
	return a->base;
}

uint64_t dev_addr_alloc_last(const struct dev_addr_alloc *a)
{
	return a->last;
}

/* Take [s, l] out of the free range node f (which contains it) and record it
 * as allocated. All or nothing. */
static int carve(struct dev_addr_alloc *a, const struct dev_rt_node *f, uint64_t s, uint64_t l)
{
	uint64_t fs = f->start, fe = f->end;
	int rc = dev_rt_insert(a->used_rt, s, l, NULL);
	if (rc)
		return rc;
	if (fs == s && fe == l) {
		dev_rt_remove(a->free_rt, fs, NULL);
	} else if (fs == s) {
		dev_rt_set_range(a->free_rt, f, l + 1, fe);
	} else if (fe == l) {
		dev_rt_set_range(a->free_rt, f, fs, s - 1);
	} else {
		dev_rt_set_range(a->free_rt, f, fs, s - 1);
		rc = dev_rt_insert(a->free_rt, l + 1, fe, NULL);
		if (rc) {
			dev_rt_set_range(a->free_rt, f, fs, fe);
			dev_rt_remove(a->used_rt, s, NULL);
			return rc;
		}
	}
	return 0;
}

struct fit {
	uint64_t size_m1, mask; /* size - 1, align - 1 */
	const struct dev_rt_node *node;
	uint64_t start;
};

static int fit_low(const struct dev_rt_node *n, void *ctx)
{
	struct fit *f = ctx;
	uint64_t s, l;
	if (__builtin_add_overflow(n->start, f->mask, &s))
		return 0;
	s &= ~f->mask;
	if (s > n->end || __builtin_add_overflow(s, f->size_m1, &l) || l > n->end)
		return 0;
	f->node = n;
	f->start = s;
	return 1;
}

static int fit_high(const struct dev_rt_node *n, void *ctx)
{
	struct fit *f = ctx;
	if (n->end - n->start < f->size_m1)
		return 0;
	uint64_t s = (n->end - f->size_m1) & ~f->mask;
	if (s < n->start)
		return 0;
	f->node = n;
	f->start = s;
	return 1;
}

int dev_addr_alloc_allocate(struct dev_addr_alloc *a, uint64_t size, uint64_t align,
			    enum dev_alloc_policy policy, uint64_t addr, uint64_t *out)
{
	if (size == 0)
		return -EDOM;
	if (align == 0 || (align & (align - 1)))
		return -EINVAL;
	struct fit f = {.size_m1 = size - 1, .mask = align - 1};
	switch (policy) {
	case DEV_ALLOC_EXACT: {
		uint64_t l;
		if (__builtin_add_overflow(addr, size - 1, &l))
			return -EOVERFLOW;
		if (addr < a->base || l > a->last)
			return -ERANGE;
		if (addr & f.mask)
			return -EADDRNOTAVAIL;
		const struct dev_rt_node *n = dev_rt_find(a->free_rt, addr);
		if (!n || n->end < l)
			return -EADDRINUSE;
		f.node = n;
		f.start = addr;
		break;
	}
	case DEV_ALLOC_FIRST_MATCH:
	case DEV_ALLOC_LAST_MATCH:
		if (size - 1 > a->last - a->base)
			return -ENOSPC;
		if (!dev_rt_foreach_span(a->free_rt, policy == DEV_ALLOC_LAST_MATCH, size - 1,
					 policy == DEV_ALLOC_LAST_MATCH ? fit_high : fit_low, &f))
			return -ENOSPC;
		break;
	default:
		return -EINVAL;
	}
	int rc = carve(a, f.node, f.start, f.start + f.size_m1);
	if (rc == 0)
		*out = f.start;
	return rc;
}

int dev_addr_alloc_release(struct dev_addr_alloc *a, uint64_t start, uint64_t size)
{
	uint64_t l;
	if (size == 0)
		return -EDOM;
	if (__builtin_add_overflow(start, size - 1, &l))
		return -EOVERFLOW;
	if (start < a->base || l > a->last)
		return -ERANGE;
	const struct dev_rt_node *u = dev_rt_find(a->used_rt, start);
	if (!u || u->start != start || u->end != l)
		return -ENOENT;
	/* Merge with the free neighbours (which cannot be allocated ranges). */
	const struct dev_rt_node *left = start > 0 ? dev_rt_find(a->free_rt, start - 1) : NULL;
	const struct dev_rt_node *right = l < UINT64_MAX ? dev_rt_find(a->free_rt, l + 1) : NULL;
	if (left && right) {
		uint64_t re = right->end;
		dev_rt_remove(a->free_rt, right->start, NULL);
		dev_rt_set_range(a->free_rt, left, left->start, re);
	} else if (left) {
		dev_rt_set_range(a->free_rt, left, left->start, l);
	} else if (right) {
		dev_rt_set_range(a->free_rt, right, start, right->end);
	} else {
		int rc = dev_rt_insert(a->free_rt, start, l, NULL);
		if (rc)
			return rc;
	}
	dev_rt_remove(a->used_rt, start, NULL);
	return 0;
}

int dev_addr_alloc_is_allocated(const struct dev_addr_alloc *a, uint64_t addr)
{
	return dev_rt_find(a->used_rt, addr) != NULL;
}

size_t dev_addr_alloc_count(const struct dev_addr_alloc *a)
{
	return dev_rt_count(a->used_rt);
}

size_t dev_addr_alloc_free_count(const struct dev_addr_alloc *a)
{
	return dev_rt_count(a->free_rt);
}

struct iter_ctx {
	int (*cb)(uint64_t, uint64_t, void *);
	void *ctx;
};

static int iter_cb(const struct dev_rt_node *n, void *ctx)
{
	struct iter_ctx *ic = ctx;
	return ic->cb(n->start, n->end, ic->ctx);
}

int dev_addr_alloc_foreach(const struct dev_addr_alloc *a,
			   int (*cb)(uint64_t start, uint64_t last, void *ctx), void *ctx)
{
	struct iter_ctx ic = {cb, ctx};
	return dev_rt_foreach(a->used_rt, 0, iter_cb, &ic);
}

size_t dev_addr_alloc_save_size(const struct dev_addr_alloc *a)
{
	return 32 + 16 * dev_rt_count(a->used_rt);
}

struct save_ctx {
	uint8_t *p;
};

static int save_cb(const struct dev_rt_node *n, void *ctx)
{
	struct save_ctx *sc = ctx;
	gm_put_le64(sc->p, n->start);
	gm_put_le64(sc->p + 8, n->end);
	sc->p += 16;
	return 0;
}

ssize_t dev_addr_alloc_save(const struct dev_addr_alloc *a, uint8_t *buf, size_t cap)
{
	size_t need = dev_addr_alloc_save_size(a);
	if (!buf || cap < need)
		return -ENOBUFS;
	memcpy(buf, addr_magic, 8);
	gm_put_le64(buf + 8, a->base);
	gm_put_le64(buf + 16, a->last);
	gm_put_le64(buf + 24, dev_rt_count(a->used_rt));
	struct save_ctx sc = {buf + 32};
	dev_rt_foreach(a->used_rt, 0, save_cb, &sc);
	return (ssize_t)need;
}

int dev_addr_alloc_restore(struct dev_addr_alloc **out, const uint8_t *buf, size_t len)
{
	if (!buf || len < 32 || memcmp(buf, addr_magic, 8))
		return -EBADMSG;
	uint64_t base = gm_get_le64(buf + 8), last = gm_get_le64(buf + 16);
	uint64_t n = gm_get_le64(buf + 24);
	if (base > last || n > (len - 32) / 16 || 32 + 16 * n != len)
		return -EBADMSG;
	struct dev_addr_alloc *a;
	int rc = alloc_span(&a, base, last, 0);
	if (rc)
		return rc;
	/* Rebuild both trees: each allocated range must be inside the span,
	 * ascending and disjoint; the gaps between them are the free ranges. */
	uint64_t next_free = base; /* first address not yet covered */
	int at_end = 0;		   /* everything up to last is covered */
	const uint8_t *p = buf + 32;
	for (uint64_t i = 0; i < n; i++, p += 16) {
		uint64_t s = gm_get_le64(p), l = gm_get_le64(p + 8);
		if (at_end || s > l || s < next_free || l > last) {
			rc = -EBADMSG;
			goto fail;
		}
		if (s > next_free && (rc = dev_rt_insert(a->free_rt, next_free, s - 1, NULL)))
			goto fail;
		if ((rc = dev_rt_insert(a->used_rt, s, l, NULL)))
			goto fail;
		if (l == last)
			at_end = 1;
		else
			next_free = l + 1;
	}
	if (!at_end && (rc = dev_rt_insert(a->free_rt, next_free, last, NULL)))
		goto fail;
	*out = a;
	return 0;
fail:
	dev_addr_alloc_destroy(a);
	return rc == -EEXIST ? -EBADMSG : rc;
}

int dev_addr_alloc_clone(const struct dev_addr_alloc *a, struct dev_addr_alloc **out)
{
	size_t n = dev_addr_alloc_save_size(a);
	uint8_t *buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	dev_addr_alloc_save(a, buf, n);
	int rc = dev_addr_alloc_restore(out, buf, n);
	free(buf);
	return rc;
}
