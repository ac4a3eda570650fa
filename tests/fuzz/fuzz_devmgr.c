/* libFuzzer target: the DeviceManager (devices/core) against a model.
 *
 * The input configures the allocator windows, then drives a sequence of
 * register / register_alloc / unregister / update / dispatch / resource
 * allocation / free / save-restore / synchronize operations. The model keeps
 * each device's bus range, each address allocator (tests/fuzz/model.h) and
 * each ID allocator (a bitmap), and predicts every return code, which device
 * a dispatch reaches (with which offset), the miss/crossing counters, and
 * that release() runs exactly once per device. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/dev.h"
#include "tests/fuzz/input.h"
#include "tests/fuzz/model.h"

#define MAX_OPS 160
#define NDEV 24
#define NRES 48
#define ID_SPAN 64

struct fdev {
	struct dev_handle *h;
	int used;       /* slot holds a handle not yet released */
	int registered; /* model: on the bus */
	int bus, alloc_kind;
	uint64_t base, len;
	int releases;
	int has_rw;
	/* last call seen by the device */
	int calls;
	uint64_t c_base, c_off;
	uint32_t c_len;
	uint8_t c_data[8];
};

struct idmodel {
	int on;
	uint32_t first, last; /* last - first < ID_SPAN */
	uint8_t used[ID_SPAN];
};

struct model {
	struct dev_manager_config cfg;
	int addr_on[DEV_RES_KIND_COUNT];
	struct ma addr[DEV_RES_KIND_COUNT];
	struct idmodel id[DEV_RES_KIND_COUNT];
	struct dev_bus_stats st[DEV_BUS_COUNT];
	struct fdev dev[NDEV];
	struct dev_resource res[NRES];
	size_t nres;
};

static uint8_t pattern(const struct fdev *d, uint64_t off, uint32_t k)
{
	return (uint8_t)((uintptr_t)d * 7 + off * 13 + k);
}

static void d_read(void *priv, uint64_t base, uint64_t off, uint8_t *data, uint32_t len)
{
	struct fdev *d = priv;
	d->calls++;
	d->c_base = base;
	d->c_off = off;
	d->c_len = len;
	for (uint32_t k = 0; k < len; k++)
		data[k] = pattern(d, off, k);
}

static void d_write(void *priv, uint64_t base, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct fdev *d = priv;
	d->calls++;
	d->c_base = base;
	d->c_off = off;
	d->c_len = len;
	memcpy(d->c_data, data, len < 8 ? len : 8);
}

static void d_release(void *priv)
{
	struct fdev *d = priv;
	d->releases++;
}

static const struct dev_ops ops_rw = {d_read, d_write, d_release};
static const struct dev_ops ops_none = {NULL, NULL, d_release};

static int is_id_kind(int k)
{
	return k == DEV_RES_LEGACY_IRQ || k == DEV_RES_ID || k == DEV_RES_MEM_SLOT;
}

static int configured(const struct model *m, int k)
{
	return is_id_kind(k) ? m->id[k].on : m->addr_on[k];
}

/* Expected result of an ID allocation on model im (does not change it). */
static int id_expect(const struct idmodel *im, int fixed, uint64_t want, uint64_t *out)
{
	if (fixed) {
		if (want > UINT32_MAX)
			return -ERANGE;
		if (want < im->first || want > im->last)
			return -ERANGE;
		if (im->used[want - im->first])
			return -EBUSY;
		*out = want;
		return 0;
	}
	for (uint32_t i = 0; i <= im->last - im->first; i++)
		if (!im->used[i]) {
			*out = im->first + i;
			return 0;
		}
	return -ENOSPC;
}

/* Device on bus overlapping [s, e] other than skip, or -1. */
static int bus_overlap(const struct model *m, int bus, uint64_t s, uint64_t e, int skip)
{
	for (int i = 0; i < NDEV; i++) {
		const struct fdev *d = &m->dev[i];
		if (i == skip || !d->registered || d->bus != bus)
			continue;
		if (d->base <= e && s <= d->base + (d->len - 1))
			return i;
	}
	return -1;
}

static uint64_t pick_addr(struct fin *in, const struct model *m, int bus)
{
	uint8_t how = fin_u8(in);
	switch (how & 3) {
	case 0: { /* near a device */
		int i = fin_u8(in) % NDEV;
		const struct fdev *d = &m->dev[i];
		return d->base + (int8_t)fin_u8(in);
	}
	case 1: { /* in a window */
		int k = bus == DEV_BUS_PIO ? DEV_RES_PIO : (how & 4) ? DEV_RES_MMIO64 : DEV_RES_MMIO;
		return m->addr[k].base + fin_u16(in);
	}
	case 2:
		return UINT64_MAX - fin_u8(in);
	default:
		return fin_u64(in);
	}
}

static uint64_t pick_len(struct fin *in)
{
	uint8_t how = fin_u8(in);
	if (how & 0x80)
		return fin_u64(in);
	return how & 0x40 ? (uint64_t)fin_u16(in) : (uint64_t)(how & 0x3f);
}

static void check_stats(struct dev_manager *mgr, const struct model *m)
{
	for (int b = 0; b < DEV_BUS_COUNT; b++) {
		struct dev_bus_stats s;
		CHECK_EQ(dev_manager_stats(mgr, (enum dev_bus_kind)b, &s), 0);
		uint64_t ndev = 0;
		for (int i = 0; i < NDEV; i++)
			ndev += m->dev[i].registered && m->dev[i].bus == b;
		CHECK_EQ(s.devices, ndev);
		CHECK_EQ(s.unhandled_reads, m->st[b].unhandled_reads);
		CHECK_EQ(s.unhandled_writes, m->st[b].unhandled_writes);
		CHECK_EQ(s.crossing, m->st[b].crossing);
		CHECK_EQ(s.bad_access, m->st[b].bad_access);
	}
	for (int i = 0; i < NDEV; i++) {
		const struct fdev *d = &m->dev[i];
		CHECK(d->releases <= 1);
		if (d->registered) {
			CHECK_EQ(d->releases, 0);
			enum dev_bus_kind bus;
			uint64_t base, len;
			CHECK_EQ(dev_handle_range(d->h, &bus, &base, &len), 0);
			CHECK((int)bus == d->bus && base == d->base && len == d->len);
		}
	}
}

/* Forget handles whose release() has run (the handle is gone then). */
static void reap(struct model *m)
{
	for (int i = 0; i < NDEV; i++)
		if (m->dev[i].used && !m->dev[i].registered && m->dev[i].releases)
			m->dev[i].used = 0;
}

static int free_slot(struct model *m)
{
	for (int i = 0; i < NDEV; i++)
		if (!m->dev[i].used && !m->dev[i].releases)
			return i;
	return -1;
}

static void op_register(struct dev_manager *mgr, struct model *m, struct fin *in, int alloc)
{
	int i = free_slot(m);
	if (i < 0)
		return;
	struct fdev *d = &m->dev[i];
	int bus = fin_u8(in) & 1;
	const struct dev_ops *ops = (fin_u8(in) & 7) ? &ops_rw : &ops_none;
	uint64_t len = pick_len(in);
	uint64_t base = 0, want = 0;
	int exp, rc;
	if (!alloc) {
		base = pick_addr(in, m, bus);
		uint64_t last;
		if (len == 0)
			exp = -EINVAL;
		else if (__builtin_add_overflow(base, len - 1, &last))
			exp = -EOVERFLOW;
		else
			exp = bus_overlap(m, bus, base, last, -1) >= 0 ? -EEXIST : 0;
		rc = dev_manager_register(mgr, (enum dev_bus_kind)bus, base, len, ops, d, &d->h);
		d->alloc_kind = -1;
	} else {
		int mmio64 = fin_u8(in) & 1;
		uint8_t al = fin_u8(in);
		uint64_t align = al & 0x80 ? al & 0x7f : 1ull << (al % 16);
		int policy = fin_u8(in) % 4;
		uint64_t addr = pick_addr(in, m, bus);
		int k = bus == DEV_BUS_PIO ? DEV_RES_PIO : mmio64 ? DEV_RES_MMIO64 : DEV_RES_MMIO;
		if (!m->addr_on[k])
			exp = -ENODEV;
		else
			exp = ma_expect(&m->addr[k], len, align, policy, addr, &want);
		if (exp == 0 && bus_overlap(m, bus, want, want + (len - 1), -1) >= 0)
			exp = -EEXIST;
		if (exp == 0 && m->addr[k].n >= MA_MAX)
			return;
		rc = dev_manager_register_alloc(mgr, (enum dev_bus_kind)bus, mmio64, len, align,
						(enum dev_alloc_policy)policy, addr, ops, d, &d->h,
						&base);
		d->alloc_kind = k;
		if (rc == 0) {
			CHECK(base == want);
			ma_insert(&m->addr[k], base, base + (len - 1));
		}
	}
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, exp);
	if (rc)
		return;
	d->used = 1;
	d->registered = 1;
	d->bus = bus;
	d->base = base;
	d->len = len;
	d->releases = 0;
	d->calls = 0;
	d->has_rw = ops == &ops_rw;
}

static int pick_dev(struct model *m, struct fin *in)
{
	int start = fin_u8(in) % NDEV;
	for (int j = 0; j < NDEV; j++) {
		int i = (start + j) % NDEV;
		if (m->dev[i].used)
			return i;
	}
	return -1;
}

static void op_unregister(struct dev_manager *mgr, struct model *m, struct fin *in)
{
	int i = pick_dev(m, in);
	if (i < 0)
		return;
	struct fdev *d = &m->dev[i];
	int rc = dev_manager_unregister(mgr, d->h);
	if (!d->registered) {
		/* still unreleased (reap drops released ones): a second unregister */
		CHECK_EQ(rc, -ENOENT);
		return;
	}
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, 0);
	d->registered = 0;
	if (d->alloc_kind >= 0) {
		struct ma *a = &m->addr[d->alloc_kind];
		int j = ma_find_exact(a, d->base, d->base + (d->len - 1));
		CHECK(j >= 0);
		ma_remove_at(a, (size_t)j);
	}
}

static void op_update(struct dev_manager *mgr, struct model *m, struct fin *in)
{
	int i = pick_dev(m, in);
	if (i < 0 || !m->dev[i].registered)
		return;
	struct fdev *d = &m->dev[i];
	uint64_t nb = fin_u8(in) & 1 ? d->base + (int8_t)fin_u8(in) : pick_addr(in, m, d->bus);
	uint64_t nlen = fin_u8(in) & 1 ? d->len + (int8_t)fin_u8(in) : pick_len(in);
	uint64_t last = 0;
	int exp = 0;
	static struct ma tmp;
	if (nlen == 0)
		exp = -EINVAL;
	else if (__builtin_add_overflow(nb, nlen - 1, &last))
		exp = -EOVERFLOW;
	if (!exp && d->alloc_kind >= 0) {
		tmp = m->addr[d->alloc_kind];
		int j = ma_find_exact(&tmp, d->base, d->base + (d->len - 1));
		CHECK(j >= 0);
		ma_remove_at(&tmp, (size_t)j);
		uint64_t got;
		exp = ma_expect(&tmp, nlen, 1, DEV_ALLOC_EXACT, nb, &got);
	}
	if (!exp && bus_overlap(m, d->bus, nb, last, i) >= 0)
		exp = -EEXIST;
	int rc = (fin_u8(in) & 1) ? dev_handle_update(d->h, nb, nlen)
				  : dev_manager_update(mgr, d->h, nb, nlen);
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, exp);
	if (rc)
		return;
	if (d->alloc_kind >= 0) {
		ma_insert(&tmp, nb, last);
		m->addr[d->alloc_kind] = tmp;
	}
	d->base = nb;
	d->len = nlen;
}

static void op_dispatch(struct dev_manager *mgr, struct model *m, struct fin *in)
{
	int bus = fin_u8(in) & 1;
	int write = fin_u8(in) & 1;
	static const uint32_t lens[8] = {1, 2, 4, 8, 0, 3, 16, 4};
	uint32_t len = lens[fin_u8(in) % 8];
	uint64_t addr = pick_addr(in, m, bus);
	uint8_t buf[16];
	fin_bytes(in, buf, sizeof(buf));
	uint8_t orig[16];
	memcpy(orig, buf, sizeof(buf));
	int calls[NDEV];
	for (int i = 0; i < NDEV; i++)
		calls[i] = m->dev[i].calls;

	int exp, hit = -1;
	int len_ok = len == 1 || len == 2 || len == 4 || (len == 8 && bus == DEV_BUS_MMIO);
	uint64_t last;
	if (!len_ok) {
		exp = -EINVAL;
	} else if (__builtin_add_overflow(addr, len - 1, &last)) {
		exp = -EINVAL;
	} else {
		hit = bus_overlap(m, bus, addr, last, -1);
		if (hit < 0)
			exp = 1;
		else if (m->dev[hit].base <= addr && last <= m->dev[hit].base + (m->dev[hit].len - 1))
			exp = 0;
		else
			exp = -EINVAL;
	}
	int rc = write ? dev_manager_write(mgr, (enum dev_bus_kind)bus, addr, buf, len)
		       : dev_manager_read(mgr, (enum dev_bus_kind)bus, addr, buf, len);
	CHECK_EQ(rc, exp);
	if (!len_ok)
		m->st[bus].bad_access++;
	else if (rc < 0)
		m->st[bus].crossing++;
	else if (rc == 1 && write)
		m->st[bus].unhandled_writes++;
	else if (rc == 1)
		m->st[bus].unhandled_reads++;
	for (int i = 0; i < NDEV; i++) {
		struct fdev *d = &m->dev[i];
		int want = rc == 0 && i == hit && d->has_rw;
		CHECK_EQ(d->calls - calls[i], want);
		if (want) {
			CHECK(d->c_base == d->base && d->c_off == addr - d->base && d->c_len == len);
			if (write)
				CHECK(memcmp(d->c_data, orig, len) == 0);
		}
	}
	if (!write && len_ok) {
		for (uint32_t k = 0; k < len; k++) {
			if (rc == 0 && m->dev[hit].has_rw)
				CHECK_EQ(buf[k], pattern(&m->dev[hit], addr - m->dev[hit].base, k));
			else
				CHECK_EQ(buf[k], 0xff);
		}
	}
	if (write)
		CHECK(memcmp(buf, orig, sizeof(buf)) == 0);
}

static void op_alloc_res(struct dev_manager *mgr, struct model *m, struct fin *in)
{
	size_t n = fin_u8(in) % 4;
	struct dev_res_req req[3];
	struct dev_resource out[3];
	memset(req, 0, sizeof(req));
	for (size_t i = 0; i < n; i++) {
		req[i].kind = (enum dev_res_kind)(fin_u8(in) % (DEV_RES_KIND_COUNT + 1));
		req[i].size = pick_len(in);
		uint8_t al = fin_u8(in);
		req[i].align = al & 0x80 ? al & 0x7f : 1ull << (al % 16);
		req[i].fixed = fin_u8(in) & 1;
		int k = req[i].kind;
		req[i].addr = k < DEV_RES_KIND_COUNT && is_id_kind(k) && m->id[k].on
				      ? m->id[k].first + fin_u8(in) % (ID_SPAN + 2) - 1
			      : k < DEV_RES_KIND_COUNT ? m->addr[k].base + fin_u16(in)
						       : fin_u64(in);
		req[i].policy = (enum dev_alloc_policy)(fin_u8(in) % 4);
	}
	if (m->nres + n > NRES)
		return;
	/* model: kinds first, then each request on copies */
	int exp = 0;
	for (size_t i = 0; i < n && !exp; i++) {
		if ((unsigned)req[i].kind >= DEV_RES_KIND_COUNT)
			exp = -EINVAL;
		else if (!configured(m, req[i].kind))
			exp = -ENODEV;
	}
	static struct model c;
	c = *m;
	uint64_t want[3] = {0};
	for (size_t i = 0; i < n && !exp; i++) {
		int k = req[i].kind;
		if (is_id_kind(k)) {
			exp = id_expect(&c.id[k], req[i].fixed, req[i].addr, &want[i]);
			if (!exp)
				c.id[k].used[want[i] - c.id[k].first] = 1;
		} else {
			int pol = req[i].fixed ? DEV_ALLOC_EXACT : (int)req[i].policy;
			uint64_t align = req[i].align ? req[i].align : 1;
			exp = ma_expect(&c.addr[k], req[i].size, align, pol, req[i].addr, &want[i]);
			if (!exp && c.addr[k].n >= MA_MAX)
				return;
			if (!exp)
				ma_insert(&c.addr[k], want[i], want[i] + (req[i].size - 1));
		}
	}
	int rc = dev_manager_alloc_resources(mgr, req, n, out);
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, exp);
	if (rc)
		return;
	for (size_t i = 0; i < n; i++) {
		CHECK(out[i].kind == req[i].kind && out[i].base == want[i]);
		CHECK(out[i].size == (is_id_kind(req[i].kind) ? 1 : req[i].size));
	}
	memcpy(m->addr, c.addr, sizeof(m->addr));
	memcpy(m->id, c.id, sizeof(m->id));
	memcpy(&m->res[m->nres], out, n * sizeof(out[0]));
	m->nres += n;
}

static void op_free_res(struct dev_manager *mgr, struct model *m, struct fin *in)
{
	size_t n = fin_u8(in) % 4;
	struct dev_resource r[3];
	size_t idx[3];
	if (n > m->nres)
		n = m->nres;
	for (size_t i = 0; i < n; i++) {
		idx[i] = fin_u8(in) % m->nres;
		r[i] = m->res[idx[i]];
		uint8_t t = fin_u8(in);
		if (t == 1)
			r[i].base++;
		else if (t == 2)
			r[i].size++;
	}
	static struct model c;
	c = *m;
	int exp = 0;
	for (size_t i = 0; i < n && !exp; i++)
		if (!configured(m, r[i].kind))
			exp = -ENODEV;
	for (size_t i = 0; i < n && !exp; i++) {
		int k = r[i].kind;
		if (is_id_kind(k)) {
			struct idmodel *im = &c.id[k];
			if (r[i].size != 1)
				exp = -EINVAL;
			else if (r[i].base > UINT32_MAX || r[i].base < im->first || r[i].base > im->last)
				exp = -ERANGE;
			else if (!im->used[r[i].base - im->first])
				exp = -ENOENT;
			else
				im->used[r[i].base - im->first] = 0;
		} else {
			struct ma *a = &c.addr[k];
			uint64_t l;
			if (r[i].size == 0)
				exp = -EDOM;
			else if (__builtin_add_overflow(r[i].base, r[i].size - 1, &l))
				exp = -EOVERFLOW;
			else if (r[i].base < a->base || l > a->last)
				exp = -ERANGE;
			else {
				int j = ma_find_exact(a, r[i].base, l);
				if (j < 0)
					exp = -ENOENT;
				else
					ma_remove_at(a, (size_t)j);
			}
		}
	}
	int rc = dev_manager_free_resources(mgr, r, n);
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, exp);
	if (rc)
		return;
	memcpy(m->addr, c.addr, sizeof(m->addr));
	memcpy(m->id, c.id, sizeof(m->id));
	/* drop the freed entries from the list */
	int gone[NRES] = {0};
	for (size_t i = 0; i < n; i++)
		gone[idx[i]] = 1;
	size_t w = 0;
	for (size_t i = 0; i < m->nres; i++)
		if (!gone[i])
			m->res[w++] = m->res[i];
	m->nres = w;
}

static void check_alloc_state(struct dev_manager *mgr, const struct model *m, struct fin *in)
{
	/* a few is_allocated probes */
	for (int t = 0; t < 4; t++) {
		int k = fin_u8(in) % (DEV_RES_KIND_COUNT + 1);
		uint64_t x;
		if (k < DEV_RES_KIND_COUNT && is_id_kind(k))
			x = m->id[k].first + fin_u8(in) % (ID_SPAN + 2) - 1;
		else if (k < DEV_RES_KIND_COUNT)
			x = m->addr[k].base + fin_u16(in);
		else
			x = fin_u64(in);
		int rc = dev_manager_res_is_allocated(mgr, (enum dev_res_kind)k, x);
		int exp;
		if (k >= DEV_RES_KIND_COUNT)
			exp = -EINVAL;
		else if (!configured(m, k))
			exp = -ENODEV;
		else if (is_id_kind(k))
			exp = x >= m->id[k].first && x <= m->id[k].last &&
			      m->id[k].used[x - m->id[k].first];
		else
			exp = ma_overlaps(&m->addr[k], x, x);
		CHECK_EQ(rc, exp);
	}
}

/* Returns 1 when a corrupted state was accepted (the model no longer knows
 * the allocators: the run stops there). */
static int op_save_restore(struct dev_manager *mgr, struct model *m, struct fin *in)
{
	size_t sz = dev_manager_save_size(mgr);
	uint8_t *buf = malloc(sz + 16);
	CHECK(buf);
	CHECK_EQ(dev_manager_save(mgr, buf, sz - 1), -ENOBUFS);
	CHECK_EQ(dev_manager_save(mgr, buf, sz), (long long)sz);
	uint8_t how = fin_u8(in);
	if (how & 1) {
		/* corrupt one byte or the length: either refused, or accepted and
		 * then the state must be self-consistent (checked by saving again) */
		size_t pos = fin_u16(in) % sz;
		uint8_t old = buf[pos];
		buf[pos] ^= fin_u8(in) | 1;
		size_t len = how & 2 ? sz - (fin_u8(in) % 9) : sz;
		int rc = dev_manager_restore(mgr, buf, len);
		if (rc == 0) {
			/* Accepted (e.g. a flipped bit still describes a valid
			 * state): saving it again must give exactly those bytes. */
			uint8_t *again = malloc(sz + 16);
			CHECK(again);
			CHECK_EQ(dev_manager_save(mgr, again, sz + 16), (long long)len);
			CHECK(memcmp(again, buf, len) == 0);
			free(again);
			free(buf);
			return 1;
		}
		CHECK(rc == -EBADMSG || rc == -ENOMEM);
		buf[pos] = old;
	}
	int rc = dev_manager_restore(mgr, buf, sz);
	if (rc != -ENOMEM)
		CHECK_EQ(rc, 0);
	/* state unchanged: saving again gives the same bytes */
	uint8_t *again = malloc(sz);
	CHECK(again);
	CHECK_EQ(dev_manager_save(mgr, again, sz), (long long)sz);
	CHECK(memcmp(again, buf, sz) == 0);
	free(again);
	free(buf);
	return 0;
}

static int build_config(struct model *m, struct fin *in)
{
	struct dev_manager_config *c = &m->cfg;
	memset(c, 0, sizeof(*c));
	uint8_t f = fin_u8(in);
	if (f & 1) {
		c->pio_base = fin_u16(in);
		c->pio_size = fin_u16(in) % 0x2000;
	}
	if (f & 2) {
		c->mmio_base = 0xd0000000ull + ((uint64_t)fin_u16(in) << 12);
		c->mmio_size = (uint64_t)fin_u16(in) << (fin_u8(in) % 13);
	}
	if (f & 4) {
		c->mmio64_size = fin_u16(in) + 1;
		c->mmio64_base = (f & 8) ? 0 - c->mmio64_size : ((uint64_t)fin_u32(in) << 20);
		if ((f & 0x30) == 0x30)
			c->mmio64_base++; /* one past: must overflow */
	}
	c->msi_count = fin_u8(in);
	uint8_t g = fin_u8(in);
	c->gsi_first = g & 0x80 ? UINT32_MAX - (g & 7) : g;
	c->gsi_count = fin_u8(in) % (ID_SPAN + 1);
	c->id_count = fin_u8(in) % (ID_SPAN + 1);
	c->mem_slot_first = fin_u8(in);
	c->mem_slot_count = fin_u8(in) % (ID_SPAN + 1);

	static const int addr_k[4] = {DEV_RES_PIO, DEV_RES_MMIO, DEV_RES_MMIO64, DEV_RES_MSI};
	const uint64_t bases[4] = {c->pio_base, c->mmio_base, c->mmio64_base, 0};
	const uint64_t sizes[4] = {c->pio_size, c->mmio_size, c->mmio64_size, c->msi_count};
	int exp = 0;
	for (int i = 0; i < 4; i++) {
		int k = addr_k[i];
		m->addr_on[k] = sizes[i] != 0;
		if (sizes[i]) {
			uint64_t l;
			if (__builtin_add_overflow(bases[i], sizes[i] - 1, &l) && !exp)
				exp = -EOVERFLOW;
			ma_init(&m->addr[k], bases[i], l);
		}
	}
	const int id_k[3] = {DEV_RES_LEGACY_IRQ, DEV_RES_ID, DEV_RES_MEM_SLOT};
	const uint32_t firsts[3] = {c->gsi_first, 0, c->mem_slot_first};
	const uint32_t counts[3] = {c->gsi_count, c->id_count, c->mem_slot_count};
	for (int i = 0; i < 3; i++) {
		struct idmodel *im = &m->id[id_k[i]];
		memset(im, 0, sizeof(*im));
		im->on = counts[i] != 0;
		if (counts[i]) {
			if (__builtin_add_overflow(firsts[i], counts[i] - 1, &im->last) && !exp)
				exp = -EOVERFLOW;
			im->first = firsts[i];
		}
	}
	return exp;
}

static void run(struct fin *in)
{
	static struct model m;
	memset(&m, 0, sizeof(m));
	int exp = build_config(&m, in);
	struct dev_manager *mgr = NULL;
	int rc = dev_manager_new(&mgr, &m.cfg);
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, exp);
	if (rc)
		return;
	for (int op = 0; op < MAX_OPS && fin_left(in); op++) {
		uint8_t code = fin_u8(in);
		switch (code % 10) {
		case 0:
			op_register(mgr, &m, in, 0);
			break;
		case 1:
			op_register(mgr, &m, in, 1);
			break;
		case 2:
			op_unregister(mgr, &m, in);
			break;
		case 3:
			op_update(mgr, &m, in);
			break;
		case 4:
		case 5:
			op_dispatch(mgr, &m, in);
			break;
		case 6:
			op_alloc_res(mgr, &m, in);
			break;
		case 7:
			op_free_res(mgr, &m, in);
			break;
		case 8:
			if (op_save_restore(mgr, &m, in))
				goto out;
			break;
		default:
			CHECK_EQ(dev_manager_synchronize(mgr), 0);
			CHECK_EQ(dev_manager_pending(mgr), 0);
			for (int i = 0; i < NDEV; i++)
				if (m.dev[i].used && !m.dev[i].registered)
					CHECK_EQ(m.dev[i].releases, 1);
			break;
		}
		check_stats(mgr, &m);
		check_alloc_state(mgr, &m, in);
		reap(&m);
	}
out:
	dev_manager_free(mgr);
	for (int i = 0; i < NDEV; i++)
		if (m.dev[i].used || m.dev[i].releases)
			CHECK_EQ(m.dev[i].releases, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = fin_make(data, size);
	run(&in);
	return 0;
}
