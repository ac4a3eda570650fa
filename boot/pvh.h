/* PVH boot: struct hvm_start_info (version 1) with its module list (the
 * initrd) and memory map, built in a host buffer that covers
 * [BOOT_PVH_INFO_ADDR, BOOT_PVH_INFO_ADDR + BOOT_PVH_AREA_SIZE). */
#ifndef VMM_BOOT_PVH_H
#define VMM_BOOT_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "boot/e820.h"

#define BOOT_PVH_AREA_SIZE 0x1000
#define BOOT_PVH_MAGIC 0x336ec578u
#define BOOT_PVH_INFO_SIZE 56
#define BOOT_PVH_MODLIST_ENTRY_SIZE 32
#define BOOT_PVH_MEMMAP_ENTRY_SIZE 24

/* Fill area (BOOT_PVH_AREA_SIZE bytes): start_info with cmdline_paddr, the
 * RSDP address, one module (the initrd) when initrd_size != 0, and the e820
 * entries as the memory map. */
void boot_pvh_build(uint8_t *area, uint64_t cmdline_addr, uint64_t rsdp_addr,
		    uint64_t initrd_addr, uint64_t initrd_size, const struct boot_e820 *t);

#endif
