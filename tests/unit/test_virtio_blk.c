/* virtio-blk against a temporary image file: read, write, flush, get-id,
 * read-only, out-of-range and overflowing sectors, discard, write zeroes,
 * wrong directions and malformed requests. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "devices/virtio/rng.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_virtio_drv.h"

#define DISK_SECTORS 2048u /* 1 MiB */

struct bt {
	struct vd d;
	int fd; /* our own dup of the image */
};

/* The loop tests run twice: _i = 0 moves data with preadv/pwritev, _i = 1
 * through the shared mapping (config.map), with SIGBUS routed as the vmm does. */
static bool map_mode;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	dev_virtio_blk_handle_sigbus(si);
	abort();
}

static void bt_init(struct bt *t, bool ro, bool discard, bool wz, const char *serial)
{
	vd_init(&t->d);
	char path[] = "/tmp/vmm-virtio-blk-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, DISK_SECTORS * 512ll), 0);
	/* a recognisable pattern in every sector */
	static uint8_t sec[512];
	for (uint32_t s = 0; s < DISK_SECTORS; s++) {
		memset(sec, (int)(s & 0xff), sizeof(sec));
		ck_assert_int_eq(pwrite(fd, sec, 512, (off_t)s * 512), 512);
	}
	t->fd = dup(fd);
	struct dev_virtio_blk_config bc = {
	    .fd = fd, .read_only = ro, .discard = discard, .write_zeroes = wz, .serial = serial, .map = map_mode};
	if (map_mode) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		ck_assert_int_eq(sigaction(SIGBUS, &sa, NULL), 0);
	}
	ck_assert_int_eq(dev_virtio_blk_new(&t->d.dev, &t->d.tc, &bc), 0);
	struct dev_virtio_blk_stats st;
	ck_assert_int_eq(dev_virtio_blk_stats(t->d.dev, &st), 0);
	ck_assert(st.mapped == map_mode);
	ck_assert_uint_eq(vd_setup(&t->d, ~0ull, 1, 64) & VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
}

static void bt_fini(struct bt *t)
{
	vd_fini(&t->d);
	close(t->fd);
}

struct req {
	uint64_t hdr, data, status;
	uint32_t used;
};

/* Build and submit a request: header (readable), data (direction by type),
 * status byte (writable). Returns the status byte (0xee if never written). */
static int submit(struct bt *t, struct req *r, uint32_t type, uint64_t sector, uint32_t data_len,
		  bool data_write, bool indirect)
{
	r->hdr = vd_alloc(&t->d, 16);
	r->data = data_len ? vd_alloc(&t->d, data_len) : 0;
	r->status = vd_alloc(&t->d, 1);
	uint8_t h[16] = {0};
	for (int i = 0; i < 4; i++)
		h[i] = (uint8_t)(type >> (8 * i));
	for (int i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(sector >> (8 * i));
	vd_write(&t->d, r->hdr, h, 16);
	uint8_t st = 0xee;
	vd_write(&t->d, r->status, &st, 1);
	struct vd_buf b[3];
	int n = 0;
	b[n++] = (struct vd_buf){r->hdr, 16, false};
	if (data_len)
		b[n++] = (struct vd_buf){r->data, data_len, data_write};
	b[n++] = (struct vd_buf){r->status, 1, true};
	uint16_t head = vd_post(&t->d, 0, b, n, indirect);
	vd_kick(&t->d, 0);
	uint32_t id;
	ck_assert_int_eq(vd_used(&t->d, 0, &id, &r->used), 1);
	ck_assert_uint_eq(id, head);
	vd_read(&t->d, r->status, &st, 1);
	return st;
}

static void file_sector(struct bt *t, uint32_t s, uint8_t *buf)
{
	ck_assert_int_eq(pread(t->fd, buf, 512, (off_t)s * 512), 512);
}

START_TEST(config_and_features)
{
	struct bt t;
	bt_init(&t, false, true, true, "disk-serial");
	ck_assert_uint_eq(dev_virtio_blk_capacity(t.d.dev), DISK_SECTORS);
	vd_wr(&t.d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t f = vd_rd(&t.d, VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert(f & (1u << VIRTIO_BLK_F_FLUSH));
	ck_assert(f & (1u << VIRTIO_BLK_F_SEG_MAX));
	ck_assert(f & (1u << VIRTIO_BLK_F_SIZE_MAX));
	ck_assert(f & (1u << VIRTIO_BLK_F_DISCARD));
	ck_assert(f & (1u << VIRTIO_BLK_F_WRITE_ZEROES));
	ck_assert(!(f & (1u << VIRTIO_BLK_F_RO)));
	ck_assert_uint_eq(vd_rd(&t.d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY), DISK_SECTORS);
	ck_assert_uint_eq(vd_rd(&t.d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SEG_MAX), 254);
	ck_assert_uint_eq(vd_rd(&t.d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SIZE_MAX), 1u << 20);
	ck_assert_uint_eq(vd_rd(&t.d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE), 512);
	ck_assert_uint_gt(vd_rd(&t.d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_MAX_DISCARD_SEG), 0);
	ck_assert_uint_gt(vd_rd(&t.d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_MAX_WZ_SECTORS), 0);
	bt_fini(&t);
}
END_TEST

START_TEST(read_sectors)
{
	map_mode = _i;
	struct bt t;
	bt_init(&t, false, false, false, NULL);
	for (int ind = 0; ind < 2; ind++) {
		struct req r;
		ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, 7, 3 * 512, true, ind),
				 VIRTIO_BLK_S_OK);
		ck_assert_uint_eq(r.used, 3 * 512 + 1);
		uint8_t buf[3 * 512];
		vd_read(&t.d, r.data, buf, sizeof(buf));
		for (int i = 0; i < 3; i++)
			for (int k = 0; k < 512; k++)
				ck_assert_uint_eq(buf[i * 512 + k], 7 + i);
	}
	bt_fini(&t);
}
END_TEST

START_TEST(write_sectors)
{
	map_mode = _i;
	struct bt t;
	bt_init(&t, false, false, false, NULL);
	struct req r;
	uint64_t hdr = vd_alloc(&t.d, 16);
	(void)hdr;
	/* data buffer spanning two guest memory regions */
	t.d.heap = 0x100000 - 700;
	uint8_t pat[1024];
	for (int i = 0; i < 1024; i++)
		pat[i] = (uint8_t)(i * 7 + 3);
	/* submit() allocates hdr first, so place data by hand */
	r.hdr = vd_alloc(&t.d, 16);
	r.data = vd_alloc(&t.d, 1024);
	r.status = vd_alloc(&t.d, 1);
	ck_assert_uint_lt(r.data, 0x100000);
	ck_assert_uint_gt(r.data + 1024, 0x100000);
	uint8_t h[16] = {VIRTIO_BLK_T_OUT, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0};
	vd_write(&t.d, r.hdr, h, 16);
	vd_write(&t.d, r.data, pat, 1024);
	struct vd_buf b[] = {{r.hdr, 16, false}, {r.data, 1024, false}, {r.status, 1, true}};
	vd_post(&t.d, 0, b, 3, false);
	vd_kick(&t.d, 0);
	uint32_t id, used;
	ck_assert_int_eq(vd_used(&t.d, 0, &id, &used), 1);
	ck_assert_uint_eq(used, 1);
	uint8_t st;
	vd_read(&t.d, r.status, &st, 1);
	ck_assert_uint_eq(st, VIRTIO_BLK_S_OK);
	uint8_t sec[512];
	file_sector(&t, 100, sec);
	ck_assert_mem_eq(sec, pat, 512);
	file_sector(&t, 101, sec);
	ck_assert_mem_eq(sec, pat + 512, 512);
	file_sector(&t, 102, sec);
	ck_assert_uint_eq(sec[0], 102); /* untouched */
	/* flush */
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_FLUSH, 0, 0, false, false), VIRTIO_BLK_S_OK);
	bt_fini(&t);
}
END_TEST

START_TEST(get_id)
{
	struct bt t;
	bt_init(&t, false, false, false, "vmm-disk-0123456789abcdef");
	struct req r;
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_GET_ID, 0, 20, true, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r.used, 21);
	char id[20];
	vd_read(&t.d, r.data, id, 20);
	ck_assert_mem_eq(id, "vmm-disk-0123456789a", 20); /* cut at 20 bytes */
	bt_fini(&t);
}
END_TEST

START_TEST(read_only)
{
	map_mode = _i;
	struct bt t;
	bt_init(&t, true, true, true, NULL);
	vd_wr(&t.d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t f = vd_rd(&t.d, VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert(f & (1u << VIRTIO_BLK_F_RO));
	ck_assert(!(f & (1u << VIRTIO_BLK_F_DISCARD))); /* never with RO */
	struct req r;
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_OUT, 5, 512, false, false),
			 VIRTIO_BLK_S_IOERR);
	uint8_t sec[512];
	file_sector(&t, 5, sec);
	ck_assert_uint_eq(sec[0], 5);
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, 5, 512, true, false), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_FLUSH, 0, 0, false, false), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_DISCARD, 0, 16, false, false),
			 VIRTIO_BLK_S_UNSUPP);
	bt_fini(&t);
}
END_TEST

START_TEST(out_of_range)
{
	map_mode = _i;
	struct bt t;
	bt_init(&t, false, false, false, NULL);
	struct req r;
	/* starts at the end */
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, DISK_SECTORS, 512, true, false),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_OUT, DISK_SECTORS, 512, false, false),
			 VIRTIO_BLK_S_IOERR);
	/* last sector fine, one more not: nothing written at all */
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 512, true, false),
			 VIRTIO_BLK_S_OK);
	uint8_t pat[1024];
	memset(pat, 0x5a, sizeof(pat));
	r.hdr = 0;
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, 1024, false, false),
			 VIRTIO_BLK_S_IOERR);
	uint8_t sec[512];
	file_sector(&t, DISK_SECTORS - 1, sec);
	ck_assert_uint_eq(sec[0], (DISK_SECTORS - 1) & 0xff);
	off_t size = lseek(t.fd, 0, SEEK_END);
	ck_assert_int_eq(size, DISK_SECTORS * 512ll); /* the file did not grow */
	/* sector * 512 overflows, and sector + length overflows */
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, UINT64_MAX / 256, 512, true, false),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_OUT, UINT64_MAX / 512, 512, false, false),
			 VIRTIO_BLK_S_IOERR);
	/* not a multiple of the sector size */
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, 0, 100, true, false), VIRTIO_BLK_S_IOERR);
	/* all of these were the guest's mistakes: no host error counted */
	struct dev_virtio_blk_stats st;
	ck_assert_int_eq(dev_virtio_blk_stats(t.d.dev, &st), 0);
	ck_assert_uint_eq(st.host_errors, 0);
	bt_fini(&t);
}
END_TEST

/* The image shrinks under the guest: a read past the new end gets IOERR and
 * is counted as a host failure (the VMM logs it); reads before it still work. */
START_TEST(image_shrunk)
{
	map_mode = _i;
	struct bt t;
	bt_init(&t, false, false, false, NULL);
	ck_assert_int_eq(ftruncate(t.fd, DISK_SECTORS / 2 * 512ll), 0);
	struct req r;
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, DISK_SECTORS - 8, 4096, true, false),
			 VIRTIO_BLK_S_IOERR);
	struct dev_virtio_blk_stats st;
	ck_assert_int_eq(dev_virtio_blk_stats(t.d.dev, &st), 0);
	ck_assert_uint_eq(st.host_errors, 1);
	ck_assert_int_eq(st.last_errno, EIO);
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, 0, 4096, true, false), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(dev_virtio_blk_stats(t.d.dev, &st), 0);
	ck_assert_uint_eq(st.host_errors, 1);
	if (map_mode) {
		/* through the mapping a write past the end faults too (pwritev
		 * would grow the file back): IOERR, the file stays short */
		ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_OUT, DISK_SECTORS - 8, 4096, false, false),
				 VIRTIO_BLK_S_IOERR);
		ck_assert_int_eq(dev_virtio_blk_stats(t.d.dev, &st), 0);
		ck_assert_uint_eq(st.host_errors, 2);
		ck_assert_int_eq(lseek(t.fd, 0, SEEK_END), DISK_SECTORS / 2 * 512ll);
		/* and the device keeps working after the fault */
		ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_OUT, 8, 4096, false, false), VIRTIO_BLK_S_OK);
	}
	struct vd other;
	vd_init(&other);
	ck_assert_int_eq(dev_virtio_rng_new(&other.dev, &other.tc), 0);
	ck_assert_int_eq(dev_virtio_blk_stats(other.dev, &st), -EINVAL); /* not a disk */
	vd_fini(&other);
	bt_fini(&t);
}
END_TEST

START_TEST(wrong_direction)
{
	map_mode = _i;
	struct bt t;
	bt_init(&t, false, false, false, NULL);
	struct req r;
	/* IN with a device-readable data buffer */
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_IN, 0, 512, false, false), VIRTIO_BLK_S_IOERR);
	/* OUT with a device-writable data buffer */
	ck_assert_int_eq(submit(&t, &r, VIRTIO_BLK_T_OUT, 0, 512, true, false), VIRTIO_BLK_S_IOERR);
	uint8_t sec[512];
	file_sector(&t, 0, sec);
	ck_assert_uint_eq(sec[0], 0);
	/* header in a device-writable buffer */
	uint64_t hdr = vd_alloc(&t.d, 16), st = vd_alloc(&t.d, 1);
	uint8_t s = 0xee;
	vd_write(&t.d, st, &s, 1);
	struct vd_buf b[] = {{hdr, 16, true}, {st, 1, true}};
	vd_post(&t.d, 0, b, 2, false);
	vd_kick(&t.d, 0);
	uint32_t id, used;
	ck_assert_int_eq(vd_used(&t.d, 0, &id, &used), 1);
	vd_read(&t.d, st, &s, 1);
	ck_assert_uint_eq(s, VIRTIO_BLK_S_IOERR);
	/* nothing writable at all: completed with length 0 */
	struct vd_buf c[] = {{hdr, 16, false}};
	vd_post(&t.d, 0, c, 1, false);
	vd_kick(&t.d, 0);
	ck_assert_int_eq(vd_used(&t.d, 0, &id, &used), 1);
	ck_assert_uint_eq(used, 0);
	/* short header */
	struct vd_buf e[] = {{hdr, 8, false}, {st, 1, true}};
	vd_post(&t.d, 0, e, 2, false);
	vd_kick(&t.d, 0);
	ck_assert_int_eq(vd_used(&t.d, 0, &id, &used), 1);
	vd_read(&t.d, st, &s, 1);
	ck_assert_uint_eq(s, VIRTIO_BLK_S_IOERR);
	/* unknown type */
	ck_assert_int_eq(submit(&t, &r, 77, 0, 0, false, false), VIRTIO_BLK_S_UNSUPP);
	bt_fini(&t);
}
END_TEST

static int ranges(struct bt *t, uint32_t type, const uint64_t *sec, const uint32_t *num,
		  const uint32_t *flags, int n)
{
	uint64_t hdr = vd_alloc(&t->d, 16), seg = vd_alloc(&t->d, 16u * n), st = vd_alloc(&t->d, 1);
	uint8_t h[16] = {(uint8_t)type};
	vd_write(&t->d, hdr, h, 16);
	for (int i = 0; i < n; i++) {
		uint8_t s[16];
		for (int k = 0; k < 8; k++)
			s[k] = (uint8_t)(sec[i] >> (8 * k));
		for (int k = 0; k < 4; k++) {
			s[8 + k] = (uint8_t)(num[i] >> (8 * k));
			s[12 + k] = (uint8_t)(flags[i] >> (8 * k));
		}
		vd_write(&t->d, seg + 16u * i, s, 16);
	}
	uint8_t s = 0xee;
	vd_write(&t->d, st, &s, 1);
	struct vd_buf b[] = {{hdr, 16, false}, {seg, 16u * n, false}, {st, 1, true}};
	vd_post(&t->d, 0, b, 3, false);
	vd_kick(&t->d, 0);
	uint32_t id, used;
	ck_assert_int_eq(vd_used(&t->d, 0, &id, &used), 1);
	vd_read(&t->d, st, &s, 1);
	return s;
}

static void expect_zero(struct bt *t, uint32_t s, bool zero)
{
	uint8_t sec[512];
	file_sector(t, s, sec);
	for (int i = 0; i < 512; i++)
		ck_assert_uint_eq(sec[i], zero ? 0 : (s & 0xff));
}

START_TEST(discard_and_write_zeroes)
{
	map_mode = _i;
	struct bt t;
	bt_init(&t, false, true, true, NULL);
	uint64_t sec[2] = {16, 64};
	uint32_t num[2] = {8, 16}, flags[2] = {0, 0};
	ck_assert_int_eq(ranges(&t, VIRTIO_BLK_T_DISCARD, sec, num, flags, 2), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(ranges(&t, VIRTIO_BLK_T_WRITE_ZEROES, (uint64_t[]){200}, (uint32_t[]){3},
				(uint32_t[]){0}, 1),
			 VIRTIO_BLK_S_OK);
	expect_zero(&t, 200, true);
	expect_zero(&t, 202, true);
	expect_zero(&t, 203, false);
	expect_zero(&t, 199, false);
	ck_assert_int_eq(ranges(&t, VIRTIO_BLK_T_WRITE_ZEROES, (uint64_t[]){300}, (uint32_t[]){9},
				(uint32_t[]){VIRTIO_BLK_WZ_F_UNMAP}, 1),
			 VIRTIO_BLK_S_OK);
	expect_zero(&t, 300, true);
	expect_zero(&t, 308, true);
	expect_zero(&t, 309, false);
	/* unmap flag on discard, reserved flags: unsupported */
	ck_assert_int_eq(
	    ranges(&t, VIRTIO_BLK_T_DISCARD, (uint64_t[]){0}, (uint32_t[]){1}, (uint32_t[]){1}, 1),
	    VIRTIO_BLK_S_UNSUPP);
	ck_assert_int_eq(ranges(&t, VIRTIO_BLK_T_WRITE_ZEROES, (uint64_t[]){0}, (uint32_t[]){1},
				(uint32_t[]){4}, 1),
			 VIRTIO_BLK_S_UNSUPP);
	/* a range past the end: IOERR, and the valid range before it untouched */
	ck_assert_int_eq(ranges(&t, VIRTIO_BLK_T_WRITE_ZEROES, (uint64_t[]){400, DISK_SECTORS - 1},
				(uint32_t[]){1, 2}, (uint32_t[]){0, 0}, 2),
			 VIRTIO_BLK_S_IOERR);
	expect_zero(&t, 400, false);
	ck_assert_int_eq(ranges(&t, VIRTIO_BLK_T_WRITE_ZEROES, (uint64_t[]){UINT64_MAX / 512},
				(uint32_t[]){1}, (uint32_t[]){0}, 1),
			 VIRTIO_BLK_S_IOERR);
	bt_fini(&t);
}
END_TEST

START_TEST(discard_not_offered)
{
	struct bt t;
	bt_init(&t, false, false, false, NULL);
	ck_assert_int_eq(
	    ranges(&t, VIRTIO_BLK_T_DISCARD, (uint64_t[]){0}, (uint32_t[]){1}, (uint32_t[]){0}, 1),
	    VIRTIO_BLK_S_UNSUPP);
	ck_assert_int_eq(ranges(&t, VIRTIO_BLK_T_WRITE_ZEROES, (uint64_t[]){0}, (uint32_t[]){1},
				(uint32_t[]){0}, 1),
			 VIRTIO_BLK_S_UNSUPP);
	expect_zero(&t, 0, true); /* sector 0's pattern is zero anyway */
	expect_zero(&t, 1, false);
	bt_fini(&t);
}
END_TEST

START_TEST(batch_of_requests)
{
	map_mode = _i;
	/* many requests queued before one notify: all completed, one interrupt */
	struct bt t;
	bt_init(&t, false, false, false, NULL);
	int irqs = t.d.irqs;
	uint64_t st[16], data[16];
	for (int i = 0; i < 16; i++) {
		uint64_t hdr = vd_alloc(&t.d, 16);
		data[i] = vd_alloc(&t.d, 512);
		st[i] = vd_alloc(&t.d, 1);
		uint8_t h[16] = {VIRTIO_BLK_T_IN, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(i * 3)};
		vd_write(&t.d, hdr, h, 16);
		struct vd_buf b[] = {{hdr, 16, false}, {data[i], 512, true}, {st[i], 1, true}};
		vd_post(&t.d, 0, b, 3, i & 1);
	}
	vd_kick(&t.d, 0);
	ck_assert_int_eq(t.d.irqs, irqs + 1);
	for (int i = 0; i < 16; i++) {
		uint32_t id, used;
		ck_assert_int_eq(vd_used(&t.d, 0, &id, &used), 1);
		ck_assert_uint_eq(used, 513);
		uint8_t s, d0;
		vd_read(&t.d, st[i], &s, 1);
		vd_read(&t.d, data[i], &d0, 1);
		ck_assert_uint_eq(s, 0);
		ck_assert_uint_eq(d0, i * 3);
	}
	bt_fini(&t);
}
END_TEST

START_TEST(bad_fd)
{
	struct vd d;
	vd_init(&d);
	struct dev_virtio_mmio *dev;
	struct dev_virtio_blk_config bc = {.fd = -1};
	ck_assert_int_eq(dev_virtio_blk_new(&dev, &d.tc, &bc), -EINVAL);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	bc.fd = p[0]; /* not a file or block device */
	ck_assert_int_eq(dev_virtio_blk_new(&dev, &d.tc, &bc), -EINVAL);
	close(p[0]);
	close(p[1]);
	vd_fini(&d);
}
END_TEST

/* OUT request at sector with n data segments of seg_len bytes each. */
static int out_segs(struct bt *t, uint64_t sector, int n, uint32_t seg_len, uint8_t fill)
{
	struct vd_buf b[8];
	uint64_t hdr = vd_alloc(&t->d, 16), st_addr;
	uint8_t h[16] = {VIRTIO_BLK_T_OUT};
	for (int i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(sector >> (8 * i));
	vd_write(&t->d, hdr, h, 16);
	b[0] = (struct vd_buf){hdr, 16, false};
	uint8_t data[2048];
	memset(data, fill, sizeof(data));
	for (int i = 0; i < n; i++) {
		uint64_t a = vd_alloc(&t->d, seg_len);
		vd_write(&t->d, a, data, seg_len);
		b[1 + i] = (struct vd_buf){a, seg_len, false};
	}
	st_addr = vd_alloc(&t->d, 1);
	uint8_t st = 0xee;
	vd_write(&t->d, st_addr, &st, 1);
	b[1 + n] = (struct vd_buf){st_addr, 1, true};
	vd_post(&t->d, 0, b, n + 2, false);
	vd_kick(&t->d, 0);
	uint32_t id, used;
	ck_assert_int_eq(vd_used(&t->d, 0, &id, &used), 1);
	vd_read(&t->d, st_addr, &st, 1);
	return st;
}

START_TEST(seg_and_size_limits)
{
	map_mode = _i;
	struct bt t;
	vd_init(&t.d);
	char path[] = "/tmp/vmm-virtio-blk-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, DISK_SECTORS * 512ll), 0);
	t.fd = dup(fd);
	struct dev_virtio_blk_config bc = {.fd = fd, .seg_max = 2, .size_max = 1024};
	ck_assert_int_eq(dev_virtio_blk_new(&t.d.dev, &t.d.tc, &bc), 0);
	ck_assert_uint_eq(vd_setup(&t.d, ~0ull, 1, 64) & VIRTIO_STATUS_DRIVER_OK,
			  VIRTIO_STATUS_DRIVER_OK);
	uint8_t sec[512];
	/* within both limits */
	ck_assert_int_eq(out_segs(&t, 10, 2, 512, 0x5a), VIRTIO_BLK_S_OK);
	file_sector(&t, 11, sec);
	ck_assert_uint_eq(sec[0], 0x5a);
	/* three data segments > SEG_MAX 2: refused, nothing written */
	ck_assert_int_eq(out_segs(&t, 20, 3, 512, 0x77), VIRTIO_BLK_S_IOERR);
	file_sector(&t, 20, sec);
	ck_assert_uint_eq(sec[0], 0);
	/* one 2048-byte segment > SIZE_MAX 1024: refused, nothing written */
	ck_assert_int_eq(out_segs(&t, 30, 1, 2048, 0x66), VIRTIO_BLK_S_IOERR);
	file_sector(&t, 30, sec);
	ck_assert_uint_eq(sec[0], 0);
	/* exactly SIZE_MAX is fine */
	ck_assert_int_eq(out_segs(&t, 40, 1, 1024, 0x44), VIRTIO_BLK_S_OK);
	file_sector(&t, 41, sec);
	ck_assert_uint_eq(sec[0], 0x44);
	bt_fini(&t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("blk");
	tcase_add_test(tc, config_and_features);
	tcase_add_loop_test(tc, read_sectors, 0, 2);
	tcase_add_loop_test(tc, write_sectors, 0, 2);
	tcase_add_test(tc, get_id);
	tcase_add_loop_test(tc, read_only, 0, 2);
	tcase_add_loop_test(tc, out_of_range, 0, 2);
	tcase_add_loop_test(tc, image_shrunk, 0, 2);
	tcase_add_loop_test(tc, wrong_direction, 0, 2);
	tcase_add_loop_test(tc, discard_and_write_zeroes, 0, 2);
	tcase_add_test(tc, discard_not_offered);
	tcase_add_loop_test(tc, batch_of_requests, 0, 2);
	tcase_add_test(tc, bad_fd);
	tcase_add_loop_test(tc, seg_and_size_limits, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(suite)
