/* Internal: the byte checksum of boot/'s platform tables (ACPI, MP table).
 * Little-endian loads and stores on byte buffers come from mem/'s
 * <vmm-mem/endian.h> (gm_get_le32, ...), included here for the callers that
 * fill a table and then sum it. Not installed, not part of the public API. */
#ifndef VMM_BOOT_CHECKSUM_H
#define VMM_BOOT_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include <vmm-mem/endian.h>

/* Byte sum (ACPI / MP table checksums: the sum of all bytes must be 0). */
static inline uint8_t boot_sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

#endif
