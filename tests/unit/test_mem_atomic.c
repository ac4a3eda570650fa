/* mem/ RCU-like holder: snapshots, publish, update helpers, and a threaded
 * test where readers keep using snapshots while a writer swaps collections. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

/* Collection number g: 1 + g % 3 regions of 64 KiB at 1 MiB strides, each
 * holding g in its first and last u64. */
static struct gm_memory *make_gen(uint64_t g)
{
	struct gm_range r[3];
	size_t n = 1 + g % 3;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct gm_range){gm_addr(i << 20), 64 << 10};
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_anon(&m, r, n), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(gm_memory_write_u64(m, gm_addr(i << 20), g), 0);
		ck_assert_int_eq(gm_memory_write_u64(m, gm_addr((i << 20) + (64 << 10) - 8), g), 0);
	}
	return m;
}

START_TEST(basic_publish)
{
	struct gm_memory *a = make_gen(0), *b = make_gen(1);
	struct gm_atomic_memory *h;
	ck_assert_int_eq(gm_atomic_memory_new(&h, NULL), -EINVAL);
	ck_assert_int_eq(gm_atomic_memory_new(&h, a), 0);
	struct gm_memory *s1 = gm_atomic_memory_snapshot(h);
	ck_assert_ptr_eq(s1, a);
	ck_assert_uint_eq(gm_atomic_memory_generation(h), 0);
	ck_assert_int_eq(gm_atomic_memory_publish(h, b), 0);
	ck_assert_uint_eq(gm_atomic_memory_generation(h), 1);
	struct gm_memory *s2 = gm_atomic_memory_snapshot(h);
	ck_assert_ptr_eq(s2, b);
	/* the old snapshot still works */
	uint64_t v;
	ck_assert_int_eq(gm_memory_read_u64(s1, gm_addr(0), &v), 0);
	ck_assert_uint_eq(v, 0);
	/* refcounts: a is held by us and s1; b by us, s2, the holder */
	ck_assert_int_eq(a->refs, 2);
	ck_assert_int_eq(b->refs, 3);
	gm_memory_put(s1);
	gm_memory_put(s2);
	gm_atomic_memory_free(h);
	ck_assert_int_eq(a->refs, 1);
	ck_assert_int_eq(b->refs, 1);
	gm_memory_put(a);
	gm_memory_put(b);
}
END_TEST

START_TEST(hotplug_helpers)
{
	struct gm_memory *a = make_gen(0);
	struct gm_atomic_memory *h;
	ck_assert_int_eq(gm_atomic_memory_new(&h, a), 0);
	gm_memory_put(a);
	struct gm_region *r;
	ck_assert_int_eq(gm_region_new_anon(&r, gm_addr(0x40000000), 1 << 20, NULL), 0);
	ck_assert_int_eq(gm_atomic_memory_insert_region(h, r), 0);
	ck_assert_int_eq(gm_atomic_memory_insert_region(h, r), -EINVAL); /* overlaps itself */
	struct gm_memory *s = gm_atomic_memory_snapshot(h);
	ck_assert_uint_eq(gm_memory_num_regions(s), 2);
	ck_assert(gm_memory_check_address(s, gm_addr(0x400fffff)));
	ck_assert_int_eq(gm_atomic_memory_remove_region(h, gm_addr(0x40000000), 1 << 20), 0);
	ck_assert_int_eq(gm_atomic_memory_remove_region(h, gm_addr(0x40000000), 1 << 20), -ENOENT);
	struct gm_memory *s2 = gm_atomic_memory_snapshot(h);
	ck_assert_uint_eq(gm_memory_num_regions(s2), 1);
	ck_assert(gm_memory_check_address(s, gm_addr(0x400fffff))); /* old view intact */
	ck_assert_uint_eq(gm_atomic_memory_generation(h), 2);
	gm_memory_put(s);
	gm_memory_put(s2);
	gm_atomic_memory_free(h);
	ck_assert_int_eq(r->refs, 1);
	gm_region_put(r);
}
END_TEST

struct shared {
	struct gm_atomic_memory *h;
	int stop;        /* __atomic */
	long snapshots;  /* __atomic */
	long errors;     /* __atomic */
};

static void *reader(void *arg)
{
	struct shared *sh = arg;
	long n = 0, err = 0;
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		struct gm_memory *m = gm_atomic_memory_snapshot(sh->h);
		uint64_t g;
		if (gm_memory_read_u64(m, gm_addr(0), &g)) {
			err++;
		} else {
			/* use the snapshot for a while: it must stay consistent */
			for (int k = 0; k < 20; k++) {
				size_t nr = gm_memory_num_regions(m);
				if (nr != 1 + g % 3)
					err++;
				for (size_t i = 0; i < nr; i++) {
					uint64_t a, b;
					if (gm_memory_read_u64(m, gm_addr(i << 20), &a) ||
					    gm_memory_read_u64(m, gm_addr((i << 20) + (64 << 10) - 8), &b) ||
					    a != g || b != g)
						err++;
				}
			}
		}
		gm_memory_put(m);
		n++;
	}
	__atomic_fetch_add(&sh->snapshots, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->errors, err, __ATOMIC_RELAXED);
	return NULL;
}

START_TEST(threaded_readers_and_writer)
{
	enum { READERS = 3, SWAPS = 300 };
	struct gm_memory *first = make_gen(0);
	struct gm_region *watched = gm_region_get((struct gm_region *)gm_memory_region(first, 0));
	struct shared sh = {0};
	ck_assert_int_eq(gm_atomic_memory_new(&sh.h, first), 0);
	gm_memory_put(first);
	pthread_t t[READERS];
	for (int i = 0; i < READERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &sh), 0);
	for (uint64_t g = 1; g <= SWAPS; g++) {
		struct gm_memory *m = make_gen(g);
		ck_assert_int_eq(gm_atomic_memory_publish(sh.h, m), 0);
		gm_memory_put(m);
		if (g % 50 == 0)
			sched_yield();
	}
	__atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(sh.errors, 0);
	ck_assert_int_gt(sh.snapshots, 0);
	ck_assert_uint_eq(gm_atomic_memory_generation(sh.h), SWAPS);
	struct gm_memory *last = gm_atomic_memory_snapshot(sh.h);
	uint64_t g;
	ck_assert_int_eq(gm_memory_read_u64(last, gm_addr(0), &g), 0);
	ck_assert_uint_eq(g, SWAPS);
	ck_assert_int_eq(last->refs, 2);
	gm_memory_put(last);
	gm_atomic_memory_free(sh.h);
	/* the first collection is gone: only our own reference is left */
	ck_assert_int_eq(watched->refs, 1);
	gm_region_put(watched);
}
END_TEST

static Suite *atomic_suite(void)
{
	Suite *s = suite_create("mem_atomic");
	TCase *tc = tcase_create("atomic");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, basic_publish);
	tcase_add_test(tc, hotplug_helpers);
	tcase_add_test(tc, threaded_readers_and_writer);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(atomic_suite)
