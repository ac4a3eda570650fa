/* make bench, startup: how long from the harness's fork() of ./vmm to the
 * first KVM_RUN, to the tiny guest's boot-timer write and to its first serial
 * byte; median over RUNS runs (default 25), 1 vCPU, 128 MiB, tiny.elf (PVH).
 *
 * The vmm logs at debug level "first KVM_RUN at monotonic T ns, D ns after
 * main()" with T taken right before the ioctl; CLOCK_MONOTONIC is system-wide,
 * so T minus our timestamp just before fork() is fork + exec + dynamic loading
 * + main() + VM setup (the thread start included). D splits it into setup after
 * main() and what came before main(). The boot timer (port 0x440) reports
 * "guest boot time: X ms since VMM start" (start = main() entry).
 *
 * The floor, `startup --raw-child`, is this program exec'd again doing the
 * least a VMM must: open /dev/kvm, KVM_CREATE_VM, KVM_SET_TSS_ADDR, one 128 MiB
 * slot, KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2 (vmm creates both; the slot comes
 * first, see monitor/kvm.h), one vCPU, then KVM_RUN on a HLT. It then times a slot
 * set after the irqchip in a second VM (raw_ioctl_memslot_128M_after_irqchip). RATIO startup.first_kvm_run_vs_raw = vmm / floor.
 *
 * Paths: $top_builddir (default: the current directory)/.libs/vmm (the
 * binary behind libtool's wrapper; LD_LIBRARY_PATH gets mem/.libs) or vmm.
 * Prints BENCH/RATIO lines; exits 0 without /dev/kvm (skipped). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RAW_MEM (128u << 20)

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int raw_child(void)
{
	uint64_t t[6];
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return 2;
	t[0] = now_ns();
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	t[1] = now_ns();
	if (vm < 0 || ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		return 3;
	uint8_t *mem = mmap(NULL, RAW_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return 5;
	mem[0xffff0] = 0xf4; /* hlt at the reset vector's address (f000:fff0) */
	/* The slot before the irqchip, as vmm does (monitor/kvm.h says why). */
	struct kvm_userspace_memory_region r = {.memory_size = RAW_MEM, .userspace_addr = (uintptr_t)mem};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return 6;
	t[2] = now_ns();
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return 3;
	t[3] = now_ns();
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
		return 4;
	t[4] = now_ns();
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || sz <= 0)
		return 7;
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return 8;
	t[5] = now_ns();
	int rc = ioctl(vcpu, KVM_RUN, 0);
	fprintf(stderr, "raw: first KVM_RUN at monotonic %llu ns, exit %u\n", (unsigned long long)t[5],
	        rc < 0 ? 0u : run->exit_reason);
	/* The other order, for the record: a second VM whose slot comes after its
	 * irqchip (not part of the floor). */
	double late = -1;
	int vm2 = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm2 >= 0 && ioctl(vm2, KVM_SET_TSS_ADDR, 0xfffbd000ul) == 0 && ioctl(vm2, KVM_CREATE_IRQCHIP, 0) == 0) {
		uint64_t a = now_ns();
		if (ioctl(vm2, KVM_SET_USER_MEMORY_REGION, &r) == 0)
			late = (double)(now_ns() - a) / 1e6;
	}
	fprintf(stderr, "raw: ioctl ms: create_vm %.3f irqchip %.3f pit %.3f memslot %.3f vcpu %.3f memslot_after_irqchip %.3f\n",
	        (double)(t[1] - t[0]) / 1e6, (double)(t[3] - t[2]) / 1e6, (double)(t[4] - t[3]) / 1e6,
	        (double)(t[2] - t[1]) / 1e6, (double)(t[5] - t[4]) / 1e6, late);
	return rc < 0 ? 9 : 0;
}

struct sample {
	double first_kvm_run, main_to_run, exec_to_main, boot_timer, first_byte, exit;
	double create_vm, irqchip, pit, memslot, vcpu, memslot_late; /* raw child: its KVM ioctls */
};

/* Run argv once; fill *s (ms since just before fork). 0 on success. */
static int run_once(char *const argv[], struct sample *s, int raw)
{
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -1;
	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	char log[16384];
	size_t loglen = 0;
	uint64_t t_first = 0;
	int open_fds = 2;
	struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
	while (open_fds > 0) {
		if (poll(p, 2, 30000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[4096];
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0 && !t_first)
				t_first = now_ns();
			if (i == 1) {
				size_t c = (size_t)n < sizeof(log) - 1 - loglen ? (size_t)n : sizeof(log) - 1 - loglen;
				memcpy(log + loglen, buf, c);
				loglen += c;
			}
		}
	}
	int status;
	waitpid(pid, &status, 0);
	uint64_t t_exit = now_ns();
	log[loglen] = 0;
	unsigned long long mono = 0, after_main = 0, bt_ms = 0, bt_us = 0;
	const char *l = strstr(log, "first KVM_RUN at monotonic ");
	if (!l || sscanf(l, "first KVM_RUN at monotonic %llu ns, %llu ns after main()", &mono, &after_main) < 1 ||
	    mono < t0) {
		fprintf(stderr, "startup: no first-KVM_RUN line from %s (status %d):\n%s\n", argv[0], status, log);
		return -1;
	}
	memset(s, 0, sizeof(*s));
	s->first_kvm_run = (double)(mono - t0) / 1e6;
	s->exit = (double)(t_exit - t0) / 1e6;
	if (raw) {
		l = strstr(log, "raw: ioctl ms: ");
		if (l)
			sscanf(l, "raw: ioctl ms: create_vm %lf irqchip %lf pit %lf memslot %lf vcpu %lf memslot_after_irqchip %lf",
			       &s->create_vm, &s->irqchip, &s->pit, &s->memslot, &s->vcpu, &s->memslot_late);
		return 0;
	}
	s->main_to_run = (double)after_main / 1e6;
	s->exec_to_main = s->first_kvm_run - s->main_to_run;
	l = strstr(log, "guest boot time: ");
	if (!l || sscanf(l, "guest boot time: %llu.%llu ms", &bt_ms, &bt_us) != 2 || !t_first) {
		fprintf(stderr, "startup: no boot-timer line or no serial output:\n%s\n", log);
		return -1;
	}
	s->boot_timer = s->exec_to_main + (double)bt_ms + (double)bt_us / 1e3;
	s->first_byte = (double)(t_first - t0) / 1e6;
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_of(const struct sample *s, int n, size_t off)
{
	double v[256];
	for (int i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&s[i] + off, sizeof(double));
	qsort(v, (size_t)n, sizeof(double), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--raw-child") == 0)
		return raw_child();
	int runs = argc > 1 ? atoi(argv[1]) : 25;
	if (runs < 1 || runs > 256)
		runs = 25;
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("startup: /dev/kvm not usable, skipped\n");
		return 0;
	}
	const char *b = getenv("top_builddir") ? getenv("top_builddir") : ".";
	char vmm[4096], tiny[4096], libs[8192], self[4096];
	snprintf(vmm, sizeof(vmm), "%s/.libs/vmm", b);
	if (access(vmm, X_OK) == 0) {
		const char *old = getenv("LD_LIBRARY_PATH");
		snprintf(libs, sizeof(libs), "%s/mem/.libs%s%s", b, old ? ":" : "", old ? old : "");
		setenv("LD_LIBRARY_PATH", libs, 1);
	} else {
		snprintf(vmm, sizeof(vmm), "%s/vmm", b);
	}
	snprintf(tiny, sizeof(tiny), "%s/guest/tiny/tiny.elf", b);
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return 1;
	self[sl] = 0;
	char *vargv[] = {vmm, "--kernel", tiny, "--mem", "128M", "--cpus", "1", "--log-level", "debug",
	                 "--cmdline", "tiny.test=hello", NULL};
	char *rargv[] = {self, "--raw-child", NULL};
	static struct sample vs[256], rs[256];
	for (int i = 0; i < runs; i++) /* interleaved, so both see the same machine load */
		if (run_once(vargv, &vs[i], 0) < 0 || run_once(rargv, &rs[i], 1) < 0)
			return 1;
#define MED(arr, field) median_of(arr, runs, offsetof(struct sample, field))
	double v = MED(vs, first_kvm_run), r = MED(rs, first_kvm_run);
	printf("BENCH startup.first_kvm_run %.3f ms\n", v);
	printf("BENCH startup.exec_to_main %.3f ms\n", MED(vs, exec_to_main));
	printf("BENCH startup.main_to_first_kvm_run %.3f ms\n", MED(vs, main_to_run));
	printf("BENCH startup.boot_timer %.3f ms\n", MED(vs, boot_timer));
	printf("BENCH startup.first_serial_byte %.3f ms\n", MED(vs, first_byte));
	printf("BENCH startup.hello_exit %.3f ms\n", MED(vs, exit));
	printf("BENCH startup.raw_first_kvm_run %.3f ms\n", r);
	printf("BENCH startup.raw_ioctl_create_vm %.3f ms\n", MED(rs, create_vm));
	printf("BENCH startup.raw_ioctl_irqchip %.3f ms\n", MED(rs, irqchip));
	printf("BENCH startup.raw_ioctl_create_pit2 %.3f ms\n", MED(rs, pit));
	printf("BENCH startup.raw_ioctl_memslot_128M %.3f ms\n", MED(rs, memslot));
	printf("BENCH startup.raw_ioctl_vcpu_setup %.3f ms\n", MED(rs, vcpu));
	printf("BENCH startup.raw_ioctl_memslot_128M_after_irqchip %.3f ms\n", MED(rs, memslot_late));
	printf("BENCH startup.runs %d runs\n", runs);
	printf("RATIO startup.first_kvm_run_vs_raw %.3f\n", r > 0 ? v / r : 0);
	return 0;
}
