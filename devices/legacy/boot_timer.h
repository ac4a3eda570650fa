/* Boot timer: the guest writes DEV_BOOT_TIMER_MAGIC (123) as one byte to
 * DEV_BOOT_TIMER_PORT when it has booted; the device then reports the time
 * elapsed since `start_ns` (CLOCK_MONOTONIC) through a callback, the program
 * logs it. Firecracker has the same device as MMIO; ours is one I/O port, 0x440
 * (free on PC-compatible machines), so a guest can reach it without paging.
 *
 * Ownership: dev_boot_timer_new() allocates, dev_boot_timer_free() frees.
 * Errors: 0 or a negative errno. Thread-safe (stateless apart from the config). */
#ifndef VMM_DEVICES_LEGACY_BOOT_TIMER_H
#define VMM_DEVICES_LEGACY_BOOT_TIMER_H

#include <stdint.h>

#include "devices/core/device.h"

#define DEV_BOOT_TIMER_PORT 0x440
#define DEV_BOOT_TIMER_LEN 1
#define DEV_BOOT_TIMER_MAGIC 123

struct dev_boot_timer;

struct dev_boot_timer_config {
	uint64_t start_ns; /* CLOCK_MONOTONIC at VMM start */
	/* Called with the elapsed nanoseconds on each magic write. */
	void (*report)(void *ctx, uint64_t elapsed_ns);
	void *ctx;
	/* Clock, for tests; NULL = CLOCK_MONOTONIC. */
	uint64_t (*now_ns)(void *ctx);
};

int dev_boot_timer_new(struct dev_boot_timer **out, const struct dev_boot_timer_config *cfg);
void dev_boot_timer_free(struct dev_boot_timer *t); /* NULL accepted */

void dev_boot_timer_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len);
void dev_boot_timer_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len);
extern const struct dev_ops dev_boot_timer_ops;

#endif
