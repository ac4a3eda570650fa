/* libFuzzer: the virtio-mmio register file (with a block device behind it,
 * so config space and queue processing are live). Input: a sequence of
 * 8-byte operations {kind, offset lo, offset hi, len, value[4]}: kind bit 0
 * = write, bit 1 = use the value as a "sensible" status/feature step.
 * Guest RAM is filled from the input too, so a notify can process chains. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "tests/fuzz/fuzz_virtio_common.h"

static struct dev_virtio_mmio *dev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dev) {
		int fd = memfd_create("fuzz-disk", 0);
		if (fd < 0 || ftruncate(fd, 16384) < 0)
			abort();
		struct dev_virtio_mmio_config tc = fz_tc();
		struct dev_virtio_blk_config bc = {.fd = fd, .discard = true, .write_zeroes = true};
		if (dev_virtio_blk_new(&dev, &tc, &bc) < 0)
			abort();
	}
	fz_wr(dev, VIRTIO_MMIO_STATUS, 0);
	if (dev_virtio_mmio_status(dev) != 0)
		abort(); /* reset must always work */
	fz_load(data, size);
	static const uint32_t lens[4] = {4, 1, 2, 8};
	for (size_t i = 0; i + 8 <= size; i += 8) {
		const uint8_t *op = data + i;
		uint64_t off = (uint64_t)(op[1] | op[2] << 8) & 0x1fff;
		uint32_t len = lens[op[3] & 3];
		uint8_t v[8] = {op[4], op[5], op[6], op[7], 0, 0, 0, 0};
		if (op[0] & 1) {
			dev_virtio_mmio_ops.write(dev, 0, off, v, len);
		} else {
			dev_virtio_mmio_ops.read(dev, 0, off, v, len);
			if (len == 4 && off == VIRTIO_MMIO_MAGIC_VALUE &&
			    (v[0] | v[1] << 8 | v[2] << 16 | (uint32_t)v[3] << 24) !=
				VIRTIO_MMIO_MAGIC)
				abort();
		}
		uint32_t st = dev_virtio_mmio_status(dev);
		/* DRIVER_OK implies FEATURES_OK implies DRIVER implies ACKNOWLEDGE */
		if ((st & VIRTIO_STATUS_DRIVER_OK) && !(st & VIRTIO_STATUS_FEATURES_OK))
			abort();
		if ((st & VIRTIO_STATUS_FEATURES_OK) && !(st & VIRTIO_STATUS_DRIVER))
			abort();
		if ((st & VIRTIO_STATUS_DRIVER) && !(st & VIRTIO_STATUS_ACKNOWLEDGE))
			abort();
		if ((st & VIRTIO_STATUS_FEATURES_OK) &&
		    !(dev_virtio_mmio_driver_features(dev) & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
			abort();
	}
	return 0;
}
