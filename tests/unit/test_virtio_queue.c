/* Split virtqueue: chain parsing, every validation rule, used ring, event
 * index, rewind. The queue is driven directly (no transport). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/queue.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_virtio_drv.h"

#define NUM 16

struct qt {
	struct vd d;
	struct dev_virtq q;
	struct dev_virtq_chain c;
};

static void qt_init(struct qt *t, uint16_t num, bool indirect, bool event_idx)
{
	vd_init(&t->d);
	vd_ring_layout(&t->d, 0, num);
	dev_virtq_init(&t->q, 256, t->d.mem);
	t->q.num = num;
	t->q.desc_addr = t->d.q[0].desc;
	t->q.avail_addr = t->d.q[0].avail;
	t->q.used_addr = t->d.q[0].used;
	t->q.indirect = indirect;
	t->q.event_idx = event_idx;
	ck_assert_int_eq(dev_virtq_check_config(&t->q), 0);
	t->q.ready = true;
	ck_assert_int_eq(dev_virtq_chain_init(&t->c, 256), 0);
}

static void qt_fini(struct qt *t)
{
	dev_virtq_chain_fini(&t->c);
	vd_fini(&t->d);
}

/* The chain at head was failed by validation: completed with length 0,
 * counted, and pop went on to report an empty ring. */
static void expect_failed(struct qt *t, uint16_t head)
{
	uint64_t bad = t->q.bad_chains;
	ck_assert_int_eq(dev_virtq_pop(&t->q, &t->c), 0);
	ck_assert_uint_eq(t->q.bad_chains, bad + 1);
	ck_assert(!t->q.broken);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t->d, 0, &id, &len), 1);
	ck_assert_uint_eq(id, head);
	ck_assert_uint_eq(len, 0);
}

START_TEST(simple_chain)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	uint64_t a = vd_alloc(&t.d, 64), b = vd_alloc(&t.d, 32), w = vd_alloc(&t.d, 8);
	vd_write(&t.d, a, "0123456789abcdef", 16);
	struct vd_buf bufs[] = {{a, 16, false}, {b, 32, false}, {w, 8, true}};
	uint16_t head = vd_post(&t.d, 0, bufs, 3, false);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.head, head);
	ck_assert_uint_eq(t.c.nseg, 3);
	ck_assert_uint_eq(t.c.nread, 2);
	ck_assert_uint_eq(t.c.read_len, 48);
	ck_assert_uint_eq(t.c.write_len, 8);
	ck_assert_uint_eq(t.c.seg[1].addr, b);
	ck_assert(t.c.seg[2].write);
	char buf[8];
	ck_assert_int_eq(dev_virtq_chain_read(&t.q, &t.c, 10, buf, 6), 0);
	ck_assert_mem_eq(buf, "abcdef", 6);
	ck_assert_int_eq(dev_virtq_chain_read(&t.q, &t.c, 40, buf, 9), -EFAULT); /* past the end */
	ck_assert_int_eq(dev_virtq_chain_write(&t.q, &t.c, 0, "ABCDEFGH", 8), 0);
	ck_assert_int_eq(dev_virtq_chain_write(&t.q, &t.c, 1, "ABCDEFGH", 8), -EFAULT);
	vd_read(&t.d, w, buf, 8);
	ck_assert_mem_eq(buf, "ABCDEFGH", 8);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	/* used ring: element written, then the index */
	ck_assert_int_eq(dev_virtq_push(&t.q, head, 8), 0);
	uint32_t id, len;
	ck_assert_int_eq(vd_used(&t.d, 0, &id, &len), 1);
	ck_assert_uint_eq(id, head);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(vd_used_idx(&t.d, 0), 1);
	qt_fini(&t);
}
END_TEST

START_TEST(many_chains_wrap)
{
	/* more chains than the ring holds, over several rounds: indexes wrap */
	struct qt t;
	qt_init(&t, 4, false, false);
	uint64_t w = vd_alloc(&t.d, 16);
	for (int round = 0; round < 40; round++) {
		struct vd_buf b = {w, 16, true};
		uint16_t h1 = vd_post(&t.d, 0, &b, 1, false);
		uint16_t h2 = vd_post(&t.d, 0, &b, 1, false);
		ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
		ck_assert_uint_eq(t.c.head, h1);
		ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
		ck_assert_uint_eq(t.c.head, h2);
		ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
		ck_assert_int_eq(dev_virtq_add_used(&t.q, h1, 1), 0);
		ck_assert_int_eq(dev_virtq_add_used(&t.q, h2, 2), 0);
		/* nothing visible before publish */
		ck_assert_uint_eq(vd_used_idx(&t.d, 0), (uint16_t)(2 * round));
		ck_assert_int_eq(dev_virtq_publish_used(&t.q), 0);
		uint32_t id, len;
		ck_assert_int_eq(vd_used(&t.d, 0, &id, &len), 1);
		ck_assert_uint_eq(len, 1);
		ck_assert_int_eq(vd_used(&t.d, 0, &id, &len), 1);
		ck_assert_uint_eq(len, 2);
	}
	qt_fini(&t);
}
END_TEST

START_TEST(head_out_of_range_breaks)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	vd_avail_push(&t.d, 0, NUM); /* head == num */
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), -EIO);
	ck_assert(t.q.broken);
	/* stays broken, even once the ring looks fine */
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), -EIO);
	dev_virtq_reset(&t.q);
	ck_assert(!t.q.broken);
	qt_fini(&t);
}
END_TEST

START_TEST(avail_idx_jump_breaks)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	vd_set_avail_idx(&t.d, 0, NUM + 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), -EIO);
	ck_assert(t.q.broken);
	qt_fini(&t);

	/* exactly num ahead is legal */
	qt_init(&t, NUM, false, false);
	uint64_t w = vd_alloc(&t.d, 16);
	for (int i = 0; i < NUM; i++) {
		struct vd_buf b = {w, 16, true};
		vd_post(&t.d, 0, &b, 1, false);
	}
	for (int i = 0; i < NUM; i++)
		ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	qt_fini(&t);
}
END_TEST

START_TEST(next_out_of_range)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = vd_alloc(&t.d, 16);
	vd_desc(&t.d, 0, 3, a, 16, VIRTQ_DESC_F_NEXT, NUM); /* next == num */
	vd_avail_push(&t.d, 0, 3);
	expect_failed(&t, 3);
	/* the queue keeps working */
	vd_desc(&t.d, 0, 4, a, 16, 0, 0);
	vd_avail_push(&t.d, 0, 4);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.head, 4);
	qt_fini(&t);
}
END_TEST

START_TEST(loop_detected)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = vd_alloc(&t.d, 16);
	vd_desc(&t.d, 0, 0, a, 16, VIRTQ_DESC_F_NEXT, 1);
	vd_desc(&t.d, 0, 1, a, 16, VIRTQ_DESC_F_NEXT, 2);
	vd_desc(&t.d, 0, 2, a, 16, VIRTQ_DESC_F_NEXT, 0);
	vd_avail_push(&t.d, 0, 0);
	expect_failed(&t, 0);
	/* self loop */
	vd_desc(&t.d, 0, 5, a, 16, VIRTQ_DESC_F_NEXT, 5);
	vd_avail_push(&t.d, 0, 5);
	expect_failed(&t, 5);
	qt_fini(&t);
}
END_TEST

START_TEST(full_length_chain_ok)
{
	/* a chain using every descriptor exactly once is legal */
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = vd_alloc(&t.d, 16);
	for (uint16_t i = 0; i < NUM; i++)
		vd_desc(&t.d, 0, i, a, 1, i + 1 < NUM ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	vd_avail_push(&t.d, 0, 0);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.nseg, NUM);
	qt_fini(&t);
}
END_TEST

START_TEST(address_checks)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	/* in the hole */
	vd_desc(&t.d, 0, 0, VD_HOLE, 16, 0, 0);
	vd_avail_push(&t.d, 0, 0);
	expect_failed(&t, 0);
	/* starts mapped, ends in the hole */
	vd_desc(&t.d, 0, 1, VD_RAM_END - 8, 16, VIRTQ_DESC_F_WRITE, 0);
	vd_avail_push(&t.d, 0, 1);
	expect_failed(&t, 1);
	/* addr + len overflows */
	vd_desc(&t.d, 0, 2, UINT64_MAX - 7, 16, 0, 0);
	vd_avail_push(&t.d, 0, 2);
	expect_failed(&t, 2);
	/* huge length */
	vd_desc(&t.d, 0, 3, 0x1000, 0xffffffffu, 0, 0);
	vd_avail_push(&t.d, 0, 3);
	expect_failed(&t, 3);
	/* second descriptor bad, first fine */
	vd_desc(&t.d, 0, 4, 0x90000, 16, VIRTQ_DESC_F_NEXT, 5);
	vd_desc(&t.d, 0, 5, VD_HIGH + VD_HIGH_LEN - 4, 8, VIRTQ_DESC_F_WRITE, 0);
	vd_avail_push(&t.d, 0, 4);
	expect_failed(&t, 4);
	/* exactly up to the end of the high region: fine */
	vd_desc(&t.d, 0, 6, VD_HIGH + VD_HIGH_LEN - 8, 8, VIRTQ_DESC_F_WRITE, 0);
	vd_avail_push(&t.d, 0, 6);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	qt_fini(&t);
}
END_TEST

START_TEST(cross_region_buffer)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = 0x100000 - 10; /* spans the two adjacent regions */
	vd_desc(&t.d, 0, 0, a, 20, VIRTQ_DESC_F_WRITE, 0);
	vd_avail_push(&t.d, 0, 0);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_chain_write(&t.q, &t.c, 0, "abcdefghijklmnopqrst", 20), 0);
	char buf[20];
	vd_read(&t.d, a, buf, 20);
	ck_assert_mem_eq(buf, "abcdefghijklmnopqrst", 20);
	struct iovec iov[4];
	uint64_t cov;
	ck_assert_int_eq(dev_virtq_chain_iov(&t.q, &t.c, true, 0, 20, iov, 4, &cov), 2);
	ck_assert_uint_eq(cov, 20);
	ck_assert_uint_eq(iov[0].iov_len, 10);
	ck_assert_uint_eq(iov[1].iov_len, 10);
	ck_assert_int_eq(dev_virtq_chain_iov(&t.q, &t.c, true, 0, 20, iov, 1, &cov), 1);
	ck_assert_uint_eq(cov, 10);
	ck_assert_int_eq(dev_virtq_chain_iov(&t.q, &t.c, true, 5, 16, iov, 4, &cov), -EFAULT);
	ck_assert_int_eq(dev_virtq_chain_iov(&t.q, &t.c, false, 0, 1, iov, 4, &cov), -EFAULT);
	qt_fini(&t);
}
END_TEST

START_TEST(readable_after_writable)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = vd_alloc(&t.d, 32);
	struct vd_buf bufs[] = {{a, 16, true}, {a + 16, 16, false}};
	uint16_t h = vd_post(&t.d, 0, bufs, 2, false);
	expect_failed(&t, h);
	h = vd_post(&t.d, 0, bufs, 2, true); /* same inside an indirect table */
	t.q.indirect = true;
	expect_failed(&t, h);
	qt_fini(&t);
}
END_TEST

START_TEST(zero_length_dropped)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = vd_alloc(&t.d, 32);
	struct vd_buf bufs[] = {{a, 0, false}, {a, 16, false}, {a + 16, 0, true}};
	vd_post(&t.d, 0, bufs, 3, false);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.nseg, 1);
	ck_assert_uint_eq(t.c.read_len, 16);
	ck_assert_uint_eq(t.c.write_len, 0);
	qt_fini(&t);
}
END_TEST

START_TEST(indirect_ok)
{
	struct qt t;
	qt_init(&t, NUM, true, false);
	uint64_t a = vd_alloc(&t.d, 64);
	struct vd_buf bufs[] = {{a, 16, false}, {a + 16, 16, false}, {a + 32, 32, true}};
	uint16_t h = vd_post(&t.d, 0, bufs, 3, true);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.head, h);
	ck_assert_uint_eq(t.c.nseg, 3);
	ck_assert_uint_eq(t.c.nread, 2);
	ck_assert_uint_eq(t.c.write_len, 32);
	/* direct descriptors, then the indirect one? not allowed by the spec
	 * only after NEXT; a direct desc chained to an indirect one is fine */
	uint64_t table = vd_alloc(&t.d, 16);
	vd_desc_at(&t.d, table, 0, a + 32, 32, VIRTQ_DESC_F_WRITE, 0);
	vd_desc(&t.d, 0, 8, a, 16, VIRTQ_DESC_F_NEXT, 9);
	vd_desc(&t.d, 0, 9, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vd_avail_push(&t.d, 0, 8);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.nseg, 2);
	ck_assert_uint_eq(t.c.nread, 1);
	qt_fini(&t);
}
END_TEST

START_TEST(indirect_not_negotiated)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = vd_alloc(&t.d, 16);
	struct vd_buf b = {a, 16, false};
	uint16_t h = vd_post(&t.d, 0, &b, 1, true);
	expect_failed(&t, h);
	qt_fini(&t);
}
END_TEST

START_TEST(indirect_bad_length)
{
	struct qt t;
	qt_init(&t, NUM, true, false);
	uint64_t a = vd_alloc(&t.d, 16), table = vd_alloc(&t.d, 64);
	vd_desc_at(&t.d, table, 0, a, 16, 0, 0);
	vd_desc(&t.d, 0, 0, table, 0, VIRTQ_DESC_F_INDIRECT, 0); /* zero */
	vd_avail_push(&t.d, 0, 0);
	expect_failed(&t, 0);
	vd_desc(&t.d, 0, 1, table, 24, VIRTQ_DESC_F_INDIRECT, 0); /* not a multiple of 16 */
	vd_avail_push(&t.d, 0, 1);
	expect_failed(&t, 1);
	vd_desc(&t.d, 0, 2, table, 15, VIRTQ_DESC_F_INDIRECT, 0);
	vd_avail_push(&t.d, 0, 2);
	expect_failed(&t, 2);
	/* more entries than the queue size */
	uint64_t big = vd_alloc(&t.d, 16 * (NUM + 1));
	for (uint16_t i = 0; i <= NUM; i++)
		vd_desc_at(&t.d, big, i, a, 1, i < NUM ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	vd_desc(&t.d, 0, 3, big, 16 * (NUM + 1), VIRTQ_DESC_F_INDIRECT, 0);
	vd_avail_push(&t.d, 0, 3);
	expect_failed(&t, 3);
	/* table outside memory, and overflowing */
	vd_desc(&t.d, 0, 4, VD_HOLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vd_avail_push(&t.d, 0, 4);
	expect_failed(&t, 4);
	vd_desc(&t.d, 0, 5, UINT64_MAX - 15, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vd_avail_push(&t.d, 0, 5);
	expect_failed(&t, 5);
	qt_fini(&t);
}
END_TEST

START_TEST(indirect_nested_and_next)
{
	struct qt t;
	qt_init(&t, NUM, true, false);
	uint64_t a = vd_alloc(&t.d, 16), t1 = vd_alloc(&t.d, 32), t2 = vd_alloc(&t.d, 16);
	vd_desc_at(&t.d, t2, 0, a, 16, 0, 0);
	vd_desc_at(&t.d, t1, 0, a, 16, VIRTQ_DESC_F_NEXT, 1);
	vd_desc_at(&t.d, t1, 1, t2, 16, VIRTQ_DESC_F_INDIRECT, 0); /* indirect in indirect */
	vd_desc(&t.d, 0, 0, t1, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vd_avail_push(&t.d, 0, 0);
	expect_failed(&t, 0);
	/* INDIRECT together with NEXT */
	vd_desc(&t.d, 0, 1, t2, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2);
	vd_desc(&t.d, 0, 2, a, 16, 0, 0);
	vd_avail_push(&t.d, 0, 1);
	expect_failed(&t, 1);
	/* next outside the table, and a loop inside the table */
	vd_desc_at(&t.d, t1, 0, a, 16, VIRTQ_DESC_F_NEXT, 2);
	vd_desc(&t.d, 0, 3, t1, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vd_avail_push(&t.d, 0, 3);
	expect_failed(&t, 3);
	vd_desc_at(&t.d, t1, 0, a, 16, VIRTQ_DESC_F_NEXT, 1);
	vd_desc_at(&t.d, t1, 1, a, 16, VIRTQ_DESC_F_NEXT, 0);
	vd_avail_push(&t.d, 0, 3);
	expect_failed(&t, 3);
	qt_fini(&t);
}
END_TEST

START_TEST(notify_flags)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	ck_assert(!dev_virtq_should_notify(&t.q)); /* nothing published */
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0);
	ck_assert(dev_virtq_should_notify(&t.q));
	ck_assert(!dev_virtq_should_notify(&t.q)); /* already decided */
	vd_set_avail_flags(&t.d, 0, VIRTQ_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0);
	ck_assert(!dev_virtq_should_notify(&t.q));
	qt_fini(&t);
}
END_TEST

START_TEST(event_idx)
{
	struct qt t;
	qt_init(&t, NUM, false, true);
	/* flags are ignored with EVENT_IDX; used_event decides */
	vd_set_avail_flags(&t.d, 0, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vd_set_used_event(&t.d, 0, 0);
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0); /* used idx 0 -> 1 */
	ck_assert(dev_virtq_should_notify(&t.q));	 /* crossed event 0 */
	vd_set_used_event(&t.d, 0, 3);
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0); /* 1 -> 2 */
	ck_assert(!dev_virtq_should_notify(&t.q));
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0); /* 2 -> 3 */
	ck_assert(!dev_virtq_should_notify(&t.q));
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0); /* 3 -> 4: crosses 3 */
	ck_assert(dev_virtq_should_notify(&t.q));
	/* batch: two pushes crossing the event in one decision */
	vd_set_used_event(&t.d, 0, 4);
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0);
	ck_assert_int_eq(dev_virtq_push(&t.q, 0, 0), 0);
	ck_assert(dev_virtq_should_notify(&t.q));
	/* avail_event: published as the device's position when the ring is empty */
	uint64_t a = vd_alloc(&t.d, 16);
	struct vd_buf b = {a, 16, true};
	vd_post(&t.d, 0, &b, 1, false);
	vd_post(&t.d, 0, &b, 1, false);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	ck_assert_uint_eq(vd_avail_event(&t.d, 0), 2);
	qt_fini(&t);
}
END_TEST

static uint16_t used_flags(struct qt *t)
{
	uint16_t f;
	vd_read(&t->d, t->d.q[0].used, &f, sizeof(f));
	return f;
}

/* A polling device stops asking for notifications and asks again after. */
START_TEST(polling_event_idx)
{
	struct qt t;
	qt_init(&t, NUM, false, true);
	uint64_t a = vd_alloc(&t.d, 16);
	struct vd_buf b = {a, 16, true};
	vd_post(&t.d, 0, &b, 1, false);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_set_polling(&t.q, true), 0);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	ck_assert_uint_eq(vd_avail_event(&t.d, 0), 0); /* not moved: no notification asked */
	vd_post(&t.d, 0, &b, 1, false);
	vd_post(&t.d, 0, &b, 1, false);
	ck_assert(dev_virtq_has_avail(&t.q));
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	ck_assert_uint_eq(vd_avail_event(&t.d, 0), 0);
	/* the driver's test for a notification is false while polling */
	ck_assert(!dev_virtq_need_event(vd_avail_event(&t.d, 0), 4, 3));
	ck_assert_int_eq(dev_virtq_set_polling(&t.q, false), 0);
	ck_assert_uint_eq(vd_avail_event(&t.d, 0), 3); /* asked again at the device's position */
	ck_assert(dev_virtq_need_event(vd_avail_event(&t.d, 0), 4, 3));
	ck_assert_uint_eq(used_flags(&t), 0); /* flags untouched with EVENT_IDX */
	/* reset forgets polling */
	ck_assert_int_eq(dev_virtq_set_polling(&t.q, true), 0);
	dev_virtq_reset(&t.q);
	ck_assert(!t.q.polling);
	qt_fini(&t);
}
END_TEST

START_TEST(polling_flags)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	ck_assert_uint_eq(used_flags(&t), 0);
	ck_assert_int_eq(dev_virtq_set_polling(&t.q, true), 0);
	ck_assert_uint_eq(used_flags(&t), VIRTQ_USED_F_NO_NOTIFY);
	uint64_t a = vd_alloc(&t.d, 16);
	struct vd_buf b = {a, 16, true};
	vd_post(&t.d, 0, &b, 1, false);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_set_polling(&t.q, false), 0);
	ck_assert_uint_eq(used_flags(&t), 0);
	/* a broken queue refuses */
	t.q.broken = true;
	ck_assert_int_eq(dev_virtq_set_polling(&t.q, true), -EIO);
	qt_fini(&t);
}
END_TEST

/* The per-call budget counts malformed chains too: a guest feeding only bad
 * chains is bounded the same way. */
START_TEST(budget)
{
	struct qt t;
	qt_init(&t, NUM, false, true);
	uint64_t a = vd_alloc(&t.d, 16);
	vd_desc(&t.d, 0, 3, a, 16, VIRTQ_DESC_F_NEXT, NUM); /* malformed: next == num */
	vd_avail_push(&t.d, 0, 3);
	vd_desc(&t.d, 0, 4, a, 16, 0, 0);
	vd_avail_push(&t.d, 0, 4);
	vd_avail_push(&t.d, 0, 4);
	t.q.budget = 2;
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1); /* the bad one failed, then head 4 */
	ck_assert_uint_eq(t.c.head, 4);
	ck_assert_uint_eq(t.q.bad_chains, 1);
	ck_assert(!t.q.budget_hit);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	ck_assert(t.q.budget_hit);
	ck_assert_uint_eq(vd_avail_event(&t.d, 0), 0); /* not published: the caller comes back */
	t.q.budget = DEV_VIRTQ_NO_BUDGET;
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	ck_assert_uint_eq(vd_avail_event(&t.d, 0), 3);
	qt_fini(&t);
}
END_TEST

START_TEST(event_idx_wraps)
{
	ck_assert(dev_virtq_need_event(0xffff, 0, 0xfffe));
	ck_assert(!dev_virtq_need_event(0xffff, 0xffff, 0xfffe));
	ck_assert(dev_virtq_need_event(5, 10, 2));
	ck_assert(!dev_virtq_need_event(10, 10, 2));
	ck_assert(!dev_virtq_need_event(1, 1, 1));
}
END_TEST

START_TEST(queue_rewind)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	uint64_t a = vd_alloc(&t.d, 16);
	struct vd_buf b = {a, 16, true};
	uint16_t h1 = vd_post(&t.d, 0, &b, 1, false);
	uint16_t h2 = vd_post(&t.d, 0, &b, 1, false);
	struct dev_virtq_pos p = dev_virtq_save(&t.q);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_int_eq(dev_virtq_rewind(&t.q, p), 0);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.head, h1);
	/* a malformed chain completed in between: refused */
	p = dev_virtq_save(&t.q);
	vd_desc(&t.d, 0, 9, VD_HOLE, 16, 0, 0);
	vd_avail_push(&t.d, 0, 9);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 1);
	ck_assert_uint_eq(t.c.head, h2);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &t.c), 0);
	ck_assert_int_eq(dev_virtq_rewind(&t.q, p), -EBUSY);
	qt_fini(&t);
}
END_TEST

START_TEST(check_config_rules)
{
	struct qt t;
	qt_init(&t, NUM, false, false);
	t.q.ready = false;
	t.q.num = 0;
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EINVAL);
	t.q.num = 12; /* not a power of two */
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EINVAL);
	t.q.num = 512; /* above num_max */
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EINVAL);
	t.q.num = NUM;
	t.q.desc_addr += 8; /* misaligned */
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EINVAL);
	t.q.desc_addr = VD_HOLE;
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EFAULT);
	t.q.desc_addr = UINT64_MAX & ~15ull;
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EFAULT);
	t.q.desc_addr = t.d.q[0].desc;
	t.q.used_addr = VD_RAM_END - 8; /* used ring crosses into the hole */
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EFAULT);
	t.q.used_addr = t.d.q[0].used + 2;
	ck_assert_int_eq(dev_virtq_check_config(&t.q), -EINVAL);
	t.q.used_addr = t.d.q[0].used;
	ck_assert_int_eq(dev_virtq_check_config(&t.q), 0);
	/* a chain store smaller than the queue is refused */
	struct dev_virtq_chain small;
	ck_assert_int_eq(dev_virtq_chain_init(&small, 4), 0);
	ck_assert_int_eq(dev_virtq_pop(&t.q, &small), -EINVAL);
	dev_virtq_chain_fini(&small);
	qt_fini(&t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("virtio_queue");
	TCase *tc = tcase_create("queue");
	tcase_add_test(tc, simple_chain);
	tcase_add_test(tc, many_chains_wrap);
	tcase_add_test(tc, head_out_of_range_breaks);
	tcase_add_test(tc, avail_idx_jump_breaks);
	tcase_add_test(tc, next_out_of_range);
	tcase_add_test(tc, loop_detected);
	tcase_add_test(tc, full_length_chain_ok);
	tcase_add_test(tc, address_checks);
	tcase_add_test(tc, cross_region_buffer);
	tcase_add_test(tc, readable_after_writable);
	tcase_add_test(tc, zero_length_dropped);
	tcase_add_test(tc, indirect_ok);
	tcase_add_test(tc, indirect_not_negotiated);
	tcase_add_test(tc, indirect_bad_length);
	tcase_add_test(tc, indirect_nested_and_next);
	tcase_add_test(tc, notify_flags);
	tcase_add_test(tc, event_idx);
	tcase_add_test(tc, event_idx_wraps);
	tcase_add_test(tc, polling_event_idx);
	tcase_add_test(tc, polling_flags);
	tcase_add_test(tc, budget);
	tcase_add_test(tc, queue_rewind);
	tcase_add_test(tc, check_config_rules);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(suite)
