/* tiny: interrupt delivery for the virtio tests: a 256-entry IDT (the
 * exception gates copied from the current one), one handler that counts,
 * the IOAPIC pin of a GSI routed edge/active-high to the BSP, the 8259s masked. */
#include "virtio.h"

#define IOAPIC 0xfec00000ull
#define LAPIC 0xfee00000ull

struct gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));
struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct gate idt256[256] __attribute__((aligned(16)));
static volatile uint32_t irq_count;

struct interrupt_frame;
__attribute__((interrupt)) static void irq_handler(struct interrupt_frame *f)
{
	(void)f;
	irq_count++;
	*(volatile uint32_t *)(uintptr_t)(LAPIC + 0xb0) = 0; /* EOI (no calls from an ISR) */
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC, reg);
	mmio_write32(IOAPIC + 0x10, v);
}

void irq_route(uint32_t gsi, uint8_t vector)
{
	struct dtr cur;
	__asm__ volatile("sidt %0" : "=m"(cur));
	uint32_t n = (cur.limit + 1u) / sizeof(struct gate);
	if (n > 32)
		n = 32;
	memcpy(idt256, (const void *)(uintptr_t)cur.base, n * sizeof(struct gate));
	uint64_t a = (uint64_t)(uintptr_t)irq_handler;
	idt256[vector] = (struct gate){(uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
	struct dtr d = {sizeof(idt256) - 1, (uint64_t)(uintptr_t)idt256};
	__asm__ volatile("lidt %0" : : "m"(d));
	outb(0x21, 0xff); /* mask both 8259s: the IOAPIC delivers */
	outb(0xa1, 0xff);
	mmio_write32(LAPIC + 0xf0, mmio_read32(LAPIC + 0xf0) | 0x100 | 0xff); /* software enable */
	mmio_write32(LAPIC + 0x80, 0);					      /* TPR */
	uint32_t apic_id = mmio_read32(LAPIC + 0x20) >> 24;
	ioapic_write(0x11 + 2 * gsi, apic_id << 24);
	ioapic_write(0x10 + 2 * gsi, vector); /* fixed, physical, active high, edge, unmasked */
}

uint32_t irq_seen(void) { return irq_count; }

/* Interrupts on until the count passes `than` (or spins run out). */
bool irq_wait_more(uint32_t than, uint64_t spins)
{
	__asm__ volatile("sti");
	uint64_t i = 0;
	while (irq_count <= than && i++ < spins)
		__asm__ volatile("pause");
	__asm__ volatile("cli");
	return irq_count > than;
}
