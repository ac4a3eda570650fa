/* CPUID for a vCPU: what KVM supports, plus the hypervisor bit, KVM's leaves,
 * and per-vCPU APIC IDs and topology (one socket, one thread per core). */
#ifndef VMM_CPUID_H
#define VMM_CPUID_H

struct vmm_kvm;

/* 0 or a negative errno (logged). */
int vmm_cpuid_setup(struct vmm_kvm *k, int vcpu_fd, unsigned index, unsigned ncpus);

#endif
