/* The vCPU thread: KVM_RUN loop and exit handling (see vcpu.h). */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "devices/core/dev.h"
#include "monitor/exit.h"
#include "monitor/log.h"
#include "monitor/seccomp.h"
#include "monitor/vcpu.h"

#define VMM_KICK_SIGNAL SIGUSR2

static void kick_handler(int sig) { (void)sig; }

int vmm_vcpu_signals_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(VMM_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	return 0;
}

void vmm_vcpu_kick(struct vmm_vcpu *v)
{
	if (!v->run)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (v->started)
		pthread_kill(v->thread, VMM_KICK_SIGNAL);
}

static const char *exit_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_UNKNOWN:
		return "KVM_EXIT_UNKNOWN";
	case KVM_EXIT_EXCEPTION:
		return "KVM_EXIT_EXCEPTION";
	case KVM_EXIT_IO:
		return "KVM_EXIT_IO";
	case KVM_EXIT_HLT:
		return "KVM_EXIT_HLT";
	case KVM_EXIT_MMIO:
		return "KVM_EXIT_MMIO";
	case KVM_EXIT_SHUTDOWN:
		return "KVM_EXIT_SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY:
		return "KVM_EXIT_FAIL_ENTRY";
	case KVM_EXIT_INTR:
		return "KVM_EXIT_INTR";
	case KVM_EXIT_INTERNAL_ERROR:
		return "KVM_EXIT_INTERNAL_ERROR";
	case KVM_EXIT_SYSTEM_EVENT:
		return "KVM_EXIT_SYSTEM_EVENT";
	default:
		return "unexpected exit";
	}
}

static const char *suberror_name(uint32_t s)
{
	switch (s) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "emulation failure";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "exit while delivering an event";
	default:
		return "other";
	}
}

/* Guest-physical address of the instruction at rip, through the vCPU's paging. */
static int rip_to_phys(struct vmm_vcpu *v, const struct kvm_regs *r, const struct kvm_sregs *s, uint64_t *pa)
{
	uint64_t linear = (s->efer & 0x400) && s->cs.l ? r->rip : s->cs.base + r->rip;
	struct kvm_translation t = {.linear_address = linear};
	if (vmm_kvm_vcpu_translate(v->fd, &t) == 0 && t.valid) {
		*pa = t.physical_address;
		return 0;
	}
	if (!(s->cr0 & 0x80000000u)) { /* paging off: linear = physical */
		*pa = linear;
		return 0;
	}
	return -EFAULT;
}

void vmm_vcpu_report(struct vmm_vcpu *v, const char *what)
{
	vmm_err("vCPU %u: %s", v->index, what);
	struct kvm_regs r;
	struct kvm_sregs s;
	int ge = vmm_kvm_vcpu_get_regs(v->fd, &r);
	if (ge == 0)
		ge = vmm_kvm_vcpu_get_sregs(v->fd, &s);
	if (ge < 0) {
		vmm_err("  (registers unavailable: %s)", strerror(-ge));
		return;
	}
	char bytes[16 * 3 + 1] = "";
	uint64_t pa = 0;
	int n = 0;
	if (rip_to_phys(v, &r, &s, &pa) == 0) {
		for (; n < 16; n++) {
			uint8_t b;
			uint64_t a;
			if (__builtin_add_overflow(pa, (uint64_t)n, &a) ||
			    gm_memory_read_slice(v->vm->mem, &b, 1, gm_addr(a)) != 0)
				break;
			snprintf(bytes + 3 * n, sizeof(bytes) - 3 * (size_t)n, "%02x ", b);
		}
	}
	if (n > 0)
		vmm_err("  rip 0x%llx (guest physical 0x%llx), instruction bytes: %s", (unsigned long long)r.rip,
		        (unsigned long long)pa, bytes);
	else
		vmm_err("  rip 0x%llx, instruction bytes unavailable (not in guest RAM)", (unsigned long long)r.rip);
	vmm_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx", r.rax, r.rbx, r.rcx, r.rdx);
	vmm_err("  rsi %016llx rdi %016llx rbp %016llx rsp %016llx", r.rsi, r.rdi, r.rbp, r.rsp);
	vmm_err("  r8  %016llx r9  %016llx r10 %016llx r11 %016llx", r.r8, r.r9, r.r10, r.r11);
	vmm_err("  r12 %016llx r13 %016llx r14 %016llx r15 %016llx", r.r12, r.r13, r.r14, r.r15);
	vmm_err("  rflags %08llx cs %04x (base %llx, %s) ss %04x", r.rflags, s.cs.selector, s.cs.base,
	        s.cs.l ? "64-bit" : s.cs.db ? "32-bit" : "16-bit", s.ss.selector);
	vmm_err("  cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx efer %llx", s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
}

/* The PIO or MMIO accesses of a decoded exit, to the DeviceManager. */
static void dispatch(struct vmm_vcpu *v, enum dev_bus_kind bus, const struct vmm_exit_info *x)
{
	uint8_t *data = x->data;
	for (uint32_t i = 0; i < x->count; i++, data += x->size) {
		if (x->write)
			dev_manager_write(v->vm->devs, bus, x->addr, data, x->size);
		else
			dev_manager_read(v->vm->devs, bus, x->addr, data, x->size);
	}
}

/* Handle one exit; false when the loop must end. */
static bool handle_exit(struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	char what[160];
	struct vmm_exit_info x;
	switch (vmm_decode_exit(run, v->vm->kvm.run_size, &x)) {
	case VMM_XA_PIO:
		dispatch(v, DEV_BUS_PIO, &x);
		return true;
	case VMM_XA_MMIO:
		dispatch(v, DEV_BUS_MMIO, &x);
		return true;
	case VMM_XA_BAD_PIO:
		vmm_vm_stop(v->vm, VMM_EXIT_GUEST, "vCPU %u: malformed KVM_EXIT_IO (size %u, count %u)", v->index, x.size,
		            x.count);
		return true;
	case VMM_XA_BAD_MMIO:
		vmm_vm_stop(v->vm, VMM_EXIT_GUEST, "vCPU %u: malformed KVM_EXIT_MMIO (len %u)", v->index, x.size);
		return true;
	case VMM_XA_CONTINUE:
		return true;
	case VMM_XA_HLT:
		vmm_vm_stop(v->vm, VMM_EXIT_OK, "vCPU %u: guest halted (KVM_EXIT_HLT)", v->index);
		return false;
	case VMM_XA_SHUTDOWN:
		vmm_vm_stop(v->vm, VMM_EXIT_OK, "vCPU %u: KVM_EXIT_SHUTDOWN (triple fault): guest reset", v->index);
		return false;
	case VMM_XA_POWEROFF:
		vmm_vm_stop(v->vm, VMM_EXIT_OK, "vCPU %u: KVM_EXIT_SYSTEM_EVENT shutdown: guest powered off", v->index);
		return false;
	case VMM_XA_RESET:
		vmm_vm_stop(v->vm, VMM_EXIT_OK, "vCPU %u: KVM_EXIT_SYSTEM_EVENT reset: guest rebooted", v->index);
		return false;
	case VMM_XA_SYSTEM_EVENT:
		snprintf(what, sizeof(what), "KVM_EXIT_SYSTEM_EVENT type %u (%s)", x.event,
		         x.event == KVM_SYSTEM_EVENT_CRASH ? "crash" : "unknown");
		vmm_vcpu_report(v, what);
		vmm_vm_stop(v->vm, VMM_EXIT_GUEST, "vCPU %u: guest stopped by system event %u", v->index, x.event);
		return false;
	case VMM_XA_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM_EXIT_FAIL_ENTRY, hardware entry failure reason 0x%llx on host cpu %u",
		         (unsigned long long)run->fail_entry.hardware_entry_failure_reason, run->fail_entry.cpu);
		break;
	case VMM_XA_INTERNAL: {
		int len = snprintf(what, sizeof(what), "KVM_EXIT_INTERNAL_ERROR, suberror %u (%s)", run->internal.suberror,
		                   suberror_name(run->internal.suberror));
		uint32_t nd = run->internal.ndata < 4 ? run->internal.ndata : 4;
		for (uint32_t i = 0; i < nd && len > 0 && (size_t)len < sizeof(what); i++)
			len += snprintf(what + len, sizeof(what) - (size_t)len, "%s0x%llx", i ? " " : ", data ",
			                (unsigned long long)run->internal.data[i]);
		break;
	}
	case VMM_XA_UNKNOWN:
		snprintf(what, sizeof(what), "%s (exit reason %u)", exit_name(run->exit_reason), run->exit_reason);
		break;
	}
	vmm_vcpu_report(v, what);
	vmm_vm_stop(v->vm, VMM_EXIT_GUEST, "vCPU %u stopped the VM: %s", v->index, exit_name(run->exit_reason));
	return false;
}

static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *v = arg;
	char name[16];
	snprintf(name, sizeof(name), "vcpu%u", v->index);
	pthread_setname_np(pthread_self(), name);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (v->vm->cfg->seccomp && vmm_seccomp_install(VMM_SECCOMP_VCPU) < 0) {
		vmm_vm_stop(v->vm, VMM_EXIT_SETUP, "vCPU %u: no seccomp filter, not running the guest", v->index);
		return NULL;
	}
	if (v->vm->cfg->seccomp && vmm_seccomp_available())
		vmm_debug("seccomp filter installed for vCPU %u", v->index);

	/* For make bench (startup): when the first KVM_RUN was entered, on the
	 * system-wide monotonic clock, logged after it returns so the log line
	 * does not delay it. */
	uint64_t first_run_ns = vmm_now_ns();
	bool first = true;
	while (!vmm_vm_stopping(v->vm)) {
		int rr = vmm_kvm_vcpu_run(v->fd);
		int run_errno = -rr;
		if (first) {
			first = false;
			vmm_debug("vCPU %u: first KVM_RUN at monotonic %llu ns, %llu ns after main()", v->index,
			          (unsigned long long)first_run_ns, (unsigned long long)(first_run_ns - v->vm->start_ns));
		}
		if (rr < 0) {
			int e = run_errno;
			if (e == EINTR || e == EAGAIN)
				continue;
			vmm_vm_stop(v->vm, VMM_EXIT_GUEST, "vCPU %u: KVM_RUN failed: %s", v->index, strerror(e));
			break;
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

int vmm_vcpu_start(struct vmm_vcpu *v)
{
	/* The kick signal stays blocked until the thread unblocks it itself, so a
	 * kick can only interrupt KVM_RUN or find immediate_exit set. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	int r = pthread_create(&v->thread, NULL, vcpu_thread, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		vmm_err("cannot start the thread of vCPU %u: %s", v->index, strerror(r));
		return -r;
	}
	v->started = true;
	return 0;
}
