/* mem/ private: the layout of struct gm_memory behind the public fast view
 * (not installed; only the mem/ sources include it). Free to change between releases
 * as long as struct gm_fastview stays first and unchanged. */
#ifndef VMM_MEM_MEMORY_PRIV_H
#define VMM_MEM_MEMORY_PRIV_H

#include <vmm-mem/memory.h>

#define GM_LUT_BUCKETS 4096
struct gm__ent {
	uint64_t start;
	uint64_t last;	      /* inclusive: start + len - 1 */
	uint8_t *host;	      /* NULL: not readable through a host pointer */
	uint8_t *whost;	      /* host if writable, else NULL */
	struct gm_bitmap *bm; /* NULL: no dirty tracking */
	struct gm_region *region;
};
struct gm_memory {
	struct gm_fastview view; /* first: gm_memory_fastview() casts */
	uint64_t base;	/* ents[0].start */
	unsigned shift; /* slow-path bucket = (addr - base) >> shift */
	uint64_t nbuckets;
	uint32_t *bucket;     /* nbuckets + 1 entries: first region with last >= bucket start */
	struct gm__ent *ents; /* n entries sorted by start */
	size_t n;
	long refs; /* __atomic only */
};
const struct gm__ent *gm__lookup_slow(const struct gm_memory *m, uint64_t a, uint64_t b);
static inline const struct gm__ent *gm__lookup(const struct gm_memory *m, uint64_t a)
{
	uint64_t b = (a - m->base) >> m->shift;
	if (__builtin_expect(b >= m->nbuckets, 0))
		return NULL;
	const struct gm__ent *e = &m->ents[m->bucket[b]];
	if (__builtin_expect(a <= e->last, 1))
		return a >= e->start ? e : NULL;
	return gm__lookup_slow(m, a, b);
}

#endif
