/* tiny: exit-cost loops for make bench (tests/bench/exits.sh).
 *
 * Each test writes the boot-timer magic (123 to port 0x440) right before and
 * right after a loop of N exits, so the VMM timestamps both ends on the host's
 * clock; the loop is the same instruction sequence tests/bench/raw_exits runs
 * (`out dx, al` or `mov [rdi], al`, then `dec ecx; jnz`). RDTSC around the loop
 * is printed too, as a cross-check from inside.
 *
 *   exits_pio        OUT to port 0x80 (a registered device in vmm: the quiet POST port)
 *   exits_pio_miss   OUT to port 0x510 (no device: the DeviceManager's miss path)
 *   exits_mmio       byte write to 0xfd000000 (no device: the miss path)
 *   exits_*_cpl3     the same from CPL3 (user pages; IOPL 3 and an all-ports I/O
 *                    bitmap), entered with IRETQ;
 *                    they end at CPL3: print the result and reset from there.
 */
#include "exits.h"

#include "tiny.h"

#define EXITS_DEFAULT_N 100000u
#define EXITS_PIO_PORT 0x80
#define EXITS_PIO_MISS_PORT 0x510
#define EXITS_MMIO_ADDR 0xfd000000ull
#define BOOT_TIMER_PORT 0x440
#define BOOT_TIMER_MAGIC 123

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

enum exits_kind { EXITS_PIO, EXITS_PIO_MISS, EXITS_MMIO };

/* What the CPL3 code runs; set before the switch, read at CPL3 (user pages). */
static struct {
	enum exits_kind kind;
	uint32_t n;
	const char *name;
} job;

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
static uint8_t user_stack[4096] __attribute__((aligned(16)));

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint32_t parse_u32(const char *s, uint32_t dflt)
{
	uint64_t v = 0;
	if (!*s)
		return dflt;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return dflt;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0xffffffffull)
			return dflt;
	}
	return v ? (uint32_t)v : dflt;
}

/* The measured loops: byte for byte the loop body of tests/bench/raw_exits. */
static void loop_pio(uint32_t n, uint16_t port)
{
	__asm__ volatile("1: outb %%al, %%dx\n\tdec %%ecx\n\tjnz 1b" : "+c"(n) : "a"(0), "d"(port) : "memory");
}

static void loop_mmio(uint32_t n, uint64_t addr)
{
	__asm__ volatile("1: movb %%al, (%%rdi)\n\tdec %%ecx\n\tjnz 1b" : "+c"(n) : "a"(0), "D"(addr) : "memory");
}

static void run_job(void)
{
	uint64_t t0 = rdtsc();
	outb(BOOT_TIMER_PORT, BOOT_TIMER_MAGIC);
	if (job.kind == EXITS_MMIO)
		loop_mmio(job.n, EXITS_MMIO_ADDR);
	else
		loop_pio(job.n, job.kind == EXITS_PIO ? EXITS_PIO_PORT : EXITS_PIO_MISS_PORT);
	outb(BOOT_TIMER_PORT, BOOT_TIMER_MAGIC);
	uint64_t t1 = rdtsc();
	tprintf("TINY INFO exits %s n=%u tsc_cycles=%lu per_exit=%lu\n", job.name, job.n, t1 - t0, (t1 - t0) / job.n);
}

/* ---- CPL3 ---- */

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

static void __attribute__((noreturn)) user_main(void)
{
	run_job();
	tprintf("TINY PASS %s\n", job.name);
	/* i8042 reset (port I/O is allowed through the I/O bitmap). The VMM may take
	 * a moment (QEMU resets asynchronously): wait at CPL3, where tiny_reset()'s
	 * fallback (LIDT) would fault. */
	outb(0x64, 0xfe);
	for (;;)
		__asm__ volatile("pause");
}

static const char *enter_cpl3(void)
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

	/* User pages: the image (code, data, stacks) and the MMIO target. */
	for (uint64_t a = (uintptr_t)tiny_image_start & ~0x1fffffull; a < (uintptr_t)tiny_image_end; a += 0x200000) {
		const char *err = user_map(a);
		if (err)
			return err;
	}
	const char *err = user_map(EXITS_MMIO_ADDR);
	if (err)
		return err;
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
	                 : "r"((uint64_t)SEL_UDATA), "r"(ursp), "i"(SEL_UCODE), "r"((uint64_t)(uintptr_t)user_main)
	                 : "memory");
	__builtin_unreachable();
}

const char *tiny_exits(const char *name, const char *cmdline)
{
	static const struct {
		const char *name;
		enum exits_kind kind;
		bool cpl3;
	} tests[] = {
		{"exits_pio", EXITS_PIO, false},       {"exits_pio_miss", EXITS_PIO_MISS, false},
		{"exits_mmio", EXITS_MMIO, false},     {"exits_pio_cpl3", EXITS_PIO, true},
		{"exits_mmio_cpl3", EXITS_MMIO, true},
	};
	char v[16];
	job.n = cmdline_get(cmdline, "tiny.exits", v, sizeof(v)) ? parse_u32(v, EXITS_DEFAULT_N) : EXITS_DEFAULT_N;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (strlen(tests[i].name) != strlen(name) || memcmp(tests[i].name, name, strlen(name)) != 0)
			continue;
		job.kind = tests[i].kind;
		job.name = tests[i].name;
		if (tests[i].cpl3)
			return enter_cpl3();
		run_job();
		return NULL;
	}
	return "unknown exits test";
}
