/* Host backends of the virtio devices: the tap device (disk images: monitor/image.c)
 * (IFF_VNET_HDR), the console's stdin pipe and stdout dup, and the
 * process-wide SIGBUS guard for mapped disks. Each opener logs its own error
 * and returns an fd (the caller owns it) or a negative errno. */
#ifndef VMM_VIRTIO_BACKEND_H
#define VMM_VIRTIO_BACKEND_H

#include "monitor/vm_config.h"

/* --net tap=NAME: the tap, non-blocking, vnet headers of VIRTIO_NET_HDR_LEN. */
int vmm_backend_tap(const char *name);
/* --console virtio: p[0] the device's non-blocking input, p[1] where the main
 * loop writes stdin, *out_fd a dup of stdout. 0 or -errno (nothing open). */
int vmm_backend_console(int p[2], int *out_fd);
/* SIGBUS in a mapped disk copy fails that request; any other SIGBUS is a
 * crash (one line, terminal restored, abort). 0 or -errno. */
int vmm_backend_sigbus_install(void);

#endif
