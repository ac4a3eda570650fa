/* A small AML (ACPI Machine Language) emitter into a caller-provided buffer.
 * Errors are sticky: after the first overflow or bad argument every call is
 * a no-op and boot_aml_error() reports it, so callers check once at the end.
 *
 * Nesting (Scope, Device, Buffer) uses begin/end pairs: begin returns a
 * mark, end inserts the PkgLength in front of what was emitted since. */
#ifndef VMM_BOOT_AML_H
#define VMM_BOOT_AML_H

#include <stddef.h>
#include <stdint.h>

struct boot_aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err; /* 0 or -ENOSPC / -EINVAL */
};

void boot_aml_init(struct boot_aml *a, uint8_t *buf, size_t cap);
int boot_aml_error(const struct boot_aml *a);

void boot_aml_bytes(struct boot_aml *a, const void *p, size_t n);
/* A NameString: "\\_SB_", "COM1", "_HID" (segments of exactly 4 chars,
 * separated by '.', optional leading '\\'). */
void boot_aml_name(struct boot_aml *a, const char *path);
/* Integers in their shortest encoding (ZeroOp, OneOp, Byte/Word/DWord/QWord). */
void boot_aml_integer(struct boot_aml *a, uint64_t v);
void boot_aml_string(struct boot_aml *a, const char *s);
/* EISA id ("PNP0501") as a DWordConst; -EINVAL on a malformed id. */
void boot_aml_eisaid(struct boot_aml *a, const char *id);
/* Name(name, <data emitted next>) */
void boot_aml_name_op(struct boot_aml *a, const char *name);

size_t boot_aml_begin_scope(struct boot_aml *a, const char *name);
size_t boot_aml_begin_device(struct boot_aml *a, const char *name);
size_t boot_aml_begin_buffer(struct boot_aml *a); /* BufferSize filled at end */
void boot_aml_end(struct boot_aml *a, size_t mark);
void boot_aml_end_buffer(struct boot_aml *a, size_t mark);

/* Resource template items (use inside a Buffer). */
void boot_aml_res_io(struct boot_aml *a, uint16_t base, uint8_t len);
void boot_aml_res_irq_noflags(struct boot_aml *a, uint8_t irq);
void boot_aml_res_memory32_fixed(struct boot_aml *a, uint32_t base, uint32_t len, int rw);
/* Extended Interrupt, consumer, exclusive; edge/active-high when edge_high. */
void boot_aml_res_interrupt(struct boot_aml *a, uint32_t gsi, int edge_high);
void boot_aml_res_end(struct boot_aml *a);

/* Devices used by the DSDT. */
/* Device(name) { _HID EisaId("PNP0501"), _UID uid, _CRS IO(port, 8) + IRQNoFlags(irq) } */
void boot_aml_com_device(struct boot_aml *a, const char *name, unsigned uid, uint16_t port,
			 uint8_t irq);
/* Device(Vnnn) { _HID "LNRO0005", _UID index, _CRS Memory32Fixed + Interrupt } */
void boot_aml_virtio_mmio_device(struct boot_aml *a, unsigned index, uint64_t addr,
				 uint64_t size, uint32_t gsi);

#endif
