/* Minimal CMOS/RTC at ports 0x70 (index, bit 7 = NMI mask) and 0x71 (data):
 * 128 bytes of NVRAM, and the RTC time registers read from the host clock in
 * BCD, 24-hour mode, never "update in progress". No alarms, no interrupts.
 *
 * Ownership: dev_cmos_new() allocates, dev_cmos_free() frees.
 * Errors: 0 or a negative errno. Thread-safe. */
#ifndef VMM_DEVICES_LEGACY_CMOS_H
#define VMM_DEVICES_LEGACY_CMOS_H

#include <stdint.h>
#include <time.h>

#include "devices/core/device.h"

#define DEV_CMOS_BASE 0x70
#define DEV_CMOS_LEN 2

struct dev_cmos;

struct dev_cmos_config {
	/* Wall clock, for tests; NULL = time(NULL). */
	time_t (*now)(void *ctx);
	void *ctx;
};

int dev_cmos_new(struct dev_cmos **out, const struct dev_cmos_config *cfg); /* cfg may be NULL */
void dev_cmos_free(struct dev_cmos *c);                                     /* NULL accepted */

void dev_cmos_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len);
void dev_cmos_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len);
extern const struct dev_ops dev_cmos_ops;

#endif
