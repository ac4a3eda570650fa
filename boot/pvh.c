/* hvm_start_info layout (Xen public/arch-x86/hvm/start_info.h, version 1). */
#include "config.h"

#include <string.h>

#include "boot/layout.h"
#include <vmm-mem/endian.h>
#include "boot/pvh.h"

_Static_assert(BOOT_PVH_MEMMAP_ADDR + BOOT_E820_MAX * BOOT_PVH_MEMMAP_ENTRY_SIZE <=
		       BOOT_PVH_INFO_ADDR + BOOT_PVH_AREA_SIZE,
	       "PVH memory map overflows its area");

void boot_pvh_build(uint8_t *area, uint64_t cmdline_addr, uint64_t rsdp_addr,
		    uint64_t initrd_addr, uint64_t initrd_size, const struct boot_e820 *t)
{
	memset(area, 0, BOOT_PVH_AREA_SIZE);
	gm_put_le32(area + 0, BOOT_PVH_MAGIC);
	gm_put_le32(area + 4, 1); /* version */
	gm_put_le32(area + 8, 0); /* flags */
	if (initrd_size) {
		gm_put_le32(area + 12, 1); /* nr_modules */
		gm_put_le64(area + 16, BOOT_PVH_MODLIST_ADDR);
		uint8_t *mod = area + (BOOT_PVH_MODLIST_ADDR - BOOT_PVH_INFO_ADDR);
		gm_put_le64(mod + 0, initrd_addr);
		gm_put_le64(mod + 8, initrd_size);
	}
	gm_put_le64(area + 24, cmdline_addr);
	gm_put_le64(area + 32, rsdp_addr);
	size_t n = t->n < BOOT_E820_MAX ? t->n : BOOT_E820_MAX;
	gm_put_le64(area + 40, BOOT_PVH_MEMMAP_ADDR);
	gm_put_le32(area + 48, (uint32_t)n);
	uint8_t *mm = area + (BOOT_PVH_MEMMAP_ADDR - BOOT_PVH_INFO_ADDR);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = mm + i * BOOT_PVH_MEMMAP_ENTRY_SIZE;
		gm_put_le64(p, t->e[i].addr);
		gm_put_le64(p + 8, t->e[i].size);
		gm_put_le32(p + 16, t->e[i].type);
	}
}
