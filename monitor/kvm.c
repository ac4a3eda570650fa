/* /dev/kvm and the VM (see kvm.h). */
#include "config.h"

#include "monitor/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "monitor/log.h"

struct cap {
	int id;
	const char *name;
};

static const struct cap required_caps[] = {
	{KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
	{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
	{KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
	{KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR"},
	{KVM_CAP_PIT2, "KVM_CAP_PIT2"},
	{KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
	{KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE"},
	{KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
};

int vmm_kvm_open(struct vmm_kvm *k, unsigned ncpus)
{
	memset(k, 0, sizeof(*k));
	k->sys_fd = k->vm_fd = -1;
	k->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->sys_fd < 0) {
		int e = errno;
		vmm_err("cannot open /dev/kvm: %s%s", strerror(e), e == EACCES || e == EPERM ? " (run as root, join the kvm group, or grant access: setfacl -m u:$USER:rw /dev/kvm)" : "");
		return -e;
	}
	int v = ioctl(k->sys_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		vmm_err("/dev/kvm speaks KVM API version %d, need %d", v, KVM_API_VERSION);
		goto fail_nosys;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, required_caps[i].id) <= 0) {
			vmm_err("/dev/kvm lacks %s", required_caps[i].name);
			goto fail_nosys;
		}
	}
	int maxv = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (maxv <= 0)
		maxv = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	k->max_vcpus = maxv > 0 ? (unsigned)maxv : 4; /* the API says: 4 if not reported */
	if (ncpus > k->max_vcpus) {
		vmm_err("--cpus %u: /dev/kvm allows at most %u vCPUs", ncpus, k->max_vcpus);
		goto fail_nosys;
	}
	int slots = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	k->max_memslots = slots > 0 ? (unsigned)slots : 32;
	int rs = ioctl(k->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (rs < (int)sizeof(struct kvm_run)) {
		vmm_err("KVM_GET_VCPU_MMAP_SIZE: %s", rs < 0 ? strerror(errno) : "too small");
		goto fail_nosys;
	}
	k->run_size = (size_t)rs;

	k->vm_fd = ioctl(k->sys_fd, KVM_CREATE_VM, 0);
	if (k->vm_fd < 0) {
		vmm_err("KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	if (ioctl(k->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VMM_KVM_TSS_ADDR) < 0) {
		vmm_err("KVM_SET_TSS_ADDR: %s", strerror(errno));
		goto fail;
	}
	uint64_t idmap = VMM_KVM_IDENTITY_MAP_ADDR;
	if (ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0) {
		vmm_err("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail_nosys:
	errno = ENOTSUP;
fail: {
	int e = errno ? errno : EIO;
	vmm_kvm_close(k);
	return -e;
}
}

int vmm_kvm_create_irqchip(struct vmm_kvm *k)
{
	if (ioctl(k->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		int e = errno;
		vmm_err("KVM_CREATE_IRQCHIP: %s", strerror(e));
		return -e;
	}
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	if (ioctl(k->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		int e = errno;
		vmm_err("KVM_CREATE_PIT2: %s", strerror(e));
		return -e;
	}
	return 0;
}

void vmm_kvm_close(struct vmm_kvm *k)
{
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->sys_fd >= 0)
		close(k->sys_fd);
	k->vm_fd = k->sys_fd = -1;
	free(k->supported_cpuid);
	k->supported_cpuid = NULL;
}

int vmm_kvm_set_memslot(struct vmm_kvm *k, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	if (slot >= k->max_memslots) {
		vmm_err("memory slot %u: /dev/kvm has only %u slots", slot, k->max_memslots);
		return -ENOSPC;
	}
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};
	if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		int e = errno;
		vmm_err("KVM_SET_USER_MEMORY_REGION slot %u [0x%llx, +0x%llx): %s", slot, (unsigned long long)gpa,
		        (unsigned long long)size, strerror(e));
		return -e;
	}
	return 0;
}

int vmm_kvm_irq_line(struct vmm_kvm *k, uint32_t gsi, int level)
{
	struct kvm_irq_level l = {.irq = gsi, .level = (uint32_t)(level != 0)};
	if (ioctl(k->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

int vmm_kvm_check_cap(struct vmm_kvm *k, long cap)
{
	int r = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? -errno : r;
}

int vmm_kvm_ioeventfd(struct vmm_kvm *k, uint64_t addr, uint32_t datamatch, int fd)
{
	struct kvm_ioeventfd io = {
		.datamatch = datamatch,
		.addr = addr,
		.len = 4,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};
	return ioctl(k->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

int vmm_kvm_irqfd(struct vmm_kvm *k, int fd, uint32_t gsi)
{
	struct kvm_irqfd f = {.fd = (uint32_t)fd, .gsi = gsi};
	return ioctl(k->vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

int vmm_kvm_vcpu_run(int vcpu_fd) { return ioctl(vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0; }
int vmm_kvm_vcpu_get_regs(int vcpu_fd, struct kvm_regs *r) { return ioctl(vcpu_fd, KVM_GET_REGS, r) < 0 ? -errno : 0; }
int vmm_kvm_vcpu_get_sregs(int vcpu_fd, struct kvm_sregs *s) { return ioctl(vcpu_fd, KVM_GET_SREGS, s) < 0 ? -errno : 0; }
int vmm_kvm_vcpu_translate(int vcpu_fd, struct kvm_translation *t)
{
	return ioctl(vcpu_fd, KVM_TRANSLATE, t) < 0 ? -errno : 0;
}
