/* e820 map construction. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/e820.h"
#include "boot/layout.h"

int boot_e820_add(struct boot_e820 *t, uint64_t addr, uint64_t size, uint32_t type)
{
	uint64_t end;
	if (size == 0 || __builtin_add_overflow(addr, size, &end))
		return -EINVAL;
	if (t->n) {
		struct boot_e820_entry *p = &t->e[t->n - 1];
		uint64_t pend = p->addr + p->size;
		if (addr < pend)
			return -EINVAL;
		if (addr == pend && p->type == type) {
			p->size += size;
			return 0;
		}
	}
	if (t->n == BOOT_E820_MAX)
		return -ENOSPC;
	t->e[t->n++] = (struct boot_e820_entry){ addr, size, type };
	return 0;
}

/* RAM windows of the layout; the gaps between them are reserved (the
 * legacy area) or the MMIO hole. */
static const struct {
	uint64_t start, end;
} ram_windows[] = {
	{ 0, BOOT_EBDA_START },
	{ BOOT_HIGH_MEM, BOOT_MMIO_HOLE_START },
	{ BOOT_MMIO_HOLE_END, UINT64_MAX },
};

static int add_reserved_before(struct boot_e820 *t, uint64_t addr, size_t *next_fixed)
{
	static const struct {
		uint64_t start, end;
	} fixed[] = {
		{ BOOT_EBDA_START, BOOT_HIGH_MEM },
		{ BOOT_MMIO_HOLE_START, BOOT_MMIO_HOLE_END },
	};
	while (*next_fixed < 2 && fixed[*next_fixed].start <= addr) {
		int r = boot_e820_add(t, fixed[*next_fixed].start,
				      fixed[*next_fixed].end - fixed[*next_fixed].start,
				      BOOT_E820_RESERVED);
		if (r)
			return r;
		(*next_fixed)++;
	}
	return 0;
}

int boot_e820_from_memory(const struct gm_memory *m, struct boot_e820 *out,
			  struct boot_err *err)
{
	memset(out, 0, sizeof(*out));
	size_t fixed = 0;
	size_t nr = gm_memory_num_regions(m);
	for (size_t w = 0; w < sizeof(ram_windows) / sizeof(ram_windows[0]); w++) {
		for (size_t i = 0; i < nr; i++) {
			const struct gm_region *r = gm_memory_region(m, i);
			uint64_t s = gm_region_start(r).raw;
			uint64_t len = gm_region_len(r);
			uint64_t e = s + len; /* mem/ guarantees no overflow */
			if (e < s)
				e = UINT64_MAX;
			if (s < ram_windows[w].start)
				s = ram_windows[w].start;
			if (e > ram_windows[w].end)
				e = ram_windows[w].end;
			if (s >= e)
				continue;
			int rc = add_reserved_before(out, s, &fixed);
			if (!rc)
				rc = boot_e820_add(out, s, e - s, BOOT_E820_RAM);
			if (rc)
				return boot_errf(err, rc == -ENOSPC ? -ENOSPC : -EINVAL,
						 "e820: cannot describe guest memory (%s)",
						 rc == -ENOSPC ? "more than 128 entries" : "overlapping regions");
		}
	}
	int rc = add_reserved_before(out, UINT64_MAX, &fixed);
	if (rc)
		return boot_errf(err, rc, "e820: table full");
	if (!boot_e820_is_ram(out, 0, BOOT_EBDA_START))
		return boot_errf(err, -EINVAL, "guest memory must cover [0, 0x9fc00) for the boot tables");
	if (!boot_e820_is_ram(out, BOOT_HIGH_MEM, 1))
		return boot_errf(err, -EINVAL, "guest memory must have RAM at 1 MiB for the kernel");
	return 0;
}

uint64_t boot_e820_ram_top_below(const struct boot_e820 *t, uint64_t limit, uint64_t *start)
{
	for (size_t i = t->n; i-- > 0;) {
		const struct boot_e820_entry *e = &t->e[i];
		if (e->type != BOOT_E820_RAM || e->addr >= limit)
			continue;
		uint64_t end = e->addr + e->size;
		if (start)
			*start = e->addr;
		return end < limit ? end : limit;
	}
	return 0;
}

int boot_e820_is_ram(const struct boot_e820 *t, uint64_t addr, uint64_t size)
{
	uint64_t end;
	if (__builtin_add_overflow(addr, size, &end))
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct boot_e820_entry *e = &t->e[i];
		if (e->type == BOOT_E820_RAM && addr >= e->addr && end <= e->addr + e->size)
			return 1;
	}
	return 0;
}
