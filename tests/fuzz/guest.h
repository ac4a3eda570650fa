/* Shared by the boot/ fuzz targets: one small guest memory, created once per
 * process and wiped between inputs, and checks on what a loader wrote.
 *
 * Layout: RAM [0, 1 MiB), [1 MiB, 2 MiB + 512 KiB), a 4 KiB hole, then
 * [2 MiB + 516 KiB, 3 MiB): enough for small kernels, ACPI/MP tables and the
 * command line, with a region boundary and a hole inside the kernel area. */
#ifndef VMM_TESTS_FUZZ_GUEST_H
#define VMM_TESTS_FUZZ_GUEST_H

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <vmm-mem/mem.h>

#include "tests/fuzz/input.h"

#define FZ_NREG 3
static const struct gm_range fz_ranges[FZ_NREG] = {
	{{0}, 0x100000},
	{{0x100000}, 0x180000},
	{{0x281000}, 0x7f000},
};

static inline struct gm_memory *fz_guest(void)
{
	static struct gm_memory *m;
	if (!m)
		CHECK(gm_memory_new_anon(&m, fz_ranges, FZ_NREG) == 0);
	return m;
}

/* Zero all guest RAM again (drops the pages: cheap when few were touched). */
static inline void fz_guest_wipe(void)
{
	struct gm_memory *m = fz_guest();
	for (size_t i = 0; i < FZ_NREG; i++) {
		uint8_t *p = gm_memory_get_host_ptr(m, fz_ranges[i].start, fz_ranges[i].len);
		CHECK(p != NULL);
		CHECK(madvise(p, fz_ranges[i].len, MADV_DONTNEED) == 0);
	}
}

struct fz_span {
	uint64_t start, len;
};

/* Every non-zero guest byte lies in one of the spans (the loader wrote
 * nothing else). Aborts with the address otherwise. Pages that are not
 * resident (never touched since the last wipe) are zero and skipped without
 * faulting them in; resident ones are compared with a zero page first. */
static inline void fz_guest_only_in(const struct fz_span *s, size_t n)
{
	static const uint8_t zero[4096];
	static unsigned char vec[0x200000 / 4096];
	struct gm_memory *m = fz_guest();
	for (size_t i = 0; i < FZ_NREG; i++) {
		uint8_t *p = gm_memory_get_host_ptr(m, fz_ranges[i].start, fz_ranges[i].len);
		uint64_t base = gm_addr_raw(fz_ranges[i].start), len = fz_ranges[i].len;
		CHECK(len / 4096 <= sizeof(vec) && len % 4096 == 0);
		CHECK(mincore(p, len, vec) == 0);
		for (uint64_t pg = 0; pg < len / 4096; pg++) {
			if (!(vec[pg] & 1) || memcmp(p + pg * 4096, zero, 4096) == 0)
				continue;
			for (uint64_t b = pg * 4096; b < (pg + 1) * 4096; b++) {
				if (!p[b])
					continue;
				uint64_t a = base + b;
				int ok = 0;
				for (size_t k = 0; k < n && !ok; k++)
					ok = a >= s[k].start && a - s[k].start < s[k].len;
				if (!ok) {
					fprintf(stderr, "stray guest write at 0x%llx\n",
						(unsigned long long)a);
					CHECK(ok);
				}
			}
		}
	}
}

/* Guest bytes [a, a+n) equal src (n may be 0). */
static inline void fz_guest_equals(uint64_t a, const uint8_t *src, uint64_t n)
{
	const uint8_t *p = gm_memory_get_host_ptr(fz_guest(), gm_addr(a), n ? n : 1);
	if (p) {
		CHECK(memcmp(p, src, n) == 0);
		return;
	}
	static uint8_t tmp[4096];
	for (uint64_t done = 0; done < n;) {
		size_t k = n - done < sizeof(tmp) ? (size_t)(n - done) : sizeof(tmp);
		CHECK(gm_memory_read_slice(fz_guest(), tmp, k, gm_addr(a + done)) == 0);
		CHECK(memcmp(tmp, src + done, k) == 0);
		done += k;
	}
}

static inline uint64_t fz_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* After a successful ELF load of img: each PT_LOAD segment sits at its
 * physical address (file bytes, then zeros up to memsz), and nothing else
 * was written. The image was validated by the loader, so headers are in
 * bounds here. */
static inline void fz_check_elf_loaded(const uint8_t *img, size_t size)
{
	uint64_t phoff = fz_le(img + 32, 8);
	unsigned phnum = (unsigned)fz_le(img + 56, 2);
	static struct fz_span spans[1024];
	size_t ns = 0;
	CHECK(phnum <= 1024);
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (size_t)i * 56;
		CHECK(phoff + (uint64_t)i * 56 + 56 <= size);
		if (fz_le(ph, 4) != 1)
			continue;
		uint64_t off = fz_le(ph + 8, 8), paddr = fz_le(ph + 24, 8);
		uint64_t filesz = fz_le(ph + 32, 8), memsz = fz_le(ph + 40, 8);
		if (memsz == 0)
			continue;
		CHECK(filesz <= memsz && off <= size && filesz <= size - off);
		CHECK(gm_memory_check_range(fz_guest(), gm_addr(paddr), memsz));
		CHECK(paddr >= 0x100000);
		fz_guest_equals(paddr, img + off, filesz);
		spans[ns].start = paddr;
		spans[ns].len = filesz;
		ns++;
	}
	fz_guest_only_in(spans, ns);
}

#endif
