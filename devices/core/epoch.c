/* Grace periods for the bus snapshots; see epoch.h for the scheme.
 *
 * Why a reader found under the old parity p after the flip is safe to wait
 * for, and one not found is safe to ignore (S = the seq_cst total order):
 * the writer's order is  store(snapshot) < store(gen = g+1) < load(counter).
 * If the writer's load of a slot's counter misses a reader's increment, that
 * increment is after the load in S, so the reader's re-read of gen (after its
 * increment) sees g+1 and it backs out before touching any snapshot. If the
 * load sees the increment, the writer keeps waiting until the reader's
 * release-decrement, which then happens-before anything the writer frees.
 * A reader that got past the re-read with g+1 read gen after the writer's
 * store of it, which follows the snapshot store, so it sees the new snapshot.
 */
#include "devices/core/epoch.h"

void dev_epoch_init(struct dev_epoch *e)
{
	atomic_init(&e->gen, 0);
	for (unsigned i = 0; i < DEV_EPOCH_SLOTS; i++) {
		atomic_init(&e->slot[i].readers[0], 0);
		atomic_init(&e->slot[i].readers[1], 0);
	}
}

unsigned dev_epoch_flip(struct dev_epoch *e)
{
	uint64_t g = atomic_fetch_add(&e->gen, 1);
	return (unsigned)(g & 1);
}

int dev_epoch_drained(struct dev_epoch *e, unsigned p)
{
	for (unsigned i = 0; i < DEV_EPOCH_SLOTS; i++)
		if (atomic_load(&e->slot[i].readers[p & 1]) != 0)
			return 0;
	return 1;
}
