/* Benchmark: host-side kernel payload decompression (boot_decompress) per
 * format, against the bare library decode of the same stream into a
 * preallocated buffer (the floor). With VMM_BENCH_KERNEL=<bzImage> it also
 * times the real kernel's payload and a full boot_setup of it (host
 * decompression + load into 512 MiB of guest RAM) against a classic
 * bzImage load. Prints BENCH / RATIO lines; not part of make check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZ4
#include <lz4.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include <vmm-mem/mem.h>

#include "boot/boot.h"
#include "boot/bzimage.h"
#include "tests/unit/test_boot_images.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Bare one-shot library decode (formats with a simple buffer API). */
static int floor_decode(enum boot_compression c, const uint8_t *in, size_t n, uint8_t *out,
			size_t cap)
{
	switch (c) {
#ifdef HAVE_ZLIB
	case BOOT_COMP_GZIP: {
		z_stream z;
		memset(&z, 0, sizeof(z));
		inflateInit2(&z, 16 + MAX_WBITS);
		z.next_in = (Bytef *)in;
		z.avail_in = (uInt)n;
		z.next_out = out;
		z.avail_out = (uInt)cap;
		int r = inflate(&z, Z_FINISH);
		inflateEnd(&z);
		return r == Z_STREAM_END ? 0 : -1;
	}
#endif
#ifdef HAVE_LZ4
	case BOOT_COMP_LZ4: {
		size_t off = 4, got = 0;
		while (n - 4 - off >= 4) {
			uint32_t bs = ti_get32(in + off);
			off += 4;
			int w = LZ4_decompress_safe((const char *)in + off, (char *)out + got, (int)bs,
						    (int)(cap - got));
			if (w < 0)
				return -1;
			got += (size_t)w;
			off += bs;
		}
		return 0;
	}
#endif
#ifdef HAVE_ZSTD
	case BOOT_COMP_ZSTD:
		return ZSTD_isError(ZSTD_decompress(out, cap, in, n - 4)) ? -1 : 0;
#endif
	default:
		return 1; /* no floor for this format */
	}
}

static double best_of(int reps, enum boot_compression c, const uint8_t *in, size_t n, size_t out_n,
		      int floor)
{
	double best = 1e9;
	for (int i = 0; i < reps; i++) {
		double t0 = now();
		if (floor) {
			/* a fresh buffer each time, as boot_decompress allocates one */
			uint8_t *buf = malloc(out_n);
			int r = floor_decode(c, in, n, buf, out_n);
			free(buf);
			if (r != 0)
				return -1;
		} else {
			uint8_t *out;
			size_t len;
			if (boot_decompress(in, n, out_n, &out, &len, NULL, NULL) != 0)
				return -1;
			free(out);
		}
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

static void synthetic(void)
{
	size_t n = 16u << 20;
	uint8_t *d = malloc(n);
	uint32_t x = 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (i % 32 < 20) ? (uint8_t)(i >> 9) : (uint8_t)(x >> 27);
	}
	static const enum boot_compression fmts[] = { BOOT_COMP_GZIP, BOOT_COMP_BZIP2,
						      BOOT_COMP_LZMA, BOOT_COMP_XZ,
						      BOOT_COMP_LZ4, BOOT_COMP_ZSTD };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		enum boot_compression c = fmts[i];
		size_t clen;
		uint8_t *comp = ti_compress(c, d, n, &clen);
		if (!comp)
			continue;
		double ours = best_of(3, c, comp, clen, n, 0);
		double base = best_of(3, c, comp, clen, n, 1);
		printf("BENCH boot.decompress_%s_16MiB %.2f ms\n", boot_compression_name(c), ours * 1e3);
		if (base > 0)
			printf("RATIO boot.decompress_%s %.3f\n", boot_compression_name(c), ours / base);
		free(comp);
	}
	free(d);
}

static uint8_t *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	rewind(f);
	uint8_t *b = malloc((size_t)sz);
	*n = fread(b, 1, (size_t)sz, f);
	fclose(f);
	return b;
}

static double time_setup(const uint8_t *k, size_t n, unsigned flags, struct boot_result *res)
{
	struct gm_range r = { gm_addr(0), 512ULL << 20 };
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		struct gm_memory *m;
		if (gm_memory_new_anon(&m, &r, 1))
			return -1;
		struct boot_config c = { .kernel = k, .kernel_size = n, .cmdline = "console=ttyS0",
					 .ncpus = 1, .flags = flags };
		double t0 = now();
		int rc = boot_setup(m, &c, res);
		double t = now() - t0;
		gm_memory_put(m);
		if (rc)
			return -1;
		if (t < best)
			best = t;
	}
	return best;
}

static void real_kernel(const char *path)
{
	size_t n;
	uint8_t *k = slurp(path, &n);
	struct boot_bzimage bz;
	if (!k || boot_bzimage_parse(k, n, &bz, NULL) || !bz.payload_length) {
		printf("# %s: not a bzImage with a payload, skipped\n", path);
		free(k);
		return;
	}
	const uint8_t *p = k + bz.pm_offset + bz.payload_offset;
	enum boot_compression c = boot_detect_compression(p, bz.payload_length);
	double ours = best_of(3, c, p, bz.payload_length, 1u << 30, 0);
	printf("BENCH boot.kernel_decompress_%s %.2f ms\n", boot_compression_name(c), ours * 1e3);
	struct boot_result *res = malloc(sizeof(*res));
	double dec = time_setup(k, n, 0, res);
	double classic = time_setup(k, n, BOOT_F_NO_HOST_DECOMPRESS, res);
	if (dec > 0 && classic > 0) {
		printf("BENCH boot.setup_host_decompressed %.2f ms\n", dec * 1e3);
		printf("BENCH boot.setup_classic_bzimage %.2f ms\n", classic * 1e3);
		printf("RATIO boot.setup_host_decompressed_vs_classic %.3f\n", dec / classic);
	}
	free(res);
	free(k);
}

int main(void)
{
	synthetic();
	const char *k = getenv("VMM_BENCH_KERNEL");
	if (k && *k)
		real_kernel(k);
	else
		printf("# set VMM_BENCH_KERNEL=<bzImage> to time a real kernel too\n");
	return 0;
}
