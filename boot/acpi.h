/* ACPI tables: RSDP (v2), XSDT, FADT (hardware-reduced), MADT, DSDT (AML).
 * Built into one host buffer that is then copied to BOOT_ACPI_ADDR, so the
 * builder is testable without guest memory. */
#ifndef VMM_BOOT_ACPI_H
#define VMM_BOOT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/err.h"
#include "boot/vdev.h"

struct gm_memory;

struct boot_acpi_config {
	unsigned ncpus;                       /* 1..BOOT_MAX_CPUS, APIC ID = index */
	const struct boot_virtio_mmio *virtio; /* LNRO0005 nodes, may be NULL */
	size_t nvirtio;
	bool irq9_override; /* add ISA IRQ9 -> GSI9 level/active-high (SCI style) */
};

/* Guest-physical addresses of the tables built. */
struct boot_acpi_layout {
	uint64_t rsdp, xsdt, fadt, madt, dsdt;
	size_t size; /* bytes used from the base address */
};

/* Build all tables into buf[0..cap) as they will sit at guest address base.
 * 0, -EINVAL (bad config), -ENOSPC (cap too small). */
int boot_acpi_build(const struct boot_acpi_config *c, uint64_t base, uint8_t *buf, size_t cap,
		    struct boot_acpi_layout *lay, struct boot_err *err);

/* Build at BOOT_ACPI_ADDR and write into guest memory. 0 or -errno. */
int boot_acpi_write(const struct gm_memory *m, const struct boot_acpi_config *c,
		    struct boot_acpi_layout *lay, struct boot_err *err);

/* The DSDT's AML body alone (no table header) into buf; its length, or a
 * negative errno. Exposed for tests and for callers that extend the DSDT. */
long boot_acpi_dsdt_aml(const struct boot_acpi_config *c, uint8_t *buf, size_t cap);

#endif
