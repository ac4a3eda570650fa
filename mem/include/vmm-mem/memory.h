/* vmm-mem: an immutable, refcounted collection of regions (guest memory).
 *
 * Regions are sorted by start and never overlap. A collection never changes
 * after it is built: insert/remove return a NEW collection that shares the
 * untouched regions, so a reader holding a reference keeps a consistent view
 * (see atomic.h for publishing a new one to running threads).
 *
 * Lookup is O(1) for typical layouts and O(log n) worst case:
 *  - the inline u8..u64 accessors first try the largest ("primary") region
 *    when it holds at least half of the memory,
 *    then a direct-mapped table of power-of-two buckets (as large as region
 *    boundaries allow, at most GM_LUT_BUCKETS of them) whose entries each
 *    describe one region with an exact range check; nothing is cached or
 *    written at lookup time, so concurrent readers share no dirty lines;
 *  - everything else, and whatever misses there, uses a second bucket
 *    index (first region that can hold an address of the bucket) and a
 *    binary search between two bucket entries.
 *
 * Threads: a collection is immutable, so any number of threads may use it at
 * once (guest memory itself is shared, as with a real guest: concurrent
 * writes to the same bytes race like they would on hardware). Writes to
 * dirty-tracked regions skip the inline path and mark the bitmap out of line.
 *
 * Errors, everywhere in this file: 0 or a byte count on success, else a
 * negative errno: -EFAULT (address not mapped, or the access would pass
 * UINT64_MAX), -EACCES (write to a read-only region), -EINVAL (bad argument).
 */
#ifndef VMM_MEM_MEMORY_H
#define VMM_MEM_MEMORY_H

#include <vmm-mem/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <vmm-mem/addr.h>
#include <vmm-mem/bitmap.h>
#include <vmm-mem/region.h>
#include <vmm-mem/vslice.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gm_range {
	gm_addr_t start;
	uint64_t len;
};

/* ---- the frozen fast-path view (its layout is ABI) ----------------------
 * struct gm_memory is opaque. The inline accessors below read only this
 * view, which every collection starts with (gm_memory_fastview()). Its
 * layout is part of the ABI of libvmm-mem.so.1: fields are never changed,
 * moved or removed; a later version may only append fields, raise
 * `version` and grow `size`. struct gm__fast (one lookup-table entry) is
 * ABI for the same reason. Do not write to either. */
/* One per bucket: a region that covers part of the bucket. An access of up
 * to 8 bytes at offset off from start may use host + off when off < rlim
 * (reads) or off < wlim (writes). The limits are len - 7 (so any 1..8-byte
 * access fits), or 0 when the inline path must not be used (region shorter
 * than 8 bytes, not host-addressable, not readable / not writable,
 * dirty-tracked for writes, bucket in a hole). */
struct gm__fast {
	uint64_t start;
	uint64_t rlim;
	uint64_t wlim;
	uint8_t *host;
};
#define GM_FASTVIEW_VERSION 1
struct gm_fastview {
	uint32_t version;	 /* GM_FASTVIEW_VERSION of the library that built it */
	uint32_t size;		 /* sizeof(struct gm_fastview) of that library */
	struct gm__fast primary; /* the largest region, tried first */
	struct gm__fast *fast;	 /* direct-mapped: entry (addr >> fshift) & fmask */
	uint64_t fmask;
	unsigned fshift;
};
struct gm_memory;
static inline const struct gm_fastview *gm_memory_fastview(const struct gm_memory *m)
{
	return (const struct gm_fastview *)(const void *)m;
}
/* The same view, out of line: lets a program check the view version at run
 * time, and puts struct gm_fastview into the library's ABI dump (so the ABI
 * check sees its layout). Lives as long as m. */
GM_API const struct gm_fastview *gm_memory_view(const struct gm_memory *m);
/* Host address for an access of 1..8 bytes at a, or 1 (odd, so it fails every
 * alignment test of a 2..8-byte access) to take the checked out-of-line path.
 * First the primary region, then the bucket of a. */
static inline uintptr_t gm__fast_ptr(const struct gm_memory *mem, uint64_t a, bool write)
{
	const struct gm_fastview *m = gm_memory_fastview(mem);
	uint64_t off = a - m->primary.start;
	if (__builtin_expect(off < (write ? m->primary.wlim : m->primary.rlim), 1))
		return (uintptr_t)m->primary.host + off;
	/* The table is direct-mapped: an address outside the span may land on
	 * any entry, and the entry's own range check rejects it. */
	const struct gm__fast *f = &m->fast[(a >> m->fshift) & m->fmask];
	off = a - f->start;
	if (off < (write ? f->wlim : f->rlim))
		return (uintptr_t)f->host + off;
	return 1;
}
/* Is p (from gm__fast_ptr) usable for a single n-byte access? */
#define GM__FAST_OK(p, n) (((p) & ((n)-1)) == 0 && ((n) > 1 || (p) != 1))
/* ------------------------------------------------------------------------- */

/* Build from ranges: one anonymous (private, MAP_NORESERVE) region per range.
 * Ranges must not overlap (any order; sorted here). 0, -EINVAL (overlap, zero
 * length, overflow), -ENOMEM. *out gets one reference. */
GM_API int gm_memory_new_anon(struct gm_memory **out, const struct gm_range *ranges, size_t n);
/* Same, with mmap options (dirty tracking, prot, flags) applied to every region. */
struct gm_mmap_opts;
GM_API int gm_memory_new_anon_opts(struct gm_memory **out, const struct gm_range *ranges, size_t n,
			    const struct gm_mmap_opts *opts);
/* Build from existing regions (any order). Takes its own reference on each
 * region; the caller keeps its references. 0, -EINVAL (overlap, or two
 * file-backed regions mapping overlapping parts of the same file), -ENOMEM. */
GM_API int gm_memory_new_from_regions(struct gm_memory **out, struct gm_region *const *regions, size_t n);
/* n == 0 is accepted by both builders and gives an empty collection.
 * Ownership: the builders give *out one reference; every holder drops its
 * own with gm_memory_put(). */
GM_API struct gm_memory *gm_memory_get(struct gm_memory *m); /* +1 reference, returns m */
GM_API void gm_memory_put(struct gm_memory *m); /* -1; at 0 drops every region reference; NULL ok */

/* New collection = m plus r (m is unchanged). 0, -EINVAL (overlap), -ENOMEM. */
GM_API int gm_memory_insert_region(const struct gm_memory *m, struct gm_region *r, struct gm_memory **out);
/* New collection = m without the region that starts at `start` and has
 * length `len`. 0, -ENOENT (no such region), -ENOMEM. If removed is not
 * NULL it receives a reference to the removed region. */
GM_API int gm_memory_remove_region(const struct gm_memory *m, gm_addr_t start, uint64_t len,
			    struct gm_memory **out, struct gm_region **removed);

GM_API size_t gm_memory_num_regions(const struct gm_memory *m);
GM_API const struct gm_region *gm_memory_region(const struct gm_memory *m, size_t i); /* sorted */
/* Region holding a, or NULL. */
GM_API const struct gm_region *gm_memory_find_region(const struct gm_memory *m, gm_addr_t a);
/* Index of the region holding a, or -1. */
GM_API ssize_t gm_memory_find_index(const struct gm_memory *m, gm_addr_t a);
/* Last mapped address (of the highest region); gm_addr(0) if empty. */
GM_API gm_addr_t gm_memory_last_addr(const struct gm_memory *m);
/* Sum of all region lengths. */
GM_API uint64_t gm_memory_total_size(const struct gm_memory *m);

GM_API bool gm_memory_check_address(const struct gm_memory *m, gm_addr_t a);
/* a + off, if that neither overflows nor lands outside memory: true and
 * *out set; else false. */
GM_API bool gm_memory_checked_offset(const struct gm_memory *m, gm_addr_t a, uint64_t off, gm_addr_t *out);
/* Every byte of [a, a+len) mapped (across regions), no overflow. len 0: true. */
GM_API bool gm_memory_check_range(const struct gm_memory *m, gm_addr_t a, uint64_t len);
/* Region holding a and a's offset in it; NULL if unmapped. */
GM_API const struct gm_region *gm_memory_to_region_addr(const struct gm_memory *m, gm_addr_t a,
						 gm_raddr_t *off);
/* Host address of byte a, or NULL. */
GM_API void *gm_memory_get_host_address(const struct gm_memory *m, gm_addr_t a);
/* Host pointer for [a, a+len) when the whole range is in ONE region, else NULL. */
GM_API void *gm_memory_get_host_ptr(const struct gm_memory *m, gm_addr_t a, uint64_t len);
/* Volatile slice for [a, a+len) inside one region: 0 or -EFAULT. */
GM_API int gm_memory_get_slice(const struct gm_memory *m, gm_addr_t a, uint64_t len,
			struct gm_vslice *out);

/* Iterator splitting [a, a+len) at region boundaries.
 *   struct gm_iter it; struct gm_frag f; int rc;
 *   gm_memory_iter_init(&it, m, a, len);
 *   while ((rc = gm_memory_iter_next(&it, &f)) > 0) use f;
 *   rc == 0: the whole range was covered; rc == -EFAULT: a hole (or
 *   UINT64_MAX) was hit after it.done bytes. */
struct gm_frag {
	const struct gm_region *region;
	gm_addr_t addr;	  /* guest address of the fragment */
	gm_raddr_t raddr; /* offset inside region */
	uint64_t len;
	uint64_t pos; /* offset of the fragment inside the whole access */
	struct gm_vslice slice;
	enum gm_perm perm;
};
struct gm_iter {
	const struct gm_memory *m;
	uint64_t addr;
	uint64_t left;
	uint64_t done;
	bool wrapped;
};
GM_API void gm_memory_iter_init(struct gm_iter *it, const struct gm_memory *m, gm_addr_t a, uint64_t len);
GM_API int gm_memory_iter_next(struct gm_iter *it, struct gm_frag *f);

/* Byte access across regions.
 *   read/write: partial; bytes done (stops at the first hole), -EFAULT if
 *     nothing could be done (len > 0 and a unmapped), -EACCES (write, read-only).
 *   read_slice/write_slice: all or -EFAULT/-EACCES. On error some leading
 *     bytes may have been copied; the _ex forms report how many in *done.
 *     Both check the first region only lazily: a failing write_slice may
 *     have written a prefix. Use gm_memory_check_range() first for
 *     nothing-or-all. */
GM_API ssize_t gm_memory_read(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a);
GM_API ssize_t gm_memory_write(const struct gm_memory *m, const void *buf, size_t len, gm_addr_t a);
GM_API int gm_memory_read_slice(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a);
GM_API int gm_memory_write_slice(const struct gm_memory *m, const void *buf, size_t len, gm_addr_t a);
GM_API int gm_memory_read_slice_ex(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a,
			    size_t *done);
GM_API int gm_memory_write_slice_ex(const struct gm_memory *m, const void *buf, size_t len, gm_addr_t a,
			     size_t *done);
/* Fill len bytes at a with byte c: all or error (as write_slice). */
GM_API int gm_memory_fill(const struct gm_memory *m, int c, size_t len, gm_addr_t a);

/* Plain objects: all-or-error; a 1/2/4/8-byte object at an aligned address
 * inside one region is one single access. 0 or -EFAULT/-EACCES. */
GM_API int gm_memory_read_obj(const struct gm_memory *m, void *obj, size_t size, gm_addr_t a);
GM_API int gm_memory_write_obj(const struct gm_memory *m, const void *obj, size_t size, gm_addr_t a);

/* Atomic load/store of a 1/2/4/8-byte value (must be aligned, else -EINVAL,
 * and must not cross a region). 0, -EFAULT, -EINVAL, -EACCES. */
GM_API int gm_memory_load(const struct gm_memory *m, gm_addr_t a, size_t size, enum gm_order order,
		   uint64_t *out);
GM_API int gm_memory_store(const struct gm_memory *m, gm_addr_t a, size_t size, uint64_t val,
		    enum gm_order order);

/* Atomic read-modify-write of a 1/2/4/8-byte value at a (aligned to its
 * size, inside one region): as gm_vslice_fetch_op / gm_vslice_cmpxchg, plus
 * the region checks. The region must be writable (-EACCES otherwise, even
 * for a cmpxchg that would fail); the bytes are marked in the region's dirty
 * bitmap whenever they are written. 0 (cmpxchg: 1 stored, 0 not), -EFAULT
 * (unmapped), -EACCES, -EINVAL (size, op, order, misaligned, NULL). */
GM_API int gm_memory_fetch_op(const struct gm_memory *m, gm_addr_t a, size_t size, enum gm_rmw_op op,
		       uint64_t val, enum gm_order order, uint64_t *old);
GM_API int gm_memory_cmpxchg(const struct gm_memory *m, gm_addr_t a, size_t size, uint64_t *expected,
		      uint64_t desired, enum gm_order order);
static inline int gm_memory_fetch_add(const struct gm_memory *m, gm_addr_t a, size_t size,
				      uint64_t val, enum gm_order order, uint64_t *old)
{
	return gm_memory_fetch_op(m, a, size, GM_RMW_ADD, val, order, old);
}
static inline int gm_memory_fetch_or(const struct gm_memory *m, gm_addr_t a, size_t size,
				     uint64_t val, enum gm_order order, uint64_t *old)
{
	return gm_memory_fetch_op(m, a, size, GM_RMW_OR, val, order, old);
}
static inline int gm_memory_fetch_and(const struct gm_memory *m, gm_addr_t a, size_t size,
				      uint64_t val, enum gm_order order, uint64_t *old)
{
	return gm_memory_fetch_op(m, a, size, GM_RMW_AND, val, order, old);
}
static inline int gm_memory_swap(const struct gm_memory *m, gm_addr_t a, size_t size,
				 uint64_t val, enum gm_order order, uint64_t *old)
{
	return gm_memory_fetch_op(m, a, size, GM_RMW_SWAP, val, order, old);
}

/* Fast typed accessors (inline fast path, host byte order). 0 or -errno as
 * gm_memory_read_obj / write_obj. */
#define GM__TYPED_ACCESS(bits)                                                                     \
	static inline int gm_memory_read_u##bits(const struct gm_memory *m, gm_addr_t a,           \
						 uint##bits##_t *out)                              \
	{                                                                                          \
		uintptr_t p = gm__fast_ptr(m, a.raw, false);                                       \
		if (__builtin_expect(GM__FAST_OK(p, bits / 8), 1)) {                               \
			*out = *(const volatile uint##bits##_t *)p;                                \
			return 0;                                                                  \
		}                                                                                  \
		return gm_memory_read_obj(m, out, bits / 8, a);                                    \
	}                                                                                          \
	static inline int gm_memory_write_u##bits(const struct gm_memory *m, gm_addr_t a,          \
						  uint##bits##_t val)                              \
	{                                                                                          \
		uintptr_t p = gm__fast_ptr(m, a.raw, true);                                        \
		if (__builtin_expect(GM__FAST_OK(p, bits / 8), 1)) {                               \
			*(volatile uint##bits##_t *)p = val;                                       \
			return 0;                                                                  \
		}                                                                                  \
		return gm_memory_write_obj(m, &val, bits / 8, a);                                  \
	}
GM__TYPED_ACCESS(8)
GM__TYPED_ACCESS(16)
GM__TYPED_ACCESS(32)
GM__TYPED_ACCESS(64)

/* Inline acquire loads / release stores (u16, u32, u64), the atomic
 * counterparts of the typed accessors: 0 or -errno as gm_memory_load /
 * gm_memory_store (-EINVAL when misaligned). A store to a dirty-tracked
 * region takes the out-of-line path, which marks the bitmap. */
#define GM__ORDERED_ACCESS(bits)                                                                   \
	static inline int gm_memory_load_acquire_u##bits(const struct gm_memory *m, gm_addr_t a,   \
							 uint##bits##_t *out)                      \
	{                                                                                          \
		uintptr_t p = gm__fast_ptr(m, a.raw, false);                                       \
		if (__builtin_expect(GM__FAST_OK(p, bits / 8), 1)) {                               \
			*out = __atomic_load_n((const uint##bits##_t *)p, __ATOMIC_ACQUIRE);       \
			return 0;                                                                  \
		}                                                                                  \
		uint64_t v = 0;                                                                    \
		int rc = gm_memory_load(m, a, bits / 8, GM_ACQUIRE, &v);                           \
		if (rc == 0)                                                                       \
			*out = (uint##bits##_t)v;                                                  \
		return rc;                                                                         \
	}                                                                                          \
	static inline int gm_memory_store_release_u##bits(const struct gm_memory *m, gm_addr_t a,  \
							  uint##bits##_t val)                      \
	{                                                                                          \
		uintptr_t p = gm__fast_ptr(m, a.raw, true);                                        \
		if (__builtin_expect(GM__FAST_OK(p, bits / 8), 1)) {                               \
			__atomic_store_n((uint##bits##_t *)p, val, __ATOMIC_RELEASE);              \
			return 0;                                                                  \
		}                                                                                  \
		return gm_memory_store(m, a, bits / 8, val, GM_RELEASE);                           \
	}
GM__ORDERED_ACCESS(16)
GM__ORDERED_ACCESS(32)
GM__ORDERED_ACCESS(64)
/* Inline typed compare-exchange (u16, u32, u64): as gm_memory_cmpxchg
 * (1 stored, 0 not and *expected updated, or -errno); with a constant order
 * the fast path is the bare instruction. Dirty-tracked regions go out of
 * line and are marked. */
#define GM__CAS_FAST(bits, p, expected, desired, so, fo)                                           \
	__atomic_compare_exchange_n((uint##bits##_t *)(p), expected, desired, false, so, fo)
#define GM__TYPED_CAS(bits)                                                                        \
	static inline int gm_memory_cmpxchg_u##bits(const struct gm_memory *m, gm_addr_t a,        \
						    uint##bits##_t *expected,                      \
						    uint##bits##_t desired, enum gm_order order)   \
	{                                                                                          \
		uintptr_t p = gm__fast_ptr(m, a.raw, true);                                        \
		if (__builtin_expect(GM__FAST_OK(p, bits / 8), 1)) {                               \
			switch (order) {                                                           \
			case GM_RELAXED:                                                           \
				return GM__CAS_FAST(bits, p, expected, desired, __ATOMIC_RELAXED,  \
						    __ATOMIC_RELAXED);                             \
			case GM_ACQUIRE:                                                           \
				return GM__CAS_FAST(bits, p, expected, desired, __ATOMIC_ACQUIRE,  \
						    __ATOMIC_ACQUIRE);                             \
			case GM_RELEASE:                                                           \
				return GM__CAS_FAST(bits, p, expected, desired, __ATOMIC_RELEASE,  \
						    __ATOMIC_RELAXED);                             \
			case GM_ACQ_REL:                                                           \
				return GM__CAS_FAST(bits, p, expected, desired, __ATOMIC_ACQ_REL,  \
						    __ATOMIC_ACQUIRE);                             \
			case GM_SEQ_CST:                                                           \
				return GM__CAS_FAST(bits, p, expected, desired, __ATOMIC_SEQ_CST,  \
						    __ATOMIC_SEQ_CST);                             \
			default:                                                                   \
				break;                                                             \
			}                                                                          \
		}                                                                                  \
		uint64_t e = *expected;                                                            \
		int rc = gm_memory_cmpxchg(m, a, bits / 8, &e, desired, order);                    \
		if (rc == 0)                                                                       \
			*expected = (uint##bits##_t)e;                                             \
		return rc;                                                                         \
	}
GM__TYPED_CAS(16)
GM__TYPED_CAS(32)
GM__TYPED_CAS(64)

/* File descriptors straight into / out of guest memory (EINTR retried).
 *   read_from_fd:       up to count bytes from fd into guest memory at a;
 *                       returns bytes read (0 at EOF), stops early on a
 *                       short read, a hole, or an error after some progress;
 *                       -EFAULT if a is unmapped, else -errno of read().
 *   read_exact_from_fd: exactly count bytes or an error: -EFAULT (range not
 *                       fully mapped, checked first), -ENODATA (EOF first),
 *                       -errno. write_to_fd / write_all_to_fd: the same for
 *                       guest memory -> fd (-EPIPE-like errors come from write()).
 * Writes into guest memory mark the dirty bitmap. */
GM_API ssize_t gm_memory_read_from_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count);
GM_API int gm_memory_read_exact_from_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count);
GM_API ssize_t gm_memory_write_to_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count);
GM_API int gm_memory_write_all_to_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count);

#ifdef __cplusplus
}
#endif

#endif
