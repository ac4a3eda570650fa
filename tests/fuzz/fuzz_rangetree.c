/* libFuzzer target: the AVL range tree of devices/core against a sorted
 * array of disjoint ranges. After every operation the tree must pass its own
 * invariant check (balance, order, span maxima, count) and agree with the
 * model on every query. Coordinates cluster near 0 and near UINT64_MAX so
 * the inclusive-end arithmetic at the top of the space is exercised. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "devices/core/range_tree.h"
#include "tests/fuzz/input.h"
#include "tests/fuzz/model.h"

#define MAX_OPS 300

static uint64_t coord(struct fin *in)
{
	uint8_t how = fin_u8(in);
	switch (how >> 6) {
	case 0:
	case 1:
		return fin_u8(in);
	case 2:
		return UINT64_MAX - fin_u8(in);
	default:
		return fin_u64(in);
	}
}

/* Index in the model of the range holding x, or -1. */
static int m_find(const struct ma *m, uint64_t x)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i] <= x && x <= m->e[i])
			return (int)i;
	return -1;
}

static int m_start(const struct ma *m, uint64_t s)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i] == s)
			return (int)i;
	return -1;
}

/* Node must be exactly model range i (or both absent). */
static void same(const struct dev_rt_node *n, const struct ma *m, int i)
{
	if (i < 0) {
		CHECK(n == NULL);
		return;
	}
	CHECK(n != NULL);
	CHECK(n->start == m->s[i] && n->end == m->e[i]);
	CHECK(n->val == (void *)(uintptr_t)(m->s[i] ^ 0x5a5a));
}

struct it {
	const struct ma *m;
	int i, step, stop_at, visits;
	uint64_t min_span;
};

static int it_cb(const struct dev_rt_node *n, void *ctx)
{
	struct it *w = ctx;
	/* Skip model ranges too short for foreach_span. */
	while (w->i >= 0 && w->i < (int)w->m->n && w->m->e[w->i] - w->m->s[w->i] < w->min_span)
		w->i += w->step;
	CHECK(w->i >= 0 && w->i < (int)w->m->n);
	same(n, w->m, w->i);
	w->i += w->step;
	w->visits++;
	return w->visits == w->stop_at ? 7 : 0;
}

static void check_all(const struct dev_range_tree *t, const struct ma *m)
{
	CHECK_EQ(dev_rt_check(t), 0);
	CHECK_EQ(dev_rt_count(t), m->n);
	same(dev_rt_first(t), m, m->n ? 0 : -1);
	same(dev_rt_last(t), m, m->n ? (int)m->n - 1 : -1);
}

static void run(struct fin *in)
{
	static struct ma m;
	ma_init(&m, 0, UINT64_MAX);
	struct dev_range_tree *t = NULL;
	if (dev_rt_new(&t))
		return;
	for (int op = 0; op < MAX_OPS && fin_left(in); op++) {
		uint8_t code = fin_u8(in);
		switch (code % 10) {
		case 0:
		case 1: { /* insert */
			uint64_t s = coord(in), e = s + fin_u8(in);
			if (code & 0x80)
				e = coord(in);
			if (e < s && !(code & 0x40))
				e = s;
			void *val = (void *)(uintptr_t)(s ^ 0x5a5a);
			int exp = s > e ? -EINVAL : ma_overlaps(&m, s, e) ? -EEXIST : 0;
			if (exp == 0 && m.n >= MA_MAX)
				break;
			int rc = dev_rt_insert(t, s, e, val);
			if (rc == -ENOMEM)
				break;
			CHECK_EQ(rc, exp);
			if (!rc)
				ma_insert(&m, s, e);
			break;
		}
		case 2: { /* remove */
			uint64_t s = (m.n && (code & 0x80)) ? m.s[fin_u8(in) % m.n] : coord(in);
			int i = m_start(&m, s);
			void *val = NULL;
			int rc = dev_rt_remove(t, s, &val);
			if (i < 0) {
				CHECK_EQ(rc, -ENOENT);
			} else {
				CHECK_EQ(rc, 0);
				CHECK(val == (void *)(uintptr_t)(s ^ 0x5a5a));
				ma_remove_at(&m, (size_t)i);
			}
			break;
		}
		case 3: { /* find, floor, ceil */
			uint64_t x = coord(in);
			same(dev_rt_find(t, x), &m, m_find(&m, x));
			int fl = -1, ce = -1;
			for (size_t i = 0; i < m.n; i++) {
				if (m.s[i] <= x)
					fl = (int)i;
				if (m.s[i] >= x && ce < 0)
					ce = (int)i;
			}
			same(dev_rt_floor(t, x), &m, fl);
			same(dev_rt_ceil(t, x), &m, ce);
			break;
		}
		case 4: { /* first_overlap */
			uint64_t a = coord(in), b = coord(in);
			if (a > b) {
				uint64_t x = a;
				a = b;
				b = x;
			}
			int f = -1;
			for (size_t i = 0; i < m.n && f < 0; i++)
				if (m.s[i] <= b && a <= m.e[i])
					f = (int)i;
			same(dev_rt_first_overlap(t, a, b), &m, f);
			break;
		}
		case 5: { /* next / prev walk from a random node */
			if (!m.n)
				break;
			int i = fin_u8(in) % (int)m.n;
			const struct dev_rt_node *n = dev_rt_find(t, m.s[i]);
			same(n, &m, i);
			same(dev_rt_next(t, n), &m, i + 1 < (int)m.n ? i + 1 : -1);
			same(dev_rt_prev(t, n), &m, i - 1);
			break;
		}
		case 6:
		case 7: { /* set_range (keeps order) or move (anywhere free) */
			if (!m.n)
				break;
			int i = fin_u8(in) % (int)m.n;
			const struct dev_rt_node *n = dev_rt_find(t, m.s[i]);
			uint64_t s, e;
			if (fin_u8(in) & 1) {
				s = m.s[i] - (int8_t)fin_u8(in);
				e = m.e[i] + (int8_t)fin_u8(in);
			} else {
				s = coord(in);
				e = s + fin_u8(in);
			}
			uint64_t os = m.s[i], oe = m.e[i];
			ma_remove_at(&m, (size_t)i);
			int clash = ma_overlaps(&m, s, e);
			int rc;
			if (code % 10 == 6) {
				/* must also keep its place: between the neighbours */
				rc = dev_rt_set_range(t, n, s, e);
				int exp = s > e ? -EINVAL : clash ? -EEXIST : 0;
				if (exp == 0) {
					size_t pos = 0;
					while (pos < m.n && m.s[pos] < s)
						pos++;
					if (pos != (size_t)i)
						exp = -EEXIST;
				}
				CHECK_EQ(rc, exp);
			} else {
				rc = dev_rt_move(t, n, s, e);
				CHECK_EQ(rc, s > e ? -EINVAL : clash ? -EEXIST : 0);
			}
			if (rc) {
				ma_insert(&m, os, oe);
			} else {
				ma_insert(&m, s, e);
				/* the value stays with the node, so fix the model's tag */
				const struct dev_rt_node *k = dev_rt_find(t, s);
				CHECK(k == n);
				CHECK(k->val == (void *)(uintptr_t)(os ^ 0x5a5a));
				/* re-key: remove and insert with the model's tag */
				void *v;
				CHECK_EQ(dev_rt_remove(t, s, &v), 0);
				int r2 = dev_rt_insert(t, s, e, (void *)(uintptr_t)(s ^ 0x5a5a));
				if (r2 == -ENOMEM) {
					int j = m_start(&m, s);
					ma_remove_at(&m, (size_t)j);
				} else {
					CHECK_EQ(r2, 0);
				}
			}
			break;
		}
		case 8:
		case 9: { /* foreach / foreach_span, both directions, maybe stopping */
			int rev = fin_u8(in) & 1;
			struct it w = {&m, rev ? (int)m.n - 1 : 0, rev ? -1 : 1, fin_u8(in) % 8, 0, 0};
			int rc;
			if (code % 10 == 9) {
				w.min_span = fin_u8(in) & 1 ? fin_u8(in) : coord(in);
				rc = dev_rt_foreach_span(t, rev, w.min_span, it_cb, &w);
			} else {
				rc = dev_rt_foreach(t, rev, it_cb, &w);
			}
			int expect_visits = 0;
			for (size_t i = 0; i < m.n; i++)
				if (m.e[i] - m.s[i] >= w.min_span)
					expect_visits++;
			if (w.stop_at && w.stop_at <= expect_visits) {
				CHECK_EQ(rc, 7);
				CHECK_EQ(w.visits, w.stop_at);
			} else {
				CHECK_EQ(rc, 0);
				CHECK_EQ(w.visits, expect_visits);
			}
			break;
		}
		}
		check_all(t, &m);
	}
	dev_rt_free(t, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = fin_make(data, size);
	run(&in);
	return 0;
}
