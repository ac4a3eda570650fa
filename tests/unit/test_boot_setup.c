/* boot/: everything that writes guest memory through mem/: e820 from the
 * regions (several sizes, > 3 GiB, sparse), command line, initrd placement,
 * kernel loading (classic bzImage, host-decompressed bzImage, ELF with and
 * without PVH note), boot_params / hvm_start_info, tables in guest memory,
 * entry register state, and the error messages of boot_setup. */
#include "config.h"

#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/boot.h"
#include "boot/bzimage.h"
#include "boot/elf.h"
#include "boot/pvh.h"
#include "boot/zeropage.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_boot_images.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* Guest RAM the way the program lays it out: [0, min(size, 3G)) and the
 * rest from 4 GiB. */
static struct gm_memory *mem_new(uint64_t size)
{
	struct gm_range r[2];
	size_t n = 1;
	r[0].start = gm_addr(0);
	r[0].len = size < 3 * GiB ? size : 3 * GiB;
	if (size > 3 * GiB) {
		r[1].start = gm_addr(4 * GiB);
		r[1].len = size - 3 * GiB;
		n = 2;
	}
	struct gm_memory *m = NULL;
	ck_assert_int_eq(gm_memory_new_anon(&m, r, n), 0);
	return m;
}

static void rd(struct gm_memory *m, uint64_t a, void *buf, size_t n)
{
	ck_assert_int_eq(gm_memory_read_slice(m, buf, n, gm_addr(a)), 0);
}

static uint32_t rd32(struct gm_memory *m, uint64_t a)
{
	uint8_t b[4];
	rd(m, a, b, 4);
	return ti_get32(b);
}

static uint64_t rd64(struct gm_memory *m, uint64_t a)
{
	uint8_t b[8];
	rd(m, a, b, 8);
	return ti_get64(b);
}

static void expect_entry(const struct boot_e820 *t, size_t i, uint64_t addr, uint64_t size,
			 uint32_t type)
{
	ck_assert_msg(i < t->n, "entry %zu missing (n = %zu)", i, t->n);
	ck_assert_msg(t->e[i].addr == addr && t->e[i].size == size && t->e[i].type == type,
		      "entry %zu: [0x%llx +0x%llx type %u], expected [0x%llx +0x%llx type %u]", i,
		      (unsigned long long)t->e[i].addr, (unsigned long long)t->e[i].size,
		      t->e[i].type, (unsigned long long)addr, (unsigned long long)size, type);
}

START_TEST(e820_sizes)
{
	static const uint64_t sizes[] = { 2 * MiB, 512 * MiB, 3 * GiB, 3 * GiB + 512 * MiB, 8 * GiB };
	uint64_t size = sizes[_i];
	struct gm_memory *m = mem_new(size);
	struct boot_e820 t;
	struct boot_err err = { 0 };
	ck_assert_msg(boot_e820_from_memory(m, &t, &err) == 0, "%s", err.msg);
	expect_entry(&t, 0, 0, 0x9fc00, BOOT_E820_RAM);
	expect_entry(&t, 1, 0x9fc00, 0x100000 - 0x9fc00, BOOT_E820_RESERVED);
	uint64_t low = size < 3 * GiB ? size : 3 * GiB;
	expect_entry(&t, 2, 0x100000, low - 0x100000, BOOT_E820_RAM);
	expect_entry(&t, 3, 3 * GiB, GiB, BOOT_E820_RESERVED);
	if (size > 3 * GiB) {
		expect_entry(&t, 4, 4 * GiB, size - 3 * GiB, BOOT_E820_RAM);
		ck_assert_uint_eq(t.n, 5);
	} else {
		ck_assert_uint_eq(t.n, 4);
	}
	/* RAM total equals guest memory minus the legacy hole */
	uint64_t ram = 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.e[i].type == BOOT_E820_RAM)
			ram += t.e[i].size;
	ck_assert_uint_eq(ram, size - (0x100000 - 0x9fc00));
	ck_assert_uint_eq(boot_e820_ram_top_below(&t, 3 * GiB, NULL), low);
	gm_memory_put(m);
}
END_TEST

START_TEST(e820_sparse_and_invalid)
{
	struct gm_range r[3] = {
		{ gm_addr(0), 256 * MiB },
		{ gm_addr(512 * MiB), 256 * MiB },
		{ gm_addr(5 * GiB), 64 * MiB },
	};
	struct gm_memory *m = NULL;
	ck_assert_int_eq(gm_memory_new_anon(&m, r, 3), 0);
	struct boot_e820 t;
	struct boot_err err = { 0 };
	ck_assert_int_eq(boot_e820_from_memory(m, &t, &err), 0);
	expect_entry(&t, 0, 0, 0x9fc00, BOOT_E820_RAM);
	expect_entry(&t, 1, 0x9fc00, 0x60400, BOOT_E820_RESERVED);
	expect_entry(&t, 2, 0x100000, 255 * MiB, BOOT_E820_RAM);
	expect_entry(&t, 3, 512 * MiB, 256 * MiB, BOOT_E820_RAM);
	expect_entry(&t, 4, 3 * GiB, GiB, BOOT_E820_RESERVED);
	expect_entry(&t, 5, 5 * GiB, 64 * MiB, BOOT_E820_RAM);
	ck_assert_uint_eq(t.n, 6);
	ck_assert_uint_eq(boot_e820_ram_top_below(&t, 3 * GiB, NULL), 768 * MiB);
	gm_memory_put(m);

	/* no RAM at 0: rejected with a message */
	struct gm_range hi = { gm_addr(1 * MiB), 64 * MiB };
	ck_assert_int_eq(gm_memory_new_anon(&m, &hi, 1), 0);
	ck_assert_int_eq(boot_e820_from_memory(m, &t, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "0x9fc00"));
	gm_memory_put(m);
}
END_TEST

START_TEST(cmdline_limits)
{
	struct gm_memory *m = mem_new(64 * MiB);
	char line[300];
	memset(line, 'a', sizeof(line));
	line[100] = 0;
	struct boot_err err = { 0 };
	ck_assert_int_eq(boot_cmdline_write(m, line, 100, &err), 0);
	char back[102];
	rd(m, BOOT_CMDLINE_ADDR, back, 101);
	ck_assert_uint_eq(back[100], 0);
	ck_assert(memcmp(back, line, 100) == 0);
	ck_assert_int_eq(boot_cmdline_write(m, line, 99, &err), -E2BIG);
	ck_assert_str_eq(err.msg, "command line is 100 bytes, the kernel accepts at most 99");
	ck_assert_int_eq(boot_cmdline_write(m, NULL, 10, &err), 0);
	ck_assert_uint_eq(rd32(m, BOOT_CMDLINE_ADDR) & 0xff, 0);
	gm_memory_put(m);
}
END_TEST

static struct ti_elf_opts elf_opts(int pvh)
{
	struct ti_elf_opts o = { .paddr = 0x1000000, .entry = 0x1000010, .filesz = 0x2345,
				 .memsz = 0x8000, .pvh = pvh, .pvh_entry = 0x1000040,
				 .pvh_descsz = 8 };
	return o;
}

static void check_segment(struct gm_memory *m, const struct ti_elf_opts *o)
{
	uint8_t *g = malloc(o->memsz);
	rd(m, o->paddr, g, o->memsz);
	for (size_t i = 0; i < o->filesz; i++)
		ck_assert_uint_eq(g[i], (uint8_t)(i * 7 + 1));
	for (size_t i = o->filesz; i < o->memsz; i++)
		ck_assert_msg(g[i] == 0, "bss byte %zu not zeroed", i);
	free(g);
}

static void dirty(struct gm_memory *m, uint64_t a, size_t n)
{
	uint8_t *junk = malloc(n);
	memset(junk, 0xcc, n);
	ck_assert_int_eq(gm_memory_write_slice(m, junk, n, gm_addr(a)), 0);
	free(junk);
}

static void check_tables_in_guest(struct gm_memory *m, const struct boot_result *r, unsigned ncpus)
{
	char sig[8];
	rd(m, BOOT_ACPI_ADDR, sig, 8);
	ck_assert(memcmp(sig, "RSD PTR ", 8) == 0);
	ck_assert_uint_eq(r->acpi.rsdp, BOOT_ACPI_ADDR);
	uint64_t xsdt = rd64(m, BOOT_ACPI_ADDR + 24);
	ck_assert_uint_eq(xsdt, r->acpi.xsdt);
	uint64_t madt = rd64(m, xsdt + 44);
	uint32_t mlen = rd32(m, madt + 4);
	uint8_t t[512];
	rd(m, madt, t, mlen);
	unsigned lapics = 0;
	uint8_t s = 0;
	for (uint32_t i = 0; i < mlen; i++)
		s = (uint8_t)(s + t[i]);
	ck_assert_uint_eq(s, 0);
	for (uint32_t off = 44; off < mlen; off += t[off + 1])
		lapics += t[off] == 0;
	ck_assert_uint_eq(lapics, ncpus);
	rd(m, BOOT_MPTABLE_ADDR, sig, 4);
	ck_assert(memcmp(sig, "_MP_", 4) == 0);
	uint8_t cfg[1024];
	uint32_t ca = rd32(m, BOOT_MPTABLE_ADDR + 4);
	rd(m, ca, cfg, 44);
	ck_assert(memcmp(cfg, "PCMP", 4) == 0);
}

static void check_cmdline(struct gm_memory *m, const char *want)
{
	char buf[256];
	rd(m, BOOT_CMDLINE_ADDR, buf, strlen(want) + 1);
	ck_assert_str_eq(buf, want);
}

START_TEST(setup_elf_pvh)
{
	struct gm_memory *m = mem_new(256 * MiB);
	struct ti_elf_opts o = elf_opts(1);
	size_t klen;
	uint8_t *k = ti_make_elf(&o, &klen);
	dirty(m, o.paddr, o.memsz);
	uint8_t initrd[5000];
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a);
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .initrd = initrd,
				   .initrd_size = sizeof(initrd), .cmdline = "console=ttyS0 panic=1",
				   .ncpus = 2 };
	struct boot_result r;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	ck_assert_int_eq(r.kind, BOOT_KIND_ELF_PVH);
	ck_assert_int_eq(r.compression, BOOT_COMP_NONE);
	ck_assert_uint_eq(r.kernel_start, 0x1000000);
	ck_assert_uint_eq(r.kernel_end, 0x1008000);
	check_segment(m, &o);

	/* entry state: 32-bit protected mode, paging off, rbx = start_info */
	const struct boot_entry *e = &r.entry;
	ck_assert_int_eq(e->mode, BOOT_ENTRY_PVH32);
	ck_assert_uint_eq(e->rip, 0x1000040);
	ck_assert_uint_eq(e->rbx, BOOT_PVH_INFO_ADDR);
	ck_assert_uint_eq(e->cr0 & (BOOT_CR0_PE | BOOT_CR0_PG), BOOT_CR0_PE);
	ck_assert_uint_eq(e->efer, 0);
	ck_assert_uint_eq(e->cs.selector, 0x10);
	ck_assert_uint_eq(e->cs.db, 1);
	ck_assert_uint_eq(e->cs.l, 0);
	ck_assert_uint_eq(e->cs.limit, 0xffffffff);
	ck_assert_uint_eq(e->cs.type, 0xb);
	ck_assert_uint_eq(e->ds.selector, 0x18);
	ck_assert_uint_eq(e->ds.type, 0x3);
	ck_assert_uint_eq(e->tr.type, 0xb);
	ck_assert_uint_eq(e->gdt.base, BOOT_GDT_ADDR);
	ck_assert_uint_eq(e->gdt.limit, 31);
	ck_assert_uint_eq(rd64(m, BOOT_GDT_ADDR + 16), 0x00cf9b000000ffffULL);

	/* hvm_start_info */
	ck_assert_uint_eq(rd32(m, BOOT_PVH_INFO_ADDR), BOOT_PVH_MAGIC);
	ck_assert_uint_eq(rd32(m, BOOT_PVH_INFO_ADDR + 4), 1);
	ck_assert_uint_eq(rd32(m, BOOT_PVH_INFO_ADDR + 12), 1);
	ck_assert_uint_eq(rd64(m, BOOT_PVH_INFO_ADDR + 16), BOOT_PVH_MODLIST_ADDR);
	ck_assert_uint_eq(rd64(m, BOOT_PVH_INFO_ADDR + 24), BOOT_CMDLINE_ADDR);
	ck_assert_uint_eq(rd64(m, BOOT_PVH_INFO_ADDR + 32), BOOT_ACPI_ADDR);
	ck_assert_uint_eq(rd64(m, BOOT_PVH_INFO_ADDR + 40), BOOT_PVH_MEMMAP_ADDR);
	ck_assert_uint_eq(rd32(m, BOOT_PVH_INFO_ADDR + 48), r.e820.n);
	ck_assert_uint_eq(rd64(m, BOOT_PVH_MODLIST_ADDR), r.initrd_addr);
	ck_assert_uint_eq(rd64(m, BOOT_PVH_MODLIST_ADDR + 8), sizeof(initrd));
	for (size_t i = 0; i < r.e820.n; i++) {
		uint64_t a = BOOT_PVH_MEMMAP_ADDR + 24 * i;
		ck_assert_uint_eq(rd64(m, a), r.e820.e[i].addr);
		ck_assert_uint_eq(rd64(m, a + 8), r.e820.e[i].size);
		ck_assert_uint_eq(rd32(m, a + 16), r.e820.e[i].type);
	}
	/* initrd at the top of RAM, page aligned, content intact */
	ck_assert_uint_eq(r.initrd_addr, (256 * MiB - sizeof(initrd)) & ~0xfffULL);
	uint8_t back[sizeof(initrd)];
	rd(m, r.initrd_addr, back, sizeof(back));
	ck_assert(memcmp(back, initrd, sizeof(initrd)) == 0);
	check_cmdline(m, "console=ttyS0 panic=1");
	ck_assert_uint_eq(r.cmdline_len, strlen("console=ttyS0 panic=1"));
	check_tables_in_guest(m, &r, 2);
	free(k);
	gm_memory_put(m);
}
END_TEST

static void check_zeropage_common(struct gm_memory *m, const struct boot_result *r)
{
	uint8_t zp[4096];
	rd(m, BOOT_ZEROPAGE_ADDR, zp, sizeof(zp));
	ck_assert_uint_eq(ti_get16(zp + 0x1fe), 0xaa55);
	ck_assert(memcmp(zp + 0x202, "HdrS", 4) == 0);
	ck_assert_uint_eq(zp[0x210], 0xff);
	ck_assert_uint_eq(ti_get32(zp + 0x228), BOOT_CMDLINE_ADDR);
	ck_assert_uint_eq(ti_get32(zp + 0x218), r->initrd_addr);
	ck_assert_uint_eq(ti_get32(zp + 0x21c), r->initrd_size);
	ck_assert_uint_eq(ti_get64(zp + 0x70), BOOT_ACPI_ADDR);
	ck_assert_uint_eq(zp[0x1e8], r->e820.n);
	ck_assert_uint_eq(zp[0x1ef], 0); /* sentinel */
	for (size_t i = 0; i < r->e820.n; i++) {
		const uint8_t *p = zp + 0x2d0 + 20 * i;
		ck_assert_uint_eq(ti_get64(p), r->e820.e[i].addr);
		ck_assert_uint_eq(ti_get64(p + 8), r->e820.e[i].size);
		ck_assert_uint_eq(ti_get32(p + 16), r->e820.e[i].type);
	}
	const struct boot_entry *e = &r->entry;
	ck_assert_int_eq(e->mode, BOOT_ENTRY_LONG64);
	ck_assert_uint_eq(e->rsi, BOOT_ZEROPAGE_ADDR);
	ck_assert_uint_eq(e->rsp, BOOT_STACK_ADDR);
	ck_assert_uint_eq(e->cr3, BOOT_PML4_ADDR);
	ck_assert(e->cr0 & BOOT_CR0_PG);
	ck_assert(e->cr4 & BOOT_CR4_PAE);
	ck_assert_uint_eq(e->efer & (BOOT_EFER_LME | BOOT_EFER_LMA), BOOT_EFER_LME | BOOT_EFER_LMA);
	ck_assert_uint_eq(e->cs.selector, 0x10);
	ck_assert_uint_eq(e->cs.l, 1);
	ck_assert_uint_eq(e->cs.db, 0);
	ck_assert_uint_eq(e->ss.selector, 0x18);
	/* page tables: identity map of the first GiB with 2 MiB pages */
	ck_assert_uint_eq(rd64(m, BOOT_PML4_ADDR), BOOT_PDPT_ADDR | 3);
	ck_assert_uint_eq(rd64(m, BOOT_PDPT_ADDR), BOOT_PD_ADDR | 3);
	ck_assert_uint_eq(rd64(m, BOOT_PD_ADDR + 8), 0x200000 | 0x83);
	ck_assert_uint_eq(rd64(m, BOOT_PD_ADDR + 511 * 8), (511ULL << 21) | 0x83);
	ck_assert_uint_eq(rd64(m, BOOT_GDT_ADDR + 16), 0x00af9b000000ffffULL);
}

START_TEST(setup_elf_without_pvh_note)
{
	struct gm_memory *m = mem_new(64 * MiB);
	struct ti_elf_opts o = elf_opts(0);
	size_t klen;
	uint8_t *k = ti_make_elf(&o, &klen);
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .cmdline = "x", .ncpus = 1 };
	struct boot_result r;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	ck_assert_int_eq(r.kind, BOOT_KIND_ELF_64);
	ck_assert_uint_eq(r.entry.rip, 0x1000010);
	check_zeropage_common(m, &r);
	ck_assert_uint_eq(r.initrd_size, 0);
	check_segment(m, &o);
	/* an entry given as a virtual address is translated through p_vaddr */
	free(k);
	o.entry = 0xffffffff80000000ULL + 0x1000020;
	k = ti_make_elf(&o, &klen);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	ck_assert_uint_eq(r.entry.rip, 0x1000020);
	/* an entry in no segment is refused */
	free(k);
	o.entry = 0x5000000;
	k = ti_make_elf(&o, &klen);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(r.error, "has no PVH note"));
	/* a minimal 2.15 header stands in for the missing bzImage one */
	uint8_t zp[0x300];
	rd(m, BOOT_ZEROPAGE_ADDR, zp, sizeof(zp));
	ck_assert_uint_eq(ti_get16(zp + 0x206), 0x020f);
	free(k);
	gm_memory_put(m);
}
END_TEST

static uint8_t *classic_bz(size_t *len, struct ti_bz_opts *o)
{
	/* a payload of unknown format: boots the classic way even without the flag */
	uint8_t payload[3000];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	payload[0] = 0x42;
	return ti_make_bzimage(o, payload, sizeof(payload), len);
}

START_TEST(setup_bzimage_classic)
{
	struct gm_memory *m = mem_new(512 * MiB);
	struct ti_bz_opts o = ti_bz_defaults();
	size_t klen;
	uint8_t *k = classic_bz(&klen, &o);
	uint8_t initrd[10000];
	memset(initrd, 0x77, sizeof(initrd));
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .initrd = initrd,
				   .initrd_size = sizeof(initrd), .cmdline = "console=ttyS0",
				   .ncpus = 4, .flags = BOOT_F_NO_HOST_DECOMPRESS };
	struct boot_result r;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	ck_assert_int_eq(r.kind, BOOT_KIND_BZIMAGE);
	ck_assert_uint_eq(r.protocol, 0x020f);
	ck_assert_uint_eq(r.entry.rip, 0x100200);
	check_zeropage_common(m, &r);
	/* protected-mode part at 1 MiB */
	size_t pm = klen - 5 * 512;
	uint8_t *g = malloc(pm);
	rd(m, 0x100000, g, pm);
	ck_assert(memcmp(g, k + 5 * 512, pm) == 0);
	free(g);
	/* kernel range covers the decompression target [16 MiB, +init_size) */
	ck_assert_uint_eq(r.kernel_start, 0x100000);
	ck_assert_uint_eq(r.kernel_end, 0x1000000 + o.init_size);
	/* header copied from the image, then our fields */
	uint8_t zp[0x300];
	rd(m, BOOT_ZEROPAGE_ADDR, zp, sizeof(zp));
	ck_assert_uint_eq(ti_get32(zp + 0x260), o.init_size);
	ck_assert_uint_eq(ti_get32(zp + 0x230), o.kernel_alignment);
	ck_assert_uint_eq(ti_get32(zp + 0x214), 0x100000); /* code32_start */
	ck_assert_uint_eq(ti_get64(zp + 0x250), 0);        /* no setup_data */
	ck_assert_uint_eq(r.initrd_addr, (512 * MiB - sizeof(initrd)) & ~0xfffULL);
	check_tables_in_guest(m, &r, 4);
	check_cmdline(m, "console=ttyS0");
	free(k);
	gm_memory_put(m);
}
END_TEST

START_TEST(setup_bzimage_pref_address_and_limits)
{
	struct gm_memory *m = mem_new(512 * MiB);
	struct ti_bz_opts o = ti_bz_defaults();
	o.initrd_addr_max = 0x0fffffff;
	o.cmdline_size = 20;
	size_t klen;
	uint8_t *k = classic_bz(&klen, &o);
	uint8_t initrd[4096];
	memset(initrd, 1, sizeof(initrd));
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .initrd = initrd,
				   .initrd_size = sizeof(initrd), .cmdline = "0123456789012345678",
				   .ncpus = 1, .flags = BOOT_F_PREF_ADDRESS };
	struct boot_result r;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	ck_assert_uint_eq(r.entry.rip, 0x1000200);
	ck_assert_uint_eq(r.initrd_addr, 0x10000000 - 4096); /* below initrd_addr_max */
	/* 21 bytes > cmdline_size 20 */
	cfg.cmdline = "012345678901234567890";
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -E2BIG);
	ck_assert_int_eq(r.error_code, -E2BIG);
	ck_assert_str_eq(r.error, "command line is 21 bytes, the kernel accepts at most 20");
	free(k);
	gm_memory_put(m);
}
END_TEST

static const enum boot_compression formats[] = {
	BOOT_COMP_GZIP, BOOT_COMP_BZIP2, BOOT_COMP_LZMA, BOOT_COMP_XZ, BOOT_COMP_LZ4, BOOT_COMP_ZSTD,
};

/* An ELF vmlinux wrapped, compressed, in a fake bzImage: booted via its PVH
 * entry after host decompression. */
START_TEST(setup_bzimage_host_decompress)
{
	enum boot_compression c = formats[_i];
	if (!boot_compression_supported(c)) {
		harness_skip("%s: not built in", boot_compression_name(c));
	}
	struct gm_memory *m = mem_new(128 * MiB);
	struct ti_elf_opts eo = elf_opts(1);
	size_t elen = 0, clen = 0, klen = 0;
	uint8_t *elf = ti_make_elf(&eo, &elen);
	uint8_t *comp = ti_compress(c, elf, elen, &clen);
	struct ti_bz_opts o = ti_bz_defaults();
	uint8_t *k = ti_make_bzimage(&o, comp, clen, &klen);
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .cmdline = "quiet",
				   .ncpus = 1 };
	struct boot_result r;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s: %s", boot_compression_name(c), r.error);
	ck_assert_int_eq(r.kind, BOOT_KIND_ELF_PVH);
	ck_assert_int_eq(r.compression, c);
	ck_assert_uint_eq(r.entry.rip, eo.pvh_entry);
	check_segment(m, &eo);

	/* the same image, classic */
	cfg.flags = BOOT_F_NO_HOST_DECOMPRESS;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	ck_assert_int_eq(r.kind, BOOT_KIND_BZIMAGE);
	ck_assert_int_eq(r.compression, BOOT_COMP_NONE);

	/* too small a bound */
	cfg.flags = 0;
	cfg.max_decompressed = elen - 1;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -EFBIG);
	ck_assert_ptr_nonnull(strstr(r.error, boot_compression_name(c)));

	/* corrupt payload: a clear error, not a classic fallback */
	cfg.max_decompressed = 0;
	uint8_t *pl = k + 5 * 512 + o.stub;
	for (size_t i = clen / 2; i < clen / 2 + 32 && i + 4 < clen; i++)
		pl[i] ^= 0x3c;
	int rc = boot_setup(m, &cfg, &r);
	/* gzip, bzip2 and xz streams carry a CRC and lzma's range decoder
	 * fails on these 32 bytes (the input is fixed, so this is
	 * deterministic): a clear error that names the format. The
	 * kernel's lz4 (legacy frame) and zstd streams carry no checksum: a
	 * flipped literal can decode to garbage of the right size, and then
	 * only the size and the ELF checks stand; if they refuse, the error
	 * must still name the format. */
	bool checked = c != BOOT_COMP_LZ4 && c != BOOT_COMP_ZSTD;
	if (checked)
		ck_assert_msg(rc < 0, "%s: a corrupt payload booted (rc %d)",
			      boot_compression_name(c), rc);
	if (rc < 0) {
		ck_assert_int_eq(r.error_code, rc);
		ck_assert_ptr_nonnull(strstr(r.error, boot_compression_name(c)));
	}
	free(k);
	free(comp);
	free(elf);
	gm_memory_put(m);
}
END_TEST

START_TEST(setup_decompressed_not_elf)
{
	if (!boot_compression_supported(BOOT_COMP_GZIP))
		return;
	struct gm_memory *m = mem_new(64 * MiB);
	uint8_t junk[4096];
	memset(junk, 0x90, sizeof(junk));
	size_t clen = 0, klen = 0;
	uint8_t *comp = ti_compress(BOOT_COMP_GZIP, junk, sizeof(junk), &clen);
	struct ti_bz_opts o = ti_bz_defaults();
	uint8_t *k = ti_make_bzimage(&o, comp, clen, &klen);
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .ncpus = 1 };
	struct boot_result r;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOEXEC);
	ck_assert_str_eq(r.error, "the decompressed gzip payload is not an x86_64 ELF vmlinux");
	free(k);
	free(comp);
	gm_memory_put(m);
}
END_TEST

START_TEST(setup_fdt_setup_data)
{
	if (!boot_compression_supported(BOOT_COMP_GZIP))
		return;
	struct gm_memory *m = mem_new(128 * MiB);
	struct ti_elf_opts eo = elf_opts(1);
	size_t elen = 0, clen = 0, klen = 0;
	uint8_t *elf = ti_make_elf(&eo, &elen);
	uint8_t *comp = ti_compress(BOOT_COMP_GZIP, elf, elen, &clen);
	struct ti_bz_opts o = ti_bz_defaults();
	uint8_t *k = ti_make_bzimage(&o, comp, clen, &klen);
	struct boot_virtio_mmio v = { 0xd0000000, 0x1000, 5 };
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .cmdline = "root=/dev/vda",
				   .ncpus = 2, .flags = BOOT_F_FDT, .virtio = &v, .nvirtio = 1 };
	struct boot_result r;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	/* --fdt needs boot_params: the vmlinux is entered at e_entry */
	ck_assert_int_eq(r.kind, BOOT_KIND_ELF_64);
	ck_assert_uint_eq(r.entry.rip, eo.entry);
	check_zeropage_common(m, &r);
	uint8_t zp[0x300];
	rd(m, BOOT_ZEROPAGE_ADDR, zp, sizeof(zp));
	ck_assert_uint_eq(ti_get64(zp + 0x250), BOOT_SETUP_DATA_ADDR);
	ck_assert_uint_eq(ti_get32(zp + 0x260), o.init_size); /* bzImage header */
	ck_assert_uint_eq(rd64(m, BOOT_SETUP_DATA_ADDR), 0);
	ck_assert_uint_eq(rd32(m, BOOT_SETUP_DATA_ADDR + 8), 2); /* SETUP_DTB */
	uint32_t len = rd32(m, BOOT_SETUP_DATA_ADDR + 12);
	ck_assert_uint_eq(len, r.fdt_size);
	uint8_t *fdt = malloc(len);
	rd(m, BOOT_SETUP_DATA_ADDR + 16, fdt, len);
	ck_assert_int_eq(fdt_check_header(fdt), 0);
	ck_assert_uint_eq(fdt_totalsize(fdt), len);
	int chosen = fdt_path_offset(fdt, "/chosen");
	ck_assert_str_eq(fdt_getprop(fdt, chosen, "bootargs", NULL), "root=/dev/vda");
	ck_assert_int_ge(fdt_path_offset(fdt, "/virtio_mmio@d0000000"), 0);
	ck_assert_int_ge(fdt_path_offset(fdt, "/cpus/cpu@1"), 0);
	free(fdt);
	free(k);
	free(comp);
	free(elf);
	gm_memory_put(m);
}
END_TEST

START_TEST(setup_large_memory)
{
	struct gm_memory *m = mem_new(5 * GiB);
	struct ti_elf_opts o = elf_opts(1);
	size_t klen;
	uint8_t *k = ti_make_elf(&o, &klen);
	uint8_t initrd[8192];
	memset(initrd, 3, sizeof(initrd));
	struct boot_config cfg = { .kernel = k, .kernel_size = klen, .initrd = initrd,
				   .initrd_size = sizeof(initrd), .ncpus = 32 };
	struct boot_result r;
	ck_assert_msg(boot_setup(m, &cfg, &r) == 0, "%s", r.error);
	ck_assert_uint_eq(r.e820.n, 5);
	ck_assert_uint_eq(r.initrd_addr, 3 * GiB - sizeof(initrd));
	ck_assert_uint_eq(rd32(m, BOOT_PVH_INFO_ADDR + 48), 5);
	check_tables_in_guest(m, &r, 32);
	free(k);
	gm_memory_put(m);
}
END_TEST

START_TEST(setup_errors)
{
	struct gm_memory *m = mem_new(64 * MiB);
	struct boot_result r;
	uint8_t junk[1024] = "not a kernel";
	struct boot_config cfg = { .kernel = junk, .kernel_size = sizeof(junk), .ncpus = 1 };
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOEXEC);
	ck_assert_str_eq(r.error, "kernel is neither a bzImage nor an x86_64 ELF");
	cfg.kernel_size = 0;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOEXEC);

	struct ti_elf_opts o = elf_opts(1);
	size_t klen;
	uint8_t *k = ti_make_elf(&o, &klen);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	cfg.ncpus = 0;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -EINVAL);
	ck_assert_ptr_nonnull(strstr(r.error, "vCPUs"));
	cfg.ncpus = 33;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -EINVAL);
	cfg.ncpus = 1;
	/* initrd larger than the RAM above the kernel */
	static uint8_t big_dummy[1];
	cfg.initrd = big_dummy;
	cfg.initrd_size = 60 * MiB;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(r.error, "initrd"));
	cfg.initrd = NULL;
	cfg.initrd_size = 0;
	free(k);

	/* ELF segment beyond guest RAM */
	o.paddr = 0x3f00000;
	o.entry = o.pvh_entry = 0x3f00000;
	k = ti_make_elf(&o, &klen);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), 0);
	free(k);
	o.paddr = 0x3ffc000;
	o.entry = o.pvh_entry = 0x3ffc000;
	k = ti_make_elf(&o, &klen);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(r.error, "does not fit in guest memory"));
	free(k);
	/* ELF segment over the boot tables below 1 MiB */
	o.paddr = 0x8000;
	o.entry = o.pvh_entry = 0x8000;
	k = ti_make_elf(&o, &klen);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(r.error, "below 1 MiB"));
	free(k);
	/* PVH entry outside the segments */
	o = elf_opts(1);
	o.pvh_entry = 0x2000000;
	k = ti_make_elf(&o, &klen);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -EINVAL);
	ck_assert_ptr_nonnull(strstr(r.error, "PVH entry"));
	free(k);

	/* bzImage whose init_size does not fit in 64 MiB */
	struct ti_bz_opts bo = ti_bz_defaults();
	bo.init_size = 60 * MiB;
	k = classic_bz(&klen, &bo);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(r.error, "init_size"));
	free(k);
	/* too old a protocol */
	bo = ti_bz_defaults();
	bo.version = 0x0206;
	k = classic_bz(&klen, &bo);
	cfg.kernel = k;
	cfg.kernel_size = klen;
	ck_assert_int_eq(boot_setup(m, &cfg, &r), -ENOEXEC);
	ck_assert_str_eq(r.error, "bzImage boot protocol 2.06 is too old (need 2.12 or later)");
	free(k);
	gm_memory_put(m);
}
END_TEST

/* A segment (and its bss) spanning two adjacent regions loads correctly. */
START_TEST(setup_elf_across_regions)
{
	struct gm_range rr[2] = { { gm_addr(0), 0x1004000 }, { gm_addr(0x1004000), 60 * MiB } };
	struct gm_memory *m = NULL;
	ck_assert_int_eq(gm_memory_new_anon(&m, rr, 2), 0);
	struct ti_elf_opts o = elf_opts(1);
	o.filesz = 0x6000;  /* file part crosses 0x1004000 */
	o.memsz = 0x20000;
	size_t klen;
	uint8_t *k = ti_make_elf(&o, &klen);
	dirty(m, o.paddr, 0x4000);
	dirty(m, 0x1004000, o.memsz - 0x4000);
	struct boot_elf e;
	struct boot_err err = { 0 };
	ck_assert_msg(boot_elf_load(m, k, klen, &e, &err) == 0, "%s", err.msg);
	ck_assert(e.has_pvh);
	check_segment(m, &o);
	o.filesz = 0x1000; /* bss crosses the boundary */
	free(k);
	k = ti_make_elf(&o, &klen);
	dirty(m, o.paddr, 0x4000);
	ck_assert_int_eq(boot_elf_load(m, k, klen, NULL, &err), 0);
	check_segment(m, &o);
	/* a corrupt image is rejected before anything is written */
	ti_put64(k + 64 + 40, 0x10); /* memsz < filesz */
	ck_assert_int_eq(boot_elf_load(m, k, klen, NULL, &err), -EINVAL);
	free(k);
	gm_memory_put(m);
}
END_TEST

/* Random corruption of headers (bzImage setup header, compressed payload
 * head, ELF header / program headers / notes): boot_setup either succeeds
 * or fails with a message; ASan/UBSan builds catch any out-of-bounds access. */
START_TEST(setup_random_mutations)
{
	struct gm_memory *m = mem_new(64 * MiB);
	struct ti_elf_opts eo = elf_opts(1);
	size_t elen = 0, clen = 0, blen = 0;
	uint8_t *elf = ti_make_elf(&eo, &elen);
	uint8_t *comp = ti_compress(BOOT_COMP_GZIP, elf, elen, &clen);
	struct ti_bz_opts bo = ti_bz_defaults();
	uint8_t *bz = comp ? ti_make_bzimage(&bo, comp, clen, &blen) : NULL;
	uint32_t x = 0x12345678u + (uint32_t)_i;
	struct boot_result *r = malloc(sizeof(*r));
	unsigned ok = 0, failed = 0;
	for (int iter = 0; iter < 300; iter++) {
		int use_bz = bz && (iter & 1);
		size_t len = use_bz ? blen : elen;
		uint8_t *img = malloc(len);
		memcpy(img, use_bz ? bz : elf, len);
		/* mutate 1-4 bytes in the interesting head of the file */
		size_t span = use_bz ? 5 * 512 + bo.stub + 64 : 0x240;
		x = x * 1664525u + 1013904223u;
		int nmut = 1 + (int)(x >> 30);
		for (int k = 0; k < nmut; k++) {
			x = x * 1664525u + 1013904223u;
			size_t off = use_bz && (x & 1) ? 0x1f0 + (x >> 8) % 0x80 : (x >> 8) % span;
			x = x * 1664525u + 1013904223u;
			img[off] = (x & 3) == 0 ? 0xff : (x & 3) == 1 ? 0 : (uint8_t)(x >> 16);
		}
		/* sometimes truncate as well */
		x = x * 1664525u + 1013904223u;
		if ((x & 7) == 0)
			len = (x >> 8) % len;
		struct boot_config cfg = { .kernel = img, .kernel_size = len, .ncpus = 1,
					   .cmdline = "console=ttyS0" };
		int rc = boot_setup(m, &cfg, r);
		if (rc == 0) {
			ok++;
		} else {
			ck_assert_msg(rc < 0 && r->error[0] && r->error_code == rc, "rc %d '%s'", rc, r->error);
			failed++;
		}
		free(img);
	}
	ck_assert_uint_gt(failed, 0);
	ck_assert_uint_gt(ok, 0);
	free(r);
	free(bz);
	free(comp);
	free(elf);
	gm_memory_put(m);
}
END_TEST

static Suite *boot_setup_suite(void)
{
	Suite *s = suite_create("boot_setup");
	TCase *tc = tcase_create("layout");
	tcase_add_loop_test(tc, e820_sizes, 0, 5);
	tcase_add_test(tc, e820_sparse_and_invalid);
	tcase_add_test(tc, cmdline_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("setup");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, setup_elf_pvh);
	tcase_add_test(tc, setup_elf_without_pvh_note);
	tcase_add_test(tc, setup_elf_across_regions);
	tcase_add_test(tc, setup_bzimage_classic);
	tcase_add_test(tc, setup_bzimage_pref_address_and_limits);
	tcase_add_loop_test(tc, setup_bzimage_host_decompress, 0, 6);
	tcase_add_test(tc, setup_decompressed_not_elf);
	tcase_add_test(tc, setup_fdt_setup_data);
	tcase_add_test(tc, setup_large_memory);
	tcase_add_test(tc, setup_errors);
	tcase_add_loop_test(tc, setup_random_mutations, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(boot_setup_suite)
