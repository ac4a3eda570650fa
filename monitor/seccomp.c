/* Per-thread seccomp filters (see seccomp.h): one allow-list per thread kind. */
#include "config.h"

#include "monitor/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "monitor/log.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define VMM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define VMM_SANITIZED 1
#endif
#endif

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the allow-lists (names, so that --print-seccomp works in every build) ---- */

/* Every thread: memory (malloc, thread stacks), locks, signal delivery and
 * masks, the vCPU kick (tgkill), exit, time, one write per log line.
 * Reviewed with strace over every tiny test: each thread kind uses a subset
 * of this plus its own list; the rest (mremap, writev, clock_gettime when the
 * vDSO is unavailable, restart_syscall after a signal) covers libc paths the
 * tests do not reach. */
static const char *const common_syscalls[] = {
	"brk",    "mmap",   "munmap", "mprotect",   "madvise",       "mremap",          "futex",
	"rt_sigreturn", "rt_sigprocmask", "tgkill", "getpid", "gettid", "exit", "exit_group",
	"clock_gettime", "write", "writev", "restart_syscall",
};

/* Main thread: poll the stop eventfd, the signalfd and stdin and read them;
 * the terminal ioctls; join the vCPU threads; close fds on the way out. */
static const char *const main_syscalls[] = {"poll", "read", "close", "ioctl"};
/* vCPU thread: KVM_RUN and the error report; device models run here and only
 * write (COM1 output, the stop eventfd, the log). */
static const char *const vcpu_syscalls[] = {"ioctl"};
/* Virtio event loop: epoll, eventfd reads, disk/tap/console I/O, fdatasync,
 * getrandom for virtio-rng. */
static const char *const event_syscalls[] = {
	"epoll_wait", "epoll_pwait", "read",     "readv",     "pread64", "pwrite64",  "preadv",   "pwritev",
	"preadv2",    "pwritev2",    "fdatasync", "fsync",    "fallocate", "getrandom", "ioctl",
};

struct ioctl_rule {
	const char *name;
	unsigned long nr;
};
#define IOC(x) {#x, x}
/* KVM_IRQ_LINE on the main thread: console input raises the UART's interrupt. */
static const struct ioctl_rule main_ioctls[] = {IOC(TCGETS), IOC(TCSETS), IOC(TCSETSW), IOC(TCSETSF), IOC(KVM_IRQ_LINE)};
static const struct ioctl_rule vcpu_ioctls[] = {
	IOC(KVM_RUN), IOC(KVM_IRQ_LINE), IOC(KVM_GET_REGS), IOC(KVM_GET_SREGS), IOC(KVM_TRANSLATE),
};
static const struct ioctl_rule event_ioctls[] = {IOC(KVM_IRQ_LINE)};

static const struct policy {
	const char *kind; /* as printed and named in the SIGSYS report */
	const char *const *syscalls;
	size_t nsyscalls;
	const struct ioctl_rule *ioctls; /* ioctl is allowed only with these request numbers */
	size_t nioctls;
} policies[VMM_SECCOMP_NKINDS] = {
	[VMM_SECCOMP_MAIN] = {"main", main_syscalls, N(main_syscalls), main_ioctls, N(main_ioctls)},
	[VMM_SECCOMP_VCPU] = {"vcpu", vcpu_syscalls, N(vcpu_syscalls), vcpu_ioctls, N(vcpu_ioctls)},
	[VMM_SECCOMP_EVENT] = {"event", event_syscalls, N(event_syscalls), event_ioctls, N(event_ioctls)},
};

static bool listed(const char *const *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i], name) == 0)
			return true;
	return false;
}

void vmm_seccomp_print(FILE *f)
{
	for (size_t k = 0; k < VMM_SECCOMP_NKINDS; k++) {
		const struct policy *p = &policies[k];
		size_t count = N(common_syscalls);
		for (size_t i = 0; i < p->nsyscalls; i++)
			if (!listed(common_syscalls, N(common_syscalls), p->syscalls[i]))
				count++;
		fprintf(f, "%s %zu", p->kind, count);
		for (size_t i = 0; i < N(common_syscalls); i++)
			fprintf(f, " %s", common_syscalls[i]);
		for (size_t i = 0; i < p->nsyscalls; i++)
			if (!listed(common_syscalls, N(common_syscalls), p->syscalls[i]))
				fprintf(f, " %s", p->syscalls[i]);
		for (size_t i = 0; i < p->nioctls; i++)
			fprintf(f, " ioctl(%s)", p->ioctls[i].name);
		fputc('\n', f);
	}
}

#if defined(HAVE_SECCOMP) && !defined(VMM_SANITIZED)
#include <seccomp.h>

bool vmm_seccomp_available(void) { return true; }

/* For the SIGSYS report, which may not allocate: names resolved up front. */
#define MAX_NR 512
static const char *syscall_names[MAX_NR];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static __thread int thread_kind = -1;

static void resolve_names(void)
{
	for (int i = 0; i < MAX_NR; i++)
		syscall_names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i); /* kept until exit */
}

static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	char msg[160];
	int nr = si->si_syscall;
	const char *name = nr >= 0 && nr < MAX_NR && syscall_names[nr] ? syscall_names[nr] : "?";
	const char *kind = thread_kind >= 0 && thread_kind < VMM_SECCOMP_NKINDS ? policies[thread_kind].kind : "?";
	int n = snprintf(msg, sizeof(msg), "vmm: seccomp blocked system call %d (%s) on a '%s' thread; stopping\n", nr,
	                 name, kind);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0) {
		/* nothing more to do */
	}
	_exit(VMM_SECCOMP_EXIT);
}

static int add_names(scmp_filter_ctx ctx, const char *const *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(calls[i], "ioctl") == 0)
			continue; /* only with the listed request numbers */
		int nr = seccomp_syscall_resolve_name(calls[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call on this architecture */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EDOM && r != -EEXIST)
			return r;
	}
	return 0;
}

#ifdef VMM_TEST_HOOKS
/* Test builds only (tests/bad-input/Makefile.inc builds monitor/vmm-testhooks):
 * VMM_TEST_SECCOMP_VIOLATE=KIND makes the first thread of that kind open "/"
 * right after its filter is in place, i.e. a real system call outside its
 * list, from the real thread, under the real filter. */
static void test_violate(enum vmm_seccomp_thread which)
{
	const char *t = getenv("VMM_TEST_SECCOMP_VIOLATE");
	if (!t || strcmp(t, policies[which].kind) != 0)
		return;
	long fd = syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_CLOEXEC);
	vmm_err("seccomp test hook: openat from a %s thread was not blocked (fd %ld)", policies[which].kind, fd);
}
#endif

int vmm_seccomp_install(enum vmm_seccomp_thread which)
{
	if ((unsigned)which >= VMM_SECCOMP_NKINDS)
		return -EINVAL;
	const struct policy *p = &policies[which];
	pthread_once(&names_once, resolve_names);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);

	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP); /* allow-list: everything else traps */
	if (!ctx) {
		vmm_err("seccomp_init failed");
		return -ENOMEM;
	}
	int r = add_names(ctx, common_syscalls, N(common_syscalls));
	if (r == 0)
		r = add_names(ctx, p->syscalls, p->nsyscalls);
	for (size_t i = 0; r == 0 && i < p->nioctls; i++) {
		struct scmp_arg_cmp cmp = {.arg = 1, .op = SCMP_CMP_EQ, .datum_a = p->ioctls[i].nr, .datum_b = 0};
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &cmp);
	}
	if (r == 0)
		r = seccomp_load(ctx); /* per thread: no TSYNC */
	seccomp_release(ctx);
	if (r < 0) {
		vmm_err("cannot install the seccomp filter for the %s thread: %s", p->kind, strerror(-r));
		return r;
	}
	thread_kind = (int)which;
#ifdef VMM_TEST_HOOKS
	test_violate(which);
#endif
	return 0;
}
#else
bool vmm_seccomp_available(void) { return false; }
int vmm_seccomp_install(enum vmm_seccomp_thread which) { return 0; }
#endif
