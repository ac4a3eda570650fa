/* mem/ address space: priorities, equal-priority refusal, mappings from a
 * file, listener deltas and batches, MMIO dispatch with attributes, split
 * accesses, endian load/store, try_access, pins that outlive an unmap, and
 * readers racing a writer (run under TSan by make check-threads). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmm-mem/as.h>

#include "tests/unit/harness.h"

#define PG 4096u

static struct gm_asregion *ram(const char *n, uint64_t len, int prio, char fill)
{
	struct gm_asregion *r;
	ck_assert_int_eq(gm_asregion_new_ram(&r, n, len, prio), 0);
	ck_assert_int_eq(gm_asregion_add_mapping(r, 0, len, -1, 0, true), 0);
	memset(gm_asregion_host(r, 0), fill, len);
	return r;
}

START_TEST(priority_overlap)
{
	struct gm_as *as;
	ck_assert_int_eq(gm_as_new(&as), 0);
	struct gm_asregion *lo = ram("lo", 4 * PG, 0, 'l'), *hi = ram("hi", PG, 1, 'h');
	struct gm_asregion *eq = ram("eq", PG, 0, 'e');
	ck_assert_int_eq(gm_as_map(as, lo, 0), 0);
	ck_assert_int_eq(gm_as_map(as, hi, PG), 0);
	ck_assert_int_eq(gm_as_map(as, eq, 3 * PG), -EBUSY);
	ck_assert_int_eq(gm_as_map(as, hi, 0), -EALREADY);
	ck_assert_int_eq(gm_as_map(as, eq, UINT64_MAX - 10), -EINVAL);
	struct gm_flatview *v = gm_as_view_get(as);
	ck_assert_uint_eq(gm_flatview_count(v), 3);
	ck_assert_ptr_eq(gm_flatview_find(v, PG)->region, hi);
	ck_assert_ptr_eq(gm_flatview_find(v, 2 * PG)->region, lo);
	ck_assert_uint_eq(gm_flatview_find(v, 2 * PG)->region_off, 2 * PG);
	gm_flatview_put(v);
	uint8_t b[3 * PG];
	ck_assert_int_eq(gm_as_rw(as, 0, b, sizeof(b), false, NULL), GM_AS_OK);
	ck_assert_int_eq(b[0], 'l');
	ck_assert_int_eq(b[PG], 'h');
	ck_assert_int_eq(b[2 * PG], 'l');
	ck_assert_int_eq(gm_as_move(as, hi, 3 * PG), 0);
	ck_assert_int_eq(gm_as_rw(as, PG, b, 1, false, NULL), GM_AS_OK);
	ck_assert_int_eq(b[0], 'l');
	ck_assert_int_eq(gm_as_set_priority(as, hi, -1), 0);
	ck_assert_int_eq(gm_as_rw(as, 3 * PG, b, 1, false, NULL), GM_AS_OK);
	ck_assert_int_eq(b[0], 'l');
	ck_assert_int_eq(gm_as_set_priority(as, hi, 0), -EBUSY);
	ck_assert_int_eq(gm_as_rw(as, 4 * PG, b, 1, false, NULL), GM_AS_DECODE_ERROR);
	ck_assert_int_eq(gm_asregion_free(lo), -EBUSY);
	ck_assert_int_eq(gm_as_unmap(as, lo), 0);
	ck_assert_int_eq(gm_as_unmap(as, lo), -ENOENT);
	ck_assert_int_eq(gm_as_rw(as, 3 * PG, b, 1, false, NULL), GM_AS_OK);
	ck_assert_int_eq(b[0], 'h');
	ck_assert_int_eq(gm_as_unmap(as, hi), 0);
	gm_as_free(as);
	gm_asregion_free(lo);
	gm_asregion_free(hi);
	gm_asregion_free(eq);
}
END_TEST

START_TEST(file_mapping_and_ro)
{
	char path[] = "/tmp/test_mem_as_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, 4 * PG), 0);
	struct gm_asregion *r;
	ck_assert_int_eq(gm_asregion_new_ram(&r, "dax", 4 * PG, 0), 0);
	ck_assert_int_eq(gm_asregion_add_mapping(r, 0, PG, fd, 2 * PG, true), 0);
	ck_assert_int_eq(gm_asregion_add_mapping(r, 2 * PG, PG, fd, 0, false), 0);
	ck_assert_int_eq(gm_asregion_add_mapping(r, 0, PG, fd, 0, true), -EEXIST);
	ck_assert_int_eq(gm_asregion_add_mapping(r, 3 * PG, 2 * PG, -1, 0, true), -EINVAL);
	ck_assert_int_eq(gm_asregion_add_mapping(r, 1, PG, -1, 0, true), -EINVAL);
	struct gm_as *as;
	ck_assert_int_eq(gm_as_new(&as), 0);
	ck_assert_int_eq(gm_as_map(as, r, 0x10000), 0);
	ck_assert_int_eq(gm_as_store(as, 0x10008, 4, GM_AS_LITTLE, 0x11223344, NULL), GM_AS_OK);
	uint8_t fb[4];
	ck_assert_int_eq(pread(fd, fb, 4, 2 * PG + 8), 4);
	ck_assert_int_eq(fb[0], 0x44);
	ck_assert_int_eq(fb[3], 0x11);
	ck_assert_int_eq(gm_as_store(as, 0x10000 + 2 * PG, 1, GM_AS_NATIVE, 1, NULL),
			 GM_AS_ACCESS_DENIED);
	ck_assert_int_eq(gm_as_try_access(as, 0x10000 + 2 * PG, 8, true, NULL),
			 GM_AS_ACCESS_DENIED);
	ck_assert_int_eq(gm_as_try_access(as, 0x10000 + 2 * PG, 8, false, NULL), GM_AS_OK);
	ck_assert_int_eq(gm_as_try_access(as, 0x10000, 2 * PG, false, NULL), GM_AS_DECODE_ERROR);
	/* remove a mapping: the hole decodes nowhere after update */
	ck_assert_int_eq(gm_asregion_remove_mapping(r, 0), 0);
	ck_assert_int_eq(gm_asregion_remove_mapping(r, 0), -ENOENT);
	ck_assert_int_eq(gm_as_update(as), 0);
	ck_assert_int_eq(gm_as_try_access(as, 0x10000, 1, false, NULL), GM_AS_DECODE_ERROR);
	ck_assert_int_eq(gm_as_unmap(as, r), 0);
	gm_as_free(as);
	ck_assert_int_eq(gm_asregion_free(r), 0);
	close(fd);
}
END_TEST

struct dev {
	uint8_t regs[64];
	unsigned nread, nwrite, last_size;
	uint32_t last_rid;
};

static enum gm_as_result dev_read(void *o, uint64_t off, unsigned size, uint64_t *val,
				  const struct gm_as_attrs *at)
{
	struct dev *d = o;
	if (!at->unspecified && at->user)
		return GM_AS_ACCESS_DENIED;
	d->nread++;
	d->last_size = size;
	*val = 0;
	memcpy(val, d->regs + off, size);
	return GM_AS_OK;
}

static enum gm_as_result dev_write(void *o, uint64_t off, unsigned size, uint64_t val,
				   const struct gm_as_attrs *at)
{
	struct dev *d = o;
	d->nwrite++;
	d->last_size = size;
	d->last_rid = at->requester_id;
	memcpy(d->regs + off, &val, size);
	return GM_AS_OK;
}

static const struct gm_asregion_ops dev_ops = {dev_read, dev_write};

START_TEST(mmio_dispatch)
{
	struct gm_as *as;
	ck_assert_int_eq(gm_as_new(&as), 0);
	struct dev d = {0};
	struct gm_asregion *m, *r = ram("ram", PG, 0, 'r');
	ck_assert_int_eq(gm_asregion_new_mmio(&m, "dev", 64, 1, &dev_ops, &d), 0);
	ck_assert_int_eq(gm_as_map(as, r, 0), 0);
	ck_assert_int_eq(gm_as_map(as, m, PG - 32), 0);
	struct gm_as_attrs at = {.requester_id = 0x42};
	ck_assert_int_eq(gm_as_store(as, PG - 32, 4, GM_AS_BIG, 0x01020304, &at), GM_AS_OK);
	ck_assert_int_eq(d.regs[0], 1);
	ck_assert_int_eq(d.regs[3], 4);
	ck_assert_uint_eq(d.last_size, 4);
	ck_assert_uint_eq(d.last_rid, 0x42);
	uint64_t v;
	ck_assert_int_eq(gm_as_load(as, PG - 32, 4, GM_AS_BIG, &v, &at), GM_AS_OK);
	ck_assert_uint_eq(v, 0x01020304);
	ck_assert_int_eq(gm_as_load(as, PG - 32, 2, GM_AS_LITTLE, &v, &at), GM_AS_OK);
	ck_assert_uint_eq(v, 0x0201);
	ck_assert_int_eq(gm_as_load(as, PG - 32, 3, GM_AS_LITTLE, &v, &at), GM_AS_DECODE_ERROR);
	struct gm_as_attrs user = {.user = true};
	ck_assert_int_eq(gm_as_load(as, PG - 32, 8, GM_AS_NATIVE, &v, &user), GM_AS_ACCESS_DENIED);
	/* an access spanning RAM then MMIO splits: 2 bytes RAM + 6 MMIO (4+2) */
	uint8_t buf[8];
	d.nread = 0;
	ck_assert_int_eq(gm_as_rw(as, PG - 34, buf, 8, false, &at), GM_AS_OK);
	ck_assert_int_eq(buf[0], 'r');
	ck_assert_int_eq(buf[2], 1);
	ck_assert_uint_eq(d.nread, 2);
	/* past the device and the RAM page: nothing decodes */
	ck_assert_int_eq(gm_as_rw(as, PG + 40, buf, 1, false, &at), GM_AS_DECODE_ERROR);
	ck_assert_int_eq(gm_as_read_u64(as, PG - 32, &v), GM_AS_DECODE_ERROR);
	ck_assert_int_eq(gm_as_read_u64(as, 8, &v), GM_AS_OK);
	ck_assert_uint_eq(v, 0x7272727272727272ull);
	gm_as_free(as);
	gm_asregion_free(m);
	gm_asregion_free(r);
}
END_TEST

struct rec {
	char log[64][40];
	int n, batches;
};

static void l_begin(void *o)
{
	((struct rec *)o)->batches++;
}
static void l_add(void *o, const struct gm_flatview_section *s)
{
	struct rec *r = o;
	if (r->n < 64)
		snprintf(r->log[r->n++], 40, "+%llx:%llx:%d", (unsigned long long)s->gpa,
			 (unsigned long long)s->size, s->readonly);
}
static void l_del(void *o, const struct gm_flatview_section *s)
{
	struct rec *r = o;
	if (r->n < 64)
		snprintf(r->log[r->n++], 40, "-%llx:%llx", (unsigned long long)s->gpa,
			 (unsigned long long)s->size);
}

START_TEST(listener_delta)
{
	struct gm_as *as;
	ck_assert_int_eq(gm_as_new(&as), 0);
	struct gm_asregion *a = ram("a", 4 * PG, 0, 'a'), *b = ram("b", PG, 1, 'b');
	struct gm_asregion *c = ram("c", PG, 0, 'c');
	gm_as_begin(as);
	ck_assert_int_eq(gm_as_map(as, a, 0), 0);
	ck_assert_int_eq(gm_as_map(as, c, 8 * PG), 0);
	ck_assert_int_eq(gm_as_commit(as), 0);
	ck_assert_int_eq(gm_as_commit(as), -EINVAL);
	struct rec rec = {0};
	struct gm_as_listener l = {l_begin, l_del, l_add, NULL, &rec};
	ck_assert_int_eq(gm_as_listener_add(as, &l), 0);
	ck_assert_int_eq(gm_as_listener_add(as, &l), -EEXIST);
	ck_assert_int_eq(rec.batches, 1);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_str_eq(rec.log[0], "+0:4000:0");
	ck_assert_str_eq(rec.log[1], "+8000:1000:0");
	struct gm_flatview *v0 = gm_as_view_get(as);
	uint64_t cid = gm_flatview_find(v0, 8 * PG)->id;
	gm_flatview_put(v0);
	rec.n = 0;
	ck_assert_int_eq(gm_as_map(as, b, PG), 0);
	ck_assert_int_eq(rec.batches, 2);
	ck_assert_int_eq(rec.n, 4); /* c untouched */
	ck_assert_str_eq(rec.log[0], "-0:4000");
	ck_assert_str_eq(rec.log[1], "+0:1000:0");
	ck_assert_str_eq(rec.log[2], "+1000:1000:0");
	ck_assert_str_eq(rec.log[3], "+2000:2000:0");
	struct gm_flatview *v1 = gm_as_view_get(as);
	ck_assert_uint_eq(gm_flatview_find(v1, 8 * PG)->id, cid);
	ck_assert_uint_ne(gm_flatview_find(v1, 0)->id, gm_flatview_find(v1, 2 * PG)->id);
	gm_flatview_put(v1);
	/* a batch of two changes gives one delta */
	rec.n = 0;
	gm_as_begin(as);
	ck_assert_int_eq(gm_as_unmap(as, b), 0);
	ck_assert_int_eq(gm_as_unmap(as, c), 0);
	ck_assert_int_eq(gm_as_commit(as), 0);
	ck_assert_int_eq(rec.batches, 3);
	ck_assert_int_eq(rec.n, 5);
	ck_assert_str_eq(rec.log[3], "-8000:1000");
	ck_assert_str_eq(rec.log[4], "+0:4000:0");
	ck_assert_int_eq(gm_as_listener_remove(as, &l), 0);
	ck_assert_int_eq(gm_as_listener_remove(as, &l), -ENOENT);
	gm_as_free(as);
	gm_asregion_free(a);
	gm_asregion_free(b);
	gm_asregion_free(c);
}
END_TEST

START_TEST(pin_outlives_unmap)
{
	struct gm_as *as;
	ck_assert_int_eq(gm_as_new(&as), 0);
	struct gm_asregion *r = ram("r", 2 * PG, 0, 'p');
	ck_assert_int_eq(gm_as_map(as, r, 0), 0);
	struct gm_as_pin p;
	ck_assert_int_eq(gm_as_pin(as, 2 * PG - 8, 16, false, &p), -EFAULT);
	ck_assert_int_eq(gm_as_pin(as, PG, PG, true, &p), 0);
	ck_assert_int_eq(gm_as_unmap(as, r), 0);
	ck_assert_int_eq(gm_asregion_remove_mapping(r, 0), 0);
	ck_assert_int_eq(gm_asregion_free(r), 0);
	gm_as_free(as);
	/* the mapping is still alive through the pin */
	volatile uint8_t *h = p.host;
	ck_assert_int_eq(h[0], 'p');
	h[PG - 1] = 1;
	gm_as_unpin(&p);
	ck_assert_ptr_null(p.host);
}
END_TEST

struct race {
	struct gm_as *as;
	atomic_int stop;
	unsigned long hits;
};

static void *reader(void *arg)
{
	struct race *rc = arg;
	while (!atomic_load(&rc->stop)) {
		uint64_t v;
		if (gm_as_read_u64(rc->as, 0, &v) == GM_AS_OK) {
			ck_assert(v == 0x6161616161616161ull || v == 0x6262626262626262ull);
			(void)0;
		}
		struct gm_as_pin p;
		if (gm_as_pin(rc->as, 8, 8, false, &p) == 0) {
			uint8_t c = ((volatile uint8_t *)p.host)[0];
			ck_assert(c == 'a' || c == 'b');
			gm_as_unpin(&p);
		}
	}
	return NULL;
}

START_TEST(threads_remap)
{
	struct race rc = {0};
	ck_assert_int_eq(gm_as_new(&rc.as), 0);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &rc), 0);
	for (int i = 0; i < 300; i++) {
		struct gm_asregion *r = ram("x", PG, 0, i % 2 ? 'a' : 'b');
		ck_assert_int_eq(gm_as_map(rc.as, r, 0), 0);
		ck_assert_int_eq(gm_as_unmap(rc.as, r), 0);
		ck_assert_int_eq(gm_asregion_remove_mapping(r, 0), 0);
		ck_assert_int_eq(gm_asregion_free(r), 0);
	}
	atomic_store(&rc.stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	gm_as_free(rc.as);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mem_as");
	TCase *tc = tcase_create("as");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, priority_overlap);
	tcase_add_test(tc, file_mapping_and_ro);
	tcase_add_test(tc, mmio_dispatch);
	tcase_add_test(tc, listener_delta);
	tcase_add_test(tc, pin_outlives_unmap);
	tcase_add_test(tc, threads_remap);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(suite)
