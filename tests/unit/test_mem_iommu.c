/* mem/ IOTLB (set/invalidate/lookup, splitting, permissions) and the
 * IOMMU-translated memory with the same byte-access interface. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

START_TEST(iotlb_set_lookup_invalidate)
{
	struct gm_iotlb *t;
	ck_assert_int_eq(gm_iotlb_new(&t), 0);
	gm_addr_t g;
	uint64_t c;
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x1000, 1, GM_PERM_READ, &g, &c), -ENOENT);
	ck_assert_int_eq(gm_iotlb_set(t, 0x10000, gm_addr(0x5000), 0x3000, GM_PERM_RW), 0);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x11234, 0x100, GM_PERM_READ, &g, &c), 0);
	ck_assert_uint_eq(g.raw, 0x6234);
	ck_assert_uint_eq(c, 0x100);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x11234, 0x10000, GM_PERM_WRITE, &g, &c), 0);
	ck_assert_uint_eq(c, 0x12fff - 0x11234 + 1); /* clipped to the entry */
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x13000, 1, GM_PERM_READ, &g, &c), -ENOENT);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0xffff, 1, GM_PERM_READ, &g, &c), -ENOENT);
	/* invalidate the middle page: the entry splits in two */
	ck_assert_int_eq(gm_iotlb_invalidate(t, 0x11000, 0x1000), 0);
	ck_assert_uint_eq(gm_iotlb_len(t), 2);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x11000, 1, GM_PERM_READ, &g, &c), -ENOENT);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x12010, 1, GM_PERM_READ, &g, &c), 0);
	ck_assert_uint_eq(g.raw, 0x7010);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x10010, 1, GM_PERM_READ, &g, &c), 0);
	ck_assert_uint_eq(g.raw, 0x5010);
	/* a read-only mapping over part of it replaces that part */
	ck_assert_int_eq(gm_iotlb_set(t, 0x10800, gm_addr(0x9000), 0x2000, GM_PERM_READ), 0);
	ck_assert_uint_eq(gm_iotlb_len(t), 3);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x10900, 4, GM_PERM_WRITE, &g, &c), -EACCES);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x10900, 4, GM_PERM_READ, &g, &c), 0);
	ck_assert_uint_eq(g.raw, 0x9100);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x107ff, 4, GM_PERM_WRITE, &g, &c), 0);
	ck_assert_uint_eq(g.raw, 0x57ff);
	ck_assert_uint_eq(c, 1);
	ck_assert_int_eq(gm_iotlb_lookup(t, 0x12900, 4, GM_PERM_RW, &g, &c), 0);
	ck_assert_uint_eq(g.raw, 0x7900);
	/* bad arguments */
	ck_assert_int_eq(gm_iotlb_set(t, 0, gm_addr(0), 0, GM_PERM_RW), -EINVAL);
	ck_assert_int_eq(gm_iotlb_set(t, UINT64_MAX, gm_addr(0), 2, GM_PERM_RW), -EINVAL);
	ck_assert_int_eq(gm_iotlb_set(t, 0, gm_addr(UINT64_MAX), 2, GM_PERM_RW), -EINVAL);
	ck_assert_int_eq(gm_iotlb_set(t, 0, gm_addr(0), 2, GM_PERM_NONE), -EINVAL);
	/* the very top of the IOVA space */
	ck_assert_int_eq(gm_iotlb_set(t, UINT64_MAX - 0xfff, gm_addr(0), 0x1000, GM_PERM_RW), 0);
	ck_assert_int_eq(gm_iotlb_lookup(t, UINT64_MAX, 1, GM_PERM_RW, &g, &c), 0);
	ck_assert_uint_eq(g.raw, 0xfff);
	ck_assert_int_eq(gm_iotlb_invalidate(t, UINT64_MAX - 0xfff, UINT64_MAX), 0);
	ck_assert_int_eq(gm_iotlb_lookup(t, UINT64_MAX, 1, GM_PERM_RW, &g, &c), -ENOENT);
	gm_iotlb_invalidate_all(t);
	ck_assert_uint_eq(gm_iotlb_len(t), 0);
	gm_iotlb_free(t);
}
END_TEST

/* Random set/invalidate sequences against a byte-granular reference map. */
START_TEST(iotlb_model)
{
	enum { SPACE = 512 };
	static int64_t ref_gpa[SPACE];
	static int ref_perm[SPACE];
	struct gm_iotlb *t;
	ck_assert_int_eq(gm_iotlb_new(&t), 0);
	for (int i = 0; i < SPACE; i++)
		ref_perm[i] = 0;
	uint64_t s = 0x2545f4914f6cdd1dULL;
	for (int op = 0; op < 3000; op++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		uint64_t iova = s % SPACE, len = 1 + (s >> 20) % 64, gpa = (s >> 32) % 100000;
		if (iova + len > SPACE)
			len = SPACE - iova;
		if ((s >> 40) % 3) {
			int perm = 1 + (int)((s >> 50) % 3);
			ck_assert_int_eq(
			    gm_iotlb_set(t, iova, gm_addr(gpa), len, (enum gm_perm)perm), 0);
			for (uint64_t k = 0; k < len; k++) {
				ref_gpa[iova + k] = (int64_t)(gpa + k);
				ref_perm[iova + k] = perm;
			}
		} else {
			ck_assert_int_eq(gm_iotlb_invalidate(t, iova, len), 0);
			for (uint64_t k = 0; k < len; k++)
				ref_perm[iova + k] = 0;
		}
		if (op % 50)
			continue;
		for (uint64_t i = 0; i < SPACE; i++) {
			gm_addr_t g;
			uint64_t c;
			int rc = gm_iotlb_lookup(t, i, 0, GM_PERM_NONE, &g, &c);
			if (!ref_perm[i]) {
				ck_assert_int_eq(rc, -ENOENT);
				continue;
			}
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(g.raw, (uint64_t)ref_gpa[i]);
			ck_assert_uint_ge(c, 1);
			for (uint64_t k = 0; k < c && i + k < SPACE; k++) {
				ck_assert_int_eq(ref_perm[i + k], ref_perm[i]);
				ck_assert_int_eq(ref_gpa[i + k], ref_gpa[i] + (int64_t)k);
			}
			int need = ref_perm[i] == GM_PERM_READ ? GM_PERM_WRITE : GM_PERM_READ;
			rc = gm_iotlb_lookup(t, i, 1, (enum gm_perm)need, &g, &c);
			ck_assert_int_eq(rc, ref_perm[i] & need ? 0 : -EACCES);
		}
	}
	gm_iotlb_free(t);
}
END_TEST

struct fixture {
	struct gm_memory *m;
	struct gm_iotlb *t;
	struct gm_iommu_memory *im;
};

static void setup(struct fixture *f)
{
	struct gm_range r[] = {{gm_addr(0x0), 0x4000}, {gm_addr(0x10000), 0x4000}};
	ck_assert_int_eq(gm_memory_new_anon(&f->m, r, 2), 0);
	ck_assert_int_eq(gm_iotlb_new(&f->t), 0);
	ck_assert_int_eq(gm_iommu_memory_new(&f->im, f->m, f->t), 0);
	gm_memory_put(f->m); /* the wrapper holds it */
}

static void teardown(struct fixture *f)
{
	gm_iommu_memory_free(f->im);
	gm_iotlb_free(f->t);
}

START_TEST(translated_access)
{
	struct fixture f;
	setup(&f);
	ck_assert(gm_iommu_memory_enabled(f.im));
	/* IOVA pages 0x100000,0x101000 -> GPA 0x3000 and 0x10000 (non-contiguous) */
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x100000, gm_addr(0x3000), 0x1000, GM_PERM_RW), 0);
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x101000, gm_addr(0x10000), 0x1000, GM_PERM_RW), 0);
	uint8_t in[0x40], out[0x40];
	for (int i = 0; i < 0x40; i++)
		in[i] = (uint8_t)(0x80 + i);
	ck_assert_int_eq(gm_iommu_write_slice(f.im, in, 0x40, gm_addr(0x100fe0)), 0);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, out, 0x40, gm_addr(0x100fe0)), 0);
	ck_assert_mem_eq(in, out, 0x40);
	/* the bytes are where the translation says */
	ck_assert_int_eq(
	    gm_memory_read_slice(gm_iommu_memory_inner(f.im), out, 0x20, gm_addr(0x3fe0)), 0);
	ck_assert_mem_eq(out, in, 0x20);
	ck_assert_int_eq(gm_memory_read_slice(f.m, out, 0x20, gm_addr(0x10000)), 0);
	ck_assert_mem_eq(out, in + 0x20, 0x20);
	/* partial at the end of the mapping; miss at the start */
	ck_assert_int_eq(gm_iommu_write(f.im, in, 0x40, gm_addr(0x101fe0)), 0x20);
	ck_assert_int_eq(gm_iommu_read(f.im, out, 0x40, gm_addr(0x101fe0)), 0x20);
	ck_assert_int_eq(gm_iommu_read(f.im, out, 4, gm_addr(0x102000)), -ENOENT);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, out, 0x40, gm_addr(0x101fe0)), -ENOENT);
	/* objects and atomics */
	uint64_t v = 0x0123456789abcdefULL, w = 0;
	ck_assert_int_eq(gm_iommu_write_obj(f.im, &v, 8, gm_addr(0x100ffc)), 0); /* spans entries */
	ck_assert_int_eq(gm_iommu_read_obj(f.im, &w, 8, gm_addr(0x100ffc)), 0);
	ck_assert_uint_eq(v, w);
	ck_assert_int_eq(gm_iommu_store(f.im, gm_addr(0x101008), 8, v, GM_RELEASE), 0);
	ck_assert_int_eq(gm_iommu_load(f.im, gm_addr(0x101008), 8, GM_ACQUIRE, &w), 0);
	ck_assert_uint_eq(v, w);
	ck_assert_int_eq(gm_iommu_load(f.im, gm_addr(0x101009), 8, GM_ACQUIRE, &w), -EINVAL);
	ck_assert_int_eq(gm_iommu_load(f.im, gm_addr(0x100ffc), 8, GM_ACQUIRE, &w), -EFAULT);
	ck_assert_int_eq(gm_iommu_load(f.im, gm_addr(0x100000), 5, GM_ACQUIRE, &w), -EINVAL);
	/* check_range */
	ck_assert(gm_iommu_check_range(f.im, gm_addr(0x100000), 0x2000, GM_PERM_RW));
	ck_assert(!gm_iommu_check_range(f.im, gm_addr(0x100000), 0x2001, GM_PERM_READ));
	/* mapping to a GPA hole: translated fine, then -EFAULT from memory */
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x200000, gm_addr(0x8000), 0x1000, GM_PERM_RW), 0);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, out, 4, gm_addr(0x200000)), -EFAULT);
	ck_assert(!gm_iommu_check_range(f.im, gm_addr(0x200000), 1, GM_PERM_READ));
	teardown(&f);
}
END_TEST

START_TEST(permissions)
{
	struct fixture f;
	setup(&f);
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x1000, gm_addr(0x0), 0x1000, GM_PERM_READ), 0);
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x2000, gm_addr(0x1000), 0x1000, GM_PERM_WRITE), 0);
	uint32_t v = 7;
	ck_assert_int_eq(gm_iommu_write_slice(f.im, &v, 4, gm_addr(0x1000)), -EACCES);
	ck_assert_int_eq(gm_iommu_store(f.im, gm_addr(0x1000), 4, 1, GM_RELAXED), -EACCES);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, &v, 4, gm_addr(0x1000)), 0);
	ck_assert_int_eq(gm_iommu_write_slice(f.im, &v, 4, gm_addr(0x2000)), 0);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, &v, 4, gm_addr(0x2000)), -EACCES);
	ck_assert(!gm_iommu_check_range(f.im, gm_addr(0x1000), 4, GM_PERM_RW));
	ck_assert(gm_iommu_check_range(f.im, gm_addr(0x1000), 4, GM_PERM_READ));
	/* write then read across R | W entries: stops at the first refusal */
	uint8_t buf[16] = {0};
	ck_assert_int_eq(gm_iommu_read(f.im, buf, 16, gm_addr(0x1ff8)), 8);
	teardown(&f);
}
END_TEST

static int fill_identity(void *ctx, struct gm_iotlb *t, uint64_t iova, uint64_t len,
			 enum gm_perm need)
{
	int *calls = ctx;
	(*calls)++;
	if (iova >= 0x20000)
		return -1; /* refuse */
	return gm_iotlb_set(t, iova & ~0xfffULL, gm_addr(iova & ~0xfffULL), 0x1000, GM_PERM_RW);
}

START_TEST(miss_handler_and_disable)
{
	struct fixture f;
	setup(&f);
	int calls = 0;
	gm_iommu_memory_set_miss_handler(f.im, fill_identity, &calls);
	uint32_t v = 0x55;
	ck_assert_int_eq(gm_iommu_write_slice(f.im, &v, 4, gm_addr(0x10010)), 0);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, &v, 4, gm_addr(0x10010)), 0); /* now cached */
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, &v, 4, gm_addr(0x30000)), -ENOENT);
	ck_assert_int_eq(calls, 2);
	/* disabled: addresses are GPAs, no IOTLB involved */
	gm_iommu_memory_set_enabled(f.im, false);
	ck_assert(!gm_iommu_memory_enabled(f.im));
	ck_assert_int_eq(gm_iommu_write_slice(f.im, &v, 4, gm_addr(0x3ffc)), 0);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, &v, 4, gm_addr(0x4000)), -EFAULT);
	ck_assert_int_eq(gm_iommu_read_slice(f.im, &v, 4, gm_addr(UINT64_MAX - 1)), -EFAULT);
	ck_assert_int_eq(calls, 2);
	teardown(&f);
}
END_TEST

START_TEST(translated_fd_io)
{
	struct fixture f;
	setup(&f);
	/* two IOVA pages mapped to non-adjacent guest pages */
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x100000, gm_addr(0x3000), 0x1000, GM_PERM_RW), 0);
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x101000, gm_addr(0x10000), 0x1000, GM_PERM_RW), 0);
	ck_assert_int_eq(gm_iotlb_set(f.t, 0x102000, gm_addr(0x11000), 0x1000, GM_PERM_READ), 0);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "0123456789abcdef", 16), 16);
	ck_assert_int_eq(gm_iommu_read_exact_from_fd(f.im, gm_addr(0x100ff8), p[0], 16), 0);
	char got[16];
	ck_assert_int_eq(gm_memory_read_slice(f.m, got, 8, gm_addr(0x3ff8)), 0);
	ck_assert(memcmp(got, "01234567", 8) == 0);
	ck_assert_int_eq(gm_memory_read_slice(f.m, got, 8, gm_addr(0x10000)), 0);
	ck_assert(memcmp(got, "89abcdef", 8) == 0);
	ck_assert_int_eq(gm_iommu_write_all_to_fd(f.im, gm_addr(0x100ff8), p[1], 16), 0);
	ck_assert_int_eq(read(p[0], got, 16), 16);
	ck_assert(memcmp(got, "0123456789abcdef", 16) == 0);
	/* exact into a read-only IOTLB entry: refused before reading anything */
	ck_assert_int_eq(write(p[1], "xy", 2), 2);
	ck_assert_int_eq(gm_iommu_read_exact_from_fd(f.im, gm_addr(0x101fff), p[0], 2), -EFAULT);
	/* partial: stops at the permission boundary */
	ck_assert_int_eq(gm_iommu_read_from_fd(f.im, gm_addr(0x101fff), p[0], 2), 1);
	ck_assert_int_eq(gm_iommu_write_to_fd(f.im, gm_addr(0x102000), p[1], 4), 4); /* R ok */
	ck_assert_int_eq(read(p[0], got, 5), 5);
	ck_assert_int_eq(gm_iommu_read_from_fd(f.im, gm_addr(0x900000), p[0], 1), -ENOENT);
	close(p[0]);
	close(p[1]);
	teardown(&f);
}
END_TEST

static Suite *iommu_suite(void)
{
	Suite *s = suite_create("mem_iommu");
	TCase *tc = tcase_create("iommu");
	tcase_add_test(tc, iotlb_set_lookup_invalidate);
	tcase_add_test(tc, iotlb_model);
	tcase_add_test(tc, translated_access);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, miss_handler_and_disable);
	tcase_add_test(tc, translated_fd_io);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(iommu_suite)
