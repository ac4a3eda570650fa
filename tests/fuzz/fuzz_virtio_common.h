/* Shared pieces of the virtio libFuzzer targets: one guest memory built at
 * start-up (two adjacent regions, a hole, a small high region), a fake
 * interrupt line, and a driver-side handshake through the register file.
 * Test-program code only (statics are fine here). */
#ifndef VMM_TESTS_FUZZ_VIRTIO_COMMON_H
#define VMM_TESTS_FUZZ_VIRTIO_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "devices/virtio/mmio.h"

#define FZ_LOW 0x8000ull /* [0, 0x8000) and [0x8000, 0x10000) */
#define FZ_RAM 0x10000ull
#define FZ_HIGH 0x20000ull /* [0x20000, 0x21000) after a hole */
#define FZ_HIGH_LEN 0x1000ull
/* Ring layout used by every target (queue size FZ_NUM). */
#define FZ_NUM 16u
#define FZ_DESC(q) (0x0ull + 0x400ull * (q))
#define FZ_AVAIL(q) (0x100ull + 0x400ull * (q))
#define FZ_USED(q) (0x200ull + 0x400ull * (q))

static struct gm_memory *fz_mem;
static unsigned fz_irqs;

static inline int fz_trigger(void *ctx, uint32_t gsi)
{
	fz_irqs++;
	return 0;
}

static inline struct gm_memory *fz_memory(void)
{
	if (!fz_mem) {
		struct gm_range r[3] = {
		    {gm_addr(0), FZ_LOW},
		    {gm_addr(FZ_LOW), FZ_RAM - FZ_LOW},
		    {gm_addr(FZ_HIGH), FZ_HIGH_LEN},
		};
		if (gm_memory_new_anon(&fz_mem, r, 3) < 0)
			abort();
	}
	return fz_mem;
}

/* Clear guest RAM and copy data to address 0 (as much as fits). */
static inline void fz_load(const uint8_t *data, size_t size)
{
	static uint8_t zero[FZ_RAM];
	gm_memory_write_slice(fz_memory(), zero, FZ_RAM, gm_addr(0));
	gm_memory_write_slice(fz_memory(), zero, FZ_HIGH_LEN, gm_addr(FZ_HIGH));
	if (size > FZ_RAM)
		size = FZ_RAM;
	gm_memory_write_slice(fz_memory(), data, size, gm_addr(0));
}

static inline struct dev_virtio_mmio_config fz_tc(void)
{
	struct dev_virtio_mmio_config tc;
	memset(&tc, 0, sizeof(tc));
	tc.mem = fz_memory();
	tc.irq.trigger = fz_trigger;
	tc.gsi = 5;
	tc.queue_max = 64;
	return tc;
}

static inline void fz_wr(struct dev_virtio_mmio *dev, uint64_t off, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	dev_virtio_mmio_ops.write(dev, 0, off, b, 4);
}

static inline uint32_t fz_rd(struct dev_virtio_mmio *dev, uint64_t off)
{
	uint8_t b[4];
	dev_virtio_mmio_ops.read(dev, 0, off, b, 4);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Reset and bring the device up with features (& offered) and nq queues of
 * FZ_NUM entries at the FZ_* addresses. */
static inline void fz_handshake(struct dev_virtio_mmio *dev, uint64_t features, uint16_t nq)
{
	fz_wr(dev, VIRTIO_MMIO_STATUS, 0);
	fz_wr(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	fz_wr(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	fz_wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t f = fz_rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
	fz_wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f |= (uint64_t)fz_rd(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	f &= features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	fz_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fz_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	fz_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	fz_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	uint32_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	fz_wr(dev, VIRTIO_MMIO_STATUS, s);
	for (uint16_t q = 0; q < nq; q++) {
		fz_wr(dev, VIRTIO_MMIO_QUEUE_SEL, q);
		fz_wr(dev, VIRTIO_MMIO_QUEUE_NUM, FZ_NUM);
		fz_wr(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)FZ_DESC(q));
		fz_wr(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)FZ_AVAIL(q));
		fz_wr(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)FZ_USED(q));
		fz_wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	fz_wr(dev, VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_DRIVER_OK);
}

#endif
