/* CPUID setup (see cpuid.h). */
#include "config.h"

#include "monitor/cpuid.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "monitor/kvm.h"
#include "monitor/log.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT (1u << 28)

static struct kvm_cpuid2 *fetch_supported(int sys_fd)
{
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		int e = errno;
		free(c);
		if (e != E2BIG) {
			errno = e;
			return NULL;
		}
	}
	errno = E2BIG;
	return NULL;
}

/* A copy of KVM's supported list for one vCPU to edit. The list is fetched
 * once per VM (0.34 ms an ioctl on our hosts: it runs CPUID on the host) and
 * kept in k. */
static struct kvm_cpuid2 *get_supported(struct vmm_kvm *k)
{
	if (!k->supported_cpuid && !(k->supported_cpuid = fetch_supported(k->sys_fd)))
		return NULL;
	const struct kvm_cpuid2 *s = k->supported_cpuid;
	size_t len = sizeof(*s) + s->nent * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = malloc(len);
	if (c)
		memcpy(c, s, len);
	return c;
}

static unsigned order(unsigned n) /* bits needed for ids 0..n-1 */
{
	unsigned s = 0;
	while ((1u << s) < n)
		s++;
	return s;
}

int vmm_cpuid_setup(struct vmm_kvm *k, int vcpu_fd, unsigned index, unsigned ncpus)
{
	struct kvm_cpuid2 *c = get_supported(k);
	if (!c) {
		int e = errno;
		vmm_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(e));
		return -e;
	}
	unsigned core_bits = order(ncpus);
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffffu) | (index << 24) | ((ncpus > 1 ? (1u << core_bits) : 1u) << 16);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (ncpus > 1)
				e->edx |= CPUID_1_EDX_HTT;
			else
				e->edx &= ~CPUID_1_EDX_HTT;
			break;
		case 4: /* deterministic cache parameters */
			if ((e->eax & 0x1f) != 0) {
				unsigned level = (e->eax >> 5) & 7;
				e->eax &= 0x3ff; /* keep type, level, self-init, fully assoc */
				e->eax |= ((1u << core_bits) - 1) << 26; /* addressable core IDs - 1 */
				if (level >= 3)
					e->eax |= ((1u << core_bits) - 1) << 14; /* L3 shared by all */
			}
			break;
		case 0x0a: /* no PMU is offered */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case 0x0b:
		case 0x1f: /* extended topology: level 0 = SMT (1 thread), level 1 = core */
			e->edx = index;
			if (e->index == 0) {
				e->eax = 0;
				e->ebx = 1;
				e->ecx = (1u << 8) | 0;
			} else if (e->index == 1) {
				e->eax = core_bits;
				e->ebx = ncpus;
				e->ecx = (2u << 8) | 1;
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		default:
			break;
		}
	}
	int r = ioctl(vcpu_fd, KVM_SET_CPUID2, c);
	int e = errno;
	free(c);
	if (r < 0) {
		vmm_err("KVM_SET_CPUID2 (vCPU %u): %s", index, strerror(e));
		return -e;
	}
	return 0;
}
