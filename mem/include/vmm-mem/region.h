/* vmm-mem: one guest memory region behind an ops table.
 *
 * A region is a contiguous range of guest physical addresses [start, start+len)
 * backed by something (the mmap backend in mmap.h, or your own). Backends
 * embed struct gm_region as their first member and fill in an ops table.
 * Regions are refcounted: gm_region_get()/gm_region_put(); the backend's
 * destroy op runs when the last reference goes (it unmaps memory it owns).
 * A collection (memory.h) holds one reference on each of its regions.
 */
#ifndef VMM_MEM_REGION_H
#define VMM_MEM_REGION_H

#include <vmm-mem/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vmm-mem/addr.h>
#include <vmm-mem/bitmap.h>
#include <vmm-mem/vslice.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Access permissions, as vm-memory's Permissions. */
enum gm_perm {
	GM_PERM_NONE = 0,
	GM_PERM_READ = 1,
	GM_PERM_WRITE = 2,
	GM_PERM_RW = 3,
};
/* Does `have` allow everything in `need`? */
static inline bool gm_perm_allows(enum gm_perm have, enum gm_perm need)
{
	return ((unsigned)need & ~(unsigned)have) == 0;
}

/* Backing-file identity and offset of a file-backed region. */
struct gm_file_offset {
	int fd;		 /* the region's own descriptor (owned by the region) */
	gm_foff_t start; /* file offset of the region's byte 0 */
};

struct gm_region;

struct gm_region_ops {
	/* Required. */
	uint64_t (*len)(const struct gm_region *r);
	/* Host address of byte 0, or NULL if the backend is not host-addressable
	 * as one block (then get_slice is used for every access). */
	void *(*host_base)(const struct gm_region *r);
	/* A volatile slice over [off, off+len), carrying the dirty bitmap.
	 * 0 or -EFAULT. */
	int (*get_slice)(const struct gm_region *r, gm_raddr_t off, uint64_t len,
			 struct gm_vslice *out);
	/* Optional (NULL = none / false / RW). */
	const struct gm_file_offset *(*file_offset)(const struct gm_region *r);
	bool (*is_hugetlbfs)(const struct gm_region *r);
	struct gm_bitmap *(*bitmap)(const struct gm_region *r);
	enum gm_perm (*perm)(const struct gm_region *r);
	/* Release the backend (unmap, close, free r). Required. */
	void (*destroy)(struct gm_region *r);
};

struct gm_region {
	const struct gm_region_ops *ops;
	gm_addr_t start; /* guest address of byte 0 */
	long refs;	 /* __atomic only */
};

/* For backends: set ops and start, refs = 1. */
GM_API void gm_region_init(struct gm_region *r, const struct gm_region_ops *ops, gm_addr_t start);

GM_API struct gm_region *gm_region_get(struct gm_region *r); /* +1 reference; returns r */
GM_API void gm_region_put(struct gm_region *r);	      /* -1; destroys at 0; NULL ok */

GM_API gm_addr_t gm_region_start(const struct gm_region *r);
GM_API uint64_t gm_region_len(const struct gm_region *r);
/* Last guest address (start + len - 1). */
GM_API gm_addr_t gm_region_last_addr(const struct gm_region *r);
GM_API void *gm_region_host_base(const struct gm_region *r);
/* Host address of region offset off, or NULL if off >= len / not addressable. */
GM_API void *gm_region_get_host_address(const struct gm_region *r, gm_raddr_t off);
/* NULL if the region is not file-backed. */
GM_API const struct gm_file_offset *gm_region_file_offset(const struct gm_region *r);
GM_API bool gm_region_is_hugetlbfs(const struct gm_region *r);
/* NULL when dirty tracking is off for this region. */
GM_API struct gm_bitmap *gm_region_bitmap(const struct gm_region *r);
GM_API enum gm_perm gm_region_perm(const struct gm_region *r);
/* Is off inside the region? */
GM_API bool gm_region_check_address(const struct gm_region *r, gm_raddr_t off);
/* Guest address -> region offset; false if a is outside the region. */
GM_API bool gm_region_to_region_addr(const struct gm_region *r, gm_addr_t a, gm_raddr_t *out);
/* Slice at an offset: 0 or -EFAULT. */
GM_API int gm_region_get_slice(const struct gm_region *r, gm_raddr_t off, uint64_t len,
			struct gm_vslice *out);

/* Byte access inside one region (offsets are region-relative).
 *   read/write:             partial; the count done (>= 0, stops at the region
 *                           end), or -EFAULT if off itself is outside.
 *   read_slice/write_slice: all or -EFAULT; *done (may be NULL) = bytes done.
 *   read_obj/write_obj:     all or -EFAULT; 1/2/4/8 aligned = single access.
 *   load/store:             atomic; see gm_vslice_load/store.
 * Writes return -EACCES when the region is not writable. */
GM_API ssize_t gm_region_read(const struct gm_region *r, void *buf, size_t len, gm_raddr_t off);
GM_API ssize_t gm_region_write(const struct gm_region *r, const void *buf, size_t len, gm_raddr_t off);
GM_API int gm_region_read_slice(const struct gm_region *r, void *buf, size_t len, gm_raddr_t off,
			 size_t *done);
GM_API int gm_region_write_slice(const struct gm_region *r, const void *buf, size_t len, gm_raddr_t off,
			  size_t *done);
GM_API int gm_region_read_obj(const struct gm_region *r, void *obj, size_t size, gm_raddr_t off);
GM_API int gm_region_write_obj(const struct gm_region *r, const void *obj, size_t size, gm_raddr_t off);
GM_API int gm_region_load(const struct gm_region *r, gm_raddr_t off, size_t size, enum gm_order order,
		   uint64_t *out);
GM_API int gm_region_store(const struct gm_region *r, gm_raddr_t off, size_t size, uint64_t val,
		    enum gm_order order);

/* File descriptors straight into / out of the region at off: as the
 * gm_vslice_*_fd functions, with -EFAULT when off is outside the region (the
 * partial forms clamp count to the region end; the exact forms refuse a
 * range past it) and -EACCES for reads into a read-only region. */
GM_API ssize_t gm_region_read_from_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count);
GM_API int gm_region_read_exact_from_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count);
GM_API ssize_t gm_region_write_to_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count);
GM_API int gm_region_write_all_to_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count);

#ifdef __cplusplus
}
#endif

#endif
