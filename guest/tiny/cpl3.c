/* tiny: CPL3 entry for benchmark loops (see cpl3.h). */
#include "cpl3.h"

#include "tiny.h"

#define SEL_KCODE 0x08
#define SEL_UDATA (0x20 | 3)
#define SEL_UCODE (0x28 | 3)
#define SEL_TSS 0x30
#define PTE_P 0x1ull
#define PTE_U 0x4ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

extern char tiny_image_start[], tiny_image_end[];

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

/* The TSS with an I/O permission bitmap allowing every port (all zero bits,
 * then the terminating 0xff byte): KVM-PVM's IRETQ does not keep IOPL 3. */
static struct {
	struct tss64 t;
	uint8_t iomap[8192 + 1];
} __attribute__((packed, aligned(16))) tss;
static uint64_t gdt[8] __attribute__((aligned(16)));
static uint8_t kernel_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[16384] __attribute__((aligned(16)));

/* What the CPL3 side calls; set before the switch, read at CPL3 (user pages). */
static void (*user_fn)(void *);
static void *user_arg;

static uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/* Make the 2 MiB page holding va (and the tables above it) user-accessible. */
static const char *user_map(uint64_t va)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);
	uint64_t *e = &pml4[(va >> 39) & 511];
	if (!(*e & PTE_P))
		return "PML4 entry not present";
	*e |= PTE_U;
	uint64_t *pdpt = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	e = &pdpt[(va >> 30) & 511];
	if (!(*e & PTE_P) || (*e & PTE_PS))
		return "PDPT entry not present (or a 1 GiB page)";
	*e |= PTE_U;
	uint64_t *pd = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	e = &pd[(va >> 21) & 511];
	if (!(*e & PTE_P) || !(*e & PTE_PS))
		return "PD entry not present or not a 2 MiB page";
	*e |= PTE_U;
	return NULL;
}

const char *tiny_cpl3_map(uint64_t va, uint64_t len)
{
	for (uint64_t a = va & ~0x1fffffull; a < va + len; a += 0x200000) {
		const char *err = user_map(a);
		if (err)
			return err;
	}
	return NULL;
}

void tiny_cpl3_exit(void)
{
	/* i8042 reset (port I/O is allowed through the I/O bitmap). */
	outb(0x64, 0xfe);
	for (int i = 0; i < 100000; i++)
		__asm__ volatile("pause");
	/* No i8042 (QEMU microvm) or a slow one: back to CPL0 through an
	 * exception whose handler resets (triple fault) without a report. */
	tiny_reset_on_exception = 1;
	for (;;)
		__asm__ volatile("ud2");
}

static void __attribute__((noreturn)) user_entry(void)
{
	user_fn(user_arg);
	tiny_cpl3_exit();
}

const char *tiny_cpl3_run(void (*fn)(void *), void *arg)
{
	/* GDT: the same kernel selectors as head.S, user data/code, a TSS. */
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull; /* 0x08 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull; /* 0x10 data, DPL 0 */
	gdt[3] = 0x00cf9a000000ffffull; /* 0x18 32-bit code */
	gdt[4] = 0x00cff2000000ffffull; /* 0x20 data, DPL 3 */
	gdt[5] = 0x00affa000000ffffull; /* 0x28 64-bit code, DPL 3 */
	uint64_t tb = (uint64_t)(uintptr_t)&tss, tl = sizeof(tss) - 1;
	gdt[6] = (tl & 0xffff) | ((tb & 0xffffff) << 16) | (0x89ull << 40) | (((tl >> 16) & 0xf) << 48) |
	         (((tb >> 24) & 0xff) << 56);
	gdt[7] = tb >> 32;
	/* tss is zero (.bss is in the image); clearing 8 KiB at emulated CPL0 costs ~50 ms. */
	tss.t.rsp0 = (uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack)); /* exceptions at CPL3 */
	tss.t.iomap_base = sizeof(tss.t);
	tss.iomap[8192] = 0xff;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gp = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};
	__asm__ volatile("lgdt %0" : : "m"(gp));
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)SEL_TSS));

	/* User pages: the image (code, data, stacks). */
	const char *err = tiny_cpl3_map((uintptr_t)tiny_image_start,
	                                (uint64_t)(tiny_image_end - tiny_image_start));
	if (err)
		return err;
	user_fn = fn;
	user_arg = arg;
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & (CR4_SMEP | CR4_SMAP)) {
		cr4 &= ~(CR4_SMEP | CR4_SMAP);
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"(read_cr3()) : "memory"); /* flush the TLB */

	uint64_t ursp = (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack)) - 8;
	__asm__ volatile("mov %k0, %%ds\n\t"
	                 "mov %k0, %%es\n\t"
	                 "pushq %q0\n\t" /* ss */
	                 "pushq %1\n\t"  /* rsp */
	                 "pushq $0x3002\n\t" /* rflags: IOPL 3, interrupts off */
	                 "pushq %2\n\t"  /* cs */
	                 "pushq %3\n\t"  /* rip */
	                 "iretq"
	                 :
	                 : "r"((uint64_t)SEL_UDATA), "r"(ursp), "i"(SEL_UCODE), "r"((uint64_t)(uintptr_t)user_entry)
	                 : "memory");
	__builtin_unreachable();
}

