/* ID allocator: hands out numbers from [first, last], smallest free first.
 * It serves both as the IRQ/GSI allocator (e.g. over legacy GSIs 5..23) and
 * as the generic ID allocator (device ids, memory slot numbers).
 *
 * A freed number is reused by the next allocation that reaches it, and a
 * number is never handed out twice while allocated; freeing a number that is
 * not allocated is refused (-ENOENT), so a double free cannot later lead to a
 * double hand-out. The state is a bitmap, so the next number depends only on
 * the allocated set: a restored allocator continues exactly like the saved one.
 *
 * Errors (negative errno): -EINVAL first > last; -E2BIG more than
 * DEV_ID_ALLOC_MAX_SPAN numbers; -ERANGE number outside [first, last];
 * -EBUSY fixed number already allocated; -ENOENT free of a number not
 * allocated; -ENOSPC all numbers in use; -ENOMEM; -ENOBUFS save buffer too
 * small; -EBADMSG malformed saved state.
 *
 * Not thread-safe. Ownership: dev_id_alloc_new()/dev_id_alloc_restore()
 * allocate, dev_id_alloc_destroy() frees.
 */
#ifndef VMM_DEVICES_CORE_ID_ALLOC_H
#define VMM_DEVICES_CORE_ID_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DEV_ID_ALLOC_MAX_SPAN (1u << 24)

struct dev_id_alloc;

int dev_id_alloc_new(struct dev_id_alloc **out, uint32_t first, uint32_t last);
void dev_id_alloc_destroy(struct dev_id_alloc *a); /* NULL accepted */

uint32_t dev_id_alloc_first(const struct dev_id_alloc *a);
uint32_t dev_id_alloc_last(const struct dev_id_alloc *a);

/* The smallest free number into *out: 0 or -ENOSPC. */
int dev_id_alloc_allocate(struct dev_id_alloc *a, uint32_t *out);
/* Exactly id (a device that needs a fixed IRQ): 0, -ERANGE or -EBUSY. */
int dev_id_alloc_allocate_fixed(struct dev_id_alloc *a, uint32_t id);
/* 0, -ERANGE or -ENOENT. */
int dev_id_alloc_release(struct dev_id_alloc *a, uint32_t id);
/* 1 if allocated, 0 if free or out of range. */
int dev_id_alloc_is_allocated(const struct dev_id_alloc *a, uint32_t id);
/* Number of allocated ids. */
size_t dev_id_alloc_count(const struct dev_id_alloc *a);

/* Plain serialisation, all fields little-endian u64:
 *   "DEVIDAL1" magic, first, last, n, then the n allocated ids ascending. */
size_t dev_id_alloc_save_size(const struct dev_id_alloc *a);
ssize_t dev_id_alloc_save(const struct dev_id_alloc *a, uint8_t *buf, size_t cap);
int dev_id_alloc_restore(struct dev_id_alloc **out, const uint8_t *buf, size_t len);

/* A copy with the same state: 0 or -ENOMEM. */
int dev_id_alloc_clone(const struct dev_id_alloc *a, struct dev_id_alloc **out);

#endif
