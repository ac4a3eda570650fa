/* vCPUs: creation and initial state, the per-vCPU thread with its KVM_RUN
 * loop, and exit handling. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "monitor/vm.h"

struct boot_entry;

/* KVM_CREATE_VCPU, map kvm_run, CPUID, MSRs, FPU, LAPIC LINT0/LINT1; APs are
 * left in KVM_MP_STATE_UNINITIALIZED (waiting for INIT/SIPI). 0 or -errno. */
int vmm_vcpu_create(struct vmm_vm *vm, unsigned index);
void vmm_vcpu_destroy(struct vmm_vcpu *v);

/* Registers and segments of the boot entry (BSP only). 0 or -errno. */
int vmm_vcpu_set_entry(struct vmm_vcpu *v, const struct boot_entry *e);

/* Install the kick signal handler (once, before any vCPU thread starts). */
int vmm_vcpu_signals_init(void);
/* Start the vCPU's thread. 0 or -errno. */
int vmm_vcpu_start(struct vmm_vcpu *v);
/* Make the vCPU leave KVM_RUN (immediate_exit + signal). */
void vmm_vcpu_kick(struct vmm_vcpu *v);

/* Describe a stop caused by the guest: exit reason, suberror, RIP, the
 * instruction bytes, registers (logged at error level). */
void vmm_vcpu_report(struct vmm_vcpu *v, const char *what);

#endif
