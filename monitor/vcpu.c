/* vCPU creation and initial state (see vcpu.h). */
#include "config.h"

#include "monitor/vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/cpu.h"
#include "monitor/cpuid.h"
#include "monitor/log.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_MODE_NMI 0x4
#define APIC_MODE_EXTINT 0x7

static int setup_msrs(struct vmm_vcpu *v)
{
	static const struct {
		uint32_t index;
		uint64_t data;
	} init[] = {
		{MSR_IA32_SYSENTER_CS, 0}, {MSR_IA32_SYSENTER_ESP, 0}, {MSR_IA32_SYSENTER_EIP, 0},
		{MSR_STAR, 0},             {MSR_LSTAR, 0},             {MSR_CSTAR, 0},
		{MSR_SYSCALL_MASK, 0},     {MSR_KERNEL_GS_BASE, 0},
		{MSR_IA32_MISC_ENABLE, 1}, /* fast string operations */
		{MSR_MTRR_DEF_TYPE, (1u << 11) | 6}, /* MTRRs on, default write-back */
	};
	const size_t n = sizeof(init) / sizeof(init[0]);
	struct kvm_msrs *m = calloc(1, sizeof(*m) + n * sizeof(struct kvm_msr_entry));
	if (!m)
		return -ENOMEM;
	m->nmsrs = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		m->entries[i].index = init[i].index;
		m->entries[i].data = init[i].data;
	}
	int r = ioctl(v->fd, KVM_SET_MSRS, m);
	if (r < 0) {
		r = -errno;
		vmm_err("KVM_SET_MSRS (vCPU %u): %s", v->index, strerror(-r));
	} else if ((size_t)r < n) {
		/* KVM stops at the first MSR it refuses; not fatal. */
		vmm_debug("vCPU %u: KVM took %d of %zu MSRs, refused 0x%x", v->index, r, n, m->entries[r].index);
		r = 0;
	} else {
		r = 0;
	}
	free(m);
	return r;
}

static int setup_fpu(struct vmm_vcpu *v)
{
	struct kvm_fpu fpu;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0) {
		int e = errno;
		vmm_err("KVM_SET_FPU (vCPU %u): %s", v->index, strerror(e));
		return -e;
	}
	return 0;
}

static void lvt_set_mode(struct kvm_lapic_state *l, unsigned reg, uint32_t mode)
{
	uint32_t val;
	memcpy(&val, &l->regs[reg], 4);
	val = (val & ~0x700u) | (mode << 8);
	memcpy(&l->regs[reg], &val, 4);
}

static int setup_lapic(struct vmm_vcpu *v)
{
	struct kvm_lapic_state l;
	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0) {
		int e = errno;
		vmm_err("KVM_GET_LAPIC (vCPU %u): %s", v->index, strerror(e));
		return -e;
	}
	lvt_set_mode(&l, APIC_LVT_LINT0, APIC_MODE_EXTINT);
	lvt_set_mode(&l, APIC_LVT_LINT1, APIC_MODE_NMI);
	if (ioctl(v->fd, KVM_SET_LAPIC, &l) < 0) {
		int e = errno;
		vmm_err("KVM_SET_LAPIC (vCPU %u): %s", v->index, strerror(e));
		return -e;
	}
	return 0;
}

int vmm_vcpu_create(struct vmm_vm *vm, unsigned index)
{
	struct vmm_vcpu *v = &vm->vcpus[index];
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->index = index;
	v->fd = -1;
	v->fd = ioctl(vm->kvm.vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0) {
		int e = errno;
		vmm_err("KVM_CREATE_VCPU %u: %s", index, strerror(e));
		return -e;
	}
	void *run = mmap(NULL, vm->kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		int e = errno;
		vmm_err("mmap kvm_run (vCPU %u): %s", index, strerror(e));
		close(v->fd);
		v->fd = -1;
		return -e;
	}
	v->run = run;
	int r;
	if ((r = vmm_cpuid_setup(&vm->kvm, v->fd, index, vm->ncpus)) < 0 || (r = setup_msrs(v)) < 0 ||
	    (r = setup_fpu(v)) < 0 || (r = setup_lapic(v)) < 0)
		return r;
	struct kvm_mp_state mp = {.mp_state = index == 0 ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED};
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
		int e = errno;
		vmm_err("KVM_SET_MP_STATE (vCPU %u): %s", index, strerror(e));
		return -e;
	}
	return 0;
}

void vmm_vcpu_destroy(struct vmm_vcpu *v)
{
	if (v->run)
		munmap(v->run, v->vm->kvm.run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static void seg_to_kvm(struct kvm_segment *k, const struct boot_segment *b)
{
	memset(k, 0, sizeof(*k));
	k->base = b->base;
	k->limit = b->limit;
	k->selector = b->selector;
	k->type = b->type;
	k->present = b->present;
	k->dpl = b->dpl;
	k->db = b->db;
	k->s = b->s;
	k->l = b->l;
	k->g = b->g;
	k->avl = b->avl;
	k->unusable = b->unusable;
}

int vmm_vcpu_set_entry(struct vmm_vcpu *v, const struct boot_entry *e)
{
	struct kvm_sregs sregs;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0) {
		int err = errno;
		vmm_err("KVM_GET_SREGS: %s", strerror(err));
		return -err;
	}
	seg_to_kvm(&sregs.cs, &e->cs);
	seg_to_kvm(&sregs.ds, &e->ds);
	seg_to_kvm(&sregs.es, &e->es);
	seg_to_kvm(&sregs.fs, &e->fs);
	seg_to_kvm(&sregs.gs, &e->gs);
	seg_to_kvm(&sregs.ss, &e->ss);
	seg_to_kvm(&sregs.tr, &e->tr);
	sregs.gdt.base = e->gdt.base;
	sregs.gdt.limit = e->gdt.limit;
	sregs.idt.base = e->idt.base;
	sregs.idt.limit = e->idt.limit;
	sregs.cr0 = e->cr0;
	sregs.cr3 = e->cr3;
	sregs.cr4 = e->cr4;
	sregs.efer = e->efer;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0) {
		int err = errno;
		vmm_err("KVM_SET_SREGS: %s", strerror(err));
		return -err;
	}
	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.rip = e->rip;
	regs.rsp = e->rsp;
	regs.rbp = e->rbp;
	regs.rsi = e->rsi;
	regs.rbx = e->rbx;
	regs.rflags = e->rflags ? e->rflags : 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0) {
		int err = errno;
		vmm_err("KVM_SET_REGS: %s", strerror(err));
		return -err;
	}
	return 0;
}
