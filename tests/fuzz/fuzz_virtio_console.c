/* libFuzzer: virtio-console RX and TX through the transport. Input byte 0 =
 * driver features (bit 0 indirect, bit 1 event idx), bytes 1-2 = length of
 * host input (taken from the input's tail) written into the console's input
 * pipe, the rest is guest RAM (ring layout as fuzz_virtio_common.h). Output
 * goes to a pipe that is drained after every run. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "devices/virtio/console.h"
#include "tests/fuzz/fuzz_virtio_common.h"

static struct dev_virtio_mmio *dev;
static int in_w, in_r, out_r;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	if (!dev) {
		int in[2], out[2];
		if (pipe2(in, O_NONBLOCK) < 0 || pipe2(out, O_NONBLOCK) < 0)
			abort();
		struct dev_virtio_mmio_config tc = fz_tc();
		struct dev_virtio_console_config cc = {.in_fd = in[0], .out_fd = out[1]};
		if (dev_virtio_console_new(&dev, &tc, &cc) < 0)
			abort();
		in_r = in[0];
		in_w = in[1];
		out_r = out[0];
	}
	uint64_t f = 0;
	if (data[0] & 1)
		f |= VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (data[0] & 2)
		f |= VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	fz_handshake(dev, f, 2);
	size_t ilen = (size_t)(data[1] | data[2] << 8);
	data += 3;
	size -= 3;
	if (ilen > size)
		ilen = size;
	fz_load(data, size);
	if (ilen && write(in_w, data + size - ilen, ilen) < 0) {
		/* pipe full of earlier input: the device reads it below */
	}
	dev_virtio_mmio_process_queue(dev, VIRTIO_CONSOLE_TXQ);
	dev_virtio_mmio_backend_event(dev, in_r, EPOLLIN);
	dev_virtio_mmio_process_queue(dev, VIRTIO_CONSOLE_RXQ);
	static uint8_t sink[65536];
	while (read(out_r, sink, sizeof(sink)) > 0) {
	}
	return 0;
}
