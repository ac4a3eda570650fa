/* A virtio-mmio device as the platform tables describe it (DSDT LNRO0005
 * node, FDT virtio,mmio node, kernel command line). */
#ifndef VMM_BOOT_VDEV_H
#define VMM_BOOT_VDEV_H

#include <stdint.h>

struct boot_virtio_mmio {
	uint64_t addr; /* MMIO window base (below 4 GiB for ACPI) */
	uint64_t size; /* window size, normally 0x1000 */
	uint32_t gsi;  /* legacy GSI (5-23) */
};

#endif
