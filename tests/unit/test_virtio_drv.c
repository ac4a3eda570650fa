/* Fake virtio driver for the unit tests (see test_virtio_drv.h). */
#include "tests/unit/test_virtio_drv.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int vd_trigger(void *ctx, uint32_t gsi)
{
	struct vd *d = ctx;
	d->irqs++;
	return 0;
}

static int vd_set_level(void *ctx, uint32_t gsi, int level)
{
	struct vd *d = ctx;
	d->level = level;
	return 0;
}

void vd_init(struct vd *d)
{
	memset(d, 0, sizeof(*d));
	struct gm_range r[3] = {
	    {gm_addr(0), 0x100000},
	    {gm_addr(0x100000), 0x100000},
	    {gm_addr(VD_HIGH), VD_HIGH_LEN},
	};
	ck_assert_int_eq(gm_memory_new_anon(&d->mem, r, 3), 0);
	d->tc.mem = d->mem;
	d->tc.irq.trigger = vd_trigger;
	d->tc.irq.set_level = vd_set_level;
	d->tc.irq.ctx = d;
	d->tc.gsi = 5;
	d->heap = VD_BUF_BASE;
}

void vd_fini(struct vd *d)
{
	dev_virtio_mmio_free(d->dev);
	d->dev = NULL;
	gm_memory_put(d->mem);
	d->mem = NULL;
}

uint32_t vd_rd(struct vd *d, uint64_t off)
{
	uint8_t b[4];
	dev_virtio_mmio_ops.read(d->dev, 0xd0000000, off, b, 4);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

void vd_wr(struct vd *d, uint64_t off, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	dev_virtio_mmio_ops.write(d->dev, 0xd0000000, off, b, 4);
}

void vd_write(struct vd *d, uint64_t a, const void *buf, size_t len)
{
	ck_assert_int_eq(gm_memory_write_slice(d->mem, buf, len, gm_addr(a)), 0);
}

void vd_read(struct vd *d, uint64_t a, void *buf, size_t len)
{
	ck_assert_int_eq(gm_memory_read_slice(d->mem, buf, len, gm_addr(a)), 0);
}

static void w16(struct vd *d, uint64_t a, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	vd_write(d, a, b, 2);
}

static uint16_t r16(struct vd *d, uint64_t a)
{
	uint8_t b[2];
	vd_read(d, a, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

uint64_t vd_alloc(struct vd *d, uint64_t len)
{
	uint64_t a = d->heap;
	d->heap = (d->heap + len + 15) & ~15ull;
	ck_assert_uint_le(d->heap, VD_RAM_END);
	return a;
}

void vd_ring_layout(struct vd *d, uint16_t q, uint16_t num)
{
	struct vd_queue *vq = &d->q[q];
	memset(vq, 0, sizeof(*vq));
	vq->num = num;
	vq->desc = 0x10000ull * (q + 1);
	vq->avail = vq->desc + 16ull * num;
	vq->used = (vq->avail + 6 + 2ull * num + 4095) & ~4095ull;
	/* clean rings */
	static const uint8_t zero[0x10000];
	vd_write(d, vq->desc, zero, sizeof(zero));
}

void vd_queue_layout(struct vd *d, uint16_t q, uint16_t num)
{
	struct vd_queue *vq = &d->q[q];
	vd_ring_layout(d, q, num);
	vd_wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
	vd_wr(d, VIRTIO_MMIO_QUEUE_NUM, num);
	vd_wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc);
	vd_wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(vq->desc >> 32));
	vd_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)vq->avail);
	vd_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	vd_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)vq->used);
	vd_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
}

uint32_t vd_setup(struct vd *d, uint64_t want, uint16_t nq, uint16_t num)
{
	vd_wr(d, VIRTIO_MMIO_STATUS, 0);
	vd_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vd_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vd_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t f = vd_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	vd_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f |= (uint64_t)vd_rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	f &= want | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vd_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	uint32_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	vd_wr(d, VIRTIO_MMIO_STATUS, s);
	if (!(vd_rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return vd_rd(d, VIRTIO_MMIO_STATUS);
	for (uint16_t q = 0; q < nq; q++) {
		vd_queue_layout(d, q, num);
		vd_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	vd_wr(d, VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_DRIVER_OK);
	return vd_rd(d, VIRTIO_MMIO_STATUS);
}

void vd_desc_at(struct vd *d, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
		uint16_t flags, uint16_t next)
{
	uint8_t b[16];
	for (int k = 0; k < 8; k++)
		b[k] = (uint8_t)(addr >> (8 * k));
	for (int k = 0; k < 4; k++)
		b[8 + k] = (uint8_t)(len >> (8 * k));
	b[12] = (uint8_t)flags;
	b[13] = (uint8_t)(flags >> 8);
	b[14] = (uint8_t)next;
	b[15] = (uint8_t)(next >> 8);
	vd_write(d, table + 16ull * i, b, 16);
}

void vd_desc(struct vd *d, uint16_t q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	     uint16_t next)
{
	vd_desc_at(d, d->q[q].desc, i, addr, len, flags, next);
}

void vd_set_avail_idx(struct vd *d, uint16_t q, uint16_t idx)
{
	/* as a driver does: ring entries first, then a release store of idx */
	d->q[q].avail_idx = idx;
	ck_assert_int_eq(gm_memory_store(d->mem, gm_addr(d->q[q].avail + 2), 2, idx, GM_RELEASE), 0);
}

void vd_avail_push(struct vd *d, uint16_t q, uint16_t head)
{
	struct vd_queue *vq = &d->q[q];
	w16(d, vq->avail + 4 + 2ull * (vq->avail_idx % vq->num), head);
	vd_set_avail_idx(d, q, (uint16_t)(vq->avail_idx + 1));
}

void vd_set_avail_flags(struct vd *d, uint16_t q, uint16_t flags)
{
	w16(d, d->q[q].avail, flags);
}

void vd_set_used_event(struct vd *d, uint16_t q, uint16_t v)
{
	w16(d, d->q[q].avail + 4 + 2ull * d->q[q].num, v);
}

uint16_t vd_avail_event(struct vd *d, uint16_t q)
{
	return r16(d, d->q[q].used + 4 + 8ull * d->q[q].num);
}

uint16_t vd_used_idx(struct vd *d, uint16_t q)
{
	uint64_t v;
	ck_assert_int_eq(gm_memory_load(d->mem, gm_addr(d->q[q].used + 2), 2, GM_ACQUIRE, &v), 0);
	return (uint16_t)v;
}

uint16_t vd_post(struct vd *d, uint16_t q, const struct vd_buf *bufs, int n, bool indirect)
{
	struct vd_queue *vq = &d->q[q];
	uint16_t head = vq->next_desc;
	if (indirect) {
		uint64_t table = vd_alloc(d, 16ull * n);
		for (int i = 0; i < n; i++)
			vd_desc_at(d, table, (uint16_t)i, bufs[i].addr, bufs[i].len,
				   (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
					      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
				   (uint16_t)(i + 1));
		vd_desc(d, q, head, table, 16u * n, VIRTQ_DESC_F_INDIRECT, 0);
		vq->next_desc = (uint16_t)((head + 1) % vq->num);
	} else {
		uint16_t i = head;
		for (int k = 0; k < n; k++) {
			uint16_t next = (uint16_t)((i + 1) % vq->num);
			vd_desc(d, q, i, bufs[k].addr, bufs[k].len,
				(uint16_t)((bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
					   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
				next);
			i = next;
		}
		vq->next_desc = i;
	}
	vd_avail_push(d, q, head);
	return head;
}

void vd_kick(struct vd *d, uint16_t q)
{
	vd_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

int vd_used(struct vd *d, uint16_t q, uint32_t *id, uint32_t *len)
{
	struct vd_queue *vq = &d->q[q];
	if (vd_used_idx(d, q) == vq->used_seen)
		return 0;
	uint8_t b[8];
	vd_read(d, vq->used + 4 + 8ull * (vq->used_seen % vq->num), b, 8);
	*id = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	*len = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
	vq->used_seen++;
	return 1;
}
