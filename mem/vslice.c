/* Volatile slices: bounds-checked windows with the copy rule and atomics. */
#include <errno.h>
#include <string.h>

#include <vmm-mem/vslice.h>

int gm_vslice_subslice(const struct gm_vslice *s, size_t off, size_t len, struct gm_vslice *out)
{
	if (off > s->len || len > s->len - off)
		return -EFAULT;
	*out = gm_vslice_tracked(s->ptr + off, len, s->bm, s->bm_off + off);
	return 0;
}

int gm_vslice_offset(const struct gm_vslice *s, size_t off, struct gm_vslice *out)
{
	if (off > s->len)
		return -EFAULT;
	return gm_vslice_subslice(s, off, s->len - off, out);
}

int gm_vslice_split_at(const struct gm_vslice *s, size_t mid, struct gm_vslice *left,
		       struct gm_vslice *right)
{
	if (mid > s->len)
		return -EFAULT;
	struct gm_vslice l, r;
	gm_vslice_subslice(s, 0, mid, &l);
	gm_vslice_subslice(s, mid, s->len - mid, &r);
	*left = l;
	*right = r;
	return 0;
}

size_t gm_vslice_copy_to(const struct gm_vslice *s, void *buf, size_t n)
{
	if (n > s->len)
		n = s->len;
	if (n)
		gm__copy_from_guest(buf, s->ptr, n);
	return n;
}

size_t gm_vslice_copy_from(const struct gm_vslice *s, const void *buf, size_t n)
{
	if (n > s->len)
		n = s->len;
	if (n) {
		gm__copy_to_guest(s->ptr, buf, n);
		gm_vslice_mark_dirty(s, 0, n);
	}
	return n;
}

size_t gm_vslice_copy_to_vslice(const struct gm_vslice *src, const struct gm_vslice *dst)
{
	size_t n = src->len < dst->len ? src->len : dst->len;
	if (n) {
		memmove(dst->ptr, src->ptr, n);
		gm_vslice_mark_dirty(dst, 0, n);
	}
	return n;
}

size_t gm_vslice_fill(const struct gm_vslice *s, int c, size_t n)
{
	if (n > s->len)
		n = s->len;
	if (n) {
		memset(s->ptr, c, n);
		gm_vslice_mark_dirty(s, 0, n);
	}
	return n;
}

int gm_vslice_read_obj(const struct gm_vslice *s, size_t off, void *obj, size_t size)
{
	if (off > s->len || size > s->len - off)
		return -EFAULT;
	if (size)
		gm__copy_from_guest(obj, s->ptr + off, size);
	return 0;
}

int gm_vslice_write_obj(const struct gm_vslice *s, size_t off, const void *obj, size_t size)
{
	if (off > s->len || size > s->len - off)
		return -EFAULT;
	if (size) {
		gm__copy_to_guest(s->ptr + off, obj, size);
		gm_vslice_mark_dirty(s, off, size);
	}
	return 0;
}

static int check_atomic(const void *p, size_t size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if ((uintptr_t)p & (size - 1))
		return -EINVAL;
	return 0;
}

#define LOAD_ORDERED(type, p, order, out)                                                          \
	do {                                                                                       \
		switch (order) {                                                                   \
		case GM_RELAXED:                                                                   \
			*(out) = __atomic_load_n((const type *)(p), __ATOMIC_RELAXED);             \
			break;                                                                     \
		case GM_ACQUIRE:                                                                   \
			*(out) = __atomic_load_n((const type *)(p), __ATOMIC_ACQUIRE);             \
			break;                                                                     \
		default:                                                                           \
			*(out) = __atomic_load_n((const type *)(p), __ATOMIC_SEQ_CST);             \
			break;                                                                     \
		}                                                                                  \
	} while (0)
#define STORE_ORDERED(type, p, val, order)                                                         \
	do {                                                                                       \
		switch (order) {                                                                   \
		case GM_RELAXED:                                                                   \
			__atomic_store_n((type *)(p), (type)(val), __ATOMIC_RELAXED);              \
			break;                                                                     \
		case GM_RELEASE:                                                                   \
			__atomic_store_n((type *)(p), (type)(val), __ATOMIC_RELEASE);              \
			break;                                                                     \
		default:                                                                           \
			__atomic_store_n((type *)(p), (type)(val), __ATOMIC_SEQ_CST);              \
			break;                                                                     \
		}                                                                                  \
	} while (0)

int gm__atomic_load(const void *p, size_t size, enum gm_order order, uint64_t *out)
{
	int rc = check_atomic(p, size);
	if (rc)
		return rc;
	if (order != GM_RELAXED && order != GM_ACQUIRE && order != GM_SEQ_CST)
		return -EINVAL;
	switch (size) {
	case 1: {
		uint8_t v;
		LOAD_ORDERED(uint8_t, p, order, &v);
		*out = v;
		break;
	}
	case 2: {
		uint16_t v;
		LOAD_ORDERED(uint16_t, p, order, &v);
		*out = v;
		break;
	}
	case 4: {
		uint32_t v;
		LOAD_ORDERED(uint32_t, p, order, &v);
		*out = v;
		break;
	}
	default: {
		uint64_t v;
		LOAD_ORDERED(uint64_t, p, order, &v);
		*out = v;
		break;
	}
	}
	return 0;
}

int gm__atomic_store(void *p, size_t size, uint64_t val, enum gm_order order)
{
	int rc = check_atomic(p, size);
	if (rc)
		return rc;
	if (order != GM_RELAXED && order != GM_RELEASE && order != GM_SEQ_CST)
		return -EINVAL;
	switch (size) {
	case 1:
		STORE_ORDERED(uint8_t, p, val, order);
		break;
	case 2:
		STORE_ORDERED(uint16_t, p, val, order);
		break;
	case 4:
		STORE_ORDERED(uint32_t, p, val, order);
		break;
	default:
		STORE_ORDERED(uint64_t, p, val, order);
		break;
	}
	return 0;
}

int gm_vslice_load(const struct gm_vslice *s, size_t off, size_t size, enum gm_order order,
		   uint64_t *out)
{
	if (off > s->len || size > s->len - off)
		return -EFAULT;
	return gm__atomic_load(s->ptr + off, size, order, out);
}

int gm_vslice_store(const struct gm_vslice *s, size_t off, size_t size, uint64_t val,
		    enum gm_order order)
{
	if (off > s->len || size > s->len - off)
		return -EFAULT;
	int rc = gm__atomic_store(s->ptr + off, size, val, order);
	if (rc == 0)
		gm_vslice_mark_dirty(s, off, size);
	return rc;
}
