/* Bitmap ID allocator; see id_alloc.h. */
#include "devices/core/id_alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/endian.h>

struct dev_id_alloc {
	uint32_t first, last;
	size_t nbits, nwords, count;
	size_t hint; /* no free bit below word index hint */
	uint64_t words[];
};

static const char id_magic[8] = {'D', 'E', 'V', 'I', 'D', 'A', 'L', '1'};

int dev_id_alloc_new(struct dev_id_alloc **out, uint32_t first, uint32_t last)
{
	if (first > last)
		return -EINVAL;
	size_t nbits = (size_t)(last - first) + 1;
	if (nbits > DEV_ID_ALLOC_MAX_SPAN)
		return -E2BIG;
	size_t nwords = (nbits + 63) / 64;
	struct dev_id_alloc *a = calloc(1, sizeof(*a) + nwords * sizeof(uint64_t));
	if (!a)
		return -ENOMEM;
	a->first = first;
	a->last = last;
	a->nbits = nbits;
	a->nwords = nwords;
	*out = a;
	return 0;
}

void dev_id_alloc_destroy(struct dev_id_alloc *a)
{
	free(a);
}

uint32_t dev_id_alloc_first(const struct dev_id_alloc *a)
{
	return a->first;
}

uint32_t dev_id_alloc_last(const struct dev_id_alloc *a)
{
	return a->last;
}

static int in_range(const struct dev_id_alloc *a, uint32_t id)
{
	return id >= a->first && id <= a->last;
}

static int test_bit(const struct dev_id_alloc *a, size_t i)
{
	return (a->words[i / 64] >> (i % 64)) & 1;
}

int dev_id_alloc_allocate(struct dev_id_alloc *a, uint32_t *out)
{
	for (size_t w = a->hint; w < a->nwords; w++) {
		uint64_t free_bits = ~a->words[w];
		if (!free_bits)
			continue;
		size_t i = w * 64 + (size_t)__builtin_ctzll(free_bits);
		if (i >= a->nbits)
			break;
		a->words[w] |= 1ull << (i % 64);
		a->count++;
		a->hint = w;
		*out = a->first + (uint32_t)i;
		return 0;
	}
	a->hint = a->nwords;
	return -ENOSPC;
}

int dev_id_alloc_allocate_fixed(struct dev_id_alloc *a, uint32_t id)
{
	if (!in_range(a, id))
		return -ERANGE;
	size_t i = id - a->first;
	if (test_bit(a, i))
		return -EBUSY;
	a->words[i / 64] |= 1ull << (i % 64);
	a->count++;
	return 0;
}

int dev_id_alloc_release(struct dev_id_alloc *a, uint32_t id)
{
	if (!in_range(a, id))
		return -ERANGE;
	size_t i = id - a->first;
	if (!test_bit(a, i))
		return -ENOENT;
	a->words[i / 64] &= ~(1ull << (i % 64));
	a->count--;
	if (i / 64 < a->hint)
		a->hint = i / 64;
	return 0;
}

int dev_id_alloc_is_allocated(const struct dev_id_alloc *a, uint32_t id)
{
	return in_range(a, id) && test_bit(a, id - a->first);
}

size_t dev_id_alloc_count(const struct dev_id_alloc *a)
{
	return a->count;
}

size_t dev_id_alloc_save_size(const struct dev_id_alloc *a)
{
	return 32 + 8 * a->count;
}

ssize_t dev_id_alloc_save(const struct dev_id_alloc *a, uint8_t *buf, size_t cap)
{
	size_t need = dev_id_alloc_save_size(a);
	if (!buf || cap < need)
		return -ENOBUFS;
	memcpy(buf, id_magic, 8);
	gm_put_le64(buf + 8, a->first);
	gm_put_le64(buf + 16, a->last);
	gm_put_le64(buf + 24, a->count);
	uint8_t *p = buf + 32;
	for (size_t i = 0; i < a->nbits; i++) {
		if (test_bit(a, i)) {
			gm_put_le64(p, a->first + (uint64_t)i);
			p += 8;
		}
	}
	return (ssize_t)need;
}

int dev_id_alloc_restore(struct dev_id_alloc **out, const uint8_t *buf, size_t len)
{
	if (!buf || len < 32 || memcmp(buf, id_magic, 8))
		return -EBADMSG;
	uint64_t first = gm_get_le64(buf + 8), last = gm_get_le64(buf + 16);
	uint64_t n = gm_get_le64(buf + 24);
	if (first > last || last > UINT32_MAX || n > (len - 32) / 8 || 32 + 8 * n != len)
		return -EBADMSG;
	struct dev_id_alloc *a;
	int rc = dev_id_alloc_new(&a, (uint32_t)first, (uint32_t)last);
	if (rc)
		return rc == -E2BIG ? -EBADMSG : rc;
	uint64_t prev = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t id = gm_get_le64(buf + 32 + 8 * i);
		if ((i > 0 && id <= prev) || id < first || id > last ||
		    dev_id_alloc_allocate_fixed(a, (uint32_t)id)) {
			dev_id_alloc_destroy(a);
			return -EBADMSG;
		}
		prev = id;
	}
	*out = a;
	return 0;
}

int dev_id_alloc_clone(const struct dev_id_alloc *a, struct dev_id_alloc **out)
{
	size_t sz = sizeof(*a) + a->nwords * sizeof(uint64_t);
	struct dev_id_alloc *c = malloc(sz);
	if (!c)
		return -ENOMEM;
	memcpy(c, a, sz);
	*out = c;
	return 0;
}
