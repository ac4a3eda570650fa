/* Per-thread seccomp filters (see seccomp.h). */
#include "config.h"

#include "vmm/seccomp.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/log.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define VMM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define VMM_SANITIZED 1
#endif
#endif

#if defined(HAVE_SECCOMP) && !defined(VMM_SANITIZED)
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <termios.h>

bool vmm_seccomp_available(void) { return true; }

/* System calls every thread needs: memory (malloc), locks, signals, exit, time, logging. */
static const int common_syscalls[] = {
	SCMP_SYS(brk),          SCMP_SYS(mmap),        SCMP_SYS(munmap),       SCMP_SYS(mprotect),
	SCMP_SYS(madvise),      SCMP_SYS(mremap),      SCMP_SYS(futex),        SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(sigaltstack), SCMP_SYS(tgkill),     SCMP_SYS(getpid),
	SCMP_SYS(gettid),       SCMP_SYS(sched_yield), SCMP_SYS(exit),         SCMP_SYS(exit_group),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(write),
	SCMP_SYS(writev),       SCMP_SYS(restart_syscall), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(newfstatat),   SCMP_SYS(fstat),       SCMP_SYS(getrandom),
};

static const int main_syscalls[] = {
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(read), SCMP_SYS(close), SCMP_SYS(fcntl), SCMP_SYS(lseek),
};

/* The virtio event loop: epoll, eventfd reads, disk/tap/console I/O, fdatasync. */
static const int event_syscalls[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(read),     SCMP_SYS(readv),
	SCMP_SYS(pread64),    SCMP_SYS(pwrite64),    SCMP_SYS(preadv),   SCMP_SYS(pwritev),
	SCMP_SYS(preadv2),    SCMP_SYS(pwritev2),    SCMP_SYS(fdatasync), SCMP_SYS(fsync),
	SCMP_SYS(fallocate),
};
static const unsigned long event_ioctls[] = {KVM_IRQ_LINE};

static const unsigned long vcpu_ioctls[] = {
	KVM_RUN, KVM_IRQ_LINE, KVM_GET_REGS, KVM_GET_SREGS, KVM_TRANSLATE,
};
/* KVM_IRQ_LINE: console input raises the UART's interrupt from the main thread. */
static const unsigned long main_ioctls[] = {TCGETS, TCSETS, TCSETSW, TCSETSF, KVM_IRQ_LINE};

static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "vmm: seccomp blocked system call %d; stopping\n", si->si_syscall);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0) {
		/* nothing more to do */
	}
	_exit(1);
}

static int add_all(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
		if (r < 0 && r != -EDOM) /* -EDOM: not a syscall on this architecture */
			return r;
	}
	return 0;
}

int vmm_seccomp_install(enum vmm_seccomp_thread which)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);

	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		vmm_err("seccomp_init failed");
		return -ENOMEM;
	}
	int r = add_all(ctx, common_syscalls, sizeof(common_syscalls) / sizeof(common_syscalls[0]));
	const unsigned long *ioctls = which == VMM_SECCOMP_VCPU ? vcpu_ioctls : main_ioctls;
	size_t nioctls = which == VMM_SECCOMP_VCPU ? sizeof(vcpu_ioctls) / sizeof(vcpu_ioctls[0])
	                                           : sizeof(main_ioctls) / sizeof(main_ioctls[0]);
	if (which == VMM_SECCOMP_EVENT) {
		ioctls = event_ioctls;
		nioctls = sizeof(event_ioctls) / sizeof(event_ioctls[0]);
		r = r ? r : add_all(ctx, event_syscalls, sizeof(event_syscalls) / sizeof(event_syscalls[0]));
	}
	for (size_t i = 0; r == 0 && i < nioctls; i++) {
		struct scmp_arg_cmp cmp = {.arg = 1, .op = SCMP_CMP_EQ, .datum_a = ioctls[i], .datum_b = 0};
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &cmp);
	}
	if (r == 0 && which == VMM_SECCOMP_MAIN)
		r = add_all(ctx, main_syscalls, sizeof(main_syscalls) / sizeof(main_syscalls[0]));
	if (r == 0)
		r = seccomp_load(ctx); /* per thread: no TSYNC */
	seccomp_release(ctx);
	if (r < 0)
		vmm_err("cannot install the seccomp filter for the %s thread: %s",
		        which == VMM_SECCOMP_VCPU ? "vCPU" : which == VMM_SECCOMP_EVENT ? "virtio event" : "main",
		        strerror(-r));
	return r;
}
#else
bool vmm_seccomp_available(void) { return false; }
int vmm_seccomp_install(enum vmm_seccomp_thread which) { return 0; }
#endif
