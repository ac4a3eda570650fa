/* libFuzzer: virtio-net TX and RX. Input: byte 0 = options (bit 0
 * MRG_RXBUF, bit 1 indirect, bit 2 event idx, bits 4-5 tap header 0/10/12),
 * bytes 1-2 = length of a frame that arrives from the "tap" (taken from the
 * input's tail), the rest is guest RAM (RX ring at 0x0, TX ring at 0x400).
 * The tap is a non-blocking SOCK_SEQPACKET socketpair. */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio/net.h"
#include "tests/fuzz/fuzz_virtio_common.h"

static struct dev_virtio_mmio *devs[3];
static int peers[3], devfds[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	unsigned hsel = (data[0] >> 4) & 3;
	if (hsel == 3)
		hsel = 0;
	if (!devs[hsel]) {
		static const unsigned hl[3] = {0, 10, 12};
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
			abort();
		struct dev_virtio_mmio_config tc = fz_tc();
		struct dev_virtio_net_config nc = {.tap_fd = sv[0], .vnet_hdr_len = hl[hsel]};
		if (dev_virtio_net_new(&devs[hsel], &tc, &nc) < 0)
			abort();
		peers[hsel] = sv[1];
		devfds[hsel] = sv[0];
	}
	struct dev_virtio_mmio *dev = devs[hsel];
	uint64_t f = VIRTIO_BIT(VIRTIO_NET_F_MAC);
	if (data[0] & 1)
		f |= VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (data[0] & 2)
		f |= VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (data[0] & 4)
		f |= VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	fz_handshake(dev, f, 2);
	size_t flen = (size_t)(data[1] | data[2] << 8);
	data += 3;
	size -= 3;
	if (flen > size)
		flen = size;
	fz_load(data, size);
	if (flen && send(peers[hsel], data + size - flen, flen, MSG_DONTWAIT) < 0) {
		/* socket full of old frames: drain below */
	}
	dev_virtio_mmio_process_queue(dev, VIRTIO_NET_TXQ);
	dev_virtio_mmio_backend_event(dev, devfds[hsel], EPOLLIN | EPOLLOUT);
	dev_virtio_mmio_process_queue(dev, VIRTIO_NET_RXQ);
	/* drain what the device sent, and what it left unread */
	static uint8_t sink[70000];
	while (recv(peers[hsel], sink, sizeof(sink), MSG_DONTWAIT) > 0) {
	}
	while (recv(devfds[hsel], sink, sizeof(sink), MSG_DONTWAIT | MSG_PEEK) > 0 &&
	       recv(devfds[hsel], sink, sizeof(sink), MSG_DONTWAIT) > 0) {
	}
	return 0;
}
