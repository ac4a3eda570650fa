/* Host-side decompression of a bzImage payload (the compressed vmlinux).
 * Formats are detected by magic; each uses its usual library when it was
 * found at configure time (HAVE_ZLIB, HAVE_LZMA, HAVE_LZ4, HAVE_ZSTD,
 * HAVE_BZIP2). The input is untrusted: output size is bounded by the caller. */
#ifndef VMM_BOOT_DECOMPRESS_H
#define VMM_BOOT_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/err.h"

enum boot_compression {
	BOOT_COMP_NONE = 0, /* not compressed (or not a host-decompressed boot) */
	BOOT_COMP_GZIP,
	BOOT_COMP_BZIP2,
	BOOT_COMP_LZMA,     /* legacy .lzma ("lzma_alone") */
	BOOT_COMP_XZ,
	BOOT_COMP_LZ4,      /* lz4 legacy frame, as `lz4 -l` writes it */
	BOOT_COMP_ZSTD,
	BOOT_COMP_UNKNOWN,
};

/* Default bound on the decompressed size (boot_config.max_decompressed). */
#define BOOT_DECOMP_DEFAULT_MAX (512ULL << 20)

/* The bound for a guest of guest_ram bytes: the decompressed kernel must fit in
 * guest RAM, and never more than BOOT_DECOMP_DEFAULT_MAX. Pure. */
size_t boot_decompress_bound(uint64_t guest_ram);

/* Format from the first bytes, BOOT_COMP_UNKNOWN if none matches. */
enum boot_compression boot_detect_compression(const uint8_t *p, size_t n);
/* "gzip", "xz", ...; never NULL. */
const char *boot_compression_name(enum boot_compression c);
/* Whether this build can decompress c. */
bool boot_compression_supported(enum boot_compression c);

/* Decompress a payload laid out as the kernel's build writes it: one
 * compressed stream whose last 4 bytes hold the uncompressed size (32-bit
 * little endian; gzip's own ISIZE, appended for the other formats).
 * The output must be exactly that size, and at most max_out bytes.
 * On success *out is a malloc'd buffer the caller frees with free(),
 * *out_len its size, *fmt the detected format.
 * 0, -ENOTSUP (unknown format / library not built in), -EFBIG (declared
 * size above max_out), -EINVAL (corrupt stream or size mismatch), -ENOMEM. */
int boot_decompress(const uint8_t *in, size_t in_len, size_t max_out, uint8_t **out,
		    size_t *out_len, enum boot_compression *fmt, struct boot_err *err);

#endif
