/* libFuzzer target: boot/'s bzImage header parser and kernel loader on
 * arbitrary bytes (seeds: small bzImages with no payload and with a gzip'd
 * ELF payload). Byte 0x1f0 of the boot sector, which the parser ignores,
 * selects loader flags. Host decompression is bounded to 1 MiB.
 *
 * Invariants: only documented errors, each with a message; a parsed header
 * is self-consistent; a classic load puts exactly the protected-mode part
 * at the load address and enters at +0x200; a host-decompressed load puts
 * exactly the payload's ELF segments in place; nothing else is written, and
 * never anything below 1 MiB. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/decompress.h"
#include "boot/elf.h"
#include "boot/layout.h"
#include "boot/load.h"
#include "tests/fuzz/guest.h"
#include "tests/fuzz/input.h"

#define MAX_DECOMP (1u << 20)

static void check_err(int rc, const struct boot_err *e)
{
	CHECK_EQ(e->code, rc);
	CHECK(e->msg[0] != '\0' && strnlen(e->msg, BOOT_ERR_MSG_MAX) < BOOT_ERR_MSG_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_err err;
	struct boot_bzimage bz;
	unsigned flags = size > 0x1f0 ? data[0x1f0] & (BOOT_F_NO_HOST_DECOMPRESS |
						       BOOT_F_PREF_ADDRESS | BOOT_F_NO_PVH |
						       BOOT_F_FDT)
				      : 0;

	memset(&err, 0, sizeof(err));
	int rc = boot_bzimage_parse(data, size, &bz, &err);
	CHECK(rc == 0 || rc == -ENOEXEC || rc == -EINVAL);
	if (rc) {
		check_err(rc, &err);
	} else {
		CHECK(boot_is_bzimage(data, size));
		CHECK(bz.version >= BOOT_MIN_PROTOCOL);
		CHECK(bz.loadflags & BOOT_LOADFLAG_LOADED_HIGH);
		CHECK(bz.xloadflags & BOOT_XLF_KERNEL_64);
		CHECK_EQ(bz.pm_offset, ((bz.setup_sects ? bz.setup_sects : 4) + 1) * 512u);
		CHECK(bz.pm_size > 0 && bz.pm_offset + bz.pm_size == size);
		CHECK(bz.hdr_end >= BOOT_HDR_MIN_FILE && bz.hdr_end <= BOOT_HDR_COPY_END &&
		      bz.hdr_end <= size);
		CHECK(bz.payload_length == 0 ||
		      (uint64_t)bz.payload_offset + bz.payload_length <= bz.pm_size);
		CHECK(bz.init_size && bz.cmdline_size && bz.initrd_addr_max);
		if (bz.relocatable)
			CHECK(bz.kernel_alignment >= 0x1000 &&
			      !(bz.kernel_alignment & (bz.kernel_alignment - 1)));
	}

	struct boot_kernel k;
	memset(&err, 0, sizeof(err));
	int kr = boot_load_kernel(fz_guest(), data, size, flags, MAX_DECOMP, &k, &err);
	CHECK(kr == 0 || kr == -ENOEXEC || kr == -EINVAL || kr == -ENOSPC || kr == -EFBIG ||
	      kr == -ENOMEM || kr == -EFAULT);
	if (kr) {
		check_err(kr, &err);
		struct fz_span hi = {0x100000, UINT64_MAX - 0x100000};
		fz_guest_only_in(&hi, 1);
	} else if (k.kind == BOOT_KIND_BZIMAGE) {
		CHECK(rc == 0);
		CHECK(k.protocol == bz.version && k.hdr_img == data && k.hdr_end == bz.hdr_end);
		CHECK(k.entry == k.load_addr + 0x200);
		CHECK(k.load_addr >= BOOT_HIGH_MEM);
		CHECK(k.start <= k.load_addr && k.end >= k.load_addr + bz.pm_size);
		CHECK(k.end <= BOOT_MMIO_HOLE_START);
		CHECK(k.cmdline_max == bz.cmdline_size);
		fz_guest_equals(k.load_addr, data + bz.pm_offset, bz.pm_size);
		struct fz_span s = {k.load_addr, bz.pm_size};
		fz_guest_only_in(&s, 1);
	} else if (!boot_is_elf64(data, size)) {
		/* a bzImage whose payload was decompressed on the host */
		CHECK(rc == 0 && bz.payload_length > 0);
		CHECK(k.compression != BOOT_COMP_NONE && k.compression != BOOT_COMP_UNKNOWN);
		uint8_t *elf = NULL;
		size_t elf_len = 0;
		enum boot_compression fmt;
		CHECK_EQ(boot_decompress(data + bz.pm_offset + bz.payload_offset, bz.payload_length,
					 MAX_DECOMP, &elf, &elf_len, &fmt, NULL),
			 0);
		CHECK(fmt == k.compression);
		struct boot_elf e;
		CHECK_EQ(boot_elf_parse(elf, elf_len, &e, NULL), 0);
		CHECK(k.start == e.load_start && k.end == e.load_end);
		CHECK(k.entry >= k.start && k.entry < k.end);
		fz_check_elf_loaded(elf, elf_len);
		free(elf);
	}
	fz_guest_wipe();
	return 0;
}
