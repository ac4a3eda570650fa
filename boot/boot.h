/* boot/: Linux x86_64 boot protocols and platform tables.
 *
 * One call sets a guest up for its first instruction:
 *
 *   struct boot_config cfg = { .kernel = buf, .kernel_size = n,
 *                              .cmdline = "console=ttyS0", .ncpus = 2 };
 *   struct boot_result res;
 *   int r = boot_setup(mem, &cfg, &res);
 *   if (r) fprintf(stderr, "vmm: %s\n", res.error);
 *   else   ... convert res.entry into kvm_regs / kvm_sregs for vCPU 0 ...
 *
 * What boot_setup does, in order: e820 map from the memory regions; kernel
 * detection and loading (bzImage: host decompression of its payload to an ELF
 * vmlinux unless BOOT_F_NO_HOST_DECOMPRESS or the format is unknown, then
 * PVH entry; classic bzImage: 64-bit entry at load + 0x200; ELF: PVH entry
 * from its note, else 64-bit entry at e_entry with a zero page); command line
 * at 0x20000 (length checked against what the kernel accepts); initrd at the
 * highest page-aligned RAM address below min(3 GiB, initrd_addr_max + 1)
 * that does not overlap the kernel (including its init_size); ACPI tables
 * at 0xe0000; MP table at 0x9fc00; FDT as setup_data (BOOT_F_FDT); zero page
 * at 0x7000 or hvm_start_info at 0x6000; GDT, IDT, page tables; the entry
 * register state.
 *
 * All inputs are untrusted; boot_setup never reads outside the buffers it
 * is given and writes guest memory only through mem/. */
#ifndef VMM_BOOT_BOOT_H
#define VMM_BOOT_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "boot/acpi.h"
#include "boot/cpu.h"
#include "boot/decompress.h"
#include "boot/e820.h"
#include "boot/err.h"
#include "boot/layout.h"
#include "boot/load.h"
#include "boot/vdev.h"

struct gm_memory;

struct boot_config {
	const uint8_t *kernel;   /* bzImage or ELF vmlinux file contents (required) */
	size_t kernel_size;
	const uint8_t *initrd;   /* optional; NULL or size 0 = none */
	size_t initrd_size;
	const char *cmdline;     /* NUL-terminated; NULL = empty */
	unsigned ncpus;          /* 1..BOOT_MAX_CPUS */
	unsigned flags;          /* BOOT_F_* (boot/load.h) */
	const struct boot_virtio_mmio *virtio; /* DSDT / FDT device nodes */
	size_t nvirtio;
	size_t max_decompressed; /* bound on host decompression, 0 = default */
};

struct boot_result {
	struct boot_entry entry;   /* vCPU 0 state at the first instruction */
	enum boot_kind kind;
	enum boot_compression compression; /* payload format when host-decompressed */
	uint16_t protocol;         /* bzImage boot protocol, 0 for ELF */
	uint64_t kernel_start, kernel_end; /* guest range used by the kernel */
	uint64_t initrd_addr, initrd_size;
	uint64_t cmdline_addr;
	size_t cmdline_len;        /* without the NUL */
	uint64_t boot_info_addr;   /* zero page (LONG64) or hvm_start_info (PVH32) */
	struct boot_acpi_layout acpi;
	uint64_t mptable_addr;
	uint64_t fdt_addr, fdt_size; /* 0 unless BOOT_F_FDT */
	struct boot_e820 e820;     /* the map given to the guest */
	int error_code;            /* 0 or the negative errno returned */
	char error[BOOT_ERR_MSG_MAX]; /* one line describing the failure */
};

/* Prepare guest memory m and describe the entry state in *out.
 * Returns 0 or a negative errno; on failure out->error holds the reason:
 * -ENOEXEC not a usable kernel, -EINVAL bad config or corrupt image,
 * -E2BIG command line too long, -ENOSPC kernel/initrd/tables do not fit,
 * -EFBIG decompressed kernel over the bound, -ENOMEM, -EFAULT. */
int boot_setup(const struct gm_memory *m, const struct boot_config *cfg, struct boot_result *out);

/* Check and write the command line at BOOT_CMDLINE_ADDR. max = longest
 * accepted length without the NUL. 0, -E2BIG, -EFAULT. */
int boot_cmdline_write(const struct gm_memory *m, const char *cmdline, size_t max,
		       struct boot_err *err);

/* Append " virtio_mmio.device=<size>@<addr>:<gsi>" for each device to the
 * NUL-terminated string in buf[0..cap). 0 or -E2BIG (buf unchanged). */
int boot_cmdline_append_virtio(char *buf, size_t cap, const struct boot_virtio_mmio *v, size_t n);

/* Highest page-aligned address for an initrd of size bytes: inside one RAM
 * entry, ending at or below min(limit, 3 GiB), not overlapping
 * [kstart, kend). 0 with *addr set, or -ENOSPC. */
int boot_initrd_place(const struct boot_e820 *t, uint64_t size, uint64_t limit, uint64_t kstart,
		      uint64_t kend, uint64_t *addr, struct boot_err *err);

#endif
