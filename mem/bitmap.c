/* Atomic dirty-page bitmap. */
#include <errno.h>
#include <stdlib.h>

#include <vmm-mem/bitmap.h>

int gm_bitmap_new(struct gm_bitmap **out, uint64_t len, uint64_t page_size)
{
	if (!out || len == 0 || page_size == 0 || (page_size & (page_size - 1)))
		return -EINVAL;
	unsigned shift = (unsigned)__builtin_ctzll(page_size);
	uint64_t nbits = (len >> shift) + ((len & (page_size - 1)) != 0);
	uint64_t nwords = (nbits + 63) / 64;
	if (nwords > (SIZE_MAX - sizeof(struct gm_bitmap)) / sizeof(uint64_t))
		return -ENOMEM;
	struct gm_bitmap *b = calloc(1, sizeof(*b) + nwords * sizeof(uint64_t));
	if (!b)
		return -ENOMEM;
	b->len = len;
	b->page_size = page_size;
	b->page_shift = shift;
	b->nbits = (size_t)nbits;
	b->nwords = (size_t)nwords;
	*out = b;
	return 0;
}

void gm_bitmap_free(struct gm_bitmap *b)
{
	free(b);
}

void gm_bitmap_mark_range(struct gm_bitmap *b, uint64_t off, uint64_t len)
{
	if (len == 0 || off >= b->len)
		return;
	uint64_t last = len - 1 > b->len - 1 - off ? b->len - 1 : off + len - 1;
	uint64_t first = off >> b->page_shift;
	uint64_t lastp = last >> b->page_shift;
	for (uint64_t p = first; p <= lastp;) {
		uint64_t w = p >> 6;
		unsigned lo = (unsigned)(p & 63);
		unsigned hi = (lastp >> 6) == w ? (unsigned)(lastp & 63) : 63;
		uint64_t mask = (hi == 63 ? ~0ULL : ((1ULL << (hi + 1)) - 1)) & ~((1ULL << lo) - 1);
		__atomic_fetch_or(&b->bits[w], mask, __ATOMIC_RELEASE);
		p = (w + 1) << 6;
	}
}

bool gm_bitmap_is_dirty(const struct gm_bitmap *b, uint64_t off)
{
	if (off >= b->len)
		return false;
	uint64_t p = off >> b->page_shift;
	return (__atomic_load_n(&b->bits[p >> 6], __ATOMIC_RELAXED) >> (p & 63)) & 1;
}

bool gm_bitmap_any_dirty(const struct gm_bitmap *b, uint64_t off, uint64_t len)
{
	if (len == 0 || off >= b->len)
		return false;
	uint64_t last = len - 1 > b->len - 1 - off ? b->len - 1 : off + len - 1;
	for (uint64_t p = off >> b->page_shift; p <= last >> b->page_shift; p++)
		if ((__atomic_load_n(&b->bits[p >> 6], __ATOMIC_RELAXED) >> (p & 63)) & 1)
			return true;
	return false;
}

size_t gm_bitmap_count(const struct gm_bitmap *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->nwords; i++)
		n += (size_t)__builtin_popcountll(__atomic_load_n(&b->bits[i], __ATOMIC_RELAXED));
	return n;
}

size_t gm_bitmap_get_and_reset(struct gm_bitmap *b, uint64_t *out, size_t nwords)
{
	size_t n = out ? (nwords < b->nwords ? nwords : b->nwords) : 0;
	for (size_t i = 0; i < b->nwords; i++) {
		uint64_t v = __atomic_exchange_n(&b->bits[i], 0, __ATOMIC_ACQ_REL);
		if (i < n)
			out[i] = v;
	}
	return n;
}

void gm_bitmap_reset(struct gm_bitmap *b)
{
	gm_bitmap_get_and_reset(b, NULL, 0);
}
