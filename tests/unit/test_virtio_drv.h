/* A fake virtio driver for the unit tests: builds guest memory, lays out
 * split rings in it as a driver would, and drives a virtio-mmio transport
 * through its DeviceManager ops table. */
#ifndef VMM_TESTS_VIRTIO_DRV_H
#define VMM_TESTS_VIRTIO_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include <vmm-mem/mem.h>

#include "devices/virtio/mmio.h"

/* Guest memory: two adjacent regions [0, 1 MiB) and [1 MiB, 2 MiB), then a
 * hole, then [4 MiB, 4 MiB + 64 KiB). */
#define VD_RAM_END 0x200000ull
#define VD_HOLE 0x300000ull
#define VD_HIGH 0x400000ull
#define VD_HIGH_LEN 0x10000ull
#define VD_BUF_BASE 0x80000ull /* bump allocator for buffers starts here */

struct vd_queue {
	uint16_t num;
	uint64_t desc, avail, used;
	uint16_t avail_idx; /* driver's next avail idx */
	uint16_t used_seen; /* driver's last consumed used idx */
	uint16_t next_desc; /* next free descriptor slot (round robin) */
};

struct vd {
	struct gm_memory *mem;
	struct dev_virtio_mmio_config tc;
	struct dev_virtio_mmio *dev;
	int irqs;  /* trigger() calls */
	int level; /* last set_level() */
	uint64_t heap;
	struct vd_queue q[4];
};

struct vd_buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* Memory and transport config (edge irq counting into d->irqs). */
void vd_init(struct vd *d);
void vd_fini(struct vd *d); /* frees d->dev (if any) and memory */

uint32_t vd_rd(struct vd *d, uint64_t off);
void vd_wr(struct vd *d, uint64_t off, uint32_t v);

/* Full handshake: reset, ACK, DRIVER, features (device's & want, plus
 * VERSION_1), FEATURES_OK, queues 0..nq-1 with num entries, DRIVER_OK.
 * Returns the status read back. */
uint32_t vd_setup(struct vd *d, uint64_t want, uint16_t nq, uint16_t num);
/* Choose ring addresses for queue q and clear them (no register access). */
void vd_ring_layout(struct vd *d, uint16_t q, uint16_t num);
/* vd_ring_layout, then program queue q's registers; does not set ready. */
void vd_queue_layout(struct vd *d, uint16_t q, uint16_t num);

uint64_t vd_alloc(struct vd *d, uint64_t len); /* 16-aligned buffer in RAM */

/* Raw ring access */
void vd_desc(struct vd *d, uint16_t q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	     uint16_t next);
void vd_desc_at(struct vd *d, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
		uint16_t flags, uint16_t next);
void vd_avail_push(struct vd *d, uint16_t q, uint16_t head); /* ring[idx] = head; idx++ */
void vd_set_avail_idx(struct vd *d, uint16_t q, uint16_t idx);
void vd_set_avail_flags(struct vd *d, uint16_t q, uint16_t flags);
void vd_set_used_event(struct vd *d, uint16_t q, uint16_t v);
uint16_t vd_avail_event(struct vd *d, uint16_t q);
uint16_t vd_used_idx(struct vd *d, uint16_t q);

/* Post a chain of bufs (direct descriptors; indirect table if indirect)
 * and return its head. Does not notify. */
uint16_t vd_post(struct vd *d, uint16_t q, const struct vd_buf *bufs, int n, bool indirect);
void vd_kick(struct vd *d, uint16_t q);
/* Next used element: 1 and id/len, or 0 if none. */
int vd_used(struct vd *d, uint16_t q, uint32_t *id, uint32_t *len);

void vd_write(struct vd *d, uint64_t a, const void *buf, size_t len);
void vd_read(struct vd *d, uint64_t a, void *buf, size_t len);

#endif
