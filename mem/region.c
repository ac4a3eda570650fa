/* Generic region interface: refcounting, accessors and region-local access,
 * all built on the backend's ops table. */
#include <errno.h>

#include <vmm-mem/region.h>

void gm_region_init(struct gm_region *r, const struct gm_region_ops *ops, gm_addr_t start)
{
	r->ops = ops;
	r->start = start;
	r->refs = 1;
}

struct gm_region *gm_region_get(struct gm_region *r)
{
	__atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);
	return r;
}

void gm_region_put(struct gm_region *r)
{
	if (r && __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0)
		r->ops->destroy(r);
}

gm_addr_t gm_region_start(const struct gm_region *r)
{
	return r->start;
}
uint64_t gm_region_len(const struct gm_region *r)
{
	return r->ops->len(r);
}
gm_addr_t gm_region_last_addr(const struct gm_region *r)
{
	return gm_addr_unchecked_add(r->start, gm_region_len(r) - 1);
}
void *gm_region_host_base(const struct gm_region *r)
{
	return r->ops->host_base ? r->ops->host_base(r) : NULL;
}
const struct gm_file_offset *gm_region_file_offset(const struct gm_region *r)
{
	return r->ops->file_offset ? r->ops->file_offset(r) : NULL;
}
bool gm_region_is_hugetlbfs(const struct gm_region *r)
{
	return r->ops->is_hugetlbfs ? r->ops->is_hugetlbfs(r) : false;
}
struct gm_bitmap *gm_region_bitmap(const struct gm_region *r)
{
	return r->ops->bitmap ? r->ops->bitmap(r) : NULL;
}
enum gm_perm gm_region_perm(const struct gm_region *r)
{
	return r->ops->perm ? r->ops->perm(r) : GM_PERM_RW;
}
bool gm_region_check_address(const struct gm_region *r, gm_raddr_t off)
{
	return off.raw < gm_region_len(r);
}
bool gm_region_to_region_addr(const struct gm_region *r, gm_addr_t a, gm_raddr_t *out)
{
	uint64_t off;
	if (!gm_addr_checked_offset_from(a, r->start, &off) || off >= gm_region_len(r))
		return false;
	*out = gm_raddr(off);
	return true;
}
void *gm_region_get_host_address(const struct gm_region *r, gm_raddr_t off)
{
	uint8_t *base = gm_region_host_base(r);
	if (!base || off.raw >= gm_region_len(r))
		return NULL;
	return base + off.raw;
}
int gm_region_get_slice(const struct gm_region *r, gm_raddr_t off, uint64_t len,
			struct gm_vslice *out)
{
	uint64_t rlen = gm_region_len(r);
	if (off.raw > rlen || len > rlen - off.raw || len > SIZE_MAX)
		return -EFAULT;
	return r->ops->get_slice(r, off, len, out);
}

/* Clamp [off, off+len) to the region; -EFAULT if off is outside (len > 0). */
static int clamp(const struct gm_region *r, gm_raddr_t off, size_t *len)
{
	uint64_t rlen = gm_region_len(r);
	if (*len == 0)
		return off.raw <= rlen ? 0 : -EFAULT;
	if (off.raw >= rlen)
		return -EFAULT;
	if (*len > rlen - off.raw)
		*len = (size_t)(rlen - off.raw);
	return 0;
}

ssize_t gm_region_read(const struct gm_region *r, void *buf, size_t len, gm_raddr_t off)
{
	struct gm_vslice s;
	int rc = clamp(r, off, &len);
	if (rc || len == 0)
		return rc;
	if ((rc = gm_region_get_slice(r, off, len, &s)))
		return rc;
	return (ssize_t)gm_vslice_copy_to(&s, buf, len);
}

ssize_t gm_region_write(const struct gm_region *r, const void *buf, size_t len, gm_raddr_t off)
{
	struct gm_vslice s;
	if (!gm_perm_allows(gm_region_perm(r), GM_PERM_WRITE))
		return -EACCES;
	int rc = clamp(r, off, &len);
	if (rc || len == 0)
		return rc;
	if ((rc = gm_region_get_slice(r, off, len, &s)))
		return rc;
	return (ssize_t)gm_vslice_copy_from(&s, buf, len);
}

int gm_region_read_slice(const struct gm_region *r, void *buf, size_t len, gm_raddr_t off,
			 size_t *done)
{
	ssize_t n = gm_region_read(r, buf, len, off);
	if (done)
		*done = n > 0 ? (size_t)n : 0;
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EFAULT;
}

int gm_region_write_slice(const struct gm_region *r, const void *buf, size_t len, gm_raddr_t off,
			  size_t *done)
{
	ssize_t n = gm_region_write(r, buf, len, off);
	if (done)
		*done = n > 0 ? (size_t)n : 0;
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EFAULT;
}

int gm_region_read_obj(const struct gm_region *r, void *obj, size_t size, gm_raddr_t off)
{
	struct gm_vslice s;
	int rc = gm_region_get_slice(r, off, size, &s);
	return rc ? rc : gm_vslice_read_obj(&s, 0, obj, size);
}

int gm_region_write_obj(const struct gm_region *r, const void *obj, size_t size, gm_raddr_t off)
{
	struct gm_vslice s;
	if (!gm_perm_allows(gm_region_perm(r), GM_PERM_WRITE))
		return -EACCES;
	int rc = gm_region_get_slice(r, off, size, &s);
	return rc ? rc : gm_vslice_write_obj(&s, 0, obj, size);
}

int gm_region_load(const struct gm_region *r, gm_raddr_t off, size_t size, enum gm_order order,
		   uint64_t *out)
{
	struct gm_vslice s;
	int rc = gm_region_get_slice(r, off, size, &s);
	return rc ? rc : gm_vslice_load(&s, 0, size, order, out);
}

int gm_region_store(const struct gm_region *r, gm_raddr_t off, size_t size, uint64_t val,
		    enum gm_order order)
{
	struct gm_vslice s;
	if (!gm_perm_allows(gm_region_perm(r), GM_PERM_WRITE))
		return -EACCES;
	int rc = gm_region_get_slice(r, off, size, &s);
	return rc ? rc : gm_vslice_store(&s, 0, size, val, order);
}
