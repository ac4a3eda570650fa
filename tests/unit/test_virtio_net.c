/* virtio-net with a SOCK_SEQPACKET socketpair standing in for the tap fd
 * (one write = one frame, non-blocking): TX, RX, mergeable buffers, a guest
 * that posts no buffers, a full tap, wrong directions, oversized frames. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio/net.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_virtio_drv.h"

#define RX VIRTIO_NET_RXQ
#define TX VIRTIO_NET_TXQ

struct nt {
	struct vd d;
	int peer;
	int devfd;
};

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static void nt_init(struct nt *t, bool mrg, unsigned tap_hdr)
{
	vd_init(&t->d);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	t->peer = sv[1];
	t->devfd = sv[0];
	struct dev_virtio_net_config nc = {.tap_fd = sv[0], .vnet_hdr_len = tap_hdr};
	memcpy(nc.mac, MAC, 6);
	ck_assert_int_eq(dev_virtio_net_new(&t->d.dev, &t->d.tc, &nc), 0);
	uint64_t want = mrg ? VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) : 0;
	ck_assert_uint_eq(vd_setup(&t->d, want | VIRTIO_BIT(VIRTIO_NET_F_MAC), 2, 64) &
			      VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
}

static void nt_fini(struct nt *t)
{
	vd_fini(&t->d);
	close(t->peer);
}

static void stats(struct nt *t, struct dev_virtio_net_stats *st)
{
	ck_assert_int_eq(dev_virtio_net_get_stats(t->d.dev, st), 0);
}

/* Post a TX frame: header + payload in two descriptors. */
static uint16_t post_tx(struct nt *t, const void *frame, uint32_t len)
{
	uint64_t h = vd_alloc(&t->d, VIRTIO_NET_HDR_LEN), f = vd_alloc(&t->d, len);
	uint8_t hdr[VIRTIO_NET_HDR_LEN];
	memset(hdr, 0xff, sizeof(hdr)); /* junk the device must not pass on */
	vd_write(&t->d, h, hdr, sizeof(hdr));
	vd_write(&t->d, f, frame, len);
	struct vd_buf b[] = {{h, VIRTIO_NET_HDR_LEN, false}, {f, len, false}};
	return vd_post(&t->d, TX, b, 2, false);
}

static uint64_t post_rx(struct nt *t, uint32_t len)
{
	uint64_t a = vd_alloc(&t->d, len);
	struct vd_buf b = {a, len, true};
	vd_post(&t->d, RX, &b, 1, false);
	return a;
}

START_TEST(config)
{
	struct nt t;
	nt_init(&t, true, 0);
	uint8_t b[8];
	for (int i = 0; i < 6; i++)
		dev_virtio_mmio_read(t.d.dev, VIRTIO_MMIO_CONFIG + i, b + i, 1);
	ck_assert_mem_eq(b, MAC, 6);
	dev_virtio_mmio_read(t.d.dev, VIRTIO_MMIO_CONFIG + 6, b, 2);
	ck_assert_uint_eq(b[0] | b[1] << 8, VIRTIO_NET_S_LINK_UP);
	int fds[4];
	ck_assert_int_eq(dev_virtio_mmio_backend_fds(t.d.dev, fds, 4), 1);
	ck_assert_int_eq(fds[0], t.devfd);
	nt_fini(&t);
}
END_TEST

START_TEST(tx_frame)
{
	struct nt t;
	nt_init(&t, false, 0);
	uint8_t frame[100];
	for (int i = 0; i < 100; i++)
		frame[i] = (uint8_t)i;
	uint16_t h = post_tx(&t, frame, sizeof(frame));
	vd_kick(&t.d, TX);
	uint8_t got[200];
	ck_assert_int_eq(read(t.peer, got, sizeof(got)), 100); /* header stripped */
	ck_assert_mem_eq(got, frame, 100);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, TX, &id, &len), 1);
	ck_assert_uint_eq(id, h);
	ck_assert_uint_eq(len, 0);
	struct dev_virtio_net_stats st;
	stats(&t, &st);
	ck_assert_uint_eq(st.tx_frames, 1);
	nt_fini(&t);
}
END_TEST

START_TEST(tx_with_tap_header)
{
	struct nt t;
	nt_init(&t, false, 12);
	uint8_t frame[60];
	memset(frame, 0xab, sizeof(frame));
	post_tx(&t, frame, sizeof(frame));
	vd_kick(&t.d, TX);
	uint8_t got[200];
	ck_assert_int_eq(read(t.peer, got, sizeof(got)), 72);
	for (int i = 0; i < 12; i++)
		ck_assert_uint_eq(got[i], 0); /* a clean header, not the guest's */
	ck_assert_mem_eq(got + 12, frame, 60);
	nt_fini(&t);
}
END_TEST

START_TEST(tx_bad_chains)
{
	struct nt t;
	nt_init(&t, false, 0);
	uint64_t a = vd_alloc(&t.d, 64);
	/* device-writable buffer in a TX chain */
	struct vd_buf b[] = {{a, 12, false}, {a + 12, 40, true}};
	vd_post(&t.d, TX, b, 2, false);
	/* shorter than the header */
	struct vd_buf c = {a, 8, false};
	vd_post(&t.d, TX, &c, 1, false);
	vd_kick(&t.d, TX);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, TX, &id, &len), 1);
	ck_assert_int_eq(vd_used(&t.d, TX, &id, &len), 1);
	uint8_t got[64];
	ck_assert_int_eq(read(t.peer, got, sizeof(got)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	struct dev_virtio_net_stats st;
	stats(&t, &st);
	ck_assert_uint_eq(st.tx_dropped, 2);
	ck_assert_uint_eq(st.tx_frames, 0);
	nt_fini(&t);
}
END_TEST

START_TEST(tx_full_tap)
{
	struct nt t;
	nt_init(&t, false, 0);
	/* fill the socket until it refuses */
	uint8_t junk[1000] = {0};
	int n = 0;
	while (write(t.devfd, junk, sizeof(junk)) > 0)
		n++;
	ck_assert_int_gt(n, 0);
	uint8_t frame[100];
	memset(frame, 0x42, sizeof(frame));
	post_tx(&t, frame, sizeof(frame));
	vd_kick(&t.d, TX);
	/* the frame stays on the ring */
	ck_assert_uint_eq(vd_used_idx(&t.d, TX), 0);
	/* drain the peer, then the writable event sends it */
	uint8_t got[1000];
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(read(t.peer, got, sizeof(got)), 1000);
	ck_assert_int_eq(dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLOUT), 0);
	ck_assert_uint_eq(vd_used_idx(&t.d, TX), 1);
	ck_assert_int_eq(read(t.peer, got, sizeof(got)), 100);
	ck_assert_uint_eq(got[0], 0x42);
	nt_fini(&t);
}
END_TEST

START_TEST(rx_frame)
{
	struct nt t;
	nt_init(&t, false, 0);
	uint64_t buf = post_rx(&t, 1600);
	vd_kick(&t.d, RX);
	uint8_t frame[300];
	for (int i = 0; i < 300; i++)
		frame[i] = (uint8_t)(i ^ 0x5a);
	ck_assert_int_eq(write(t.peer, frame, 300), 300);
	int irqs = t.d.irqs;
	ck_assert_int_eq(dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLIN), 0);
	ck_assert_int_gt(t.d.irqs, irqs);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
	ck_assert_uint_eq(len, 312);
	uint8_t got[312];
	vd_read(&t.d, buf, got, 312);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(got[i], 0);
	ck_assert_uint_eq(got[10] | got[11] << 8, 1); /* num_buffers */
	ck_assert_mem_eq(got + 12, frame, 300);
	nt_fini(&t);
}
END_TEST

START_TEST(rx_tap_header_skipped)
{
	struct nt t;
	nt_init(&t, false, 10);
	uint64_t buf = post_rx(&t, 1600);
	uint8_t pkt[10 + 50];
	memset(pkt, 0x77, 10); /* the tap's header */
	memset(pkt + 10, 0x33, 50);
	ck_assert_int_eq(write(t.peer, pkt, sizeof(pkt)), 60);
	dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLIN);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
	ck_assert_uint_eq(len, 62);
	uint8_t got[62];
	vd_read(&t.d, buf, got, 62);
	ck_assert_uint_eq(got[0], 0);
	ck_assert_uint_eq(got[12], 0x33);
	ck_assert_uint_eq(got[61], 0x33);
	nt_fini(&t);
}
END_TEST

START_TEST(rx_mergeable)
{
	struct nt t;
	nt_init(&t, true, 0);
	uint64_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = post_rx(&t, 100);
	uint8_t frame[250];
	for (int i = 0; i < 250; i++)
		frame[i] = (uint8_t)i;
	ck_assert_int_eq(write(t.peer, frame, 250), 250);
	dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLIN);
	/* 262 bytes over 100 + 100 + 62 */
	uint32_t id, len, lens[3];
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
		lens[i] = len;
	}
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 0);
	ck_assert_uint_eq(lens[0], 100);
	ck_assert_uint_eq(lens[1], 100);
	ck_assert_uint_eq(lens[2], 62);
	uint8_t got[300];
	vd_read(&t.d, b[0], got, 100);
	vd_read(&t.d, b[1], got + 100, 100);
	vd_read(&t.d, b[2], got + 200, 62);
	ck_assert_uint_eq(got[10] | got[11] << 8, 3);
	ck_assert_mem_eq(got + 12, frame, 250);
	nt_fini(&t);
}
END_TEST

START_TEST(rx_no_buffers)
{
	struct nt t;
	nt_init(&t, true, 0);
	uint8_t f1[200], f2[200];
	memset(f1, 1, sizeof(f1));
	memset(f2, 2, sizeof(f2));
	ck_assert_int_eq(write(t.peer, f1, 200), 200);
	ck_assert_int_eq(write(t.peer, f2, 200), 200);
	/* no buffers at all: nothing delivered, nothing blocks */
	dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLIN);
	struct dev_virtio_net_stats st;
	stats(&t, &st);
	ck_assert_uint_eq(st.rx_frames, 0);
	ck_assert_uint_eq(st.rx_dropped, 0);
	/* one buffer too small for the frame: it stays pending, buffer unused */
	post_rx(&t, 100);
	vd_kick(&t.d, RX);
	ck_assert_uint_eq(vd_used_idx(&t.d, RX), 0);
	/* the second frame was not read from the tap meanwhile */
	int pending;
	ck_assert_int_eq(recv(t.devfd, &pending, 0, MSG_PEEK | MSG_DONTWAIT), 0);
	/* more buffers: the first frame arrives on RX notify */
	post_rx(&t, 100);
	post_rx(&t, 100);
	vd_kick(&t.d, RX);
	stats(&t, &st);
	ck_assert_uint_eq(st.rx_frames, 1);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
	ck_assert_uint_eq(len, 100);
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
	ck_assert_uint_eq(len, 100);
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
	ck_assert_uint_eq(len, 12);
	/* second frame: waiting again, delivered with more buffers */
	for (int i = 0; i < 3; i++)
		post_rx(&t, 100);
	vd_kick(&t.d, RX);
	stats(&t, &st);
	ck_assert_uint_eq(st.rx_frames, 2);
	nt_fini(&t);
}
END_TEST

START_TEST(rx_too_small_without_mrg)
{
	struct nt t;
	nt_init(&t, false, 0);
	post_rx(&t, 64);
	uint8_t f[200] = {0};
	ck_assert_int_eq(write(t.peer, f, 200), 200);
	ck_assert_int_eq(write(t.peer, f, 20), 20);
	dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLIN);
	struct dev_virtio_net_stats st;
	stats(&t, &st);
	ck_assert_uint_eq(st.rx_dropped, 1); /* 212 bytes do not fit in 64 */
	ck_assert_uint_eq(st.rx_frames, 1);  /* the small one used the kept buffer */
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
	ck_assert_uint_eq(len, 32);
	nt_fini(&t);
}
END_TEST

START_TEST(rx_wrong_direction)
{
	struct nt t;
	nt_init(&t, true, 0);
	uint64_t a = vd_alloc(&t.d, 100);
	struct vd_buf b = {a, 100, false}; /* device-readable: useless for RX */
	vd_post(&t.d, RX, &b, 1, false);
	uint8_t f[50] = {0};
	ck_assert_int_eq(write(t.peer, f, 50), 50);
	dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLIN);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, RX, &id, &len), 1);
	ck_assert_uint_eq(len, 0);
	struct dev_virtio_net_stats st;
	stats(&t, &st);
	ck_assert_uint_eq(st.rx_dropped, 1);
	nt_fini(&t);
}
END_TEST

START_TEST(reset_drops_pending)
{
	struct nt t;
	nt_init(&t, true, 0);
	uint8_t f[50] = {0};
	ck_assert_int_eq(write(t.peer, f, 50), 50);
	dev_virtio_mmio_backend_event(t.d.dev, t.devfd, EPOLLIN); /* pending, no buffers */
	vd_wr(&t.d, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vd_setup(&t.d, VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF), 2, 64) &
			      VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
	post_rx(&t, 100);
	vd_kick(&t.d, RX);
	ck_assert_uint_eq(vd_used_idx(&t.d, RX), 0); /* the old frame is gone */
	nt_fini(&t);
}
END_TEST

struct race {
	struct nt *t;
	int stop;
};

static void *event_loop(void *arg)
{
	struct race *r = arg;
	uint8_t f[64] = {0};
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (write(r->t->peer, f, sizeof(f)) < 0) {
			/* full: the device is not reading; fine */
		}
		dev_virtio_mmio_backend_event(r->t->d.dev, r->t->devfd, EPOLLIN | EPOLLOUT);
		dev_virtio_mmio_process_queue(r->t->d.dev, RX);
	}
	return NULL;
}

START_TEST(reset_races_event_loop)
{
	/* vCPU resets and renegotiates while the event loop receives: no
	 * deadlock between the register lock and the queue locks */
	struct nt t;
	nt_init(&t, true, 0);
	struct race r = {&t, 0};
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, event_loop, &r), 0);
	for (int i = 0; i < 2000; i++) {
		vd_wr(&t.d, VIRTIO_MMIO_STATUS, 0);
		ck_assert_uint_eq(vd_setup(&t.d, VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF), 2, 64) &
				      VIRTIO_STATUS_DRIVER_OK,
				  VIRTIO_STATUS_DRIVER_OK);
		for (int k = 0; k < 4; k++)
			post_rx(&t, 128);
		t.d.heap = VD_BUF_BASE;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	nt_fini(&t);
}
END_TEST

/* A real tap with IFF_VNET_HDR inside a private network namespace: a
 * packet socket on the tap interface sees the guest's frame, and a frame it
 * sends arrives in the guest. Reports a TAP SKIP (harness_skip) when namespaces
 * or /dev/net/tun are unavailable. */
#define TEST_ETHERTYPE 0x88b5 /* local experimental */

static bool ours(const uint8_t *f, size_t len)
{
	return len >= 14 && f[12] == (TEST_ETHERTYPE >> 8) && f[13] == (TEST_ETHERTYPE & 0xff);
}

START_TEST(real_tap_in_netns)
{
	int flags = CLONE_NEWNET | (geteuid() ? CLONE_NEWUSER : 0);
	int tap = -1;
	if (unshare(flags) < 0 || (tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK)) < 0) {
		harness_skip("real_tap_in_netns: no network namespace or /dev/net/tun (%s)",
			     strerror(errno));
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, "vtest0");
	int hdr = 12;
	if (ioctl(tap, TUNSETIFF, &ifr) < 0 || ioctl(tap, TUNSETVNETHDRSZ, &hdr) < 0) {
		int e = errno;
		close(tap);
		harness_skip("real_tap_in_netns: TUNSETIFF failed (%s)", strerror(e));
	}
	int ctl = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(ctl, 0);
	ck_assert_int_eq(ioctl(ctl, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(ctl, SIOCSIFFLAGS, &ifr), 0);
	ck_assert_int_eq(ioctl(ctl, SIOCGIFINDEX, &ifr), 0);
	int pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ck_assert_int_ge(pkt, 0);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = ifr.ifr_ifindex};
	ck_assert_int_eq(bind(pkt, (struct sockaddr *)&sll, sizeof(sll)), 0);

	struct nt t;
	vd_init(&t.d);
	t.devfd = tap;
	t.peer = -1;
	struct dev_virtio_net_config nc = {.tap_fd = tap, .vnet_hdr_len = 12};
	memcpy(nc.mac, MAC, 6);
	ck_assert_int_eq(dev_virtio_net_new(&t.d.dev, &t.d.tc, &nc), 0);
	ck_assert_uint_eq(vd_setup(&t.d, VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF), 2, 64) &
			      VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);

	/* guest -> tap */
	uint8_t frame[64];
	memset(frame, 0xff, 6); /* broadcast */
	memcpy(frame + 6, MAC, 6);
	frame[12] = TEST_ETHERTYPE >> 8;
	frame[13] = TEST_ETHERTYPE & 0xff;
	for (int i = 14; i < 64; i++)
		frame[i] = (uint8_t)i;
	post_tx(&t, frame, sizeof(frame));
	vd_kick(&t.d, TX);
	uint8_t got[2048];
	bool seen = false;
	for (int tries = 0; tries < 50 && !seen; tries++) {
		struct pollfd pfd = {pkt, POLLIN, 0};
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		ssize_t n = recv(pkt, got, sizeof(got), 0);
		if (n == 64 && ours(got, (size_t)n))
			seen = !memcmp(got, frame, 64);
	}
	ck_assert_msg(seen, "the guest's frame did not reach the tap interface");

	/* tap -> guest */
	for (int i = 0; i < 8; i++)
		post_rx(&t, 1600);
	vd_kick(&t.d, RX);
	frame[20] = 0x99;
	ck_assert_int_eq(send(pkt, frame, sizeof(frame), 0), 64);
	seen = false;
	for (int tries = 0; tries < 50 && !seen; tries++) {
		struct pollfd pfd = {tap, POLLIN, 0};
		poll(&pfd, 1, 100);
		dev_virtio_mmio_backend_event(t.d.dev, tap, EPOLLIN);
		uint32_t id, len;
		while (!seen && vd_used(&t.d, RX, &id, &len)) {
			uint8_t buf[1600];
			ck_assert_uint_le(len, 1600);
			/* the buffer's address, from the descriptor the id names */
			uint8_t d[16];
			vd_read(&t.d, t.d.q[RX].desc + 16ull * id, d, 16);
			uint64_t addr = 0;
			for (int k = 0; k < 8; k++)
				addr |= (uint64_t)d[k] << (8 * k);
			vd_read(&t.d, addr, buf, len);
			if (len == 12 + 64 && ours(buf + 12, len - 12))
				seen =
				    !memcmp(buf + 12, frame, 64) && (buf[10] | buf[11] << 8) == 1;
		}
	}
	ck_assert_msg(seen, "the frame sent on the tap interface did not reach the guest");
	vd_fini(&t.d); /* closes the tap */
	close(pkt);
	close(ctl);
}
END_TEST

START_TEST(blocking_fd_refused)
{
	struct vd d;
	vd_init(&d);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	struct dev_virtio_net_config nc = {.tap_fd = sv[0]};
	struct dev_virtio_mmio *dev;
	ck_assert_int_eq(dev_virtio_net_new(&dev, &d.tc, &nc), -EINVAL);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	nc.vnet_hdr_len = 11;
	ck_assert_int_eq(dev_virtio_net_new(&dev, &d.tc, &nc), -EINVAL);
	close(sv[0]);
	close(sv[1]);
	vd_fini(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *tc = tcase_create("net");
	tcase_add_test(tc, config);
	tcase_add_test(tc, tx_frame);
	tcase_add_test(tc, tx_with_tap_header);
	tcase_add_test(tc, tx_bad_chains);
	tcase_add_test(tc, tx_full_tap);
	tcase_add_test(tc, rx_frame);
	tcase_add_test(tc, rx_tap_header_skipped);
	tcase_add_test(tc, rx_mergeable);
	tcase_add_test(tc, rx_no_buffers);
	tcase_add_test(tc, rx_too_small_without_mrg);
	tcase_add_test(tc, rx_wrong_direction);
	tcase_add_test(tc, reset_drops_pending);
	tcase_add_test(tc, reset_races_event_loop);
	tcase_add_test(tc, real_tap_in_netns);
	tcase_add_test(tc, blocking_fd_refused);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(suite)
