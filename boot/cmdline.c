/* Kernel command line: length check, write, virtio_mmio.device= helper. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/boot.h"

int boot_cmdline_write(const struct gm_memory *m, const char *cmdline, size_t max,
		       struct boot_err *err)
{
	if (!cmdline)
		cmdline = "";
	if (max > BOOT_CMDLINE_AREA - 1)
		max = BOOT_CMDLINE_AREA - 1;
	size_t len = strnlen(cmdline, max + 1);
	if (len > max)
		return boot_errf(err, -E2BIG,
				 "command line is %zu bytes, the kernel accepts at most %zu",
				 strlen(cmdline), max);
	if (gm_memory_write_slice(m, cmdline, len + 1, gm_addr(BOOT_CMDLINE_ADDR)))
		return boot_errf(err, -EFAULT, "cannot write the command line at 0x%llx",
				 (unsigned long long)BOOT_CMDLINE_ADDR);
	return 0;
}

int boot_cmdline_append_virtio(char *buf, size_t cap, const struct boot_virtio_mmio *v, size_t n)
{
	size_t len = strnlen(buf, cap);
	if (len == cap)
		return -E2BIG;
	size_t orig = len;
	for (size_t i = 0; i < n; i++) {
		int w;
		if (v[i].size % 1024 == 0)
			w = snprintf(buf + len, cap - len, "%svirtio_mmio.device=%" PRIu64 "K@0x%" PRIx64
				     ":%" PRIu32, len ? " " : "", v[i].size / 1024, v[i].addr, v[i].gsi);
		else
			w = snprintf(buf + len, cap - len, "%svirtio_mmio.device=%" PRIu64 "@0x%" PRIx64
				     ":%" PRIu32, len ? " " : "", v[i].size, v[i].addr, v[i].gsi);
		if (w < 0 || (size_t)w >= cap - len) {
			buf[orig] = '\0';
			return -E2BIG;
		}
		len += (size_t)w;
	}
	return 0;
}

int boot_initrd_place(const struct boot_e820 *t, uint64_t size, uint64_t limit, uint64_t kstart,
		      uint64_t kend, uint64_t *addr, struct boot_err *err)
{
	if (limit > BOOT_MMIO_HOLE_START)
		limit = BOOT_MMIO_HOLE_START;
	for (size_t i = t->n; size && i-- > 0;) {
		const struct boot_e820_entry *e = &t->e[i];
		if (e->type != BOOT_E820_RAM || e->addr >= limit)
			continue;
		uint64_t lo = e->addr < BOOT_HIGH_MEM ? BOOT_HIGH_MEM : e->addr;
		uint64_t hi = e->addr + e->size < limit ? e->addr + e->size : limit;
		for (int pass = 0; pass < 2; pass++) {
			if (hi < lo || hi - lo < size)
				break;
			uint64_t a = (hi - size) & ~0xfffULL;
			if (a < lo)
				break;
			if (a < kend && kstart < a + size) {
				hi = kstart; /* overlaps the kernel: try just below it */
				continue;
			}
			*addr = a;
			return 0;
		}
	}
	return boot_errf(err, -ENOSPC,
			 "initrd (%llu bytes) does not fit in guest RAM between 1 MiB and 0x%llx "
			 "outside the kernel [0x%llx, 0x%llx)",
			 (unsigned long long)size, (unsigned long long)limit,
			 (unsigned long long)kstart, (unsigned long long)kend);
}
