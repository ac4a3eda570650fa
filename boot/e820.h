/* e820 memory map built from the guest RAM regions and the fixed layout:
 * RAM [0, 0x9fc00), reserved [0x9fc00, 1 MiB) (EBDA, MP table, ACPI, BIOS),
 * RAM from 1 MiB up to 3 GiB, the MMIO hole [3 GiB, 4 GiB) reserved, RAM
 * above 4 GiB. Only addresses backed by a region are reported as RAM. */
#ifndef VMM_BOOT_E820_H
#define VMM_BOOT_E820_H

#include <stddef.h>
#include <stdint.h>

#include "boot/err.h"

struct gm_memory;

#define BOOT_E820_MAX 128 /* what boot_params can hold */
#define BOOT_E820_RAM 1
#define BOOT_E820_RESERVED 2
#define BOOT_E820_ACPI 3

struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct boot_e820 {
	size_t n;
	struct boot_e820_entry e[BOOT_E820_MAX];
};

/* Append [addr, addr+size) of type, merging with the previous entry when
 * contiguous and of the same type. Entries must come in address order.
 * 0, -EINVAL (size 0, overflow, out of order), -ENOSPC (table full). */
int boot_e820_add(struct boot_e820 *t, uint64_t addr, uint64_t size, uint32_t type);

/* Build the map for memory m (see above). 0, -ENOSPC (too many regions),
 * -EINVAL (no RAM at address 0 or at 1 MiB). */
int boot_e820_from_memory(const struct gm_memory *m, struct boot_e820 *out,
			  struct boot_err *err);

/* End of the highest RAM entry that lies below limit, clipped to limit; the
 * start of that entry in *start. 0 if there is none. */
uint64_t boot_e820_ram_top_below(const struct boot_e820 *t, uint64_t limit, uint64_t *start);

/* Whether [addr, addr+size) lies inside one RAM entry. */
int boot_e820_is_ram(const struct boot_e820 *t, uint64_t addr, uint64_t size);

#endif
