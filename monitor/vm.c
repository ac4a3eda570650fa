/* VM assembly and the main loop: guest RAM, memory slots, devices, boot,
 * vCPU threads; signals, console input, stop. */
#include "config.h"

#include "monitor/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <vmm-mem/mem.h>

#include "devices/core/dev.h"
#include "devices/legacy/acpi_pm.h"
#include "devices/legacy/boot_timer.h"
#include "devices/legacy/cmos.h"
#include "devices/legacy/i8042.h"
#include "devices/legacy/quiet.h"
#include "devices/legacy/serial.h"
#include "boot/layout.h"
#include "monitor/boot.h"
#include "monitor/log.h"
#include "monitor/ram_layout.h"
#include "monitor/seccomp.h"
#include "monitor/term.h"
#include "monitor/vcpu.h"
#include "monitor/virtio.h"

/* The FADT and \_S5 that boot/ writes must describe the acpi_pm device. */
_Static_assert(BOOT_ACPI_PM_PORT == DEV_ACPI_PM_BASE, "ACPI PM port");
_Static_assert(BOOT_ACPI_SLEEP_CONTROL_PORT == DEV_ACPI_PM_BASE + DEV_ACPI_PM_SLEEP_CONTROL, "SLP_CNT");
_Static_assert(BOOT_ACPI_SLEEP_STATUS_PORT == DEV_ACPI_PM_BASE + DEV_ACPI_PM_SLEEP_STATUS, "SLP_STS");
_Static_assert(BOOT_ACPI_RESET_PORT == DEV_ACPI_PM_BASE + DEV_ACPI_PM_RESET, "RESET_REG");
_Static_assert(BOOT_ACPI_S5_TYPE == DEV_ACPI_PM_S5_TYPE, "S5 type");
_Static_assert(BOOT_ACPI_RESET_VALUE == DEV_ACPI_PM_RESET_VALUE, "reset value");

/* ---- guest RAM ---- */

static int setup_memory(struct vmm_vm *vm)
{
	uint64_t size = vm->cfg->mem_size;
	struct vmm_ram_region rr[VMM_RAM_MAX_REGIONS];
	struct gm_range r[VMM_RAM_MAX_REGIONS];
	int nr = vmm_ram_layout(size, rr);
	if (nr < 0) {
		vmm_err("--mem %llu bytes: no RAM layout: %s", (unsigned long long)size, strerror(-nr));
		return nr;
	}
	size_t n = (size_t)nr;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct gm_range){gm_addr(rr[i].start), rr[i].len};
	int e = gm_memory_new_anon(&vm->mem, r, n);
	if (e < 0) {
		vmm_err("cannot allocate %llu MiB of guest memory: %s", (unsigned long long)(size >> 20), strerror(-e));
		return e;
	}
	for (size_t i = 0; i < gm_memory_num_regions(vm->mem); i++) {
		const struct gm_region *reg = gm_memory_region(vm->mem, i);
		/* The slot number comes from its one owner, the DeviceManager. */
		struct dev_res_req rq = {.kind = DEV_RES_MEM_SLOT};
		struct dev_resource slot;
		e = dev_manager_alloc_resources(vm->devs, &rq, 1, &slot);
		if (e < 0) {
			vmm_err("no free memory slot for guest RAM region %zu: %s", i, strerror(-e));
			return e;
		}
		vmm_debug("guest RAM slot %llu: guest 0x%llx, %llu bytes, host mapping %p", (unsigned long long)slot.base,
		          (unsigned long long)gm_region_start(reg).raw, (unsigned long long)gm_region_len(reg),
		          (void *)gm_region_host_base(reg));
		e = vmm_kvm_set_memslot(&vm->kvm, (uint32_t)slot.base, gm_region_start(reg).raw, gm_region_len(reg),
		                        gm_region_host_base(reg));
		if (e < 0)
			return e;
	}
	return 0;
}

/* ---- devices ---- */

static int irq_set_level(void *ctx, uint32_t gsi, int level) { return vmm_kvm_irq_line(&((struct vmm_vm *)ctx)->kvm, gsi, level); }

static int irq_trigger(void *ctx, uint32_t gsi)
{
	struct vmm_vm *vm = ctx;
	int r = vmm_kvm_irq_line(&vm->kvm, gsi, 1);
	return r < 0 ? r : vmm_kvm_irq_line(&vm->kvm, gsi, 0);
}

static void serial_tx(void *ctx, uint8_t b)
{
	for (;;) {
		ssize_t w = write(STDOUT_FILENO, &b, 1);
		if (w == 1 || (w < 0 && errno != EINTR && errno != EAGAIN))
			return;
	}
}

static void i8042_reset(void *ctx)
{
	vmm_vm_stop(ctx, VMM_EXIT_OK, "guest reset through the i8042 (port 0x64 <- 0xfe)");
}

static void acpi_poweroff(void *ctx) { vmm_vm_stop(ctx, VMM_EXIT_OK, "guest powered off (ACPI S5)"); }
static void acpi_reset(void *ctx) { vmm_vm_stop(ctx, VMM_EXIT_OK, "guest reset through the ACPI reset register"); }

static void boot_timer_report(void *ctx, uint64_t ns)
{
	vmm_info("guest boot time: %llu.%03llu ms since VMM start (boot timer, port 0x%x)",
	         (unsigned long long)(ns / 1000000), (unsigned long long)(ns / 1000 % 1000), DEV_BOOT_TIMER_PORT);
}

static void dev_log(void *ctx, enum dev_log_level level, const char *msg)
{
	vmm_log(level == DEV_LOG_ERROR ? VMM_LOG_ERROR : level == DEV_LOG_WARN ? VMM_LOG_WARN
	        : level == DEV_LOG_INFO ? VMM_LOG_INFO : VMM_LOG_DEBUG, "devices: %s", msg);
}

static int reg(struct vmm_vm *vm, uint64_t base, uint64_t len, const struct dev_ops *ops, void *priv, const char *name)
{
	struct dev_handle *h; /* owned by the manager; the devices stay until dev_manager_free */
	int e = dev_manager_register(vm->devs, DEV_BUS_PIO, base, len, ops, priv, &h);
	if (e < 0)
		vmm_err("cannot register %s at port 0x%llx: %s", name, (unsigned long long)base, strerror(-e));
	return e;
}

/* The DeviceManager first: it owns the memory slot numbers too. */
static int setup_manager(struct vmm_vm *vm)
{
	struct dev_manager_config mc;
	dev_manager_config_default(&mc);
	/* The manager formats a message per unhandled access for its log
	 * callback: only pay for that when debug output is wanted. */
	mc.log = vmm_log_get_level() >= VMM_LOG_DEBUG ? dev_log : NULL;
	mc.log_ctx = vm;
	int e = dev_manager_new(&vm->devs, &mc);
	if (e < 0) {
		vmm_err("cannot create the device manager: %s", strerror(-e));
		return e;
	}
	return 0;
}

static int setup_devices(struct vmm_vm *vm)
{
	int e;
	struct dev_serial_config sc = {
		.tx = serial_tx,
		.irq = {.set_level = irq_set_level, .trigger = irq_trigger, .ctx = vm},
		.gsi = DEV_SERIAL_COM1_GSI,
	};
	struct dev_i8042_config kc = {.reset = i8042_reset, .ctx = vm};
	struct dev_acpi_pm_config pc = {.poweroff = acpi_poweroff, .reset = acpi_reset, .ctx = vm};
	struct dev_boot_timer_config tc = {.start_ns = vm->start_ns, .report = boot_timer_report, .ctx = vm};
	if ((e = dev_serial_new(&vm->serial, &sc)) < 0 || (e = dev_i8042_new(&vm->i8042, &kc)) < 0 ||
	    (e = dev_boot_timer_new(&vm->boot_timer, &tc)) < 0 || (e = dev_cmos_new(&vm->cmos, NULL)) < 0 ||
	    (e = dev_acpi_pm_new(&vm->acpi_pm, &pc)) < 0) {
		vmm_err("cannot create the legacy devices: %s", strerror(-e));
		return e;
	}
	if ((e = reg(vm, DEV_SERIAL_COM1_BASE, DEV_SERIAL_NPORTS, &dev_serial_ops, vm->serial, "COM1")) < 0 ||
	    (e = reg(vm, DEV_I8042_BASE, DEV_I8042_LEN, &dev_i8042_ops, vm->i8042, "i8042")) < 0 ||
	    (e = reg(vm, DEV_BOOT_TIMER_PORT, DEV_BOOT_TIMER_LEN, &dev_boot_timer_ops, vm->boot_timer, "boot timer")) < 0 ||
	    (e = reg(vm, DEV_CMOS_BASE, DEV_CMOS_LEN, &dev_cmos_ops, vm->cmos, "CMOS")) < 0 ||
	    (e = reg(vm, DEV_ACPI_PM_BASE, DEV_ACPI_PM_LEN, &dev_acpi_pm_ops, vm->acpi_pm, "ACPI PM")) < 0 ||
	    (e = reg(vm, 0x80, 1, &dev_quiet_ops, NULL, "POST port")) < 0 ||
	    (e = reg(vm, 0xed, 1, &dev_quiet_ops, NULL, "delay port")) < 0 ||
	    (e = reg(vm, 0x92, 1, &dev_quiet_ops, NULL, "system control port A")) < 0)
		return e;
	return 0;
}

/* ---- assembly ---- */

int vmm_vm_create(struct vmm_vm *vm, const struct vmm_config *cfg, uint64_t start_ns)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->start_ns = start_ns;
	vm->ncpus = cfg->cpus;
	vm->stop.fd = -1;
	vm->kvm.sys_fd = vm->kvm.vm_fd = -1;
	for (unsigned i = 0; i < VMM_MAX_CPUS; i++)
		vm->vcpus[i].fd = -1;
	int e;
	if ((e = vmm_stop_init(&vm->stop)) < 0)
		return e;
	if ((e = vmm_kvm_open(&vm->kvm, cfg->cpus)) < 0)
		return e;
	if ((e = setup_manager(vm)) < 0 || (e = setup_memory(vm)) < 0 || (e = vmm_kvm_create_irqchip(&vm->kvm)) < 0 || (e = setup_devices(vm)) < 0 ||
	    (e = vmm_virtio_create(vm)) < 0)
		return e;
	for (unsigned i = 0; i < vm->ncpus; i++)
		if ((e = vmm_vcpu_create(vm, i)) < 0)
			return e;
	if ((e = vmm_boot(vm)) < 0)
		return e;
	return 0;
}

void vmm_vm_destroy(struct vmm_vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		if (vm->vcpus[i].started) {
			/* A vCPU thread that would not stop still uses its kvm_run and guest
			 * memory: leave everything to process exit. */
			return;
		}
	}
	for (unsigned i = 0; i < vm->ncpus; i++)
		vmm_vcpu_destroy(&vm->vcpus[i]);
	vmm_virtio_destroy(vm);
	if (vm->devs)
		dev_manager_free(vm->devs);
	dev_serial_free(vm->serial);
	dev_i8042_free(vm->i8042);
	dev_boot_timer_free(vm->boot_timer);
	dev_cmos_free(vm->cmos);
	dev_acpi_pm_free(vm->acpi_pm);
	/* Memory slots go with the VM fd; the mapping goes after. */
	vmm_kvm_close(&vm->kvm);
	gm_memory_put(vm->mem);
	vmm_stop_fini(&vm->stop);
	memset(vm, 0, sizeof(*vm));
}

/* ---- the main loop ---- */

static void feed_console(struct vmm_vm *vm, struct vmm_console_in *con, bool *stdin_open)
{
	size_t space = vmm_virtio_console_input_fd(vm) >= 0 ? 64 : dev_serial_rx_space(vm->serial);
	if (space == 0)
		return;
	uint8_t in[64], out[128];
	if (space > sizeof(in))
		space = sizeof(in);
	ssize_t n = read(STDIN_FILENO, in, space);
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
		*stdin_open = false;
		return;
	}
	if (n < 0)
		return;
	size_t on = 0;
	if (vmm_console_filter(con, in, (size_t)n, out, &on)) {
		vmm_vm_stop(vm, VMM_EXIT_OK, "Ctrl-A x: quitting");
		return;
	}
	/* The filter may expand one byte into two; what does not fit is dropped. */
	int vcon = vmm_virtio_console_input_fd(vm);
	if (vcon >= 0 && on && write(vcon, out, on) < 0)
		vmm_debug("virtio-console input dropped: %s", strerror(errno));
	else if (vcon < 0)
		dev_serial_input(vm->serial, out, on);
}

int vmm_vm_run(struct vmm_vm *vm)
{
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	/* Blocked before the vCPU threads exist, so they inherit it and only the
	 * signalfd sees these signals. */
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		vmm_err("signalfd: %s", strerror(errno));
		return VMM_EXIT_SETUP;
	}
	if (vmm_vcpu_signals_init() < 0) {
		vmm_err("cannot install the vCPU kick signal: %s", strerror(errno));
		close(sfd);
		return VMM_EXIT_SETUP;
	}
	vmm_term_raw();
	if (vmm_virtio_start(vm) < 0)
		vmm_vm_stop(vm, VMM_EXIT_SETUP, "could not start the virtio event loop");
	for (unsigned i = 0; !vmm_vm_stopping(vm) && i < vm->ncpus; i++) {
		if (vmm_vcpu_start(&vm->vcpus[i]) < 0) {
			vmm_vm_stop(vm, VMM_EXIT_SETUP, "could not start every vCPU");
			break;
		}
	}
	struct vmm_console_in con = {false};
	bool stdin_open = fcntl(STDIN_FILENO, F_GETFD) >= 0;
	if (vm->cfg->seccomp) {
		if (!vmm_seccomp_available())
			vmm_debug("seccomp filters are not available in this build");
		else if (vmm_seccomp_install(VMM_SECCOMP_MAIN) < 0)
			vmm_vm_stop(vm, VMM_EXIT_SETUP, "no seccomp filter for the main thread: stopping");
		else
			vmm_debug("seccomp filter installed for the main thread");
	}
	while (!vmm_vm_stopping(vm)) {
		struct pollfd p[3] = {
			{.fd = vm->stop.fd, .events = POLLIN},
			{.fd = sfd, .events = POLLIN},
			{.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		bool full = stdin_open && vmm_virtio_console_input_fd(vm) < 0 && dev_serial_rx_space(vm->serial) == 0;
		if (full)
			p[2].fd = -1; /* the guest has not drained its FIFO yet: check again soon */
		int r = poll(p, 3, full ? 10 : -1);
		if (r < 0 && errno != EINTR) {
			vmm_vm_stop(vm, VMM_EXIT_SETUP, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				vmm_vm_stop(vm, VMM_EXIT_SIGNAL + (int)si.ssi_signo, "signal %u (%s): stopping the VM",
				            si.ssi_signo, strsignal((int)si.ssi_signo));
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			feed_console(vm, &con, &stdin_open);
		if (p[2].revents & POLLNVAL)
			stdin_open = false;
	}
	/* A stop was requested (by any thread): this loop decides what follows.
	 * Kick every vCPU out of KVM_RUN at once, then join them. */
	for (unsigned i = 0; i < vm->ncpus; i++)
		vmm_vcpu_kick(&vm->vcpus[i]);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];
		if (!v->started)
			continue;
		/* Never hang: a vCPU stuck in a device callback gets a few kicks, then is left behind. */
		struct timespec ts;
		int r = EBUSY;
		for (int tries = 0; tries < 20 && r != 0; tries++) {
			vmm_vcpu_kick(v);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			r = pthread_timedjoin_np(v->thread, NULL, &ts);
		}
		if (r == 0)
			v->started = false;
		else
			vmm_warn("vCPU %u did not stop within 2 s", i);
	}
	vmm_virtio_stop(vm);
	vmm_term_restore();
	close(sfd);
	return vm->stop.code;
}
