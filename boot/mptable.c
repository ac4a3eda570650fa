/* MP table construction. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/layout.h"
#include "boot/checksum.h"
#include "boot/mptable.h"

#define FP_LEN 16
#define CFG_HDR_LEN 44
#define MP_PROC 0
#define MP_BUS 1
#define MP_IOAPIC 2
#define MP_IOINTR 3
#define MP_LINTR 4
#define APIC_VERSION 0x14
#define IOAPIC_VERSION 0x11
#define ISA_IRQS 16

long boot_mptable_build(unsigned ncpus, uint64_t base, uint8_t *buf, size_t cap,
			struct boot_err *err)
{
	if (ncpus < 1 || ncpus > BOOT_MAX_CPUS)
		return boot_errf(err, -EINVAL, "MP table: %u vCPUs (1..%d supported)", ncpus,
				 BOOT_MAX_CPUS);
	size_t need = FP_LEN + CFG_HDR_LEN + 20 * ncpus + 8 + 8 + 8 * (ISA_IRQS - 1) + 8 * 2;
	if (cap < need || base > UINT32_MAX || need > UINT32_MAX - base)
		return boot_errf(err, -ENOSPC, "MP table: %zu bytes do not fit", need);
	memset(buf, 0, need);
	uint8_t *cfg = buf + FP_LEN;
	size_t off = CFG_HDR_LEN;
	uint16_t count = 0;
	uint8_t ioapic_id = (uint8_t)ncpus;

	for (unsigned i = 0; i < ncpus; i++, count++) {
		uint8_t *e = cfg + off;
		e[0] = MP_PROC;
		e[1] = (uint8_t)i; /* local APIC id */
		e[2] = APIC_VERSION;
		e[3] = (uint8_t)(0x1 | (i == 0 ? 0x2 : 0)); /* enabled, BSP */
		gm_put_le32(e + 4, 0x600);  /* family 6 signature */
		gm_put_le32(e + 8, 0x201);  /* FPU | APIC */
		off += 20;
	}
	uint8_t *e = cfg + off;
	e[0] = MP_BUS;
	e[1] = 0;
	memcpy(e + 2, "ISA   ", 6);
	off += 8;
	count++;
	e = cfg + off;
	e[0] = MP_IOAPIC;
	e[1] = ioapic_id;
	e[2] = IOAPIC_VERSION;
	e[3] = 1; /* usable */
	gm_put_le32(e + 4, (uint32_t)BOOT_IOAPIC_ADDR);
	off += 8;
	count++;
	for (uint8_t irq = 0; irq < ISA_IRQS; irq++) {
		if (irq == 2)
			continue; /* the cascade; IRQ0 uses pin 2 */
		e = cfg + off;
		e[0] = MP_IOINTR;
		e[1] = 0;             /* INT */
		gm_put_le16(e + 2, 0);   /* conforms to the bus */
		e[4] = 0;             /* source bus: ISA */
		e[5] = irq;
		e[6] = ioapic_id;
		e[7] = irq == 0 ? 2 : irq;
		off += 8;
		count++;
	}
	for (uint8_t lint = 0; lint < 2; lint++) {
		e = cfg + off;
		e[0] = MP_LINTR;
		e[1] = lint == 0 ? 3 : 1; /* ExtINT on LINT0, NMI on LINT1 */
		gm_put_le16(e + 2, 0);
		e[4] = 0;
		e[5] = 0;
		e[6] = 0xff; /* all local APICs */
		e[7] = lint;
		off += 8;
		count++;
	}
	memcpy(cfg, "PCMP", 4);
	gm_put_le16(cfg + 4, (uint16_t)off);
	cfg[6] = 4; /* spec 1.4 */
	memcpy(cfg + 8, "VMM     ", 8);
	memcpy(cfg + 16, "VMM-MPTABLE ", 12);
	gm_put_le16(cfg + 34, count);
	gm_put_le32(cfg + 36, (uint32_t)BOOT_LAPIC_ADDR);
	cfg[7] = (uint8_t)(0x100 - boot_sum8(cfg, off));

	memcpy(buf, "_MP_", 4);
	gm_put_le32(buf + 4, (uint32_t)(base + FP_LEN));
	buf[8] = 1; /* length in 16-byte units */
	buf[9] = 4;
	buf[10] = (uint8_t)(0x100 - boot_sum8(buf, FP_LEN));
	return (long)(FP_LEN + off);
}

int boot_mptable_write(const struct gm_memory *m, unsigned ncpus, struct boot_err *err)
{
	uint8_t buf[BOOT_MPTABLE_MAX];
	long n = boot_mptable_build(ncpus, BOOT_MPTABLE_ADDR, buf, sizeof(buf), err);
	if (n < 0)
		return (int)n;
	if (gm_memory_write_slice(m, buf, (size_t)n, gm_addr(BOOT_MPTABLE_ADDR)))
		return boot_errf(err, -EFAULT, "MP table: cannot write at 0x%llx",
				 (unsigned long long)BOOT_MPTABLE_ADDR);
	return 0;
}
