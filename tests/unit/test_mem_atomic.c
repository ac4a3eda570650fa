/* mem/ RCU-like holder: snapshots, publish, update helpers, and a threaded
 * test where readers keep using snapshots while a writer swaps collections. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "mem/memory_priv.h" /* white-box: collection refcounts */
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
	int stop;	/* __atomic */
	long snapshots; /* __atomic */
	long errors;	/* __atomic */
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
					    gm_memory_read_u64(
						m, gm_addr((i << 20) + (64 << 10) - 8), &b) ||
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

/* Migration-style dirty log: one thread keeps writing pages, another keeps
 * collecting the bitmap and copying the dirty pages to a shadow. After a
 * final collection the shadow must equal guest memory: no write lost. */
enum { DPAGES = 64 };
struct dirty_ctx {
	struct gm_memory *m;
	int done;   /* __atomic */
	int rounds; /* __atomic: collections so far */
};

static void *dirty_writer(void *arg)
{
	struct dirty_ctx *c = arg;
	uint64_t s = 88172645463325252ULL;
	/* keep writing until the collector has really overlapped with us */
	for (uint64_t i = 1; i <= 200000 || __atomic_load_n(&c->rounds, __ATOMIC_ACQUIRE) < 5;
	     i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		uint64_t page = s % DPAGES;
		/* atomic stores and loads, so ThreadSanitizer builds see no race */
		if (gm_memory_store(c->m, gm_addr(page * 4096 + (s >> 32) % 512 * 8), 8, i,
				    GM_RELAXED))
			break;
	}
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void collect(struct gm_memory *m, uint8_t *shadow)
{
	const struct gm_region *r = gm_memory_region(m, 0);
	uint64_t words[DPAGES / 64];
	gm_bitmap_get_and_reset(gm_region_bitmap(r), words, DPAGES / 64);
	for (size_t p = 0; p < DPAGES; p++) {
		if (!(words[p / 64] >> (p % 64) & 1))
			continue;
		for (size_t k = 0; k < 4096; k += 8) {
			uint64_t v;
			ck_assert_int_eq(
			    gm_memory_load(m, gm_addr(p * 4096 + k), 8, GM_RELAXED, &v), 0);
			memcpy(shadow + p * 4096 + k, &v, 8);
		}
	}
}

START_TEST(dirty_log_converges)
{
	struct gm_range r = {gm_addr(0), DPAGES * 4096};
	struct gm_mmap_opts o = {.dirty_tracking = true};
	struct dirty_ctx c = {0};
	ck_assert_int_eq(gm_memory_new_anon_opts(&c.m, &r, 1, &o), 0);
	static uint8_t shadow[DPAGES * 4096];
	memset(shadow, 0, sizeof(shadow));
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, dirty_writer, &c), 0);
	int rounds = 0;
	while (!__atomic_load_n(&c.done, __ATOMIC_ACQUIRE)) {
		collect(c.m, shadow);
		__atomic_store_n(&c.rounds, ++rounds, __ATOMIC_RELEASE);
	}
	pthread_join(t, NULL);
	collect(c.m, shadow); /* final round, writer stopped */
	const uint8_t *host = gm_region_host_base(gm_memory_region(c.m, 0));
	ck_assert(memcmp(shadow, host, sizeof(shadow)) == 0);
	ck_assert_int_ge(rounds, 5);
	gm_memory_put(c.m);
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
	tcase_add_test(tc, dirty_log_converges);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(atomic_suite)
