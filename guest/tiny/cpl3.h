/* tiny: run code at CPL3 (make bench: exits_*_cpl3, blkbench tiny.cpl3=1).
 * On KVM-PVM, CPL0 guest code is emulated instruction by instruction while
 * CPL3 code runs natively: a driver loop at CPL3 measures the device and the
 * exits rather than the instruction emulator. */
#ifndef TINY_CPL3_H
#define TINY_CPL3_H

#include <stdint.h>

/* Make [va, va + len) user-accessible (2 MiB pages of the identity map). */
const char *tiny_cpl3_map(uint64_t va, uint64_t len);

/* Map the image (code, data, stacks) for CPL3, load a GDT with user segments
 * and a TSS (IOPL 3 and an all-ports I/O bitmap: KVM-PVM's IRETQ does not keep
 * IOPL 3), clear SMEP/SMAP and IRETQ to fn(arg) at CPL3 with interrupts off.
 * fn never returns: it ends with tiny_cpl3_exit(). Returns only on failure. */
const char *tiny_cpl3_run(void (*fn)(void *), void *arg);

/* Reset from CPL3: the i8042, then (no i8042, e.g. QEMU microvm) an exception
 * whose CPL0 handler resets by triple fault. */
void __attribute__((noreturn)) tiny_cpl3_exit(void);

#endif
