/* ACPI table construction (ACPI 6.x layouts, written byte by byte). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/acpi.h"
#include "boot/aml.h"
#include "boot/layout.h"
#include "boot/checksum.h"

#define HDR_LEN 36
#define FADT_LEN 276
#define FADT_FLAG_HW_REDUCED (1u << 20)
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define IAPC_VGA_NOT_PRESENT 0x4
#define IAPC_MSI_NOT_SUPPORTED 0x8
#define IAPC_CMOS_RTC_NOT_PRESENT 0x20

static void header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev, const char *table_id)
{
	memcpy(p, sig, 4);
	gm_put_le32(p + 4, len);
	p[8] = rev;
	p[9] = 0; /* checksum, set last */
	memcpy(p + 10, "VMMVMM", 6);
	memcpy(p + 16, table_id, 8);
	gm_put_le32(p + 24, 1); /* OEM revision */
	memcpy(p + 28, "VMMC", 4);
	gm_put_le32(p + 32, 1); /* creator revision */
}

static void checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)(0x100 - boot_sum8(p, len));
}

/* A Generic Address Structure for a byte-wide I/O port. */
static void gas_io8(uint8_t *g, uint16_t port)
{
	g[0] = 1; /* system I/O space */
	g[1] = 8; /* register bit width */
	g[2] = 0; /* bit offset */
	g[3] = 1; /* byte access */
	gm_put_le64(g + 4, port);
}

static size_t align16(size_t v)
{
	return (v + 15) & ~(size_t)15;
}

long boot_acpi_dsdt_aml(const struct boot_acpi_config *c, uint8_t *buf, size_t cap)
{
	struct boot_aml a;
	boot_aml_init(&a, buf, cap);
	size_t sb = boot_aml_begin_scope(&a, "\\_SB_");
	boot_aml_com_device(&a, "COM1", 0, BOOT_COM1_PORT, BOOT_COM1_IRQ);
	for (size_t i = 0; i < c->nvirtio; i++)
		boot_aml_virtio_mmio_device(&a, (unsigned)i, c->virtio[i].addr, c->virtio[i].size,
					    c->virtio[i].gsi);
	boot_aml_end(&a, sb);
	/* Name(\_S5, Package() {S5 type, 0}): lets the guest power off through
	 * the FADT's sleep control register. */
	const uint8_t s5[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a,
			      BOOT_ACPI_S5_TYPE, 0x00};
	boot_aml_bytes(&a, s5, sizeof(s5));
	return a.err ? a.err : (long)a.len;
}

static size_t build_madt(const struct boot_acpi_config *c, uint8_t *p)
{
	size_t off = HDR_LEN;
	gm_put_le32(p + off, (uint32_t)BOOT_LAPIC_ADDR);
	gm_put_le32(p + off + 4, 1); /* PCAT_COMPAT: the dual 8259s exist */
	off += 8;
	for (unsigned i = 0; i < c->ncpus; i++) {
		p[off] = 0; /* Processor Local APIC */
		p[off + 1] = 8;
		p[off + 2] = (uint8_t)i; /* ACPI processor UID */
		p[off + 3] = (uint8_t)i; /* APIC ID */
		gm_put_le32(p + off + 4, 1); /* enabled */
		off += 8;
	}
	p[off] = 1; /* I/O APIC */
	p[off + 1] = 12;
	p[off + 2] = (uint8_t)c->ncpus; /* id: after the LAPIC IDs, as in the MP table */
	p[off + 3] = 0;
	gm_put_le32(p + off + 4, (uint32_t)BOOT_IOAPIC_ADDR);
	gm_put_le32(p + off + 8, 0); /* GSI base */
	off += 12;
	p[off] = 2; /* Interrupt Source Override: ISA IRQ0 -> GSI2 */
	p[off + 1] = 10;
	p[off + 2] = 0; /* bus ISA */
	p[off + 3] = 0; /* source */
	gm_put_le32(p + off + 4, 2);
	gm_put_le16(p + off + 8, 0); /* conforms to the bus */
	off += 10;
	if (c->irq9_override) {
		p[off] = 2;
		p[off + 1] = 10;
		p[off + 2] = 0;
		p[off + 3] = 9;
		gm_put_le32(p + off + 4, 9);
		gm_put_le16(p + off + 8, 0x000d); /* level triggered, active high */
		off += 10;
	}
	p[off] = 4; /* Local APIC NMI: all processors, LINT1 */
	p[off + 1] = 6;
	p[off + 2] = 0xff;
	gm_put_le16(p + off + 3, 0);
	p[off + 5] = 1;
	off += 6;
	header(p, "APIC", (uint32_t)off, 5, "VMMMADT ");
	checksum(p, off, 9);
	return off;
}

int boot_acpi_build(const struct boot_acpi_config *c, uint64_t base, uint8_t *buf, size_t cap,
		    struct boot_acpi_layout *lay, struct boot_err *err)
{
	if (c->ncpus < 1 || c->ncpus > BOOT_MAX_CPUS)
		return boot_errf(err, -EINVAL, "ACPI: %u vCPUs (1..%d supported)", c->ncpus,
				 BOOT_MAX_CPUS);
	if (c->nvirtio && !c->virtio)
		return boot_errf(err, -EINVAL, "ACPI: virtio device list missing");
	/* fixed-size part: RSDP 36, XSDT 36+16, FADT 276, MADT <= 36+8+8*32+12+20+6 */
	size_t need = 48 + 64 + 288 + 400;
	if (cap < need + HDR_LEN)
		return boot_errf(err, -ENOSPC, "ACPI: buffer too small");
	memset(buf, 0, cap);
	size_t rsdp = 0, xsdt = 48, fadt = xsdt + align16(HDR_LEN + 16);
	size_t madt = fadt + align16(FADT_LEN);
	size_t madt_len = build_madt(c, buf + madt);
	size_t dsdt = madt + align16(madt_len);

	long aml = boot_acpi_dsdt_aml(c, buf + dsdt + HDR_LEN, cap - dsdt - HDR_LEN);
	if (aml < 0)
		return boot_errf(err, (int)aml, aml == -ENOSPC ? "ACPI: DSDT does not fit"
							       : "ACPI: bad virtio-mmio device for the DSDT");
	size_t dsdt_len = HDR_LEN + (size_t)aml;
	if (base > UINT32_MAX || dsdt + dsdt_len > UINT32_MAX - base)
		return boot_errf(err, -EINVAL, "ACPI: tables must lie below 4 GiB");
	header(buf + dsdt, "DSDT", (uint32_t)dsdt_len, 2, "VMMDSDT ");
	checksum(buf + dsdt, dsdt_len, 9);

	uint8_t *f = buf + fadt;
	header(f, "FACP", FADT_LEN, 6, "VMMFADT ");
	gm_put_le32(f + 40, (uint32_t)(base + dsdt));  /* DSDT */
	gm_put_le16(f + 109, IAPC_VGA_NOT_PRESENT | IAPC_MSI_NOT_SUPPORTED | IAPC_CMOS_RTC_NOT_PRESENT);
	gm_put_le32(f + 112, FADT_FLAG_HW_REDUCED | FADT_FLAG_RESET_REG_SUP);
	gas_io8(f + 116, BOOT_ACPI_RESET_PORT);    /* RESET_REG */
	f[128] = BOOT_ACPI_RESET_VALUE;           /* RESET_VALUE */
	gas_io8(f + 244, BOOT_ACPI_SLEEP_CONTROL_PORT); /* SLEEP_CONTROL_REG */
	gas_io8(f + 256, BOOT_ACPI_SLEEP_STATUS_PORT);  /* SLEEP_STATUS_REG */
	f[131] = 3;                               /* FADT minor version (6.3) */
	gm_put_le64(f + 140, base + dsdt);           /* X_DSDT */
	memcpy(f + 268, "VMMVMM\0\0", 8);          /* hypervisor vendor identity */
	checksum(f, FADT_LEN, 9);

	uint8_t *x = buf + xsdt;
	header(x, "XSDT", HDR_LEN + 16, 1, "VMMXSDT ");
	gm_put_le64(x + HDR_LEN, base + fadt);
	gm_put_le64(x + HDR_LEN + 8, base + madt);
	checksum(x, HDR_LEN + 16, 9);

	uint8_t *r = buf + rsdp;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "VMMVMM", 6);
	r[15] = 2;             /* revision: ACPI 2.0+ */
	gm_put_le32(r + 16, 0);   /* no RSDT: the XSDT is used */
	gm_put_le32(r + 20, 36);
	gm_put_le64(r + 24, base + xsdt);
	checksum(r, 20, 8);
	checksum(r, 36, 32);

	lay->rsdp = base + rsdp;
	lay->xsdt = base + xsdt;
	lay->fadt = base + fadt;
	lay->madt = base + madt;
	lay->dsdt = base + dsdt;
	lay->size = dsdt + dsdt_len;
	return 0;
}

int boot_acpi_write(const struct gm_memory *m, const struct boot_acpi_config *c,
		    struct boot_acpi_layout *lay, struct boot_err *err)
{
	uint8_t *buf = calloc(1, BOOT_ACPI_MAX);
	if (!buf)
		return boot_errf(err, -ENOMEM, "ACPI: out of memory");
	int r = boot_acpi_build(c, BOOT_ACPI_ADDR, buf, BOOT_ACPI_MAX, lay, err);
	if (!r && gm_memory_write_slice(m, buf, lay->size, gm_addr(BOOT_ACPI_ADDR)))
		r = boot_errf(err, -EFAULT, "ACPI: cannot write tables at 0x%llx",
			      (unsigned long long)BOOT_ACPI_ADDR);
	free(buf);
	return r;
}
