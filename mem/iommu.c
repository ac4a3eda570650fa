/* IOMMU-translated memory: IOVA -> GPA through an IOTLB, then gm_memory. */
#include <errno.h>
#include <stdlib.h>

#include <vmm-mem/iommu.h>

struct gm_iommu_memory {
	struct gm_memory *mem;
	struct gm_iotlb *tlb;
	bool enabled; /* __atomic only */
	gm_iotlb_miss_fn miss;
	void *miss_ctx;
};

int gm_iommu_memory_new(struct gm_iommu_memory **out, struct gm_memory *mem, struct gm_iotlb *tlb)
{
	if (!out || !mem || !tlb)
		return -EINVAL;
	struct gm_iommu_memory *im = calloc(1, sizeof(*im));
	if (!im)
		return -ENOMEM;
	im->mem = gm_memory_get(mem);
	im->tlb = tlb;
	im->enabled = true;
	*out = im;
	return 0;
}

void gm_iommu_memory_free(struct gm_iommu_memory *im)
{
	if (!im)
		return;
	gm_memory_put(im->mem);
	free(im);
}

void gm_iommu_memory_set_enabled(struct gm_iommu_memory *im, bool on)
{
	__atomic_store_n(&im->enabled, on, __ATOMIC_RELEASE);
}

bool gm_iommu_memory_enabled(const struct gm_iommu_memory *im)
{
	return __atomic_load_n(&im->enabled, __ATOMIC_ACQUIRE);
}

void gm_iommu_memory_set_miss_handler(struct gm_iommu_memory *im, gm_iotlb_miss_fn fn, void *ctx)
{
	im->miss = fn;
	im->miss_ctx = ctx;
}

struct gm_memory *gm_iommu_memory_inner(const struct gm_iommu_memory *im)
{
	return im->mem;
}

static int translate(const struct gm_iommu_memory *im, uint64_t iova, uint64_t len,
		     enum gm_perm need, gm_addr_t *gpa, uint64_t *contig)
{
	if (!gm_iommu_memory_enabled(im)) {
		*gpa = gm_addr(iova);
		*contig = len;
		return 0;
	}
	int rc = gm_iotlb_lookup(im->tlb, iova, len, need, gpa, contig);
	if (rc == -ENOENT && im->miss) {
		if (im->miss(im->miss_ctx, im->tlb, iova, len, need) != 0)
			return -ENOENT;
		rc = gm_iotlb_lookup(im->tlb, iova, len, need, gpa, contig);
	}
	return rc;
}

static size_t ixfer(const struct gm_iommu_memory *im, void *buf, size_t len, gm_addr_t a,
		    bool write, int *err)
{
	size_t done = 0;
	uint64_t iova = a.raw;
	*err = 0;
	while (done < len) {
		gm_addr_t gpa;
		uint64_t c;
		int rc =
		    translate(im, iova, len - done, write ? GM_PERM_WRITE : GM_PERM_READ, &gpa, &c);
		if (rc) {
			*err = rc;
			break;
		}
		if (c > len - done)
			c = len - done;
		size_t d = 0;
		uint8_t *p = (uint8_t *)buf + done;
		rc = write ? gm_memory_write_slice_ex(im->mem, p, (size_t)c, gpa, &d)
			   : gm_memory_read_slice_ex(im->mem, p, (size_t)c, gpa, &d);
		done += d;
		if (rc) {
			*err = rc;
			break;
		}
		if (done < len && __builtin_add_overflow(iova, c, &iova)) {
			*err = -EFAULT;
			break;
		}
	}
	return done;
}

bool gm_iommu_check_range(const struct gm_iommu_memory *im, gm_addr_t a, uint64_t len,
			  enum gm_perm need)
{
	uint64_t iova = a.raw;
	while (len) {
		gm_addr_t gpa;
		uint64_t c;
		if (translate(im, iova, len, need, &gpa, &c))
			return false;
		if (c > len)
			c = len;
		if (!gm_memory_check_range(im->mem, gpa, c))
			return false;
		len -= c;
		if (len && __builtin_add_overflow(iova, c, &iova))
			return false;
	}
	return true;
}

ssize_t gm_iommu_read(const struct gm_iommu_memory *im, void *buf, size_t len, gm_addr_t a)
{
	int err;
	size_t n = ixfer(im, buf, len, a, false, &err);
	return n == 0 && err ? err : (ssize_t)n;
}

ssize_t gm_iommu_write(const struct gm_iommu_memory *im, const void *buf, size_t len, gm_addr_t a)
{
	int err;
	size_t n = ixfer(im, (void *)buf, len, a, true, &err);
	return n == 0 && err ? err : (ssize_t)n;
}

int gm_iommu_read_slice(const struct gm_iommu_memory *im, void *buf, size_t len, gm_addr_t a)
{
	int err;
	ixfer(im, buf, len, a, false, &err);
	return err;
}

int gm_iommu_write_slice(const struct gm_iommu_memory *im, const void *buf, size_t len, gm_addr_t a)
{
	int err;
	ixfer(im, (void *)buf, len, a, true, &err);
	return err;
}

int gm_iommu_read_obj(const struct gm_iommu_memory *im, void *obj, size_t size, gm_addr_t a)
{
	return gm_iommu_read_slice(im, obj, size, a);
}

int gm_iommu_write_obj(const struct gm_iommu_memory *im, const void *obj, size_t size, gm_addr_t a)
{
	return gm_iommu_write_slice(im, obj, size, a);
}

int gm_iommu_load(const struct gm_iommu_memory *im, gm_addr_t a, size_t size, enum gm_order order,
		  uint64_t *out)
{
	gm_addr_t gpa;
	uint64_t c;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	int rc = translate(im, a.raw, size, GM_PERM_READ, &gpa, &c);
	if (rc)
		return rc;
	if (c < size)
		return -EFAULT;
	return gm_memory_load(im->mem, gpa, size, order, out);
}

int gm_iommu_store(const struct gm_iommu_memory *im, gm_addr_t a, size_t size, uint64_t val,
		   enum gm_order order)
{
	gm_addr_t gpa;
	uint64_t c;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	int rc = translate(im, a.raw, size, GM_PERM_WRITE, &gpa, &c);
	if (rc)
		return rc;
	if (c < size)
		return -EFAULT;
	return gm_memory_store(im->mem, gpa, size, val, order);
}

/* Walk the IOVA range in translated chunks; each chunk goes to the
 * gm_memory fd functions. exact: the chunk must complete. */
static ssize_t ifd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count, bool into,
		   bool exact)
{
	size_t done = 0;
	uint64_t iova = a.raw;
	if (exact && !gm_iommu_check_range(im, a, count, into ? GM_PERM_WRITE : GM_PERM_READ))
		return -EFAULT;
	while (done < count) {
		gm_addr_t gpa;
		uint64_t c;
		int rc = translate(im, iova, count - done, into ? GM_PERM_WRITE : GM_PERM_READ,
				   &gpa, &c);
		if (rc)
			return done ? (ssize_t)done : rc;
		if (c > count - done)
			c = count - done;
		if (exact) {
			rc = into ? gm_memory_read_exact_from_fd(im->mem, gpa, fd, (size_t)c)
				  : gm_memory_write_all_to_fd(im->mem, gpa, fd, (size_t)c);
			if (rc)
				return rc;
			done += (size_t)c;
		} else {
			ssize_t n = into ? gm_memory_read_from_fd(im->mem, gpa, fd, (size_t)c)
					 : gm_memory_write_to_fd(im->mem, gpa, fd, (size_t)c);
			if (n < 0)
				return done ? (ssize_t)done : n;
			done += (size_t)n;
			if ((uint64_t)n < c)
				break; /* short transfer or EOF: a partial form stops */
		}
		if (done < count && __builtin_add_overflow(iova, c, &iova))
			return done ? (ssize_t)done : -EFAULT;
	}
	return (ssize_t)done;
}

ssize_t gm_iommu_read_from_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count)
{
	return ifd(im, a, fd, count, true, false);
}

int gm_iommu_read_exact_from_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count)
{
	ssize_t n = ifd(im, a, fd, count, true, true);
	return n < 0 ? (int)n : 0;
}

ssize_t gm_iommu_write_to_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count)
{
	return ifd(im, a, fd, count, false, false);
}

int gm_iommu_write_all_to_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count)
{
	ssize_t n = ifd(im, a, fd, count, false, true);
	return n < 0 ? (int)n : 0;
}
