/* tests/bad-input/decomp_bound.c — a gzip bomb against the decompression bound.
 * A gzip stream of 500 MiB of zeros (made here with zlib) given a guest of 16 MiB:
 * boot_decompress must refuse it with -EFBIG, and the process's peak RSS must stay
 * far below the 500 MiB the payload declares (the bound is checked before any
 * allocation). TAP output; skipped without zlib. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "boot/decompress.h"

#ifdef HAVE_ZLIB
#include <zlib.h>

int main(void)
{
	const size_t total = 500u << 20, chunk = 1u << 20;
	uint8_t *zero = calloc(1, chunk);
	size_t cap = 4u << 20;
	uint8_t *gz = malloc(cap);
	if (!zero || !gz)
		return 1;
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return 1;
	z.next_out = gz;
	z.avail_out = (uInt)cap;
	for (size_t done = 0; done < total; done += chunk) {
		z.next_in = zero;
		z.avail_in = (uInt)chunk;
		if (deflate(&z, done + chunk >= total ? Z_FINISH : Z_NO_FLUSH) == Z_STREAM_ERROR)
			return 1;
	}
	size_t gz_len = cap - z.avail_out;
	deflateEnd(&z);
	free(zero);
	uint64_t ram = 16u << 20;
	size_t bound = boot_decompress_bound(ram);
	uint8_t *out = NULL;
	size_t out_len = 0;
	int r = boot_decompress(gz, gz_len, bound, &out, &out_len, NULL, NULL);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("1..1\n# gzip bomb: %zu bytes compressed, 500 MiB declared, bound %zu for 16 MiB of "
	       "RAM -> %d (%s); "
	       "peak RSS %ld KiB\n",
	       gz_len, bound, r, strerror(-r), ru.ru_maxrss);
	free(out);
	free(gz);
	if (bound != ram || boot_decompress_bound(0) != BOOT_DECOMP_DEFAULT_MAX ||
	    boot_decompress_bound(1ull << 40) != BOOT_DECOMP_DEFAULT_MAX) {
		printf("not ok 1 - boot_decompress_bound\n");
		return 1;
	}
	if (r != -EFBIG) {
		printf("not ok 1 - expected -EFBIG\n");
		return 1;
	}
	if (ru.ru_maxrss > 64 * 1024) {
		printf("not ok 1 - peak RSS above 64 MiB\n");
		return 1;
	}
	printf("ok 1 - the bomb is refused before any allocation\n");
	return 0;
}
#else
int main(void)
{
	printf("1..0 # SKIP built without zlib\n");
	return 0;
}
#endif
