/* Exit decoding: a pure function from a vCPU's struct kvm_run (after
 * KVM_RUN returned 0) to a small result the vCPU thread acts on. It reads
 * only the kvm_run it is given (untrusted: every size, count and offset is
 * checked against run_size), touches no VM object, logs nothing; so it is
 * unit-tested with made-up exits (tests/unit/test_monitor_exit.c). */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_run;

enum vmm_exit_action {
	VMM_XA_PIO,	     /* count accesses of size bytes at port `addr`, data in the kvm_run */
	VMM_XA_MMIO,	     /* one access of size bytes at `addr`, data in the kvm_run */
	VMM_XA_CONTINUE,     /* nothing to do (signal, IRQ window): run again */
	VMM_XA_HLT,	     /* the guest halted: clean stop */
	VMM_XA_SHUTDOWN,     /* triple fault: the guest reset, clean stop */
	VMM_XA_POWEROFF,     /* KVM_EXIT_SYSTEM_EVENT shutdown: clean stop */
	VMM_XA_RESET,	     /* KVM_EXIT_SYSTEM_EVENT reset: clean stop */
	VMM_XA_SYSTEM_EVENT, /* another system event (crash, unknown type): abnormal stop */
	VMM_XA_BAD_PIO,	     /* KVM_EXIT_IO with a size not 1/2/4 or data outside the mapping */
	VMM_XA_BAD_MMIO,     /* KVM_EXIT_MMIO with len 0 or > 8 */
	VMM_XA_FAIL_ENTRY,   /* KVM_EXIT_FAIL_ENTRY: abnormal stop */
	VMM_XA_INTERNAL,     /* KVM_EXIT_INTERNAL_ERROR: abnormal stop */
	VMM_XA_UNKNOWN,	     /* any other exit reason: abnormal stop */
};

struct vmm_exit_info {
	enum vmm_exit_action action;
	bool write;	/* PIO/MMIO: guest writes */
	uint64_t addr;	/* PIO port or MMIO guest-physical address */
	uint32_t size;	/* PIO/MMIO: bytes per access (also the bad value for BAD_*) */
	uint32_t count; /* PIO: number of accesses (1 for MMIO) */
	uint8_t *data;	/* PIO/MMIO: the bytes, inside the kvm_run mapping */
	uint32_t event; /* SYSTEM_EVENT: its type */
};

/* Decode run's exit. run_size is the size of its mapping
 * (KVM_GET_VCPU_MMAP_SIZE). Returns out->action; never fails. */
enum vmm_exit_action vmm_decode_exit(struct kvm_run *run, size_t run_size,
				     struct vmm_exit_info *out);

#endif
