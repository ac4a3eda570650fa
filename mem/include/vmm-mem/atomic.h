/* vmm-mem: RCU-like atomic holder of the current gm_memory (memory hotplug).
 *
 * Readers call gm_atomic_memory_snapshot() and get their own reference to the
 * collection that is current at that moment; they use it as long as they like
 * (it is immutable) and gm_memory_put() it. Writers publish a new collection;
 * the old one is freed only when the holder and the last reader let go.
 *
 * Scheme (a tiny grace-period RCU, no hazards or ABA issues):
 *   - the holder has a current pointer, an epoch, and two reader counters;
 *   - a reader reads the epoch e, increments counter[e & 1], checks that the
 *     epoch is still e (else undoes and retries), loads the current pointer,
 *     takes a reference on it, then decrements counter[e & 1]. No lock, a few
 *     atomic instructions; a reader only retries if a writer flipped the
 *     epoch right under it.
 *   - a writer (serialised by a mutex) swaps the pointer, flips the epoch, and
 *     waits until the old epoch's counter drains to zero. Any reader that could
 *     have seen the old pointer is counted there, and the window it is counted
 *     in is a handful of instructions, so the wait is short (it yields). After
 *     that every such reader holds its own reference, and the holder drops its
 *     reference on the old collection.
 * Writers may block (briefly); readers never block.
 */
#ifndef VMM_MEM_ATOMIC_H
#define VMM_MEM_ATOMIC_H

#include <vmm-mem/api.h>

#include <stdint.h>

#include <vmm-mem/addr.h>
#include <vmm-mem/memory.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gm_atomic_memory;

/* Create a holder for `initial` (it takes its own reference; the caller keeps
 * its one). 0, -EINVAL (NULL), -ENOMEM. Free with gm_atomic_memory_free(),
 * which drops the holder's reference; snapshots taken stay valid. The holder
 * must not be freed while other threads still call into it. */
GM_API int gm_atomic_memory_new(struct gm_atomic_memory **out, struct gm_memory *initial);
GM_API void gm_atomic_memory_free(struct gm_atomic_memory *h);

/* Lock-free: a new reference to the current collection (never NULL). */
GM_API struct gm_memory *gm_atomic_memory_snapshot(struct gm_atomic_memory *h);

/* Make `next` current (the holder takes its own reference). 0 or -EINVAL. */
GM_API int gm_atomic_memory_publish(struct gm_atomic_memory *h, struct gm_memory *next);

/* Read-modify-publish under the writer lock: fn gets the current collection
 * and returns 0 with *next set (a reference the holder takes over), or a
 * negative errno to publish nothing. Returns fn's result. */
typedef int (*gm_atomic_update_fn)(const struct gm_memory *cur, struct gm_memory **next, void *ctx);
GM_API int gm_atomic_memory_update(struct gm_atomic_memory *h, gm_atomic_update_fn fn, void *ctx);

/* Hotplug helpers built on update: errors as gm_memory_insert_region /
 * gm_memory_remove_region. */
GM_API int gm_atomic_memory_insert_region(struct gm_atomic_memory *h, struct gm_region *r);
GM_API int gm_atomic_memory_remove_region(struct gm_atomic_memory *h, gm_addr_t start, uint64_t len);

/* Number of publishes so far (a cheap "did the map change?" check). */
GM_API uint64_t gm_atomic_memory_generation(const struct gm_atomic_memory *h);

#ifdef __cplusplus
}
#endif

#endif
