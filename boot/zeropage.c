/* boot_params fields (arch/x86/include/uapi/asm/bootparam.h offsets). */
#include "config.h"

#include <string.h>

#include "boot/bzimage.h"
#include <vmm-mem/endian.h>
#include "boot/zeropage.h"

void boot_zeropage_init(uint8_t *zp, const uint8_t *img, size_t hdr_end)
{
	memset(zp, 0, BOOT_ZEROPAGE_SIZE);
	if (img) {
		if (hdr_end > BOOT_HDR_COPY_END)
			hdr_end = BOOT_HDR_COPY_END;
		if (hdr_end > BOOT_HDR_START)
			memcpy(zp + BOOT_HDR_START, img + BOOT_HDR_START, hdr_end - BOOT_HDR_START);
	} else {
		gm_put_le16(zp + BOOT_HDR_BOOT_FLAG, 0xaa55);
		gm_put_le32(zp + BOOT_HDR_MAGIC, BOOT_HDR_MAGIC_VALUE);
		gm_put_le16(zp + BOOT_HDR_VERSION, 0x020f);
		zp[BOOT_HDR_LOADFLAGS] = BOOT_LOADFLAG_LOADED_HIGH;
		gm_put_le32(zp + BOOT_HDR_KERNEL_ALIGNMENT, 0x1000000);
		gm_put_le16(zp + BOOT_HDR_VID_MODE, 0xffff);
	}
	zp[BOOT_HDR_TYPE_OF_LOADER] = BOOT_LOADER_TYPE_UNDEFINED;
}

void boot_zeropage_set_cmdline(uint8_t *zp, uint64_t addr)
{
	gm_put_le32(zp + BOOT_HDR_CMD_LINE_PTR, (uint32_t)addr);
	gm_put_le32(zp + BOOT_ZP_EXT_CMD_LINE_PTR, (uint32_t)(addr >> 32));
}

void boot_zeropage_set_initrd(uint8_t *zp, uint64_t addr, uint64_t size)
{
	gm_put_le32(zp + BOOT_HDR_RAMDISK_IMAGE, (uint32_t)addr);
	gm_put_le32(zp + BOOT_HDR_RAMDISK_SIZE, (uint32_t)size);
	gm_put_le32(zp + BOOT_ZP_EXT_RAMDISK_IMAGE, (uint32_t)(addr >> 32));
	gm_put_le32(zp + BOOT_ZP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32));
}

void boot_zeropage_set_code32_start(uint8_t *zp, uint32_t addr)
{
	gm_put_le32(zp + BOOT_HDR_CODE32_START, addr);
}

void boot_zeropage_set_setup_data(uint8_t *zp, uint64_t addr)
{
	gm_put_le64(zp + BOOT_HDR_SETUP_DATA, addr);
}

void boot_zeropage_set_rsdp(uint8_t *zp, uint64_t addr)
{
	gm_put_le64(zp + BOOT_ZP_ACPI_RSDP_ADDR, addr);
}

void boot_zeropage_set_e820(uint8_t *zp, const struct boot_e820 *t)
{
	size_t n = t->n < BOOT_E820_MAX ? t->n : BOOT_E820_MAX;
	zp[BOOT_ZP_E820_ENTRIES] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = zp + BOOT_ZP_E820_TABLE + i * BOOT_ZP_E820_ENTRY_SIZE;
		gm_put_le64(p, t->e[i].addr);
		gm_put_le64(p + 8, t->e[i].size);
		gm_put_le32(p + 16, t->e[i].type);
	}
}
