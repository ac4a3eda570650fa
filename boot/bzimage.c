/* bzImage setup header validation (Documentation/arch/x86/boot.rst). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "boot/bzimage.h"
#include <vmm-mem/endian.h>

bool boot_is_bzimage(const uint8_t *img, size_t size)
{
	return img && size >= BOOT_HDR_MAGIC + 4 &&
	       gm_get_le16(img + BOOT_HDR_BOOT_FLAG) == 0xaa55 &&
	       gm_get_le32(img + BOOT_HDR_MAGIC) == BOOT_HDR_MAGIC_VALUE;
}

int boot_bzimage_parse(const uint8_t *img, size_t size, struct boot_bzimage *out,
		       struct boot_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!boot_is_bzimage(img, size))
		return boot_errf(err, -ENOEXEC, "not a bzImage (no 0xaa55 boot flag / \"HdrS\" magic)");
	if (size < BOOT_HDR_VERSION + 2)
		return boot_errf(err, -EINVAL, "bzImage truncated inside its setup header (%zu bytes)",
				 size);
	out->version = gm_get_le16(img + BOOT_HDR_VERSION);
	if (out->version < BOOT_MIN_PROTOCOL)
		return boot_errf(err, -ENOEXEC,
				 "bzImage boot protocol %u.%02u is too old (need 2.12 or later)",
				 out->version >> 8, out->version & 0xff);
	if (size < BOOT_HDR_MIN_FILE)
		return boot_errf(err, -EINVAL, "bzImage truncated inside its setup header (%zu bytes)",
				 size);

	out->hdr_end = (size_t)0x202 + img[0x201];
	if (out->hdr_end < BOOT_HDR_MIN_FILE)
		return boot_errf(err, -EINVAL,
				 "bzImage setup header too short for protocol 2.12 (ends at 0x%zx)",
				 out->hdr_end);
	if (out->hdr_end > BOOT_HDR_COPY_END)
		out->hdr_end = BOOT_HDR_COPY_END;

	out->setup_sects = img[BOOT_HDR_SETUP_SECTS];
	out->loadflags = img[BOOT_HDR_LOADFLAGS];
	out->xloadflags = gm_get_le16(img + BOOT_HDR_XLOADFLAGS);
	out->relocatable = img[BOOT_HDR_RELOCATABLE] != 0;
	out->syssize = gm_get_le32(img + BOOT_HDR_SYSSIZE);
	out->kernel_alignment = gm_get_le32(img + BOOT_HDR_KERNEL_ALIGNMENT);
	out->pref_address = gm_get_le64(img + BOOT_HDR_PREF_ADDRESS);
	out->init_size = gm_get_le32(img + BOOT_HDR_INIT_SIZE);
	out->cmdline_size = gm_get_le32(img + BOOT_HDR_CMDLINE_SIZE);
	out->initrd_addr_max = gm_get_le32(img + BOOT_HDR_INITRD_ADDR_MAX);
	out->payload_offset = gm_get_le32(img + BOOT_HDR_PAYLOAD_OFFSET);
	out->payload_length = gm_get_le32(img + BOOT_HDR_PAYLOAD_LENGTH);

	if (!(out->loadflags & BOOT_LOADFLAG_LOADED_HIGH))
		return boot_errf(err, -ENOEXEC, "zImage (not loaded high) is not supported");
	if (!(out->xloadflags & BOOT_XLF_KERNEL_64))
		return boot_errf(err, -ENOEXEC,
				 "bzImage has no 64-bit entry point (XLF_KERNEL_64 clear)");

	size_t sects = out->setup_sects ? out->setup_sects : 4;
	out->pm_offset = (sects + 1) * 512;
	if (out->pm_offset >= size)
		return boot_errf(err, -EINVAL,
				 "bzImage truncated: %zu bytes, setup alone is %zu bytes",
				 size, out->pm_offset);
	out->pm_size = size - out->pm_offset;
	uint64_t sys_bytes = (uint64_t)out->syssize * 16;
	if (out->syssize == 0 || sys_bytes > (uint64_t)out->pm_size + 15)
		return boot_errf(err, -EINVAL,
				 "bzImage truncated: header says %llu bytes of kernel, file has %zu",
				 (unsigned long long)sys_bytes, out->pm_size);
	if (out->relocatable) {
		uint32_t a = out->kernel_alignment;
		if (a < 0x1000 || (a & (a - 1)))
			return boot_errf(err, -EINVAL, "bzImage kernel_alignment 0x%x is not a power of two >= 4 KiB", a);
	} else if (out->pref_address < 0x100000) {
		return boot_errf(err, -EINVAL,
				 "non-relocatable bzImage with pref_address 0x%llx below 1 MiB",
				 (unsigned long long)out->pref_address);
	}
	if (out->init_size == 0)
		return boot_errf(err, -EINVAL, "bzImage init_size is 0");
	if (out->cmdline_size == 0)
		return boot_errf(err, -EINVAL, "bzImage cmdline_size is 0");
	if (out->initrd_addr_max == 0)
		out->initrd_addr_max = 0x37ffffff; /* the documented default */
	if (out->payload_length) {
		uint64_t end = (uint64_t)out->payload_offset + out->payload_length;
		if (end > out->pm_size)
			return boot_errf(err, -EINVAL,
					 "bzImage payload [0x%x, +0x%x) lies outside the %zu-byte kernel",
					 out->payload_offset, out->payload_length, out->pm_size);
	}
	return 0;
}
