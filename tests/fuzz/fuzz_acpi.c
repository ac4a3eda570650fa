/* libFuzzer target: the platform tables of boot/ -- ACPI (RSDP, XSDT, FADT,
 * MADT, DSDT) and the MP table -- built from fuzzed configurations (vCPU
 * count, virtio-mmio device list, IRQ9 override, base address, buffer size)
 * and parsed back.
 *
 * Invariants: bad configurations are refused with the documented errors; a
 * good one always builds; every table has its signature, a length inside
 * the built size and a zero checksum; the pointers (RSDP -> XSDT -> FADT,
 * MADT; FADT -> DSDT) match the layout; all tables lie below 4 GiB; the MADT
 * has one enabled local APIC per vCPU, the IOAPIC and the overrides; the DSDT
 * has one LNRO0005 device per virtio-mmio window with its address, size and
 * GSI, and its outer scope's PkgLength covers the AML exactly; the MP table
 * has valid checksums, one processor entry per vCPU and an entry count that
 * matches a walk of its entries. Writing into guest memory touches only the
 * table area. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/layout.h"
#include "boot/mptable.h"
#include "tests/fuzz/guest.h"
#include "tests/fuzz/input.h"

#define NV_MAX 24

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

static uint64_t le(const uint8_t *p, int n) { return fz_le(p, n); }

/* Table at guest address a: signature, length in bounds, checksum. Returns
 * its offset in buf and length. */
static size_t table(const uint8_t *buf, uint64_t base, size_t size, uint64_t a, const char *sig,
		    size_t *len)
{
	CHECK(a >= base && a - base < size);
	size_t off = (size_t)(a - base);
	CHECK(size - off >= 36);
	CHECK(memcmp(buf + off, sig, 4) == 0);
	*len = (size_t)le(buf + off + 4, 4);
	CHECK(*len >= 36 && *len <= size - off);
	CHECK_EQ(sum8(buf + off, *len), 0);
	return off;
}

static size_t count_mem(const uint8_t *h, size_t n, const uint8_t *pat, size_t pn)
{
	size_t c = 0;
	for (size_t i = 0; i + pn <= n; i++)
		if (memcmp(h + i, pat, pn) == 0)
			c++;
	return c;
}

static void check_acpi(const struct boot_acpi_config *c, uint64_t base, const uint8_t *buf,
		       const struct boot_acpi_layout *lay)
{
	size_t size = lay->size;
	CHECK(lay->rsdp == base);
	/* everything below 4 GiB, no wrap */
	CHECK(base + size >= base && base + size <= 0x100000000ull);
	const uint8_t *r = buf;
	CHECK(memcmp(r, "RSD PTR ", 8) == 0);
	CHECK_EQ(sum8(r, 20), 0);
	CHECK_EQ(sum8(r, 36), 0);
	CHECK(r[15] == 2 && le(r + 20, 4) == 36 && le(r + 24, 8) == lay->xsdt);

	size_t xl, fl, ml, dl;
	size_t xo = table(buf, base, size, lay->xsdt, "XSDT", &xl);
	CHECK_EQ(xl, 36 + 16);
	CHECK(le(buf + xo + 36, 8) == lay->fadt && le(buf + xo + 44, 8) == lay->madt);
	size_t fo = table(buf, base, size, lay->fadt, "FACP", &fl);
	CHECK(fl >= 148);
	CHECK(le(buf + fo + 40, 4) == lay->dsdt && le(buf + fo + 140, 8) == lay->dsdt);

	size_t mo = table(buf, base, size, lay->madt, "APIC", &ml);
	CHECK(le(buf + mo + 36, 4) == BOOT_LAPIC_ADDR);
	unsigned lapics = 0, ioapics = 0, iso0 = 0, iso9 = 0;
	for (size_t off = 44; off < ml;) {
		const uint8_t *e = buf + mo + off;
		CHECK(ml - off >= 2 && e[1] >= 2 && e[1] <= ml - off);
		switch (e[0]) {
		case 0:
			CHECK(e[1] == 8 && e[3] == lapics && (le(e + 4, 4) & 1));
			lapics++;
			break;
		case 1:
			CHECK(e[1] == 12 && le(e + 4, 4) == BOOT_IOAPIC_ADDR);
			ioapics++;
			break;
		case 2:
			CHECK(e[1] == 10);
			if (e[3] == 0 && le(e + 4, 4) == 2)
				iso0++;
			if (e[3] == 9 && le(e + 4, 4) == 9)
				iso9++;
			break;
		}
		off += e[1];
	}
	CHECK_EQ(lapics, c->ncpus);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(iso0, 1);
	CHECK_EQ(iso9, c->irq9_override ? 1 : 0);

	size_t d = table(buf, base, size, lay->dsdt, "DSDT", &dl);
	CHECK(lay->dsdt + dl == base + size); /* the DSDT is last */
	const uint8_t *aml = buf + d + 36;
	size_t alen = dl - 36;
	/* the DSDT ends with Name(\_S5_, Package(2) {5, 0}) (12 bytes) after the
	 * outer Scope (\_SB_) */
	static const uint8_t s5[12] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 5, 0};
	CHECK(alen >= sizeof(s5) + 2 && memcmp(aml + alen - sizeof(s5), s5, sizeof(s5)) == 0);
	alen -= sizeof(s5);
	/* outer Scope (\_SB_): opcode, PkgLength = everything after the opcode */
	CHECK(alen >= 2 && aml[0] == 0x10);
	unsigned follow = aml[1] >> 6;
	size_t pkg = follow ? (aml[1] & 0x0f) : (aml[1] & 0x3f);
	CHECK(alen >= 2 + follow);
	for (unsigned i = 0; i < follow; i++)
		pkg |= (size_t)aml[2 + i] << (4 + 8 * i);
	CHECK_EQ(pkg, alen - 1);
	CHECK_EQ(count_mem(aml, alen, (const uint8_t *)"LNRO0005", 8), c->nvirtio);
	for (size_t i = 0; i < c->nvirtio; i++) {
		uint8_t m32[12] = {0x86, 0x09, 0x00, 0x01};
		for (int k = 0; k < 4; k++) {
			m32[4 + k] = (uint8_t)(c->virtio[i].addr >> (8 * k));
			m32[8 + k] = (uint8_t)(c->virtio[i].size >> (8 * k));
		}
		CHECK(count_mem(aml, alen, m32, sizeof(m32)) >= 1);
		uint8_t irq[9] = {0x89, 0x06, 0x00, 0x03, 0x01};
		for (int k = 0; k < 4; k++)
			irq[5 + k] = (uint8_t)(c->virtio[i].gsi >> (8 * k));
		CHECK(count_mem(aml, alen, irq, sizeof(irq)) >= 1);
	}
}

static void check_mp(unsigned ncpus, uint64_t base, const uint8_t *buf, long n)
{
	CHECK(n >= 16 + 44);
	CHECK(base + (uint64_t)n >= base && base + (uint64_t)n <= 0x100000000ull);
	CHECK(memcmp(buf, "_MP_", 4) == 0);
	CHECK_EQ(sum8(buf, 16), 0);
	CHECK(le(buf + 4, 4) == base + 16 && buf[8] == 1);
	const uint8_t *cfg = buf + 16;
	size_t len = (size_t)le(cfg + 4, 2);
	CHECK(memcmp(cfg, "PCMP", 4) == 0);
	CHECK_EQ(len, (size_t)n - 16);
	CHECK_EQ(sum8(cfg, len), 0);
	size_t count = (size_t)le(cfg + 34, 2), seen = 0;
	unsigned procs = 0;
	size_t off = 44;
	while (off < len) {
		size_t el = cfg[off] == 0 ? 20 : 8;
		CHECK(cfg[off] <= 4 && len - off >= el);
		if (cfg[off] == 0) {
			CHECK(cfg[off + 1] == procs && (cfg[off + 3] & 1));
			CHECK(((cfg[off + 3] & 2) != 0) == (procs == 0)); /* BSP flag on cpu 0 */
			procs++;
		}
		off += el;
		seen++;
	}
	CHECK_EQ(off, len);
	CHECK_EQ(seen, count);
	CHECK_EQ(procs, ncpus);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = fin_make(data, size);
	static struct boot_virtio_mmio v[NV_MAX];
	static uint8_t buf[BOOT_ACPI_MAX];
	struct boot_acpi_config c;
	memset(&c, 0, sizeof(c));
	uint8_t f = fin_u8(&in);
	c.ncpus = fin_u8(&in) % 40;
	c.nvirtio = fin_u8(&in) % (NV_MAX + 1);
	c.virtio = v;
	c.irq9_override = f & 1;
	int bad_dev = 0;
	for (size_t i = 0; i < c.nvirtio; i++) {
		uint8_t how = fin_u8(&in);
		v[i].addr = how & 1 ? fin_u64(&in) : 0xd0000000ull + ((uint64_t)fin_u16(&in) << 12);
		v[i].size = how & 2 ? fin_u32(&in) : 0x1000;
		if ((how & 6) == 6)
			v[i].size = fin_u64(&in);
		v[i].gsi = how & 8 ? fin_u32(&in) : 5 + fin_u8(&in) % 19;
		if (v[i].addr > UINT32_MAX || v[i].size > UINT32_MAX ||
		    v[i].addr + v[i].size > 0x100000000ull)
			bad_dev = 1;
	}
	uint64_t base = BOOT_ACPI_ADDR;
	if (f & 2)
		base = f & 4 ? fin_u64(&in) : (uint64_t)fin_u32(&in);
	size_t cap = f & 8 ? fin_u16(&in) % sizeof(buf) : sizeof(buf);

	struct boot_acpi_layout lay;
	struct boot_err err;
	memset(&err, 0, sizeof(err));
	int rc = boot_acpi_build(&c, base, buf, cap, &lay, &err);
	int good_cpus = c.ncpus >= 1 && c.ncpus <= BOOT_MAX_CPUS;
	if (!good_cpus) {
		CHECK_EQ(rc, -EINVAL);
	} else if (rc == 0) {
		CHECK(!bad_dev);
		CHECK(lay.size <= cap);
		check_acpi(&c, base, buf, &lay);
	} else {
		CHECK(rc == -EINVAL || rc == -ENOSPC);
		CHECK_EQ(err.code, rc);
		if (rc == -EINVAL)
			CHECK(bad_dev || base > 0xffffffffull - 0x10000);
		if (rc == -ENOSPC)
			CHECK(cap < sizeof(buf));
		/* a good configuration in the real place always builds */
		CHECK(bad_dev || cap < sizeof(buf) || base != BOOT_ACPI_ADDR);
	}
	/* the same into guest memory: only the table area changes */
	if (good_cpus && !bad_dev && fin_u8(&in) == 1) {
		CHECK_EQ(boot_acpi_write(fz_guest(), &c, &lay, NULL), 0);
		struct fz_span s = {BOOT_ACPI_ADDR, lay.size};
		fz_guest_only_in(&s, 1);
		fz_guest_wipe();
	}

	/* MP table */
	static uint8_t mp[2048];
	uint64_t mbase = f & 0x10 ? (f & 0x20 ? fin_u64(&in) : fin_u32(&in)) : BOOT_MPTABLE_ADDR;
	size_t mcap = f & 0x40 ? fin_u16(&in) % sizeof(mp) : BOOT_MPTABLE_MAX;
	long n = boot_mptable_build(c.ncpus, mbase, mp, mcap, NULL);
	if (!good_cpus) {
		CHECK_EQ(n, -EINVAL);
	} else if (n > 0) {
		CHECK((size_t)n <= mcap);
		check_mp(c.ncpus, mbase, mp, n);
	} else {
		CHECK_EQ(n, -ENOSPC);
		CHECK(mcap < BOOT_MPTABLE_MAX || mbase > 0xffffffffull - BOOT_MPTABLE_MAX);
	}
	return 0;
}
