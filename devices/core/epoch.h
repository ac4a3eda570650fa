/* Read-side protection for the bus snapshots: a grace-period scheme in the
 * manner of userspace RCU, without reader registration.
 *
 * Readers (vCPU threads dispatching an exit) never take a lock. A reader
 *   1. reads the generation g, increments readers[g & 1] in its slot, and
 *      re-reads the generation; if it changed, it backs out and retries;
 *   2. loads the published snapshot and uses it (and the device it finds)
 *   3. decrements the same counter on exit.
 * Counters are spread over DEV_EPOCH_SLOTS cache lines chosen by a hash of
 * the calling thread, so vCPUs do not bounce one shared line.
 *
 * A writer publishes a new snapshot first, then flips the generation (g+1);
 * from then on every reader that gets past step 1 counts under the new parity
 * and sees the new snapshot. Once readers[old parity] reads zero in every slot
 * (dev_epoch_drained), no reader can still hold anything unpublished before
 * the flip, and it may be freed. All of this uses seq_cst atomics, so the
 * argument is a plain total-order one (see epoch.c).
 *
 * Writers must be serialised by the caller and must not flip again until the
 * previous flip's parity drained (the manager guarantees both).
 */
#ifndef VMM_DEVICES_CORE_EPOCH_H
#define VMM_DEVICES_CORE_EPOCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define DEV_EPOCH_SLOTS 16

struct dev_epoch_slot {
	_Alignas(64) _Atomic uint64_t readers[2];
};

struct dev_epoch {
	_Alignas(64) _Atomic uint64_t gen;
	struct dev_epoch_slot slot[DEV_EPOCH_SLOTS];
};

/* What a reader holds between enter and exit. */
struct dev_epoch_ref {
	_Atomic uint64_t *counter;
};

void dev_epoch_init(struct dev_epoch *e);

static inline unsigned dev__epoch_slot_of_thread(void)
{
	uint64_t x = (uint64_t)(uintptr_t)pthread_self();
	x ^= x >> 21;
	x *= 0x9e3779b97f4a7c15ull;
	return (unsigned)(x >> 60) & (DEV_EPOCH_SLOTS - 1);
}

static inline struct dev_epoch_ref dev_epoch_enter(struct dev_epoch *e)
{
	struct dev_epoch_slot *s = &e->slot[dev__epoch_slot_of_thread()];
	for (;;) {
		uint64_t g = atomic_load(&e->gen);
		_Atomic uint64_t *c = &s->readers[g & 1];
		atomic_fetch_add(c, 1);
		if (atomic_load(&e->gen) == g)
			return (struct dev_epoch_ref){c};
		atomic_fetch_sub_explicit(c, 1, memory_order_release);
	}
}

static inline void dev_epoch_exit(struct dev_epoch_ref r)
{
	atomic_fetch_sub_explicit(r.counter, 1, memory_order_release);
}

/* Writer: start a grace period. Returns the parity to wait for. */
unsigned dev_epoch_flip(struct dev_epoch *e);

/* Writer: 1 if no reader counts under parity p any more (non-blocking). */
int dev_epoch_drained(struct dev_epoch *e, unsigned p);

#endif
