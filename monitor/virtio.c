/* virtio-mmio devices of the VM and their event loop (see virtio.h). */
#include "config.h"

#include "monitor/virtio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boot/vdev.h"
#include "devices/core/dev.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/console.h"
#include "devices/virtio/net.h"
#include "devices/virtio/rng.h"
#include "monitor/clock.h"
#include "monitor/image.h"
#include "monitor/log.h"
#include "monitor/seccomp.h"
#include "monitor/tap_check.h"
#include "monitor/virtio_backend.h"
#include "monitor/vm.h"

#define MAX_DEVS (VMM_MAX_DISKS + 3)
#define MAX_QUEUES 2
#define MAX_BACKEND_FDS 4
#define QUEUE_SIZE 256

enum watch_kind { W_STOP, W_QUEUE, W_BACKEND };

struct vdev;
struct watch {
	enum watch_kind kind;
	struct vdev *d;
	uint16_t q;
	int fd;
	bool polled;	    /* W_QUEUE: in vv->polled, notifications suppressed */
	uint64_t poll_until; /* CLOCK_MONOTONIC ns: stop polling when idle past this */
	uint64_t win_ns;     /* this queue's polling window: adapts in 0..poll_ns; 0 unless d->poll */
	uint64_t idle_at;    /* when its last window ended (or was 0) without work; 0: none */
	uint64_t empty_windows;
};

struct vdev {
	struct vmm_virtio *vv;
	char name[24];
	struct dev_virtio_mmio *dev;
	struct dev_handle *h;
	uint64_t base;
	uint32_t gsi;
	int irqfd;		   /* -1: KVM_IRQ_LINE pulses instead */
	uint16_t nq;
	bool poll;		   /* polls its queues after a request: a disk, --poll-us > 0 */
	const char *disk_path;	   /* a disk: its image (for messages) */
	uint64_t host_errors;	   /* a disk: host I/O failures seen so far */
	int qfd[MAX_QUEUES];	   /* one eventfd per queue */
	bool ioeventfd[MAX_QUEUES]; /* registered with KVM (else the notify hook writes qfd) */
	struct watch qw[MAX_QUEUES];
	int nb;
	struct watch bw[MAX_BACKEND_FDS];
	_Atomic uint64_t exit_notifies; /* QueueNotify writes that reached a vCPU thread */
	uint64_t loop_wakeups;		/* queue eventfd wakeups in the event loop */
	uint64_t polled_batches;	/* queue work found by polling, no notification */
};

struct vmm_virtio {
	struct vmm_vm *vm;
	struct vdev devs[MAX_DEVS];
	unsigned n;
	struct boot_virtio_mmio boot[MAX_DEVS];
	int epfd, stop_fd;
	struct watch stop_watch;
	pthread_t thread;
	bool started;
	bool use_ioeventfd, use_irqfd;
	int con_in_w; /* --console virtio: main loop writes stdin here */
	uint64_t poll_ns; /* --poll-us; 0: never poll */
	unsigned npolled;
	struct watch *polled[MAX_DEVS * MAX_QUEUES];
};

/* ---- interrupts and notifications ---- */

static int irq_trigger(void *ctx, uint32_t gsi)
{
	struct vdev *d = ctx;
	if (d->irqfd >= 0) {
		uint64_t one = 1;
		for (;;) {
			ssize_t w = write(d->irqfd, &one, sizeof(one));
			if (w == (ssize_t)sizeof(one))
				return 0;
			if (w < 0 && errno == EINTR)
				continue;
			return w < 0 ? -errno : -EIO;
		}
	}
	struct vmm_kvm *k = &d->vv->vm->kvm;
	int r = vmm_kvm_irq_line(k, gsi, 1);
	return r < 0 ? r : vmm_kvm_irq_line(k, gsi, 0);
}

/* QueueNotify without an ioeventfd: the vCPU thread only wakes the loop. */
static void notify_hook(void *ctx, struct dev_virtio_mmio *dev, uint16_t q)
{
	struct vdev *d = ctx;
	if (q >= d->nq)
		return;
	atomic_fetch_add(&d->exit_notifies, 1);
	uint64_t one = 1;
	if (write(d->qfd[q], &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the loop will run */
	}
}

static int kvm_ioeventfd(struct vmm_virtio *vv, struct vdev *d, uint16_t q)
{
	return vmm_kvm_ioeventfd(&vv->vm->kvm, d->base + VIRTIO_MMIO_QUEUE_NOTIFY, q, d->qfd[q]);
}

static int kvm_irqfd(struct vmm_virtio *vv, struct vdev *d) { return vmm_kvm_irqfd(&vv->vm->kvm, d->irqfd, d->gsi); }

static int watch_add(struct vmm_virtio *vv, struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};
	if (epoll_ctl(vv->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0) {
		int e = errno;
		vmm_err("epoll_ctl: %s", strerror(e));
		return -e;
	}
	return 0;
}

/* ---- creation ---- */

static struct vdev *next_dev(struct vmm_virtio *vv, const char *name, struct dev_virtio_mmio_config *tc)
{
	struct vdev *d = &vv->devs[vv->n];
	memset(d, 0, sizeof(*d));
	d->vv = vv;
	d->irqfd = -1;
	for (int q = 0; q < MAX_QUEUES; q++)
		d->qfd[q] = -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	*tc = (struct dev_virtio_mmio_config){
		.mem = vv->vm->mem,
		.irq = {.trigger = irq_trigger, .ctx = d},
		.queue_max = QUEUE_SIZE,
		.notify_hook = notify_hook,
		.notify_ctx = d,
	};
	return d;
}

/* The GSI is needed before the transport exists (its config carries it). */
static int alloc_gsi(struct vmm_virtio *vv, uint32_t *gsi)
{
	struct dev_res_req rq = {.kind = DEV_RES_LEGACY_IRQ};
	struct dev_resource r;
	int e = dev_manager_alloc_resources(vv->vm->devs, &rq, 1, &r);
	if (e < 0) {
		vmm_err("no free GSI for another virtio device: %s", strerror(-e));
		return e;
	}
	*gsi = (uint32_t)r.base;
	return 0;
}

/* Place the new transport, wire its eventfds; on error the transport is freed. */
static int place(struct vmm_virtio *vv, struct vdev *d)
{
	int e = dev_manager_register_alloc(vv->vm->devs, DEV_BUS_MMIO, 0, DEV_VIRTIO_MMIO_SIZE, DEV_VIRTIO_MMIO_SIZE,
	                                   DEV_ALLOC_FIRST_MATCH, 0, &dev_virtio_mmio_ops, d->dev, &d->h, &d->base);
	if (e < 0) {
		vmm_err("%s: no MMIO window: %s", d->name, strerror(-e));
		dev_virtio_mmio_free(d->dev);
		d->dev = NULL;
		return e;
	}
	vv->n++; /* from here vmm_virtio_destroy cleans it up */
	vv->boot[vv->n - 1] = (struct boot_virtio_mmio){.addr = d->base, .size = DEV_VIRTIO_MMIO_SIZE, .gsi = d->gsi};
	d->nq = dev_virtio_mmio_num_queues(d->dev);
	if (d->nq > MAX_QUEUES) {
		vmm_err("%s: %u queues, the VMM wires at most %d", d->name, d->nq, MAX_QUEUES);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < d->nq; q++) {
		d->qfd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->qfd[q] < 0) {
			vmm_err("eventfd: %s", strerror(errno));
			return -errno;
		}
		d->qw[q] = (struct watch){.kind = W_QUEUE, .d = d, .q = q, .fd = d->qfd[q],
		                           .win_ns = d->poll ? vv->poll_ns : 0};
		if ((e = watch_add(vv, &d->qw[q], EPOLLIN)) < 0)
			return e;
		if (vv->use_ioeventfd) {
			e = kvm_ioeventfd(vv, d, q);
			if (e < 0)
				vmm_warn("%s: KVM_IOEVENTFD for queue %u: %s; notifications go through the vCPU thread",
				         d->name, q, strerror(-e));
			else
				d->ioeventfd[q] = true;
		}
	}
	if (vv->use_irqfd) {
		d->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (d->irqfd < 0) {
			vmm_err("eventfd: %s", strerror(errno));
			return -errno;
		}
		if ((e = kvm_irqfd(vv, d)) < 0) {
			vmm_warn("%s: KVM_IRQFD: %s; interrupts go through KVM_IRQ_LINE", d->name, strerror(-e));
			close(d->irqfd);
			d->irqfd = -1;
		}
	}
	int fds[MAX_BACKEND_FDS];
	int nb = dev_virtio_mmio_backend_fds(d->dev, fds, MAX_BACKEND_FDS);
	for (int i = 0; i < nb; i++) {
		bool dup = false; /* console in/out may be one fd */
		for (int j = 0; j < d->nb; j++)
			dup |= d->bw[j].fd == fds[i];
		if (dup)
			continue;
		d->bw[d->nb] = (struct watch){.kind = W_BACKEND, .d = d, .fd = fds[i]};
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = &d->bw[d->nb]};
		if (epoll_ctl(vv->epfd, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			if (errno != EPERM) {
				vmm_err("%s: epoll_ctl: %s", d->name, strerror(errno));
				return -errno;
			}
			/* A regular file (e.g. stdout redirected): always ready, never EAGAIN. */
			vmm_debug("%s: backend fd %d is not pollable; not watched", d->name, fds[i]);
			continue;
		}
		d->nb++;
	}
	vmm_info("%s at 0x%llx (4K), GSI %u, %u queue(s); notify: %s, interrupt: %s", d->name,
	         (unsigned long long)d->base, d->gsi, d->nq, d->nq && d->ioeventfd[0] ? "ioeventfd" : "vCPU exit",
	         d->irqfd >= 0 ? "irqfd" : "KVM_IRQ_LINE");
	return 0;
}

static int add_disk(struct vmm_virtio *vv, const struct vmm_disk *disk, unsigned idx)
{
	struct dev_virtio_mmio_config tc;
	char name[24];
	snprintf(name, sizeof(name), "virtio-blk%u", idx);
	struct vdev *d = next_dev(vv, name, &tc);
	int e = alloc_gsi(vv, &d->gsi);
	if (e < 0)
		return e;
	tc.gsi = d->gsi;
	int fd = vmm_image_open(disk); /* monitor/image.c: open, lock, probe */
	if (fd < 0)
		return fd;
	char serial[21];
	snprintf(serial, sizeof(serial), "vmm-disk%u", idx);
	struct dev_virtio_blk_config bc = {.fd = fd, .read_only = disk->read_only, .serial = serial, .map = true};
	d->poll = vv->poll_ns != 0;
	d->disk_path = disk->path;
	if ((e = dev_virtio_blk_new(&d->dev, &tc, &bc)) < 0) {
		vmm_err("disk '%s': %s%s", disk->path, strerror(-e),
		        e == -EINVAL ? " (not a regular file or block device, or not a multiple of 512 bytes?)" : "");
		close(fd);
		return e;
	}
	uint64_t sectors = dev_virtio_blk_capacity(d->dev);
	struct dev_virtio_blk_stats bs;
	bool mapped = dev_virtio_blk_stats(d->dev, &bs) == 0 && bs.mapped;
	vmm_info("disk '%s'%s: %llu sectors, %s", disk->path, disk->read_only ? " read-only" : "",
	         (unsigned long long)sectors, mapped ? "mapped" : "preadv/pwritev (cannot be mapped)");
	if (mapped && (e = vmm_backend_sigbus_install()) < 0)
		return e;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size % 512)
		vmm_warn("disk '%s': %llu bytes is not a whole number of 512-byte sectors; the guest sees %llu "
		         "sectors and not the last %llu bytes",
		         disk->path, (unsigned long long)st.st_size, (unsigned long long)sectors,
		         (unsigned long long)((uint64_t)st.st_size % 512));
	return place(vv, d);
}

static int add_rng(struct vmm_virtio *vv)
{
	struct dev_virtio_mmio_config tc;
	struct vdev *d = next_dev(vv, "virtio-rng", &tc);
	int e = alloc_gsi(vv, &d->gsi);
	if (e < 0)
		return e;
	tc.gsi = d->gsi;
	if ((e = dev_virtio_rng_new(&d->dev, &tc)) < 0) {
		vmm_err("virtio-rng: %s", strerror(-e));
		return e;
	}
	return place(vv, d);
}

static int add_net(struct vmm_virtio *vv, const struct vmm_config *cfg)
{
	struct dev_virtio_mmio_config tc;
	struct vdev *d = next_dev(vv, "virtio-net", &tc);
	int e = alloc_gsi(vv, &d->gsi);
	if (e < 0)
		return e;
	tc.gsi = d->gsi;
	if ((e = vmm_tap_check(cfg->net_tap, cfg->net_tap_create)) < 0) /* monitor/tap_check.c */
		return e;
	int fd = vmm_backend_tap(cfg->net_tap);
	if (fd < 0)
		return fd;
	struct dev_virtio_net_config nc = {.tap_fd = fd, .vnet_hdr_len = VIRTIO_NET_HDR_LEN};
	memcpy(nc.mac, cfg->net_mac, 6);
	if ((e = dev_virtio_net_new(&d->dev, &tc, &nc)) < 0) {
		vmm_err("virtio-net on tap '%s': %s", cfg->net_tap, strerror(-e));
		close(fd);
		return e;
	}
	vmm_info("virtio-net on tap '%s', MAC %02x:%02x:%02x:%02x:%02x:%02x", cfg->net_tap, nc.mac[0], nc.mac[1],
	         nc.mac[2], nc.mac[3], nc.mac[4], nc.mac[5]);
	return place(vv, d);
}

static int add_console(struct vmm_virtio *vv)
{
	struct dev_virtio_mmio_config tc;
	struct vdev *d = next_dev(vv, "virtio-console", &tc);
	int e = alloc_gsi(vv, &d->gsi);
	if (e < 0)
		return e;
	tc.gsi = d->gsi;
	int p[2], out;
	if ((e = vmm_backend_console(p, &out)) < 0)
		return e;
	struct dev_virtio_console_config cc = {.in_fd = p[0], .out_fd = out, .own_fds = true};
	if ((e = dev_virtio_console_new(&d->dev, &tc, &cc)) < 0) {
		vmm_err("virtio-console: %s", strerror(-e));
		close(p[0]);
		close(p[1]);
		close(out);
		return e;
	}
	vv->con_in_w = p[1];
	return place(vv, d);
}

/* Test builds only (monitor/vmm-testhooks, -DVMM_TEST_HOOKS):
 * VMM_NO_IOEVENTFD=1 / VMM_NO_IRQFD=1 force the fallback paths. The program
 * itself reads no such switch. */
static bool env_off(const char *name)
{
#ifdef VMM_TEST_HOOKS
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
#else
	(void)name;
	return false;
#endif
}

int vmm_virtio_create(struct vmm_vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	if (cfg->ndisks == 0 && !cfg->rng && !cfg->net_tap && !cfg->console_virtio)
		return 0;
	struct vmm_virtio *vv = calloc(1, sizeof(*vv));
	if (!vv)
		return -ENOMEM;
	vm->virtio = vv;
	vv->vm = vm;
	vv->con_in_w = -1;
	vv->poll_ns = (uint64_t)cfg->poll_us * 1000;
	vv->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (vv->stop_fd < 0 || vv->epfd < 0) {
		vmm_err("eventfd/epoll: %s", strerror(errno));
		return -errno;
	}
	vv->stop_watch = (struct watch){.kind = W_STOP, .fd = vv->stop_fd};
	int e = watch_add(vv, &vv->stop_watch, EPOLLIN);
	if (e < 0)
		return e;
	/* VMM_NO_IOEVENTFD / VMM_NO_IRQFD (test-hook builds): force the fallback paths. */
	vv->use_ioeventfd = vmm_kvm_check_cap(&vm->kvm, KVM_CAP_IOEVENTFD) > 0 && !env_off("VMM_NO_IOEVENTFD");
	vv->use_irqfd = vmm_kvm_check_cap(&vm->kvm, KVM_CAP_IRQFD) > 0 && !env_off("VMM_NO_IRQFD");
	for (unsigned i = 0; i < cfg->ndisks; i++)
		if ((e = add_disk(vv, &cfg->disks[i], i)) < 0)
			return e;
	if (cfg->rng && (e = add_rng(vv)) < 0)
		return e;
	if (cfg->net_tap && (e = add_net(vv, cfg)) < 0)
		return e;
	if (cfg->console_virtio && (e = add_console(vv)) < 0)
		return e;
	return 0;
}

/* ---- the event loop ---- */

static void drain(int fd)
{
	uint64_t v;
	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

/* ---- polling: after a request on a disk's queue the loop keeps looking at
 * that ring for poll_ns with notifications suppressed (no QueueNotify exit,
 * no eventfd wakeup per request), then asks for notifications again. ---- */

static void report(struct vdev *d, int r)
{
	if (r < 0)
		vmm_debug("%s: queue work: %s (the device reports it to the guest)", d->name, strerror(-r));
}

/* Process queue w; a disk's first host I/O error is logged when it happens
 * (the guest only sees IOERR), the count at exit. */
static int process(struct watch *w)
{
	struct vdev *d = w->d;
	int r = dev_virtio_mmio_process_queue(d->dev, w->q);
	report(d, r);
	struct dev_virtio_blk_stats st;
	if (d->disk_path && dev_virtio_blk_stats(d->dev, &st) == 0 && st.host_errors != d->host_errors) {
		if (d->host_errors == 0)
			vmm_warn("%s: I/O on '%s' failed on the host: %s; the guest got an I/O error (further "
			         "failures are counted, see the exit log)",
			         d->name, d->disk_path, strerror(st.last_errno));
		d->host_errors = st.host_errors;
	}
	return r;
}

static void poll_start(struct vmm_virtio *vv, struct watch *w, bool more);
static void adapt_window(struct vmm_virtio *vv, struct watch *w);

/* A notification: process the queue; poll it afterwards (--poll-us, or its
 * budget ran out). */
static void run_queue(struct vmm_virtio *vv, struct watch *w)
{
	if (w->d->poll)
		adapt_window(vv, w);
	poll_start(vv, w, process(w) == 1);
}

/* The window adapts to the driver (as QEMU's adaptive polling does): when a
 * notification comes within poll_ns of a window that ended empty, a longer
 * window would have caught it: double it; when it comes later, polling only
 * burnt CPU: halve it (under 1 us: 0, no polling). A driver slower than
 * poll_ns between requests (e.g. emulated at CPL0) ends up not polled. */
#define MIN_WIN_NS 1000u

static void adapt_window(struct vmm_virtio *vv, struct watch *w)
{
	if (!w->idle_at)
		return;
	uint64_t gap = vmm_now_ns() - w->idle_at;
	w->idle_at = 0;
	if (gap <= vv->poll_ns)
		w->win_ns = w->win_ns < MIN_WIN_NS ? MIN_WIN_NS : w->win_ns * 2 > vv->poll_ns ? vv->poll_ns : w->win_ns * 2;
	else
		w->win_ns = w->win_ns / 2 < MIN_WIN_NS ? 0 : w->win_ns / 2;
}

/* Poll w for its window; more = its last run spent its work budget: look
 * again in the next round even with polling off (a zero window). */
static void poll_start(struct vmm_virtio *vv, struct watch *w, bool more)
{
	if (!w->win_ns && !more) {
		if (w->d->poll)
			w->idle_at = vmm_now_ns(); /* a zero window "ended" now */
		return;
	}
	w->poll_until = vmm_now_ns() + w->win_ns;
	if (w->polled || dev_virtio_mmio_queue_set_polling(w->d->dev, w->q, true) < 0)
		return;
	w->polled = true;
	vv->polled[vv->npolled++] = w;
}

static void poll_stop(struct vmm_virtio *vv, unsigned i, bool live)
{
	struct watch *w = vv->polled[i];
	w->polled = false;
	if (live && w->d->poll) {
		w->idle_at = vmm_now_ns();
		w->empty_windows++;
	}
	vv->polled[i] = vv->polled[--vv->npolled];
	/* A chain added before the driver saw notifications wanted again came
	 * without one: look once more (with polling off, an empty pop publishes
	 * avail_event again). */
	if (live && dev_virtio_mmio_queue_set_polling(w->d->dev, w->q, false) == 0) {
		if (process(w) == 1)
			poll_start(vv, w, true);
	}
}

/* Look at the polled rings (a bounded number of spins, so the caller's
 * epoll_wait comes round to the other devices and the stop request). */
static void poll_round(struct vmm_virtio *vv)
{
	for (int spin = 0; spin < 64 && vv->npolled; spin++) {
		bool work = false;
		uint64_t now = 0;
		for (unsigned i = 0; i < vv->npolled;) {
			struct watch *w = vv->polled[i];
			int p = dev_virtio_mmio_queue_pending(w->d->dev, w->q);
			if (p > 0) {
				w->d->polled_batches++;
				process(w);
				w->poll_until = vmm_now_ns() + w->win_ns;
				work = true;
			} else if (p < 0) {
				poll_stop(vv, i, false);
				continue;
			} else {
				if (!now)
					now = vmm_now_ns();
				if (now >= w->poll_until) {
					poll_stop(vv, i, true);
					continue;
				}
			}
			i++;
		}
		if (work)
			return;
		__builtin_ia32_pause();
	}
}

static void *event_loop(void *arg)
{
	struct vmm_virtio *vv = arg;
	struct vmm_vm *vm = vv->vm;
	if (vm->cfg->seccomp && vmm_seccomp_available() && vmm_seccomp_install(VMM_SECCOMP_EVENT) < 0) {
		vmm_vm_stop(vm, VMM_EXIT_SETUP, "no seccomp filter for the virtio event loop: stopping");
		return NULL;
	}
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(vv->epfd, ev, 16, vv->npolled ? 0 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			vmm_vm_stop(vm, VMM_EXIT_SETUP, "virtio event loop: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;
			switch (w->kind) {
			case W_STOP:
				return NULL;
			case W_QUEUE:
				drain(w->fd);
				w->d->loop_wakeups++;
				run_queue(vv, w);
				break;
			case W_BACKEND:
				report(w->d, dev_virtio_mmio_backend_event(w->d->dev, w->fd, ev[i].events));
				break;
			}
		}
		if (vv->npolled)
			poll_round(vv);
	}
}

int vmm_virtio_start(struct vmm_vm *vm)
{
	struct vmm_virtio *vv = vm->virtio;
	if (!vv)
		return 0;
	int e = pthread_create(&vv->thread, NULL, event_loop, vv);
	if (e) {
		vmm_err("cannot start the virtio event loop: %s", strerror(e));
		return -e;
	}
	vv->started = true;
	return 0;
}

void vmm_virtio_stop(struct vmm_vm *vm)
{
	struct vmm_virtio *vv = vm->virtio;
	if (!vv || !vv->started)
		return;
	uint64_t one = 1;
	if (write(vv->stop_fd, &one, sizeof(one)) < 0)
		vmm_warn("cannot wake the virtio event loop: %s", strerror(errno));
	pthread_join(vv->thread, NULL);
	vv->started = false;
}

void vmm_virtio_destroy(struct vmm_vm *vm)
{
	struct vmm_virtio *vv = vm->virtio;
	if (!vv)
		return;
	vmm_virtio_stop(vm);
	/* The devices that were placed: unregister, wait for accesses in flight. */
	for (unsigned i = 0; i < vv->n; i++)
		if (vv->devs[i].h)
			dev_manager_unregister(vm->devs, vv->devs[i].h);
	if (vm->devs)
		dev_manager_synchronize(vm->devs);
	/* Runs under the main thread's seccomp filter: only close() and free().
	 * The epoll set goes with its fd (the loop has stopped); KVM drops an
	 * irqfd when its eventfd is closed and the ioeventfds with the VM fd. */
	for (unsigned i = 0; i < vv->n; i++) {
		struct vdev *d = &vv->devs[i];
		vmm_debug("%s: %llu queue wakeups in the event loop, %llu batches found by polling, %llu QueueNotify "
		          "exits to a vCPU thread",
		          d->name, (unsigned long long)d->loop_wakeups, (unsigned long long)d->polled_batches,
		          (unsigned long long)atomic_load(&d->exit_notifies));
		if (d->poll)
			vmm_debug("%s: polling window %llu us at exit (of %llu), %llu windows ended without work", d->name,
			          (unsigned long long)(d->qw[0].win_ns / 1000), (unsigned long long)(vv->poll_ns / 1000),
			          (unsigned long long)d->qw[0].empty_windows);
		if (d->host_errors)
			vmm_warn("%s: %llu requests failed on the host ('%s')", d->name,
			         (unsigned long long)d->host_errors, d->disk_path);
		for (uint16_t q = 0; q < MAX_QUEUES; q++)
			if (d->qfd[q] >= 0)
				close(d->qfd[q]);
		if (d->irqfd >= 0)
			close(d->irqfd);
		dev_virtio_mmio_free(d->dev);
	}
	if (vv->con_in_w >= 0)
		close(vv->con_in_w);
	if (vv->epfd >= 0)
		close(vv->epfd);
	if (vv->stop_fd >= 0)
		close(vv->stop_fd);
	free(vv);
	vm->virtio = NULL;
}

size_t vmm_virtio_boot_list(const struct vmm_vm *vm, const struct boot_virtio_mmio **list)
{
	const struct vmm_virtio *vv = vm->virtio;
	*list = vv && vv->n ? vv->boot : NULL;
	return vv ? vv->n : 0;
}

int vmm_virtio_console_input_fd(const struct vmm_vm *vm)
{
	return vm->virtio ? vm->virtio->con_in_w : -1;
}
