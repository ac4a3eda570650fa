/* devices/core DeviceManager: registration, dispatch, unregister, update
 * (also from inside a handler), counters, log callback, and a randomized
 * test against a list model of the bus. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/dev.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_dev_model.h"

struct tdev {
	int id;
	int reads, writes, released;
	uint64_t last_base, last_off;
	uint32_t last_len;
	uint8_t last_data[8];
	struct dev_manager *m; /* only for the self-unregister test */
	struct dev_handle *h;
	uint64_t move_to;
	int in_handler_rc[2];
	int released_inside;
	int *release_counter;
};

static void t_read(void *priv, uint64_t base, uint64_t off, uint8_t *data, uint32_t len)
{
	struct tdev *d = priv;
	d->reads++;
	d->last_base = base;
	d->last_off = off;
	d->last_len = len;
	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)(d->id + i);
}

static void t_write(void *priv, uint64_t base, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct tdev *d = priv;
	d->writes++;
	d->last_base = base;
	d->last_off = off;
	d->last_len = len;
	memcpy(d->last_data, data, len);
	if (data[0] == 0xaa) /* "reprogram my BAR" */
		d->in_handler_rc[0] = dev_handle_update(d->h, d->move_to, 0x100);
	if (data[0] == 0xbb) { /* remove myself */
		d->in_handler_rc[0] = dev_manager_unregister(d->m, d->h);
		d->in_handler_rc[1] = dev_manager_unregister(d->m, d->h);
		d->released_inside = d->released;
	}
}

static void t_release(void *priv)
{
	struct tdev *d = priv;
	d->released++;
	if (d->release_counter)
		(*d->release_counter)++;
}

static const struct dev_ops tops = {t_read, t_write, t_release};

static struct dev_manager *mk(void)
{
	struct dev_manager *m = NULL;
	ck_assert_int_eq(dev_manager_new(&m, NULL), 0);
	return m;
}

START_TEST(register_and_dispatch)
{
	struct dev_manager *m = mk();
	struct tdev a = {.id = 0x10}, p = {.id = 0x40};
	struct dev_handle *ha, *hp;
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x1000, 0x100, &tops, &a, &ha), 0);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_PIO, 0x3f8, 8, &tops, &p, &hp), 0);
	uint8_t d[8];
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x1010, d, 4), 0);
	ck_assert_uint_eq(a.last_base, 0x1000);
	ck_assert_uint_eq(a.last_off, 0x10);
	ck_assert_uint_eq(a.last_len, 4);
	ck_assert_uint_eq(d[0], 0x10);
	ck_assert_uint_eq(d[3], 0x13);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x10f8, d, 8), 0);
	uint8_t w[4] = {1, 2, 3, 4};
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_PIO, 0x3fc, w, 2), 0);
	ck_assert_int_eq(p.writes, 1);
	ck_assert_uint_eq(p.last_off, 4);
	ck_assert_mem_eq(p.last_data, w, 2);
	/* the same address on the other bus is a different thing */
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_PIO, 0x1010, d, 4), 1);
	/* bad lengths, bad bus, NULL data */
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_PIO, 0x3f8, d, 8), -EINVAL);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x1000, d, 3), -EINVAL);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x1000, d, 0), -EINVAL);
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, 0x1000, NULL, 4), -EINVAL);
	ck_assert_int_eq(dev_manager_read(m, (enum dev_bus_kind)2, 0x1000, d, 4), -EINVAL);
	struct dev_bus_stats st;
	ck_assert_int_eq(dev_manager_stats(m, DEV_BUS_MMIO, &st), 0);
	ck_assert_uint_eq(st.bad_access, 3);
	ck_assert_uint_eq(st.devices, 1);
	ck_assert_int_eq(dev_manager_stats(m, DEV_BUS_PIO, &st), 0);
	ck_assert_uint_eq(st.bad_access, 1);
	ck_assert_uint_eq(st.unhandled_reads, 1);
	ck_assert_int_eq(dev_manager_stats(m, (enum dev_bus_kind)9, &st), -EINVAL);
	ck_assert_int_eq(a.reads, 2);
	dev_manager_free(m);
	/* free releases what is still registered */
	ck_assert_int_eq(a.released, 1);
	ck_assert_int_eq(p.released, 1);
	dev_manager_free(NULL);
}
END_TEST

START_TEST(register_errors)
{
	struct dev_manager *m = mk();
	struct tdev a = {.id = 1}, b = {.id = 2};
	struct dev_handle *h, *h2;
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x1000, 0x100, &tops, &a, &h), 0);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x10ff, 1, &tops, &b, &h2), -EEXIST);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0xf00, 0x101, &tops, &b, &h2),
			 -EEXIST);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0, UINT64_MAX, &tops, &b, &h2),
			 -EEXIST);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x2000, 0, &tops, &b, &h2), -EINVAL);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, UINT64_MAX, 2, &tops, &b, &h2),
			 -EOVERFLOW);
	ck_assert_int_eq(dev_manager_register(m, (enum dev_bus_kind)3, 0x2000, 1, &tops, &b, &h2),
			 -EINVAL);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x2000, 1, NULL, &b, &h2), -EINVAL);
	struct dev_bus_stats st;
	dev_manager_stats(m, DEV_BUS_MMIO, &st);
	ck_assert_uint_eq(st.devices, 1); /* nothing half-registered */
	/* adjacent is fine, and the very top of the address space works */
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x1100, 0x100, &tops, &b, &h2), 0);
	struct tdev t = {.id = 0x70};
	ck_assert_int_eq(
	    dev_manager_register(m, DEV_BUS_MMIO, UINT64_MAX - 0xfff, 0x1000, &tops, &t, &h2), 0);
	uint8_t d[8];
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, UINT64_MAX, d, 1), 0);
	ck_assert_uint_eq(t.last_off, 0xfff);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, UINT64_MAX - 7, d, 8), 0);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, UINT64_MAX - 3, d, 8),
			 -EINVAL); /* wraps */
	dev_manager_free(m);
	ck_assert_int_eq(b.released, 1); /* released once although registered once only */
	ck_assert_int_eq(t.released, 1);
}
END_TEST

struct logrec {
	int calls;
	enum dev_log_level level;
	char msg[160];
};

static void t_log(void *ctx, enum dev_log_level level, const char *msg)
{
	struct logrec *l = ctx;
	l->calls++;
	l->level = level;
	strncpy(l->msg, msg, sizeof(l->msg) - 1);
}

START_TEST(unhandled_and_crossing)
{
	struct logrec lr = {0};
	struct dev_manager_config cfg;
	dev_manager_config_default(&cfg);
	cfg.log = t_log;
	cfg.log_ctx = &lr;
	struct dev_manager *m = NULL;
	ck_assert_int_eq(dev_manager_new(&m, &cfg), 0);
	struct tdev a = {.id = 1};
	struct dev_handle *h;
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x1000, 0x10, &tops, &a, &h), 0);
	uint8_t d[8] = {0};
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x2000, d, 4), 1);
	ck_assert_uint_eq(d[0] & d[1] & d[2] & d[3], 0xff);
	ck_assert_int_eq(lr.calls, 1);
	ck_assert_int_eq(lr.level, DEV_LOG_DEBUG);
	ck_assert_ptr_nonnull(strstr(lr.msg, "no device"));
	ck_assert_ptr_nonnull(strstr(lr.msg, "0x2000"));
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, 0x2000, d, 4), 1);
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, 0xfff, d, 1), 1);
	/* crossing the end, and starting in a hole but ending inside */
	memset(d, 0, sizeof(d));
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x100e, d, 4), -EINVAL);
	ck_assert_uint_eq(d[0], 0xff);
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, 0xffe, d, 4), -EINVAL);
	ck_assert_ptr_nonnull(strstr(lr.msg, "refused"));
	ck_assert_int_eq(a.reads + a.writes, 0);
	struct dev_bus_stats st;
	dev_manager_stats(m, DEV_BUS_MMIO, &st);
	ck_assert_uint_eq(st.unhandled_reads, 1);
	ck_assert_uint_eq(st.unhandled_writes, 2);
	ck_assert_uint_eq(st.crossing, 2);
	ck_assert_int_eq(lr.calls, 5);
	dev_manager_free(m);
}
END_TEST

START_TEST(unregister_releases)
{
	struct dev_manager *m = mk();
	struct tdev a = {.id = 1};
	struct dev_handle *h;
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_PIO, 0x60, 1, &tops, &a, &h), 0);
	uint8_t d[4];
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_PIO, 0x60, d, 1), 0);
	ck_assert_int_eq(dev_manager_unregister(m, h), 0);
	ck_assert_int_eq(dev_manager_synchronize(m), 0);
	ck_assert_int_eq(a.released, 1);
	ck_assert_uint_eq(dev_manager_pending(m), 0);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_PIO, 0x60, d, 1), 1);
	/* the range is free again */
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_PIO, 0x60, 1, &tops, &a, &h), 0);
	ck_assert_int_eq(dev_manager_unregister(NULL, h), -EINVAL);
	dev_manager_free(m);
	ck_assert_int_eq(a.released, 2);
}
END_TEST

START_TEST(unregister_self_from_handler)
{
	struct dev_manager *m = mk();
	struct tdev a = {.id = 1, .m = m};
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x1000, 0x100, &tops, &a, &a.h), 0);
	uint8_t cmd = 0xbb;
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, 0x1000, &cmd, 1), 0);
	ck_assert_int_eq(a.in_handler_rc[0], 0);
	ck_assert_int_eq(a.in_handler_rc[1], -ENOENT);
	ck_assert_int_eq(a.released_inside, 0); /* not released while inside */
	ck_assert_int_eq(a.released, 1);	/* released on the way out */
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, 0x1000, &cmd, 1), 1);
	dev_manager_free(m);
	ck_assert_int_eq(a.released, 1);
}
END_TEST

START_TEST(update_moves_atomically)
{
	struct dev_manager *m = mk();
	struct tdev a = {.id = 1}, b = {.id = 2};
	struct dev_handle *ha, *hb;
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x1000, 0x100, &tops, &a, &ha), 0);
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x4000, 0x100, &tops, &b, &hb), 0);
	uint8_t d[4];
	ck_assert_int_eq(dev_manager_update(m, ha, 0x8000, 0x100), 0);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x1000, d, 4), 1);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x8004, d, 4), 0);
	ck_assert_uint_eq(a.last_base, 0x8000);
	ck_assert_uint_eq(a.last_off, 4);
	/* overlapping its own old range, and resizing */
	ck_assert_int_eq(dev_manager_update(m, ha, 0x8080, 0x200), 0);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x8280 - 4, d, 4), 0);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x8000, d, 4), 1);
	/* onto another device: refused, old state intact */
	ck_assert_int_eq(dev_manager_update(m, ha, 0x3f80, 0x100), -EEXIST);
	ck_assert_int_eq(dev_manager_update(m, ha, 0x1000, 0), -EINVAL);
	ck_assert_int_eq(dev_manager_update(m, ha, UINT64_MAX, 2), -EOVERFLOW);
	enum dev_bus_kind bus;
	uint64_t base, len;
	ck_assert_int_eq(dev_handle_range(ha, &bus, &base, &len), 0);
	ck_assert_int_eq(bus, DEV_BUS_MMIO);
	ck_assert_uint_eq(base, 0x8080);
	ck_assert_uint_eq(len, 0x200);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x8080, d, 4), 0);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x4000, d, 4), 0);
	ck_assert_uint_eq(b.last_base, 0x4000);
	/* an unregistered device cannot be moved */
	ck_assert_int_eq(dev_manager_unregister(m, hb), 0);
	ck_assert_int_eq(dev_manager_update(m, ha, 0x4000, 0x100), 0); /* its old place is free */
	struct dev_manager *m2 = mk();
	ck_assert_int_eq(dev_manager_update(m2, ha, 0x9000, 0x100), -EINVAL); /* wrong manager */
	dev_manager_free(m2);
	dev_manager_free(m);
	ck_assert_int_eq(a.released, 1);
	ck_assert_int_eq(b.released, 1);
}
END_TEST

START_TEST(update_self_from_handler)
{
	struct dev_manager *m = mk();
	struct tdev a = {.id = 1, .move_to = 0xa000};
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0x1000, 0x100, &tops, &a, &a.h), 0);
	uint8_t cmd = 0xaa, d[4];
	ck_assert_int_eq(dev_manager_write(m, DEV_BUS_MMIO, 0x1000, &cmd, 1), 0);
	ck_assert_int_eq(a.in_handler_rc[0], 0);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0x1000, d, 4), 1);
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0xa000, d, 4), 0);
	ck_assert_int_eq(dev_handle_update(NULL, 0, 1), -EINVAL);
	dev_manager_synchronize(m);
	ck_assert_uint_eq(dev_manager_pending(m), 0);
	ck_assert_int_eq(a.released, 0);
	dev_manager_free(m);
	ck_assert_int_eq(a.released, 1);
}
END_TEST

START_TEST(register_alloc_and_move)
{
	struct dev_manager_config cfg;
	dev_manager_config_default(&cfg);
	cfg.mmio_base = 0xd0000000;
	cfg.mmio_size = 0x10000;
	struct dev_manager *m = NULL;
	ck_assert_int_eq(dev_manager_new(&m, &cfg), 0);
	struct tdev a = {.id = 1}, b = {.id = 2};
	struct dev_handle *ha, *hb, *hx;
	uint64_t ba, bb;
	ck_assert_int_eq(dev_manager_register_alloc(m, DEV_BUS_MMIO, 0, 0x1000, 0x1000,
						    DEV_ALLOC_FIRST_MATCH, 0, &tops, &a, &ha, &ba),
			 0);
	ck_assert_uint_eq(ba, 0xd0000000);
	ck_assert_int_eq(dev_manager_register_alloc(m, DEV_BUS_MMIO, 0, 0x1000, 0x1000,
						    DEV_ALLOC_LAST_MATCH, 0, &tops, &b, &hb, &bb),
			 0);
	ck_assert_uint_eq(bb, 0xd000f000);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, ba), 1);
	/* a fixed device sitting where the allocator would go next: the
	 * allocation succeeds, the bus registration refuses, nothing leaks */
	struct tdev c = {.id = 3};
	ck_assert_int_eq(dev_manager_register(m, DEV_BUS_MMIO, 0xd0001000, 0x1000, &tops, &c, &hx),
			 0);
	ck_assert_int_eq(dev_manager_register_alloc(m, DEV_BUS_MMIO, 0, 0x1000, 0x1000,
						    DEV_ALLOC_FIRST_MATCH, 0, &tops, &b, &hx, &bb),
			 -EEXIST);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xd0001000), 0);
	/* allocator errors come through; no 64-bit window configured */
	ck_assert_int_eq(dev_manager_register_alloc(m, DEV_BUS_MMIO, 0, 0x1000, 3,
						    DEV_ALLOC_FIRST_MATCH, 0, &tops, &b, &hx, &bb),
			 -EINVAL);
	ck_assert_int_eq(dev_manager_register_alloc(m, DEV_BUS_MMIO, 1, 0x1000, 1,
						    DEV_ALLOC_FIRST_MATCH, 0, &tops, &b, &hx, &bb),
			 -ENODEV);
	/* move: the allocation moves with the device */
	ck_assert_int_eq(dev_manager_update(m, ha, 0xd0004000, 0x1000), 0);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xd0004000), 1);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xd0000000), 0);
	/* overlapping move keeps a consistent reservation */
	ck_assert_int_eq(dev_manager_update(m, ha, 0xd0004800, 0x1000), 0);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xd00057ff), 1);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xd00047ff), 0);
	/* outside the window, or onto an allocated range: refused, old intact */
	ck_assert_int_eq(dev_manager_update(m, ha, 0xc0000000, 0x1000), -ERANGE);
	struct dev_res_req rq = {
	    .kind = DEV_RES_MMIO, .size = 0x1000, .fixed = 1, .addr = 0xd0008000};
	struct dev_resource rs;
	ck_assert_int_eq(dev_manager_alloc_resources(m, &rq, 1, &rs), 0);
	ck_assert_int_eq(dev_manager_update(m, ha, 0xd0008000, 0x1000), -EADDRINUSE);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xd0004800), 1);
	uint8_t d[4];
	ck_assert_int_eq(dev_manager_read(m, DEV_BUS_MMIO, 0xd0004800, d, 4), 0);
	ck_assert_uint_eq(a.last_base, 0xd0004800);
	/* unregister gives the range back */
	ck_assert_int_eq(dev_manager_unregister(m, ha), 0);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xd0004800), 0);
	dev_manager_free(m);
	ck_assert_int_eq(a.released + b.released + c.released, 3);
}
END_TEST

START_TEST(new_errors)
{
	struct dev_manager_config cfg;
	dev_manager_config_default(&cfg);
	struct dev_manager *m = NULL;
	cfg.gsi_first = UINT32_MAX;
	ck_assert_int_eq(dev_manager_new(&m, &cfg), -EOVERFLOW);
	dev_manager_config_default(&cfg);
	cfg.mmio_base = UINT64_MAX;
	ck_assert_int_eq(dev_manager_new(&m, &cfg), -EOVERFLOW);
	dev_manager_config_default(&cfg);
	cfg.id_count = UINT32_MAX;
	ck_assert_int_eq(dev_manager_new(&m, &cfg), -EINVAL);
	ck_assert_int_eq(dev_manager_new(NULL, &cfg), -EINVAL);
	ck_assert_ptr_null(m);
}
END_TEST

/* Randomized: the manager's MMIO bus against a list model. */
#define MAXD 64
struct mdev {
	struct tdev t;
	struct dev_handle *h;
	uint64_t base, last;
	int live;
};

static int model_hit(struct mdev *d, int n, uint64_t a, uint64_t l, int skip)
{
	/* -2: crossing, -1: none, else the index holding [a, l] */
	for (int i = 0; i < n; i++) {
		if (!d[i].live || i == skip || d[i].last < a || d[i].base > l)
			continue;
		return (d[i].base <= a && d[i].last >= l) ? i : -2;
	}
	return -1;
}

START_TEST(randomized_vs_model)
{
	static struct mdev d[MAXD];
	memset(d, 0, sizeof(d));
	int releases = 0, unregs = 0;
	struct tprng r = {0xdeadbeef1234ull};
	struct dev_manager *m = mk();
	for (int op = 0; op < 120000; op++) {
		int what = (int)tprng_below(&r, 10);
		int i = (int)tprng_below(&r, MAXD);
		uint64_t a = tprng_below(&r, 0x4000), len = 1 + tprng_below(&r, 0x200);
		if (what == 0 && !d[i].live) {
			d[i].t = (struct tdev){.id = i, .release_counter = &releases};
			int want = model_hit(d, MAXD, a, a + len - 1, -1) == -1 ? 0 : -EEXIST;
			int rc =
			    dev_manager_register(m, DEV_BUS_MMIO, a, len, &tops, &d[i].t, &d[i].h);
			ck_assert_int_eq(rc, want);
			if (!rc) {
				d[i].base = a;
				d[i].last = a + len - 1;
				d[i].live = 1;
			}
		} else if (what == 1 && d[i].live) {
			ck_assert_int_eq(dev_manager_unregister(m, d[i].h), 0);
			d[i].live = 0;
			unregs++;
		} else if (what == 2 && d[i].live) {
			int want = model_hit(d, MAXD, a, a + len - 1, i) == -1 ? 0 : -EEXIST;
			ck_assert_int_eq(dev_manager_update(m, d[i].h, a, len), want);
			if (!want) {
				d[i].base = a;
				d[i].last = a + len - 1;
			}
		} else {
			static const uint32_t lens[] = {1, 2, 4, 8};
			uint32_t l = lens[tprng_below(&r, 4)];
			uint8_t buf[8];
			int want = model_hit(d, MAXD, a, a + l - 1, -1);
			int rc = dev_manager_read(m, DEV_BUS_MMIO, a, buf, l);
			if (want == -1) {
				ck_assert_int_eq(rc, 1);
				ck_assert_uint_eq(buf[0], 0xff);
			} else if (want == -2) {
				ck_assert_int_eq(rc, -EINVAL);
			} else {
				ck_assert_int_eq(rc, 0);
				ck_assert_uint_eq(buf[0], (uint8_t)want);
				ck_assert_uint_eq(d[want].t.last_base, d[want].base);
				ck_assert_uint_eq(d[want].t.last_off, a - d[want].base);
			}
		}
	}
	ck_assert_int_eq(releases, unregs); /* every unregister released, once */
	dev_manager_free(m);
	int live = 0;
	for (int i = 0; i < MAXD; i++)
		live += d[i].live;
	ck_assert_int_eq(releases, unregs + live);
}
END_TEST

static Suite *mgr_suite(void)
{
	Suite *s = suite_create("dev_manager");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, register_and_dispatch);
	tcase_add_test(tc, register_errors);
	tcase_add_test(tc, unhandled_and_crossing);
	tcase_add_test(tc, unregister_releases);
	tcase_add_test(tc, unregister_self_from_handler);
	tcase_add_test(tc, update_moves_atomically);
	tcase_add_test(tc, update_self_from_handler);
	tcase_add_test(tc, register_alloc_and_move);
	tcase_add_test(tc, new_errors);
	tcase_add_test(tc, randomized_vs_model);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(mgr_suite)
