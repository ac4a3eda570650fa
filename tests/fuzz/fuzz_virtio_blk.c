/* libFuzzer: virtio-blk request parsing through the transport. Input byte
 * 0 = driver features (bit 0 indirect, bit 1 event idx) and the disk (bit 2:
 * the one whose data moves through a mapping), the rest is guest RAM (ring
 * layout as fuzz_virtio_common.h). The disks are 64 KiB memfds. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "tests/fuzz/fuzz_virtio_common.h"

static struct dev_virtio_mmio *devs[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	for (int i = 0; i < 2 && !devs[i]; i++) {
		int fd = memfd_create("fuzz-disk", 0);
		if (fd < 0 || ftruncate(fd, 65536) < 0)
			abort();
		struct dev_virtio_mmio_config tc = fz_tc();
		struct dev_virtio_blk_config bc = {
		    .fd = fd, .discard = true, .write_zeroes = true, .serial = "fuzz", .map = i == 1};
		struct dev_virtio_blk_stats st;
		if (dev_virtio_blk_new(&devs[i], &tc, &bc) < 0 || dev_virtio_blk_stats(devs[i], &st) < 0 ||
		    st.mapped != (i == 1))
			abort();
	}
	struct dev_virtio_mmio *dev = devs[(data[0] >> 2) & 1];
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
