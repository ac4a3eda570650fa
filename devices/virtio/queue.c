/* Split virtqueue: chain walking, validation, used-ring updates. */
#include "devices/virtio/queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dev_virtq_desc_raw {
	gm_le64_t addr;
	gm_le32_t len;
	gm_le16_t flags;
	gm_le16_t next;
};
_Static_assert(sizeof(struct dev_virtq_desc_raw) == VIRTQ_DESC_SIZE, "descriptor is 16 bytes");

int dev_virtq_chain_init(struct dev_virtq_chain *c, uint32_t cap)
{
	memset(c, 0, sizeof(*c));
	c->seg = calloc(cap ? cap : 1, sizeof(*c->seg));
	if (!c->seg)
		return -ENOMEM;
	c->cap = cap;
	return 0;
}

void dev_virtq_chain_fini(struct dev_virtq_chain *c)
{
	free(c->seg);
	c->seg = NULL;
	c->cap = 0;
	c->nseg = c->nread = 0;
}

void dev_virtq_init(struct dev_virtq *q, uint16_t num_max, const struct gm_memory *mem)
{
	memset(q, 0, sizeof(*q));
	q->num_max = num_max;
	q->mem = mem;
	dev_virtq_reset(q);
}

void dev_virtq_restart(struct dev_virtq *q)
{
	q->last_avail = q->used_idx = q->signalled = 0;
	q->broken = false;
	q->polling = false;
	q->budget = DEV_VIRTQ_NO_BUDGET;
	q->budget_hit = false;
}

void dev_virtq_reset(struct dev_virtq *q)
{
	q->num = q->num_max;
	q->desc_addr = q->avail_addr = q->used_addr = 0;
	q->ready = false;
	q->event_idx = q->indirect = false;
	dev_virtq_restart(q);
}

static bool area_ok(const struct gm_memory *m, uint64_t a, uint64_t len, uint64_t align)
{
	if (a & (align - 1))
		return false;
	return gm_memory_check_range(m, gm_addr(a), len);
}

int dev_virtq_check_config(const struct dev_virtq *q)
{
	if (q->num == 0 || q->num > q->num_max || (q->num & (q->num - 1)))
		return -EINVAL;
	if ((q->desc_addr & 15) || (q->avail_addr & 1) || (q->used_addr & 3))
		return -EINVAL;
	if (!area_ok(q->mem, q->desc_addr, dev_virtq_desc_bytes(q->num), 16) ||
	    !area_ok(q->mem, q->avail_addr, dev_virtq_avail_bytes(q->num), 2) ||
	    !area_ok(q->mem, q->used_addr, dev_virtq_used_bytes(q->num), 4))
		return -EFAULT;
	return 0;
}

/* Ring field addresses; the areas were checked by dev_virtq_check_config. */
static gm_addr_t avail_idx_addr(const struct dev_virtq *q)
{
	return gm_addr(q->avail_addr + 2);
}
static gm_addr_t avail_ring_addr(const struct dev_virtq *q, uint16_t slot)
{
	return gm_addr(q->avail_addr + 4 + 2u * (uint64_t)(slot & (q->num - 1)));
}
static gm_addr_t used_event_addr(const struct dev_virtq *q)
{
	return gm_addr(q->avail_addr + 4 + 2u * (uint64_t)q->num);
}
static gm_addr_t used_idx_addr(const struct dev_virtq *q)
{
	return gm_addr(q->used_addr + 2);
}
static gm_addr_t used_elem_addr(const struct dev_virtq *q, uint16_t idx)
{
	return gm_addr(q->used_addr + 4 + 8u * (uint64_t)(idx & (q->num - 1)));
}
static gm_addr_t avail_event_addr(const struct dev_virtq *q)
{
	return gm_addr(q->used_addr + 4 + 8u * (uint64_t)q->num);
}

static int read_le16(const struct dev_virtq *q, gm_addr_t a, uint16_t *v)
{
	gm_le16_t raw;
	if (gm_memory_read_obj(q->mem, &raw, sizeof(raw), a) < 0)
		return -EIO;
	*v = gm_le16_to_cpu(raw);
	return 0;
}

static int write_le16(const struct dev_virtq *q, gm_addr_t a, uint16_t v)
{
	gm_le16_t raw = gm_le16(v);
	return gm_memory_write_obj(q->mem, &raw, sizeof(raw), a) < 0 ? -EIO : 0;
}

/* avail->idx with acquire semantics: ring entries read after it are at
 * least as new as the index. */
static int load_avail_idx(struct dev_virtq *q, uint16_t *idx)
{
	uint64_t v;
	if (gm_memory_load(q->mem, avail_idx_addr(q), 2, GM_ACQUIRE, &v) < 0)
		return -EIO;
	gm_le16_t raw = {(uint16_t)v};
	*idx = gm_le16_to_cpu(raw);
	return 0;
}

static int read_desc(const struct dev_virtq *q, uint64_t table, uint32_t i,
		     struct dev_virtq_desc_raw *d)
{
	return gm_memory_read_obj(q->mem, d, sizeof(*d), gm_addr(table + (uint64_t)i * 16)) < 0
		   ? -EFAULT
		   : 0;
}

/* Append one descriptor's buffer to the chain after checking it. */
static int add_seg(const struct dev_virtq *q, struct dev_virtq_chain *c, uint64_t addr,
		   uint32_t len, bool write, uint32_t *steps)
{
	if (++*steps > q->num)
		return -ELOOP; /* longer than the queue: a loop or an oversized chain */
	if (!write && c->nseg > c->nread)
		return -EINVAL; /* readable after writable */
	if (len == 0)
		return 0;
	uint64_t end;
	if (__builtin_add_overflow(addr, (uint64_t)len, &end) ||
	    !gm_memory_check_range(q->mem, gm_addr(addr), len))
		return -EFAULT;
	if (c->nseg >= c->cap)
		return -ELOOP;
	struct dev_virtq_seg *s = &c->seg[c->nseg++];
	s->addr = addr;
	s->len = len;
	s->write = write;
	if (write) {
		c->write_len += len;
	} else {
		c->nread++;
		c->read_len += len;
	}
	return 0;
}

static int walk_indirect(const struct dev_virtq *q, struct dev_virtq_chain *c, uint64_t table,
			 uint32_t len, uint32_t *steps)
{
	if (!q->indirect || len == 0 || len % VIRTQ_DESC_SIZE)
		return -EINVAL;
	uint32_t n = len / VIRTQ_DESC_SIZE;
	if (n > q->num)
		return -EINVAL;
	uint64_t end;
	if (__builtin_add_overflow(table, (uint64_t)len, &end) ||
	    !gm_memory_check_range(q->mem, gm_addr(table), len))
		return -EFAULT;
	uint32_t i = 0;
	for (;;) {
		struct dev_virtq_desc_raw d;
		if (read_desc(q, table, i, &d) < 0)
			return -EFAULT;
		uint16_t flags = gm_le16_to_cpu(d.flags);
		if (flags & VIRTQ_DESC_F_INDIRECT)
			return -EINVAL; /* indirect inside indirect */
		int r = add_seg(q, c, gm_le64_to_cpu(d.addr), gm_le32_to_cpu(d.len),
				(flags & VIRTQ_DESC_F_WRITE) != 0, steps);
		if (r < 0)
			return r;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = gm_le16_to_cpu(d.next);
		if (i >= n)
			return -EINVAL;
	}
}

/* Walk the chain starting at head (head < num). 0 or a negative errno for a
 * malformed chain. */
static int walk_chain(const struct dev_virtq *q, struct dev_virtq_chain *c, uint16_t head)
{
	uint32_t steps = 0;
	uint32_t i = head;
	c->head = head;
	c->nseg = c->nread = 0;
	c->read_len = c->write_len = 0;
	for (;;) {
		struct dev_virtq_desc_raw d;
		if (read_desc(q, q->desc_addr, i, &d) < 0)
			return -EFAULT;
		uint16_t flags = gm_le16_to_cpu(d.flags);
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			if (flags & VIRTQ_DESC_F_NEXT)
				return -EINVAL;
			return walk_indirect(q, c, gm_le64_to_cpu(d.addr), gm_le32_to_cpu(d.len),
					     &steps);
		}
		int r = add_seg(q, c, gm_le64_to_cpu(d.addr), gm_le32_to_cpu(d.len),
				(flags & VIRTQ_DESC_F_WRITE) != 0, &steps);
		if (r < 0)
			return r;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = gm_le16_to_cpu(d.next);
		if (i >= q->num)
			return -EINVAL;
	}
}

static int publish_avail_event(struct dev_virtq *q)
{
	if (write_le16(q, avail_event_addr(q), q->last_avail) < 0)
		return -EIO;
	/* The driver must see avail_event before we look at avail->idx again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

int dev_virtq_pop(struct dev_virtq *q, struct dev_virtq_chain *c)
{
	if (q->broken)
		return -EIO;
	if (c->cap < q->num)
		return -EINVAL;
	for (;;) {
		uint16_t avail;
		if (load_avail_idx(q, &avail) < 0)
			goto broken;
		uint16_t pending = (uint16_t)(avail - q->last_avail);
		if (pending > q->num)
			goto broken;
		if (pending == 0) {
			if (!q->event_idx || q->polling)
				return 0;
			if (publish_avail_event(q) < 0)
				goto broken;
			if (load_avail_idx(q, &avail) < 0)
				goto broken;
			pending = (uint16_t)(avail - q->last_avail);
			if (pending > q->num)
				goto broken;
			if (pending == 0)
				return 0;
		}
		if (q->budget == 0) { /* malformed chains count too */
			q->budget_hit = true;
			return 0;
		}
		if (q->budget != DEV_VIRTQ_NO_BUDGET)
			q->budget--;
		uint16_t head;
		if (read_le16(q, avail_ring_addr(q, q->last_avail), &head) < 0 || head >= q->num)
			goto broken;
		q->last_avail++;
		if (walk_chain(q, c, head) == 0)
			return 1;
		/* Malformed chain: fail this request, keep the queue going. */
		q->bad_chains++;
		c->nseg = c->nread = 0;
		c->read_len = c->write_len = 0;
		if (dev_virtq_push(q, head, 0) < 0)
			return -EIO;
	}
broken:
	q->broken = true;
	return -EIO;
}

int dev_virtq_set_polling(struct dev_virtq *q, bool polling)
{
	if (q->broken)
		return -EIO;
	q->polling = polling;
	if (q->event_idx) {
		if (!polling && publish_avail_event(q) < 0)
			goto broken;
		return 0;
	}
	if (write_le16(q, gm_addr(q->used_addr), polling ? VIRTQ_USED_F_NO_NOTIFY : 0) < 0)
		goto broken;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
broken:
	q->broken = true;
	return -EIO;
}

bool dev_virtq_has_avail(struct dev_virtq *q)
{
	uint16_t avail;
	if (q->broken || load_avail_idx(q, &avail) < 0)
		return false;
	return avail != q->last_avail;
}

struct dev_virtq_pos dev_virtq_save(const struct dev_virtq *q)
{
	struct dev_virtq_pos p = {q->last_avail, q->bad_chains};
	return p;
}

int dev_virtq_rewind(struct dev_virtq *q, struct dev_virtq_pos pos)
{
	if (pos.bad != q->bad_chains)
		return -EBUSY;
	q->last_avail = pos.slot;
	return 0;
}

int dev_virtq_add_used(struct dev_virtq *q, uint16_t head, uint32_t len)
{
	struct {
		gm_le32_t id;
		gm_le32_t len;
	} e = {gm_le32(head), gm_le32(len)};
	if (gm_memory_write_obj(q->mem, &e, sizeof(e), used_elem_addr(q, q->used_idx)) < 0) {
		q->broken = true;
		return -EIO;
	}
	q->used_idx++;
	return 0;
}

int dev_virtq_publish_used(struct dev_virtq *q)
{
	/* Every used element (and the buffer data before it) is visible before
	 * the index that hands it to the driver. */
	uint16_t v = gm_le16(q->used_idx).v;
	if (gm_memory_store(q->mem, used_idx_addr(q), 2, v, GM_RELEASE) < 0) {
		q->broken = true;
		return -EIO;
	}
	return 0;
}

int dev_virtq_push(struct dev_virtq *q, uint16_t head, uint32_t len)
{
	int r = dev_virtq_add_used(q, head, len);
	return r < 0 ? r : dev_virtq_publish_used(q);
}

bool dev_virtq_should_notify(struct dev_virtq *q)
{
	uint16_t old = q->signalled, now = q->used_idx;
	if (old == now)
		return false;
	q->signalled = now;
	/* Our used->idx store must be visible before we read the driver's
	 * suppression state (pairs with the driver's barrier). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		uint16_t ev;
		if (read_le16(q, used_event_addr(q), &ev) < 0)
			return true;
		return dev_virtq_need_event(ev, now, old);
	}
	uint16_t flags;
	if (read_le16(q, gm_addr(q->avail_addr), &flags) < 0)
		return true;
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* ---- chain data access ---- */

/* Locate stream offset off: segment index (in [first, end)) and offset in it. */
static int seek(const struct dev_virtq_chain *c, bool write, uint64_t off, uint32_t *si,
		uint64_t *so)
{
	uint32_t i = write ? c->nread : 0, end = write ? c->nseg : c->nread;
	for (; i < end; i++) {
		if (off < c->seg[i].len) {
			*si = i;
			*so = off;
			return 0;
		}
		off -= c->seg[i].len;
	}
	*si = end;
	*so = 0;
	return off == 0 ? 0 : -EFAULT;
}

static uint64_t stream_len(const struct dev_virtq_chain *c, bool write)
{
	return write ? c->write_len : c->read_len;
}

static int copy_stream(const struct dev_virtq *q, const struct dev_virtq_chain *c, bool write,
		       uint64_t off, void *buf, size_t len)
{
	uint64_t end;
	if (__builtin_add_overflow(off, (uint64_t)len, &end) || end > stream_len(c, write))
		return -EFAULT;
	uint32_t i;
	uint64_t so;
	if (seek(c, write, off, &i, &so) < 0)
		return -EFAULT;
	uint8_t *p = buf;
	while (len) {
		uint64_t n = c->seg[i].len - so;
		if (n > len)
			n = len;
		gm_addr_t a = gm_addr(c->seg[i].addr + so);
		int r = write ? gm_memory_write_slice(q->mem, p, n, a)
			      : gm_memory_read_slice(q->mem, p, n, a);
		if (r < 0)
			return -EFAULT;
		p += n;
		len -= n;
		i++;
		so = 0;
	}
	return 0;
}

int dev_virtq_chain_read(const struct dev_virtq *q, const struct dev_virtq_chain *c, uint64_t off,
			 void *buf, size_t len)
{
	return copy_stream(q, c, false, off, buf, len);
}

int dev_virtq_chain_write(const struct dev_virtq *q, const struct dev_virtq_chain *c, uint64_t off,
			  const void *buf, size_t len)
{
	return copy_stream(q, c, true, off, (void *)buf, len);
}

int dev_virtq_chain_iov(const struct dev_virtq *q, const struct dev_virtq_chain *c, bool write,
			uint64_t off, uint64_t len, struct iovec *iov, int max, uint64_t *covered)
{
	uint64_t end;
	*covered = 0;
	if (__builtin_add_overflow(off, len, &end) || end > stream_len(c, write))
		return -EFAULT;
	uint32_t i;
	uint64_t so;
	if (seek(c, write, off, &i, &so) < 0)
		return -EFAULT;
	int n = 0;
	while (len && n < max) {
		uint64_t take = c->seg[i].len - so;
		if (take > len)
			take = len;
		struct gm_iter it;
		struct gm_frag f;
		int r;
		gm_memory_iter_init(&it, q->mem, gm_addr(c->seg[i].addr + so), take);
		while ((r = gm_memory_iter_next(&it, &f)) > 0) {
			if (n >= max)
				return n;
			void *p = gm_vslice_ptr(&f.slice);
			if (!p)
				return n ? n : -EFAULT;
			iov[n].iov_base = p;
			iov[n].iov_len = f.len;
			n++;
			*covered += f.len;
		}
		if (r < 0)
			return n ? n : -EFAULT;
		len -= take;
		i++;
		so = 0;
	}
	return n;
}

void dev_virtq_chain_mark_written(const struct dev_virtq *q, const struct dev_virtq_chain *c,
				  uint64_t off, uint64_t len)
{
	uint32_t i;
	uint64_t so;
	if (seek(c, true, off, &i, &so) < 0)
		return;
	while (len && i < c->nseg) {
		uint64_t take = c->seg[i].len - so;
		if (take > len)
			take = len;
		struct gm_iter it;
		struct gm_frag f;
		gm_memory_iter_init(&it, q->mem, gm_addr(c->seg[i].addr + so), take);
		while (gm_memory_iter_next(&it, &f) > 0)
			gm_vslice_mark_dirty(&f.slice, 0, f.len);
		len -= take;
		i++;
		so = 0;
	}
}
