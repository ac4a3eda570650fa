/* tiny: virtio-blk tests (blk, blk_ro, blk_oob, blk_durable) and the block
 * benchmark (blkbench). Requests are three descriptors: header, data, status. */
#include "virtio.h"

#include "cpl3.h"

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_F_RO 5
#define BLK_QSIZE 128
#define BLK_SLOTS 32

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct blk {
	struct vdev dev;
	struct vq q;
	uint64_t capacity;
	volatile struct blk_hdr *hdr; /* BLK_SLOTS */
	volatile uint8_t *status;     /* BLK_SLOTS, 16 bytes apart */
};

static const char *blk_open_ex(const struct tiny_boot *b, struct blk *k, bool event_idx)
{
	struct vdev v[TINY_VIRTIO_MAX];
	uint32_t nd, nc;
	uint32_t n = virtio_discover(b, v, TINY_VIRTIO_MAX, &nd, &nc);
	tprintf("TINY INFO virtio windows=%u dsdt=%u cmdline=%u\n", n, nd, nc);
	const struct vdev *d = virtio_find(v, n, VIRTIO_ID_BLK);
	if (!d)
		return "no virtio-blk device found";
	k->dev = *d;
	const char *err = virtio_begin(&k->dev, 1u << BLK_F_RO | (event_idx ? 1u << VIRTIO_RING_F_EVENT_IDX : 0));
	if (err)
		return err;
	if ((err = virtio_queue(&k->dev, &k->q, 0, BLK_QSIZE)))
		return err;
	k->q.event_idx = event_idx && (k->dev.features >> VIRTIO_RING_F_EVENT_IDX & 1);
	if (k->q.event_idx)
		k->q.avail[2 + k->q.size] = 0x4000;
	if ((err = virtio_ready(&k->dev)))
		return err;
	k->capacity = mmio_read32(k->dev.base + 0x100) | (uint64_t)mmio_read32(k->dev.base + 0x104) << 32;
	k->hdr = dma_alloc(sizeof(struct blk_hdr) * BLK_SLOTS, 64);
	k->status = dma_alloc(16 * BLK_SLOTS, 64);
	tprintf("TINY INFO blk at %lx gsi %u capacity=%lu ro=%u\n", k->dev.base, k->dev.gsi, k->capacity,
	        (unsigned)(k->dev.features >> BLK_F_RO & 1));
	return NULL;
}

/* Queue request `slot` (no kick). len 0: no data descriptor (flush). */
static void blk_queue(struct blk *k, uint16_t slot, uint32_t type, uint64_t sector, void *buf, uint32_t len)
{
	uint16_t h = (uint16_t)(slot * 3);
	volatile struct vq_desc *d = k->q.desc;
	k->hdr[slot].type = type;
	k->hdr[slot].reserved = 0;
	k->hdr[slot].sector = sector;
	k->status[16 * slot] = 0xff;
	d[h] = (struct vq_desc){(uintptr_t)&k->hdr[slot], sizeof(struct blk_hdr), VQ_DESC_F_NEXT, (uint16_t)(h + 1)};
	uint16_t s = (uint16_t)(h + 1);
	if (len) {
		d[h + 1] = (struct vq_desc){(uintptr_t)buf, len,
		                            (uint16_t)(VQ_DESC_F_NEXT | (type == BLK_T_IN ? VQ_DESC_F_WRITE : 0)),
		                            (uint16_t)(h + 2)};
		s = (uint16_t)(h + 2);
	}
	d[s] = (struct vq_desc){(uintptr_t)&k->status[16 * slot], 1, VQ_DESC_F_WRITE, 0};
	vq_submit(&k->q, h);
}

static const char *blk_open(const struct tiny_boot *b, struct blk *k) { return blk_open_ex(b, k, false); }

/* One request, waited for: the status byte, or 0xff if it never completed. */
static uint8_t blk_do(struct blk *k, uint32_t type, uint64_t sector, void *buf, uint32_t len)
{
	blk_queue(k, 0, type, sector, buf, len);
	vq_kick(&k->q);
	uint32_t id, ulen;
	if (!vq_wait(&k->q, &id, &ulen, 20000000))
		return 0xfe;
	return k->status[0];
}

#define PAT_FIRST 1
#define PAT_SECTORS 8

static void fill_pattern(uint8_t *buf)
{
	for (uint32_t s = 0; s < PAT_SECTORS; s++) {
		uint64_t v = 0x0101010101010101ull * (uint8_t)('a' + (PAT_FIRST + s) % 26);
		uint64_t *w = (uint64_t *)(buf + 512 * s);
		for (int i = 0; i < 64; i++)
			w[i] = v;
	}
}

static const char *blk_write_check(const struct tiny_boot *b, bool idle)
{
	struct blk k;
	const char *err = blk_open(b, &k);
	if (err)
		return err;
	if (k.capacity < PAT_FIRST + PAT_SECTORS + 1)
		return "disk too small (need 10 sectors)";
	uint8_t *w = dma_alloc(4096, 4096), *r = dma_alloc(4096, 4096);
	fill_pattern(w);
	uint8_t st = blk_do(&k, BLK_T_OUT, PAT_FIRST, w, 512 * PAT_SECTORS);
	if (st != BLK_S_OK)
		return st == 0xfe ? "write never completed" : "write failed";
	if ((st = blk_do(&k, BLK_T_FLUSH, 0, NULL, 0)) != BLK_S_OK)
		return "flush failed";
	tprintf("TINY INFO blk wrote and flushed sectors %u-%u\n", PAT_FIRST, PAT_FIRST + PAT_SECTORS - 1);
	if (idle) {
		tprintf("TINY INFO blk durable marker\n");
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	memset(r, 0, 4096);
	if ((st = blk_do(&k, BLK_T_IN, PAT_FIRST, r, 512 * PAT_SECTORS)) != BLK_S_OK)
		return "read failed";
	const uint64_t *a = (const uint64_t *)w, *c = (const uint64_t *)r;
	for (int i = 0; i < 512; i++)
		if (a[i] != c[i])
			return "read back differs from what was written";
	tprintf("TINY INFO blk read back matches\n");
	return NULL;
}

static const char *test_blk(const struct tiny_boot *b) { return blk_write_check(b, false); }
static const char *test_blk_durable(const struct tiny_boot *b) { return blk_write_check(b, true); }

static const char *test_blk_ro(const struct tiny_boot *b)
{
	struct blk k;
	const char *err = blk_open(b, &k);
	if (err)
		return err;
	if (!(k.dev.features >> BLK_F_RO & 1))
		return "read-only disk does not offer VIRTIO_BLK_F_RO";
	uint8_t *buf = dma_alloc(512, 512);
	uint8_t st = blk_do(&k, BLK_T_IN, 1, buf, 512);
	tprintf("TINY INFO blk_ro read status=%u\n", st);
	if (st != BLK_S_OK)
		return "read from a read-only disk failed";
	memset(buf, 0x5a, 512);
	st = blk_do(&k, BLK_T_OUT, 1, buf, 512);
	tprintf("TINY INFO blk_ro write status=%u\n", st);
	if (st != BLK_S_IOERR)
		return "write to a read-only disk did not get IOERR";
	return NULL;
}

static const char *test_blk_oob(const struct tiny_boot *b)
{
	struct blk k;
	const char *err = blk_open(b, &k);
	if (err)
		return err;
	uint8_t *buf = dma_alloc(1024, 512);
	uint8_t last = blk_do(&k, BLK_T_IN, k.capacity - 1, buf, 512);
	uint8_t past = blk_do(&k, BLK_T_IN, k.capacity, buf, 512);
	uint8_t straddle = blk_do(&k, BLK_T_OUT, k.capacity - 1, buf, 1024);
	uint8_t huge = blk_do(&k, BLK_T_OUT, ~0ull, buf, 512);
	tprintf("TINY INFO blk_oob last=%u past=%u straddle=%u huge=%u\n", last, past, straddle, huge);
	if (last != BLK_S_OK)
		return "reading the last sector failed";
	if (past != BLK_S_IOERR || straddle != BLK_S_IOERR || huge != BLK_S_IOERR)
		return "a request past the end did not get IOERR";
	return NULL;
}

/* Completion by interrupt instead of polling: the used-buffer interrupt
 * (irqfd, or KVM_IRQ_LINE) arrives through the IOAPIC on the DSDT's GSI. */
static const char *test_blk_irq(const struct tiny_boot *b)
{
	struct blk k;
	const char *err = blk_open(b, &k);
	if (err)
		return err;
	k.q.avail[0] = 0; /* interrupts wanted */
	irq_route(k.dev.gsi, 0x40);
	uint8_t *buf = dma_alloc(4096, 4096);
	fill_pattern(buf);
	uint32_t before = irq_seen();
	blk_queue(&k, 0, BLK_T_OUT, PAT_FIRST, buf, 512 * PAT_SECTORS);
	vq_kick(&k.q);
	bool got = irq_wait_more(before, 5000000);
	uint32_t isr = mmio_read32(k.dev.base + 0x60);
	mmio_write32(k.dev.base + 0x64, isr);
	uint32_t id, len;
	bool used = vq_poll(&k.q, &id, &len);
	tprintf("TINY INFO blk_irq interrupts=%u isr=%u used=%u status=%u\n", irq_seen() - before, isr, used,
	        k.status[0]);
	if (!got)
		return "no interrupt for the completed request";
	if (!used || k.status[0] != BLK_S_OK)
		return "the request did not complete";
	if (!(isr & 1))
		return "InterruptStatus lacks the used-buffer bit";
	return NULL;
}

/* ---- benchmark ---- */

/* TSC ticks per ms from PIT channel 2 (gate via port 0x61), 0 if the PIT never counted down. */
static uint64_t tsc_per_ms(void)
{
	const uint32_t latch = 11932; /* 10 ms at 1.193182 MHz */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0); /* channel 2, lo/hi, mode 0 */
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	uint64_t t0 = rdtsc();
	for (uint32_t i = 0; i < 1000000; i++) {
		if (inb(0x61) & 0x20)
			return (rdtsc() - t0) / 10;
	}
	return 0;
}

struct blkbench {
	struct blk k;
	uint64_t nreq, khz;
	uint8_t *bufs;
	const char *err;
};

/* The measured loops: every op at queue depth 1 and 32, one TINY BENCH line each. */
static const char *blkbench_run(struct blkbench *bb)
{
	struct blk *k = &bb->k;
	uint64_t nreq = bb->nreq;
	static const char *const names[4] = {"randread", "randwrite", "seqread", "seqwrite"};
	for (int op = 0; op < 4; op++) {
		uint32_t type = (op & 1) ? BLK_T_OUT : BLK_T_IN;
		uint32_t len = op < 2 ? 4096 : 65536;
		uint64_t blocks = k->capacity / (len / 512);
		if (blocks < 2)
			return "disk too small for the benchmark";
		for (int qd = 1; qd <= BLK_SLOTS; qd = qd == 1 ? BLK_SLOTS : BLK_SLOTS + 1) {
			uint64_t rng = 0x9e3779b97f4a7c15ull, seq = 0, issued = 0, done = 0;
			uint64_t t0 = rdtsc();
			for (int s = 0; s < qd && issued < nreq; s++, issued++) {
				uint64_t blk = op < 2 ? (rng = rng * 6364136223846793005ull + 1442695040888963407ull) >> 33
				                      : seq++;
				blk_queue(k, (uint16_t)s, type, (blk % blocks) * (len / 512), bb->bufs + 65536ull * (uint64_t)s,
				          len);
			}
			vq_kick(&k->q);
			while (done < nreq) {
				uint32_t id, ulen;
				bool any = false;
				while (vq_poll(&k->q, &id, &ulen)) {
					uint16_t s = (uint16_t)(id / 3);
					if (k->status[16 * s] != BLK_S_OK)
						return "benchmark request failed";
					done++;
					any = true;
					if (issued < nreq) {
						uint64_t blk = op < 2
						                   ? (rng = rng * 6364136223846793005ull + 1442695040888963407ull) >> 33
						                   : seq++;
						blk_queue(k, s, type, (blk % blocks) * (len / 512), bb->bufs + 65536ull * s, len);
						issued++;
					}
				}
				if (any && issued > done)
					vq_kick(&k->q);
			}
			uint64_t cyc = rdtsc() - t0;
			tprintf("TINY BENCH blk_%s_qd%d reqs=%lu bytes=%u cycles=%lu tsc_per_ms=%lu\n", names[op], qd, nreq,
			        len, cyc, bb->khz);
		}
	}
	return NULL;
}

/* At CPL3 (tiny.cpl3=1): run the loops, report, reset from there. */
static void blkbench_user(void *arg)
{
	const char *err = blkbench_run(arg);
	if (err)
		tprintf("TINY FAIL blkbench: %s\n", err);
	else
		tprintf("TINY PASS blkbench\n");
}

static const char *test_blkbench(const struct tiny_boot *b)
{
	static struct blkbench bb;
	const char *err = blk_open_ex(b, &bb.k, cmdline_num(b->cmdline, "tiny.event_idx", 1) == 1);
	if (err)
		return err;
	bb.nreq = cmdline_num(b->cmdline, "tiny.bench_n", 2000);
	if (bb.nreq == 0)
		bb.nreq = 2000;
	bb.khz = tsc_per_ms();
	bool cpl3 = cmdline_num(b->cmdline, "tiny.cpl3", 0) == 1;
	tprintf("TINY INFO tsc_per_ms=%lu event_idx=%u cpl=%u\n", bb.khz, bb.k.q.event_idx, cpl3 ? 3u : 0u);
	bb.bufs = dma_alloc(65536ull * BLK_SLOTS, 4096);
	if (!cpl3)
		return blkbench_run(&bb);
	/* The driver's memory (rings, headers, buffers) and the device window
	 * become user pages; the loops then run natively on KVM-PVM. */
	uint64_t lo, hi;
	dma_span(&lo, &hi);
	if ((err = tiny_cpl3_map(lo, hi - lo)) || (err = tiny_cpl3_map(bb.k.dev.base, 0x1000)))
		return err;
	return tiny_cpl3_run(blkbench_user, &bb);
}

/* ---- other devices: virtio_dev.c ---- */
const char *tiny_test_rng(const struct tiny_boot *b);
const char *tiny_test_console(const struct tiny_boot *b);
const char *tiny_test_console_echo(const struct tiny_boot *b);
const char *tiny_test_net(const struct tiny_boot *b);
const char *tiny_test_virtio(const struct tiny_boot *b);

tiny_test_fn tiny_virtio_test(const char *name)
{
	static const struct {
		const char *name;
		tiny_test_fn fn;
	} t[] = {
		{"blk", test_blk},         {"blk_ro", test_blk_ro},     {"blk_oob", test_blk_oob},
		{"blk_durable", test_blk_durable}, {"blk_irq", test_blk_irq}, {"blkbench", test_blkbench}, {"rng", tiny_test_rng},
		{"console", tiny_test_console},    {"console_echo", tiny_test_console_echo},    {"net", tiny_test_net},      {"virtio", tiny_test_virtio},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == strlen(name) && memcmp(t[i].name, name, strlen(name)) == 0)
			return t[i].fn;
	return NULL;
}
