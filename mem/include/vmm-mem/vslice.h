/* vmm-mem: volatile slices, a bounded window of host memory that backs guest
 * memory (which the guest or another thread may change at any moment).
 *
 * Copy rule: a copy of exactly 1, 2, 4 or 8 bytes whose guest-side address is
 * naturally aligned is one single volatile access (never torn); every other
 * copy uses memcpy (full speed, no tearing guarantee). Atomic load/store of 1,
 * 2, 4, 8 bytes take a memory order; a misaligned atomic is -EINVAL.
 *
 * A slice may carry a dirty bitmap: every write through it marks the pages it
 * touched. A slice does not own anything; it is valid while the region (and
 * so the gm_memory snapshot) it came from is.
 */
#ifndef VMM_MEM_VSLICE_H
#define VMM_MEM_VSLICE_H

#include <vmm-mem/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <vmm-mem/bitmap.h>

#ifdef __cplusplus
extern "C" {
#endif

enum gm_order {
	GM_RELAXED = __ATOMIC_RELAXED,
	GM_ACQUIRE = __ATOMIC_ACQUIRE,
	GM_RELEASE = __ATOMIC_RELEASE,
	GM_ACQ_REL = __ATOMIC_ACQ_REL,
	GM_SEQ_CST = __ATOMIC_SEQ_CST,
};

struct gm_vslice {
	uint8_t *ptr; /* host address of byte 0 */
	size_t len;
	struct gm_bitmap *bm; /* NULL: no dirty tracking */
	uint64_t bm_off;      /* offset of byte 0 inside bm's range */
};

/* A slice over [ptr, ptr+len) with no dirty tracking. */
static inline struct gm_vslice gm_vslice(void *ptr, size_t len)
{
	struct gm_vslice s = {(uint8_t *)ptr, len, NULL, 0};
	return s;
}
/* Same, with dirty tracking: byte 0 is at offset bm_off in bm. */
static inline struct gm_vslice gm_vslice_tracked(void *ptr, size_t len, struct gm_bitmap *bm,
						 uint64_t bm_off)
{
	struct gm_vslice s = {(uint8_t *)ptr, len, bm, bm_off};
	return s;
}
static inline size_t gm_vslice_len(const struct gm_vslice *s)
{
	return s->len;
}
static inline void *gm_vslice_ptr(const struct gm_vslice *s)
{
	return s->ptr;
}

/* Mark [off, off+len) of the slice dirty (no-op without a bitmap). */
static inline void gm_vslice_mark_dirty(const struct gm_vslice *s, size_t off, size_t len)
{
	if (s->bm)
		gm_bitmap_mark(s->bm, s->bm_off + off, len);
}

/* [off, off+len) of s. 0 or -EFAULT (out of bounds / overflow). */
GM_API int gm_vslice_subslice(const struct gm_vslice *s, size_t off, size_t len, struct gm_vslice *out);
/* [off, end) of s. 0 or -EFAULT (off > len). */
GM_API int gm_vslice_offset(const struct gm_vslice *s, size_t off, struct gm_vslice *out);
/* [0, mid) and [mid, end). 0 or -EFAULT (mid > len). */
GM_API int gm_vslice_split_at(const struct gm_vslice *s, size_t mid, struct gm_vslice *left,
		       struct gm_vslice *right);

/* Low-level copies following the copy rule; `guest` is the slice side. */
static inline void gm__copy_from_guest(void *dst, const volatile void *guest, size_t n)
{
	uintptr_t g = (uintptr_t)guest;
	switch (n) {
	case 1:
		*(uint8_t *)dst = *(const volatile uint8_t *)guest;
		return;
	case 2:
		if (!(g & 1)) {
			uint16_t v = *(const volatile uint16_t *)guest;
			memcpy(dst, &v, 2);
			return;
		}
		break;
	case 4:
		if (!(g & 3)) {
			uint32_t v = *(const volatile uint32_t *)guest;
			memcpy(dst, &v, 4);
			return;
		}
		break;
	case 8:
		if (!(g & 7)) {
			uint64_t v = *(const volatile uint64_t *)guest;
			memcpy(dst, &v, 8);
			return;
		}
		break;
	}
	memcpy(dst, (const void *)guest, n);
}
static inline void gm__copy_to_guest(volatile void *guest, const void *src, size_t n)
{
	uintptr_t g = (uintptr_t)guest;
	switch (n) {
	case 1:
		*(volatile uint8_t *)guest = *(const uint8_t *)src;
		return;
	case 2:
		if (!(g & 1)) {
			uint16_t v;
			memcpy(&v, src, 2);
			*(volatile uint16_t *)guest = v;
			return;
		}
		break;
	case 4:
		if (!(g & 3)) {
			uint32_t v;
			memcpy(&v, src, 4);
			*(volatile uint32_t *)guest = v;
			return;
		}
		break;
	case 8:
		if (!(g & 7)) {
			uint64_t v;
			memcpy(&v, src, 8);
			*(volatile uint64_t *)guest = v;
			return;
		}
		break;
	}
	memcpy((void *)guest, src, n);
}

/* Copy min(n, len) bytes from the slice start into buf; returns the count. */
GM_API size_t gm_vslice_copy_to(const struct gm_vslice *s, void *buf, size_t n);
/* Copy min(n, len) bytes from buf to the slice start (marks dirty); returns the count. */
GM_API size_t gm_vslice_copy_from(const struct gm_vslice *s, const void *buf, size_t n);
/* Copy min(src.len, dst.len) bytes between slices (memmove semantics); returns the count. */
GM_API size_t gm_vslice_copy_to_vslice(const struct gm_vslice *src, const struct gm_vslice *dst);
/* Fill min(n, len) bytes with byte c (marks dirty); returns the count. */
GM_API size_t gm_vslice_fill(const struct gm_vslice *s, int c, size_t n);

/* Read/write a plain object of `size` bytes at off: all or nothing.
 * 0 or -EFAULT. Sizes 1/2/4/8 at an aligned address are single accesses. */
GM_API int gm_vslice_read_obj(const struct gm_vslice *s, size_t off, void *obj, size_t size);
GM_API int gm_vslice_write_obj(const struct gm_vslice *s, size_t off, const void *obj, size_t size);

/* Atomic load/store of a size-byte (1, 2, 4 or 8) unsigned value at off.
 * 0, -EFAULT (out of bounds), -EINVAL (bad size, misaligned address, or an
 * order not valid for the operation: loads refuse RELEASE/ACQ_REL, stores
 * refuse ACQUIRE/ACQ_REL). */
GM_API int gm_vslice_load(const struct gm_vslice *s, size_t off, size_t size, enum gm_order order,
		   uint64_t *out);
GM_API int gm_vslice_store(const struct gm_vslice *s, size_t off, size_t size, uint64_t val,
		    enum gm_order order);

/* Atomic read-modify-write of a size-byte (1, 2, 4 or 8) unsigned value at
 * off, with memory order `order` (any of the five).
 *   fetch_op: applies op with operand val (SWAP stores val) and puts the
 *     previous value in *old (old may be NULL). Marks the bytes dirty.
 *   cmpxchg: strong compare-exchange; if the value equals *expected it
 *     stores desired and returns 1 (marks dirty), else stores the current
 *     value in *expected and returns 0 (nothing written, nothing marked).
 *     The failure order is derived from `order` (release part dropped).
 * Errors: -EFAULT (out of bounds), -EINVAL (bad size, op or order, address
 * not aligned to size, NULL expected). Values wider than size are truncated.
 * Threads: safe against any concurrent atomic on the same bytes. */
enum gm_rmw_op {
	GM_RMW_ADD,
	GM_RMW_SUB,
	GM_RMW_OR,
	GM_RMW_AND,
	GM_RMW_XOR,
	GM_RMW_SWAP,
};
GM_API int gm_vslice_fetch_op(const struct gm_vslice *s, size_t off, size_t size, enum gm_rmw_op op,
		       uint64_t val, enum gm_order order, uint64_t *old);
GM_API int gm_vslice_cmpxchg(const struct gm_vslice *s, size_t off, size_t size, uint64_t *expected,
		      uint64_t desired, enum gm_order order);

/* File descriptors straight into / out of the slice (EINTR retried).
 *   read_from_fd:  one read() of up to min(count, len) bytes into the slice
 *                  start (marks dirty); bytes read (0 at EOF) or -errno.
 *   read_exact_from_fd: exactly count bytes or -EFAULT (count > len),
 *                  -ENODATA (EOF first), -errno.
 *   write_to_fd / write_all_to_fd: the same from the slice to fd (-EIO if
 *                  write() returns 0). */
GM_API ssize_t gm_vslice_read_from_fd(const struct gm_vslice *s, int fd, size_t count);
GM_API int gm_vslice_read_exact_from_fd(const struct gm_vslice *s, int fd, size_t count);
GM_API ssize_t gm_vslice_write_to_fd(const struct gm_vslice *s, int fd, size_t count);
GM_API int gm_vslice_write_all_to_fd(const struct gm_vslice *s, int fd, size_t count);

/* Raw atomic helpers on a host pointer (used by region/memory atomics).
 * Same return values as gm_vslice_load/store; no bounds checks. */
int gm__atomic_load(const void *p, size_t size, enum gm_order order, uint64_t *out);
int gm__atomic_store(void *p, size_t size, uint64_t val, enum gm_order order);
int gm__atomic_rmw(void *p, size_t size, enum gm_rmw_op op, uint64_t val, enum gm_order order,
		   uint64_t *old);
int gm__atomic_cmpxchg(void *p, size_t size, uint64_t *expected, uint64_t desired,
		       enum gm_order order);

#ifdef __cplusplus
}
#endif

#endif
