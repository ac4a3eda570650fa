/* mem/ core contract: building collections, lookup, cross-region access,
 * boundaries (first/last byte, one past, UINT64_MAX), holes, refcounts. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)

/* Three regions: [0x1000,+4K) [0x2000,+8K) adjacent, hole, [0x10000,+4K). */
static struct gm_memory *three(void)
{
	struct gm_range r[] = {
	    {gm_addr(0x10000), 4 * KiB},
	    {gm_addr(0x1000), 4 * KiB},
	    {gm_addr(0x2000), 8 * KiB},
	};
	struct gm_memory *m = NULL;
	ck_assert_int_eq(gm_memory_new_anon(&m, r, 3), 0);
	ck_assert_ptr_nonnull(m);
	return m;
}

START_TEST(sorted_and_sized)
{
	struct gm_memory *m = three();
	ck_assert_uint_eq(gm_memory_num_regions(m), 3);
	ck_assert_uint_eq(gm_region_start(gm_memory_region(m, 0)).raw, 0x1000);
	ck_assert_uint_eq(gm_region_start(gm_memory_region(m, 1)).raw, 0x2000);
	ck_assert_uint_eq(gm_region_start(gm_memory_region(m, 2)).raw, 0x10000);
	ck_assert_uint_eq(gm_region_len(gm_memory_region(m, 1)), 8 * KiB);
	ck_assert_ptr_null(gm_memory_region(m, 3));
	ck_assert_uint_eq(gm_memory_total_size(m), 16 * KiB);
	ck_assert_uint_eq(gm_memory_last_addr(m).raw, 0x10fff);
	for (size_t i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(gm_region_host_base(gm_memory_region(m, i)));
	gm_memory_put(m);
}
END_TEST

START_TEST(bad_ranges)
{
	struct gm_memory *m = NULL;
	struct gm_range overlap[] = {{gm_addr(0x1000), 0x2000}, {gm_addr(0x2fff), 0x10}};
	ck_assert_int_eq(gm_memory_new_anon(&m, overlap, 2), -EINVAL);
	struct gm_range same[] = {{gm_addr(0x1000), 0x1000}, {gm_addr(0x1000), 0x1000}};
	ck_assert_int_eq(gm_memory_new_anon(&m, same, 2), -EINVAL);
	struct gm_range zero[] = {{gm_addr(0x1000), 0}};
	ck_assert_int_eq(gm_memory_new_anon(&m, zero, 1), -EINVAL);
	struct gm_range wrap[] = {{gm_addr(UINT64_MAX), 2}};
	ck_assert_int_eq(gm_memory_new_anon(&m, wrap, 1), -EINVAL);
	ck_assert_ptr_null(m);
	/* Adjacent is fine; exactly reaching UINT64_MAX is fine. */
	struct gm_range top[] = {{gm_addr(UINT64_MAX - 4095), 4096}, {gm_addr(0), 4096}};
	ck_assert_int_eq(gm_memory_new_anon(&m, top, 2), 0);
	gm_memory_put(m);
}
END_TEST

START_TEST(first_last_one_past)
{
	struct gm_memory *m = three();
	uint8_t b = 0xa5, r = 0;
	/* first and last byte of the isolated region */
	ck_assert_int_eq(gm_memory_write_slice(m, &b, 1, gm_addr(0x10000)), 0);
	ck_assert_int_eq(gm_memory_read_slice(m, &r, 1, gm_addr(0x10000)), 0);
	ck_assert_uint_eq(r, 0xa5);
	b = 0x5a;
	ck_assert_int_eq(gm_memory_write_slice(m, &b, 1, gm_addr(0x10fff)), 0);
	ck_assert_int_eq(gm_memory_read_slice(m, &r, 1, gm_addr(0x10fff)), 0);
	ck_assert_uint_eq(r, 0x5a);
	/* the host pointer sees the same byte */
	uint8_t *h = gm_memory_get_host_ptr(m, gm_addr(0x10fff), 1);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(*h, 0x5a);
	/* one past the end and one before the start */
	ck_assert_int_eq(gm_memory_write_slice(m, &b, 1, gm_addr(0x11000)), -EFAULT);
	ck_assert_int_eq(gm_memory_read_slice(m, &r, 1, gm_addr(0xffff)), -EFAULT);
	ck_assert_int_eq(gm_memory_read_slice(m, &r, 1, gm_addr(0xfff)), -EFAULT);
	/* 2 bytes at the last byte: runs off the end */
	uint16_t w = 0;
	ck_assert_int_eq(gm_memory_read_slice(m, &w, 2, gm_addr(0x10fff)), -EFAULT);
	ck_assert(!gm_memory_check_range(m, gm_addr(0x10fff), 2));
	ck_assert(gm_memory_check_range(m, gm_addr(0x10fff), 1));
	ck_assert(gm_memory_check_range(m, gm_addr(0x10000), 4096));
	ck_assert(!gm_memory_check_range(m, gm_addr(0x10000), 4097));
	ck_assert(gm_memory_check_address(m, gm_addr(0x10fff)));
	ck_assert(!gm_memory_check_address(m, gm_addr(0x11000)));
	ck_assert(!gm_memory_check_address(m, gm_addr(0)));
	ck_assert(!gm_memory_check_address(m, gm_addr(UINT64_MAX)));
	gm_memory_put(m);
}
END_TEST

START_TEST(uint64_max)
{
	struct gm_memory *m = three();
	uint8_t buf[16] = {0};
	ck_assert_int_eq(gm_memory_read_slice(m, buf, 1, gm_addr(UINT64_MAX)), -EFAULT);
	ck_assert_int_eq(gm_memory_write_slice(m, buf, 16, gm_addr(UINT64_MAX - 3)), -EFAULT);
	ck_assert(!gm_memory_check_range(m, gm_addr(0x1000), UINT64_MAX));
	ck_assert(!gm_memory_check_range(m, gm_addr(UINT64_MAX), 2));
	ck_assert_ptr_null(gm_memory_get_host_ptr(m, gm_addr(0x1000), UINT64_MAX));
	gm_memory_put(m);

	/* A region that ends exactly at UINT64_MAX. */
	struct gm_range top[] = {{gm_addr(UINT64_MAX - 4095), 4096}};
	ck_assert_int_eq(gm_memory_new_anon(&m, top, 1), 0);
	uint8_t b = 7, r = 0;
	ck_assert_int_eq(gm_memory_write_slice(m, &b, 1, gm_addr(UINT64_MAX)), 0);
	ck_assert_int_eq(gm_memory_read_slice(m, &r, 1, gm_addr(UINT64_MAX)), 0);
	ck_assert_uint_eq(r, 7);
	ck_assert(gm_memory_check_range(m, gm_addr(UINT64_MAX), 1));
	ck_assert(!gm_memory_check_range(m, gm_addr(UINT64_MAX), 2));
	/* 4 bytes at UINT64_MAX-1: 2 fit, then the address would wrap */
	ck_assert_int_eq(gm_memory_write_slice(m, buf, 4, gm_addr(UINT64_MAX - 1)), -EFAULT);
	ck_assert_int_eq(gm_memory_write(m, buf, 4, gm_addr(UINT64_MAX - 1)), 2);
	ck_assert_int_eq(gm_memory_read(m, buf, 4, gm_addr(UINT64_MAX - 1)), 2);
	ck_assert_int_eq(gm_memory_read(m, buf, 4, gm_addr(0)), -EFAULT);
	uint64_t v;
	ck_assert_int_eq(gm_memory_read_u64(m, gm_addr(UINT64_MAX - 7), &v), 0);
	ck_assert_int_eq(gm_memory_read_u64(m, gm_addr(UINT64_MAX - 6), &v), -EFAULT);
	ck_assert_int_eq(gm_memory_write_u64(m, gm_addr(UINT64_MAX), 1), -EFAULT);
	gm_memory_put(m);
}
END_TEST

START_TEST(across_two_and_three)
{
	struct gm_range r[] = {
	    {gm_addr(0x1000), 0x1000},
	    {gm_addr(0x2000), 0x10},
	    {gm_addr(0x2010), 0x1000},
	};
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_anon(&m, r, 3), 0);
	uint8_t in[0x40], out[0x40];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	/* two regions: 0x20 bytes ending 0x10 into region 2 */
	ck_assert_int_eq(gm_memory_write_slice(m, in, 0x20, gm_addr(0x1ff0)), 0);
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(gm_memory_read_slice(m, out, 0x20, gm_addr(0x1ff0)), 0);
	ck_assert_mem_eq(in, out, 0x20);
	/* the bytes really landed in two different host blocks */
	ck_assert_ptr_null(gm_memory_get_host_ptr(m, gm_addr(0x1ff0), 0x20));
	uint8_t *h1 = gm_memory_get_host_ptr(m, gm_addr(0x1ff0), 0x10);
	uint8_t *h2 = gm_memory_get_host_ptr(m, gm_addr(0x2000), 0x10);
	ck_assert_mem_eq(h1, in, 0x10);
	ck_assert_mem_eq(h2, in + 0x10, 0x10);
	/* three regions: 0x40 bytes from 0x1fe0 to 0x201f */
	ck_assert_int_eq(gm_memory_write_slice(m, in, 0x40, gm_addr(0x1fe0)), 0);
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(gm_memory_read(m, out, 0x40, gm_addr(0x1fe0)), 0x40);
	ck_assert_mem_eq(in, out, 0x40);
	ck_assert(gm_memory_check_range(m, gm_addr(0x1000), 0x2010));
	ck_assert(!gm_memory_check_range(m, gm_addr(0x1000), 0x2011));
	/* u64 across a boundary takes the slow path and still works */
	uint64_t v = 0x1122334455667788ULL, w = 0;
	ck_assert_int_eq(gm_memory_write_u64(m, gm_addr(0x1ffc), v), 0);
	ck_assert_int_eq(gm_memory_read_u64(m, gm_addr(0x1ffc), &w), 0);
	ck_assert_uint_eq(v, w);
	gm_memory_put(m);
}
END_TEST

START_TEST(holes_and_partial_counts)
{
	struct gm_memory *m = three(); /* [0x1000,0x4000) hole [0x10000,0x11000) */
	static uint8_t buf[0x2000];
	memset(buf, 0xcc, sizeof(buf));
	/* 0x100 bytes before the hole: partial write returns 0x100 */
	ck_assert_int_eq(gm_memory_write(m, buf, 0x200, gm_addr(0x3f00)), 0x100);
	ck_assert_int_eq(gm_memory_read(m, buf, 0x200, gm_addr(0x3f00)), 0x100);
	/* starting inside the hole: nothing, -EFAULT */
	ck_assert_int_eq(gm_memory_write(m, buf, 0x10, gm_addr(0x4000)), -EFAULT);
	ck_assert_int_eq(gm_memory_read(m, buf, 0x10, gm_addr(0x8000)), -EFAULT);
	/* all-or-error form reports how much was done */
	size_t done = 99;
	ck_assert_int_eq(gm_memory_write_slice_ex(m, buf, 0x200, gm_addr(0x3f80), &done), -EFAULT);
	ck_assert_uint_eq(done, 0x80);
	ck_assert_int_eq(gm_memory_read_slice_ex(m, buf, 0x200, gm_addr(0x3f80), &done), -EFAULT);
	ck_assert_uint_eq(done, 0x80);
	ck_assert_int_eq(gm_memory_read_slice_ex(m, buf, 0x20, gm_addr(0x3f80), &done), 0);
	ck_assert_uint_eq(done, 0x20);
	/* zero length is a no-op anywhere mapped */
	ck_assert_int_eq(gm_memory_read(m, buf, 0, gm_addr(0x1000)), 0);
	gm_memory_put(m);
}
END_TEST

START_TEST(lookup_many_regions)
{
	/* 300 regions of 4 KiB with 4 KiB holes: every lookup lands right. */
	enum { N = 300 };
	static struct gm_range r[N];
	for (size_t i = 0; i < N; i++)
		r[N - 1 - i] = (struct gm_range){gm_addr(0x100000 + i * 0x2000), 0x1000};
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_anon(&m, r, N), 0);
	for (size_t i = 0; i < N; i++) {
		uint64_t s = 0x100000 + i * 0x2000;
		ck_assert_int_eq(gm_memory_find_index(m, gm_addr(s)), (ssize_t)i);
		ck_assert_int_eq(gm_memory_find_index(m, gm_addr(s + 0xfff)), (ssize_t)i);
		ck_assert_int_eq(gm_memory_find_index(m, gm_addr(s + 0x1000)), -1);
		ck_assert_int_eq(gm_memory_find_index(m, gm_addr(s - 1)), -1);
	}
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(0)), -1);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(UINT64_MAX)), -1);
	gm_memory_put(m);

	/* Sparse: tiny regions far apart (bucket holds several regions). */
	struct gm_range sp[] = {
	    {gm_addr(0), 1},
	    {gm_addr(1), 1},
	    {gm_addr(5), 3},
	    {gm_addr(100), 1},
	    {gm_addr(1ULL << 40), 4096},
	    {gm_addr(UINT64_MAX - 4095), 4096},
	};
	ck_assert_int_eq(gm_memory_new_anon(&m, sp, 6), 0);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(0)), 0);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(1)), 1);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(2)), -1);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(7)), 2);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(8)), -1);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(100)), 3);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr((1ULL << 40) + 4095)), 4);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr((1ULL << 40) + 4096)), -1);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(UINT64_MAX)), 5);
	ck_assert_int_eq(gm_memory_find_index(m, gm_addr(UINT64_MAX - 4096)), -1);
	gm_memory_put(m);
}
END_TEST

START_TEST(refcount)
{
	struct gm_memory *m = three();
	struct gm_region *r = (struct gm_region *)gm_memory_region(m, 0);
	ck_assert_ptr_eq(gm_memory_get(m), m);
	gm_memory_put(m);
	/* keep a region alive past its collection */
	gm_region_get(r);
	gm_memory_put(m);
	ck_assert_int_eq(gm_region_write_obj(r, &(uint32_t){42}, 4, gm_raddr(8)), 0);
	uint32_t v = 0;
	ck_assert_int_eq(gm_region_read_obj(r, &v, 4, gm_raddr(8)), 0);
	ck_assert_uint_eq(v, 42);
	gm_region_put(r);
	gm_memory_put(NULL);
}
END_TEST

START_TEST(empty)
{
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_anon(&m, NULL, 0), 0);
	ck_assert_uint_eq(gm_memory_num_regions(m), 0);
	uint8_t b;
	ck_assert_int_eq(gm_memory_read_slice(m, &b, 1, gm_addr(0)), -EFAULT);
	ck_assert(!gm_memory_check_address(m, gm_addr(0)));
	ck_assert_ptr_null(gm_memory_get_host_ptr(m, gm_addr(0), 1));
	gm_memory_put(m);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("mem_core");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, sorted_and_sized);
	tcase_add_test(tc, bad_ranges);
	tcase_add_test(tc, first_last_one_past);
	tcase_add_test(tc, uint64_max);
	tcase_add_test(tc, across_two_and_three);
	tcase_add_test(tc, holes_and_partial_counts);
	tcase_add_test(tc, lookup_many_regions);
	tcase_add_test(tc, refcount);
	tcase_add_test(tc, empty);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(core_suite)
