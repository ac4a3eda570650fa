/* devices/core under allocation failure: the k-th host allocation inside an
 * operation fails, for k = 0, 1, 2, ... until the operation succeeds. Every
 * failed attempt must return -ENOMEM and leave the visible state (allocator
 * save image and bus layout) exactly as before: nothing half registered,
 * nothing half moved, nothing half freed.
 *
 * It interposes malloc/calloc/aligned_alloc, which sanitizer runtimes also
 * do, so in ASan/TSan builds it reports a TAP skip instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/dev.h"
#include "tests/unit/harness.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NOMEM_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NOMEM_SKIP 1
#endif
#endif

#ifndef NOMEM_SKIP
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_memalign(size_t align, size_t n);

static long countdown = -1; /* allocations to let through; -1: never fail */

static int fail_now(void)
{
	if (countdown < 0)
		return 0;
	return countdown-- == 0;
}

void *malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __libc_calloc(n, m);
}

void *aligned_alloc(size_t align, size_t n)
{
	return fail_now() ? NULL : __libc_memalign(align, n);
}

/* The visible state of a manager. */
#define NPROBE 128
struct fp {
	uint8_t save[8192];
	ssize_t n;
	int probe[NPROBE];
	uint64_t devices;
};

static const uint64_t WIN = 0xd0000000ull;

static void t_read(void *priv, uint64_t base, uint64_t off, uint8_t *data, uint32_t len)
{
	memset(data, (int)(uintptr_t)priv, len);
}

static int releases;

static void t_release(void *priv)
{
	releases++;
}

static const struct dev_ops tops = {t_read, NULL, t_release};

static void fingerprint(struct dev_manager *m, struct fp *f)
{
	memset(f, 0, sizeof(*f));
	f->n = dev_manager_save(m, f->save, sizeof(f->save));
	ck_assert_int_gt(f->n, 0);
	for (int i = 0; i < NPROBE; i++) {
		uint8_t d[4];
		int rc = dev_manager_read(m, DEV_BUS_MMIO, WIN + (uint64_t)i * 0x400, d, 4);
		f->probe[i] = rc * 256 + d[0];
	}
	struct dev_bus_stats st;
	dev_manager_stats(m, DEV_BUS_MMIO, &st);
	f->devices = st.devices;
}

static void same(const struct fp *a, const struct fp *b)
{
	ck_assert_int_eq(a->n, b->n);
	ck_assert_mem_eq(a->save, b->save, (size_t)a->n);
	ck_assert_mem_eq(a->probe, b->probe, sizeof(a->probe));
	ck_assert_uint_eq(a->devices, b->devices);
}

static struct dev_manager *mk(void)
{
	struct dev_manager_config cfg;
	dev_manager_config_default(&cfg);
	cfg.mmio_base = WIN;
	cfg.mmio_size = 0x20000;
	cfg.msi_count = 64;
	cfg.id_count = 64;
	cfg.mem_slot_count = 64;
	struct dev_manager *m = NULL;
	ck_assert_int_eq(dev_manager_new(&m, &cfg), 0);
	return m;
}

/* Run op with the k-th allocation failing, k = 0.. until it succeeds;
 * check state on every failure. Returns the number of failed attempts. */
#define EACH_FAILURE(m, call)                                                                      \
	({                                                                                         \
		int fails_ = 0;                                                                    \
		for (long k_ = 0;; k_++) {                                                         \
			struct fp before_, after_;                                                 \
			fingerprint(m, &before_);                                                  \
			countdown = k_;                                                            \
			int rc_ = (call);                                                          \
			countdown = -1;                                                            \
			if (rc_ == 0)                                                              \
				break;                                                             \
			ck_assert_int_eq(rc_, -ENOMEM);                                            \
			fingerprint(m, &after_);                                                   \
			same(&before_, &after_);                                                   \
			fails_++;                                                                  \
		}                                                                                  \
		fails_;                                                                            \
	})

START_TEST(manager_ops)
{
	struct dev_manager *m = mk();
	struct dev_handle *h1, *h2, *h3;
	uint64_t b2;
	/* a fixed device, an allocated one */
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_register(m, DEV_BUS_MMIO, WIN + 0x18000, 0x800,
							      &tops, (void *)1, &h1)),
			 0);
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_register_alloc(m, DEV_BUS_MMIO, 0, 0x1000,
								    0x1000, DEV_ALLOC_LAST_MATCH, 0,
								    &tops, (void *)2, &h2, &b2)),
			 0);
	ck_assert_uint_eq(b2, WIN + 0x1f000);
	ck_assert_int_gt(
	    EACH_FAILURE(m, dev_manager_register_alloc(m, DEV_BUS_MMIO, 0, 0x2000, 0x1000,
						       DEV_ALLOC_FIRST_MATCH, 0, &tops, (void *)3,
						       &h3, NULL)),
	    0);
	/* moves: fixed, allocated non-overlapping, allocated overlapping */
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_update(m, h1, WIN + 0x19000, 0x800)), 0);
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_update(m, h2, WIN + 0x10000, 0x1000)), 0);
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_update(m, h3, WIN + 0x800, 0x2000)), 0);
	/* unregister of an allocated device: the range goes back too */
	releases = 0;
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_unregister(m, h2)), 0);
	dev_manager_synchronize(m);
	ck_assert_int_eq(releases, 1);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, WIN + 0x10000), 0);
	dev_manager_free(m);
	ck_assert_int_eq(releases, 3);
}
END_TEST

START_TEST(resources_and_restore)
{
	struct dev_manager *m = mk();
	struct dev_res_req req[] = {
	    {.kind = DEV_RES_MMIO, .size = 0x1000, .align = 0x1000},
	    {.kind = DEV_RES_MMIO, .size = 0x1000, .fixed = 1, .addr = WIN + 0x8000},
	    {.kind = DEV_RES_PIO, .size = 8, .fixed = 1, .addr = 0x3f8},
	    {.kind = DEV_RES_LEGACY_IRQ},
	    {.kind = DEV_RES_MSI, .size = 4, .align = 4},
	    {.kind = DEV_RES_ID},
	    {.kind = DEV_RES_MEM_SLOT},
	};
	enum { N = sizeof(req) / sizeof(req[0]) };
	struct dev_resource res[N], more[N];
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_alloc_resources(m, req, N, res)), 0);
	req[1].addr = WIN + 0xa000;
	req[2].addr = 0x2f8;
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_alloc_resources(m, req, N, more)), 0);
	ck_assert_int_gt(EACH_FAILURE(m, dev_manager_free_resources(m, res, N)), 0);
	/* restore a saved image into a fresh manager */
	uint8_t buf[8192];
	ssize_t n = dev_manager_save(m, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	struct dev_manager *m2 = mk();
	ck_assert_int_gt(EACH_FAILURE(m2, dev_manager_restore(m2, buf, (size_t)n)), 0);
	uint8_t buf2[8192];
	ck_assert_int_eq(dev_manager_save(m2, buf2, sizeof(buf2)), n);
	ck_assert_mem_eq(buf, buf2, (size_t)n);
	dev_manager_free(m2);
	dev_manager_free(m);
}
END_TEST

START_TEST(building_blocks)
{
	/* dev_manager_new fails cleanly at every allocation */
	int fails = 0;
	for (long k = 0;; k++) {
		struct dev_manager *m = NULL;
		countdown = k;
		int rc = dev_manager_new(&m, NULL);
		countdown = -1;
		if (rc == 0) {
			dev_manager_free(m);
			break;
		}
		ck_assert_int_eq(rc, -ENOMEM);
		ck_assert_ptr_null(m);
		fails++;
	}
	ck_assert_int_gt(fails, 5);
	/* range tree insert */
	struct dev_range_tree *t;
	ck_assert_int_eq(dev_rt_new(&t), 0);
	countdown = 0;
	ck_assert_int_eq(dev_rt_insert(t, 1, 2, NULL), -ENOMEM);
	countdown = -1;
	ck_assert_uint_eq(dev_rt_count(t), 0);
	ck_assert_int_eq(dev_rt_check(t), 0);
	dev_rt_free(t, NULL, NULL);
	/* address allocator: a split needs a node; a lone free needs one */
	struct dev_addr_alloc *a;
	uint64_t x;
	ck_assert_int_eq(dev_addr_alloc_new(&a, 0, 0x1000), 0);
	for (long k = 0; k < 2; k++) {
		countdown = k;
		ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x10, 1, DEV_ALLOC_EXACT, 0x100, &x),
				 -ENOMEM);
		countdown = -1;
		ck_assert_uint_eq(dev_addr_alloc_count(a), 0);
		ck_assert_uint_eq(dev_addr_alloc_free_count(a), 1);
	}
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x10, 1, DEV_ALLOC_EXACT, 0x100, &x), 0);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x100, 1, DEV_ALLOC_EXACT, 0x200, &x), 0);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x10, 1, DEV_ALLOC_EXACT, 0x110, &x), 0);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0xe0, 1, DEV_ALLOC_EXACT, 0x120, &x), 0);
	/* [0x110, 0x120) has allocated neighbours on both sides: freeing it
	 * inserts a new free range */
	countdown = 0;
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x110, 0x10), -ENOMEM);
	countdown = -1;
	ck_assert_int_eq(dev_addr_alloc_is_allocated(a, 0x110), 1);
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x110, 0x10), 0);
	ck_assert_int_eq(dev_addr_alloc_is_allocated(a, 0x110), 0);
	dev_addr_alloc_destroy(a);
	/* id allocator */
	struct dev_id_alloc *ia = NULL, *ib = NULL;
	countdown = 0;
	ck_assert_int_eq(dev_id_alloc_new(&ia, 0, 10), -ENOMEM);
	countdown = -1;
	ck_assert_int_eq(dev_id_alloc_new(&ia, 0, 10), 0);
	countdown = 0;
	ck_assert_int_eq(dev_id_alloc_clone(ia, &ib), -ENOMEM);
	countdown = -1;
	ck_assert_ptr_null(ib);
	dev_id_alloc_destroy(ia);
}
END_TEST

static Suite *nomem_suite(void)
{
	Suite *s = suite_create("dev_nomem");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, building_blocks);
	tcase_add_test(tc, manager_ops);
	tcase_add_test(tc, resources_and_restore);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(nomem_suite)

#else /* NOMEM_SKIP */

int main(void)
{
	printf("1..0 # SKIP malloc interposition is not possible under sanitizers\n");
	return 0;
}

#endif
