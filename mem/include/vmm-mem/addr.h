/* vmm-mem: address types and overflow-safe address arithmetic.
 *
 * Three distinct types, so a guest address can never be passed where a
 * region-relative offset or a file offset is expected (and vice versa):
 *   gm_addr_t   guest physical address (also used for IOVAs in iommu.h)
 *   gm_raddr_t  address relative to the start of one region
 *   gm_foff_t   byte offset into a backing file
 *
 * Each type has the same operation set (shown for gm_addr_):
 *   gm_addr(raw) / gm_addr_raw(a)            construct / unwrap
 *   gm_addr_checked_add(a, n, &out)          true on success, false on overflow (out untouched)
 *   gm_addr_overflowing_add(a, n, &ovf)      wrapped result, *ovf = whether it wrapped
 *   gm_addr_unchecked_add(a, n)              wrapped result; caller guarantees no overflow
 *   gm_addr_checked_sub / _overflowing_sub / _unchecked_sub   same for subtraction
 *   gm_addr_checked_offset_from(a, base, &d) true and d = a - base when a >= base
 *   gm_addr_unchecked_offset_from(a, base)   a - base, wrapped
 *   gm_addr_checked_align_up(a, align, &out) align must be a power of two; false on
 *                                            overflow or bad alignment
 *   gm_addr_unchecked_align_up(a, align)     wrapped result
 *   gm_addr_mask(a, mask)                    raw & mask
 *   gm_addr_cmp(a, b)                        -1 / 0 / 1
 * Overflow past UINT64_MAX is always reported by the checked forms, never wrapped.
 */
#ifndef VMM_MEM_ADDR_H
#define VMM_MEM_ADDR_H

#include <vmm-mem/api.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	uint64_t raw;
} gm_addr_t;
typedef struct {
	uint64_t raw;
} gm_raddr_t;
typedef struct {
	uint64_t raw;
} gm_foff_t;

#define GM__ADDR_OPS(P, T)                                                                         \
	static inline T P(uint64_t raw)                                                            \
	{                                                                                          \
		T a = {raw};                                                                       \
		return a;                                                                          \
	}                                                                                          \
	static inline uint64_t P##_raw(T a)                                                        \
	{                                                                                          \
		return a.raw;                                                                      \
	}                                                                                          \
	static inline bool P##_checked_add(T a, uint64_t n, T *out)                                \
	{                                                                                          \
		uint64_t r;                                                                        \
		if (__builtin_add_overflow(a.raw, n, &r))                                          \
			return false;                                                              \
		out->raw = r;                                                                      \
		return true;                                                                       \
	}                                                                                          \
	static inline T P##_overflowing_add(T a, uint64_t n, bool *ovf)                            \
	{                                                                                          \
		T r;                                                                               \
		*ovf = __builtin_add_overflow(a.raw, n, &r.raw);                                   \
		return r;                                                                          \
	}                                                                                          \
	static inline T P##_unchecked_add(T a, uint64_t n)                                         \
	{                                                                                          \
		T r = {a.raw + n};                                                                 \
		return r;                                                                          \
	}                                                                                          \
	static inline bool P##_checked_sub(T a, uint64_t n, T *out)                                \
	{                                                                                          \
		if (n > a.raw)                                                                     \
			return false;                                                              \
		out->raw = a.raw - n;                                                              \
		return true;                                                                       \
	}                                                                                          \
	static inline T P##_overflowing_sub(T a, uint64_t n, bool *ovf)                            \
	{                                                                                          \
		T r = {a.raw - n};                                                                 \
		*ovf = n > a.raw;                                                                  \
		return r;                                                                          \
	}                                                                                          \
	static inline T P##_unchecked_sub(T a, uint64_t n)                                         \
	{                                                                                          \
		T r = {a.raw - n};                                                                 \
		return r;                                                                          \
	}                                                                                          \
	static inline bool P##_checked_offset_from(T a, T base, uint64_t *out)                     \
	{                                                                                          \
		if (base.raw > a.raw)                                                              \
			return false;                                                              \
		*out = a.raw - base.raw;                                                           \
		return true;                                                                       \
	}                                                                                          \
	static inline uint64_t P##_unchecked_offset_from(T a, T base)                              \
	{                                                                                          \
		return a.raw - base.raw;                                                           \
	}                                                                                          \
	static inline bool P##_checked_align_up(T a, uint64_t align, T *out)                       \
	{                                                                                          \
		uint64_t r;                                                                        \
		if (align == 0 || (align & (align - 1)) != 0)                                      \
			return false;                                                              \
		if (__builtin_add_overflow(a.raw, align - 1, &r))                                  \
			return false;                                                              \
		out->raw = r & ~(align - 1);                                                       \
		return true;                                                                       \
	}                                                                                          \
	static inline T P##_unchecked_align_up(T a, uint64_t align)                                \
	{                                                                                          \
		T r = {(a.raw + align - 1) & ~(align - 1)};                                        \
		return r;                                                                          \
	}                                                                                          \
	static inline uint64_t P##_mask(T a, uint64_t mask)                                        \
	{                                                                                          \
		return a.raw & mask;                                                               \
	}                                                                                          \
	static inline int P##_cmp(T a, T b)                                                        \
	{                                                                                          \
		return a.raw < b.raw ? -1 : a.raw > b.raw;                                         \
	}

GM__ADDR_OPS(gm_addr, gm_addr_t)
GM__ADDR_OPS(gm_raddr, gm_raddr_t)
GM__ADDR_OPS(gm_foff, gm_foff_t)

#ifdef __cplusplus
}
#endif

#endif
