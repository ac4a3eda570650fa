/* vmm-mem: explicit-endian integer types for guest-visible structures.
 *
 * gm_le16_t/gm_le32_t/gm_le64_t and gm_be16_t/gm_be32_t/gm_be64_t are
 * distinct struct types holding the value in the stated byte order, so they
 * can sit inside packed guest structures and cannot be mixed with native
 * integers by accident. Convert with gm_leNN(native) -> type and
 * gm_leNN_to_cpu(v) -> native (same for be). Works on either host byte order.
 */
#ifndef VMM_MEM_ENDIAN_H
#define VMM_MEM_ENDIAN_H

#include <vmm-mem/api.h>

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	uint16_t v;
} gm_le16_t;
typedef struct {
	uint32_t v;
} gm_le32_t;
typedef struct {
	uint64_t v;
} gm_le64_t;
typedef struct {
	uint16_t v;
} gm_be16_t;
typedef struct {
	uint32_t v;
} gm_be32_t;
typedef struct {
	uint64_t v;
} gm_be64_t;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GM__LE(bits, x) (x)
#define GM__BE(bits, x) __builtin_bswap##bits(x)
#else
#define GM__LE(bits, x) __builtin_bswap##bits(x)
#define GM__BE(bits, x) (x)
#endif

#define GM__ENDIAN_OPS(name, T, U, bits, CONV)                                                     \
	static inline T name(U x)                                                                  \
	{                                                                                          \
		T r = {CONV(bits, x)};                                                             \
		return r;                                                                          \
	}                                                                                          \
	static inline U name##_to_cpu(T x)                                                         \
	{                                                                                          \
		return CONV(bits, x.v);                                                            \
	}

GM__ENDIAN_OPS(gm_le16, gm_le16_t, uint16_t, 16, GM__LE)
GM__ENDIAN_OPS(gm_le32, gm_le32_t, uint32_t, 32, GM__LE)
GM__ENDIAN_OPS(gm_le64, gm_le64_t, uint64_t, 64, GM__LE)
GM__ENDIAN_OPS(gm_be16, gm_be16_t, uint16_t, 16, GM__BE)
GM__ENDIAN_OPS(gm_be32, gm_be32_t, uint32_t, 32, GM__BE)
GM__ENDIAN_OPS(gm_be64, gm_be64_t, uint64_t, 64, GM__BE)

/* Little-endian loads and stores on byte buffers with no alignment
 * assumption (guest-visible tables, device registers, saved state):
 * gm_get_leNN(p) reads, gm_put_leNN(p, v) writes NN/8 bytes at p. */
#define GM__LE_BYTES(bits)                                                                         \
	static inline uint##bits##_t gm_get_le##bits(const void *p)                                \
	{                                                                                          \
		uint##bits##_t v;                                                                  \
		memcpy(&v, p, sizeof(v));                                                          \
		return GM__LE(bits, v);                                                            \
	}                                                                                          \
	static inline void gm_put_le##bits(void *p, uint##bits##_t v)                              \
	{                                                                                          \
		v = GM__LE(bits, v);                                                               \
		memcpy(p, &v, sizeof(v));                                                          \
	}

GM__LE_BYTES(16)
GM__LE_BYTES(32)
GM__LE_BYTES(64)

#ifndef __cplusplus
_Static_assert(sizeof(gm_le64_t) == 8 && sizeof(gm_be16_t) == 2, "endian types are plain");
#endif

#ifdef __cplusplus
}
#endif

#endif
