/* devices/core DeviceManager under concurrency: vCPU-like reader threads
 * dispatch while another thread registers, moves and removes devices, and
 * devices move themselves from inside their handlers. A device's release()
 * frees its state, so an access after release is a use-after-free that
 * ASan reports; the handlers also check it by hand. Run clean under ASan
 * (--enable-sanitizers) and TSan (--enable-tsan). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/dev.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_dev_model.h"

#define ALIVE 0x600dull
#define NREADERS 3
#define SLOTS 16
#define SLOT_SIZE 0x1000ull
#define WRITER_OPS 20000

struct shared {
	struct dev_manager *m;
	atomic_int stop;
	atomic_long errors, hits, misses, releases, registered, self_moves;
};

struct cdev {
	_Atomic uint64_t magic;
	atomic_int inside;
	_Atomic(struct dev_handle *) h;
	uint64_t len;
	int id;
	struct shared *sh;
};

static void check_alive(struct cdev *d)
{
	if (atomic_load(&d->magic) != ALIVE)
		atomic_fetch_add(&d->sh->errors, 1);
}

static void c_read(void *priv, uint64_t base, uint64_t off, uint8_t *data, uint32_t len)
{
	struct cdev *d = priv;
	atomic_fetch_add(&d->inside, 1);
	check_alive(d);
	if (off + len > d->len || base % (SLOT_SIZE / 2))
		atomic_fetch_add(&d->sh->errors, 1);
	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)d->id;
	check_alive(d);
	atomic_fetch_sub(&d->inside, 1);
}

static void c_write(void *priv, uint64_t base, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct cdev *d = priv;
	atomic_fetch_add(&d->inside, 1);
	check_alive(d);
	struct dev_handle *h = atomic_load(&d->h);
	if (h && data[0] < SLOTS) {
		/* "the guest reprogrammed my BAR": move from inside the handler */
		int rc = dev_handle_update(h, data[0] * SLOT_SIZE, d->len);
		if (rc == 0)
			atomic_fetch_add(&d->sh->self_moves, 1);
		else if (rc != -EEXIST && rc != -ENOENT)
			atomic_fetch_add(&d->sh->errors, 1);
	}
	atomic_fetch_sub(&d->inside, 1);
}

static void c_release(void *priv)
{
	struct cdev *d = priv;
	if (atomic_load(&d->inside) != 0 || atomic_load(&d->magic) != ALIVE)
		atomic_fetch_add(&d->sh->errors, 1);
	atomic_store(&d->magic, 0xdeadull);
	atomic_fetch_add(&d->sh->releases, 1);
	free(d);
}

static const struct dev_ops cops = {c_read, c_write, c_release};

static void *reader(void *arg)
{
	struct shared *sh = arg;
	struct tprng r = {0x1234567ull + (uint64_t)(uintptr_t)&r};
	uint8_t buf[8];
	while (!atomic_load(&sh->stop)) {
		uint64_t addr = tprng_below(&r, SLOTS * SLOT_SIZE / 4) * 4;
		int rc;
		if (tprng_below(&r, 64) == 0) {
			buf[0] = (uint8_t)tprng_below(&r, SLOTS);
			rc = dev_manager_write(sh->m, DEV_BUS_MMIO, addr, buf, 1);
		} else {
			rc = dev_manager_read(sh->m, DEV_BUS_MMIO, addr, buf, 4);
		}
		if (rc == 0)
			atomic_fetch_add_explicit(&sh->hits, 1, memory_order_relaxed);
		else if (rc == 1)
			atomic_fetch_add_explicit(&sh->misses, 1, memory_order_relaxed);
		else
			atomic_fetch_add(&sh->errors, 1);
	}
	return NULL;
}

START_TEST(readers_vs_register_move_remove)
{
	static struct shared sh;
	memset(&sh, 0, sizeof(sh));
	ck_assert_int_eq(dev_manager_new(&sh.m, NULL), 0);
	pthread_t th[NREADERS];
	for (int i = 0; i < NREADERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, reader, &sh), 0);
	struct dev_handle *live[64];
	int nlive = 0, next_id = 1;
	struct tprng r = {0x77aa55ull};
	/* At least WRITER_OPS, and on until the readers have hit, missed and
	 * moved a device (a loaded machine may schedule them late). */
	for (int op = 0; op < WRITER_OPS || ((!atomic_load(&sh.hits) || !atomic_load(&sh.misses) ||
					      !atomic_load(&sh.self_moves)) &&
					     op < 100 * WRITER_OPS);
	     op++) {
		int what = (int)tprng_below(&r, 3);
		uint64_t base = tprng_below(&r, SLOTS * 2) * (SLOT_SIZE / 2);
		uint64_t len = tprng_below(&r, 2) ? SLOT_SIZE / 2 : SLOT_SIZE;
		if (what == 0 && nlive < 64) {
			struct cdev *d = calloc(1, sizeof(*d));
			atomic_init(&d->magic, ALIVE);
			d->len = len;
			d->id = next_id++;
			d->sh = &sh;
			struct dev_handle *h;
			int rc = dev_manager_register(sh.m, DEV_BUS_MMIO, base, len, &cops, d, &h);
			if (rc == 0) {
				atomic_store(&d->h, h);
				live[nlive++] = h;
				atomic_fetch_add(&sh.registered, 1);
			} else {
				ck_assert_int_eq(rc, -EEXIST);
				free(d);
			}
		} else if (what == 1 && nlive) {
			int i = (int)tprng_below(&r, (uint64_t)nlive);
			uint64_t cur;
			ck_assert_int_eq(dev_handle_range(live[i], NULL, NULL, &cur), 0);
			int rc = dev_manager_update(sh.m, live[i], base, cur);
			ck_assert(rc == 0 || rc == -EEXIST);
		} else if (what == 2 && nlive) {
			int i = (int)tprng_below(&r, (uint64_t)nlive);
			ck_assert_int_eq(dev_manager_unregister(sh.m, live[i]), 0);
			live[i] = live[--nlive];
		}
		if (op % 1024 == 0)
			sched_yield();
	}
	atomic_store(&sh.stop, 1);
	for (int i = 0; i < NREADERS; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(dev_manager_synchronize(sh.m), 0);
	/* everything unregistered has been released, exactly once */
	ck_assert_int_eq(atomic_load(&sh.releases), atomic_load(&sh.registered) - nlive);
	dev_manager_free(sh.m);
	ck_assert_int_eq(atomic_load(&sh.releases), atomic_load(&sh.registered));
	ck_assert_int_eq(atomic_load(&sh.errors), 0);
	ck_assert_int_gt(atomic_load(&sh.hits), 0);
	ck_assert_int_gt(atomic_load(&sh.misses), 0);
	ck_assert_int_gt(atomic_load(&sh.self_moves), 0);
}
END_TEST

/* Deterministic: release() waits for an access that is inside the device. */
struct gate {
	atomic_int entered, go, released;
	struct dev_manager *m;
};

static void g_read(void *priv, uint64_t base, uint64_t off, uint8_t *data, uint32_t len)
{
	struct gate *g = priv;
	atomic_store(&g->entered, 1);
	while (!atomic_load(&g->go))
		sched_yield();
	if (atomic_load(&g->released))
		atomic_store(&g->released, 99); /* released while inside: fail */
	memset(data, 0x5a, len);
}

static void g_release(void *priv)
{
	struct gate *g = priv;
	atomic_fetch_add(&g->released, 1);
}

static void *g_reader(void *arg)
{
	struct gate *g = arg;
	uint8_t d[4];
	long rc = dev_manager_read(g->m, DEV_BUS_MMIO, 0x2000, d, 4);
	return (void *)rc;
}

START_TEST(release_waits_for_access_inside)
{
	static const struct dev_ops gops = {g_read, NULL, g_release};
	static struct gate g;
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(dev_manager_new(&g.m, NULL), 0);
	struct dev_handle *h;
	ck_assert_int_eq(dev_manager_register(g.m, DEV_BUS_MMIO, 0x2000, 0x100, &gops, &g, &h), 0);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, g_reader, &g), 0);
	while (!atomic_load(&g.entered))
		sched_yield();
	ck_assert_int_eq(dev_manager_unregister(g.m, h), 0);
	/* the reader is inside: nothing may be released yet */
	for (int i = 0; i < 100; i++)
		sched_yield();
	ck_assert_int_eq(atomic_load(&g.released), 0);
	ck_assert_uint_gt(dev_manager_pending(g.m), 0);
	uint8_t d[4];
	ck_assert_int_eq(dev_manager_read(g.m, DEV_BUS_MMIO, 0x2000, d, 4),
			 1); /* new accesses miss */
	ck_assert_int_eq(atomic_load(&g.released), 0);
	atomic_store(&g.go, 1);
	void *ret;
	pthread_join(t, &ret);
	ck_assert_int_eq((long)ret, 0);
	ck_assert_int_eq(dev_manager_synchronize(g.m), 0);
	ck_assert_int_eq(atomic_load(&g.released), 1);
	dev_manager_free(g.m);
	ck_assert_int_eq(atomic_load(&g.released), 1);
}
END_TEST

static Suite *thr_suite(void)
{
	Suite *s = suite_create("dev_threads");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, release_waits_for_access_inside);
	tcase_add_test(tc, readers_vs_register_move_remove);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(thr_suite)
