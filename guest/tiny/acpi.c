/* tiny: ACPI walk as an OS does it: RSDP (given or found in the BIOS area),
 * XSDT (or RSDT), MADT for CPUs and IOAPICs, FADT for the DSDT. Checksums checked. */
#include "tiny.h"

static const uint8_t *ptr(uint64_t a) { return (const uint8_t *)(uintptr_t)a; }
static uint32_t rd32(uint64_t a) { return *(const volatile uint32_t *)(uintptr_t)a; }
static uint64_t rd64(uint64_t a) { return *(const volatile uint64_t *)(uintptr_t)a; }

static bool low(uint64_t a, uint64_t len) { return a != 0 && len < (1ull << 32) && a <= (1ull << 32) - len; }

static bool sum_ok(uint64_t a, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + ptr(a)[i]);
	return s == 0;
}

static bool is_rsdp(uint64_t a) { return memcmp(ptr(a), "RSD PTR ", 8) == 0 && sum_ok(a, 20); }

static uint64_t find_rsdp(void)
{
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
		if (is_rsdp(a))
			return a;
	return 0;
}

/* A table header at a: signature, sane length, checksum. */
static const char *table_ok(uint64_t a, const char *sig, uint32_t *len)
{
	if (!low(a, 36))
		return "table address out of range";
	if (sig && memcmp(ptr(a), sig, 4) != 0)
		return "unexpected table signature";
	*len = rd32(a + 4);
	if (*len < 36 || !low(a, *len) || *len > (1u << 20))
		return "bad table length";
	if (!sum_ok(a, *len))
		return "bad table checksum";
	return NULL;
}

static const char *walk_madt(struct tiny_acpi *t, uint32_t len)
{
	uint64_t p = t->madt + 44, end = t->madt + len;
	while (p + 2 <= end) {
		uint8_t type = ptr(p)[0], elen = ptr(p)[1];
		if (elen < 2 || p + elen > end)
			return "bad MADT entry length";
		if (type == 0 && elen >= 8) { /* processor local APIC */
			uint32_t flags = rd32(p + 4);
			if ((flags & 3) && t->n_lapic < TINY_MAX_CPUS)
				t->apic_ids[t->n_lapic++] = ptr(p)[3];
		} else if (type == 9 && elen >= 16) { /* local x2APIC */
			uint32_t flags = rd32(p + 8);
			if ((flags & 3) && t->n_lapic < TINY_MAX_CPUS)
				t->apic_ids[t->n_lapic++] = rd32(p + 4);
		} else if (type == 1) {
			t->n_ioapic++;
		}
		p += elen;
	}
	return NULL;
}

const char *acpi_walk(uint64_t rsdp_hint, struct tiny_acpi *t)
{
	memset(t, 0, sizeof(*t));
	t->rsdp = rsdp_hint ? rsdp_hint : find_rsdp();
	if (!t->rsdp)
		return "no RSDP (none given, none in 0xe0000-0xfffff)";
	if (!low(t->rsdp, 36) || !is_rsdp(t->rsdp))
		return "RSDP signature or checksum wrong";
	uint8_t rev = ptr(t->rsdp)[15];
	uint64_t root;
	int width;
	const char *sig;
	if (rev >= 2) {
		uint32_t xlen = rd32(t->rsdp + 20);
		if (xlen < 36 || xlen > 4096 || !low(t->rsdp, xlen) || !sum_ok(t->rsdp, xlen))
			return "RSDP extended checksum wrong";
		root = rd64(t->rsdp + 24);
		width = 8;
		sig = "XSDT";
	} else {
		root = rd32(t->rsdp + 16);
		width = 4;
		sig = "RSDT";
	}
	uint32_t len;
	const char *err = table_ok(root, sig, &len);
	if (err)
		return err;
	t->xsdt = root;
	for (uint32_t off = 36; off + width <= len; off += width) {
		uint64_t a = width == 8 ? rd64(root + off) : rd32(root + off);
		uint32_t tlen;
		if ((err = table_ok(a, NULL, &tlen)))
			return err;
		if (memcmp(ptr(a), "APIC", 4) == 0) {
			t->madt = a;
			if ((err = walk_madt(t, tlen)))
				return err;
		} else if (memcmp(ptr(a), "FACP", 4) == 0) {
			t->fadt = a;
			uint64_t dsdt = tlen >= 148 ? rd64(a + 140) : 0;
			if (!dsdt)
				dsdt = rd32(a + 40);
			t->dsdt = dsdt;
			/* Generic Address Structures: space id 1 = system I/O */
			if (tlen >= 256 && ptr(a + 244)[0] == 1)
				t->sleep_ctl = rd64(a + 248);
			if (tlen >= 129 && ptr(a + 116)[0] == 1 && (rd32(a + 112) & (1u << 10))) {
				t->reset_reg = rd64(a + 120);
				t->reset_value = ptr(a + 128)[0];
			}
		}
	}
	if (!t->madt)
		return "no MADT";
	if (!t->fadt)
		return "no FADT";
	if (!t->dsdt)
		return "FADT names no DSDT";
	if ((err = table_ok(t->dsdt, "DSDT", &len)))
		return err;
	t->dsdt_len = len;
	return NULL;
}
