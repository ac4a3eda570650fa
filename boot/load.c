/* Kernel image loading for the three entry kinds. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/bzimage.h"
#include "boot/elf.h"
#include "boot/layout.h"
#include "boot/load.h"

static int fits_low(const struct gm_memory *m, uint64_t start, uint64_t len)
{
	uint64_t end;
	return !__builtin_add_overflow(start, len, &end) && end <= BOOT_MMIO_HOLE_START &&
	       start >= BOOT_HIGH_MEM && gm_memory_check_range(m, gm_addr(start), len);
}

static int load_elf(const struct gm_memory *m, const uint8_t *img, size_t size, unsigned flags,
		    struct boot_kernel *k, struct boot_err *err)
{
	struct boot_elf e;
	int r = boot_elf_parse(img, size, &e, err);
	if (r)
		return r;
	bool pvh = e.has_pvh && !(flags & (BOOT_F_FDT | BOOT_F_NO_PVH));
	if (pvh) {
		if (e.pvh_entry < e.load_start || e.pvh_entry >= e.load_end)
			return boot_errf(err, -EINVAL,
					 "ELF PVH entry 0x%x is outside its loaded segments", e.pvh_entry);
		k->kind = BOOT_KIND_ELF_PVH;
		k->mode = BOOT_ENTRY_PVH32;
		k->entry = e.pvh_entry;
	} else {
		if (e.entry_paddr >= BOOT_IDENTITY_MAP_SIZE)
			return boot_errf(err, -ENOEXEC,
					 "ELF %s, and its entry 0x%llx is not inside its segments "
					 "below 1 GiB",
					 e.has_pvh ? "PVH entry not used" : "has no PVH note",
					 (unsigned long long)e.entry);
		k->kind = BOOT_KIND_ELF_64;
		k->mode = BOOT_ENTRY_LONG64;
		k->entry = e.entry_paddr;
	}
	r = boot_elf_load(m, img, size, NULL, err);
	if (r)
		return r;
	k->start = e.load_start;
	k->end = e.load_end;
	return 0;
}

static int load_bzimage_classic(const struct gm_memory *m, const uint8_t *img,
				const struct boot_bzimage *bz, unsigned flags,
				struct boot_kernel *k, struct boot_err *err)
{
	uint64_t load = BOOT_KERNEL_ADDR;
	if ((flags & BOOT_F_PREF_ADDRESS) || !bz->relocatable)
		load = bz->pref_address;
	if (load < BOOT_HIGH_MEM || load > BOOT_IDENTITY_MAP_SIZE - bz->pm_size ||
	    bz->pm_size > BOOT_IDENTITY_MAP_SIZE)
		return boot_errf(err, -ENOSPC,
				 "bzImage load address 0x%llx (+%zu bytes) is outside [1 MiB, 1 GiB)",
				 (unsigned long long)load, bz->pm_size);
	/* where the decompressor will put the kernel (head_64.S): the load
	 * address rounded up to kernel_alignment, at least pref_address */
	uint64_t target = bz->pref_address;
	if (bz->relocatable) {
		uint64_t a = bz->kernel_alignment;
		uint64_t up = (load + a - 1) & ~(a - 1);
		if (up > target)
			target = up;
	}
	if (!fits_low(m, load, bz->pm_size))
		return boot_errf(err, -ENOSPC,
				 "bzImage (%zu bytes at 0x%llx) does not fit in guest RAM", bz->pm_size,
				 (unsigned long long)load);
	if (!fits_low(m, target, bz->init_size))
		return boot_errf(err, -ENOSPC,
				 "kernel needs [0x%llx, +0x%x) (init_size) below 3 GiB; guest RAM is too small",
				 (unsigned long long)target, bz->init_size);
	if (gm_memory_write_slice(m, img + bz->pm_offset, bz->pm_size, gm_addr(load)))
		return boot_errf(err, -EFAULT, "writing the bzImage to guest memory failed");
	k->kind = BOOT_KIND_BZIMAGE;
	k->mode = BOOT_ENTRY_LONG64;
	k->entry = load + 0x200;
	k->load_addr = load;
	k->start = load < target ? load : target;
	uint64_t e1 = load + bz->pm_size, e2 = target + bz->init_size;
	k->end = e1 > e2 ? e1 : e2;
	return 0;
}

int boot_load_kernel(const struct gm_memory *m, const uint8_t *img, size_t size, unsigned flags,
		     size_t max_decompressed, struct boot_kernel *k, struct boot_err *err)
{
	memset(k, 0, sizeof(*k));
	if (!img || size == 0)
		return boot_errf(err, -ENOEXEC, "kernel image is empty");
	if (!max_decompressed)
		max_decompressed = BOOT_DECOMP_DEFAULT_MAX;

	if (boot_is_elf64(img, size) || (size >= 4 && memcmp(img, "\x7f" "ELF", 4) == 0)) {
		int r = load_elf(m, img, size, flags, k, err);
		k->cmdline_max = BOOT_CMDLINE_DEFAULT_MAX;
		k->initrd_limit = BOOT_MMIO_HOLE_START;
		return r;
	}
	if (!boot_is_bzimage(img, size))
		return boot_errf(err, -ENOEXEC, "kernel is neither a bzImage nor an x86_64 ELF");

	struct boot_bzimage bz;
	int r = boot_bzimage_parse(img, size, &bz, err);
	if (r)
		return r;
	k->protocol = bz.version;
	k->hdr_img = img;
	k->hdr_end = bz.hdr_end;
	k->cmdline_max = bz.cmdline_size;
	k->initrd_limit = (uint64_t)bz.initrd_addr_max + 1;

	const uint8_t *payload = img + bz.pm_offset + bz.payload_offset;
	enum boot_compression c = bz.payload_length
		? boot_detect_compression(payload, bz.payload_length) : BOOT_COMP_UNKNOWN;
	if (!(flags & BOOT_F_NO_HOST_DECOMPRESS) && boot_compression_supported(c)) {
		uint8_t *elf;
		size_t elf_len;
		r = boot_decompress(payload, bz.payload_length, max_decompressed, &elf, &elf_len, &c,
				    err);
		if (r)
			return r;
		if (!boot_is_elf64(elf, elf_len)) {
			free(elf);
			return boot_errf(err, -ENOEXEC,
					 "the decompressed %s payload is not an x86_64 ELF vmlinux",
					 boot_compression_name(c));
		}
		r = load_elf(m, elf, elf_len, flags, k, err);
		free(elf);
		if (r)
			return r;
		k->compression = c;
		return 0;
	}
	return load_bzimage_classic(m, img, &bz, flags, k, err);
}
