/* Guest RAM regions for a --mem size (see ram_layout.h). */
#include "config.h"

#include "monitor/ram_layout.h"

#include <errno.h>

#include "boot/layout.h"

int vmm_ram_layout(uint64_t mem_size, struct vmm_ram_region out[VMM_RAM_MAX_REGIONS])
{
	if (mem_size == 0 || mem_size % 4096)
		return -EINVAL;
	if (mem_size <= BOOT_MMIO_HOLE_START) {
		out[0] = (struct vmm_ram_region){0, mem_size};
		return 1;
	}
	uint64_t high = mem_size - BOOT_MMIO_HOLE_START, end;
	if (__builtin_add_overflow(BOOT_MMIO_HOLE_END, high, &end))
		return -EOVERFLOW;
	out[0] = (struct vmm_ram_region){0, BOOT_MMIO_HOLE_START};
	out[1] = (struct vmm_ram_region){BOOT_MMIO_HOLE_END, high};
	return 2;
}
