/* Accesses through an address space: split over sections, RAM by memcpy,
 * MMIO through the region's ops, endian-aware load/store, pins. */
#include <errno.h>
#include <string.h>

#include "mem/as_priv.h"
#include "vmm-mem/endian.h"

static const struct gm_as_attrs no_attrs = {.unspecified = true};

static enum gm_as_result mmio_piece(const struct gm__assec *s, uint64_t off, uint8_t *buf,
				    uint64_t n, bool is_write, const struct gm_as_attrs *at)
{
	const struct gm_asregion *r = s->pub.region;
	while (n) {
		unsigned sz = 8;
		while (sz > n || off % sz)
			sz /= 2;
		enum gm_as_result res;
		uint64_t v = 0;
		if (is_write) {
			memcpy(&v, buf, sz);
			res = r->ops->write ? r->ops->write(r->opaque, off, sz, v, at)
					    : GM_AS_ACCESS_DENIED;
		} else {
			res = r->ops->read ? r->ops->read(r->opaque, off, sz, &v, at)
					   : GM_AS_ACCESS_DENIED;
			if (res == GM_AS_OK)
				memcpy(buf, &v, sz);
		}
		if (res != GM_AS_OK)
			return res;
		off += sz;
		buf += sz;
		n -= sz;
	}
	return GM_AS_OK;
}

enum gm_as_result gm_as_rw(struct gm_as *as, uint64_t gpa, void *buf, size_t len, bool is_write,
			   const struct gm_as_attrs *attrs)
{
	if (!attrs)
		attrs = &no_attrs;
	if (len && gpa + (len - 1) < gpa)
		return GM_AS_DECODE_ERROR;
	struct gm_flatview *v = gm_as_view_get(as);
	enum gm_as_result res = GM_AS_OK;
	uint8_t *b = buf;
	while (len) {
		const struct gm__assec *s = gm__flatview_lookup(v, gpa);
		if (!s) {
			res = GM_AS_DECODE_ERROR;
			break;
		}
		uint64_t in = gpa - s->pub.gpa, n = s->pub.size - in;
		if (n > len)
			n = len;
		if (s->pub.mmio) {
			res = mmio_piece(s, s->pub.region_off + in, b, n, is_write, attrs);
			if (res != GM_AS_OK)
				break;
		} else if (is_write) {
			if (s->pub.readonly) {
				res = GM_AS_ACCESS_DENIED;
				break;
			}
			memcpy((char *)s->pub.host + in, b, n);
		} else {
			memcpy(b, (char *)s->pub.host + in, n);
		}
		b += n;
		len -= n;
		gpa += n;
	}
	gm_flatview_put(v);
	return res;
}

static uint64_t conv(uint64_t v, unsigned size, enum gm_as_endian e)
{
	if (e == GM_AS_NATIVE)
		return v;
	bool want_le = e == GM_AS_LITTLE;
	bool host_le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	if (want_le == host_le)
		return v;
	switch (size) {
	case 2:
		return __builtin_bswap16((uint16_t)v);
	case 4:
		return __builtin_bswap32((uint32_t)v);
	case 8:
		return __builtin_bswap64(v);
	default:
		return v;
	}
}

static uint64_t from_bytes(const uint8_t *p, unsigned size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	switch (size) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

static void to_bytes(uint8_t *p, unsigned size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;
	switch (size) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	default:
		memcpy(p, &v, 8);
	}
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

enum gm_as_result gm_as_load(struct gm_as *as, uint64_t gpa, unsigned size, enum gm_as_endian e,
			     uint64_t *val, const struct gm_as_attrs *attrs)
{
	if (!size_ok(size) || !val)
		return GM_AS_DECODE_ERROR;
	uint8_t b[8];
	enum gm_as_result res = gm_as_rw(as, gpa, b, size, false, attrs);
	if (res == GM_AS_OK)
		*val = conv(from_bytes(b, size), size, e);
	return res;
}

enum gm_as_result gm_as_store(struct gm_as *as, uint64_t gpa, unsigned size, enum gm_as_endian e,
			      uint64_t val, const struct gm_as_attrs *attrs)
{
	if (!size_ok(size))
		return GM_AS_DECODE_ERROR;
	uint8_t b[8];
	to_bytes(b, size, conv(val, size, e));
	return gm_as_rw(as, gpa, b, size, true, attrs);
}

enum gm_as_result gm_as_try_access(struct gm_as *as, uint64_t gpa, uint64_t len, bool is_write,
				   const struct gm_as_attrs *attrs)
{
	(void)attrs;
	if (len && gpa + (len - 1) < gpa)
		return GM_AS_DECODE_ERROR;
	struct gm_flatview *v = gm_as_view_get(as);
	enum gm_as_result res = GM_AS_OK;
	while (len) {
		const struct gm__assec *s = gm__flatview_lookup(v, gpa);
		if (!s) {
			res = GM_AS_DECODE_ERROR;
			break;
		}
		if (is_write && s->pub.readonly) {
			res = GM_AS_ACCESS_DENIED;
			break;
		}
		uint64_t n = s->pub.size - (gpa - s->pub.gpa);
		if (n >= len)
			break;
		len -= n;
		gpa += n;
	}
	gm_flatview_put(v);
	return res;
}

enum gm_as_result gm_as_read_u64(struct gm_as *as, uint64_t gpa, uint64_t *val)
{
	enum gm_as_result res = GM_AS_DECODE_ERROR;
	atomic_fetch_add_explicit(&as->readers, 1, memory_order_seq_cst);
	const struct gm_flatview *v = atomic_load_explicit(&as->cur, memory_order_seq_cst);
	const struct gm__assec *s = gm__flatview_lookup(v, gpa);
	if (s && !s->pub.mmio && s->pub.size - (gpa - s->pub.gpa) >= 8) {
		memcpy(val, (char *)s->pub.host + (gpa - s->pub.gpa), 8);
		res = GM_AS_OK;
	}
	atomic_fetch_sub_explicit(&as->readers, 1, memory_order_release);
	return res;
}

int gm_as_pin(struct gm_as *as, uint64_t gpa, uint64_t len, bool writable, struct gm_as_pin *p)
{
	if (!as || !p || len == 0)
		return -EINVAL;
	int rc = -EFAULT;
	atomic_fetch_add(&as->readers, 1);
	const struct gm_flatview *v = atomic_load(&as->cur);
	const struct gm__assec *s = gm__flatview_lookup(v, gpa);
	if (s && !s->pub.mmio && s->pub.size - (gpa - s->pub.gpa) >= len) {
		if (writable && s->pub.readonly) {
			rc = -EACCES;
		} else {
			atomic_fetch_add(&s->map->refs, 1);
			p->host = (char *)s->pub.host + (gpa - s->pub.gpa);
			p->len = len;
			p->priv_ = s->map;
			rc = 0;
		}
	}
	atomic_fetch_sub(&as->readers, 1);
	return rc;
}

void gm_as_unpin(struct gm_as_pin *p)
{
	if (p && p->priv_) {
		gm__asmap_put(p->priv_);
		p->priv_ = NULL;
		p->host = NULL;
	}
}
