/* The virtio-mmio devices of the VM (--disk, --rng, --net, --console virtio):
 * backends opened, transports created and placed (4 KiB MMIO window and GSI
 * from the DeviceManager's allocators), ioeventfd per queue and irqfd per
 * device when KVM offers them, and the event-loop thread that does all
 * queue work (epoll over the notification eventfds and the backend fds).
 *
 * Order of use (vm.c):
 *   vmm_virtio_create()  after the DeviceManager exists, before boot (boot
 *                        reads vmm_virtio_boot_list for the DSDT nodes and
 *                        the virtio_mmio.device= command line entries);
 *   vmm_virtio_start()   starts the event loop before the vCPUs run;
 *   vmm_virtio_stop()    after the vCPUs stopped: joins the event loop;
 *   vmm_virtio_destroy() before dev_manager_free and the KVM fds are closed:
 *                        unregisters, synchronizes, frees, closes the fds.
 * Functions log their own errors and return 0 or a negative errno. */
#ifndef VMM_VIRTIO_H
#define VMM_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

struct vmm_vm;
struct vmm_virtio;
struct boot_virtio_mmio;

int vmm_virtio_create(struct vmm_vm *vm);
int vmm_virtio_start(struct vmm_vm *vm);
void vmm_virtio_stop(struct vmm_vm *vm);
void vmm_virtio_destroy(struct vmm_vm *vm);

/* Devices for the platform tables (NULL, 0 when there are none). */
size_t vmm_virtio_boot_list(const struct vmm_vm *vm, const struct boot_virtio_mmio **list);

/* --console virtio: the fd the main loop writes console input into (the
 * write end of a pipe whose read end the device owns), or -1. */
int vmm_virtio_console_input_fd(const struct vmm_vm *vm);

#endif
