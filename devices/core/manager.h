/* DeviceManager: owns the PIO and MMIO buses and the resource allocators,
 * registers devices on the buses and dispatches vCPU accesses to them.
 *
 * Concurrency (the scheme, in short; details in epoch.h and epoch.c):
 * - Writers (register, unregister, update, resource calls) are serialised by
 *   one mutex inside the manager. A change edits the bus's range tree, builds
 *   a new immutable snapshot of the bus and publishes it with one atomic
 *   pointer store, so readers see either the old or the new layout, never a
 *   half-done one.
 * - Readers (dev_manager_read/write, from any number of vCPU threads) take no
 *   lock: they enter a grace-period counter (a per-thread-hashed cache line,
 *   no shared lock word), load the snapshot, search it in O(log n), call the
 *   device, and leave. They stay counted for the whole device call.
 * - Replaced snapshots and unregistered devices are "retired": they are freed
 *   (and the device's release() called) only after every reader counted
 *   before the retirement has left, so a device is never released while an
 *   access is inside it. Writers never wait for readers: reclamation is
 *   polled at the end of every register/unregister/update call and when a
 *   reader leaves while something is pending (trylock, so the fast path never
 *   blocks), and can be forced with dev_manager_synchronize(). That is what
 *   lets a device change its own range, or unregister itself, from inside its
 *   own handler (dev_handle_update) without deadlocking on itself.
 * - Costs: a dispatch is two atomic increments on a mostly thread-private
 *   cache line plus a branch-free binary search; a registration change is
 *   O(n) (the snapshot is rebuilt), which is fine for device-set changes.
 *   A reader that stays inside a device for long only delays reclamation
 *   (memory and release()), never a writer or another reader.
 *
 * Ownership: dev_manager_new() allocates the manager with its buses and
 * allocators; dev_manager_free() frees them and releases (ops->release) every
 * device still registered or pending. The caller must ensure no dispatch is
 * running when calling dev_manager_free(). The dev_ops table is copied at
 * registration; priv stays the caller's until release() is called.
 *
 * Errors: 0 (or a count), or a negative errno as documented per function.
 */
#ifndef VMM_DEVICES_CORE_MANAGER_H
#define VMM_DEVICES_CORE_MANAGER_H

#include <stddef.h>
#include <stdint.h>

#include "devices/core/addr_alloc.h"
#include "devices/core/device.h"

enum dev_log_level { DEV_LOG_ERROR, DEV_LOG_WARN, DEV_LOG_INFO, DEV_LOG_DEBUG };

/* Windows for the allocators; a size/count of 0 means "no such allocator"
 * (requests for it fail with -ENODEV). */
struct dev_manager_config {
	uint64_t mmio_base, mmio_size;		 /* 32-bit MMIO window (below 4 GiB) */
	uint64_t mmio64_base, mmio64_size;	 /* 64-bit MMIO window */
	uint64_t pio_base, pio_size;		 /* port I/O space */
	uint32_t gsi_first, gsi_count;		 /* legacy IRQ / GSI numbers */
	uint32_t msi_count;			 /* MSI vectors 0 .. msi_count-1 */
	uint32_t id_count;			 /* device ids 0 .. id_count-1 */
	uint32_t mem_slot_first, mem_slot_count; /* KVM memory slot numbers */
	/* Optional. Called (from the calling thread) for debug-level events such
	 * as accesses that hit no device; the library never prints. */
	void (*log)(void *ctx, enum dev_log_level level, const char *msg);
	void *log_ctx;
};

/* The x86 defaults of DESIGN.md: MMIO 3 GiB .. 0xfec00000 (below the
 * IOAPIC), no 64-bit window, PIO 0..0xffff, GSIs 5..23, 256 MSI vectors,
 * 65536 ids, memory slots 0..32763, no log callback. */
void dev_manager_config_default(struct dev_manager_config *cfg);

struct dev_manager;
struct dev_handle;

/* cfg may be NULL (defaults). Returns 0, -EINVAL/-EOVERFLOW (bad window),
 * -ENOMEM. */
int dev_manager_new(struct dev_manager **out, const struct dev_manager_config *cfg);
void dev_manager_free(struct dev_manager *m); /* NULL accepted */

/* Register at the fixed range [base, base + len). The bus range is the only
 * thing reserved: allocator windows are not touched (reserve through
 * dev_manager_alloc_resources or use dev_manager_register_alloc).
 * Returns 0 and the device's handle, -EEXIST on overlap, -EINVAL (bad bus,
 * len 0, NULL ops), -EOVERFLOW, -ENOMEM; nothing is registered on error. */
int dev_manager_register(struct dev_manager *m, enum dev_bus_kind bus, uint64_t base, uint64_t len,
			 const struct dev_ops *ops, void *priv, struct dev_handle **handle_out);

/* Allocate the range from the bus's allocator (PIO, or the 32-bit MMIO window,
 * or the 64-bit one when mmio64 is non-zero) and register there, all or
 * nothing; the range goes back to the allocator on unregister, and moves with
 * it on update. policy/addr as for dev_addr_alloc_allocate. *base_out gets the
 * start. Errors: those of dev_manager_register and of the allocator. */
int dev_manager_register_alloc(struct dev_manager *m, enum dev_bus_kind bus, int mmio64,
			       uint64_t len, uint64_t align, enum dev_alloc_policy policy,
			       uint64_t addr, const struct dev_ops *ops, void *priv,
			       struct dev_handle **handle_out, uint64_t *base_out);

/* Remove the device from its bus. New accesses miss it at once; release() is
 * called once the accesses already inside it have left (maybe later, from
 * another thread). The handle stays valid until release() returns.
 * Returns 0 or -ENOENT (already unregistered). May be called from inside the
 * device's own handlers. */
int dev_manager_unregister(struct dev_manager *m, struct dev_handle *h);

/* Move the device's range to [new_base, new_base + new_len) atomically: the
 * new range (and its allocator reservation for register_alloc devices) is
 * reserved before the old one is released, readers switch in one step, and on
 * any error the old state is untouched. The new range may overlap the old.
 * Returns 0, -ENOENT (not registered), -EEXIST (another device there),
 * -EINVAL, -EOVERFLOW, allocator errors, -ENOMEM. */
int dev_manager_update(struct dev_manager *m, struct dev_handle *h, uint64_t new_base,
		       uint64_t new_len);

/* The same through the device's handle: a device (e.g. a PCI BAR being
 * reprogrammed by the guest) may call this from inside its own read/write
 * handler; it needs neither the manager nor the allocators. */
int dev_handle_update(struct dev_handle *h, uint64_t new_base, uint64_t new_len);

/* The device's current range: 0 or -ENOENT once unregistered. */
int dev_handle_range(struct dev_handle *h, enum dev_bus_kind *bus, uint64_t *base, uint64_t *len);

/* Block until every retired snapshot and device has been reclaimed (all
 * pending release() calls done). Must not be called from inside a device
 * handler (it would wait for itself). Returns 0. */
int dev_manager_synchronize(struct dev_manager *m);

/* Dispatch from a vCPU exit. len: 1, 2, 4 or 8 (PIO: 1, 2 or 4).
 * Returns 0 if a device handled it; 1 if no device is there (a read fills data
 * with 0xff, a write is dropped; both counted and logged at DEV_LOG_DEBUG);
 * -EINVAL for an access crossing the end of a device's range (counted; a read
 * also fills 0xff), a bad bus or length, or NULL data. Lock-free; safe from
 * any number of threads concurrently with every other call except
 * dev_manager_new/free. */
int dev_manager_read(struct dev_manager *m, enum dev_bus_kind bus, uint64_t addr, uint8_t *data,
		     uint32_t len);
int dev_manager_write(struct dev_manager *m, enum dev_bus_kind bus, uint64_t addr,
		      const uint8_t *data, uint32_t len);

struct dev_bus_stats {
	uint64_t unhandled_reads;  /* reads that hit no device */
	uint64_t unhandled_writes; /* writes that hit no device */
	uint64_t crossing;	   /* accesses refused for crossing a range end */
	uint64_t bad_access;	   /* bad length / NULL data */
	uint64_t devices;	   /* devices currently registered on the bus */
};

/* Counters of one bus: 0 or -EINVAL (bad bus). */
int dev_manager_stats(struct dev_manager *m, enum dev_bus_kind bus, struct dev_bus_stats *out);

/* Number of retired snapshots/devices not yet reclaimed (for tests). */
size_t dev_manager_pending(struct dev_manager *m);

#endif
