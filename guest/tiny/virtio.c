/* tiny: virtio-mmio discovery (DSDT + command line) and a polled split-ring driver. */
#include "virtio.h"

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEAT 0x010
#define R_DEV_FEAT_SEL 0x014
#define R_DRV_FEAT 0x020
#define R_DRV_FEAT_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_STATUS 0x070
#define R_DESC_LO 0x080
#define R_DESC_HI 0x084
#define R_AVAIL_LO 0x090
#define R_AVAIL_HI 0x094
#define R_USED_LO 0x0a0
#define R_USED_HI 0x0a4

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8

#define DMA_BASE 0x1000000ull /* 16 MiB */
static uint64_t dma_next = DMA_BASE;

void dma_span(uint64_t *start, uint64_t *end)
{
	*start = DMA_BASE;
	*end = dma_next;
}

void *dma_alloc(uint64_t size, uint64_t align)
{
	dma_next = (dma_next + align - 1) & ~(align - 1);
	void *p = (void *)(uintptr_t)dma_next;
	dma_next += size;
	return p;
}

static uint32_t rd(const struct vdev *d, uint32_t off) { return mmio_read32(d->base + off); }
static void wr(const struct vdev *d, uint32_t off, uint32_t v) { mmio_write32(d->base + off, v); }

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static struct vdev *add(struct vdev *v, uint32_t *n, uint32_t max, uint64_t base, uint64_t size, uint32_t gsi)
{
	for (uint32_t i = 0; i < *n; i++)
		if (v[i].base == base)
			return &v[i];
	if (*n >= max)
		return NULL;
	struct vdev *d = &v[(*n)++];
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->size = size;
	d->gsi = gsi;
	return d;
}

/* DSDT: each "LNRO0005" string, then in its _CRS a Memory32Fixed (0x86) and
 * an Extended Interrupt (0x89) descriptor before the next device. */
static void scan_dsdt(const struct tiny_boot *b, struct vdev *v, uint32_t *n, uint32_t max, uint32_t *found)
{
	struct tiny_acpi a;
	if (acpi_walk(b->rsdp, &a) != NULL)
		return;
	const uint8_t *t = (const uint8_t *)(uintptr_t)a.dsdt;
	uint32_t len = a.dsdt_len;
	for (uint32_t i = 36; i + 8 <= len; i++) {
		if (memcmp(t + i, "LNRO0005", 8) != 0)
			continue;
		uint64_t base = 0, size = 0;
		uint32_t gsi = 0;
		bool have_mem = false, have_irq = false;
		for (uint32_t j = i + 8; j + 9 <= len && j < i + 160; j++) {
			if (memcmp(t + j, "LNRO0005", 8) == 0)
				break;
			if (!have_mem && j + 12 <= len && t[j] == 0x86 && le16(t + j + 1) == 9) {
				base = le32(t + j + 4);
				size = le32(t + j + 8);
				have_mem = true;
				j += 11;
			} else if (have_mem && !have_irq && t[j] == 0x89 && le16(t + j + 1) >= 6 && t[j + 4] >= 1) {
				gsi = le32(t + j + 5);
				have_irq = true;
				break;
			}
		}
		if (!have_mem)
			continue;
		struct vdev *d = add(v, n, max, base, size, gsi);
		if (d) {
			d->from_dsdt = true;
			(*found)++;
		}
	}
}

static bool parse_num(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	const char *start = s;
	for (;; s++) {
		int dgt;
		if (*s >= '0' && *s <= '9')
			dgt = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			dgt = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			dgt = *s - 'A' + 10;
		else
			break;
		v = v * (uint64_t)base + (uint64_t)dgt;
	}
	if (s == start)
		return false;
	*p = s;
	*out = v;
	return true;
}

/* virtio_mmio.device=<size>[KMG]@<base>:<irq>[:<id>] */
static void scan_cmdline(const char *c, struct vdev *v, uint32_t *n, uint32_t max, uint32_t *found)
{
	static const char key[] = "virtio_mmio.device=";
	const size_t klen = sizeof(key) - 1;
	const char *p = c;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - w) <= klen || memcmp(w, key, klen) != 0)
			continue;
		const char *s = w + klen;
		uint64_t size, base, gsi;
		if (!parse_num(&s, &size))
			continue;
		if (*s == 'K' || *s == 'k')
			size <<= 10, s++;
		else if (*s == 'M' || *s == 'm')
			size <<= 20, s++;
		if (*s++ != '@' || !parse_num(&s, &base) || *s++ != ':' || !parse_num(&s, &gsi))
			continue;
		struct vdev *d = add(v, n, max, base, size, (uint32_t)gsi);
		if (d && d->from_dsdt && d->gsi != gsi)
			d->gsi_mismatch = true;
		if (d) {
			d->from_cmdline = true;
			(*found)++;
		}
	}
}

uint32_t virtio_discover(const struct tiny_boot *b, struct vdev *out, uint32_t max, uint32_t *n_dsdt,
                         uint32_t *n_cmdline)
{
	uint32_t n = 0;
	*n_dsdt = *n_cmdline = 0;
	scan_dsdt(b, out, &n, max, n_dsdt);
	scan_cmdline(b->cmdline, out, &n, max, n_cmdline);
	for (uint32_t i = 0; i < n; i++) {
		struct vdev *d = &out[i];
		if (rd(d, R_MAGIC) != 0x74726976u || rd(d, R_VERSION) != 2)
			d->device_id = 0; /* legacy or not virtio: not ours */
		else
			d->device_id = rd(d, R_DEVICE_ID);
	}
	return n;
}

const struct vdev *virtio_find(const struct vdev *v, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].device_id == id)
			return &v[i];
	return NULL;
}

const char *virtio_begin(struct vdev *d, uint32_t want)
{
	wr(d, R_STATUS, 0);
	if (rd(d, R_STATUS) != 0)
		return "device did not reset";
	wr(d, R_STATUS, S_ACK);
	wr(d, R_STATUS, S_ACK | S_DRIVER);
	wr(d, R_DEV_FEAT_SEL, 0);
	uint32_t lo = rd(d, R_DEV_FEAT);
	wr(d, R_DEV_FEAT_SEL, 1);
	uint32_t hi = rd(d, R_DEV_FEAT);
	d->features = (uint64_t)hi << 32 | lo;
	if (!(hi & 1))
		return "device does not offer VIRTIO_F_VERSION_1";
	wr(d, R_DRV_FEAT_SEL, 0);
	wr(d, R_DRV_FEAT, lo & want);
	wr(d, R_DRV_FEAT_SEL, 1);
	wr(d, R_DRV_FEAT, 1);
	wr(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(d, R_STATUS) & S_FEATURES_OK))
		return "device refused FEATURES_OK";
	return NULL;
}

const char *virtio_queue(struct vdev *d, struct vq *q, uint16_t qi, uint16_t size)
{
	wr(d, R_QUEUE_SEL, qi);
	if (rd(d, R_QUEUE_READY))
		return "queue already ready";
	uint32_t max = rd(d, R_QUEUE_NUM_MAX);
	if (max == 0)
		return "queue not available";
	while (size > max)
		size >>= 1;
	memset(q, 0, sizeof(*q));
	q->index = qi;
	q->size = size;
	q->desc = dma_alloc(16ull * size, 4096);
	q->avail = dma_alloc(6 + 2ull * size, 4096);
	q->used = dma_alloc(6 + 8ull * size, 4096);
	memset((void *)q->desc, 0, 16ull * size);
	memset((void *)q->avail, 0, 6 + 2ull * size);
	memset((void *)q->used, 0, 6 + 8ull * size);
	q->avail[0] = 1; /* VRING_AVAIL_F_NO_INTERRUPT: this driver polls */
	q->notify = d->base + R_QUEUE_NOTIFY;
	uint64_t da = (uintptr_t)q->desc, aa = (uintptr_t)q->avail, ua = (uintptr_t)q->used;
	wr(d, R_QUEUE_NUM, size);
	wr(d, R_DESC_LO, (uint32_t)da);
	wr(d, R_DESC_HI, (uint32_t)(da >> 32));
	wr(d, R_AVAIL_LO, (uint32_t)aa);
	wr(d, R_AVAIL_HI, (uint32_t)(aa >> 32));
	wr(d, R_USED_LO, (uint32_t)ua);
	wr(d, R_USED_HI, (uint32_t)(ua >> 32));
	wr(d, R_QUEUE_READY, 1);
	if (rd(d, R_QUEUE_READY) != 1)
		return "QueueReady did not latch";
	return NULL;
}

const char *virtio_ready(struct vdev *d)
{
	wr(d, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	uint32_t s = rd(d, R_STATUS);
	if (!(s & S_DRIVER_OK))
		return "DRIVER_OK did not latch";
	if (s & 0x40)
		return "device needs reset";
	return NULL;
}

void vq_submit(struct vq *q, uint16_t head)
{
	q->avail[2 + (q->avail_idx & (q->size - 1))] = head;
	vbarrier();
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
}

void vq_kick(struct vq *q)
{
	if (q->event_idx) {
		/* the device's avail_event (after the used ring) must be read after
		 * our avail idx store is visible: a full fence */
		__asm__ volatile("lock; addl $0, (%%rsp)" ::: "memory", "cc");
		uint16_t ev = *(volatile uint16_t *)((volatile uint8_t *)q->used + 4 + 8u * q->size);
		uint16_t nw = q->avail_idx, old = q->kicked_idx;
		q->kicked_idx = nw;
		if ((uint16_t)(nw - ev - 1) >= (uint16_t)(nw - old))
			return; /* the device is still working through the ring: no exit needed */
	}
	vbarrier();
	mmio_write32(q->notify, q->index);
}

bool vq_poll(struct vq *q, uint32_t *id, uint32_t *len)
{
	uint16_t idx = (uint16_t)(q->used[0] >> 16);
	if (idx == q->used_seen)
		return false;
	vbarrier();
	uint32_t slot = q->used_seen & (q->size - 1);
	*id = q->used[1 + 2 * slot];
	*len = q->used[2 + 2 * slot];
	q->used_seen++;
	if (q->event_idx) /* used_event far ahead: this driver polls */
		q->avail[2 + q->size] = (uint16_t)(q->used_seen + 0x4000);
	return true;
}

bool vq_wait(struct vq *q, uint32_t *id, uint32_t *len, uint64_t spins)
{
	for (uint64_t i = 0; i < spins; i++)
		if (vq_poll(q, id, len))
			return true;
	return false;
}
