/* devices/core ID / GSI allocator: smallest-first, reuse, no double hand-out,
 * error codes, save/restore, randomized test against a flag-array model. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/id_alloc.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_dev_model.h"

static struct dev_id_alloc *mk(uint32_t first, uint32_t last)
{
	struct dev_id_alloc *a = NULL;
	ck_assert_int_eq(dev_id_alloc_new(&a, first, last), 0);
	return a;
}

START_TEST(gsi_smallest_first_and_reuse)
{
	struct dev_id_alloc *a = mk(5, 23);
	uint32_t g;
	for (uint32_t i = 5; i <= 23; i++) {
		ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
		ck_assert_uint_eq(g, i);
	}
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), -ENOSPC);
	ck_assert_int_eq(dev_id_alloc_release(a, 9), 0);
	ck_assert_int_eq(dev_id_alloc_release(a, 7), 0);
	ck_assert_int_eq(dev_id_alloc_is_allocated(a, 7), 0);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
	ck_assert_uint_eq(g, 7);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
	ck_assert_uint_eq(g, 9);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), -ENOSPC);
	ck_assert_uint_eq(dev_id_alloc_count(a), 19);
	dev_id_alloc_destroy(a);
	dev_id_alloc_destroy(NULL);
}
END_TEST

START_TEST(errors_and_fixed)
{
	struct dev_id_alloc *a = NULL;
	ck_assert_int_eq(dev_id_alloc_new(&a, 10, 9), -EINVAL);
	ck_assert_int_eq(dev_id_alloc_new(&a, 0, UINT32_MAX), -E2BIG);
	ck_assert_ptr_null(a);
	a = mk(100, 299);
	ck_assert_int_eq(dev_id_alloc_allocate_fixed(a, 99), -ERANGE);
	ck_assert_int_eq(dev_id_alloc_allocate_fixed(a, 300), -ERANGE);
	ck_assert_int_eq(dev_id_alloc_allocate_fixed(a, 100), 0);
	ck_assert_int_eq(dev_id_alloc_allocate_fixed(a, 100), -EBUSY);
	ck_assert_int_eq(dev_id_alloc_allocate_fixed(a, 299), 0);
	uint32_t g;
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
	ck_assert_uint_eq(g, 101); /* skips the fixed one */
	ck_assert_int_eq(dev_id_alloc_release(a, 99), -ERANGE);
	ck_assert_int_eq(dev_id_alloc_release(a, 150), -ENOENT); /* never allocated */
	ck_assert_int_eq(dev_id_alloc_release(a, 101), 0);
	ck_assert_int_eq(dev_id_alloc_release(a, 101), -ENOENT); /* double free refused */
	/* so 101 is handed out once, not twice */
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
	ck_assert_uint_eq(g, 101);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
	ck_assert_uint_eq(g, 102);
	ck_assert_int_eq(dev_id_alloc_is_allocated(a, 5), 0);
	ck_assert_int_eq(dev_id_alloc_is_allocated(a, 299), 1);
	dev_id_alloc_destroy(a);
	/* a single-number allocator and one ending at UINT32_MAX */
	a = mk(UINT32_MAX - 1, UINT32_MAX);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), 0);
	ck_assert_uint_eq(g, UINT32_MAX);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &g), -ENOSPC);
	dev_id_alloc_destroy(a);
}
END_TEST

START_TEST(save_restore)
{
	struct dev_id_alloc *a = mk(0, 999), *b = NULL;
	uint32_t x, y;
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(dev_id_alloc_allocate(a, &x), 0);
	for (uint32_t i = 0; i < 300; i += 7)
		ck_assert_int_eq(dev_id_alloc_release(a, i), 0);
	size_t n = dev_id_alloc_save_size(a);
	uint8_t *buf = malloc(n);
	ck_assert_int_eq(dev_id_alloc_save(a, buf, n - 1), -ENOBUFS);
	ck_assert_int_eq(dev_id_alloc_save(a, buf, n), (ssize_t)n);
	ck_assert_int_eq(dev_id_alloc_restore(&b, buf, n), 0);
	ck_assert_uint_eq(dev_id_alloc_count(b), dev_id_alloc_count(a));
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(dev_id_alloc_allocate(a, &x), 0);
		ck_assert_int_eq(dev_id_alloc_allocate(b, &y), 0);
		ck_assert_uint_eq(x, y);
	}
	dev_id_alloc_destroy(b);
	b = NULL;
	ck_assert_int_eq(dev_id_alloc_restore(&b, buf, n - 8), -EBADMSG);
	ck_assert_int_eq(dev_id_alloc_restore(&b, buf, 10), -EBADMSG);
	uint8_t *bad = malloc(n);
	memcpy(bad, buf, n);
	bad[3] = 'x';
	ck_assert_int_eq(dev_id_alloc_restore(&b, bad, n), -EBADMSG);
	memcpy(bad, buf, n);
	memcpy(bad + 40, bad + 32, 8); /* duplicate id */
	ck_assert_int_eq(dev_id_alloc_restore(&b, bad, n), -EBADMSG);
	memcpy(bad, buf, n);
	bad[16] = 0; /* last below some ids */
	bad[17] = 0;
	ck_assert_int_eq(dev_id_alloc_restore(&b, bad, n), -EBADMSG);
	ck_assert_ptr_null(b);
	struct dev_id_alloc *c = NULL;
	ck_assert_int_eq(dev_id_alloc_clone(a, &c), 0);
	ck_assert_int_eq(dev_id_alloc_allocate(a, &x), 0);
	ck_assert_int_eq(dev_id_alloc_allocate(c, &y), 0);
	ck_assert_uint_eq(x, y);
	dev_id_alloc_destroy(c);
	free(bad);
	free(buf);
	dev_id_alloc_destroy(a);
}
END_TEST

START_TEST(randomized_vs_model)
{
	enum { N = 700 }; /* spans several bitmap words */
	static uint8_t used[N];
	memset(used, 0, sizeof(used));
	struct tprng r = {0x1d5eed77ull};
	struct dev_id_alloc *a = mk(1000, 1000 + N - 1);
	size_t count = 0;
	for (int op = 0; op < 200000; op++) {
		int what = (int)tprng_below(&r, 10);
		uint32_t id;
		if (what < 4) {
			int want = -1;
			for (int i = 0; i < N; i++)
				if (!used[i]) {
					want = i;
					break;
				}
			int rc = dev_id_alloc_allocate(a, &id);
			if (want < 0) {
				ck_assert_int_eq(rc, -ENOSPC);
			} else {
				ck_assert_int_eq(rc, 0);
				ck_assert_uint_eq(id, 1000u + (uint32_t)want);
				used[want] = 1;
				count++;
			}
		} else if (what < 5) {
			uint32_t v = 990 + (uint32_t)tprng_below(&r, N + 20);
			int rc = dev_id_alloc_allocate_fixed(a, v);
			if (v < 1000 || v >= 1000 + N)
				ck_assert_int_eq(rc, -ERANGE);
			else if (used[v - 1000])
				ck_assert_int_eq(rc, -EBUSY);
			else {
				ck_assert_int_eq(rc, 0);
				used[v - 1000] = 1;
				count++;
			}
		} else if (what < 9) {
			uint32_t v = 990 + (uint32_t)tprng_below(&r, N + 20);
			int rc = dev_id_alloc_release(a, v);
			if (v < 1000 || v >= 1000 + N)
				ck_assert_int_eq(rc, -ERANGE);
			else if (!used[v - 1000])
				ck_assert_int_eq(rc, -ENOENT);
			else {
				ck_assert_int_eq(rc, 0);
				used[v - 1000] = 0;
				count--;
			}
		} else {
			uint32_t v = 990 + (uint32_t)tprng_below(&r, N + 20);
			int want = v >= 1000 && v < 1000 + N && used[v - 1000];
			ck_assert_int_eq(dev_id_alloc_is_allocated(a, v), want);
		}
		ck_assert_uint_eq(dev_id_alloc_count(a), count);
	}
	dev_id_alloc_destroy(a);
}
END_TEST

static Suite *id_suite(void)
{
	Suite *s = suite_create("dev_id_alloc");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, gsi_smallest_first_and_reuse);
	tcase_add_test(tc, errors_and_fixed);
	tcase_add_test(tc, save_restore);
	tcase_add_test(tc, randomized_vs_model);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(id_suite)
