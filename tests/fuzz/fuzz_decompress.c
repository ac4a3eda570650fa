/* libFuzzer target: boot/'s host-side decompressors (gzip, bzip2, lzma, xz,
 * lz4 legacy, zstd) on arbitrary bytes, output bounded to 1 MiB.
 * Invariants: only documented errors; on success the format is the detected
 * one, the output size is exactly the size in the last 4 input bytes and
 * within the bound. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/decompress.h"
#include "tests/fuzz/input.h"

#define MAX_OUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum boot_compression det = boot_detect_compression(data, size);
	CHECK(det >= BOOT_COMP_NONE && det <= BOOT_COMP_UNKNOWN);
	CHECK(boot_compression_name(det) != NULL);
	uint8_t *out = NULL;
	size_t out_len = 0;
	enum boot_compression fmt = BOOT_COMP_NONE;
	struct boot_err err;
	memset(&err, 0, sizeof(err));
	int rc = boot_decompress(data, size, MAX_OUT, &out, &out_len, &fmt, &err);
	CHECK(rc == 0 || rc == -ENOTSUP || rc == -EFBIG || rc == -EINVAL || rc == -ENOMEM);
	if (rc) {
		CHECK_EQ(err.code, rc);
		CHECK(err.msg[0] != '\0');
		if (!boot_compression_supported(det))
			CHECK_EQ(rc, -ENOTSUP);
		return 0;
	}
	CHECK(boot_compression_supported(det) && fmt == det);
	CHECK(size >= 4);
	uint32_t declared = (uint32_t)data[size - 4] | (uint32_t)data[size - 3] << 8 |
			    (uint32_t)data[size - 2] << 16 | (uint32_t)data[size - 1] << 24;
	CHECK(out_len == declared && out_len <= MAX_OUT);
	CHECK(out != NULL || out_len == 0);
	/* touch every byte: ASan checks the buffer really is that big */
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < out_len; i++)
		sum ^= out[i];
	(void)sum;
	free(out);
	return 0;
}
