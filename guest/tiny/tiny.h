/* tiny: freestanding test guest, shared declarations. */
#ifndef TINY_H
#define TINY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tiny_abi.h"

/* --- port and memory-mapped I/O --- */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static inline uint8_t mmio_read8(uint64_t a) { return *(volatile uint8_t *)(uintptr_t)a; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; }
static inline void io_delay(void) { outb(0x80, 0); }

/* --- lib.c --- */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* --- serial.c: COM1 output --- */
void serial_init(void);
void putc_serial(char c);
void puts_serial(const char *s);
void put_hex(uint64_t v);
void put_dec(uint64_t v);
/* printf-like with %s %d %u %x %lx %llx %c only. */
void tprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- boot information, as Linux finds it --- */
#define TINY_E820_MAX 128
struct tiny_e820 {
	uint64_t addr, size;
	uint32_t type;
};
struct tiny_boot {
	int kind;                  /* TINY_BOOT_PVH or TINY_BOOT_LINUX */
	const char *cmdline;       /* NUL-terminated, or "" */
	uint64_t initrd_addr, initrd_size;
	uint64_t rsdp;             /* 0 when the loader gave none */
	uint32_t n_e820;
	struct tiny_e820 e820[TINY_E820_MAX];
};
/* Fill *b from the entry register; returns NULL or a reason for failure. */
const char *bootinfo_parse(struct tiny_boot *b, int kind, uint64_t info);
/* Value of "key=" on the command line, copied to out (NUL-terminated); false if absent. */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t outlen);
/* Decimal value of "key=" (digits only, fitting 64 bits); def if absent or not such a number. */
uint64_t cmdline_num(const char *cmdline, const char *key, uint64_t def);

/* --- acpi.c --- */
struct tiny_acpi {
	uint64_t rsdp, xsdt, madt, fadt, dsdt;
	uint32_t n_lapic;            /* enabled (or online-capable) LAPIC/x2APIC entries */
	uint32_t apic_ids[TINY_MAX_CPUS];
	uint32_t n_ioapic;
	uint32_t dsdt_len;
	uint64_t sleep_ctl; /* FADT SLEEP_CONTROL_REG (system I/O) or 0 */
	uint64_t reset_reg; /* FADT RESET_REG (system I/O) or 0 */
	uint8_t reset_value;
};
/* Walk RSDP -> XSDT/RSDT -> MADT, FADT -> DSDT. NULL on success or the reason. */
const char *acpi_walk(uint64_t rsdp_hint, struct tiny_acpi *a);

/* --- smp.c --- */
/* Start every AP with INIT/SIPI/SIPI, wait for `expected` of them; returns how many came. */
uint32_t smp_start_aps(uint32_t expected);
extern volatile uint32_t tiny_ap_apic_id[TINY_MAX_CPUS];
void tiny_ap_main(uint32_t idx);

/* --- main.c --- */
void tiny_main(uint32_t kind, uint64_t info);
void tiny_reset(void) __attribute__((noreturn));
/* Set by code that ends in an exception on purpose (CPL3 cannot reset by
 * triple fault itself): the exception handler then resets without a report. */
extern volatile int tiny_reset_on_exception;

#endif
