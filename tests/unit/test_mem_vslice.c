/* mem/ volatile slices (bounds, split, copies, objects, atomics with memory
 * order, misaligned atomics) and the dirty bitmap. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

static _Alignas(64) uint8_t buf[256];

START_TEST(sub_split_offset)
{
	struct gm_vslice s = gm_vslice(buf, sizeof(buf)), a, b;
	ck_assert_uint_eq(gm_vslice_len(&s), 256);
	ck_assert_int_eq(gm_vslice_subslice(&s, 16, 32, &a), 0);
	ck_assert_ptr_eq(gm_vslice_ptr(&a), buf + 16);
	ck_assert_uint_eq(a.len, 32);
	ck_assert_int_eq(gm_vslice_subslice(&s, 250, 7, &a), -EFAULT);
	ck_assert_int_eq(gm_vslice_subslice(&s, 257, 0, &a), -EFAULT);
	ck_assert_int_eq(gm_vslice_subslice(&s, 1, SIZE_MAX, &a), -EFAULT);
	ck_assert_int_eq(gm_vslice_subslice(&s, 256, 0, &a), 0);
	ck_assert_int_eq(gm_vslice_offset(&s, 200, &a), 0);
	ck_assert_uint_eq(a.len, 56);
	ck_assert_int_eq(gm_vslice_offset(&s, 257, &a), -EFAULT);
	ck_assert_int_eq(gm_vslice_split_at(&s, 100, &a, &b), 0);
	ck_assert_uint_eq(a.len, 100);
	ck_assert_uint_eq(b.len, 156);
	ck_assert_ptr_eq(b.ptr, buf + 100);
	ck_assert_int_eq(gm_vslice_split_at(&s, 300, &a, &b), -EFAULT);
}
END_TEST

START_TEST(copies)
{
	struct gm_vslice s = gm_vslice(buf, 64), d;
	uint8_t in[100], out[100];
	for (int i = 0; i < 100; i++)
		in[i] = (uint8_t)i;
	ck_assert_uint_eq(gm_vslice_copy_from(&s, in, 100), 64); /* clamped */
	ck_assert_uint_eq(gm_vslice_copy_to(&s, out, 100), 64);
	ck_assert_mem_eq(in, out, 64);
	for (size_t n = 1; n <= 9; n++) { /* every small size, aligned and not */
		for (size_t off = 0; off < 8; off++) {
			struct gm_vslice t;
			ck_assert_int_eq(gm_vslice_subslice(&s, off, n, &t), 0);
			memset(out, 0, sizeof(out));
			ck_assert_uint_eq(gm_vslice_copy_from(&t, in + 50, n), n);
			ck_assert_uint_eq(gm_vslice_copy_to(&t, out, n), n);
			ck_assert_mem_eq(out, in + 50, n);
		}
	}
	ck_assert_int_eq(gm_vslice_subslice(&s, 0, 32, &d), 0);
	struct gm_vslice dst = gm_vslice(buf + 128, 16);
	ck_assert_uint_eq(gm_vslice_copy_to_vslice(&d, &dst), 16);
	ck_assert_mem_eq(buf + 128, buf, 16);
	ck_assert_uint_eq(gm_vslice_fill(&dst, 0xee, 100), 16);
	ck_assert_uint_eq(buf[143], 0xee);
	ck_assert_uint_ne(buf[144], 0xee);
}
END_TEST

START_TEST(objects)
{
	struct gm_vslice s = gm_vslice(buf, 64);
	struct {
		uint32_t a;
		uint16_t b;
		uint8_t c[10];
	} o = {1, 2, "abcdefghi"}, p;
	ck_assert_int_eq(gm_vslice_write_obj(&s, 3, &o, sizeof(o)), 0);
	ck_assert_int_eq(gm_vslice_read_obj(&s, 3, &p, sizeof(p)), 0);
	ck_assert_mem_eq(&o, &p, sizeof(o));
	ck_assert_int_eq(gm_vslice_write_obj(&s, 64 - sizeof(o) + 1, &o, sizeof(o)), -EFAULT);
	ck_assert_int_eq(gm_vslice_read_obj(&s, SIZE_MAX, &p, 1), -EFAULT);
	uint64_t v = 0x1122334455667788ULL, w = 0;
	ck_assert_int_eq(gm_vslice_write_obj(&s, 8, &v, 8), 0);
	ck_assert_int_eq(gm_vslice_read_obj(&s, 8, &w, 8), 0);
	ck_assert_uint_eq(v, w);
	ck_assert_int_eq(gm_vslice_write_obj(&s, 9, &v, 8), 0); /* misaligned is ok for objects */
	ck_assert_int_eq(gm_vslice_read_obj(&s, 9, &w, 8), 0);
	ck_assert_uint_eq(v, w);
}
END_TEST

START_TEST(atomics)
{
	struct gm_vslice s = gm_vslice(buf, 64);
	uint64_t v = 0;
	static const size_t sizes[] = {1, 2, 4, 8};
	for (size_t i = 0; i < 4; i++) {
		size_t sz = sizes[i];
		uint64_t val = 0xf1e2d3c4b5a69788ULL & (sz == 8 ? ~0ULL : ((1ULL << (sz * 8)) - 1));
		ck_assert_int_eq(gm_vslice_store(&s, 16, sz, val, GM_RELEASE), 0);
		ck_assert_int_eq(gm_vslice_load(&s, 16, sz, GM_ACQUIRE, &v), 0);
		ck_assert_uint_eq(v, val);
		ck_assert_int_eq(gm_vslice_store(&s, 16, sz, val, GM_SEQ_CST), 0);
		ck_assert_int_eq(gm_vslice_load(&s, 16, sz, GM_RELAXED, &v), 0);
		ck_assert_uint_eq(v, val);
		if (sz > 1) { /* misaligned atomics are an error */
			ck_assert_int_eq(gm_vslice_store(&s, 17, sz, val, GM_RELAXED), -EINVAL);
			ck_assert_int_eq(gm_vslice_load(&s, 17, sz, GM_RELAXED, &v), -EINVAL);
		}
	}
	ck_assert_int_eq(gm_vslice_load(&s, 16, 3, GM_RELAXED, &v), -EINVAL);
	ck_assert_int_eq(gm_vslice_load(&s, 16, 16, GM_RELAXED, &v), -EINVAL);
	ck_assert_int_eq(gm_vslice_load(&s, 60, 8, GM_RELAXED, &v), -EFAULT);
	ck_assert_int_eq(gm_vslice_store(&s, 64, 1, 0, GM_RELAXED), -EFAULT);
	/* orders that make no sense for the operation */
	ck_assert_int_eq(gm_vslice_load(&s, 16, 8, GM_RELEASE, &v), -EINVAL);
	ck_assert_int_eq(gm_vslice_load(&s, 16, 8, GM_ACQ_REL, &v), -EINVAL);
	ck_assert_int_eq(gm_vslice_store(&s, 16, 8, 1, GM_ACQUIRE), -EINVAL);
	ck_assert_int_eq(gm_vslice_store(&s, 16, 8, 1, GM_ACQ_REL), -EINVAL);
}
END_TEST

START_TEST(bitmap_basics)
{
	struct gm_bitmap *b;
	ck_assert_int_eq(gm_bitmap_new(&b, 0, 4096), -EINVAL);
	ck_assert_int_eq(gm_bitmap_new(&b, 4096, 3000), -EINVAL);
	ck_assert_int_eq(gm_bitmap_new(&b, 4096, 0), -EINVAL);
	ck_assert_int_eq(gm_bitmap_new(&b, 100 * 4096 + 1, 4096), 0);
	ck_assert_uint_eq(b->nbits, 101);
	ck_assert_uint_eq(gm_bitmap_count(b), 0);
	gm_bitmap_mark(b, 4095, 2); /* pages 0 and 1 */
	ck_assert(gm_bitmap_is_dirty(b, 0) && gm_bitmap_is_dirty(b, 4096));
	ck_assert(!gm_bitmap_is_dirty(b, 8192));
	gm_bitmap_mark(b, 60 * 4096, 10 * 4096); /* pages 60..69 cross a word */
	ck_assert_uint_eq(gm_bitmap_count(b), 12);
	gm_bitmap_mark(b, 100 * 4096, 1000); /* runs past the end: clamped */
	ck_assert_uint_eq(gm_bitmap_count(b), 13);
	gm_bitmap_mark(b, 200 * 4096, 10); /* entirely outside: ignored */
	gm_bitmap_mark(b, UINT64_MAX, 10);
	ck_assert_uint_eq(gm_bitmap_count(b), 13);
	ck_assert(gm_bitmap_any_dirty(b, 65 * 4096, 1));
	ck_assert(!gm_bitmap_any_dirty(b, 70 * 4096, 4096 * 30));
	uint64_t w[2] = {0, 0};
	ck_assert_uint_eq(gm_bitmap_get_and_reset(b, w, 2), 2);
	ck_assert_uint_eq(w[0], 0x3ULL | (0xfULL << 60));
	ck_assert_uint_eq(w[1], 0x3fULL | (1ULL << 36));
	ck_assert_uint_eq(gm_bitmap_count(b), 0);
	ck_assert(!gm_bitmap_is_dirty(b, 0));
	ck_assert(!gm_bitmap_is_dirty(b, UINT64_MAX));
	gm_bitmap_free(b);
	gm_bitmap_free(NULL);
}
END_TEST

START_TEST(tracked_slice_marks)
{
	static _Alignas(4096) uint8_t mem[4 * 4096];
	struct gm_bitmap *b;
	ck_assert_int_eq(gm_bitmap_new(&b, sizeof(mem), 4096), 0);
	struct gm_vslice s = gm_vslice_tracked(mem, sizeof(mem), b, 0), t;
	uint8_t x[8] = {0};
	gm_vslice_copy_to(&s, x, 8); /* reads never mark */
	ck_assert_uint_eq(gm_bitmap_count(b), 0);
	ck_assert_int_eq(gm_vslice_offset(&s, 4096, &t), 0); /* sub-slices keep the offset */
	gm_vslice_copy_from(&t, x, 8);
	ck_assert(gm_bitmap_is_dirty(b, 4096) && !gm_bitmap_is_dirty(b, 0));
	gm_vslice_write_obj(&s, 2 * 4096 + 8, x, 4);
	ck_assert(gm_bitmap_is_dirty(b, 2 * 4096));
	gm_bitmap_reset(b);
	gm_vslice_store(&s, 3 * 4096, 8, 1, GM_RELAXED);
	ck_assert_uint_eq(gm_bitmap_count(b), 1);
	ck_assert(gm_bitmap_is_dirty(b, 3 * 4096));
	gm_bitmap_reset(b);
	gm_vslice_fill(&s, 0, 10);
	ck_assert(gm_bitmap_is_dirty(b, 0));
	gm_bitmap_reset(b);
	struct gm_vslice src = gm_vslice(x, 8);
	gm_vslice_copy_to_vslice(&src, &t);
	ck_assert(gm_bitmap_is_dirty(b, 4096));
	ck_assert_uint_eq(gm_bitmap_count(b), 1);
	gm_bitmap_free(b);
}
END_TEST

static Suite *vslice_suite(void)
{
	Suite *s = suite_create("mem_vslice");
	TCase *tc = tcase_create("vslice");
	tcase_add_test(tc, sub_split_offset);
	tcase_add_test(tc, copies);
	tcase_add_test(tc, objects);
	tcase_add_test(tc, atomics);
	tcase_add_test(tc, bitmap_basics);
	tcase_add_test(tc, tracked_slice_marks);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(vslice_suite)
