/* Internal to devices/core: the DeviceManager's layout, shared by manager.c,
 * dispatch.c and resources.c. Not installed, not for device models. */
#ifndef VMM_DEVICES_CORE_MANAGER_PRIV_H
#define VMM_DEVICES_CORE_MANAGER_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include "devices/core/addr_alloc.h"
#include "devices/core/bus.h"
#include "devices/core/epoch.h"
#include "devices/core/id_alloc.h"
#include "devices/core/manager.h"
#include "devices/core/resources.h"

/* The allocators, one per resource kind; a NULL slot is not configured.
 * addr[k] is used for PIO/MMIO/MMIO64/MSI, id[k] for IRQ/ID/slot. */
struct dev_allocs {
	struct dev_addr_alloc *addr[DEV_RES_KIND_COUNT];
	struct dev_id_alloc *id[DEV_RES_KIND_COUNT];
};

struct dev_handle {
	struct dev_handle *retire_next; /* reclamation list link */
	struct dev_manager *m;
	struct dev_ops ops; /* copied at registration, immutable */
	void *priv;	    /* immutable */
	/* Writer side, under m->lock: */
	enum dev_bus_kind bus;
	uint64_t base, len;
	int registered;
	int alloc_kind; /* -1, or the dev_res_kind whose allocator owns the range */
};

struct dev_bus_counters {
	_Atomic uint64_t unhandled_reads, unhandled_writes, crossing, bad_access;
};

struct dev_manager {
	struct dev_epoch epoch; /* first: 64-byte aligned */
	_Atomic(struct dev_bus_snap *) snap[DEV_BUS_COUNT];
	struct dev_bus_counters cnt[DEV_BUS_COUNT];
	_Atomic size_t pending; /* retired items not yet reclaimed */

	pthread_mutex_t lock; /* serialises writers and reclamation */
	struct dev_bus bus[DEV_BUS_COUNT];
	struct dev_allocs al;
	struct dev_manager_config cfg;

	/* Reclamation, under lock: "fresh" items were retired after the last
	 * flip; "waiting" items wait for readers of parity wait_parity. */
	struct dev_bus_snap *fresh_snaps, *waiting_snaps;
	struct dev_handle *fresh_devs, *waiting_devs;
	unsigned wait_parity;
};

/* Under m->lock: publish a new snapshot of bus b (built by the caller) and
 * retire the old one. */
void dev__publish(struct dev_manager *m, enum dev_bus_kind b, struct dev_bus_snap *s);
/* Under m->lock: poll reclamation (never blocks). */
void dev__try_reclaim(struct dev_manager *m);
/* Reader side: reclaim if something is pending and the lock is free. */
void dev__reader_reclaim(struct dev_manager *m);

/* Allocator set helpers (resources.c). */
void dev__allocs_destroy(struct dev_allocs *a);
/* Copy into *dst the allocators of the kinds in mask (bit per kind); the
 * others are NULL. 0 or -ENOMEM. */
int dev__allocs_clone(const struct dev_allocs *src, unsigned mask, struct dev_allocs *dst);
/* Swap in the cloned ones in *c, destroying the replaced originals; *c is
 * emptied. */
void dev__allocs_commit(struct dev_allocs *al, struct dev_allocs *c);

#endif
