/* libFuzzer target: the address and ID allocators of devices/core against
 * plain models (tests/fuzz/model.h), their save/restore round trip, and
 * restore from arbitrary bytes (the saved state is untrusted input).
 *
 * Input: byte 0 picks the mode (fresh address allocator, restored address
 * allocator, fresh ID allocator, restored ID allocator); the rest is either
 * the parameters and an operation list, or the bytes handed to restore. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/addr_alloc.h"
#include "devices/core/id_alloc.h"
#include "tests/fuzz/input.h"
#include "tests/fuzz/model.h"

#define MAX_OPS 200

/* ---- address allocator ---- */

struct walk {
	const struct ma *m;
	size_t i;
};

static int walk_cb(uint64_t start, uint64_t last, void *ctx)
{
	struct walk *w = ctx;
	CHECK(w->i < w->m->n);
	CHECK(start == w->m->s[w->i] && last == w->m->e[w->i]);
	w->i++;
	return 0;
}

static void addr_compare(const struct dev_addr_alloc *a, const struct ma *m)
{
	struct walk w = {m, 0};
	CHECK_EQ(dev_addr_alloc_foreach(a, walk_cb, &w), 0);
	CHECK_EQ(w.i, m->n);
	CHECK_EQ(dev_addr_alloc_count(a), m->n);
	/* Free ranges merge: at most one gap between (and around) used ranges. */
	CHECK(dev_addr_alloc_free_count(a) <= m->n + 1);
	CHECK(dev_addr_alloc_base(a) == m->base && dev_addr_alloc_last(a) == m->last);
}

/* A value near the span, or anywhere. */
static uint64_t pick_addr(struct fin *in, const struct ma *m)
{
	uint8_t how = fin_u8(in);
	switch (how & 3) {
	case 0:
		return m->base + fin_u16(in);
	case 1:
		return m->last - fin_u16(in);
	case 2:
		return m->n ? m->s[fin_u8(in) % m->n] : m->base;
	default:
		return fin_u64(in);
	}
}

static uint64_t pick_size(struct fin *in)
{
	uint8_t how = fin_u8(in);
	switch (how & 3) {
	case 0:
	case 1:
		return fin_u8(in);
	case 2:
		return fin_u16(in);
	default:
		return fin_u64(in);
	}
}

static void addr_roundtrip(struct dev_addr_alloc **pa, const struct ma *m)
{
	size_t sz = dev_addr_alloc_save_size(*pa);
	uint8_t *buf = malloc(sz + 1);
	CHECK(buf);
	if (sz > 0)
		CHECK_EQ(dev_addr_alloc_save(*pa, buf, sz - 1), -ENOBUFS);
	CHECK_EQ(dev_addr_alloc_save(*pa, buf, sz + 1), (long long)sz);
	struct dev_addr_alloc *r = NULL;
	int rc = dev_addr_alloc_restore(&r, buf, sz);
	if (rc == -ENOMEM) {
		free(buf);
		return;
	}
	CHECK_EQ(rc, 0);
	addr_compare(r, m);
	/* A truncated state is refused. */
	struct dev_addr_alloc *t = NULL;
	CHECK(dev_addr_alloc_restore(&t, buf, sz - 1) < 0);
	free(buf);
	dev_addr_alloc_destroy(*pa);
	*pa = r;
}

static void addr_ops(struct dev_addr_alloc *a, struct ma *m, struct fin *in)
{
	for (int op = 0; op < MAX_OPS && fin_left(in); op++) {
		uint8_t code = fin_u8(in);
		switch (code % 6) {
		case 0:
		case 1: { /* allocate */
			uint64_t size = pick_size(in);
			uint8_t al = fin_u8(in);
			uint64_t align = (al & 0x80) ? al : 1ull << (al % 64);
			int policy = fin_u8(in) % 4;
			uint64_t addr = policy == 2 ? pick_addr(in, m) : fin_u64(in);
			uint64_t want = 0, got = 0;
			int exp = ma_expect(m, size, align, policy, addr, &want);
			if (exp == 0 && m->n >= MA_MAX)
				break;
			int rc = dev_addr_alloc_allocate(a, size, align, (enum dev_alloc_policy)policy,
							 addr, &got);
			if (rc == -ENOMEM)
				break;
			CHECK_EQ(rc, exp);
			if (rc == 0) {
				CHECK(got == want);
				ma_insert(m, got, got + (size - 1));
			}
			break;
		}
		case 2: { /* free */
			uint64_t s, size;
			if (m->n && (fin_u8(in) & 1)) {
				size_t i = fin_u8(in) % m->n;
				s = m->s[i];
				size = m->e[i] - m->s[i] + 1;
				if (fin_u8(in) & 1)
					size += (uint64_t)(int8_t)fin_u8(in); /* maybe wrong */
			} else {
				s = pick_addr(in, m);
				size = pick_size(in);
			}
			int rc = dev_addr_alloc_release(a, s, size);
			uint64_t l;
			int exp;
			if (size == 0)
				exp = -EDOM;
			else if (__builtin_add_overflow(s, size - 1, &l))
				exp = -EOVERFLOW;
			else if (s < m->base || l > m->last)
				exp = -ERANGE;
			else
				exp = ma_find_exact(m, s, l) < 0 ? -ENOENT : 0;
			if (rc == -ENOMEM)
				break;
			CHECK_EQ(rc, exp);
			if (rc == 0)
				ma_remove_at(m, (size_t)ma_find_exact(m, s, l));
			break;
		}
		case 3: { /* is_allocated */
			uint64_t x = pick_addr(in, m);
			if (fin_u8(in) & 1)
				x += fin_u8(in);
			CHECK_EQ(dev_addr_alloc_is_allocated(a, x), ma_overlaps(m, x, x));
			break;
		}
		case 4: { /* clone: same state, independent */
			struct dev_addr_alloc *c = NULL;
			if (dev_addr_alloc_clone(a, &c) == 0) {
				addr_compare(c, m);
				uint64_t x;
				dev_addr_alloc_allocate(c, 1, 1, DEV_ALLOC_FIRST_MATCH, 0, &x);
				dev_addr_alloc_destroy(c);
				addr_compare(a, m);
			}
			break;
		}
		default:
			addr_roundtrip(&a, m);
			break;
		}
		addr_compare(a, m);
	}
	dev_addr_alloc_destroy(a);
}

static void addr_fresh(struct fin *in)
{
	uint64_t base = fin_u8(in) & 1 ? fin_u64(in) : (uint64_t)fin_u16(in) << 12;
	uint64_t size = pick_size(in);
	if (fin_u8(in) == 0xff)
		size = 0 - base; /* the span ends at UINT64_MAX */
	struct dev_addr_alloc *a = NULL;
	int rc = dev_addr_alloc_new(&a, base, size);
	if (size == 0) {
		CHECK_EQ(rc, -EDOM);
		return;
	}
	uint64_t l;
	if (__builtin_add_overflow(base, size - 1, &l)) {
		CHECK_EQ(rc, -EOVERFLOW);
		return;
	}
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, 0);
	static struct ma m;
	ma_init(&m, base, l);
	addr_compare(a, &m);
	addr_ops(a, &m, in);
}

static int collect_cb(uint64_t start, uint64_t last, void *ctx)
{
	struct ma *m = ctx;
	if (m->n >= MA_MAX)
		return 1;
	CHECK(m->n == 0 || start > m->e[m->n - 1]);
	CHECK(start <= last && start >= m->base && last <= m->last);
	m->s[m->n] = start;
	m->e[m->n] = last;
	m->n++;
	return 0;
}

/* A saved state at the front of the input: a length, then that many bytes;
 * the ops follow. */
static const uint8_t *take_state(struct fin *in, size_t *len)
{
	size_t n = fin_u16(in);
	if (n > fin_left(in))
		n = fin_left(in);
	const uint8_t *state = in->p;
	in->p += n;
	in->n -= n;
	*len = n;
	return state;
}

static void addr_restored(struct fin *in)
{
	size_t len;
	const uint8_t *state = take_state(in, &len);
	struct dev_addr_alloc *a = NULL;
	int rc = dev_addr_alloc_restore(&a, state, len);
	if (rc) {
		CHECK(rc == -EBADMSG || rc == -ENOMEM);
		return;
	}
	/* Accepted state is canonical: saving gives the same bytes back. */
	size_t sz = dev_addr_alloc_save_size(a);
	CHECK(sz == len);
	uint8_t *buf = malloc(sz);
	CHECK(buf);
	CHECK_EQ(dev_addr_alloc_save(a, buf, sz), (long long)sz);
	CHECK(memcmp(buf, state, sz) == 0);
	free(buf);
	static struct ma m;
	ma_init(&m, dev_addr_alloc_base(a), dev_addr_alloc_last(a));
	if (dev_addr_alloc_foreach(a, collect_cb, &m)) {
		dev_addr_alloc_destroy(a); /* more ranges than the model holds */
		return;
	}
	addr_compare(a, &m);
	addr_ops(a, &m, in);
}

/* ---- ID allocator ---- */

#define ID_MODEL 512

struct idm {
	uint32_t first, last;
	uint8_t used[ID_MODEL];
	size_t n;
};

static void id_compare(const struct dev_id_alloc *a, const struct idm *m)
{
	CHECK_EQ(dev_id_alloc_count(a), m->n);
	CHECK(dev_id_alloc_first(a) == m->first && dev_id_alloc_last(a) == m->last);
	for (uint32_t i = 0; i <= m->last - m->first; i++)
		CHECK_EQ(dev_id_alloc_is_allocated(a, m->first + i), m->used[i]);
	if (m->first > 0)
		CHECK_EQ(dev_id_alloc_is_allocated(a, m->first - 1), 0);
	if (m->last < UINT32_MAX)
		CHECK_EQ(dev_id_alloc_is_allocated(a, m->last + 1), 0);
}

static uint32_t pick_id(struct fin *in, const struct idm *m)
{
	uint8_t how = fin_u8(in);
	if (how & 0x80)
		return fin_u32(in);
	return m->first + (uint32_t)fin_u16(in) % (m->last - m->first + 3) - 1;
}

static void id_ops(struct dev_id_alloc *a, struct idm *m, struct fin *in)
{
	uint32_t span = m->last - m->first + 1;
	for (int op = 0; op < MAX_OPS && fin_left(in); op++) {
		uint8_t code = fin_u8(in);
		switch (code % 5) {
		case 0: { /* smallest free */
			uint32_t got = 0;
			int rc = dev_id_alloc_allocate(a, &got);
			if (rc == -ENOMEM)
				break;
			uint32_t i = 0;
			while (i < span && m->used[i])
				i++;
			if (i == span) {
				CHECK_EQ(rc, -ENOSPC);
			} else {
				CHECK_EQ(rc, 0);
				CHECK(got == m->first + i);
				m->used[i] = 1;
				m->n++;
			}
			break;
		}
		case 1: { /* fixed */
			uint32_t id = pick_id(in, m);
			int rc = dev_id_alloc_allocate_fixed(a, id);
			if (rc == -ENOMEM)
				break;
			if (id < m->first || id > m->last) {
				CHECK_EQ(rc, -ERANGE);
			} else if (m->used[id - m->first]) {
				CHECK_EQ(rc, -EBUSY);
			} else {
				CHECK_EQ(rc, 0);
				m->used[id - m->first] = 1;
				m->n++;
			}
			break;
		}
		case 2: { /* free */
			uint32_t id = pick_id(in, m);
			int rc = dev_id_alloc_release(a, id);
			if (id < m->first || id > m->last) {
				CHECK_EQ(rc, -ERANGE);
			} else if (!m->used[id - m->first]) {
				CHECK_EQ(rc, -ENOENT);
			} else {
				CHECK_EQ(rc, 0);
				m->used[id - m->first] = 0;
				m->n--;
			}
			break;
		}
		case 3: { /* clone */
			struct dev_id_alloc *c = NULL;
			if (dev_id_alloc_clone(a, &c) == 0) {
				id_compare(c, m);
				uint32_t x;
				dev_id_alloc_allocate(c, &x);
				dev_id_alloc_destroy(c);
			}
			break;
		}
		default: { /* save / restore round trip */
			size_t sz = dev_id_alloc_save_size(a);
			uint8_t *buf = malloc(sz);
			CHECK(buf);
			CHECK_EQ(dev_id_alloc_save(a, buf, sz - 1), -ENOBUFS);
			CHECK_EQ(dev_id_alloc_save(a, buf, sz), (long long)sz);
			struct dev_id_alloc *r = NULL;
			int rc = dev_id_alloc_restore(&r, buf, sz);
			free(buf);
			if (rc == -ENOMEM)
				break;
			CHECK_EQ(rc, 0);
			dev_id_alloc_destroy(a);
			a = r;
			break;
		}
		}
		id_compare(a, m);
	}
	dev_id_alloc_destroy(a);
}

static void id_fresh(struct fin *in)
{
	uint32_t first = fin_u8(in) & 1 ? fin_u32(in) : fin_u8(in);
	uint32_t count = fin_u16(in) % (ID_MODEL + 1);
	uint32_t last = first + count - 1;
	struct dev_id_alloc *a = NULL;
	int rc = dev_id_alloc_new(&a, first, last);
	if (count == 0 || last < first) {
		/* wrapped: first > last; or first 0, count 0: all 2^32 numbers */
		CHECK_EQ(rc, first > last ? -EINVAL : -E2BIG);
		return;
	}
	if (rc == -ENOMEM)
		return;
	CHECK_EQ(rc, 0);
	static struct idm m;
	memset(&m, 0, sizeof(m));
	m.first = first;
	m.last = last;
	id_compare(a, &m);
	id_ops(a, &m, in);
}

static void id_restored(struct fin *in)
{
	size_t len;
	const uint8_t *state = take_state(in, &len);
	struct dev_id_alloc *a = NULL;
	int rc = dev_id_alloc_restore(&a, state, len);
	if (rc) {
		CHECK(rc == -EBADMSG || rc == -ENOMEM);
		return;
	}
	size_t sz = dev_id_alloc_save_size(a);
	CHECK(sz == len);
	uint8_t *buf = malloc(sz);
	CHECK(buf);
	CHECK_EQ(dev_id_alloc_save(a, buf, sz), (long long)sz);
	CHECK(memcmp(buf, state, sz) == 0);
	free(buf);
	uint32_t first = dev_id_alloc_first(a), last = dev_id_alloc_last(a);
	if (last - first >= ID_MODEL) {
		dev_id_alloc_destroy(a);
		return;
	}
	static struct idm m;
	memset(&m, 0, sizeof(m));
	m.first = first;
	m.last = last;
	for (uint32_t i = 0; i <= last - first; i++)
		if (dev_id_alloc_is_allocated(a, first + i)) {
			m.used[i] = 1;
			m.n++;
		}
	id_compare(a, &m);
	id_ops(a, &m, in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = fin_make(data, size);
	switch (fin_u8(&in) % 4) {
	case 0:
		addr_fresh(&in);
		break;
	case 1:
		addr_restored(&in);
		break;
	case 2:
		id_fresh(&in);
		break;
	default:
		id_restored(&in);
		break;
	}
	return 0;
}
