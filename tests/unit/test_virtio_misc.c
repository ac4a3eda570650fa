/* virtio-rng and virtio-console (pipes for the console's fds). */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "devices/virtio/console.h"
#include "devices/virtio/rng.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_virtio_drv.h"

START_TEST(rng_fills)
{
	struct vd d;
	vd_init(&d);
	ck_assert_int_eq(dev_virtio_rng_new(&d.dev, &d.tc), 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	vd_setup(&d, 0, 1, 16);
	/* two writable buffers, one across the region boundary */
	uint64_t a = vd_alloc(&d, 64);
	uint64_t b = 0x100000 - 32;
	struct vd_buf bufs[] = {{a, 64, true}, {b, 64, true}};
	vd_post(&d, 0, bufs, 2, false);
	vd_kick(&d, 0);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&d, 0, &id, &len), 1);
	ck_assert_uint_eq(len, 128);
	uint8_t x[64], y[64];
	vd_read(&d, a, x, 64);
	vd_read(&d, b, y, 64);
	int zx = 0, zy = 0;
	for (int i = 0; i < 64; i++) {
		zx += x[i] == 0;
		zy += y[i] == 0;
	}
	ck_assert_int_lt(zx, 16); /* random bytes, not a zeroed buffer */
	ck_assert_int_lt(zy, 16);
	ck_assert(memcmp(x, y, 64) != 0);
	/* a readable buffer: not an entropy request */
	struct vd_buf r = {a, 16, false};
	vd_post(&d, 0, &r, 1, false);
	vd_kick(&d, 0);
	ck_assert_int_eq(vd_used(&d, 0, &id, &len), 1);
	ck_assert_uint_eq(len, 0);
	/* large request: capped */
	uint64_t big = vd_alloc(&d, DEV_VIRTIO_RNG_MAX_REQ + 4096);
	struct vd_buf g = {big, DEV_VIRTIO_RNG_MAX_REQ + 4096, true};
	vd_post(&d, 0, &g, 1, false);
	vd_kick(&d, 0);
	ck_assert_int_eq(vd_used(&d, 0, &id, &len), 1);
	ck_assert_uint_eq(len, DEV_VIRTIO_RNG_MAX_REQ);
	vd_fini(&d);
}
END_TEST

struct ct {
	struct vd d;
	int in_w;  /* we write, the device reads */
	int out_r; /* the device writes, we read */
	int in_r, out_w;
};

static void ct_init(struct ct *t, bool nonblock_out)
{
	vd_init(&t->d);
	int in[2], out[2];
	ck_assert_int_eq(pipe2(in, O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(out, nonblock_out ? O_NONBLOCK : 0), 0);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	t->in_w = in[1];
	t->in_r = in[0];
	t->out_r = out[0];
	t->out_w = out[1];
	struct dev_virtio_console_config cc = {.in_fd = in[0], .out_fd = out[1], .own_fds = true};
	ck_assert_int_eq(dev_virtio_console_new(&t->d.dev, &t->d.tc, &cc), 0);
	ck_assert_uint_eq(vd_setup(&t->d, 0, 2, 16) & VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
}

static void ct_fini(struct ct *t)
{
	vd_fini(&t->d); /* closes in_r and out_w */
	close(t->in_w);
	close(t->out_r);
}

START_TEST(console_tx)
{
	struct ct t;
	ct_init(&t, false);
	ck_assert_uint_eq(vd_rd(&t.d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	uint64_t a = vd_alloc(&t.d, 16), b = vd_alloc(&t.d, 16);
	vd_write(&t.d, a, "hello, ", 7);
	vd_write(&t.d, b, "world\n", 6);
	struct vd_buf bufs[] = {{a, 7, false}, {b, 6, false}};
	vd_post(&t.d, VIRTIO_CONSOLE_TXQ, bufs, 2, false);
	vd_kick(&t.d, VIRTIO_CONSOLE_TXQ);
	char got[32];
	ck_assert_int_eq(read(t.out_r, got, sizeof(got)), 13);
	ck_assert_mem_eq(got, "hello, world\n", 13);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, VIRTIO_CONSOLE_TXQ, &id, &len), 1);
	ck_assert_uint_eq(len, 0);
	/* a writable buffer on the transmit queue: completed, nothing written */
	struct vd_buf w = {a, 7, true};
	vd_post(&t.d, VIRTIO_CONSOLE_TXQ, &w, 1, false);
	vd_kick(&t.d, VIRTIO_CONSOLE_TXQ);
	ck_assert_int_eq(vd_used(&t.d, VIRTIO_CONSOLE_TXQ, &id, &len), 1);
	ck_assert_int_eq(read(t.out_r, got, sizeof(got)), -1);
	ct_fini(&t);
}
END_TEST

START_TEST(console_tx_full_pipe)
{
	struct ct t;
	ct_init(&t, true);
	/* fill the output pipe */
	static char junk[4096];
	long filled = 0;
	ssize_t w;
	while ((w = write(t.out_w, junk, sizeof(junk))) > 0)
		filled += w;
	uint64_t a = vd_alloc(&t.d, 100);
	vd_write(&t.d, a, "0123456789", 10);
	struct vd_buf b = {a, 10, false};
	vd_post(&t.d, VIRTIO_CONSOLE_TXQ, &b, 1, false);
	vd_kick(&t.d, VIRTIO_CONSOLE_TXQ);
	ck_assert_uint_eq(vd_used_idx(&t.d, VIRTIO_CONSOLE_TXQ), 0); /* waiting, not dropped */
	/* drain, then the writable event completes it */
	static char buf[65536];
	long drained = 0;
	ssize_t r;
	while ((r = read(t.out_r, buf, sizeof(buf))) > 0)
		drained += r;
	ck_assert_int_eq(drained, filled);
	dev_virtio_mmio_backend_event(t.d.dev, t.out_w, EPOLLOUT);
	ck_assert_uint_eq(vd_used_idx(&t.d, VIRTIO_CONSOLE_TXQ), 1);
	ck_assert_int_eq(read(t.out_r, buf, sizeof(buf)), 10);
	ck_assert_mem_eq(buf, "0123456789", 10);
	ct_fini(&t);
}
END_TEST

START_TEST(console_rx)
{
	struct ct t;
	ct_init(&t, false);
	/* input before any buffer: stays in the pipe */
	ck_assert_int_eq(write(t.in_w, "abc", 3), 3);
	dev_virtio_mmio_backend_event(t.d.dev, t.in_r, EPOLLIN);
	ck_assert_uint_eq(vd_used_idx(&t.d, VIRTIO_CONSOLE_RXQ), 0);
	/* a buffer posted: the notify picks the input up */
	uint64_t a = vd_alloc(&t.d, 64);
	struct vd_buf b = {a, 64, true};
	vd_post(&t.d, VIRTIO_CONSOLE_RXQ, &b, 1, false);
	vd_kick(&t.d, VIRTIO_CONSOLE_RXQ);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, VIRTIO_CONSOLE_RXQ, &id, &len), 1);
	ck_assert_uint_eq(len, 3);
	char got[64];
	vd_read(&t.d, a, got, 3);
	ck_assert_mem_eq(got, "abc", 3);
	/* buffer posted first, input later: the readable event delivers */
	uint64_t c = vd_alloc(&t.d, 4);
	struct vd_buf cb = {c, 4, true};
	vd_post(&t.d, VIRTIO_CONSOLE_RXQ, &cb, 1, false);
	vd_kick(&t.d, VIRTIO_CONSOLE_RXQ);
	ck_assert_uint_eq(vd_used_idx(&t.d, VIRTIO_CONSOLE_RXQ), 1); /* nothing to read yet */
	ck_assert_int_eq(write(t.in_w, "xyzw12", 6), 6);
	dev_virtio_mmio_backend_event(t.d.dev, t.in_r, EPOLLIN);
	ck_assert_int_eq(vd_used(&t.d, VIRTIO_CONSOLE_RXQ, &id, &len), 1);
	ck_assert_uint_eq(len, 4);
	vd_read(&t.d, c, got, 4);
	ck_assert_mem_eq(got, "xyzw", 4);
	/* the rest waits for the next buffer */
	vd_post(&t.d, VIRTIO_CONSOLE_RXQ, &cb, 1, false);
	vd_kick(&t.d, VIRTIO_CONSOLE_RXQ);
	ck_assert_int_eq(vd_used(&t.d, VIRTIO_CONSOLE_RXQ, &id, &len), 1);
	ck_assert_uint_eq(len, 2);
	/* EOF: input stops, buffers stay with the device unused */
	close(t.in_w);
	t.in_w = open("/dev/null", O_WRONLY);
	vd_post(&t.d, VIRTIO_CONSOLE_RXQ, &cb, 1, false);
	dev_virtio_mmio_backend_event(t.d.dev, t.in_r, EPOLLIN | EPOLLHUP);
	ck_assert_int_eq(vd_used(&t.d, VIRTIO_CONSOLE_RXQ, &id, &len), 0);
	ct_fini(&t);
}
END_TEST

START_TEST(console_blocking_input_refused)
{
	struct vd d;
	vd_init(&d);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	struct dev_virtio_console_config cc = {.in_fd = p[0], .out_fd = -1};
	struct dev_virtio_mmio *dev;
	ck_assert_int_eq(dev_virtio_console_new(&dev, &d.tc, &cc), -EINVAL);
	/* no input and output discarded is fine */
	cc.in_fd = -1;
	ck_assert_int_eq(dev_virtio_console_new(&d.dev, &d.tc, &cc), 0);
	vd_setup(&d, 0, 2, 8);
	uint64_t a = vd_alloc(&d, 8);
	struct vd_buf b = {a, 8, false};
	vd_post(&d, VIRTIO_CONSOLE_TXQ, &b, 1, false);
	vd_kick(&d, VIRTIO_CONSOLE_TXQ);
	ck_assert_uint_eq(vd_used_idx(&d, VIRTIO_CONSOLE_TXQ), 1);
	close(p[0]);
	close(p[1]);
	vd_fini(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("virtio_misc");
	TCase *tc = tcase_create("rng_console");
	tcase_add_test(tc, rng_fills);
	tcase_add_test(tc, console_tx);
	tcase_add_test(tc, console_tx_full_pipe);
	tcase_add_test(tc, console_rx);
	tcase_add_test(tc, console_blocking_input_refused);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(suite)
