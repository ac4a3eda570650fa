/* vmm-mem: the mmap backend for regions.
 *
 * Four kinds of region, all placed at guest address `start`:
 *   anonymous      private (shared if opts->flags has MAP_SHARED), MAP_NORESERVE,
 *                  plus opts->flags; owned: unmapped on destroy
 *   file-backed    MAP_SHARED from fd at a file offset; the fd is dup()ed (the
 *                  region owns its copy, the caller keeps its own). A mapping
 *                  reaching past the end of the file is refused (-ENXIO).
 *                  Files on hugetlbfs are detected and flagged.
 *   hugetlbfs anon anonymous with MAP_HUGETLB (needs reserved huge pages)
 *   raw pointer    existing host memory, NOT owned: never unmapped or freed;
 *                  the caller keeps it valid for the region's lifetime.
 *
 * Options (opts may be NULL for the defaults: PROT_READ|PROT_WRITE, no extra
 * flags, no dirty tracking). prot without PROT_WRITE makes the region
 * read-only: every mem/ write to it returns -EACCES instead of faulting.
 * Ownership: *out gets one reference; drop it with gm_region_put().
 * Errors: -EINVAL (zero length, start+len-1 overflows, bad page size or
 * flags, offset+len overflows), -ENXIO (past EOF), -ENOMEM, or the
 * -errno of mmap/fstat/dup.
 */
#ifndef VMM_MEM_MMAP_H
#define VMM_MEM_MMAP_H

#include <vmm-mem/api.h>

#include <stdbool.h>
#include <stdint.h>

#include <vmm-mem/addr.h>
#include <vmm-mem/region.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gm_mmap_opts {
	int prot;		  /* 0 = PROT_READ | PROT_WRITE */
	int flags;		  /* extra mmap flags OR-ed in (e.g. MAP_POPULATE) */
	bool dirty_tracking;	  /* allocate a dirty bitmap */
	uint64_t dirty_page_size; /* 0 = 4096; must be a power of two */
};

GM_API int gm_region_new_anon(struct gm_region **out, gm_addr_t start, uint64_t len,
		       const struct gm_mmap_opts *opts);
/* Anonymous memory on huge pages (MAP_HUGETLB); flagged as hugetlbfs.
 * len must be a multiple of the huge page size (else -EINVAL from mmap). */
GM_API int gm_region_new_hugetlb(struct gm_region **out, gm_addr_t start, uint64_t len,
			  const struct gm_mmap_opts *opts);
GM_API int gm_region_new_file(struct gm_region **out, gm_addr_t start, uint64_t len, int fd,
		       gm_foff_t offset, const struct gm_mmap_opts *opts);
GM_API int gm_region_new_raw(struct gm_region **out, gm_addr_t start, void *host, uint64_t len,
		      const struct gm_mmap_opts *opts);

/* True if r was made by this backend (so the helpers below apply). */
GM_API bool gm_region_is_mmap(const struct gm_region *r);
/* mmap prot/flags the region was created with (0 for a raw-pointer region). */
GM_API int gm_mmap_region_prot(const struct gm_region *r);
GM_API int gm_mmap_region_flags(const struct gm_region *r);
/* Whether the backend owns (and will unmap) the host memory. */
GM_API bool gm_mmap_region_owned(const struct gm_region *r);

#ifdef __cplusplus
}
#endif

#endif
