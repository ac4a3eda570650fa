/* Byte access across the regions of a collection, and the splitting iterator. */
#include <errno.h>

#include <vmm-mem/memory.h>

#include "mem/memory_priv.h"

static inline void iter_init(struct gm_iter *it, const struct gm_memory *m, gm_addr_t a,
			     uint64_t len)
{
	it->m = m;
	it->addr = a.raw;
	it->left = len;
	it->done = 0;
	it->wrapped = false;
}

void gm_memory_iter_init(struct gm_iter *it, const struct gm_memory *m, gm_addr_t a, uint64_t len)
{
	iter_init(it, m, a, len);
}

static int ent_slice(const struct gm__ent *e, uint64_t addr, uint64_t len, struct gm_vslice *s)
{
	uint64_t off = addr - e->start;
	uint8_t *host = gm_region_host_base(e->region);
	if (host) {
		*s = gm_vslice_tracked(host + off, (size_t)len, e->bm, off);
		return 0;
	}
	return gm_region_get_slice(e->region, gm_raddr(off), len, s);
}

static inline int iter_next(struct gm_iter *it, struct gm_frag *f)
{
	if (it->left == 0)
		return 0;
	if (it->wrapped)
		return -EFAULT;
	const struct gm__ent *e = gm__lookup(it->m, it->addr);
	if (!e)
		return -EFAULT;
	uint64_t room_m1 = e->last - it->addr; /* bytes left in region, minus one */
	uint64_t flen = it->left - 1 <= room_m1 ? it->left : room_m1 + 1;
	if (flen > SIZE_MAX)
		flen = SIZE_MAX;
	int rc = ent_slice(e, it->addr, flen, &f->slice);
	if (rc)
		return rc;
	f->region = e->region;
	f->addr = gm_addr(it->addr);
	f->raddr = gm_raddr(it->addr - e->start);
	f->len = flen;
	f->pos = it->done;
	f->perm = gm_region_perm(e->region);
	it->done += flen;
	it->left -= flen;
	if (it->left && __builtin_add_overflow(it->addr, flen, &it->addr))
		it->wrapped = true;
	return 1;
}

int gm_memory_iter_next(struct gm_iter *it, struct gm_frag *f)
{
	return iter_next(it, f);
}

/* Copy as much as possible; returns bytes done, *err = why it stopped (0: all). */
static size_t xfer(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a, bool write,
		   int *err)
{
	struct gm_iter it;
	struct gm_frag f;
	int rc;
	enum gm_perm need = write ? GM_PERM_WRITE : GM_PERM_READ;
	iter_init(&it, m, a, len);
	while ((rc = iter_next(&it, &f)) > 0) {
		if (!gm_perm_allows(f.perm, need)) {
			*err = -EACCES;
			return (size_t)f.pos;
		}
		uint8_t *p = (uint8_t *)buf + f.pos;
		if (write)
			gm_vslice_copy_from(&f.slice, p, f.slice.len);
		else
			gm_vslice_copy_to(&f.slice, p, f.slice.len);
	}
	*err = rc;
	return (size_t)it.done;
}

/* [a, a+len) inside the primary region (host-addressable, permitted,
 * untracked for writes)? Returns the host address or NULL. */
static inline uint8_t *in_primary(const struct gm_memory *m, uint64_t a, size_t len, bool write)
{
	const struct gm__fast *f = &m->view.primary;
	uint64_t lim = write ? f->wlim : f->rlim, off = a - f->start;
	/* lim = region length - 7 when nonzero */
	if (off < lim && len <= lim + 7 - off)
		return f->host + off;
	return NULL;
}

/* Single-region fast path: returns the entry if [a, a+len) fits in it with
 * the needed permission, else NULL (take the general path). */
static inline const struct gm__ent *fits(const struct gm_memory *m, uint64_t a, size_t len,
					 bool write)
{
	const struct gm__ent *e = gm__lookup(m, a);
	if (!e || len == 0 || len - 1 > e->last - a || !(write ? e->whost : e->host))
		return NULL;
	return e;
}

ssize_t gm_memory_read(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a)
{
	int err;
	size_t n = xfer(m, buf, len, a, false, &err);
	return n == 0 && err ? err : (ssize_t)n;
}

ssize_t gm_memory_write(const struct gm_memory *m, const void *buf, size_t len, gm_addr_t a)
{
	int err;
	size_t n = xfer(m, (void *)buf, len, a, true, &err);
	return n == 0 && err ? err : (ssize_t)n;
}

/* Out of line: single region via the bucket index, else the general path. */
__attribute__((noinline)) static int read_slow(const struct gm_memory *m, void *buf, size_t len,
					       gm_addr_t a, size_t *done)
{
	const struct gm__ent *e = fits(m, a.raw, len, false);
	if (e != NULL) {
		gm__copy_from_guest(buf, e->host + (a.raw - e->start), len);
		if (done)
			*done = len;
		return 0;
	}
	int err;
	size_t n = xfer(m, buf, len, a, false, &err);
	if (done)
		*done = n;
	return err;
}

__attribute__((noinline)) static int write_slow(const struct gm_memory *m, const void *buf,
						size_t len, gm_addr_t a, size_t *done)
{
	const struct gm__ent *e = fits(m, a.raw, len, true);
	if (e != NULL) {
		uint64_t off = a.raw - e->start;
		gm__copy_to_guest(e->whost + off, buf, len);
		if (e->bm)
			gm_bitmap_mark(e->bm, off, len);
		if (done)
			*done = len;
		return 0;
	}
	int err;
	size_t n = xfer(m, (void *)buf, len, a, true, &err);
	if (done)
		*done = n;
	return err;
}

/* Every exported entry point inlines the primary-region fast path itself
 * (exported functions calling each other would go through the PLT). */
static inline int read_impl(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a,
			    size_t *done)
{
	uint8_t *p = in_primary(m, a.raw, len, false);
	if (__builtin_expect(p != NULL, 1)) {
		gm__copy_from_guest(buf, p, len);
		if (done)
			*done = len;
		return 0;
	}
	return read_slow(m, buf, len, a, done);
}

static inline int write_impl(const struct gm_memory *m, const void *buf, size_t len, gm_addr_t a,
			     size_t *done)
{
	uint8_t *p = in_primary(m, a.raw, len, true);
	if (__builtin_expect(p != NULL, 1)) {
		gm__copy_to_guest(p, buf, len);
		if (done)
			*done = len;
		return 0;
	}
	return write_slow(m, buf, len, a, done);
}

int gm_memory_read_slice_ex(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a,
			    size_t *done)
{
	return read_impl(m, buf, len, a, done);
}

int gm_memory_write_slice_ex(const struct gm_memory *m, const void *buf, size_t len, gm_addr_t a,
			     size_t *done)
{
	return write_impl(m, buf, len, a, done);
}

int gm_memory_read_slice(const struct gm_memory *m, void *buf, size_t len, gm_addr_t a)
{
	return read_impl(m, buf, len, a, NULL);
}

int gm_memory_write_slice(const struct gm_memory *m, const void *buf, size_t len, gm_addr_t a)
{
	return write_impl(m, buf, len, a, NULL);
}

int gm_memory_read_obj(const struct gm_memory *m, void *obj, size_t size, gm_addr_t a)
{
	return read_impl(m, obj, size, a, NULL);
}

int gm_memory_write_obj(const struct gm_memory *m, const void *obj, size_t size, gm_addr_t a)
{
	return write_impl(m, obj, size, a, NULL);
}

int gm_memory_fill(const struct gm_memory *m, int c, size_t len, gm_addr_t a)
{
	struct gm_iter it;
	struct gm_frag f;
	int rc;
	iter_init(&it, m, a, len);
	while ((rc = iter_next(&it, &f)) > 0) {
		if (!gm_perm_allows(f.perm, GM_PERM_WRITE))
			return -EACCES;
		gm_vslice_fill(&f.slice, c, f.slice.len);
	}
	return rc;
}

bool gm_memory_check_range(const struct gm_memory *m, gm_addr_t a, uint64_t len)
{
	struct gm_iter it;
	struct gm_frag f;
	int rc;
	const struct gm__ent *e = gm__lookup(m, a.raw);
	if (e && len && len - 1 <= e->last - a.raw)
		return true;
	iter_init(&it, m, a, len);
	while ((rc = iter_next(&it, &f)) > 0)
		;
	return rc == 0;
}

static int one_region(const struct gm_memory *m, gm_addr_t a, size_t size, enum gm_perm need,
		      struct gm_vslice *s)
{
	const struct gm__ent *e = gm__lookup(m, a.raw);
	if (!e || size == 0 || size - 1 > e->last - a.raw)
		return -EFAULT;
	if (!gm_perm_allows(gm_region_perm(e->region), need))
		return -EACCES;
	return ent_slice(e, a.raw, size, s);
}

int gm_memory_load(const struct gm_memory *m, gm_addr_t a, size_t size, enum gm_order order,
		   uint64_t *out)
{
	struct gm_vslice s;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	int rc = one_region(m, a, size, GM_PERM_READ, &s);
	return rc ? rc : gm_vslice_load(&s, 0, size, order, out);
}

int gm_memory_store(const struct gm_memory *m, gm_addr_t a, size_t size, uint64_t val,
		    enum gm_order order)
{
	struct gm_vslice s;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	int rc = one_region(m, a, size, GM_PERM_WRITE, &s);
	return rc ? rc : gm_vslice_store(&s, 0, size, val, order);
}
