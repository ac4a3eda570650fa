/* mem/ atomic read-modify-write: every op and size on guest addresses and
 * slices, compare-exchange success/failure, errors (misaligned, unmapped,
 * read-only, bad size/op/order), dirty marking, the inline acquire/release
 * accessors, and threaded counters that would lose updates if the
 * operations were not atomic. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

/* [0x1000,0x3000) and [0x8000,0x9000) */
static struct gm_memory *layout(bool track, int prot)
{
	struct gm_range r[] = {
	    {gm_addr(0x1000), 0x2000},
	    {gm_addr(0x8000), 0x1000},
	};
	struct gm_mmap_opts o = {.prot = prot, .dirty_tracking = track};
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_anon_opts(&m, r, 2, &o), 0);
	return m;
}

static size_t dirty_total(const struct gm_memory *m)
{
	size_t n = 0;
	for (size_t i = 0; i < gm_memory_num_regions(m); i++)
		n += gm_bitmap_count(gm_region_bitmap(gm_memory_region(m, i)));
	return n;
}

START_TEST(fetch_ops_every_size)
{
	struct gm_memory *m = layout(false, 0);
	static const size_t sizes[] = {1, 2, 4, 8};
	for (size_t i = 0; i < 4; i++) {
		size_t sz = sizes[i];
		uint64_t mask = sz == 8 ? UINT64_MAX : (UINT64_C(1) << (sz * 8)) - 1;
		gm_addr_t a = gm_addr(0x2000 + 8 * i);
		uint64_t old = 0, v = 0;
		ck_assert_int_eq(
		    gm_memory_store(m, a, sz, 0x0123456789abcdefULL & mask, GM_SEQ_CST), 0);
		ck_assert_int_eq(gm_memory_fetch_add(m, a, sz, 1, GM_RELAXED, &old), 0);
		ck_assert_uint_eq(old, 0x0123456789abcdefULL & mask);
		ck_assert_int_eq(gm_memory_fetch_op(m, a, sz, GM_RMW_SUB, 2, GM_ACQ_REL, &old), 0);
		ck_assert_uint_eq(old, 0x0123456789abcdf0ULL & mask);
		ck_assert_int_eq(gm_memory_fetch_or(m, a, sz, 0xf0, GM_RELEASE, &old), 0);
		ck_assert_int_eq(gm_memory_fetch_and(m, a, sz, 0x0f, GM_ACQUIRE, &old), 0);
		ck_assert_uint_eq(old, (0x0123456789abcdeeULL | 0xf0) & mask);
		ck_assert_int_eq(gm_memory_fetch_op(m, a, sz, GM_RMW_XOR, 0x3, GM_SEQ_CST, NULL),
				 0);
		ck_assert_int_eq(gm_memory_swap(m, a, sz, UINT64_MAX, GM_SEQ_CST, &old), 0);
		ck_assert_uint_eq(old, 0x0dULL);
		ck_assert_int_eq(gm_memory_load(m, a, sz, GM_SEQ_CST, &v), 0);
		ck_assert_uint_eq(v, mask); /* truncated to the size */
		/* Neighbours untouched: the access is exactly sz bytes wide. */
		if (sz < 8) {
			ck_assert_int_eq(gm_memory_load(m, gm_addr(a.raw + sz), 1, GM_RELAXED, &v),
					 0);
			ck_assert_uint_eq(v, 0);
		}
	}
	gm_memory_put(m);
}
END_TEST

START_TEST(cmpxchg_success_failure)
{
	struct gm_memory *m = layout(false, 0);
	gm_addr_t a = gm_addr(0x8010);
	ck_assert_int_eq(gm_memory_write_u32(m, a, 7), 0);
	uint64_t exp = 6;
	ck_assert_int_eq(gm_memory_cmpxchg(m, a, 4, &exp, 9, GM_SEQ_CST), 0);
	ck_assert_uint_eq(exp, 7); /* the current value came back */
	uint32_t v;
	ck_assert_int_eq(gm_memory_read_u32(m, a, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(gm_memory_cmpxchg(m, a, 4, &exp, 9, GM_ACQ_REL), 1);
	ck_assert_int_eq(gm_memory_read_u32(m, a, &v), 0);
	ck_assert_uint_eq(v, 9);
	/* Only the low size bytes of expected are compared. */
	exp = 0xffffffff00000009ULL;
	ck_assert_int_eq(gm_memory_cmpxchg(m, a, 4, &exp, 10, GM_RELEASE), 1);
	static const enum gm_order orders[] = {GM_RELAXED, GM_ACQUIRE, GM_RELEASE, GM_ACQ_REL,
					       GM_SEQ_CST};
	for (size_t i = 0; i < 5; i++) {
		exp = 10;
		ck_assert_int_eq(gm_memory_cmpxchg(m, a, 4, &exp, 10, orders[i]), 1);
	}
	ck_assert_int_eq(gm_memory_cmpxchg(m, a, 4, NULL, 1, GM_SEQ_CST), -EINVAL);
	/* Inline typed forms: same results on the fast path and off it. */
	uint32_t e32 = 1;
	ck_assert_int_eq(gm_memory_cmpxchg_u32(m, a, &e32, 11, GM_SEQ_CST), 0);
	ck_assert_uint_eq(e32, 10);
	ck_assert_int_eq(gm_memory_cmpxchg_u32(m, a, &e32, 11, GM_ACQUIRE), 1);
	ck_assert_int_eq(gm_memory_read_u32(m, a, &v), 0);
	ck_assert_uint_eq(v, 11);
	uint64_t e64 = 0;
	ck_assert_int_eq(gm_memory_cmpxchg_u64(m, gm_addr(0x8018), &e64, 5, GM_RELAXED), 1);
	ck_assert_int_eq(gm_memory_cmpxchg_u64(m, gm_addr(0x801c), &e64, 5, GM_RELAXED), -EINVAL);
	uint16_t e16 = 0;
	ck_assert_int_eq(gm_memory_cmpxchg_u16(m, gm_addr(0x5000), &e16, 5, GM_RELAXED), -EFAULT);
	gm_memory_put(m);
}
END_TEST

START_TEST(errors)
{
	struct gm_memory *m = layout(false, 0);
	uint64_t old, exp = 0;
	for (size_t sz = 2; sz <= 8; sz *= 2) {
		ck_assert_int_eq(gm_memory_fetch_add(m, gm_addr(0x2001), sz, 1, GM_SEQ_CST, &old),
				 -EINVAL);
		ck_assert_int_eq(gm_memory_cmpxchg(m, gm_addr(0x2001), sz, &exp, 1, GM_SEQ_CST),
				 -EINVAL);
	}
	ck_assert_int_eq(gm_memory_fetch_add(m, gm_addr(0x2000), 3, 1, GM_SEQ_CST, &old), -EINVAL);
	ck_assert_int_eq(gm_memory_fetch_add(m, gm_addr(0x2000), 4, 1, (enum gm_order)99, &old),
			 -EINVAL);
	ck_assert_int_eq(
	    gm_memory_fetch_op(m, gm_addr(0x2000), 4, (enum gm_rmw_op)99, 1, GM_SEQ_CST, &old),
	    -EINVAL);
	ck_assert_int_eq(gm_memory_fetch_add(m, gm_addr(0x4000), 4, 1, GM_SEQ_CST, &old), -EFAULT);
	ck_assert_int_eq(gm_memory_cmpxchg(m, gm_addr(0x0), 8, &exp, 1, GM_SEQ_CST), -EFAULT);
	/* The last u64 of a region is fine; nothing may cross its end. */
	ck_assert_int_eq(gm_memory_swap(m, gm_addr(0x8ff8), 8, 1, GM_SEQ_CST, &old), 0);
	ck_assert_int_eq(gm_memory_swap(m, gm_addr(0x9000), 8, 1, GM_SEQ_CST, &old), -EFAULT);
	/* Slices: bounds and alignment. */
	struct gm_vslice s;
	ck_assert_int_eq(gm_memory_get_slice(m, gm_addr(0x1000), 16, &s), 0);
	ck_assert_int_eq(gm_vslice_fetch_op(&s, 12, 8, GM_RMW_ADD, 1, GM_SEQ_CST, &old), -EFAULT);
	ck_assert_int_eq(gm_vslice_fetch_op(&s, 4, 8, GM_RMW_ADD, 1, GM_SEQ_CST, &old), -EINVAL);
	ck_assert_int_eq(gm_vslice_fetch_op(&s, 8, 8, GM_RMW_ADD, 5, GM_SEQ_CST, &old), 0);
	ck_assert_uint_eq(old, 0);
	exp = 5;
	ck_assert_int_eq(gm_vslice_cmpxchg(&s, 8, 8, &exp, 6, GM_SEQ_CST), 1);
	ck_assert_int_eq(gm_vslice_cmpxchg(&s, 16, 1, &exp, 6, GM_SEQ_CST), -EFAULT);
	gm_memory_put(m);

	/* Read-only memory: every RMW is refused, and nothing changes. */
	m = layout(false, PROT_READ);
	ck_assert_int_eq(gm_memory_fetch_add(m, gm_addr(0x1000), 4, 1, GM_SEQ_CST, &old), -EACCES);
	ck_assert_int_eq(gm_memory_swap(m, gm_addr(0x1000), 8, 1, GM_SEQ_CST, &old), -EACCES);
	exp = 0;
	ck_assert_int_eq(gm_memory_cmpxchg(m, gm_addr(0x1000), 4, &exp, 1, GM_SEQ_CST), -EACCES);
	uint32_t v;
	ck_assert_int_eq(gm_memory_read_u32(m, gm_addr(0x1000), &v), 0);
	ck_assert_uint_eq(v, 0);
	gm_memory_put(m);
}
END_TEST

START_TEST(dirty_marking)
{
	struct gm_memory *m = layout(true, 0);
	uint64_t old, exp = 1;
	ck_assert_uint_eq(dirty_total(m), 0);
	/* A failed compare-exchange writes nothing and marks nothing. */
	ck_assert_int_eq(gm_memory_cmpxchg(m, gm_addr(0x1008), 8, &exp, 2, GM_SEQ_CST), 0);
	ck_assert_uint_eq(dirty_total(m), 0);
	ck_assert_int_eq(gm_memory_cmpxchg(m, gm_addr(0x1008), 8, &exp, 2, GM_SEQ_CST), 1);
	ck_assert_uint_eq(dirty_total(m), 1);
	ck_assert(gm_bitmap_is_dirty(gm_region_bitmap(gm_memory_region(m, 0)), 0x8));
	ck_assert_int_eq(gm_memory_fetch_or(m, gm_addr(0x2004), 4, 1, GM_RELAXED, &old), 0);
	ck_assert_uint_eq(dirty_total(m), 2);
	ck_assert(gm_bitmap_is_dirty(gm_region_bitmap(gm_memory_region(m, 0)), 0x1004));
	ck_assert_int_eq(gm_memory_store_release_u16(m, gm_addr(0x8002), 5), 0);
	ck_assert_uint_eq(dirty_total(m), 3);
	ck_assert(gm_bitmap_is_dirty(gm_region_bitmap(gm_memory_region(m, 1)), 0x2));
	gm_memory_put(m);
}
END_TEST

START_TEST(acquire_release_inline)
{
	struct gm_memory *m = layout(false, 0);
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;
	ck_assert_int_eq(gm_memory_store_release_u16(m, gm_addr(0x1002), 0xbeef), 0);
	ck_assert_int_eq(gm_memory_store_release_u32(m, gm_addr(0x1004), 0xdeadbeef), 0);
	ck_assert_int_eq(gm_memory_store_release_u64(m, gm_addr(0x8008), 0x1122334455667788ULL), 0);
	ck_assert_int_eq(gm_memory_load_acquire_u16(m, gm_addr(0x1002), &v16), 0);
	ck_assert_uint_eq(v16, 0xbeef);
	ck_assert_int_eq(gm_memory_load_acquire_u32(m, gm_addr(0x1004), &v32), 0);
	ck_assert_uint_eq(v32, 0xdeadbeef);
	ck_assert_int_eq(gm_memory_load_acquire_u64(m, gm_addr(0x8008), &v64), 0);
	ck_assert_uint_eq(v64, 0x1122334455667788ULL);
	v32 = 42;
	ck_assert_int_eq(gm_memory_load_acquire_u32(m, gm_addr(0x1006), &v32), -EINVAL);
	ck_assert_uint_eq(v32, 42);
	ck_assert_int_eq(gm_memory_store_release_u64(m, gm_addr(0x8004), 1), -EINVAL);
	ck_assert_int_eq(gm_memory_load_acquire_u64(m, gm_addr(0x5000), &v64), -EFAULT);
	ck_assert_int_eq(gm_memory_store_release_u16(m, gm_addr(0x9000), 1), -EFAULT);
	gm_memory_put(m);

	m = layout(false, PROT_READ);
	ck_assert_int_eq(gm_memory_store_release_u32(m, gm_addr(0x1000), 1), -EACCES);
	ck_assert_int_eq(gm_memory_load_acquire_u32(m, gm_addr(0x1000), &v32), 0);
	ck_assert_uint_eq(v32, 0);
	gm_memory_put(m);
}
END_TEST

#define THREADS 4
#define ITERS 50000
struct counter_ctx {
	struct gm_memory *m;
	int cas_failures_seen;
};

static void *counter_thread(void *arg)
{
	struct counter_ctx *c = arg;
	for (int i = 0; i < ITERS; i++) {
		/* u32 counter at 0x1100 by compare-exchange loop */
		uint64_t cur;
		if (gm_memory_load(c->m, gm_addr(0x1100), 4, GM_RELAXED, &cur))
			return (void *)1;
		for (;;) {
			int rc =
			    gm_memory_cmpxchg(c->m, gm_addr(0x1100), 4, &cur, cur + 1, GM_ACQ_REL);
			if (rc == 1)
				break;
			if (rc != 0)
				return (void *)1;
			__atomic_fetch_add(&c->cas_failures_seen, 1, __ATOMIC_RELAXED);
		}
		/* u64 counter at 0x8100 by fetch-add, u16 at 0x8200 by fetch-add */
		if (gm_memory_fetch_add(c->m, gm_addr(0x8100), 8, 1, GM_RELAXED, NULL) ||
		    gm_memory_fetch_add(c->m, gm_addr(0x8200), 2, 1, GM_RELAXED, NULL))
			return (void *)1;
	}
	return NULL;
}

START_TEST(threaded_counters)
{
	struct counter_ctx c = {layout(true, 0), 0};
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, counter_thread, &c), 0);
	for (int i = 0; i < THREADS; i++) {
		void *res;
		ck_assert_int_eq(pthread_join(t[i], &res), 0);
		ck_assert_ptr_null(res);
	}
	uint32_t v32;
	uint64_t v64;
	uint16_t v16;
	ck_assert_int_eq(gm_memory_read_u32(c.m, gm_addr(0x1100), &v32), 0);
	ck_assert_uint_eq(v32, THREADS * ITERS);
	ck_assert_int_eq(gm_memory_read_u64(c.m, gm_addr(0x8100), &v64), 0);
	ck_assert_uint_eq(v64, THREADS * ITERS);
	ck_assert_int_eq(gm_memory_read_u16(c.m, gm_addr(0x8200), &v16), 0);
	ck_assert_uint_eq(v16, (uint16_t)(THREADS * ITERS));
	ck_assert_uint_eq(dirty_total(c.m), 2); /* one page in each region */
	gm_memory_put(c.m);
}
END_TEST

static Suite *rmw_suite(void)
{
	Suite *s = suite_create("mem_rmw");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fetch_ops_every_size);
	tcase_add_test(tc, cmpxchg_success_failure);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, dirty_marking);
	tcase_add_test(tc, acquire_release_inline);
	tcase_add_test(tc, threaded_counters);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(rmw_suite)
