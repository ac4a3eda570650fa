/* One virtual machine: KVM fds, guest memory, devices, vCPUs, and the stop
 * protocol shared by the vCPU threads and the main thread. */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "monitor/cli.h"
#include "monitor/clock.h"
#include "monitor/kvm.h"
#include "monitor/stop.h"

struct kvm_run;
struct gm_memory;
struct dev_manager;
struct dev_serial;
struct dev_i8042;
struct dev_boot_timer;
struct dev_cmos;
struct dev_acpi_pm;
struct vmm_virtio;

/* Exit status of the program. */
enum vmm_exit {
	VMM_EXIT_OK = 0,    /* guest reset / poweroff, Ctrl-A x */
	VMM_EXIT_SETUP = 1, /* bad arguments, setup failed */
	VMM_EXIT_GUEST = 2, /* guest stopped abnormally: internal error, failed entry, crash */
	VMM_EXIT_SIGNAL = 128, /* + signal number */
};

struct vmm_vcpu {
	struct vmm_vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	_Atomic bool running; /* inside the run loop (for kicks) */
};

struct vmm_vm {
	const struct vmm_config *cfg;
	struct vmm_kvm kvm;
	struct gm_memory *mem;
	struct dev_manager *devs;
	unsigned ncpus;
	struct vmm_vcpu vcpus[VMM_MAX_CPUS];
	uint64_t start_ns;

	struct vmm_stop stop; /* stop.h: the first request wins; the main loop acts on it */

	struct dev_serial *serial;
	struct dev_i8042 *i8042;
	struct dev_boot_timer *boot_timer;
	struct dev_cmos *cmos;
	struct dev_acpi_pm *acpi_pm;
	struct vmm_virtio *virtio; /* virtio.c; NULL without virtio devices */
};

/* Ask the VM to stop with exit status `code` (stop.h): logs why and wakes
 * the main loop, which kicks every vCPU out of KVM_RUN. Only the first call
 * has an effect. Safe from any thread. */
#define vmm_vm_stop(vm, code, ...) vmm_stop_request(&((struct vmm_vm *)(vm))->stop, (code), __VA_ARGS__)
#define vmm_vm_stopping(vm) vmm_stop_requested(&((const struct vmm_vm *)(vm))->stop)

/* Build the VM from cfg (KVM, memory, devices, vCPUs, boot). 0 or -errno,
 * with the reason logged; call vmm_vm_destroy() in both cases. */
int vmm_vm_create(struct vmm_vm *vm, const struct vmm_config *cfg, uint64_t start_ns);
/* Run until the VM stops; returns the exit status (enum vmm_exit). */
int vmm_vm_run(struct vmm_vm *vm);
void vmm_vm_destroy(struct vmm_vm *vm);

#endif
