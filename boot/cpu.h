/* Entry vCPU state, GDT/IDT and identity page tables.
 * The program converts struct boot_entry into kvm_regs / kvm_sregs field by
 * field (the segment struct mirrors struct kvm_segment); boot/ itself does
 * not include linux/kvm.h.
 *
 * One GDT at BOOT_GDT_ADDR serves both entry modes (boot.rst wants
 * __BOOT_CS = 0x10, __BOOT_DS = 0x18):
 *   0x00 null, 0x08 TSS placeholder (32-bit busy TSS, base 0, limit 0x67),
 *   0x10 code (64-bit L=1 for the long-mode entry, 32-bit D=1 for PVH),
 *   0x18 data (flat 4 GiB read/write). */
#ifndef VMM_BOOT_CPU_H
#define VMM_BOOT_CPU_H

#include <stdint.h>

#include "boot/err.h"

struct gm_memory;

#define BOOT_SEL_TSS 0x08
#define BOOT_SEL_CODE 0x10
#define BOOT_SEL_DATA 0x18

#define BOOT_CR0_PE 0x1ULL
#define BOOT_CR0_ET 0x10ULL
#define BOOT_CR0_PG 0x80000000ULL
#define BOOT_CR4_PAE 0x20ULL
#define BOOT_EFER_LME 0x100ULL
#define BOOT_EFER_LMA 0x400ULL

enum boot_entry_mode {
	BOOT_ENTRY_LONG64 = 1, /* paging on, rip = 64-bit entry, rsi = zero page */
	BOOT_ENTRY_PVH32,      /* protected mode, paging off, rbx = start_info */
};

struct boot_segment {
	uint64_t base;
	uint32_t limit; /* byte granular limit (already scaled when g = 1) */
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable;
};

struct boot_dtable {
	uint64_t base;
	uint16_t limit;
};

struct boot_entry {
	enum boot_entry_mode mode;
	uint64_t rip, rsp, rbp, rsi, rbx, rflags;
	uint64_t cr0, cr3, cr4, efer;
	struct boot_segment cs, ds, es, fs, gs, ss, tr;
	struct boot_dtable gdt, idt;
};

/* The GDT for mode (BOOT_GDT_ENTRIES raw descriptors). */
void boot_gdt_build(enum boot_entry_mode mode, uint64_t gdt[4]);
/* Decode a raw descriptor into a segment with the given selector. */
struct boot_segment boot_segment_from_desc(uint64_t desc, uint16_t selector);
/* PML4/PDPT/PD (3 x 4096 bytes, contiguous) identity-mapping the first GiB
 * with 2 MiB pages, for tables at BOOT_PML4_ADDR. */
void boot_pagetables_build(uint8_t *buf);
/* Registers for mode: rip = entry, rsi (LONG64) or rbx (PVH32) = arg. */
void boot_entry_init(struct boot_entry *st, enum boot_entry_mode mode, uint64_t entry,
		     uint64_t arg);

/* Write GDT, IDT and page tables to guest memory and fill *st.
 * 0 or -EFAULT (low memory not mapped). */
int boot_cpu_setup(const struct gm_memory *m, enum boot_entry_mode mode, uint64_t entry,
		   uint64_t arg, struct boot_entry *st, struct boot_err *err);

#endif
