/* 8250/16550A UART model (the COM1 a Linux console expects): 8 byte registers,
 * divisor latch, scratch, modem control with loopback, a 64-byte receive FIFO,
 * transmit straight to an output callback, and an interrupt line that follows
 * the IER/IIR state (asserted/deasserted through dev_irq_line.set_level).
 *
 * Ownership: dev_serial_new() allocates the device; dev_serial_free() frees it.
 * The caller keeps the device registered (dev_serial_ops, 8 ports) only while
 * it is alive. All entry points are thread-safe (one mutex inside).
 * Errors: 0 / a count, or a negative errno. */
#ifndef VMM_DEVICES_LEGACY_SERIAL_H
#define VMM_DEVICES_LEGACY_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "devices/core/device.h"

#define DEV_SERIAL_COM1_BASE 0x3f8
#define DEV_SERIAL_COM1_GSI 4
#define DEV_SERIAL_NPORTS 8
#define DEV_SERIAL_FIFO 64

struct dev_serial;

struct dev_serial_config {
	/* Called for every byte the guest transmits (outside loopback); may be NULL. */
	void (*tx)(void *ctx, uint8_t byte);
	void *tx_ctx;
	/* Interrupt line; irq.set_level may be NULL (no interrupts). */
	struct dev_irq_line irq;
	uint32_t gsi;
};

/* 0, -EINVAL (NULL arguments), -ENOMEM. */
int dev_serial_new(struct dev_serial **out, const struct dev_serial_config *cfg);
void dev_serial_free(struct dev_serial *s); /* NULL accepted */

/* Host input: queue up to n bytes into the receive FIFO; returns how many were
 * taken (fewer when the FIFO is full). */
size_t dev_serial_input(struct dev_serial *s, const uint8_t *buf, size_t n);
/* Free space in the receive FIFO. */
size_t dev_serial_rx_space(struct dev_serial *s);

/* Register accessors (the dev_ops signatures); offset 0..7, any len is handled
 * byte by byte. */
void dev_serial_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len);
void dev_serial_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len);
extern const struct dev_ops dev_serial_ops;

#endif
