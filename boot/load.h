/* Kernel loading: detect the image kind, decompress a bzImage payload on the
 * host when possible, and copy the kernel into guest memory. */
#ifndef VMM_BOOT_LOAD_H
#define VMM_BOOT_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "boot/cpu.h"
#include "boot/decompress.h"
#include "boot/err.h"

struct gm_memory;

enum boot_kind {
	BOOT_KIND_NONE = 0,
	BOOT_KIND_BZIMAGE, /* classic bzImage, 64-bit entry at load + 0x200, rsi = zero page */
	BOOT_KIND_ELF_PVH, /* ELF vmlinux at its PVH entry, rbx = hvm_start_info */
	BOOT_KIND_ELF_64,  /* ELF vmlinux at e_entry in long mode, rsi = zero page */
};

/* Flags for boot_load_kernel / boot_config.flags */
#define BOOT_F_NO_HOST_DECOMPRESS 0x1u /* boot a bzImage the classic way */
#define BOOT_F_FDT 0x2u                /* pass an FDT as setup_data SETUP_DTB
					* (forces a zero-page entry: no PVH) */
#define BOOT_F_PREF_ADDRESS 0x4u       /* load a bzImage at pref_address, not 1 MiB */
#define BOOT_F_NO_PVH 0x8u             /* enter an ELF at e_entry even with a PVH note */

struct boot_kernel {
	enum boot_kind kind;
	enum boot_compression compression; /* != NONE: ELF decompressed from a bzImage */
	enum boot_entry_mode mode;
	uint64_t entry;       /* rip */
	uint64_t start, end;  /* guest memory the kernel occupies or will use */
	uint64_t load_addr;   /* bzImage: where the protected-mode part went */
	uint16_t protocol;    /* bzImage boot protocol, 0 for a plain ELF */
	const uint8_t *hdr_img; /* setup header source for the zero page (the
				 * caller's bzImage), NULL for a plain ELF */
	size_t hdr_end;
	uint32_t cmdline_max;   /* longest command line the kernel accepts */
	uint64_t initrd_limit;  /* the initrd must end at or below this */
};

/* Load img (untrusted, caller-owned and kept alive while k->hdr_img is
 * used) into m. max_decompressed bounds host decompression (0 = default).
 * 0, -ENOEXEC (neither a bzImage nor an x86_64 ELF, too old, ...),
 * -EINVAL (corrupt), -ENOSPC (does not fit), -EFBIG, -ENOMEM, -EFAULT. */
int boot_load_kernel(const struct gm_memory *m, const uint8_t *img, size_t size, unsigned flags,
		     size_t max_decompressed, struct boot_kernel *k, struct boot_err *err);

#endif
