/* virtio-mmio transport: identification, feature negotiation, the status
 * state machine, queue setup rules, access widths, interrupts, reset,
 * DEVICE_NEEDS_RESET, config generation, DeviceManager integration. The
 * rng and blk models serve as devices. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/core/dev.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/rng.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_virtio_drv.h"

#define S_ACK VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRV VIRTIO_STATUS_DRIVER
#define S_FOK VIRTIO_STATUS_FEATURES_OK
#define S_DOK VIRTIO_STATUS_DRIVER_OK

static void rng_dev(struct vd *d)
{
	vd_init(d);
	ck_assert_int_eq(dev_virtio_rng_new(&d->dev, &d->tc), 0);
}

/* One rng request of len bytes; returns the used length or -1. */
static int rng_request(struct vd *d, uint32_t len)
{
	uint64_t a = vd_alloc(d, len);
	struct vd_buf b = {a, len, true};
	uint16_t h = vd_post(d, 0, &b, 1, false);
	vd_kick(d, 0);
	uint32_t id, ulen;
	if (!vd_used(d, 0, &id, &ulen))
		return -1;
	ck_assert_uint_eq(id, h);
	return (int)ulen;
}

START_TEST(identification)
{
	struct vd d;
	rng_dev(&d);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_VENDOR_ID), DEV_VIRTIO_MMIO_VENDOR);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	vd_wr(&d, VIRTIO_MMIO_MAGIC_VALUE, 0); /* read-only */
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	vd_fini(&d);
}
END_TEST

START_TEST(features)
{
	struct vd d;
	rng_dev(&d);
	vd_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint32_t hi = vd_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert(hi & 1); /* VERSION_1 = bit 32 */
	vd_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = vd_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert(lo & (1u << VIRTIO_RING_F_INDIRECT_DESC));
	ck_assert(lo & (1u << VIRTIO_RING_F_EVENT_IDX));
	vd_wr(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	/* negotiated set */
	ck_assert_uint_eq(vd_setup(&d, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), 1, 8),
			  S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(dev_virtio_mmio_driver_features(d.dev),
			  VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX));
	vd_fini(&d);
}
END_TEST

static void to_driver(struct vd *d)
{
	vd_wr(d, VIRTIO_MMIO_STATUS, 0);
	vd_wr(d, VIRTIO_MMIO_STATUS, S_ACK);
	vd_wr(d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	ck_assert_uint_eq(vd_rd(d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
}

static void set_feats(struct vd *d, uint64_t f)
{
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

START_TEST(status_machine)
{
	struct vd d;
	rng_dev(&d);
	struct dev_virtio_mmio_stats st;
	/* skipping ACKNOWLEDGE */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_DRV);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), 0);
	/* two steps at once */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), 0);
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK);
	/* FEATURES_OK before DRIVER */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_FOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK);
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	/* DRIVER_OK before FEATURES_OK */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	/* clearing a bit is refused */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_DRV);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	dev_virtio_mmio_get_stats(d.dev, &st);
	ck_assert_uint_eq(st.refused_status, 5);
	/* without VERSION_1: FEATURES_OK not latched */
	set_feats(&d, 0);
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	/* a feature the device does not offer */
	set_feats(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(5));
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	set_feats(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(40));
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	/* good features */
	set_feats(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
	/* features are frozen after FEATURES_OK */
	set_feats(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX));
	ck_assert_uint_eq(dev_virtio_mmio_driver_features(d.dev), VIRTIO_BIT(VIRTIO_F_VERSION_1));
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK | S_DOK);
	/* FAILED is always accepted */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK | VIRTIO_STATUS_FAILED);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS),
			  S_ACK | S_DRV | S_FOK | S_DOK | VIRTIO_STATUS_FAILED);
	vd_fini(&d);
}
END_TEST

START_TEST(features_before_driver_ignored)
{
	struct vd d;
	rng_dev(&d);
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK);
	set_feats(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1)); /* before DRIVER: dropped */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	vd_fini(&d);
}
END_TEST

START_TEST(access_widths)
{
	struct vd d;
	rng_dev(&d);
	uint8_t b[8] = {1, 0, 0, 0, 0, 0, 0, 0};
	/* 1- and 2-byte register accesses are refused */
	dev_virtio_mmio_ops.write(d.dev, 0, VIRTIO_MMIO_STATUS, b, 1);
	dev_virtio_mmio_ops.write(d.dev, 0, VIRTIO_MMIO_STATUS, b, 2);
	dev_virtio_mmio_ops.write(d.dev, 0, VIRTIO_MMIO_STATUS, b, 8);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), 0);
	memset(b, 0xaa, sizeof(b));
	dev_virtio_mmio_ops.read(d.dev, 0, VIRTIO_MMIO_MAGIC_VALUE, b, 2);
	ck_assert_uint_eq(b[0], 0);
	ck_assert_uint_eq(b[1], 0);
	dev_virtio_mmio_ops.read(d.dev, 0, VIRTIO_MMIO_MAGIC_VALUE + 1, b, 4); /* misaligned */
	ck_assert_uint_eq(b[0] | b[1] | b[2] | b[3], 0);
	struct dev_virtio_mmio_stats st;
	dev_virtio_mmio_get_stats(d.dev, &st);
	ck_assert_uint_eq(st.bad_accesses, 5);
	/* rng has no config space: every config access refused, reads zero */
	memset(b, 0xaa, sizeof(b));
	dev_virtio_mmio_ops.read(d.dev, 0, VIRTIO_MMIO_CONFIG, b, 1);
	ck_assert_uint_eq(b[0], 0);
	vd_fini(&d);
}
END_TEST

START_TEST(config_space)
{
	struct vd d;
	vd_init(&d);
	char path[] = "/tmp/vmm-virtio-mmio-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, 0x12345600ll), 0); /* sparse */
	struct dev_virtio_blk_config bc = {.fd = fd};
	ck_assert_int_eq(dev_virtio_blk_new(&d.dev, &d.tc, &bc), 0);
	uint64_t cap = 0x12345600ull / 512;
	uint8_t b[8];
	for (uint32_t len = 1; len <= 8; len *= 2) {
		memset(b, 0, sizeof(b));
		dev_virtio_mmio_ops.read(d.dev, 0, VIRTIO_MMIO_CONFIG, b, len);
		uint64_t v = 0;
		for (uint32_t i = 0; i < len; i++)
			v |= (uint64_t)b[i] << (8 * i);
		uint64_t mask = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
		ck_assert_uint_eq(v, cap & mask);
	}
	/* unaligned but in bounds */
	dev_virtio_mmio_ops.read(d.dev, 0, VIRTIO_MMIO_CONFIG + 1, b, 2);
	ck_assert_uint_eq(b[0] | b[1] << 8, (cap >> 8) & 0xffff);
	/* past the end of the config: zeros */
	memset(b, 0xaa, sizeof(b));
	dev_virtio_mmio_ops.read(d.dev, 0, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_LEN - 2, b, 4);
	ck_assert_uint_eq(b[0] | b[1] | b[2] | b[3], 0);
	/* a 3-byte access: refused */
	memset(b, 0xaa, sizeof(b));
	dev_virtio_mmio_ops.read(d.dev, 0, VIRTIO_MMIO_CONFIG, b, 3);
	ck_assert_uint_eq(b[0], 0);
	/* config writes on a read-only config space are dropped */
	memset(b, 0xff, sizeof(b));
	dev_virtio_mmio_ops.write(d.dev, 0, VIRTIO_MMIO_CONFIG, b, 4);
	ck_assert_uint_eq(dev_virtio_blk_capacity(d.dev), cap);
	vd_fini(&d);
}
END_TEST

START_TEST(queue_setup_rules)
{
	struct vd d;
	rng_dev(&d);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_SEL, 1); /* rng has one queue */
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	/* before FEATURES_OK, queue setup is ignored */
	to_driver(&d);
	vd_queue_layout(&d, 0, 8);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	set_feats(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	/* bad size */
	vd_queue_layout(&d, 0, 8);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_NUM, 6);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_NUM, 512);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	/* rings outside memory (high half set) */
	vd_queue_layout(&d, 0, 8);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 1);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	/* misaligned used ring */
	vd_queue_layout(&d, 0, 8);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)d.q[0].used + 2);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	/* good */
	vd_queue_layout(&d, 0, 8);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 1);
	/* a ready queue's addresses cannot change */
	vd_wr(&d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_int_eq(rng_request(&d, 32), 32);
	/* after DRIVER_OK queue setup is ignored */
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	/* a queue that is not ready is not processed */
	ck_assert_int_eq(rng_request(&d, 32), -1);
	vd_fini(&d);
}
END_TEST

START_TEST(notify_before_driver_ok)
{
	struct vd d;
	rng_dev(&d);
	to_driver(&d);
	set_feats(&d, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	vd_queue_layout(&d, 0, 8);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_int_eq(rng_request(&d, 16), -1); /* not DRIVER_OK yet */
	vd_wr(&d, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	vd_kick(&d, 0);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&d, 0, &id, &len), 1);
	ck_assert_uint_eq(len, 16);
	vd_kick(&d, 7); /* out of range: ignored */
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 7), -EINVAL);
	vd_fini(&d);
}
END_TEST

START_TEST(interrupts_edge)
{
	struct vd d;
	rng_dev(&d);
	vd_setup(&d, 0, 1, 8);
	ck_assert_int_eq(d.irqs, 0);
	ck_assert_int_eq(rng_request(&d, 8), 8);
	ck_assert_int_eq(d.irqs, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	vd_wr(&d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* suppressed by the driver: no interrupt, status unchanged */
	vd_set_avail_flags(&d, 0, VIRTQ_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(rng_request(&d, 8), 8);
	ck_assert_int_eq(d.irqs, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	vd_fini(&d);
}
END_TEST

START_TEST(interrupts_level)
{
	struct vd d;
	vd_init(&d);
	d.tc.level_irq = true;
	ck_assert_int_eq(dev_virtio_rng_new(&d.dev, &d.tc), 0);
	vd_setup(&d, 0, 1, 8);
	ck_assert_int_eq(rng_request(&d, 8), 8);
	ck_assert_int_eq(d.level, 1);
	ck_assert_int_eq(d.irqs, 0);
	vd_wr(&d, VIRTIO_MMIO_INTERRUPT_ACK, 2); /* wrong bit: stays asserted */
	ck_assert_int_eq(d.level, 1);
	vd_wr(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	ck_assert_int_eq(d.level, 0);
	/* reset deasserts too */
	ck_assert_int_eq(rng_request(&d, 8), 8);
	ck_assert_int_eq(d.level, 1);
	vd_wr(&d, VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(d.level, 0);
	vd_fini(&d);
}
END_TEST

START_TEST(event_idx_suppression)
{
	struct vd d;
	rng_dev(&d);
	vd_setup(&d, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), 1, 8);
	vd_set_used_event(&d, 0, 1);		 /* interrupt when used idx passes 1 */
	ck_assert_int_eq(rng_request(&d, 8), 8); /* used 0 -> 1 */
	ck_assert_int_eq(d.irqs, 0);
	ck_assert_int_eq(rng_request(&d, 8), 8); /* 1 -> 2 */
	ck_assert_int_eq(d.irqs, 1);
	ck_assert_int_eq(rng_request(&d, 8), 8); /* 2 -> 3 */
	ck_assert_int_eq(d.irqs, 1);
	/* the device asked to be notified at its next position */
	ck_assert_uint_eq(vd_avail_event(&d, 0), 3);
	vd_fini(&d);
}
END_TEST

START_TEST(reset)
{
	struct vd d;
	rng_dev(&d);
	vd_setup(&d, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), 1, 8);
	ck_assert_int_eq(rng_request(&d, 8), 8);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_SEL, 0);
	vd_wr(&d, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(dev_virtio_mmio_driver_features(d.dev), 0);
	/* notifications after reset do nothing */
	uint64_t a = vd_alloc(&d, 8);
	struct vd_buf b = {a, 8, true};
	vd_post(&d, 0, &b, 1, false);
	vd_kick(&d, 0);
	ck_assert_uint_eq(vd_used_idx(&d, 0), 1);
	/* and the device works again from scratch (indexes restart at 0) */
	ck_assert_uint_eq(vd_setup(&d, 0, 1, 8), S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_int_eq(rng_request(&d, 8), 8);
	ck_assert_uint_eq(vd_used_idx(&d, 0), 1);
	vd_fini(&d);
}
END_TEST

START_TEST(needs_reset)
{
	struct vd d;
	rng_dev(&d);
	vd_setup(&d, 0, 1, 8);
	vd_avail_push(&d, 0, 8); /* head out of range: ring-level error */
	vd_kick(&d, 0);
	uint32_t s = vd_rd(&d, VIRTIO_MMIO_STATUS);
	ck_assert(s & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	ck_assert(vd_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(d.irqs, 1);
	/* the driver echoing NEEDS_RESET does not confuse the state machine */
	vd_wr(&d, VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_FAILED);
	ck_assert(vd_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FAILED);
	/* nothing is processed any more */
	ck_assert_int_eq(rng_request(&d, 8), -1);
	/* reset brings it back */
	vd_wr(&d, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(vd_setup(&d, 0, 1, 8), S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_int_eq(rng_request(&d, 8), 8);
	vd_fini(&d);
}
END_TEST

START_TEST(bad_chain_keeps_running)
{
	struct vd d;
	rng_dev(&d);
	vd_setup(&d, 0, 1, 8);
	vd_desc(&d, 0, 0, VD_HOLE, 8, VIRTQ_DESC_F_WRITE, 0);
	vd_avail_push(&d, 0, 0);
	d.q[0].next_desc = 1;
	vd_kick(&d, 0);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&d, 0, &id, &len), 1);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 0);
	ck_assert(!(vd_rd(&d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	struct dev_virtio_mmio_stats st;
	dev_virtio_mmio_get_stats(d.dev, &st);
	ck_assert_uint_eq(st.bad_chains, 1);
	ck_assert_int_eq(rng_request(&d, 8), 8);
	vd_fini(&d);
}
END_TEST

static void bump(void *priv, void *arg)
{
	++*(int *)arg;
}

START_TEST(config_generation)
{
	struct vd d;
	rng_dev(&d);
	uint32_t g0 = vd_rd(&d, VIRTIO_MMIO_CONFIG_GENERATION);
	int calls = 0;
	dev_virtio_mmio_update_config(d.dev, bump, &calls); /* not live: no interrupt */
	ck_assert_int_eq(calls, 1);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_CONFIG_GENERATION), g0 + 1);
	ck_assert_int_eq(d.irqs, 0);
	vd_setup(&d, 0, 1, 8);
	dev_virtio_mmio_update_config(d.dev, bump, &calls);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_CONFIG_GENERATION), g0 + 2);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(d.irqs, 1);
	vd_fini(&d);
}
END_TEST

static void hook(void *ctx, struct dev_virtio_mmio *dev, uint16_t q)
{
	++*(int *)ctx;
}

START_TEST(notify_hook)
{
	struct vd d;
	vd_init(&d);
	int hooked = 0;
	d.tc.notify_hook = hook;
	d.tc.notify_ctx = &hooked;
	ck_assert_int_eq(dev_virtio_rng_new(&d.dev, &d.tc), 0);
	vd_setup(&d, 0, 1, 8);
	ck_assert_int_eq(rng_request(&d, 8), -1); /* hook instead of processing */
	ck_assert_int_eq(hooked, 1);
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 0); /* the event loop's call */
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&d, 0, &id, &len), 1);
	ck_assert_uint_eq(len, 8);
	vd_fini(&d);
}
END_TEST

/* A ring refilled as fast as it is emptied: each process_queue call takes at
 * most work_budget chains and says so (1), so the event loop can come back
 * after serving the others; the last call drains and returns 0. */
START_TEST(work_budget)
{
	struct vd d;
	vd_init(&d);
	int hooked = 0;
	d.tc.notify_hook = hook;
	d.tc.notify_ctx = &hooked;
	d.tc.work_budget = 2;
	ck_assert_int_eq(dev_virtio_rng_new(&d.dev, &d.tc), 0);
	vd_setup(&d, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), 1, 8);
	for (int i = 0; i < 5; i++) {
		uint64_t a = vd_alloc(&d, 4);
		struct vd_buf b = {a, 4, true};
		vd_post(&d, 0, &b, 1, false);
	}
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 1);
	ck_assert_uint_eq(vd_used_idx(&d, 0), 2);
	ck_assert_uint_eq(vd_avail_event(&d, 0), 0); /* not moved: no notification asked for the rest */
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 1);
	ck_assert_uint_eq(vd_used_idx(&d, 0), 4);
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 0);
	ck_assert_uint_eq(vd_used_idx(&d, 0), 5);
	ck_assert_uint_eq(vd_avail_event(&d, 0), 5); /* empty: asked again */
	/* exactly the budget left in the ring: done in one call, nothing left over */
	for (int i = 0; i < 2; i++) {
		uint64_t a = vd_alloc(&d, 4);
		struct vd_buf b = {a, 4, true};
		vd_post(&d, 0, &b, 1, false);
	}
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 0);
	ck_assert_uint_eq(vd_used_idx(&d, 0), 7);
	ck_assert_uint_eq(vd_avail_event(&d, 0), 7);
	vd_fini(&d);
}
END_TEST

/* Polling state belongs to one life of the queue: once it is stopped the
 * loop's calls say so, and after the reset it asks for notifications again. */
START_TEST(polling_ends_with_queue)
{
	struct vd d;
	rng_dev(&d);
	vd_setup(&d, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), 1, 8);
	ck_assert_int_eq(dev_virtio_mmio_queue_set_polling(d.dev, 0, true), 0);
	ck_assert_int_eq(dev_virtio_mmio_queue_pending(d.dev, 0), 0);
	uint64_t a = vd_alloc(&d, 4);
	struct vd_buf b = {a, 4, true};
	vd_post(&d, 0, &b, 1, false);
	ck_assert_int_eq(dev_virtio_mmio_queue_pending(d.dev, 0), 1);
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 0);
	ck_assert_uint_eq(vd_avail_event(&d, 0), 0); /* polling: not asked */
	vd_wr(&d, VIRTIO_MMIO_QUEUE_SEL, 0);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_int_eq(dev_virtio_mmio_queue_pending(d.dev, 0), -ENODEV);
	ck_assert_int_eq(dev_virtio_mmio_queue_set_polling(d.dev, 0, false), -ENODEV);
	vd_wr(&d, VIRTIO_MMIO_QUEUE_READY, 1); /* not again after DRIVER_OK */
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	vd_setup(&d, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), 1, 8); /* reset, new rings */
	a = vd_alloc(&d, 4);
	b = (struct vd_buf){a, 4, true};
	vd_post(&d, 0, &b, 1, false);
	ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 0);
	ck_assert_uint_eq(vd_avail_event(&d, 0), 1); /* asked again */
	vd_fini(&d);
}
END_TEST

START_TEST(bad_create_args)
{
	struct vd d;
	vd_init(&d);
	struct dev_virtio_mmio *dev;
	d.tc.queue_max = 100; /* not a power of two */
	ck_assert_int_eq(dev_virtio_rng_new(&dev, &d.tc), -EINVAL);
	d.tc.queue_max = 0;
	d.tc.irq.trigger = NULL; /* edge mode needs trigger */
	ck_assert_int_eq(dev_virtio_rng_new(&dev, &d.tc), -EINVAL);
	d.tc.mem = NULL;
	ck_assert_int_eq(dev_virtio_rng_new(&dev, &d.tc), -EINVAL);
	vd_fini(&d);
}
END_TEST

START_TEST(through_device_manager)
{
	struct vd d;
	rng_dev(&d);
	struct dev_manager *m;
	ck_assert_int_eq(dev_manager_new(&m, NULL), 0);
	struct dev_handle *h;
	uint64_t base;
	ck_assert_int_eq(dev_manager_register_alloc(m, DEV_BUS_MMIO, 0, DEV_VIRTIO_MMIO_SIZE,
						    DEV_VIRTIO_MMIO_SIZE, DEV_ALLOC_FIRST_MATCH, 0,
						    &dev_virtio_mmio_ops, d.dev, &h, &base),
			 0);
	uint8_t b[4];
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, base, b, 4), 0);
	ck_assert_uint_eq(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24, VIRTIO_MMIO_MAGIC);
	uint8_t ack[4] = {S_ACK, 0, 0, 0};
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, base + VIRTIO_MMIO_STATUS, ack, 4), 0);
	ck_assert_uint_eq(vd_rd(&d, VIRTIO_MMIO_STATUS), S_ACK);
	ck_assert_int_eq(dev_manager_unregister(m, h), 0);
	dev_manager_free(m);
	vd_fini(&d);
}
END_TEST

/* Register accesses from "vCPU" threads while the event loop processes. */
struct hammer {
	struct vd *d;
	int stop;
};

static void *reader(void *arg)
{
	struct hammer *h = arg;
	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		uint8_t b[4];
		dev_virtio_mmio_read(h->d->dev, VIRTIO_MMIO_INTERRUPT_STATUS, b, 4);
		dev_virtio_mmio_read(h->d->dev, VIRTIO_MMIO_QUEUE_READY, b, 4);
		uint8_t ackv[4] = {1, 0, 0, 0};
		dev_virtio_mmio_write(h->d->dev, VIRTIO_MMIO_INTERRUPT_ACK, ackv, 4);
	}
	return NULL;
}

START_TEST(concurrent_registers)
{
	struct vd d;
	rng_dev(&d);
	vd_setup(&d, 0, 1, 8);
	struct hammer h = {&d, 0};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &h), 0);
	uint64_t a = vd_alloc(&d, 16);
	for (int i = 0; i < 2000; i++) {
		struct vd_buf b = {a, 16, true};
		vd_post(&d, 0, &b, 1, false);
		ck_assert_int_eq(dev_virtio_mmio_process_queue(d.dev, 0), 0);
		uint32_t id, len;
		ck_assert_int_eq(vd_used(&d, 0, &id, &len), 1);
		ck_assert_uint_eq(len, 16);
	}
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(d.irqs, 2000);
	vd_fini(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("mmio");
	tcase_add_test(tc, identification);
	tcase_add_test(tc, features);
	tcase_add_test(tc, status_machine);
	tcase_add_test(tc, features_before_driver_ignored);
	tcase_add_test(tc, access_widths);
	tcase_add_test(tc, config_space);
	tcase_add_test(tc, queue_setup_rules);
	tcase_add_test(tc, notify_before_driver_ok);
	tcase_add_test(tc, interrupts_edge);
	tcase_add_test(tc, interrupts_level);
	tcase_add_test(tc, event_idx_suppression);
	tcase_add_test(tc, reset);
	tcase_add_test(tc, needs_reset);
	tcase_add_test(tc, bad_chain_keeps_running);
	tcase_add_test(tc, config_generation);
	tcase_add_test(tc, notify_hook);
	tcase_add_test(tc, work_budget);
	tcase_add_test(tc, polling_ends_with_queue);
	tcase_add_test(tc, bad_create_args);
	tcase_add_test(tc, through_device_manager);
	tcase_add_test(tc, concurrent_registers);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(suite)
