/* What a device model sees: its ops table, the bus kinds, the interrupt line.
 * Devices never call KVM; the program supplies struct dev_irq_line. */
#ifndef VMM_DEVICES_CORE_DEVICE_H
#define VMM_DEVICES_CORE_DEVICE_H

#include <stdint.h>

/* A device is an ops table plus private data. base = start of the registered
 * range, offset = addr - base. len is 1, 2, 4 or 8 (PIO: 1/2/4), data is
 * little-endian bytes. Callbacks may run concurrently from several vCPU
 * threads; the device locks itself. read/write may be NULL (reads then return
 * all-ones, writes are ignored). */
struct dev_ops {
	void (*read)(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len);
	void (*write)(void *priv, uint64_t base, uint64_t offset, const uint8_t *data,
		      uint32_t len);
	/* Optional: called exactly once, after unregister (or dev_manager_free),
	 * when no access is inside the device any more. The device may free priv
	 * here. It runs with the manager's writer lock held, possibly on a vCPU
	 * thread: it must not call into the DeviceManager. */
	void (*release)(void *priv);
};

enum dev_bus_kind { DEV_BUS_PIO, DEV_BUS_MMIO };
#define DEV_BUS_COUNT 2

/* Interrupts: the program supplies this; devices call it. */
struct dev_irq_line {
	int (*set_level)(void *ctx, uint32_t gsi,
			 int level);		 /* level-triggered: 1 assert, 0 deassert */
	int (*trigger)(void *ctx, uint32_t gsi); /* edge / pulse */
	void *ctx;
};

#endif
