/* Atomic read-modify-write (fetch-op, swap, compare-exchange) on a host
 * pointer, on a volatile slice and on a guest address. */
#include <errno.h>
#include <stdint.h>

#include <vmm-mem/memory.h>
#include <vmm-mem/vslice.h>

static int check_rmw(const void *p, size_t size, enum gm_order order)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if ((uintptr_t)p & (size - 1))
		return -EINVAL;
	if (order != GM_RELAXED && order != GM_ACQUIRE && order != GM_RELEASE &&
	    order != GM_ACQ_REL && order != GM_SEQ_CST)
		return -EINVAL;
	return 0;
}

/* One builtin per (op, order): the order argument must be a constant for the
 * compiler to emit the weaker barrier. */
#define RMW_ORDERED(fn, type, p, v, order, res)                                                    \
	do {                                                                                       \
		switch (order) {                                                                   \
		case GM_RELAXED:                                                                   \
			res = fn((type *)(p), (type)(v), __ATOMIC_RELAXED);                        \
			break;                                                                     \
		case GM_ACQUIRE:                                                                   \
			res = fn((type *)(p), (type)(v), __ATOMIC_ACQUIRE);                        \
			break;                                                                     \
		case GM_RELEASE:                                                                   \
			res = fn((type *)(p), (type)(v), __ATOMIC_RELEASE);                        \
			break;                                                                     \
		case GM_ACQ_REL:                                                                   \
			res = fn((type *)(p), (type)(v), __ATOMIC_ACQ_REL);                        \
			break;                                                                     \
		default:                                                                           \
			res = fn((type *)(p), (type)(v), __ATOMIC_SEQ_CST);                        \
			break;                                                                     \
		}                                                                                  \
	} while (0)

#define RMW_OP(type, p, op, v, order, res)                                                         \
	do {                                                                                       \
		switch (op) {                                                                      \
		case GM_RMW_ADD:                                                                   \
			RMW_ORDERED(__atomic_fetch_add, type, p, v, order, res);                   \
			break;                                                                     \
		case GM_RMW_SUB:                                                                   \
			RMW_ORDERED(__atomic_fetch_sub, type, p, v, order, res);                   \
			break;                                                                     \
		case GM_RMW_OR:                                                                    \
			RMW_ORDERED(__atomic_fetch_or, type, p, v, order, res);                    \
			break;                                                                     \
		case GM_RMW_AND:                                                                   \
			RMW_ORDERED(__atomic_fetch_and, type, p, v, order, res);                   \
			break;                                                                     \
		case GM_RMW_XOR:                                                                   \
			RMW_ORDERED(__atomic_fetch_xor, type, p, v, order, res);                   \
			break;                                                                     \
		default:                                                                           \
			RMW_ORDERED(__atomic_exchange_n, type, p, v, order, res);                  \
			break;                                                                     \
		}                                                                                  \
	} while (0)

int gm__atomic_rmw(void *p, size_t size, enum gm_rmw_op op, uint64_t val, enum gm_order order,
		   uint64_t *old)
{
	int rc = check_rmw(p, size, order);
	if (rc)
		return rc;
	if (op != GM_RMW_ADD && op != GM_RMW_SUB && op != GM_RMW_OR && op != GM_RMW_AND &&
	    op != GM_RMW_XOR && op != GM_RMW_SWAP)
		return -EINVAL;
	uint64_t res;
	switch (size) {
	case 1: {
		uint8_t r;
		RMW_OP(uint8_t, p, op, val, order, r);
		res = r;
		break;
	}
	case 2: {
		uint16_t r;
		RMW_OP(uint16_t, p, op, val, order, r);
		res = r;
		break;
	}
	case 4: {
		uint32_t r;
		RMW_OP(uint32_t, p, op, val, order, r);
		res = r;
		break;
	}
	default:
		RMW_OP(uint64_t, p, op, val, order, res);
		break;
	}
	if (old)
		*old = res;
	return 0;
}

/* Failure order derived from the success order (C11's rule: no release part,
 * not stronger than success). */
#define CAS_ORDERED(type, p, expp, des, order, ok)                                                 \
	do {                                                                                       \
		switch (order) {                                                                   \
		case GM_RELAXED:                                                                   \
			ok = __atomic_compare_exchange_n((type *)(p), expp, (type)(des), false,    \
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED);      \
			break;                                                                     \
		case GM_ACQUIRE:                                                                   \
			ok = __atomic_compare_exchange_n((type *)(p), expp, (type)(des), false,    \
							 __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);      \
			break;                                                                     \
		case GM_RELEASE:                                                                   \
			ok = __atomic_compare_exchange_n((type *)(p), expp, (type)(des), false,    \
							 __ATOMIC_RELEASE, __ATOMIC_RELAXED);      \
			break;                                                                     \
		case GM_ACQ_REL:                                                                   \
			ok = __atomic_compare_exchange_n((type *)(p), expp, (type)(des), false,    \
							 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);      \
			break;                                                                     \
		default:                                                                           \
			ok = __atomic_compare_exchange_n((type *)(p), expp, (type)(des), false,    \
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);      \
			break;                                                                     \
		}                                                                                  \
	} while (0)

#define CAS_SIZED(type, p, expected, des, order, ok)                                               \
	do {                                                                                       \
		type e_ = (type) * (expected);                                                     \
		CAS_ORDERED(type, p, &e_, des, order, ok);                                         \
		*(expected) = e_;                                                                  \
	} while (0)

int gm__atomic_cmpxchg(void *p, size_t size, uint64_t *expected, uint64_t desired,
		       enum gm_order order)
{
	int rc = check_rmw(p, size, order);
	if (rc)
		return rc;
	if (!expected)
		return -EINVAL;
	bool ok;
	switch (size) {
	case 1:
		CAS_SIZED(uint8_t, p, expected, desired, order, ok);
		break;
	case 2:
		CAS_SIZED(uint16_t, p, expected, desired, order, ok);
		break;
	case 4:
		CAS_SIZED(uint32_t, p, expected, desired, order, ok);
		break;
	default:
		CAS_SIZED(uint64_t, p, expected, desired, order, ok);
		break;
	}
	return ok ? 1 : 0;
}

int gm_vslice_fetch_op(const struct gm_vslice *s, size_t off, size_t size, enum gm_rmw_op op,
		       uint64_t val, enum gm_order order, uint64_t *old)
{
	if (!s || off > s->len || size > s->len - off)
		return -EFAULT;
	int rc = gm__atomic_rmw(s->ptr + off, size, op, val, order, old);
	if (rc == 0)
		gm_vslice_mark_dirty(s, off, size);
	return rc;
}

int gm_vslice_cmpxchg(const struct gm_vslice *s, size_t off, size_t size, uint64_t *expected,
		      uint64_t desired, enum gm_order order)
{
	if (!s || off > s->len || size > s->len - off)
		return -EFAULT;
	int rc = gm__atomic_cmpxchg(s->ptr + off, size, expected, desired, order);
	if (rc == 1)
		gm_vslice_mark_dirty(s, off, size);
	return rc;
}

/* The slice of the size bytes at a, checked for write permission. */
static int rmw_slice(const struct gm_memory *m, gm_addr_t a, size_t size, struct gm_vslice *s)
{
	if (!m || (size != 1 && size != 2 && size != 4 && size != 8))
		return -EINVAL;
	if (a.raw & (size - 1))
		return -EINVAL;
	const struct gm_region *r = gm_memory_find_region(m, a);
	if (!r)
		return -EFAULT;
	if (!gm_perm_allows(gm_region_perm(r), GM_PERM_WRITE))
		return -EACCES;
	return gm_memory_get_slice(m, a, size, s);
}

int gm_memory_fetch_op(const struct gm_memory *m, gm_addr_t a, size_t size, enum gm_rmw_op op,
		       uint64_t val, enum gm_order order, uint64_t *old)
{
	struct gm_vslice s;
	int rc = rmw_slice(m, a, size, &s);
	return rc ? rc : gm_vslice_fetch_op(&s, 0, size, op, val, order, old);
}

int gm_memory_cmpxchg(const struct gm_memory *m, gm_addr_t a, size_t size, uint64_t *expected,
		      uint64_t desired, enum gm_order order)
{
	struct gm_vslice s;
	int rc = rmw_slice(m, a, size, &s);
	return rc ? rc : gm_vslice_cmpxchg(&s, 0, size, expected, desired, order);
}
