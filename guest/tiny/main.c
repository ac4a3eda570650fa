/* tiny: test selection (tiny.test=NAME on the command line), the tests, exceptions, reset. */
#include "tiny.h"
#include "virtio.h"

#include "exits.h"

#define BOOT_TIMER_PORT 0x440
#define BOOT_TIMER_MAGIC 123

extern char tiny_image_start[], tiny_image_end[];
extern const char tiny_exc_stubs[];

static struct tiny_boot boot;
static struct tiny_acpi acpi;
static char test_name[32] = "hello";

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));
static struct idt_gate idt[32] __attribute__((aligned(16)));

static void idt_setup(void)
{
	for (int i = 0; i < 32; i++) {
		uint64_t a = (uint64_t)(uintptr_t)tiny_exc_stubs + 16u * (unsigned)i;
		idt[i] = (struct idt_gate){(uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
	}
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void tiny_reset(void)
{
	outb(0x64, 0xfe); /* i8042: pulse the reset line */
	for (int i = 0; i < 100; i++)
		io_delay();
	/* Fallback: triple fault. */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = {0, 0};
	__asm__ volatile("lidt %0; ud2" : : "m"(none));
	for (;;)
		__asm__ volatile("cli; hlt");
}

static bool streq(const char *a, const char *b) { return strlen(a) == strlen(b) && memcmp(a, b, strlen(a)) == 0; }

volatile int tiny_reset_on_exception;

void tiny_exception(const uint64_t *f)
{
	if (tiny_reset_on_exception)
		tiny_reset();
	if (f[0] == 3 && streq(test_name, "int3")) {
		tprintf("TINY INFO int3 delivered to the guest's IDT (hardware virtualization)\n");
		tprintf("TINY PASS int3\n");
	} else {
		tprintf("TINY FAIL %s: exception %lu error %lx at rip %lx\n", test_name, f[0], f[1], f[2]);
	}
	tiny_reset();
}

static bool ram_covers(uint64_t a, uint64_t len)
{
	for (uint32_t i = 0; i < boot.n_e820; i++) {
		const struct tiny_e820 *e = &boot.e820[i];
		if (e->type == 1 && a >= e->addr && a - e->addr <= e->size && len <= e->size - (a - e->addr))
			return true;
	}
	return false;
}

static const char *test_hello(void)
{
	tprintf("Hello from tiny (%s entry)\n", boot.kind == TINY_BOOT_PVH ? "PVH" : "64-bit boot protocol");
	return NULL;
}

static const char *test_bootinfo(void)
{
	tprintf("TINY INFO entry=%s\n", boot.kind == TINY_BOOT_PVH ? "pvh" : "linux");
	tprintf("TINY INFO cmdline=%s\n", boot.cmdline);
	uint64_t ram_end = 0, ram_total = 0;
	for (uint32_t i = 0; i < boot.n_e820; i++) {
		const struct tiny_e820 *e = &boot.e820[i];
		if (e->size == 0) { /* Linux drops these too */
			tprintf("TINY INFO e820 empty entry ignored\n");
			continue;
		}
		tprintf("TINY INFO e820 %lx-%lx type %u\n", e->addr, e->addr + e->size - 1, e->type);
		for (uint32_t j = 0; j < i; j++) {
			const struct tiny_e820 *o = &boot.e820[j];
			if (o->size && e->addr < o->addr + o->size && o->addr < e->addr + e->size)
				return "e820 entries overlap";
		}
		if (e->type == 1) {
			ram_total += e->size;
			if (e->addr + e->size > ram_end)
				ram_end = e->addr + e->size;
		}
	}
	tprintf("TINY INFO ram_total=%lu ram_end=%lx\n", ram_total, ram_end);
	if (boot.n_e820 == 0)
		return "no e820 map";
	if (!ram_covers(0, 0x9f000))
		return "e820 has no RAM below 640 KiB";
	if (!ram_covers((uintptr_t)tiny_image_start, (uint64_t)(tiny_image_end - tiny_image_start)))
		return "e820 RAM does not cover the loaded image";
	char v[32];
	if (!cmdline_get(boot.cmdline, "tiny.test", v, sizeof(v)))
		return "command line lacks tiny.test";
	if (boot.initrd_size) {
		if (!ram_covers(boot.initrd_addr, boot.initrd_size))
			return "initrd is not inside e820 RAM";
		if (boot.initrd_addr & 0xfff)
			return "initrd is not page aligned";
		uint32_t sum = 0;
		const uint8_t *p = (const uint8_t *)(uintptr_t)boot.initrd_addr;
		for (uint64_t i = 0; i < boot.initrd_size; i++)
			sum = sum * 31 + p[i];
		tprintf("TINY INFO initrd addr=%lx size=%lu hash=%x\n", boot.initrd_addr, boot.initrd_size, sum);
	} else {
		tprintf("TINY INFO initrd none\n");
	}
	return NULL;
}

static const char *test_acpi(void)
{
	const char *err = acpi_walk(boot.rsdp, &acpi);
	if (err)
		return err;
	tprintf("TINY INFO acpi rsdp=%lx xsdt=%lx madt=%lx dsdt=%lx dsdt_len=%u\n", acpi.rsdp, acpi.xsdt,
	        acpi.madt, acpi.dsdt, acpi.dsdt_len);
	tprintf("TINY INFO acpi cpus=%u ioapics=%u\n", acpi.n_lapic, acpi.n_ioapic);
	if (acpi.n_lapic == 0)
		return "MADT lists no CPU";
	if (acpi.n_ioapic == 0)
		return "MADT lists no IOAPIC";
	return NULL;
}

static const char *test_pio(void)
{
	uint8_t b = inb(0x100);
	uint16_t w = inw(0x102);
	uint32_t l = inl(0x104);
	outb(0x100, 0x5a);
	outw(0x102, 0x5a5a);
	outl(0x104, 0x5a5a5a5a);
	uint8_t b2 = inb(0x100);
	tprintf("TINY INFO pio in8=%x in16=%x in32=%x after-write in8=%x\n", b, w, l, b2);
	if (b != 0xff || w != 0xffff || l != 0xffffffffu || b2 != 0xff)
		return "unhandled port did not read as all ones";
	const uint64_t hole = 0xfd000000ull;
	uint32_t m = mmio_read32(hole);
	uint8_t m8 = mmio_read8(hole + 3);
	mmio_write32(hole, 0x12345678);
	uint32_t m2 = mmio_read32(hole);
	tprintf("TINY INFO mmio read32=%x read8=%x after-write read32=%x\n", m, m8, m2);
	if (m != 0xffffffffu || m8 != 0xff || m2 != 0xffffffffu)
		return "unhandled MMIO did not read as all ones";
	return NULL;
}

static const char *test_smp(void)
{
	const char *err = acpi_walk(boot.rsdp, &acpi);
	if (err)
		return err;
	uint32_t bsp = mmio_read32(0xfee00020) >> 24;
	uint32_t expected = acpi.n_lapic - 1;
	tprintf("TINY INFO smp bsp apic=%u, starting %u APs\n", bsp, expected);
	uint32_t came = expected ? smp_start_aps(expected) : 0;
	tprintf("TINY INFO smp %u of %u APs up\n", came, expected);
	for (uint32_t i = 0; i < came && i < TINY_MAX_CPUS; i++) {
		uint32_t id = tiny_ap_apic_id[i];
		bool listed = false;
		for (uint32_t j = 0; j < acpi.n_lapic; j++)
			listed |= acpi.apic_ids[j] == id;
		tprintf("TINY INFO smp ap %u apic=%u\n", i, id);
		if (!listed || id == bsp)
			return "an AP reported an APIC ID the MADT does not list";
		for (uint32_t j = 0; j < i; j++)
			if (tiny_ap_apic_id[j] == id)
				return "two APs reported the same APIC ID";
	}
	if (came != expected)
		return "not every AP reported in";
	tprintf("TINY INFO smp cpus=%u\n", came + 1);
	return NULL;
}

static const char *test_reset(void)
{
	tprintf("TINY INFO resetting through the i8042\n");
	return NULL;
}

/* ACPI S5 through the FADT's sleep control register (hardware-reduced ACPI). */
static const char *test_poweroff(void)
{
	const char *err = acpi_walk(boot.rsdp, &acpi);
	if (err)
		return err;
	uint16_t port = 0x600;
	if (acpi.sleep_ctl && acpi.sleep_ctl < 0x10000)
		port = (uint16_t)acpi.sleep_ctl;
	else
		tprintf("TINY INFO FADT has no SLEEP_CONTROL_REG, using port 0x600\n");
	tprintf("TINY INFO powering off through port %x\n", port);
	outb(port, (5 << 2) | 0x20); /* SLP_TYP = 5 (S5), SLP_EN */
	for (int i = 0; i < 100; i++)
		io_delay();
	return "still running after the S5 write";
}

/* No IDT, then an exception: #UD -> #GP -> #DF -> triple fault (KVM_EXIT_SHUTDOWN). */
static const char *test_triplefault(void)
{
	tprintf("TINY INFO triple fault next\n");
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = {0, 0};
	__asm__ volatile("lidt %0; ud2" : : "m"(none));
	return "survived a triple fault";
}

static const char *test_int3(void)
{
	__asm__ volatile("int3");
	return "int3 returned without an exception";
}

/* Stay alive doing nothing (for the VMM's signal and Ctrl-A x tests). */
static const char *test_idle(void)
{
	tprintf("TINY INFO idle\n");
	for (;;)
		__asm__ volatile("cli; hlt");
	return NULL;
}

/* Read one line from COM1 (polled) and print it back. */
static const char *test_echo(void)
{
	char line[64];
	size_t n = 0;
	tprintf("TINY INFO echo ready\n");
	for (long spins = 0; spins < 2000000; spins++) {
		if (!(inb(0x3f8 + 5) & 1))
			continue;
		char c = (char)inb(0x3f8);
		if (c == '\n' || c == '\r')
			break;
		if (n < sizeof(line) - 1)
			line[n++] = c;
	}
	line[n] = 0;
	tprintf("TINY INFO echo got '%s'\n", line);
	return n ? NULL : "no input arrived";
}

/* make bench: exit-cost loops (exits.c). */
static const char *test_exits(void) { return tiny_exits(test_name, boot.cmdline); }

struct tiny_test {
	const char *name;
	const char *(*fn)(void);
};
static const struct tiny_test tests[] = {
	{"hello", test_hello}, {"bootinfo", test_bootinfo}, {"acpi", test_acpi}, {"pio", test_pio},
	{"smp", test_smp},     {"reset", test_reset},       {"int3", test_int3},  {"idle", test_idle},
	{"echo", test_echo},   {"poweroff", test_poweroff}, {"triplefault", test_triplefault},
	{"exits_pio", test_exits}, {"exits_pio_miss", test_exits}, {"exits_mmio", test_exits},
	{"exits_pio_cpl3", test_exits}, {"exits_mmio_cpl3", test_exits},
};

void tiny_main(uint32_t kind, uint64_t info)
{
	serial_init();
	outb(BOOT_TIMER_PORT, BOOT_TIMER_MAGIC);
	idt_setup();
	const char *err = bootinfo_parse(&boot, (int)kind, info);
	if (!err)
		cmdline_get(boot.cmdline, "tiny.test", test_name, sizeof(test_name));
	tprintf("TINY START %s\n", test_name);
	if (!err) {
		err = "unknown test";
		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			if (streq(tests[i].name, test_name))
				err = tests[i].fn();
		tiny_test_fn vfn = tiny_virtio_test(test_name); /* virtio_blk.c */
		if (vfn)
			err = vfn(&boot);
	}
	if (err)
		tprintf("TINY FAIL %s: %s\n", test_name, err);
	else
		tprintf("TINY PASS %s\n", test_name);
	tiny_reset();
}
