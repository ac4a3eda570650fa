/* vmm-mem: atomic dirty-page bitmap, one bit per page of a region.
 *
 * Every write path through mem/ (slices, region and memory access, object and
 * atomic stores, reads from a file descriptor into guest memory) marks the
 * pages it touched. Regions created without tracking have no bitmap (NULL)
 * and pay only one predictable branch per write.
 *
 * Bits are set with an atomic OR with release order, after the data was
 * written; gm_bitmap_get_and_reset() swaps each word with 0 with acquire
 * order. So a collector that sees a bit also sees the data written before it
 * was set, and a mark that lands after the swap stays for the next round: no
 * write is ever lost between collection rounds. (There is deliberately no
 * "already set? then skip" shortcut: a skipped mark could race with the
 * swap and lose the write.)
 */
#ifndef VMM_MEM_BITMAP_H
#define VMM_MEM_BITMAP_H

#include <vmm-mem/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gm_bitmap {
	uint64_t len;	     /* bytes covered */
	uint64_t page_size;  /* power of two */
	unsigned page_shift; /* log2(page_size) */
	size_t nbits;	     /* pages = ceil(len / page_size) */
	size_t nwords;	     /* 64-bit words in bits[] */
	uint64_t bits[];     /* accessed with __atomic builtins only */
};

/* Create a bitmap covering len bytes (len > 0) in pages of page_size (a power
 * of two, >= 1). 0, -EINVAL or -ENOMEM. The caller owns *out and frees it with
 * gm_bitmap_free() (NULL ok). */
GM_API int gm_bitmap_new(struct gm_bitmap **out, uint64_t len, uint64_t page_size);
GM_API void gm_bitmap_free(struct gm_bitmap *b);

/* Out-of-line marker for [off, off+len); bytes beyond b->len are ignored. */
GM_API void gm_bitmap_mark_range(struct gm_bitmap *b, uint64_t off, uint64_t len);

/* Mark [off, off+len) dirty. Cheap for the common one-page case. */
static inline void gm_bitmap_mark(struct gm_bitmap *b, uint64_t off, uint64_t len)
{
	if (len == 0)
		return;
	uint64_t first = off >> b->page_shift;
	uint64_t last = (off + len - 1) >> b->page_shift;
	if (__builtin_expect(first == last && off + len > off && first < b->nbits, 1)) {
		uint64_t bit = 1ULL << (first & 63);
		uint64_t *w = &b->bits[first >> 6];
		__atomic_fetch_or(w, bit, __ATOMIC_RELEASE);
		return;
	}
	gm_bitmap_mark_range(b, off, len);
}

/* Is the page holding byte off dirty? false when off is out of range. */
GM_API bool gm_bitmap_is_dirty(const struct gm_bitmap *b, uint64_t off);
/* Is any page of [off, off+len) dirty? */
GM_API bool gm_bitmap_any_dirty(const struct gm_bitmap *b, uint64_t off, uint64_t len);
/* Number of dirty pages. */
GM_API size_t gm_bitmap_count(const struct gm_bitmap *b);
/* Copy the bitmap into out[0..nwords) (bit i of word w = page w*64+i) and
 * clear it, word by word atomically. Copies min(nwords, b->nwords) words;
 * returns the number of words copied. out may be NULL to just reset. */
GM_API size_t gm_bitmap_get_and_reset(struct gm_bitmap *b, uint64_t *out, size_t nwords);
/* Clear every bit. */
GM_API void gm_bitmap_reset(struct gm_bitmap *b);

#ifdef __cplusplus
}
#endif

#endif
