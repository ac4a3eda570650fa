/* Quiet ports: ports a guest touches that need no model but should not count as
 * unhandled (0x80 POST/delay, 0xed delay, 0x92 system control A, ...). Reads
 * return zero, writes are dropped. Stateless: register with priv = NULL. */
#ifndef VMM_DEVICES_LEGACY_QUIET_H
#define VMM_DEVICES_LEGACY_QUIET_H

#include <stdint.h>

#include "devices/core/device.h"

void dev_quiet_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len);
void dev_quiet_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len);
extern const struct dev_ops dev_quiet_ops;

#endif
