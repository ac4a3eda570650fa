/* mem/ address types (checked/overflowing/unchecked arithmetic, align, mask)
 * and endian types. */
#include <stdint.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

START_TEST(checked_add_sub)
{
	gm_addr_t r = gm_addr(0);
	ck_assert(gm_addr_checked_add(gm_addr(0x1000), 0x10, &r));
	ck_assert_uint_eq(r.raw, 0x1010);
	ck_assert(gm_addr_checked_add(gm_addr(UINT64_MAX - 1), 1, &r));
	ck_assert_uint_eq(r.raw, UINT64_MAX);
	r = gm_addr(7);
	ck_assert(!gm_addr_checked_add(gm_addr(UINT64_MAX), 1, &r));
	ck_assert_uint_eq(r.raw, 7); /* untouched on overflow */
	ck_assert(!gm_addr_checked_add(gm_addr(2), UINT64_MAX, &r));
	ck_assert(gm_addr_checked_sub(gm_addr(0x10), 0x10, &r));
	ck_assert_uint_eq(r.raw, 0);
	ck_assert(!gm_addr_checked_sub(gm_addr(0x10), 0x11, &r));
	ck_assert_uint_eq(gm_addr_raw(gm_addr(42)), 42);
}
END_TEST

START_TEST(overflowing_unchecked)
{
	bool o = true;
	gm_addr_t r = gm_addr_overflowing_add(gm_addr(1), 2, &o);
	ck_assert(!o);
	ck_assert_uint_eq(r.raw, 3);
	r = gm_addr_overflowing_add(gm_addr(UINT64_MAX), 2, &o);
	ck_assert(o);
	ck_assert_uint_eq(r.raw, 1);
	r = gm_addr_overflowing_sub(gm_addr(1), 2, &o);
	ck_assert(o);
	ck_assert_uint_eq(r.raw, UINT64_MAX);
	r = gm_addr_overflowing_sub(gm_addr(5), 2, &o);
	ck_assert(!o);
	ck_assert_uint_eq(r.raw, 3);
	ck_assert_uint_eq(gm_addr_unchecked_add(gm_addr(5), 6).raw, 11);
	ck_assert_uint_eq(gm_addr_unchecked_sub(gm_addr(11), 6).raw, 5);
}
END_TEST

START_TEST(offset_align_mask_cmp)
{
	uint64_t d = 99;
	ck_assert(gm_addr_checked_offset_from(gm_addr(0x1234), gm_addr(0x1000), &d));
	ck_assert_uint_eq(d, 0x234);
	ck_assert(!gm_addr_checked_offset_from(gm_addr(0x1000), gm_addr(0x1001), &d));
	ck_assert_uint_eq(gm_addr_unchecked_offset_from(gm_addr(9), gm_addr(4)), 5);
	gm_addr_t r;
	ck_assert(gm_addr_checked_align_up(gm_addr(0x1001), 0x1000, &r));
	ck_assert_uint_eq(r.raw, 0x2000);
	ck_assert(gm_addr_checked_align_up(gm_addr(0x2000), 0x1000, &r));
	ck_assert_uint_eq(r.raw, 0x2000);
	ck_assert(gm_addr_checked_align_up(gm_addr(0), 8, &r));
	ck_assert_uint_eq(r.raw, 0);
	ck_assert(!gm_addr_checked_align_up(gm_addr(UINT64_MAX - 10), 0x1000, &r));
	ck_assert(!gm_addr_checked_align_up(gm_addr(5), 3, &r));
	ck_assert(!gm_addr_checked_align_up(gm_addr(5), 0, &r));
	ck_assert(gm_addr_checked_align_up(gm_addr(UINT64_MAX), 1, &r));
	ck_assert_uint_eq(r.raw, UINT64_MAX);
	ck_assert_uint_eq(gm_addr_unchecked_align_up(gm_addr(0x11), 0x10).raw, 0x20);
	ck_assert_uint_eq(gm_addr_mask(gm_addr(0x12345), 0xfff), 0x345);
	ck_assert_int_eq(gm_addr_cmp(gm_addr(1), gm_addr(2)), -1);
	ck_assert_int_eq(gm_addr_cmp(gm_addr(2), gm_addr(2)), 0);
	ck_assert_int_eq(gm_addr_cmp(gm_addr(UINT64_MAX), gm_addr(2)), 1);
}
END_TEST

START_TEST(other_address_types)
{
	gm_raddr_t ra;
	ck_assert(gm_raddr_checked_add(gm_raddr(0x10), 0x10, &ra));
	ck_assert_uint_eq(gm_raddr_raw(ra), 0x20);
	ck_assert(!gm_raddr_checked_add(gm_raddr(UINT64_MAX), 1, &ra));
	gm_foff_t fo;
	ck_assert(gm_foff_checked_add(gm_foff(4096), 4096, &fo));
	ck_assert_uint_eq(fo.raw, 8192);
	ck_assert(!gm_foff_checked_sub(gm_foff(1), 2, &fo));
	ck_assert(gm_foff_checked_align_up(gm_foff(4097), 4096, &fo));
	ck_assert_uint_eq(fo.raw, 8192);
	/* distinct types: sizes equal, but they are different C types */
	ck_assert(!__builtin_types_compatible_p(gm_addr_t, gm_raddr_t));
	ck_assert(!__builtin_types_compatible_p(gm_addr_t, gm_foff_t));
}
END_TEST

START_TEST(endian_byte_buffers)
{
	/* unaligned little-endian loads and stores on a byte buffer */
	uint8_t buf[11] = {0xee, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0xee, 0xee};
	ck_assert_uint_eq(gm_get_le16(buf + 1), 0x0708);
	ck_assert_uint_eq(gm_get_le32(buf + 1), 0x05060708);
	ck_assert_uint_eq(gm_get_le64(buf + 1), 0x0102030405060708ULL);
	uint8_t out[11];
	memset(out, 0xee, sizeof(out));
	gm_put_le64(out + 1, 0x0102030405060708ULL);
	ck_assert_mem_eq(out, buf, sizeof(buf));
	gm_put_le32(out + 1, 0xa1b2c3d4);
	ck_assert(out[1] == 0xd4 && out[4] == 0xa1 && out[5] == 0x04);
	gm_put_le16(out + 9, 0x1122);
	ck_assert(out[9] == 0x22 && out[10] == 0x11 && out[8] == 0x01);
}
END_TEST

START_TEST(endian_types)
{
	gm_le16_t a = gm_le16(0x1234);
	gm_be16_t b = gm_be16(0x1234);
	gm_le32_t c = gm_le32(0x11223344);
	gm_be32_t d = gm_be32(0x11223344);
	gm_le64_t e = gm_le64(0x0102030405060708ULL);
	gm_be64_t f = gm_be64(0x0102030405060708ULL);
	uint8_t raw[8];
	memcpy(raw, &a, 2);
	ck_assert(raw[0] == 0x34 && raw[1] == 0x12);
	memcpy(raw, &b, 2);
	ck_assert(raw[0] == 0x12 && raw[1] == 0x34);
	memcpy(raw, &c, 4);
	ck_assert(raw[0] == 0x44 && raw[3] == 0x11);
	memcpy(raw, &d, 4);
	ck_assert(raw[0] == 0x11 && raw[3] == 0x44);
	memcpy(raw, &e, 8);
	ck_assert(raw[0] == 0x08 && raw[7] == 0x01);
	memcpy(raw, &f, 8);
	ck_assert(raw[0] == 0x01 && raw[7] == 0x08);
	ck_assert_uint_eq(gm_le16_to_cpu(a), 0x1234);
	ck_assert_uint_eq(gm_be16_to_cpu(b), 0x1234);
	ck_assert_uint_eq(gm_le32_to_cpu(c), 0x11223344);
	ck_assert_uint_eq(gm_be32_to_cpu(d), 0x11223344);
	ck_assert_uint_eq(gm_le64_to_cpu(e), 0x0102030405060708ULL);
	ck_assert_uint_eq(gm_be64_to_cpu(f), 0x0102030405060708ULL);
	/* through guest memory: write BE, read bytes back */
	struct gm_range r = {gm_addr(0), 4096};
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_anon(&m, &r, 1), 0);
	ck_assert_int_eq(gm_memory_write_obj(m, &d, sizeof(d), gm_addr(16)), 0);
	uint8_t g[4];
	ck_assert_int_eq(gm_memory_read_slice(m, g, 4, gm_addr(16)), 0);
	ck_assert(g[0] == 0x11 && g[1] == 0x22 && g[2] == 0x33 && g[3] == 0x44);
	gm_le32_t back;
	ck_assert_int_eq(gm_memory_read_obj(m, &back, sizeof(back), gm_addr(16)), 0);
	ck_assert_uint_eq(gm_le32_to_cpu(back), 0x44332211);
	gm_memory_put(m);
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("mem_addr");
	TCase *tc = tcase_create("addr");
	tcase_add_test(tc, checked_add_sub);
	tcase_add_test(tc, overflowing_unchecked);
	tcase_add_test(tc, offset_align_mask_cmp);
	tcase_add_test(tc, other_address_types);
	tcase_add_test(tc, endian_types);
	tcase_add_test(tc, endian_byte_buffers);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(addr_suite)
