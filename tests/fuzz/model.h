/* Shared by fuzz_alloc and fuzz_devmgr: a plain model of an address
 * allocator over a span [base, last] -- a sorted array of allocated inclusive
 * ranges, searched by brute force -- to compare the real allocator with. */
#ifndef VMM_TESTS_FUZZ_MODEL_H
#define VMM_TESTS_FUZZ_MODEL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define MA_MAX 256

struct ma {
	uint64_t base, last;
	size_t n;
	uint64_t s[MA_MAX], e[MA_MAX]; /* sorted, disjoint, inclusive */
};

static inline void ma_init(struct ma *m, uint64_t base, uint64_t last)
{
	m->base = base;
	m->last = last;
	m->n = 0;
}

/* Does [s, e] overlap an allocated range? */
static inline int ma_overlaps(const struct ma *m, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i] <= e && s <= m->e[i])
			return 1;
	return 0;
}

static inline int ma_fits(const struct ma *m, uint64_t s, uint64_t size)
{
	uint64_t e;
	if (__builtin_add_overflow(s, size - 1, &e))
		return 0;
	return s >= m->base && e <= m->last && !ma_overlaps(m, s, e);
}

static inline void ma_insert(struct ma *m, uint64_t s, uint64_t e)
{
	size_t i = 0;
	while (i < m->n && m->s[i] < s)
		i++;
	memmove(&m->s[i + 1], &m->s[i], (m->n - i) * sizeof(m->s[0]));
	memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(m->e[0]));
	m->s[i] = s;
	m->e[i] = e;
	m->n++;
}

static inline void ma_remove_at(struct ma *m, size_t i)
{
	memmove(&m->s[i], &m->s[i + 1], (m->n - i - 1) * sizeof(m->s[0]));
	memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(m->e[0]));
	m->n--;
}

static inline int ma_find_exact(const struct ma *m, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i] == s && m->e[i] == e)
			return (int)i;
	return -1;
}

static inline uint64_t ma_align_up(uint64_t x, uint64_t mask, int *ovf)
{
	uint64_t r;
	*ovf = __builtin_add_overflow(x, mask, &r);
	return r & ~mask;
}

/* Expected result of an allocation (same error order as addr_alloc.c):
 * policy 0 first match, 1 last match, 2 exact. 0 and *out, or -errno.
 * Does not change the model. */
static inline int ma_expect(const struct ma *m, uint64_t size, uint64_t align, int policy,
			    uint64_t addr, uint64_t *out)
{
	if (size == 0)
		return -EDOM;
	if (align == 0 || (align & (align - 1)))
		return -EINVAL;
	uint64_t mask = align - 1;
	if (policy == 2) {
		uint64_t l;
		if (__builtin_add_overflow(addr, size - 1, &l))
			return -EOVERFLOW;
		if (addr < m->base || l > m->last)
			return -ERANGE;
		if (addr & mask)
			return -EADDRNOTAVAIL;
		if (ma_overlaps(m, addr, l))
			return -EADDRINUSE;
		*out = addr;
		return 0;
	}
	if (policy != 0 && policy != 1)
		return -EINVAL;
	if (size - 1 > m->last - m->base)
		return -ENOSPC;
	/* The lowest fit starts at align_up(base) or just after a range; the
	 * highest ends at last or just before a range. */
	int found = 0;
	uint64_t best = 0;
	for (size_t i = 0; i <= m->n; i++) {
		uint64_t c;
		int ovf = 0;
		if (policy == 0) {
			if (i == m->n)
				c = ma_align_up(m->base, mask, &ovf);
			else if (m->e[i] == UINT64_MAX)
				continue;
			else
				c = ma_align_up(m->e[i] + 1, mask, &ovf);
		} else {
			uint64_t top = i == m->n ? m->last : m->s[i] - 1;
			if (i < m->n && m->s[i] == 0)
				continue;
			if (top < size - 1)
				continue;
			c = (top - (size - 1)) & ~mask;
		}
		if (ovf || !ma_fits(m, c, size))
			continue;
		if (!found || (policy == 0 ? c < best : c > best))
			best = c;
		found = 1;
	}
	if (!found)
		return -ENOSPC;
	*out = best;
	return 0;
}

#endif
