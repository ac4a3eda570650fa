/* Address allocator (in the manner of rust-vmm vm-allocator's AddressAllocator):
 * hands out aligned sub-ranges of a span [base, base + size). Used for the
 * 32-bit MMIO window, the 64-bit MMIO window, PIO, and any other numeric
 * space that needs contiguous ranges (MSI vectors).
 *
 * Free space and allocated ranges are two range trees; freed ranges merge
 * with free neighbours, so the free tree never holds two adjacent ranges.
 * Allocation is deterministic: the result depends only on the set of
 * allocated ranges, so a restored allocator (dev_addr_alloc_restore) hands
 * out exactly what the saved one would have.
 *
 * Error codes (negative errno), the same for every function here:
 *   -EDOM          size is zero
 *   -EINVAL        alignment is not a power of two (0 included), bad policy
 *   -EOVERFLOW     start + size - 1 wraps past UINT64_MAX
 *   -ERANGE        an exact range is (partly) outside the span
 *   -EADDRNOTAVAIL an exact address is not a multiple of the alignment
 *   -EADDRINUSE    an exact range overlaps an allocated range
 *   -ENOSPC        no free range can hold the request
 *   -ENOENT        free of a range that is not exactly an allocated range
 *                  (never allocated, already freed, or a different size)
 *   -ENOMEM        out of host memory (the allocator is unchanged)
 *   -ENOBUFS       save buffer too small;  -EBADMSG  malformed saved state
 *
 * Not thread-safe: the owner serialises calls (the DeviceManager does).
 * Ownership: dev_addr_alloc_new()/dev_addr_alloc_restore() allocate,
 * dev_addr_alloc_destroy() frees.
 */
#ifndef VMM_DEVICES_CORE_ADDR_ALLOC_H
#define VMM_DEVICES_CORE_ADDR_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum dev_alloc_policy {
	DEV_ALLOC_FIRST_MATCH, /* lowest fitting address */
	DEV_ALLOC_LAST_MATCH,  /* highest fitting address (search from the top) */
	DEV_ALLOC_EXACT,       /* exactly at the given address */
};

struct dev_addr_alloc;

/* Span [base, base + size); base + size may be 2^64 (span ends at UINT64_MAX).
 * Returns 0, -EDOM (size 0), -EOVERFLOW, -ENOMEM. */
int dev_addr_alloc_new(struct dev_addr_alloc **out, uint64_t base, uint64_t size);
void dev_addr_alloc_destroy(struct dev_addr_alloc *a); /* NULL accepted */

/* First and last address of the span. */
uint64_t dev_addr_alloc_base(const struct dev_addr_alloc *a);
uint64_t dev_addr_alloc_last(const struct dev_addr_alloc *a);

/* Allocate size bytes aligned to align (a power of two). For DEV_ALLOC_EXACT
 * the range starts at addr; otherwise addr is ignored. On success stores the
 * start in *out and returns 0. */
int dev_addr_alloc_allocate(struct dev_addr_alloc *a, uint64_t size, uint64_t align,
			    enum dev_alloc_policy policy, uint64_t addr, uint64_t *out);

/* Free exactly the allocated range [start, start + size). 0 or an error above. */
int dev_addr_alloc_release(struct dev_addr_alloc *a, uint64_t start, uint64_t size);

/* 1 if addr lies in an allocated range, else 0. */
int dev_addr_alloc_is_allocated(const struct dev_addr_alloc *a, uint64_t addr);

/* Number of allocated ranges / of free ranges (the latter for tests). */
size_t dev_addr_alloc_count(const struct dev_addr_alloc *a);
size_t dev_addr_alloc_free_count(const struct dev_addr_alloc *a);

/* Iterate allocated ranges in address order; cb returns non-zero to stop. */
int dev_addr_alloc_foreach(const struct dev_addr_alloc *a,
			   int (*cb)(uint64_t start, uint64_t last, void *ctx), void *ctx);

/* Save state as a plain byte serialisation (all fields little-endian u64):
 *   "DEVADDR1" magic, base, last, n, then n pairs (start, last) ascending.
 * dev_addr_alloc_save_size() gives the exact length; dev_addr_alloc_save()
 * returns the number of bytes written or -ENOBUFS. */
size_t dev_addr_alloc_save_size(const struct dev_addr_alloc *a);
ssize_t dev_addr_alloc_save(const struct dev_addr_alloc *a, uint8_t *buf, size_t cap);

/* Build a new allocator from saved bytes (untrusted input: every field is
 * checked). Returns 0, -EBADMSG or -ENOMEM. */
int dev_addr_alloc_restore(struct dev_addr_alloc **out, const uint8_t *buf, size_t len);

/* A deep copy with the same state: 0 or -ENOMEM. The DeviceManager changes a
 * copy and swaps it in, so multi-step changes are all or nothing. */
int dev_addr_alloc_clone(const struct dev_addr_alloc *a, struct dev_addr_alloc **out);

#endif
