/* boot_params ("zero page") construction in a host buffer of
 * BOOT_ZEROPAGE_SIZE bytes, later copied to BOOT_ZEROPAGE_ADDR. */
#ifndef VMM_BOOT_ZEROPAGE_H
#define VMM_BOOT_ZEROPAGE_H

#include <stddef.h>
#include <stdint.h>

#include "boot/e820.h"

#define BOOT_ZEROPAGE_SIZE 4096
#define BOOT_ZP_ACPI_RSDP_ADDR 0x070
#define BOOT_ZP_EXT_RAMDISK_IMAGE 0x0c0
#define BOOT_ZP_EXT_RAMDISK_SIZE 0x0c4
#define BOOT_ZP_EXT_CMD_LINE_PTR 0x0c8
#define BOOT_ZP_E820_ENTRIES 0x1e8
#define BOOT_ZP_SENTINEL 0x1ef
#define BOOT_ZP_E820_TABLE 0x2d0
#define BOOT_ZP_E820_ENTRY_SIZE 20
#define BOOT_SETUP_DTB 2 /* setup_data type */
#define BOOT_LOADER_TYPE_UNDEFINED 0xff

/* Zero zp and fill its setup header: copied from img[0x1f1, hdr_end) when
 * img != NULL (a bzImage; hdr_end from boot_bzimage_parse), otherwise a
 * minimal 2.15 header for an ELF kernel entered at its 64-bit entry.
 * type_of_loader is set to 0xff in both cases. */
void boot_zeropage_init(uint8_t *zp, const uint8_t *img, size_t hdr_end);

/* Setters; addresses are guest-physical. */
void boot_zeropage_set_cmdline(uint8_t *zp, uint64_t addr);
void boot_zeropage_set_initrd(uint8_t *zp, uint64_t addr, uint64_t size);
void boot_zeropage_set_code32_start(uint8_t *zp, uint32_t addr);
void boot_zeropage_set_setup_data(uint8_t *zp, uint64_t addr);
void boot_zeropage_set_rsdp(uint8_t *zp, uint64_t addr);
void boot_zeropage_set_e820(uint8_t *zp, const struct boot_e820 *t);

#endif
