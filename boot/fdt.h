/* Flattened device tree (libfdt) describing the machine: memory (the RAM
 * e820 entries), cpus, chosen (bootargs, linux,initrd-start/end), the COM1
 * serial port and virtio-mmio nodes. For x86 it is handed over as a
 * setup_data SETUP_DTB entry (boot_setup with BOOT_F_FDT); the same builder
 * serves a later aarch64 path. */
#ifndef VMM_BOOT_FDT_H
#define VMM_BOOT_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "boot/e820.h"
#include "boot/err.h"
#include "boot/vdev.h"

struct boot_fdt_config {
	unsigned ncpus;
	const char *cmdline;       /* may be NULL */
	uint64_t initrd_addr;      /* initrd_size 0 = none */
	uint64_t initrd_size;
	const struct boot_e820 *e820; /* RAM entries become /memory reg */
	const struct boot_virtio_mmio *virtio;
	size_t nvirtio;
};

/* Build a complete tree into buf[0..cap) (left open with free space so
 * nodes can be added). 0, -EINVAL, -ENOSPC. */
int boot_fdt_build(const struct boot_fdt_config *c, void *buf, size_t cap, struct boot_err *err);

/* Add /virtio_mmio@addr { compatible "virtio,mmio"; reg; interrupts; }.
 * 0 or a negative errno (-ENOSPC when the tree is full). */
int boot_fdt_add_virtio_mmio(void *fdt, uint64_t addr, uint64_t size, uint32_t gsi);

/* Pack the tree (shrink to its used size) and return that size. */
size_t boot_fdt_finish(void *fdt);

#endif
