/* Internal: little-endian u64 encoding for the allocator save formats.
 * Not part of the public API. */
#ifndef VMM_DEVICES_CORE_SERIAL_LE_H
#define VMM_DEVICES_CORE_SERIAL_LE_H

#include <stdint.h>

static inline void dev__put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t dev__get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#endif
