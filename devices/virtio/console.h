/* virtio-console (virtio 1.2, 5.3), a single port without MULTIPORT:
 * queue 0 = receiveq (host -> guest), queue 1 = transmitq (guest -> host).
 * No features are offered; config space (cols, rows, max_nr_ports,
 * emerg_wr) reads as zeros.
 *
 * Input: bytes read from in_fd (which must be O_NONBLOCK) go straight into
 * the guest's receive buffers (readv), one buffer per read. Reading stops
 * when in_fd has nothing (EAGAIN), at EOF (input closed for good), or when
 * the guest has posted no buffer (resumes when it posts one). Output: the
 * readable bytes of each transmit chain are written to out_fd (blocking or
 * not; EAGAIN keeps the rest for the next EPOLLOUT event). in_fd or out_fd
 * may be -1 (no input / output discarded). Chains of the wrong direction
 * are completed with length 0.
 */
#ifndef VMM_DEVICES_VIRTIO_CONSOLE_H
#define VMM_DEVICES_VIRTIO_CONSOLE_H

#include <stdbool.h>

#include "devices/virtio/mmio.h"

#define VIRTIO_CONSOLE_RXQ 0
#define VIRTIO_CONSOLE_TXQ 1
#define VIRTIO_CONSOLE_CFG_LEN 12

struct dev_virtio_console_config {
	int in_fd;    /* O_NONBLOCK, or -1 */
	int out_fd;   /* or -1 */
	bool own_fds; /* close both when the device is freed */
};

/* Create a console device and its transport. 0, -EINVAL (in_fd blocking),
 * -ENOMEM. On error nothing is closed. */
int dev_virtio_console_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc,
			   const struct dev_virtio_console_config *cc);

#endif
