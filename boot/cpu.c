/* GDT, page tables and entry registers for the two entry modes. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/cpu.h"
#include "boot/layout.h"
#include <vmm-mem/endian.h>

_Static_assert(BOOT_GDT_ADDR + 8 * BOOT_GDT_ENTRIES <= BOOT_IDT_ADDR, "GDT overlaps IDT");

/* flags: G(15) DB(14) L(13) AVL(12) P(7) DPL(6:5) S(4) TYPE(3:0) */
static uint64_t desc(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf0ff) << 40) |
	       ((uint64_t)(limit & 0x000f0000u) << 32) | ((uint64_t)(base & 0x00ffffffu) << 16) |
	       (uint64_t)(limit & 0x0000ffffu);
}

void boot_gdt_build(enum boot_entry_mode mode, uint64_t gdt[4])
{
	gdt[0] = 0;
	gdt[1] = desc(0x008b, 0, 0x67);  /* present 32-bit busy TSS */
	gdt[2] = mode == BOOT_ENTRY_LONG64 ? desc(0xa09b, 0, 0xfffff)  /* G L P S code */
					   : desc(0xc09b, 0, 0xfffff); /* G D P S code */
	gdt[3] = desc(0xc093, 0, 0xfffff); /* G B P S data rw, accessed */
}

struct boot_segment boot_segment_from_desc(uint64_t d, uint16_t selector)
{
	struct boot_segment s;
	memset(&s, 0, sizeof(s));
	s.base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	uint32_t limit = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
	s.g = (d >> 55) & 1;
	s.limit = s.g ? (limit << 12) | 0xfff : limit;
	s.selector = selector;
	s.type = (d >> 40) & 0xf;
	s.s = (d >> 44) & 1;
	s.dpl = (d >> 45) & 3;
	s.present = (d >> 47) & 1;
	s.avl = (d >> 52) & 1;
	s.l = (d >> 53) & 1;
	s.db = (d >> 54) & 1;
	s.unusable = !s.present;
	return s;
}

void boot_pagetables_build(uint8_t *buf)
{
	memset(buf, 0, 3 * 4096);
	gm_put_le64(buf, BOOT_PDPT_ADDR | 0x3);            /* present, writable */
	gm_put_le64(buf + 4096, BOOT_PD_ADDR | 0x3);
	for (uint64_t i = 0; i < 512; i++)
		gm_put_le64(buf + 8192 + i * 8, (i << 21) | 0x83); /* 2 MiB, P|W|PS */
}

void boot_entry_init(struct boot_entry *st, enum boot_entry_mode mode, uint64_t entry,
		     uint64_t arg)
{
	uint64_t gdt[BOOT_GDT_ENTRIES];
	boot_gdt_build(mode, gdt);
	memset(st, 0, sizeof(*st));
	st->mode = mode;
	st->rip = entry;
	st->rflags = 0x2;
	st->cs = boot_segment_from_desc(gdt[2], BOOT_SEL_CODE);
	st->ds = boot_segment_from_desc(gdt[3], BOOT_SEL_DATA);
	st->es = st->fs = st->gs = st->ss = st->ds;
	st->tr = boot_segment_from_desc(gdt[1], BOOT_SEL_TSS);
	st->gdt = (struct boot_dtable){ BOOT_GDT_ADDR, 8 * BOOT_GDT_ENTRIES - 1 };
	st->idt = (struct boot_dtable){ BOOT_IDT_ADDR, 7 };
	if (mode == BOOT_ENTRY_LONG64) {
		st->rsp = st->rbp = BOOT_STACK_ADDR;
		st->rsi = arg;
		st->cr0 = BOOT_CR0_PE | BOOT_CR0_ET | BOOT_CR0_PG;
		st->cr3 = BOOT_PML4_ADDR;
		st->cr4 = BOOT_CR4_PAE;
		st->efer = BOOT_EFER_LME | BOOT_EFER_LMA;
	} else {
		st->rbx = arg;
		st->cr0 = BOOT_CR0_PE | BOOT_CR0_ET;
	}
}

int boot_cpu_setup(const struct gm_memory *m, enum boot_entry_mode mode, uint64_t entry,
		   uint64_t arg, struct boot_entry *st, struct boot_err *err)
{
	uint64_t gdt[BOOT_GDT_ENTRIES];
	uint8_t raw[8 * BOOT_GDT_ENTRIES], idt[8] = { 0 };
	boot_gdt_build(mode, gdt);
	for (int i = 0; i < BOOT_GDT_ENTRIES; i++)
		gm_put_le64(raw + 8 * i, gdt[i]);
	uint8_t pt[3 * 4096];
	boot_pagetables_build(pt);
	if (gm_memory_write_slice(m, raw, sizeof(raw), gm_addr(BOOT_GDT_ADDR)) ||
	    gm_memory_write_slice(m, idt, sizeof(idt), gm_addr(BOOT_IDT_ADDR)) ||
	    gm_memory_write_slice(m, pt, sizeof(pt), gm_addr(BOOT_PML4_ADDR)))
		return boot_errf(err, -EFAULT, "cannot write GDT/IDT/page tables to low guest memory");
	boot_entry_init(st, mode, entry, arg);
	return 0;
}
