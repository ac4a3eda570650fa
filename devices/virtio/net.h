/* virtio-net (virtio 1.2, 5.1) over a tap fd: queue 0 = receiveq,
 * queue 1 = transmitq, no control queue, no offloads.
 * Features: MAC (config mac), STATUS (link always up), MRG_RXBUF.
 *
 * Every frame carries the 12-byte struct virtio_net_hdr_v1 in front. No
 * offload is negotiated, so the device ignores the guest's TX header and
 * gives the guest an all-zero RX header except num_buffers. The tap side:
 * with vnet_hdr_len = 0 the tap is plain (IFF_NO_PI, no IFF_VNET_HDR);
 * with 10 or 12 it was opened with IFF_VNET_HDR and TUNSETVNETHDRSZ set to
 * that length, and the device writes a zero header and skips the tap's.
 *
 * Never blocks: the tap fd must be O_NONBLOCK. TX: a frame the tap does not
 * take (EAGAIN) stays on the ring and is retried on the next EPOLLOUT event
 * or TX notify. RX: frames are read from the tap only when there is a place
 * for them; a frame that does not fit in the posted buffers stays pending
 * (and the tap is not read further) until the guest posts more buffers
 * (RX notify). Without MRG_RXBUF a frame must fit in one chain, a larger
 * one is dropped. Errors: a TX chain with a device-writable buffer, shorter
 * than the header, or larger than header + 65535 bytes is completed with
 * length 0 and dropped; an RX chain with a device-readable buffer is
 * completed with length 0 (the frame being gathered is dropped).
 */
#ifndef VMM_DEVICES_VIRTIO_NET_H
#define VMM_DEVICES_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/mmio.h"

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_HDR_LEN 12u /* struct virtio_net_hdr_v1 */
#define VIRTIO_NET_HDR_NUM_BUFFERS 10u
#define VIRTIO_NET_MAX_FRAME 65535u
#define VIRTIO_NET_CFG_LEN 10 /* mac[6], status, max_virtqueue_pairs */

struct dev_virtio_net_config {
	int tap_fd; /* O_NONBLOCK; owned by the device on success */
	uint8_t mac[6];
	unsigned vnet_hdr_len; /* 0 (plain tap), 10 or 12 (IFF_VNET_HDR) */
};

struct dev_virtio_net_stats {
	uint64_t tx_frames, tx_dropped, rx_frames, rx_dropped;
};

/* Create a network device and its transport. 0, -EINVAL (blocking fd, bad
 * vnet_hdr_len), -ENOMEM. On error the fd stays the caller's. */
int dev_virtio_net_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc,
		       const struct dev_virtio_net_config *nc);
/* Counters (0, or -EINVAL if dev is not a net device). */
int dev_virtio_net_get_stats(struct dev_virtio_mmio *dev, struct dev_virtio_net_stats *out);

#endif
