/* Payload decompressors: one small function per format, all writing into a
 * preallocated buffer of exactly the declared size. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZMA
#include <lzma.h>
#endif
#ifdef HAVE_LZ4
#include <lz4.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef HAVE_BZIP2
#include <bzlib.h>
#endif

#include "boot/decompress.h"
#include <vmm-mem/endian.h>

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)
#define XZ_MEMLIMIT (256ULL << 20)

enum boot_compression boot_detect_compression(const uint8_t *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
		return BOOT_COMP_GZIP;
	if (n >= 3 && memcmp(p, "BZh", 3) == 0)
		return BOOT_COMP_BZIP2;
	if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return BOOT_COMP_XZ;
	if (n >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
		return BOOT_COMP_LZMA;
	if (n >= 4 && gm_get_le32(p) == LZ4_LEGACY_MAGIC)
		return BOOT_COMP_LZ4;
	if (n >= 4 && gm_get_le32(p) == 0xfd2fb528u)
		return BOOT_COMP_ZSTD;
	return BOOT_COMP_UNKNOWN;
}

const char *boot_compression_name(enum boot_compression c)
{
	switch (c) {
	case BOOT_COMP_NONE: return "none";
	case BOOT_COMP_GZIP: return "gzip";
	case BOOT_COMP_BZIP2: return "bzip2";
	case BOOT_COMP_LZMA: return "lzma";
	case BOOT_COMP_XZ: return "xz";
	case BOOT_COMP_LZ4: return "lz4";
	case BOOT_COMP_ZSTD: return "zstd";
	default: return "unknown";
	}
}

bool boot_compression_supported(enum boot_compression c)
{
	switch (c) {
#ifdef HAVE_ZLIB
	case BOOT_COMP_GZIP: return true;
#endif
#ifdef HAVE_BZIP2
	case BOOT_COMP_BZIP2: return true;
#endif
#ifdef HAVE_LZMA
	case BOOT_COMP_LZMA: return true;
	case BOOT_COMP_XZ: return true;
#endif
#ifdef HAVE_LZ4
	case BOOT_COMP_LZ4: return true;
#endif
#ifdef HAVE_ZSTD
	case BOOT_COMP_ZSTD: return true;
#endif
	default: return false;
	}
}

/* Each returns the number of bytes produced, or -EINVAL when corrupt or when
 * the stream would produce more than cap bytes. */
#ifdef HAVE_ZLIB
static long long do_gzip(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	if (n > UINT_MAX || cap > UINT_MAX)
		return -EINVAL;
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	/* Z_FINISH with the whole input: Z_STREAM_END, or an error (including
	 * Z_BUF_ERROR when the output would exceed cap or input ends early) */
	int r = inflate(&z, Z_FINISH);
	long long got = (long long)z.total_out;
	inflateEnd(&z);
	return r == Z_STREAM_END ? got : -EINVAL;
}
#endif

#ifdef HAVE_LZMA
static long long do_lzma(const uint8_t *in, size_t n, uint8_t *out, size_t cap, bool xz)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r = xz ? lzma_stream_decoder(&s, XZ_MEMLIMIT, 0)
			: lzma_alone_decoder(&s, XZ_MEMLIMIT);
	if (r != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = n;
	s.next_out = out;
	s.avail_out = cap;
	/* liblzma returns LZMA_BUF_ERROR after two calls without progress, so
	 * this ends: at the stream end, on corruption, or when cap is exceeded */
	do {
		r = lzma_code(&s, LZMA_FINISH);
	} while (r == LZMA_OK);
	long long got = (long long)s.total_out;
	lzma_end(&s);
	return r == LZMA_STREAM_END ? got : -EINVAL;
}
#endif

#ifdef HAVE_LZ4
/* Legacy frame: magic, then blocks of [le32 compressed size][data], each
 * decompressing to at most 8 MiB; ends at the end of input (here: at the
 * 4-byte size trailer, which the caller strips) or at a new magic. */
static long long do_lz4(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t off = 4, got = 0;
	while (n - off >= 4) {
		uint32_t bs = gm_get_le32(in + off);
		off += 4;
		if (bs == LZ4_LEGACY_MAGIC)
			continue;
		if (bs == 0 || bs > n - off || bs > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK))
			return -EINVAL;
		size_t room = cap - got;
		int max = room > LZ4_LEGACY_BLOCK ? (int)LZ4_LEGACY_BLOCK : (int)room;
		int r = LZ4_decompress_safe((const char *)in + off, (char *)out + got, (int)bs, max);
		if (r < 0)
			return -EINVAL;
		got += (size_t)r;
		off += bs;
	}
	if (off != n)
		return -EINVAL;
	return (long long)got;
}
#endif

#ifdef HAVE_ZSTD
static long long do_zstd(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	if (!d)
		return -ENOMEM;
	/* the kernel builds with --ultra -22: allow its 128 MiB window, no more */
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27);
	ZSTD_inBuffer ib = { in, n, 0 };
	ZSTD_outBuffer ob = { out, cap, 0 };
	size_t r;
	for (;;) {
		size_t ip = ib.pos, op = ob.pos;
		r = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(r) || r == 0)
			break; /* error, or the (single) frame is complete */
		if (ib.pos == ip && ob.pos == op)
			break; /* stuck: truncated input or output would exceed cap */
	}
	ZSTD_freeDCtx(d);
	if (r != 0) /* error, or the single frame did not end */
		return -EINVAL;
	return (long long)ob.pos;
}
#endif

#ifdef HAVE_BZIP2
static long long do_bzip2(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	if (n > UINT_MAX || cap > UINT_MAX)
		return -EINVAL;
	bz_stream b;
	memset(&b, 0, sizeof(b));
	if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
		return -ENOMEM;
	b.next_in = (char *)in;
	b.avail_in = (unsigned)n;
	b.next_out = (char *)out;
	b.avail_out = (unsigned)cap;
	int r;
	for (;;) {
		unsigned ai = b.avail_in, ao = b.avail_out;
		r = BZ2_bzDecompress(&b);
		if (r != BZ_OK || (b.avail_in == ai && b.avail_out == ao))
			break; /* end, error, or stuck (truncated / output full) */
	}
	long long got = (long long)(((uint64_t)b.total_out_hi32 << 32) | b.total_out_lo32);
	BZ2_bzDecompressEnd(&b);
	return r == BZ_STREAM_END ? got : -EINVAL;
}
#endif

size_t boot_decompress_bound(uint64_t guest_ram)
{
	if (guest_ram == 0 || guest_ram > BOOT_DECOMP_DEFAULT_MAX)
		return (size_t)BOOT_DECOMP_DEFAULT_MAX;
	return (size_t)guest_ram;
}

int boot_decompress(const uint8_t *in, size_t in_len, size_t max_out, uint8_t **out,
		    size_t *out_len, enum boot_compression *fmt, struct boot_err *err)
{
	enum boot_compression c = boot_detect_compression(in, in_len);
	*out = NULL;
	*out_len = 0;
	if (fmt)
		*fmt = c;
	if (c == BOOT_COMP_UNKNOWN)
		return boot_errf(err, -ENOTSUP, "kernel payload has an unknown compression format");
	if (!boot_compression_supported(c))
		return boot_errf(err, -ENOTSUP, "%s decompression is not built in",
				 boot_compression_name(c));
	if (in_len < 8)
		return boot_errf(err, -EINVAL, "%s payload truncated (%zu bytes)",
				 boot_compression_name(c), in_len);
	size_t want = gm_get_le32(in + in_len - 4);
	if (want == 0 || want > max_out)
		return boot_errf(err, want ? -EFBIG : -EINVAL,
				 "%s payload declares %zu decompressed bytes (limit %zu)",
				 boot_compression_name(c), want, max_out);
	uint8_t *buf = malloc(want);
	if (!buf)
		return boot_errf(err, -ENOMEM, "cannot allocate %zu bytes to decompress the kernel", want);
	/* gzip's ISIZE is part of its stream; the others had the size appended */
	size_t stream_len = c == BOOT_COMP_GZIP ? in_len : in_len - 4;
	long long got = -ENOTSUP;
	switch (c) {
#ifdef HAVE_ZLIB
	case BOOT_COMP_GZIP: got = do_gzip(in, stream_len, buf, want); break;
#endif
#ifdef HAVE_BZIP2
	case BOOT_COMP_BZIP2: got = do_bzip2(in, stream_len, buf, want); break;
#endif
#ifdef HAVE_LZMA
	case BOOT_COMP_LZMA: got = do_lzma(in, stream_len, buf, want, false); break;
	case BOOT_COMP_XZ: got = do_lzma(in, stream_len, buf, want, true); break;
#endif
#ifdef HAVE_LZ4
	case BOOT_COMP_LZ4: got = do_lz4(in, stream_len, buf, want); break;
#endif
#ifdef HAVE_ZSTD
	case BOOT_COMP_ZSTD: got = do_zstd(in, stream_len, buf, want); break;
#endif
	default: break;
	}
	if (got < 0 || (size_t)got != want) {
		free(buf);
		if (got == -ENOMEM)
			return boot_errf(err, -ENOMEM, "out of memory in the %s decoder",
					 boot_compression_name(c));
		if (got < 0)
			return boot_errf(err, -EINVAL, "corrupt %s kernel payload",
					 boot_compression_name(c));
		return boot_errf(err, -EINVAL,
				 "%s payload decompressed to %lld bytes, its trailer says %zu",
				 boot_compression_name(c), got, want);
	}
	*out = buf;
	*out_len = want;
	return 0;
}
