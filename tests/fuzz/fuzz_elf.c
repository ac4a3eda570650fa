/* libFuzzer target: boot/'s ELF vmlinux parser and loader on arbitrary bytes.
 *
 * The input is the image itself (seeds are small valid ELF files with a PVH
 * note); e_ident[15], a padding byte the parser ignores, selects loader
 * flags. Invariants: only documented errors, each with a message; a parsed
 * image's summary is consistent; a loaded image's segments sit exactly at
 * their physical addresses and nothing else in guest memory changed (nothing
 * at all below 1 MiB); the chosen entry point lies inside the segments. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "boot/elf.h"
#include "boot/layout.h"
#include "boot/load.h"
#include "tests/fuzz/guest.h"
#include "tests/fuzz/input.h"

static void check_err(int rc, const struct boot_err *e)
{
	CHECK_EQ(e->code, rc);
	CHECK(e->msg[0] != '\0' && strnlen(e->msg, BOOT_ERR_MSG_MAX) < BOOT_ERR_MSG_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_err err;
	struct boot_elf e;
	unsigned flags = size > 15 ? data[15] & (BOOT_F_NO_PVH | BOOT_F_FDT) : 0;

	/* the note scanner on raw bytes */
	uint32_t pvh = 0;
	int nr = boot_elf_find_pvh_note(data, size, &pvh);
	CHECK(nr == 0 || nr == 1 || nr == -EINVAL);

	memset(&err, 0, sizeof(err));
	int rc = boot_elf_parse(data, size, &e, &err);
	CHECK(rc == 0 || rc == -ENOEXEC || rc == -EINVAL);
	if (rc) {
		check_err(rc, &err);
	} else {
		CHECK(boot_is_elf64(data, size));
		CHECK(e.nload >= 1 && e.load_start <= e.load_end);
	}

	memset(&err, 0, sizeof(err));
	struct boot_elf e2;
	int lr = boot_elf_load(fz_guest(), data, size, &e2, &err);
	CHECK(lr == 0 || lr == -ENOEXEC || lr == -EINVAL || lr == -ENOSPC || lr == -EFAULT);
	if (rc)
		CHECK_EQ(lr, rc); /* load validates first */
	if (lr) {
		check_err(lr, &err);
		/* a failed load may leave earlier segments, never anything low */
		struct fz_span hi = {0x100000, UINT64_MAX - 0x100000};
		fz_guest_only_in(&hi, 1);
	} else {
		CHECK(memcmp(&e, &e2, sizeof(e)) == 0);
		CHECK(e.load_start >= BOOT_HIGH_MEM);
		fz_check_elf_loaded(data, size);
	}
	fz_guest_wipe();

	/* the whole kernel path (ELF inputs only: others may parse as bzImages) */
	if (size < 4 || memcmp(data, "\x7f" "ELF", 4) != 0)
		return 0;
	struct boot_kernel k;
	memset(&err, 0, sizeof(err));
	int kr = boot_load_kernel(fz_guest(), data, size, flags, 1 << 20, &k, &err);
	CHECK(kr == 0 || kr == -ENOEXEC || kr == -EINVAL || kr == -ENOSPC || kr == -EFAULT);
	if (kr) {
		check_err(kr, &err);
	} else {
		CHECK(lr == 0);
		CHECK(k.start == e.load_start && k.end == e.load_end);
		CHECK(k.entry >= k.start && k.entry < k.end);
		if (k.kind == BOOT_KIND_ELF_PVH) {
			CHECK(e.has_pvh && !(flags & (BOOT_F_NO_PVH | BOOT_F_FDT)));
			CHECK(k.entry == e.pvh_entry);
		} else {
			CHECK(k.kind == BOOT_KIND_ELF_64);
			/* e_entry, translated to physical through its segment */
			CHECK(k.entry == e.entry_paddr && k.entry < BOOT_IDENTITY_MAP_SIZE);
		}
		fz_check_elf_loaded(data, size);
	}
	fz_guest_wipe();
	return 0;
}
