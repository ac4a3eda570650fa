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

#include "cpl3.h"
#include "tiny.h"

#define EXITS_DEFAULT_N 100000u
#define EXITS_PIO_PORT 0x80
#define EXITS_PIO_MISS_PORT 0x510
#define EXITS_MMIO_ADDR 0xfd000000ull
#define BOOT_TIMER_PORT 0x440
#define BOOT_TIMER_MAGIC 123

enum exits_kind { EXITS_PIO, EXITS_PIO_MISS, EXITS_MMIO };

/* What the CPL3 code runs; set before the switch, read at CPL3 (user pages). */
static struct {
	enum exits_kind kind;
	uint32_t n;
	const char *name;
} job;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
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

static void user_main(void *arg)
{
	(void)arg;
	run_job();
	tprintf("TINY PASS %s\n", job.name);
}

static const char *enter_cpl3(void)
{
	const char *err = tiny_cpl3_map(EXITS_MMIO_ADDR, 1);
	return err ? err : tiny_cpl3_run(user_main, NULL);
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
	uint64_t n = cmdline_num(cmdline, "tiny.exits", EXITS_DEFAULT_N);
	job.n = n && n <= 0xffffffffu ? (uint32_t)n : EXITS_DEFAULT_N; /* 0 would loop 2^32 times */
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
