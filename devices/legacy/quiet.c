/* Quiet ports: see quiet.h. */
#include "devices/legacy/quiet.h"

#include <stddef.h>

void dev_quiet_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		data[i] = 0;
}

void dev_quiet_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len) {}

const struct dev_ops dev_quiet_ops = {
	.read = dev_quiet_read,
	.write = dev_quiet_write,
	.release = NULL,
};
