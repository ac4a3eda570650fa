/* Guest RAM regions for a --mem size: the x86 split around the MMIO hole of
 * boot/layout.h (RAM up to 3 GiB, the hole 3-4 GiB, the rest above 4 GiB).
 * A pure function of the size: no state, no allocation, thread-safe. */
#ifndef VMM_RAM_LAYOUT_H
#define VMM_RAM_LAYOUT_H

#include <stdint.h>

#define VMM_RAM_MAX_REGIONS 2

struct vmm_ram_region {
	uint64_t start; /* guest-physical */
	uint64_t len;	/* bytes, > 0 */
};

/* Fill out[] with the RAM regions of a guest of mem_size bytes, lowest
 * first. Returns the number of regions (1 or 2), or
 *   -EINVAL     mem_size is 0 or not a multiple of 4 KiB,
 *   -EOVERFLOW  the RAM above 4 GiB would end past 2^64. */
int vmm_ram_layout(uint64_t mem_size, struct vmm_ram_region out[VMM_RAM_MAX_REGIONS]);

#endif
