/* devices/core range tree: unit tests and a randomized test against a
 * simple list model. */
#include <errno.h>
#include <stdlib.h>

#include "devices/core/range_tree.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_dev_model.h"

static struct dev_range_tree *mk(void)
{
	struct dev_range_tree *t = NULL;
	ck_assert_int_eq(dev_rt_new(&t), 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(insert_find_remove)
{
	struct dev_range_tree *t = mk();
	int a, b;
	ck_assert_int_eq(dev_rt_insert(t, 10, 19, &a), 0);
	ck_assert_int_eq(dev_rt_insert(t, 30, 30, &b), 0);
	ck_assert_uint_eq(dev_rt_count(t), 2);
	ck_assert_ptr_null(dev_rt_find(t, 9));
	ck_assert_ptr_eq(dev_rt_find(t, 10)->val, &a);
	ck_assert_ptr_eq(dev_rt_find(t, 19)->val, &a);
	ck_assert_ptr_null(dev_rt_find(t, 20));
	ck_assert_ptr_eq(dev_rt_find(t, 30)->val, &b);
	ck_assert_ptr_null(dev_rt_find(t, 31));
	void *v = NULL;
	ck_assert_int_eq(dev_rt_remove(t, 10, &v), 0);
	ck_assert_ptr_eq(v, &a);
	ck_assert_ptr_null(dev_rt_find(t, 15));
	ck_assert_uint_eq(dev_rt_count(t), 1);
	ck_assert_int_eq(dev_rt_check(t), 0);
	dev_rt_free(t, NULL, NULL);
	dev_rt_free(NULL, NULL, NULL);
}
END_TEST

START_TEST(errors)
{
	struct dev_range_tree *t = mk();
	ck_assert_int_eq(dev_rt_insert(t, 5, 4, NULL), -EINVAL);
	ck_assert_int_eq(dev_rt_insert(t, 10, 20, NULL), 0);
	/* every kind of overlap is refused and leaves the tree unchanged */
	ck_assert_int_eq(dev_rt_insert(t, 10, 20, NULL), -EEXIST);
	ck_assert_int_eq(dev_rt_insert(t, 0, 10, NULL), -EEXIST);
	ck_assert_int_eq(dev_rt_insert(t, 20, 30, NULL), -EEXIST);
	ck_assert_int_eq(dev_rt_insert(t, 12, 13, NULL), -EEXIST);
	ck_assert_int_eq(dev_rt_insert(t, 0, UINT64_MAX, NULL), -EEXIST);
	ck_assert_uint_eq(dev_rt_count(t), 1);
	ck_assert_int_eq(dev_rt_insert(t, 0, 9, NULL), 0);
	ck_assert_int_eq(dev_rt_insert(t, 21, 21, NULL), 0);
	ck_assert_int_eq(dev_rt_remove(t, 11, NULL), -ENOENT);
	ck_assert_int_eq(dev_rt_remove(t, 100, NULL), -ENOENT);
	ck_assert_int_eq(dev_rt_remove(t, 10, NULL), 0);
	ck_assert_int_eq(dev_rt_remove(t, 10, NULL), -ENOENT);
	ck_assert_int_eq(dev_rt_check(t), 0);
	dev_rt_free(t, NULL, NULL);
}
END_TEST

START_TEST(top_of_space)
{
	struct dev_range_tree *t = mk();
	ck_assert_int_eq(dev_rt_insert(t, UINT64_MAX, UINT64_MAX, NULL), 0);
	ck_assert_int_eq(dev_rt_insert(t, UINT64_MAX - 15, UINT64_MAX - 1, NULL), 0);
	ck_assert_ptr_nonnull(dev_rt_find(t, UINT64_MAX));
	ck_assert_uint_eq(dev_rt_find(t, UINT64_MAX - 1)->start, UINT64_MAX - 15);
	ck_assert_uint_eq(dev_rt_first_overlap(t, UINT64_MAX, UINT64_MAX)->start, UINT64_MAX);
	ck_assert_uint_eq(dev_rt_first_overlap(t, 0, UINT64_MAX)->start, UINT64_MAX - 15);
	ck_assert_ptr_null(dev_rt_first_overlap(t, 0, UINT64_MAX - 16));
	const struct dev_rt_node *l = dev_rt_last(t);
	ck_assert_uint_eq(l->start, UINT64_MAX);
	ck_assert_ptr_null(dev_rt_next(t, l));
	ck_assert_uint_eq(dev_rt_prev(t, l)->start, UINT64_MAX - 15);
	ck_assert_int_eq(dev_rt_remove(t, UINT64_MAX, NULL), 0);
	ck_assert_int_eq(dev_rt_remove(t, UINT64_MAX - 15, NULL), 0);
	/* the whole 64-bit space as one range */
	ck_assert_int_eq(dev_rt_insert(t, 0, UINT64_MAX, NULL), 0);
	ck_assert_ptr_nonnull(dev_rt_find(t, 0));
	ck_assert_ptr_nonnull(dev_rt_find(t, UINT64_MAX));
	ck_assert_ptr_null(dev_rt_prev(t, dev_rt_first(t)));
	ck_assert_int_eq(dev_rt_insert(t, 5, 5, NULL), -EEXIST);
	dev_rt_free(t, NULL, NULL);
}
END_TEST

START_TEST(first_overlap)
{
	struct dev_range_tree *t = mk();
	ck_assert_ptr_null(dev_rt_first_overlap(t, 0, UINT64_MAX));
	for (uint64_t i = 0; i < 10; i++)
		ck_assert_int_eq(dev_rt_insert(t, i * 100, i * 100 + 49, NULL), 0);
	ck_assert_uint_eq(dev_rt_first_overlap(t, 0, 0)->start, 0);
	ck_assert_uint_eq(dev_rt_first_overlap(t, 49, 500)->start, 0);
	ck_assert_uint_eq(dev_rt_first_overlap(t, 50, 500)->start, 100);
	ck_assert_ptr_null(dev_rt_first_overlap(t, 50, 99));
	ck_assert_uint_eq(dev_rt_first_overlap(t, 150, 1000)->start, 200);
	ck_assert_ptr_null(dev_rt_first_overlap(t, 950, UINT64_MAX));
	ck_assert_ptr_null(dev_rt_first_overlap(t, 10, 5));
	ck_assert_uint_eq(dev_rt_floor(t, 99)->start, 0);
	ck_assert_uint_eq(dev_rt_ceil(t, 99)->start, 100);
	ck_assert_ptr_null(dev_rt_ceil(t, 901));
	dev_rt_free(t, NULL, NULL);
}
END_TEST

static int collect(const struct dev_rt_node *n, void *ctx)
{
	uint64_t **p = ctx;
	*(*p)++ = n->start;
	return 0;
}

static int stop_at_3(const struct dev_rt_node *n, void *ctx)
{
	int *seen = ctx;
	return ++*seen == 3 ? 42 : 0;
}

static void count_dtor(void *val, void *ctx)
{
	(*(int *)ctx)++;
}

START_TEST(iteration)
{
	struct dev_range_tree *t = mk();
	static const uint64_t order[] = {50, 10, 90, 30, 70, 20, 80, 0, 60, 40};
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(dev_rt_insert(t, order[i], order[i] + 5, NULL), 0);
	uint64_t got[10], *p = got;
	ck_assert_int_eq(dev_rt_foreach(t, 0, collect, &p), 0);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(got[i], (uint64_t)i * 10);
	p = got;
	dev_rt_foreach(t, 1, collect, &p);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(got[i], (uint64_t)(9 - i) * 10);
	int seen = 0;
	ck_assert_int_eq(dev_rt_foreach(t, 0, stop_at_3, &seen), 42);
	ck_assert_int_eq(seen, 3);
	int i = 0;
	for (const struct dev_rt_node *n = dev_rt_first(t); n; n = dev_rt_next(t, n), i++)
		ck_assert_uint_eq(n->start, (uint64_t)i * 10);
	ck_assert_int_eq(i, 10);
	for (const struct dev_rt_node *n = dev_rt_last(t); n; n = dev_rt_prev(t, n))
		ck_assert_uint_eq(n->start, (uint64_t)--i * 10);
	int dtors = 0;
	dev_rt_free(t, count_dtor, &dtors);
	ck_assert_int_eq(dtors, 10);
}
END_TEST

START_TEST(set_range_and_move)
{
	struct dev_range_tree *t = mk();
	ck_assert_int_eq(dev_rt_insert(t, 10, 19, NULL), 0);
	ck_assert_int_eq(dev_rt_insert(t, 30, 39, NULL), 0);
	ck_assert_int_eq(dev_rt_insert(t, 50, 59, NULL), 0);
	const struct dev_rt_node *n = dev_rt_find(t, 30);
	ck_assert_int_eq(dev_rt_set_range(t, n, 20, 49), 0);
	ck_assert_int_eq(dev_rt_set_range(t, n, 19, 40), -EEXIST);
	ck_assert_int_eq(dev_rt_set_range(t, n, 25, 50), -EEXIST);
	ck_assert_int_eq(dev_rt_set_range(t, n, 26, 25), -EINVAL);
	ck_assert_uint_eq(n->start, 20);
	/* move past its neighbour (reorders) and overlapping itself */
	ck_assert_int_eq(dev_rt_move(t, n, 100, 109), 0);
	ck_assert_ptr_null(dev_rt_find(t, 30));
	ck_assert_uint_eq(dev_rt_last(t)->start, 100);
	n = dev_rt_find(t, 100);
	ck_assert_int_eq(dev_rt_move(t, n, 105, 120), 0);
	ck_assert_int_eq(dev_rt_move(t, n, 55, 70), -EEXIST);
	ck_assert_int_eq(dev_rt_move(t, n, 0, 10), -EEXIST);
	ck_assert_int_eq(dev_rt_move(t, n, 9, 8), -EINVAL);
	ck_assert_uint_eq(dev_rt_find(t, 110)->start, 105);
	ck_assert_int_eq(dev_rt_move(t, n, 60, UINT64_MAX), 0);
	ck_assert_int_eq(dev_rt_check(t), 0);
	ck_assert_uint_eq(dev_rt_count(t), 3);
	dev_rt_free(t, NULL, NULL);
}
END_TEST

/* Reference model: an unsorted array of ranges, linear scans. */
#define MAXR 512
struct model {
	uint64_t s[MAXR], e[MAXR], v[MAXR]; /* v: the value stored with it */
	int n;
};

static int model_overlap(const struct model *m, uint64_t a, uint64_t b)
{
	int best = -1;
	for (int i = 0; i < m->n; i++)
		if (m->s[i] <= b && a <= m->e[i] && (best < 0 || m->s[i] < m->s[best]))
			best = i;
	return best;
}

static uint64_t rand_addr(struct tprng *r)
{
	/* small space near 0 and near the top, so overlaps are common */
	uint64_t x = tprng_below(r, 2048);
	return tprng_below(r, 4) == 0 ? UINT64_MAX - x : x;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

START_TEST(randomized_vs_model)
{
	struct tprng r = {0x5eed1234abcdull};
	struct dev_range_tree *t = mk();
	static struct model m;
	m.n = 0;
	for (int op = 0; op < 150000; op++) {
		int what = (int)tprng_below(&r, 12);
		if (what < 4) { /* insert */
			uint64_t a = rand_addr(&r), len = tprng_below(&r, 40);
			uint64_t b = (a > UINT64_MAX - len) ? UINT64_MAX : a + len;
			if (tprng_below(&r, 50) == 0)
				b = a - 1; /* invalid (or wraps to a huge range when a == 0) */
			int expect = a > b ? -EINVAL : model_overlap(&m, a, b) >= 0 ? -EEXIST : 0;
			if (expect == 0 && m.n == MAXR)
				continue;
			int rc = dev_rt_insert(t, a, b, (void *)(uintptr_t)a);
			ck_assert_int_eq(rc, expect);
			if (rc == 0) {
				m.s[m.n] = a;
				m.v[m.n] = a;
				m.e[m.n++] = b;
			}
		} else if (what < 6) { /* remove: an existing start or a random one */
			uint64_t a = (m.n && tprng_below(&r, 2))
					 ? m.s[tprng_below(&r, (uint64_t)m.n)]
					 : rand_addr(&r);
			int idx = -1;
			for (int i = 0; i < m.n; i++)
				if (m.s[i] == a)
					idx = i;
			void *v = NULL;
			int rc = dev_rt_remove(t, a, &v);
			ck_assert_int_eq(rc, idx >= 0 ? 0 : -ENOENT);
			if (idx >= 0) {
				ck_assert_ptr_eq(v, (void *)(uintptr_t)m.v[idx]);
				m.s[idx] = m.s[m.n - 1];
				m.v[idx] = m.v[m.n - 1];
				m.e[idx] = m.e[--m.n];
			}
		} else if (what == 6 && m.n) { /* set_range or move an existing node */
			int i = (int)tprng_below(&r, (uint64_t)m.n);
			uint64_t a = m.s[i] - 3 + tprng_below(&r, 12), b = a + tprng_below(&r, 40);
			if (b < a) /* wrapped past the top */
				b = UINT64_MAX;
			const struct dev_rt_node *n = dev_rt_find(t, m.s[i]);
			ck_assert_ptr_nonnull(n);
			int clash = 0, has_p = 0, has_q = 0;
			uint64_t pe = 0, qs = 0;
			for (int j = 0; j < m.n; j++) {
				if (j == i)
					continue;
				if (m.s[j] <= b && a <= m.e[j])
					clash = 1;
				if (m.s[j] < m.s[i] && (!has_p || m.s[j] > pe)) {
					has_p = 1;
					pe = m.s[j]; /* start of prev for now */
				}
				if (m.s[j] > m.s[i] && (!has_q || m.s[j] < qs)) {
					has_q = 1;
					qs = m.s[j];
				}
			}
			if (has_p) /* turn prev's start into its end */
				for (int j = 0; j < m.n; j++)
					if (m.s[j] == pe && j != i)
						pe = m.e[j];
			int rc;
			if (tprng_below(&r, 2)) {
				int ok = !(has_p && pe >= a) && !(has_q && qs <= b);
				rc = dev_rt_set_range(t, n, a, b);
				ck_assert_int_eq(rc, ok ? 0 : -EEXIST);
			} else {
				rc = dev_rt_move(t, n, a, b);
				ck_assert_int_eq(rc, clash ? -EEXIST : 0);
			}
			if (rc == 0) {
				m.s[i] = a;
				m.e[i] = b;
			}
		} else if (what == 7) { /* span-filtered iteration, both ways */
			uint64_t min_span = tprng_below(&r, 48);
			int rev = (int)tprng_below(&r, 2);
			uint64_t want[MAXR], got[MAXR], *p = got;
			int k = 0;
			for (int i = 0; i < m.n; i++)
				if (m.e[i] - m.s[i] >= min_span)
					want[k++] = m.s[i];
			qsort(want, (size_t)k, sizeof(uint64_t), cmp_u64);
			dev_rt_foreach_span(t, rev, min_span, collect, &p);
			ck_assert_int_eq((int)(p - got), k);
			for (int i = 0; i < k; i++)
				ck_assert_uint_eq(got[i], want[rev ? k - 1 - i : i]);
		} else if (what < 10) { /* find */
			uint64_t a = rand_addr(&r);
			int idx = model_overlap(&m, a, a);
			const struct dev_rt_node *n = dev_rt_find(t, a);
			if (idx < 0)
				ck_assert_ptr_null(n);
			else
				ck_assert(n && n->start == m.s[idx] && n->end == m.e[idx]);
		} else { /* first overlap */
			uint64_t a = rand_addr(&r), b = rand_addr(&r);
			if (a > b) {
				uint64_t x = a;
				a = b;
				b = x;
			}
			int idx = model_overlap(&m, a, b);
			const struct dev_rt_node *n = dev_rt_first_overlap(t, a, b);
			if (idx < 0)
				ck_assert_ptr_null(n);
			else
				ck_assert(n && n->start == m.s[idx]);
		}
		if (op % 2000 == 0) {
			ck_assert_int_eq(dev_rt_check(t), 0);
			ck_assert_uint_eq(dev_rt_count(t), (size_t)m.n);
			uint64_t sorted[MAXR], got[MAXR], *p = got;
			for (int i = 0; i < m.n; i++)
				sorted[i] = m.s[i];
			qsort(sorted, (size_t)m.n, sizeof(uint64_t), cmp_u64);
			dev_rt_foreach(t, 0, collect, &p);
			for (int i = 0; i < m.n; i++)
				ck_assert_uint_eq(got[i], sorted[i]);
		}
	}
	ck_assert_int_eq(dev_rt_check(t), 0);
	dev_rt_free(t, NULL, NULL);
}
END_TEST

START_TEST(balanced_height)
{
	/* 65536 ascending inserts: an unbalanced tree would recurse 65536 deep;
	 * check passes only if heights and balance factors are right. */
	struct dev_range_tree *t = mk();
	for (uint64_t i = 0; i < 65536; i++)
		ck_assert_int_eq(dev_rt_insert(t, i * 2, i * 2, NULL), 0);
	ck_assert_int_eq(dev_rt_check(t), 0);
	for (uint64_t i = 0; i < 65536; i += 2)
		ck_assert_int_eq(dev_rt_remove(t, i * 2, NULL), 0);
	ck_assert_int_eq(dev_rt_check(t), 0);
	ck_assert_uint_eq(dev_rt_count(t), 32768);
	dev_rt_free(t, NULL, NULL);
}
END_TEST

static Suite *rt_suite(void)
{
	Suite *s = suite_create("dev_range_tree");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, insert_find_remove);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, top_of_space);
	tcase_add_test(tc, first_overlap);
	tcase_add_test(tc, iteration);
	tcase_add_test(tc, set_range_and_move);
	tcase_add_test(tc, balanced_height);
	tcase_add_test(tc, randomized_vs_model);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(rt_suite)
