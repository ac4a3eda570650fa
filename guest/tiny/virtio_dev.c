/* tiny: virtio tests for rng, console, net, and the discovery listing (virtio). */
#include "virtio.h"

static const char *open_dev(const struct tiny_boot *b, uint32_t id, struct vdev *out)
{
	struct vdev v[TINY_VIRTIO_MAX];
	uint32_t nd, nc;
	uint32_t n = virtio_discover(b, v, TINY_VIRTIO_MAX, &nd, &nc);
	tprintf("TINY INFO virtio windows=%u dsdt=%u cmdline=%u\n", n, nd, nc);
	const struct vdev *d = virtio_find(v, n, id);
	if (!d)
		return "device not found";
	*out = *d;
	return NULL;
}

/* Lists what discovery found (the host test compares it with the VMM's log). */
const char *tiny_test_virtio(const struct tiny_boot *b)
{
	struct vdev v[TINY_VIRTIO_MAX];
	uint32_t nd, nc;
	uint32_t n = virtio_discover(b, v, TINY_VIRTIO_MAX, &nd, &nc);
	tprintf("TINY INFO virtio windows=%u dsdt=%u cmdline=%u\n", n, nd, nc);
	for (uint32_t i = 0; i < n; i++) {
		tprintf("TINY INFO virtio dev base=%lx size=%lx gsi=%u id=%u dsdt=%u cmdline=%u\n", v[i].base, v[i].size,
		        v[i].gsi, v[i].device_id, v[i].from_dsdt, v[i].from_cmdline);
		if (v[i].gsi_mismatch)
			return "DSDT and command line give different GSIs";
	}
	return n ? NULL : "no virtio-mmio device found";
}

const char *tiny_test_rng(const struct tiny_boot *b)
{
	struct vdev d;
	struct vq q;
	const char *err = open_dev(b, VIRTIO_ID_RNG, &d);
	if (err || (err = virtio_begin(&d, 0)) || (err = virtio_queue(&d, &q, 0, 8)) || (err = virtio_ready(&d)))
		return err;
	uint8_t *buf = dma_alloc(64, 64);
	memset(buf, 0, 64);
	q.desc[0] = (struct vq_desc){(uintptr_t)buf, 64, VQ_DESC_F_WRITE, 0};
	vq_submit(&q, 0);
	vq_kick(&q);
	uint32_t id, len;
	if (!vq_wait(&q, &id, &len, 20000000))
		return "no entropy returned";
	tprintf("TINY INFO rng got %u bytes: %x %x %x %x\n", len, buf[0], buf[1], buf[2], buf[3]);
	if (len == 0 || len > 64)
		return "bad used length";
	uint32_t same = 0;
	for (uint32_t i = 1; i < len; i++)
		same += buf[i] == buf[0];
	if (len > 1 && same == len - 1)
		return "all bytes equal";
	return NULL;
}

const char *tiny_test_console(const struct tiny_boot *b)
{
	struct vdev d;
	struct vq rx, tx;
	const char *err = open_dev(b, VIRTIO_ID_CONSOLE, &d);
	if (err || (err = virtio_begin(&d, 0)) || (err = virtio_queue(&d, &rx, 0, 8)) ||
	    (err = virtio_queue(&d, &tx, 1, 8)) || (err = virtio_ready(&d)))
		return err;
	static const char msg[] = "TINY VCON hello through virtio-console\n";
	char *buf = dma_alloc(sizeof(msg), 64);
	memcpy(buf, msg, sizeof(msg) - 1);
	tx.desc[0] = (struct vq_desc){(uintptr_t)buf, sizeof(msg) - 1, 0, 0};
	vq_submit(&tx, 0);
	vq_kick(&tx);
	uint32_t id, len;
	if (!vq_wait(&tx, &id, &len, 20000000))
		return "transmit never completed";
	tprintf("TINY INFO console sent %u bytes\n", (unsigned)(sizeof(msg) - 1));
	return NULL;
}

/* aa:bb:cc:dd:ee:ff, as ip(8) prints it */
static void put_mac(const char *what, const uint8_t *m)
{
	static const char hex[] = "0123456789abcdef";
	tprintf("TINY INFO net %s ", what);
	for (int i = 0; i < 6; i++) {
		putc_serial(hex[m[i] >> 4]);
		putc_serial(hex[m[i] & 15]);
		putc_serial(i < 5 ? ':' : '\n');
	}
}

/* Input: one receive buffer; what arrives (stdin on the host) is sent back. */
const char *tiny_test_console_echo(const struct tiny_boot *b)
{
	struct vdev d;
	struct vq rx, tx;
	const char *err = open_dev(b, VIRTIO_ID_CONSOLE, &d);
	if (err || (err = virtio_begin(&d, 0)) || (err = virtio_queue(&d, &rx, 0, 8)) ||
	    (err = virtio_queue(&d, &tx, 1, 8)))
		return err;
	char *in = dma_alloc(64, 64), *out = dma_alloc(96, 64);
	memset(in, 0, 64);
	rx.desc[0] = (struct vq_desc){(uintptr_t)in, 63, VQ_DESC_F_WRITE, 0};
	vq_submit(&rx, 0);
	if ((err = virtio_ready(&d)))
		return err;
	vq_kick(&rx);
	tprintf("TINY INFO console_echo ready\n");
	uint32_t id, len;
	if (!vq_wait(&rx, &id, &len, 20000000))
		return "no input arrived";
	if (len == 0 || len > 63)
		return "bad used length on the receive queue";
	static const char pre[] = "TINY VCON got: ";
	memcpy(out, pre, sizeof(pre) - 1);
	memcpy(out + sizeof(pre) - 1, in, len);
	tx.desc[0] = (struct vq_desc){(uintptr_t)out, (uint32_t)(sizeof(pre) - 1 + len), 0, 0};
	vq_submit(&tx, 0);
	vq_kick(&tx);
	if (!vq_wait(&tx, &id, &len, 20000000))
		return "transmit never completed";
	return NULL;
}

#define NET_F_MAC 5
#define NET_HDR 12
#define NET_RXBUFS 4
#define NET_BUF 2048

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ARP request "who has 10.0.2.1, tell 10.0.2.15" from mac, after a zero virtio-net header. */
static uint32_t build_arp(uint8_t *f, const uint8_t *mac)
{
	static const uint8_t me[4] = {10, 0, 2, 15}, host[4] = {10, 0, 2, 1};
	memset(f, 0, NET_HDR + 60);
	uint8_t *e = f + NET_HDR;
	memset(e, 0xff, 6);
	memcpy(e + 6, mac, 6);
	put16be(e + 12, 0x0806);
	uint8_t *a = e + 14;
	put16be(a, 1);
	put16be(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16be(a + 6, 1);
	memcpy(a + 8, mac, 6);
	memcpy(a + 14, me, 4);
	memcpy(a + 24, host, 4);
	return NET_HDR + 60;
}

const char *tiny_test_net(const struct tiny_boot *b)
{
	struct vdev d;
	struct vq rx, tx;
	const char *err = open_dev(b, VIRTIO_ID_NET, &d);
	if (err || (err = virtio_begin(&d, 1u << NET_F_MAC)) || (err = virtio_queue(&d, &rx, 0, 8)) ||
	    (err = virtio_queue(&d, &tx, 1, 8)))
		return err;
	uint8_t mac[6];
	for (int i = 0; i < 6; i++)
		mac[i] = mmio_read8(d.base + 0x100 + (uint64_t)i);
	if (!(d.features >> NET_F_MAC & 1))
		return "device offers no MAC";
	uint8_t *rxb = dma_alloc(NET_BUF * NET_RXBUFS, 4096), *txb = dma_alloc(NET_BUF, 4096);
	for (uint16_t i = 0; i < NET_RXBUFS; i++) {
		rx.desc[i] = (struct vq_desc){(uintptr_t)(rxb + NET_BUF * i), NET_BUF, VQ_DESC_F_WRITE, 0};
		vq_submit(&rx, i);
	}
	if ((err = virtio_ready(&d)))
		return err;
	vq_kick(&rx);
	put_mac("mac", mac);
	uint32_t flen = build_arp(txb, mac);
	for (int attempt = 0; attempt < 20; attempt++) {
		tx.desc[0] = (struct vq_desc){(uintptr_t)txb, flen, 0, 0};
		vq_submit(&tx, 0);
		vq_kick(&tx);
		uint32_t id, len;
		if (!vq_wait(&tx, &id, &len, 2000000))
			return "transmit never completed";
		for (uint32_t spin = 0; spin < 40000; spin++) {
			if (!vq_poll(&rx, &id, &len))
				continue;
			if (id >= NET_RXBUFS)
				return "bad used id on the receive queue";
			const uint8_t *e = rxb + NET_BUF * id + NET_HDR;
			bool reply = len >= NET_HDR + 42 && e[12] == 0x08 && e[13] == 0x06 && e[20] == 0 && e[21] == 2 &&
			             e[28] == 10 && e[29] == 0 && e[30] == 2 && e[31] == 1 && memcmp(e, mac, 6) == 0;
			tprintf("TINY INFO net rx %u bytes type %x%s\n", len - NET_HDR, (unsigned)(e[12] << 8 | e[13]),
			        reply ? " (ARP reply from 10.0.2.1)" : "");
			if (reply) {
				put_mac("host mac", e + 22);
				return NULL;
			}
			vq_submit(&rx, (uint16_t)id); /* give the buffer back */
			vq_kick(&rx);
		}
		tprintf("TINY INFO net no reply yet, resending\n");
	}
	return "no ARP reply from 10.0.2.1";
}
