/* libFuzzer: the split-virtqueue parser. Input byte 0 = options (bit 0
 * indirect, bit 1 event idx, bits 4-7 start index), the rest is guest RAM
 * from address 0: descriptor table at 0x0 (16 entries), avail ring at
 * 0x100, used ring at 0x200, buffers anywhere. The queue is popped until
 * empty or broken; every chain is read, written, turned into iovecs,
 * completed, and sometimes rewound. */
#include <sys/uio.h>

#include "devices/virtio/queue.h"
#include "tests/fuzz/fuzz_virtio_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t opt = data[0];
	fz_load(data + 1, size - 1);
	struct dev_virtq q;
	dev_virtq_init(&q, 64, fz_memory());
	q.num = FZ_NUM;
	q.desc_addr = FZ_DESC(0);
	q.avail_addr = FZ_AVAIL(0);
	q.used_addr = FZ_USED(0);
	q.indirect = opt & 1;
	q.event_idx = opt & 2;
	q.last_avail = q.used_idx = q.signalled = (uint16_t)(opt >> 4);
	if (dev_virtq_check_config(&q) < 0)
		abort();
	q.ready = true;
	static struct dev_virtq_chain c;
	if (!c.seg && dev_virtq_chain_init(&c, 64) < 0)
		abort();
	uint8_t buf[64];
	struct iovec iov[8];
	for (int n = 0; n < 64; n++) {
		struct dev_virtq_pos pos = dev_virtq_save(&q);
		int r = dev_virtq_pop(&q, &c);
		if (r <= 0)
			break;
		/* invariants of a validated chain */
		uint64_t rl = 0, wl = 0;
		if (c.nread > c.nseg || c.nseg > q.num)
			abort();
		for (uint32_t i = 0; i < c.nseg; i++) {
			if ((i < c.nread) == c.seg[i].write)
				abort();
			if (!gm_memory_check_range(fz_memory(), gm_addr(c.seg[i].addr),
						   c.seg[i].len))
				abort();
			*(c.seg[i].write ? &wl : &rl) += c.seg[i].len;
		}
		if (rl != c.read_len || wl != c.write_len || c.head >= q.num)
			abort();
		size_t k = c.read_len < sizeof(buf) ? (size_t)c.read_len : sizeof(buf);
		if (dev_virtq_chain_read(&q, &c, 0, buf, k) < 0)
			abort();
		k = c.write_len < sizeof(buf) ? (size_t)c.write_len : sizeof(buf);
		if (dev_virtq_chain_write(&q, &c, 0, buf, k) < 0)
			abort();
		uint64_t cov;
		int m = dev_virtq_chain_iov(&q, &c, true, 0, c.write_len, iov, 8, &cov);
		if (m < 0 && c.write_len)
			abort();
		if (m > 0)
			dev_virtq_chain_mark_written(&q, &c, 0, cov);
		if ((opt & 4) && n == 0 && dev_virtq_rewind(&q, pos) == 0)
			continue;
		if (dev_virtq_push(&q, c.head, (uint32_t)c.write_len) < 0)
			break;
		dev_virtq_should_notify(&q);
	}
	dev_virtq_has_avail(&q);
	return 0;
}
