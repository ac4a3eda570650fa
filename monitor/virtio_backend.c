/* Host backends of the virtio devices (see virtio_backend.h). */
#include "config.h"

#include "monitor/virtio_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "devices/virtio/net.h"
#include "monitor/log.h"
#include "monitor/term.h"

int vmm_backend_tap(const char *name)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		vmm_err("cannot open /dev/net/tun for tap '%s': %s", name, strerror(e));
		return -e;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		vmm_err("cannot attach to tap '%s': %s%s", name, strerror(e),
		        e == EPERM ? " (needs CAP_NET_ADMIN or a tap owned by this user)"
		        : e == EBUSY ? " (the tap is in use or is not a tap with vnet headers)"
		        : e == EINVAL ? " (an existing interface that is not a tap?)" : "");
		close(fd);
		return -e;
	}
	int hdr = VIRTIO_NET_HDR_LEN;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		int e = errno;
		vmm_err("tap '%s': TUNSETVNETHDRSZ: %s", name, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/* SIGBUS: a copy through a disk mapping that faulted (the image shrank, or
 * the host had no space for a hole) fails that request; any other SIGBUS is
 * a crash: one line, the terminal restored, abort() (the seccomp filters
 * allow no sigaction() to fall back to the default action). */
static void sigbus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	dev_virtio_blk_handle_sigbus(si); /* does not return if it was one */
	static const char msg[] = "vmm: fatal SIGBUS (bus error outside any disk mapping)\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	vmm_term_crash_restore();
	abort();
}

int vmm_backend_sigbus_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigbus_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0) {
		int e = errno;
		vmm_err("sigaction(SIGBUS): %s", strerror(e));
		return -e;
	}
	return 0;
}

int vmm_backend_console(int p[2], int *out_fd)
{
	int e;
	/* Input: the main loop keeps reading stdin (Ctrl-A x, raw terminal) and
	 * forwards into a pipe whose read end is the device's non-blocking input.
	 * Output: a dup of stdout. */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		vmm_err("pipe: %s", strerror(errno));
		return -errno;
	}
	int out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (out < 0) {
		e = -errno;
		vmm_err("dup(stdout): %s", strerror(-e));
		close(p[0]);
		close(p[1]);
		return e;
	}
	*out_fd = out;
	return 0;
}
