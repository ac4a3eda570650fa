/* monitor/ram_layout.c: --mem -> RAM regions, at the edges of the MMIO hole. */
#include <errno.h>

#include "boot/layout.h"
#include "monitor/ram_layout.h"
#include "tests/unit/harness.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

START_TEST(minimum_size_is_one_region)
{
	struct vmm_ram_region r[VMM_RAM_MAX_REGIONS];
	ck_assert_int_eq(vmm_ram_layout(2 * MiB, r), 1);
	ck_assert_uint_eq(r[0].start, 0);
	ck_assert_uint_eq(r[0].len, 2 * MiB);
	ck_assert_int_eq(vmm_ram_layout(4096, r), 1);
	ck_assert_uint_eq(r[0].len, 4096);
}
END_TEST

START_TEST(exactly_3g_fills_below_the_hole)
{
	struct vmm_ram_region r[VMM_RAM_MAX_REGIONS];
	ck_assert_int_eq(vmm_ram_layout(3 * GiB, r), 1);
	ck_assert_uint_eq(r[0].start, 0);
	ck_assert_uint_eq(r[0].len, 3 * GiB);
	ck_assert_uint_eq(r[0].start + r[0].len, BOOT_MMIO_HOLE_START);
}
END_TEST

START_TEST(one_page_past_3g_goes_above_4g)
{
	struct vmm_ram_region r[VMM_RAM_MAX_REGIONS];
	ck_assert_int_eq(vmm_ram_layout(3 * GiB + 4096, r), 2);
	ck_assert_uint_eq(r[0].start, 0);
	ck_assert_uint_eq(r[0].len, BOOT_MMIO_HOLE_START);
	ck_assert_uint_eq(r[1].start, BOOT_MMIO_HOLE_END);
	ck_assert_uint_eq(r[1].len, 4096);
}
END_TEST

START_TEST(more_than_4g)
{
	struct vmm_ram_region r[VMM_RAM_MAX_REGIONS];
	ck_assert_int_eq(vmm_ram_layout(6 * GiB, r), 2);
	ck_assert_uint_eq(r[0].len, 3 * GiB);
	ck_assert_uint_eq(r[1].start, 4 * GiB);
	ck_assert_uint_eq(r[1].len, 3 * GiB);
	ck_assert_uint_eq(r[0].len + r[1].len, 6 * GiB);
	/* nothing lands in the hole */
	ck_assert_uint_le(r[0].start + r[0].len, BOOT_MMIO_HOLE_START);
	ck_assert_uint_ge(r[1].start, BOOT_MMIO_HOLE_END);
}
END_TEST

START_TEST(bad_sizes)
{
	struct vmm_ram_region r[VMM_RAM_MAX_REGIONS];
	ck_assert_int_eq(vmm_ram_layout(0, r), -EINVAL);
	ck_assert_int_eq(vmm_ram_layout(3 * GiB + 1, r), -EINVAL);
	ck_assert_int_eq(vmm_ram_layout(UINT64_MAX & ~4095ull, r), -EOVERFLOW);
	/* the largest RAM above 4 GiB that fits ends one page below 2^64 */
	uint64_t high = 0 - BOOT_MMIO_HOLE_END - 4096;
	ck_assert_int_eq(vmm_ram_layout(high + BOOT_MMIO_HOLE_START, r), 2);
	ck_assert_uint_eq(r[1].len, high);
	ck_assert_uint_eq(r[1].start + r[1].len, 0 - 4096ull);
}
END_TEST

static Suite *layout_suite(void)
{
	Suite *s = suite_create("monitor_layout");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, minimum_size_is_one_region);
	tcase_add_test(tc, exactly_3g_fills_below_the_hole);
	tcase_add_test(tc, one_page_past_3g_goes_above_4g);
	tcase_add_test(tc, more_than_4g);
	tcase_add_test(tc, bad_sizes);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(layout_suite)
