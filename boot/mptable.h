/* Intel MultiProcessor Specification 1.4 table, for kernels that read it
 * instead of ACPI: floating pointer + configuration table (processors, ISA
 * bus, the IOAPIC, I/O and local interrupt assignments), placed in the last
 * 1 KiB below 640 KiB. The IOAPIC gets MP id = ncpus so it cannot clash
 * with a local APIC id; ISA IRQ0 is routed to INTIN2 as in the MADT. */
#ifndef VMM_BOOT_MPTABLE_H
#define VMM_BOOT_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "boot/err.h"

struct gm_memory;

/* Build for ncpus (1..BOOT_MAX_CPUS) into buf[0..cap) as it will sit at
 * guest address base. Returns the size used (> 0) or -EINVAL / -ENOSPC. */
long boot_mptable_build(unsigned ncpus, uint64_t base, uint8_t *buf, size_t cap,
			struct boot_err *err);

/* Build at BOOT_MPTABLE_ADDR and write it. 0 or -errno. */
int boot_mptable_write(const struct gm_memory *m, unsigned ncpus, struct boot_err *err);

#endif
