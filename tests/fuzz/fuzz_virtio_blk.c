/* libFuzzer: virtio-blk request parsing through the transport. Input byte
 * 0 = driver features (bit 0 indirect, bit 1 event idx), the rest is guest
 * RAM (ring layout as fuzz_virtio_common.h). The disk is a 64 KiB memfd. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "tests/fuzz/fuzz_virtio_common.h"

static struct dev_virtio_mmio *dev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!dev) {
		int fd = memfd_create("fuzz-disk", 0);
		if (fd < 0 || ftruncate(fd, 65536) < 0)
			abort();
		struct dev_virtio_mmio_config tc = fz_tc();
		struct dev_virtio_blk_config bc = {
		    .fd = fd, .discard = true, .write_zeroes = true, .serial = "fuzz"};
		if (dev_virtio_blk_new(&dev, &tc, &bc) < 0)
			abort();
	}
	uint64_t f = 0;
	if (data[0] & 1)
		f |= VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (data[0] & 2)
		f |= VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	f |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES) |
	     VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	fz_handshake(dev, f, 1);
	fz_load(data + 1, size - 1);
	dev_virtio_mmio_process_queue(dev, 0);
	return 0;
}
