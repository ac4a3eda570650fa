/* tiny: minimal modern virtio-mmio driver (virtio 1.2, split rings, polled).
 * Devices are found the way Linux finds them: DSDT LNRO0005 nodes and
 * virtio_mmio.device=SIZE@ADDR:GSI command line entries. */
#ifndef TINY_VIRTIO_H
#define TINY_VIRTIO_H

#include "tiny.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

#define VQ_DESC_F_NEXT 1
#define VQ_DESC_F_WRITE 2
#define VIRTIO_RING_F_EVENT_IDX 29

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vq {
	uint16_t index, size;
	volatile struct vq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size] */
	volatile uint32_t *used;  /* flags|idx, then {id, len} pairs */
	uint16_t avail_idx, used_seen;
	bool event_idx;	     /* VIRTIO_RING_F_EVENT_IDX negotiated (set by the caller) */
	uint16_t kicked_idx; /* avail idx at the last kick decision */
	uint64_t notify;	  /* QueueNotify register address */
};

struct vdev {
	uint64_t base, size;
	uint32_t gsi;
	uint32_t device_id;
	bool from_dsdt, from_cmdline;
	bool gsi_mismatch; /* DSDT and command line disagree */
	uint64_t features; /* offered by the device */
};

#define TINY_VIRTIO_MAX 32

/* Find every virtio-mmio window (DSDT and command line, merged by address),
 * reading MagicValue/Version/DeviceID of each. Returns the count. */
uint32_t virtio_discover(const struct tiny_boot *b, struct vdev *out, uint32_t max, uint32_t *n_dsdt,
                         uint32_t *n_cmdline);
/* The first device with this ID (NULL if none). */
const struct vdev *virtio_find(const struct vdev *v, uint32_t n, uint32_t id);

/* Reset, ACKNOWLEDGE, DRIVER, negotiate VERSION_1 | want (low 32 bits of
 * want are device bits), FEATURES_OK. NULL or why it failed. */
const char *virtio_begin(struct vdev *d, uint32_t want);
/* Set up queue qi with size entries in DMA memory; NULL or why. */
const char *virtio_queue(struct vdev *d, struct vq *q, uint16_t qi, uint16_t size);
/* DRIVER_OK. */
const char *virtio_ready(struct vdev *d);

/* Bump allocator over guest RAM outside the image (16 MiB and up). */
void *dma_alloc(uint64_t size, uint64_t align);
/* [*start, *end): everything dma_alloc has handed out so far. */
void dma_span(uint64_t *start, uint64_t *end);

/* Queue a chain starting at head (descriptors already filled). */
void vq_submit(struct vq *q, uint16_t head);
void vq_kick(struct vq *q);
/* A used entry if one is there: true, with id and len set. */
bool vq_poll(struct vq *q, uint32_t *id, uint32_t *len);
/* Poll until one used entry arrives (false after ~spins tries). */
bool vq_wait(struct vq *q, uint32_t *id, uint32_t *len, uint64_t spins);

static inline void vbarrier(void) { __asm__ volatile("" ::: "memory"); }
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* virtio_irq.c: route gsi to vector on the BSP (IDT, LAPIC, IOAPIC, 8259s masked). */
void irq_route(uint32_t gsi, uint8_t vector);
uint32_t irq_seen(void);
bool irq_wait_more(uint32_t than, uint64_t spins);

/* Tests (virtio_blk.c, virtio_dev.c): NULL if name is not a virtio test. */
typedef const char *(*tiny_test_fn)(const struct tiny_boot *b);
tiny_test_fn tiny_virtio_test(const char *name);

#endif
