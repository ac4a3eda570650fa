/* boot/: ACPI tables (checksums, contents, iasl round trip), AML encoding,
 * MP table, FDT (libfdt and dtc parse-back), e820 table helpers, initrd
 * placement and the command-line helper. No guest memory needed. */
#include "config.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/aml.h"
#include "boot/boot.h"
#include "boot/fdt.h"
#include "boot/layout.h"
#include "boot/mptable.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_boot_images.h"

#ifndef IASL
#define IASL ""
#endif
#ifndef DTC
#define DTC ""
#endif

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* FDT cells are big endian and only 4-byte aligned */
static uint64_t be64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static const struct boot_virtio_mmio vdevs[] = {
	{ 0xd0000000, 0x1000, 5 },
	{ 0xd0001000, 0x1000, 6 },
	{ 0xd0002000, 0x1000, 23 },
};

#define ACPI_CAP 0x20000

static uint8_t *build_acpi(unsigned ncpus, size_t nv, struct boot_acpi_layout *lay)
{
	uint8_t *buf = malloc(ACPI_CAP);
	struct boot_acpi_config c = { .ncpus = ncpus, .virtio = vdevs, .nvirtio = nv };
	struct boot_err err = { 0 };
	ck_assert_msg(boot_acpi_build(&c, BOOT_ACPI_ADDR, buf, ACPI_CAP, lay, &err) == 0, "%s",
		      err.msg);
	return buf;
}

static const uint8_t *tbl(const uint8_t *buf, uint64_t addr)
{
	return buf + (addr - BOOT_ACPI_ADDR);
}

START_TEST(acpi_checksums_and_links)
{
	unsigned ncpus = (unsigned[]){ 1, 2, 7, 32 }[_i];
	struct boot_acpi_layout lay;
	uint8_t *buf = build_acpi(ncpus, 3, &lay);
	const uint8_t *rsdp = tbl(buf, lay.rsdp);
	ck_assert_uint_eq(lay.rsdp, 0xe0000);
	ck_assert(memcmp(rsdp, "RSD PTR ", 8) == 0);
	ck_assert_uint_eq(rsdp[15], 2);
	ck_assert_uint_eq(sum8(rsdp, 20), 0);
	ck_assert_uint_eq(sum8(rsdp, 36), 0);
	ck_assert_uint_eq(ti_get64(rsdp + 24), lay.xsdt);

	const uint8_t *xsdt = tbl(buf, lay.xsdt);
	ck_assert(memcmp(xsdt, "XSDT", 4) == 0);
	ck_assert_uint_eq(ti_get32(xsdt + 4), 36 + 16);
	ck_assert_uint_eq(sum8(xsdt, ti_get32(xsdt + 4)), 0);
	ck_assert_uint_eq(ti_get64(xsdt + 36), lay.fadt);
	ck_assert_uint_eq(ti_get64(xsdt + 44), lay.madt);

	const uint8_t *fadt = tbl(buf, lay.fadt);
	ck_assert(memcmp(fadt, "FACP", 4) == 0);
	ck_assert_uint_eq(ti_get32(fadt + 4), 276);
	ck_assert_uint_eq(sum8(fadt, 276), 0);
	ck_assert_uint_eq(ti_get32(fadt + 40), lay.dsdt);
	ck_assert_uint_eq(ti_get64(fadt + 140), lay.dsdt);
	ck_assert(ti_get32(fadt + 112) & (1u << 20)); /* HW_REDUCED_ACPI */

	const uint8_t *madt = tbl(buf, lay.madt);
	uint32_t mlen = ti_get32(madt + 4);
	ck_assert(memcmp(madt, "APIC", 4) == 0);
	ck_assert_uint_eq(sum8(madt, mlen), 0);
	ck_assert_uint_eq(ti_get32(madt + 36), 0xfee00000);
	unsigned lapics = 0, ioapics = 0, isos = 0;
	for (uint32_t off = 44; off < mlen; off += madt[off + 1]) {
		ck_assert_uint_ge(madt[off + 1], 2);
		switch (madt[off]) {
		case 0:
			ck_assert_uint_eq(madt[off + 3], lapics); /* APIC ID = index */
			ck_assert_uint_eq(ti_get32(madt + off + 4), 1);
			lapics++;
			break;
		case 1:
			ck_assert_uint_eq(madt[off + 2], ncpus); /* the MP table's IOAPIC id too */
			ck_assert_uint_eq(ti_get32(madt + off + 4), 0xfec00000);
			ck_assert_uint_eq(ti_get32(madt + off + 8), 0);
			ioapics++;
			break;
		case 2:
			ck_assert_uint_eq(madt[off + 3], 0);
			ck_assert_uint_eq(ti_get32(madt + off + 4), 2);
			isos++;
			break;
		}
	}
	ck_assert_uint_eq(lapics, ncpus);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(isos, 1);

	const uint8_t *dsdt = tbl(buf, lay.dsdt);
	ck_assert(memcmp(dsdt, "DSDT", 4) == 0);
	ck_assert_uint_eq(sum8(dsdt, ti_get32(dsdt + 4)), 0);
	ck_assert_uint_eq(lay.size, lay.dsdt - BOOT_ACPI_ADDR + ti_get32(dsdt + 4));
	free(buf);
}
END_TEST

START_TEST(acpi_bad_config)
{
	uint8_t buf[4096];
	struct boot_acpi_layout lay;
	struct boot_err err = { 0 };
	struct boot_acpi_config c = { .ncpus = 0 };
	ck_assert_int_eq(boot_acpi_build(&c, BOOT_ACPI_ADDR, buf, sizeof(buf), &lay, &err), -EINVAL);
	c.ncpus = 33;
	ck_assert_int_eq(boot_acpi_build(&c, BOOT_ACPI_ADDR, buf, sizeof(buf), &lay, &err), -EINVAL);
	c.ncpus = 1;
	ck_assert_int_eq(boot_acpi_build(&c, BOOT_ACPI_ADDR, buf, 200, &lay, &err), -ENOSPC);
	struct boot_virtio_mmio high = { 0x100000000ULL, 0x1000, 5 };
	c.virtio = &high;
	c.nvirtio = 1;
	ck_assert_int_eq(boot_acpi_build(&c, BOOT_ACPI_ADDR, buf, sizeof(buf), &lay, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "virtio"));
	/* many devices overflow a small buffer: -ENOSPC, not a crash */
	struct boot_virtio_mmio many[200];
	for (int i = 0; i < 200; i++)
		many[i] = (struct boot_virtio_mmio){ 0xd0000000 + 0x1000u * (unsigned)i, 0x1000, 5 };
	c.virtio = many;
	c.nvirtio = 200;
	ck_assert_int_eq(boot_acpi_build(&c, BOOT_ACPI_ADDR, buf, sizeof(buf), &lay, &err), -ENOSPC);
}
END_TEST

START_TEST(aml_encodings)
{
	uint8_t b[256];
	struct boot_aml a;
	boot_aml_init(&a, b, sizeof(b));
	boot_aml_eisaid(&a, "PNP0501");
	ck_assert_int_eq(boot_aml_error(&a), 0);
	const uint8_t eisa[5] = { 0x0c, 0x41, 0xd0, 0x05, 0x01 };
	ck_assert(memcmp(b, eisa, 5) == 0);

	boot_aml_init(&a, b, sizeof(b));
	boot_aml_integer(&a, 0);
	boot_aml_integer(&a, 1);
	boot_aml_integer(&a, 0x12);
	boot_aml_integer(&a, 0x1234);
	boot_aml_integer(&a, 0x12345678);
	boot_aml_integer(&a, 0x123456789aULL);
	const uint8_t ints[] = { 0x00, 0x01, 0x0a, 0x12, 0x0b, 0x34, 0x12, 0x0c, 0x78, 0x56, 0x34,
				 0x12, 0x0e, 0x9a, 0x78, 0x56, 0x34, 0x12, 0, 0, 0 };
	ck_assert_uint_eq(a.len, sizeof(ints));
	ck_assert(memcmp(b, ints, sizeof(ints)) == 0);

	/* a one-byte and a two-byte PkgLength */
	boot_aml_init(&a, b, sizeof(b));
	size_t m = boot_aml_begin_scope(&a, "\\_SB_");
	boot_aml_end(&a, m);
	const uint8_t scope[] = { 0x10, 0x06, '\\', '_', 'S', 'B', '_' };
	ck_assert_uint_eq(a.len, sizeof(scope));
	ck_assert(memcmp(b, scope, sizeof(scope)) == 0);
	boot_aml_init(&a, b, sizeof(b));
	m = boot_aml_begin_buffer(&a);
	uint8_t filler[70] = { 0 };
	boot_aml_bytes(&a, filler, sizeof(filler));
	boot_aml_end_buffer(&a, m);
	ck_assert_int_eq(boot_aml_error(&a), 0);
	/* 0x11, PkgLength(2 bytes) covering 2 + 2 (ByteConst 70) + 70 = 74 */
	ck_assert_uint_eq(b[0], 0x11);
	ck_assert_uint_eq(b[1], 0x40 | (74 & 0xf));
	ck_assert_uint_eq(b[2], 74 >> 4);
	ck_assert_uint_eq(b[3], 0x0a);
	ck_assert_uint_eq(b[4], 70);
	ck_assert_uint_eq(a.len, 1 + 74);

	/* bad names and ids are sticky errors */
	boot_aml_init(&a, b, sizeof(b));
	boot_aml_name(&a, "TOOLONG");
	ck_assert_int_eq(boot_aml_error(&a), -EINVAL);
	boot_aml_init(&a, b, sizeof(b));
	boot_aml_eisaid(&a, "pnp0501");
	ck_assert_int_eq(boot_aml_error(&a), -EINVAL);
	boot_aml_init(&a, b, 4);
	boot_aml_string(&a, "LNRO0005");
	ck_assert_int_eq(boot_aml_error(&a), -ENOSPC);
	size_t before = a.len;
	ck_assert_uint_le(before, 4);
	boot_aml_integer(&a, 5); /* no-op after an error */
	ck_assert_uint_eq(a.len, before);
}
END_TEST

static int run(const char *cmd)
{
	int r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static const size_t cap = 1 << 20;
	char *s = calloc(1, cap);
	size_t n = fread(s, 1, cap - 1, f);
	s[n] = 0;
	fclose(f);
	return s;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* Disassemble one table with iasl; returns the .dsl text (caller frees). */
static char *iasl_disasm(const char *dir, const char *name, const uint8_t *t, size_t n)
{
	char path[512], cmd[1200];
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	write_file(path, t, n);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' -d '%s.dat' > '%s.log' 2>&1", dir, IASL, name,
		 name);
	int r = run(cmd);
	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	char *log = slurp(path);
	ck_assert_msg(r == 0, "iasl -d %s failed (%d): %s", name, r, log ? log : "");
	free(log);
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	return slurp(path);
}

START_TEST(acpi_iasl_round_trip)
{
	if (!IASL[0]) {
		harness_skip("acpi_iasl_round_trip: iasl not found at configure time "
			     "(install acpica-tools)");
	}
	char dir[] = "/tmp/boot-acpi-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct boot_acpi_layout lay;
	uint8_t *buf = build_acpi(4, 2, &lay);

	/* negative control: iasl flags a wrong checksum */
	uint8_t bad[512];
	const uint8_t *mt = tbl(buf, lay.madt);
	memcpy(bad, mt, ti_get32(mt + 4));
	bad[9] ^= 1;
	char *d = iasl_disasm(dir, "bad", bad, ti_get32(mt + 4));
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(d, "Incorrect checksum"));
	free(d);

	d = iasl_disasm(dir, "dsdt", tbl(buf, lay.dsdt), ti_get32(tbl(buf, lay.dsdt) + 4));
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(d, "Device (COM1)"));
	ck_assert_ptr_nonnull(strstr(d, "EisaId (\"PNP0501\")"));
	ck_assert_ptr_null(strstr(d, "Incorrect checksum"));
	ck_assert_ptr_nonnull(strstr(d, "0x03F8,             // Range Minimum"));
	ck_assert_ptr_nonnull(strstr(d, "IRQNoFlags ()\n                    {4}"));
	ck_assert_ptr_nonnull(strstr(d, "Device (V000)"));
	ck_assert_ptr_nonnull(strstr(d, "Device (V001)"));
	ck_assert_ptr_null(strstr(d, "Device (V002)"));
	ck_assert_ptr_nonnull(strstr(d, "\"LNRO0005\""));
	ck_assert_ptr_nonnull(strstr(d, "Memory32Fixed (ReadWrite,\n                    0xD0001000,"));
	ck_assert_ptr_nonnull(strstr(d, "0x00001000,         // Address Length"));
	ck_assert_ptr_nonnull(strstr(d, "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )"));
	ck_assert_ptr_nonnull(strstr(d, "0x00000006,"));
	/* \_S5 for ACPI poweroff through the FADT's sleep control register */
	ck_assert_ptr_nonnull(strstr(d, "Name (\\_S5, Package (0x02)"));
	ck_assert_ptr_nonnull(strstr(d, "0x05, \n        Zero"));
	free(d);

	d = iasl_disasm(dir, "madt", tbl(buf, lay.madt), ti_get32(tbl(buf, lay.madt) + 4));
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(strstr(d, "Incorrect checksum"));
	ck_assert_ptr_nonnull(strstr(d, "Signature : \"APIC\""));
	ck_assert_ptr_nonnull(strstr(d, "Local Apic ID : 03"));
	ck_assert_ptr_null(strstr(d, "Local Apic ID : 04"));
	ck_assert_ptr_nonnull(strstr(d, "Address : FEC00000"));
	ck_assert_ptr_nonnull(strstr(d, "Interrupt : 00000002"));
	free(d);

	d = iasl_disasm(dir, "fadt", tbl(buf, lay.fadt), 276);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(strstr(d, "Incorrect checksum"));
	ck_assert_ptr_nonnull(strstr(d, "Hardware Reduced (V5) : 1"));
	char want[128];
	snprintf(want, sizeof(want), "DSDT Address : %08llX", (unsigned long long)lay.dsdt);
	ck_assert_ptr_nonnull(strstr(d, want));
	snprintf(want, sizeof(want), "DSDT Address : %016llX", (unsigned long long)lay.dsdt);
	ck_assert_ptr_nonnull(strstr(d, want));
	/* reset and sleep registers: byte-wide I/O ports of the acpi_pm device */
	ck_assert_ptr_nonnull(strstr(d, "Reset Register Supported (V2) : 1"));
	ck_assert_ptr_nonnull(strstr(d, "Value to cause reset : 01"));
	const char *regs[][2] = {{"Reset Register :", "0000000000000602"},
				 {"Sleep Control Register :", "0000000000000600"},
				 {"Sleep Status Register :", "0000000000000601"}};
	for (size_t i = 0; i < 3; i++) {
		const char *r = strstr(d, regs[i][0]);
		ck_assert_msg(r != NULL, "FADT lacks %s", regs[i][0]);
		const char *sp = strstr(r, "Space ID : 01 [SystemIO]");
		const char *ad = strstr(r, "Address : ");
		ck_assert_ptr_nonnull(sp);
		ck_assert_ptr_nonnull(ad);
		ck_assert_msg(strncmp(ad + 10, regs[i][1], 16) == 0, "%s at %.16s", regs[i][0], ad + 10);
	}
	free(d);

	d = iasl_disasm(dir, "xsdt", tbl(buf, lay.xsdt), 52);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_null(strstr(d, "Incorrect checksum"));
	snprintf(want, sizeof(want), "ACPI Table Address   0 : %016llX", (unsigned long long)lay.fadt);
	ck_assert_ptr_nonnull(strstr(d, want));
	snprintf(want, sizeof(want), "ACPI Table Address   1 : %016llX", (unsigned long long)lay.madt);
	ck_assert_ptr_nonnull(strstr(d, want));
	free(d);

	free(buf);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	run(cmd);
}
END_TEST

START_TEST(mptable_contents)
{
	unsigned ncpus = (unsigned[]){ 1, 3, 32 }[_i];
	uint8_t buf[1024];
	struct boot_err err = { 0 };
	long n = boot_mptable_build(ncpus, BOOT_MPTABLE_ADDR, buf, sizeof(buf), &err);
	ck_assert_msg(n > 0, "%s", err.msg);
	ck_assert_int_le(n, 1024);
	ck_assert(memcmp(buf, "_MP_", 4) == 0);
	ck_assert_uint_eq(sum8(buf, 16), 0);
	ck_assert_uint_eq(buf[8], 1);
	ck_assert_uint_eq(buf[9], 4);
	uint32_t cfg_addr = ti_get32(buf + 4);
	ck_assert_uint_eq(cfg_addr, BOOT_MPTABLE_ADDR + 16);
	const uint8_t *cfg = buf + 16;
	uint16_t len = ti_get16(cfg + 4);
	ck_assert(memcmp(cfg, "PCMP", 4) == 0);
	ck_assert_uint_eq(sum8(cfg, len), 0);
	ck_assert_uint_eq(16 + len, (size_t)n);
	ck_assert_uint_eq(ti_get32(cfg + 36), 0xfee00000);
	unsigned procs = 0, bsp = 0, buses = 0, ioapics = 0, ioints = 0, lints = 0, count = 0;
	size_t off = 44;
	while (off < len) {
		count++;
		switch (cfg[off]) {
		case 0:
			ck_assert_uint_eq(cfg[off + 1], procs);
			ck_assert(cfg[off + 3] & 1);
			bsp += (cfg[off + 3] & 2) ? 1 : 0;
			procs++;
			off += 20;
			break;
		case 1:
			ck_assert(memcmp(cfg + off + 2, "ISA   ", 6) == 0);
			buses++;
			off += 8;
			break;
		case 2:
			ck_assert_uint_eq(cfg[off + 1], ncpus);
			ck_assert_uint_eq(ti_get32(cfg + off + 4), 0xfec00000);
			ioapics++;
			off += 8;
			break;
		case 3:
			ck_assert_uint_eq(cfg[off + 6], ncpus);
			if (cfg[off + 5] == 0)
				ck_assert_uint_eq(cfg[off + 7], 2);
			ioints++;
			off += 8;
			break;
		case 4:
			lints++;
			off += 8;
			break;
		default:
			ck_abort_msg("unknown entry type %u", cfg[off]);
		}
	}
	ck_assert_uint_eq(off, len);
	ck_assert_uint_eq(count, ti_get16(cfg + 34));
	ck_assert_uint_eq(procs, ncpus);
	ck_assert_uint_eq(bsp, 1);
	ck_assert_uint_eq(buses, 1);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(ioints, 15);
	ck_assert_uint_eq(lints, 2);
}
END_TEST

START_TEST(mptable_limits)
{
	uint8_t buf[1024];
	ck_assert_int_eq(boot_mptable_build(0, BOOT_MPTABLE_ADDR, buf, sizeof(buf), NULL), -EINVAL);
	ck_assert_int_eq(boot_mptable_build(33, BOOT_MPTABLE_ADDR, buf, sizeof(buf), NULL), -EINVAL);
	ck_assert_int_eq(boot_mptable_build(4, BOOT_MPTABLE_ADDR, buf, 100, NULL), -ENOSPC);
}
END_TEST

static void fdt_fixture(void *buf, size_t cap, struct boot_e820 *t)
{
	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(boot_e820_add(t, 0, 0x9fc00, BOOT_E820_RAM), 0);
	ck_assert_int_eq(boot_e820_add(t, 0x9fc00, 0x60400, BOOT_E820_RESERVED), 0);
	ck_assert_int_eq(boot_e820_add(t, 0x100000, 0x1ff00000, BOOT_E820_RAM), 0);
	struct boot_fdt_config c = { .ncpus = 3, .cmdline = "console=ttyS0 quiet",
				     .initrd_addr = 0x1f000000, .initrd_size = 0x12345,
				     .e820 = t, .virtio = vdevs, .nvirtio = 2 };
	struct boot_err err = { 0 };
	ck_assert_msg(boot_fdt_build(&c, buf, cap, &err) == 0, "%s", err.msg);
}

START_TEST(fdt_parse_back)
{
	static uint8_t buf[16384];
	struct boot_e820 t;
	fdt_fixture(buf, sizeof(buf), &t);
	ck_assert_int_eq(boot_fdt_add_virtio_mmio(buf, 0xd0005000, 0x1000, 9), 0);
	size_t n = boot_fdt_finish(buf);
	ck_assert_int_eq(fdt_check_header(buf), 0);
	ck_assert_uint_eq(n, fdt_totalsize(buf));

	int chosen = fdt_path_offset(buf, "/chosen");
	ck_assert_int_ge(chosen, 0);
	ck_assert_str_eq(fdt_getprop(buf, chosen, "bootargs", NULL), "console=ttyS0 quiet");
	int len;
	const fdt64_t *v = fdt_getprop(buf, chosen, "linux,initrd-start", &len);
	ck_assert_int_eq(len, 8);
	ck_assert_uint_eq(be64(v), 0x1f000000);
	v = fdt_getprop(buf, chosen, "linux,initrd-end", &len);
	ck_assert_uint_eq(be64(v), 0x1f012345);

	int mem = fdt_path_offset(buf, "/memory@0");
	ck_assert_int_ge(mem, 0);
	v = fdt_getprop(buf, mem, "reg", &len);
	ck_assert_int_eq(len, 32); /* two RAM ranges, the reserved one left out */
	ck_assert_uint_eq(be64(v + 0), 0);
	ck_assert_uint_eq(be64(v + 1), 0x9fc00);
	ck_assert_uint_eq(be64(v + 2), 0x100000);
	ck_assert_uint_eq(be64(v + 3), 0x1ff00000);

	int cpus = fdt_path_offset(buf, "/cpus");
	ck_assert_int_ge(cpus, 0);
	int ncpu = 0, node;
	fdt_for_each_subnode(node, buf, cpus) {
		const fdt32_t *reg = fdt_getprop(buf, node, "reg", &len);
		ck_assert_int_eq(len, 4);
		ck_assert_uint_eq(fdt32_to_cpu(*reg), (unsigned)ncpu);
		ncpu++;
	}
	ck_assert_int_eq(ncpu, 3);

	int nvirtio = 0;
	int off = fdt_node_offset_by_compatible(buf, -1, "virtio,mmio");
	while (off >= 0) {
		nvirtio++;
		off = fdt_node_offset_by_compatible(buf, off, "virtio,mmio");
	}
	ck_assert_int_eq(nvirtio, 3);
	int vn = fdt_path_offset(buf, "/virtio_mmio@d0005000");
	ck_assert_int_ge(vn, 0);
	const fdt32_t *irq = fdt_getprop(buf, vn, "interrupts", &len);
	ck_assert_uint_eq(fdt32_to_cpu(*irq), 9);
	ck_assert_int_ge(fdt_node_offset_by_compatible(buf, -1, "ns16550a"), 0);
}
END_TEST

START_TEST(fdt_dtc_round_trip)
{
	if (!DTC[0]) {
		harness_skip("fdt_dtc_round_trip: dtc not found at configure time "
			     "(install device-tree-compiler)");
	}
	static uint8_t buf[16384];
	struct boot_e820 t;
	fdt_fixture(buf, sizeof(buf), &t);
	size_t n = boot_fdt_finish(buf);
	char dir[] = "/tmp/boot-fdt-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[512], cmd[1500];
	snprintf(path, sizeof(path), "%s/t.dtb", dir);
	write_file(path, buf, n);
	snprintf(cmd, sizeof(cmd), "'%s' -I dtb -O dts -o '%s/t.dts' '%s' 2>'%s/err'", DTC, dir,
		 path, dir);
	ck_assert_int_eq(run(cmd), 0);
	snprintf(path, sizeof(path), "%s/t.dts", dir);
	char *dts = slurp(path);
	ck_assert_ptr_nonnull(dts);
	ck_assert_ptr_nonnull(strstr(dts, "bootargs = \"console=ttyS0 quiet\";"));
	ck_assert_ptr_nonnull(strstr(dts, "linux,initrd-start = <0x00 0x1f000000>;"));
	ck_assert_ptr_nonnull(strstr(dts, "virtio_mmio@d0001000 {"));
	ck_assert_ptr_nonnull(strstr(dts, "compatible = \"virtio,mmio\";"));
	ck_assert_ptr_nonnull(strstr(dts, "cpu@2 {"));
	ck_assert_ptr_nonnull(strstr(dts, "device_type = \"memory\";"));
	free(dts);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	run(cmd);
}
END_TEST

START_TEST(fdt_too_small)
{
	uint8_t buf[256];
	struct boot_fdt_config c = { .ncpus = 1, .cmdline = "x" };
	struct boot_err err = { 0 };
	ck_assert_int_eq(boot_fdt_build(&c, buf, sizeof(buf), &err), -ENOSPC);
	c.ncpus = 0;
	ck_assert_int_eq(boot_fdt_build(&c, buf, sizeof(buf), &err), -EINVAL);
}
END_TEST

START_TEST(e820_add_rules)
{
	struct boot_e820 t = { 0 };
	ck_assert_int_eq(boot_e820_add(&t, 0, 0x1000, BOOT_E820_RAM), 0);
	ck_assert_int_eq(boot_e820_add(&t, 0x1000, 0x1000, BOOT_E820_RAM), 0); /* merged */
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.e[0].size, 0x2000);
	ck_assert_int_eq(boot_e820_add(&t, 0x2000, 0x1000, BOOT_E820_RESERVED), 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(boot_e820_add(&t, 0x2800, 0x1000, BOOT_E820_RAM), -EINVAL); /* overlap */
	ck_assert_int_eq(boot_e820_add(&t, 0x10000, 0, BOOT_E820_RAM), -EINVAL);
	ck_assert_int_eq(boot_e820_add(&t, UINT64_MAX - 5, 0x10, BOOT_E820_RAM), -EINVAL);
	for (uint64_t i = 0; t.n < BOOT_E820_MAX; i++)
		ck_assert_int_eq(boot_e820_add(&t, 0x100000 + i * 0x2000, 0x1000, BOOT_E820_RAM), 0);
	ck_assert_int_eq(boot_e820_add(&t, 0x80000000, 0x1000, BOOT_E820_RAM), -ENOSPC);
}
END_TEST

static void layout_e820(struct boot_e820 *t, uint64_t mem)
{
	memset(t, 0, sizeof(*t));
	boot_e820_add(t, 0, 0x9fc00, BOOT_E820_RAM);
	boot_e820_add(t, 0x9fc00, 0x60400, BOOT_E820_RESERVED);
	uint64_t low = mem < 0xc0000000ULL ? mem : 0xc0000000ULL;
	boot_e820_add(t, 0x100000, low - 0x100000, BOOT_E820_RAM);
	boot_e820_add(t, 0xc0000000ULL, 0x40000000ULL, BOOT_E820_RESERVED);
	if (mem > 0xc0000000ULL)
		boot_e820_add(t, 0x100000000ULL, mem - 0xc0000000ULL, BOOT_E820_RAM);
}

START_TEST(initrd_placement)
{
	struct boot_e820 t;
	uint64_t a;
	struct boot_err err = { 0 };
	layout_e820(&t, 512ULL << 20);
	/* top of RAM, page aligned */
	ck_assert_int_eq(boot_initrd_place(&t, 0x12345, 0x80000000ULL, 0x100000, 0x500000, &a, &err), 0);
	ck_assert_uint_eq(a, ((512ULL << 20) - 0x12345) & ~0xfffULL);
	ck_assert_uint_eq(a % 4096, 0);
	ck_assert_uint_le(a + 0x12345, 512ULL << 20);
	/* initrd_addr_max + 1 below the RAM top */
	ck_assert_int_eq(boot_initrd_place(&t, 0x1000, 0x10000000, 0x100000, 0x500000, &a, &err), 0);
	ck_assert_uint_eq(a, 0x10000000 - 0x1000);
	/* > 3 GiB of RAM: still below the hole, not in the RAM above 4 GiB */
	layout_e820(&t, 8ULL << 30);
	ck_assert_int_eq(boot_initrd_place(&t, 0x100000, 0x100000000ULL, 0x100000, 0x500000, &a, &err), 0);
	ck_assert_uint_eq(a, 0xc0000000ULL - 0x100000);
	/* the kernel sits at the top: go below it */
	layout_e820(&t, 64ULL << 20);
	ck_assert_int_eq(boot_initrd_place(&t, 0x200000, 0x80000000ULL, 0x3000000, 0x4000000, &a, &err), 0);
	ck_assert_uint_eq(a, 0x3000000 - 0x200000);
	/* too big */
	ck_assert_int_eq(boot_initrd_place(&t, 64ULL << 20, 0x80000000ULL, 0x100000, 0x500000, &a, &err),
			 -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err.msg, "initrd"));
	/* exactly fills [kernel end, top) */
	ck_assert_int_eq(boot_initrd_place(&t, (64ULL << 20) - 0x500000, 0x80000000ULL, 0x100000,
					   0x500000, &a, &err), 0);
	ck_assert_uint_eq(a, 0x500000);
}
END_TEST

START_TEST(cmdline_virtio_append)
{
	char buf[128] = "console=ttyS0";
	ck_assert_int_eq(boot_cmdline_append_virtio(buf, sizeof(buf), vdevs, 2), 0);
	ck_assert_str_eq(buf, "console=ttyS0 virtio_mmio.device=4K@0xd0000000:5 "
			      "virtio_mmio.device=4K@0xd0001000:6");
	char small[40] = "console=ttyS0";
	ck_assert_int_eq(boot_cmdline_append_virtio(small, sizeof(small), vdevs, 2), -E2BIG);
	ck_assert_str_eq(small, "console=ttyS0");
	char empty[64] = "";
	ck_assert_int_eq(boot_cmdline_append_virtio(empty, sizeof(empty), vdevs, 1), 0);
	ck_assert_str_eq(empty, "virtio_mmio.device=4K@0xd0000000:5");
}
END_TEST

static Suite *boot_tables_suite(void)
{
	Suite *s = suite_create("boot_tables");
	TCase *tc = tcase_create("acpi");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, acpi_checksums_and_links, 0, 4);
	tcase_add_test(tc, acpi_bad_config);
	tcase_add_test(tc, aml_encodings);
	tcase_add_test(tc, acpi_iasl_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("mptable");
	tcase_add_loop_test(tc, mptable_contents, 0, 3);
	tcase_add_test(tc, mptable_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("fdt");
	tcase_add_test(tc, fdt_parse_back);
	tcase_add_test(tc, fdt_dtc_round_trip);
	tcase_add_test(tc, fdt_too_small);
	suite_add_tcase(s, tc);
	tc = tcase_create("layout");
	tcase_add_test(tc, e820_add_rules);
	tcase_add_test(tc, initrd_placement);
	tcase_add_test(tc, cmdline_virtio_append);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(boot_tables_suite)
