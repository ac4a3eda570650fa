/* virtio-rng (entropy device, virtio 1.2, 5.4): one request queue; each
 * chain's device-writable buffers are filled from getrandom(2). A chain with
 * a device-readable buffer (wrong direction) is completed with length 0.
 * At most DEV_VIRTIO_RNG_MAX_REQ bytes are filled per chain (the used
 * length says how many). */
#ifndef VMM_DEVICES_VIRTIO_RNG_H
#define VMM_DEVICES_VIRTIO_RNG_H

#include "devices/virtio/mmio.h"

#define DEV_VIRTIO_RNG_MAX_REQ 65536u

/* Create an entropy device and its transport. 0, -EINVAL, -ENOMEM. */
int dev_virtio_rng_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc);

#endif
