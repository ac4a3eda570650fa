/* libFuzzer: virtio-rng request handling through the transport. Input byte
 * 0 = driver features (bit 0 indirect, bit 1 event idx), the rest is guest
 * RAM (ring layout as fuzz_virtio_common.h). Every chain must complete
 * without touching memory outside the guest. */
#include "devices/virtio/rng.h"
#include "tests/fuzz/fuzz_virtio_common.h"

static struct dev_virtio_mmio *dev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!dev) {
		struct dev_virtio_mmio_config tc = fz_tc();
		if (dev_virtio_rng_new(&dev, &tc) < 0)
			abort();
	}
	uint64_t f = 0;
	if (data[0] & 1)
		f |= VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (data[0] & 2)
		f |= VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	fz_handshake(dev, f, 1);
	fz_load(data + 1, size - 1);
	dev_virtio_mmio_process_queue(dev, 0);
	return 0;
}
