/* Minimal i8042 keyboard controller: enough for Linux to probe it (command byte,
 * self tests) and for the guest to reset the machine (command 0xfe on port 0x64).
 * No keyboard or mouse is attached.
 *
 * Register the device at DEV_I8042_BASE for DEV_I8042_LEN ports (0x60..0x64;
 * offsets 1..3 read as all-ones).
 * Ownership: dev_i8042_new() allocates, dev_i8042_free() frees.
 * Errors: 0 or a negative errno. Thread-safe. */
#ifndef VMM_DEVICES_LEGACY_I8042_H
#define VMM_DEVICES_LEGACY_I8042_H

#include <stdint.h>

#include "devices/core/device.h"

#define DEV_I8042_BASE 0x60
#define DEV_I8042_LEN 5

struct dev_i8042;

struct dev_i8042_config {
	/* Called when the guest pulses the reset line (command 0xfe). */
	void (*reset)(void *ctx);
	void *ctx;
};

int dev_i8042_new(struct dev_i8042 **out, const struct dev_i8042_config *cfg); /* 0, -EINVAL, -ENOMEM */
void dev_i8042_free(struct dev_i8042 *k);                                      /* NULL accepted */

void dev_i8042_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len);
void dev_i8042_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len);
extern const struct dev_ops dev_i8042_ops;

#endif
