/* A PIO or MMIO bus: the writer-side index is a range tree (devices/core/
 * range_tree.h) of registered ranges; readers use an immutable snapshot
 * flattened from it (two sorted arrays), searched by a branch-free binary
 * search: O(log n) per access with no pointer chasing. A snapshot is never
 * modified after it is built; changes build a new one, which the
 * DeviceManager publishes (see epoch.h for how old ones are reclaimed).
 *
 * Ownership: dev_bus_new()/dev_bus_free() own the tree (not the devices);
 * dev_bus_snapshot() allocates a snapshot freed by dev_bus_snap_free().
 * Not thread-safe on the writer side; snapshot lookups are read-only.
 */
#ifndef VMM_DEVICES_CORE_BUS_H
#define VMM_DEVICES_CORE_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "devices/core/range_tree.h"

struct dev_bus_ent {
	uint64_t start, end; /* inclusive */
	void *dev;
};

struct dev_bus_snap {
	void *retire_next_; /* private: reclamation list link (manager) */
	size_t n;
	const uint64_t *starts;		/* n ascending starts, searched first */
	const struct dev_bus_ent *ents; /* n entries, same order */
};

struct dev_bus {
	struct dev_range_tree *rt; /* val = device pointer */
};

int dev_bus_init(struct dev_bus *b); /* 0 or -ENOMEM */
void dev_bus_fini(struct dev_bus *b);

/* Build a snapshot of the current ranges, leaving out the range whose device
 * pointer is exclude (NULL: none): 0 or -ENOMEM. */
int dev_bus_snapshot(const struct dev_bus *b, const void *exclude, struct dev_bus_snap **out);
void dev_bus_snap_free(struct dev_bus_snap *s);

/* Look up the access [addr, addr + len - 1] (len >= 1) in a snapshot.
 * Returns 0 with *ent set when one range holds the whole access, 1 when no
 * range holds any byte of it, -EINVAL when the access crosses a range
 * boundary (or wraps past UINT64_MAX). */
int dev_bus_snap_lookup(const struct dev_bus_snap *s, uint64_t addr, uint32_t len,
			const struct dev_bus_ent **ent);

#endif
