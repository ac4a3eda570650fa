/* /dev/kvm and the VM file descriptor: API checks, VM creation with TSS,
 * identity map, in-kernel irqchip and PIT, memory slots, IRQ lines.
 * Functions log their own errors and return 0 or a negative errno. */
#ifndef VMM_KVM_H
#define VMM_KVM_H

#include <stddef.h>
#include <stdint.h>

struct kvm_cpuid2;

struct vmm_kvm {
	int sys_fd;      /* /dev/kvm */
	int vm_fd;
	struct kvm_cpuid2 *supported_cpuid; /* KVM_GET_SUPPORTED_CPUID, fetched once (cpuid.c) */
	size_t run_size; /* size of each vCPU's struct kvm_run mapping */
	unsigned max_vcpus;
	unsigned max_memslots;
};

#define VMM_KVM_TSS_ADDR 0xfffbd000ull
#define VMM_KVM_IDENTITY_MAP_ADDR 0xfffbc000ull

/* Open /dev/kvm, check the API version and every capability used, create the
 * VM with its TSS and identity map. */
int vmm_kvm_open(struct vmm_kvm *k, unsigned ncpus);
/* The in-kernel irqchip (PIC, IOAPIC, LAPICs) and PIT. Call it after the RAM
 * memory slots are set and before any vCPU: once an irqchip exists, a memslot
 * change costs 4-11 ms on our hosts against 0.1 ms before (measured; it looks
 * like a grace-period wait), and that was most of the VMM's startup. */
int vmm_kvm_create_irqchip(struct vmm_kvm *k);
void vmm_kvm_close(struct vmm_kvm *k);

/* Map [gpa, gpa+size) to host memory at hva as memory slot `slot`. */
int vmm_kvm_set_memslot(struct vmm_kvm *k, uint32_t slot, uint64_t gpa, uint64_t size, void *hva);

/* Drive a GSI of the in-kernel irqchip. */
int vmm_kvm_irq_line(struct vmm_kvm *k, uint32_t gsi, int level);

/* KVM_CHECK_EXTENSION on /dev/kvm: the capability's value (> 0: offered),
 * 0, or -errno. Logs nothing. */
int vmm_kvm_check_cap(struct vmm_kvm *k, long cap);
/* A 4-byte write of `datamatch` at guest-physical addr signals fd
 * (KVM_IOEVENTFD with DATAMATCH). 0 or -errno; logs nothing. */
int vmm_kvm_ioeventfd(struct vmm_kvm *k, uint64_t addr, uint32_t datamatch, int fd);
/* A write to eventfd fd raises gsi (KVM_IRQFD). 0 or -errno; logs nothing. */
int vmm_kvm_irqfd(struct vmm_kvm *k, int fd, uint32_t gsi);

/* vCPU fd calls used by the run loop and its error report; each returns 0 or
 * -errno and logs nothing. */
struct kvm_regs;
struct kvm_sregs;
struct kvm_translation;
int vmm_kvm_vcpu_run(int vcpu_fd);
int vmm_kvm_vcpu_get_regs(int vcpu_fd, struct kvm_regs *r);
int vmm_kvm_vcpu_get_sregs(int vcpu_fd, struct kvm_sregs *s);
int vmm_kvm_vcpu_translate(int vcpu_fd, struct kvm_translation *t);

#endif
