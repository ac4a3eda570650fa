/* vmm-mem: IOMMU-style address translation (vm-memory's Iotlb / IommuMemory).
 *
 * gm_iotlb maps I/O virtual address ranges (IOVA) to guest physical addresses
 * (GPA) with permissions. Ranges never overlap: a new mapping replaces whatever
 * it covers. It is safe to use from several threads (an internal rwlock).
 *
 * gm_iommu_memory presents the same byte-access interface as gm_memory, with
 * addresses interpreted as IOVAs when translation is enabled (and as GPAs,
 * unchanged, when it is disabled). Every access is split at IOTLB entry
 * boundaries, checked against the entry's permission, then against guest
 * memory. Errors: -EFAULT (GPA not mapped / overflow), -ENOENT (IOTLB miss,
 * after the optional miss handler had its chance), -EACCES (permission).
 */
#ifndef VMM_MEM_IOMMU_H
#define VMM_MEM_IOMMU_H

#include <vmm-mem/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vmm-mem/addr.h>
#include <vmm-mem/memory.h>
#include <vmm-mem/region.h>
#include <vmm-mem/vslice.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gm_iotlb;

/* Ownership: the caller owns *out and frees it with gm_iotlb_free (NULL ok).
 * 0 or -ENOMEM. */
GM_API int gm_iotlb_new(struct gm_iotlb **out);
GM_API void gm_iotlb_free(struct gm_iotlb *t);

/* Map [iova, iova+len) -> [gpa, gpa+len) with perm (replacing overlapped parts
 * of older mappings). 0, -EINVAL (len 0, either end overflows, perm NONE),
 * -ENOMEM. */
GM_API int gm_iotlb_set(struct gm_iotlb *t, uint64_t iova, gm_addr_t gpa, uint64_t len, enum gm_perm perm);
/* Remove any mapping of [iova, iova+len) (entries are split as needed).
 * 0, -EINVAL, -ENOMEM. */
GM_API int gm_iotlb_invalidate(struct gm_iotlb *t, uint64_t iova, uint64_t len);
GM_API void gm_iotlb_invalidate_all(struct gm_iotlb *t);
/* Translate iova for an access needing `need`: *gpa = the GPA and *contig =
 * how many bytes from iova on are mapped contiguously by the same entry
 * (never more than len, if len > 0). 0, -ENOENT (miss), -EACCES. */
GM_API int gm_iotlb_lookup(struct gm_iotlb *t, uint64_t iova, uint64_t len, enum gm_perm need,
		    gm_addr_t *gpa, uint64_t *contig);
/* Number of entries (after splits). */
GM_API size_t gm_iotlb_len(struct gm_iotlb *t);

/* Miss handler: may call gm_iotlb_set() to fill the IOTLB, then return 0 to
 * retry once; any other value fails the access with -ENOENT. */
typedef int (*gm_iotlb_miss_fn)(void *ctx, struct gm_iotlb *t, uint64_t iova, uint64_t len,
				enum gm_perm need);

struct gm_iommu_memory;

/* Wrap mem (the wrapper takes its own reference) behind tlb (borrowed: must
 * outlive the wrapper). Translation starts enabled. Free with
 * gm_iommu_memory_free (drops the reference). 0, -EINVAL, -ENOMEM. */
GM_API int gm_iommu_memory_new(struct gm_iommu_memory **out, struct gm_memory *mem, struct gm_iotlb *tlb);
GM_API void gm_iommu_memory_free(struct gm_iommu_memory *im);
GM_API void gm_iommu_memory_set_enabled(struct gm_iommu_memory *im, bool on);
GM_API bool gm_iommu_memory_enabled(const struct gm_iommu_memory *im);
GM_API void gm_iommu_memory_set_miss_handler(struct gm_iommu_memory *im, gm_iotlb_miss_fn fn, void *ctx);
GM_API struct gm_memory *gm_iommu_memory_inner(const struct gm_iommu_memory *im); /* borrowed */

/* Same semantics as the gm_memory_* functions of the same names. */
GM_API bool gm_iommu_check_range(const struct gm_iommu_memory *im, gm_addr_t a, uint64_t len,
			  enum gm_perm need);
GM_API ssize_t gm_iommu_read(const struct gm_iommu_memory *im, void *buf, size_t len, gm_addr_t a);
GM_API ssize_t gm_iommu_write(const struct gm_iommu_memory *im, const void *buf, size_t len, gm_addr_t a);
GM_API int gm_iommu_read_slice(const struct gm_iommu_memory *im, void *buf, size_t len, gm_addr_t a);
GM_API int gm_iommu_write_slice(const struct gm_iommu_memory *im, const void *buf, size_t len,
			 gm_addr_t a);
GM_API int gm_iommu_read_obj(const struct gm_iommu_memory *im, void *obj, size_t size, gm_addr_t a);
GM_API int gm_iommu_write_obj(const struct gm_iommu_memory *im, const void *obj, size_t size, gm_addr_t a);
GM_API int gm_iommu_load(const struct gm_iommu_memory *im, gm_addr_t a, size_t size, enum gm_order order,
		  uint64_t *out);
GM_API int gm_iommu_store(const struct gm_iommu_memory *im, gm_addr_t a, size_t size, uint64_t val,
		   enum gm_order order);

/* File descriptors straight into / out of translated memory (EINTR
 * retried), same semantics as gm_memory_read_from_fd & co. */
GM_API ssize_t gm_iommu_read_from_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count);
GM_API int gm_iommu_read_exact_from_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd,
				size_t count);
GM_API ssize_t gm_iommu_write_to_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count);
GM_API int gm_iommu_write_all_to_fd(const struct gm_iommu_memory *im, gm_addr_t a, int fd, size_t count);

#ifdef __cplusplus
}
#endif

#endif
