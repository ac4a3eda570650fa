/* boot/: bzImage header and ELF parsing, PVH note, host decompression.
 * Every image is built in the test; corrupt and truncated variants must be
 * rejected with a message, never read out of bounds (run under ASan). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/decompress.h"
#include "boot/elf.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_boot_images.h"

static uint8_t *good_bz(size_t *len)
{
	struct ti_bz_opts o = ti_bz_defaults();
	static const uint8_t payload[64] = { 0x1f, 0x8b };
	return ti_make_bzimage(&o, payload, sizeof(payload), len);
}

START_TEST(bz_good_header)
{
	size_t len;
	uint8_t *img = good_bz(&len);
	struct boot_bzimage bz;
	struct boot_err err = { 0 };
	ck_assert(boot_is_bzimage(img, len));
	ck_assert_int_eq(boot_bzimage_parse(img, len, &bz, &err), 0);
	ck_assert_uint_eq(bz.version, 0x020f);
	ck_assert_uint_eq(bz.pm_offset, 5 * 512);
	ck_assert_uint_eq(bz.pm_size, len - 5 * 512);
	ck_assert_uint_eq(bz.kernel_alignment, 0x200000);
	ck_assert_uint_eq(bz.pref_address, 0x1000000);
	ck_assert_uint_eq(bz.init_size, 0x400000);
	ck_assert_uint_eq(bz.cmdline_size, 2047);
	ck_assert_uint_eq(bz.payload_offset, 0x400);
	ck_assert_uint_eq(bz.payload_length, 64);
	ck_assert_uint_eq(bz.hdr_end, 0x26c);
	ck_assert(bz.relocatable);
	free(img);
}
END_TEST

START_TEST(bz_setup_sects_zero_means_four)
{
	struct ti_bz_opts o = ti_bz_defaults();
	o.setup_sects = 0;
	size_t len;
	uint8_t *img = ti_make_bzimage(&o, NULL, 0, &len);
	struct boot_bzimage bz;
	ck_assert_int_eq(boot_bzimage_parse(img, len, &bz, NULL), 0);
	ck_assert_uint_eq(bz.pm_offset, 5 * 512);
	ck_assert_uint_eq(bz.payload_length, 0);
	free(img);
}
END_TEST

/* Each corruption must fail with the given errno and a non-empty message. */
struct corrupt_case {
	size_t off;
	int width; /* 1, 2, 4 bytes */
	uint32_t value;
	int expect;
	const char *needle; /* substring of the message */
};

static const struct corrupt_case corrupt_cases[] = {
	{ 0x1fe, 2, 0x0000, -ENOEXEC, "not a bzImage" },
	{ 0x202, 4, 0x53726449, -ENOEXEC, "not a bzImage" },
	{ 0x206, 2, 0x020b, -ENOEXEC, "2.11 is too old" },
	{ 0x206, 2, 0x0100, -ENOEXEC, "too old" },
	{ 0x236, 2, 0x0002, -ENOEXEC, "64-bit" },
	{ 0x211, 1, 0x00, -ENOEXEC, "zImage" },
	{ 0x230, 4, 0x300000, -EINVAL, "kernel_alignment" },
	{ 0x230, 4, 0x0, -EINVAL, "kernel_alignment" },
	{ 0x260, 4, 0x0, -EINVAL, "init_size" },
	{ 0x238, 4, 0x0, -EINVAL, "cmdline_size" },
	{ 0x1f4, 4, 0x0, -EINVAL, "truncated" },
	{ 0x1f4, 4, 0x100000, -EINVAL, "truncated" },
	{ 0x1f1, 1, 200, -EINVAL, "truncated" },
	{ 0x248, 4, 0xfffffff0, -EINVAL, "payload" },
	{ 0x24c, 4, 0x7fffffff, -EINVAL, "payload" },
	{ 0x201, 1, 0x10, -EINVAL, "too short" },
};

START_TEST(bz_corrupt_fields)
{
	const struct corrupt_case *c = &corrupt_cases[_i];
	size_t len;
	uint8_t *img = good_bz(&len);
	if (c->width == 1)
		img[c->off] = (uint8_t)c->value;
	else if (c->width == 2)
		ti_put16(img + c->off, (uint16_t)c->value);
	else
		ti_put32(img + c->off, c->value);
	struct boot_bzimage bz;
	struct boot_err err = { 0 };
	int r = boot_bzimage_parse(img, len, &bz, &err);
	ck_assert_msg(r == c->expect, "case %d: got %d (%s)", _i, r, err.msg);
	ck_assert_int_eq(err.code, c->expect);
	ck_assert_msg(strstr(err.msg, c->needle), "case %d: message '%s' lacks '%s'", _i, err.msg,
		      c->needle);
	free(img);
}
END_TEST

START_TEST(bz_non_relocatable_needs_high_pref_address)
{
	struct ti_bz_opts o = ti_bz_defaults();
	o.relocatable = 0;
	o.kernel_alignment = 3; /* ignored when not relocatable */
	size_t len;
	uint8_t *img = ti_make_bzimage(&o, NULL, 0, &len);
	struct boot_bzimage bz;
	ck_assert_int_eq(boot_bzimage_parse(img, len, &bz, NULL), 0);
	ck_assert(!bz.relocatable);
	ti_put64(img + 0x258, 0x80000);
	struct boot_err err = { 0 };
	ck_assert_int_eq(boot_bzimage_parse(img, len, &bz, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "pref_address"));
	free(img);
}
END_TEST

/* Every truncation of a valid image is rejected (or, past the header,
 * accepted only while syssize still fits), never read past the end: each
 * length gets its own exact-size heap copy so ASan sees overreads. */
START_TEST(bz_every_truncation)
{
	size_t len;
	uint8_t *img = good_bz(&len);
	for (size_t n = 0; n < len; n++) {
		uint8_t *t = malloc(n ? n : 1);
		memcpy(t, img, n);
		struct boot_bzimage bz;
		struct boot_err err = { 0 };
		int r = boot_bzimage_parse(t, n, &bz, &err);
		if (n + 15 < len) {
			ck_assert_msg(r < 0, "length %zu accepted", n);
			ck_assert_msg(err.msg[0] != 0, "length %zu: no message", n);
		}
		if (r == 0)
			ck_assert_uint_le(bz.pm_offset + bz.payload_offset + bz.payload_length, n);
		free(t);
	}
	free(img);
}
END_TEST

START_TEST(bz_not_loadable_high_below_212_message)
{
	struct ti_bz_opts o = ti_bz_defaults();
	o.version = 0x020a;
	size_t len;
	uint8_t *img = ti_make_bzimage(&o, NULL, 0, &len);
	struct boot_err err = { 0 };
	struct boot_bzimage bz;
	ck_assert_int_eq(boot_bzimage_parse(img, len, &bz, &err), -ENOEXEC);
	ck_assert_str_eq(err.msg, "bzImage boot protocol 2.10 is too old (need 2.12 or later)");
	free(img);
}
END_TEST

static struct ti_elf_opts elf_defaults(void)
{
	struct ti_elf_opts o = { .paddr = 0x1000000, .entry = 0x1000000, .filesz = 0x3000,
				 .memsz = 0x5000, .pvh = 1, .pvh_entry = 0x1000100, .pvh_descsz = 8 };
	return o;
}

START_TEST(elf_good_with_pvh_note)
{
	struct ti_elf_opts o = elf_defaults();
	size_t len;
	uint8_t *img = ti_make_elf(&o, &len);
	struct boot_elf e;
	ck_assert(boot_is_elf64(img, len));
	ck_assert_int_eq(boot_elf_parse(img, len, &e, NULL), 0);
	ck_assert(e.has_pvh);
	ck_assert_uint_eq(e.pvh_entry, 0x1000100);
	ck_assert_uint_eq(e.entry, 0x1000000);
	ck_assert_uint_eq(e.entry_paddr, 0x1000000);
	ck_assert_uint_eq(e.load_start, 0x1000000);
	ck_assert_uint_eq(e.load_end, 0x1005000);
	ck_assert_uint_eq(e.nload, 1);
	free(img);
}
END_TEST

START_TEST(elf_pvh_note_4_byte_desc_and_absent)
{
	struct ti_elf_opts o = elf_defaults();
	o.pvh_descsz = 4;
	o.pvh_entry = 0x1000abc;
	size_t len;
	uint8_t *img = ti_make_elf(&o, &len);
	struct boot_elf e;
	ck_assert_int_eq(boot_elf_parse(img, len, &e, NULL), 0);
	ck_assert(e.has_pvh);
	ck_assert_uint_eq(e.pvh_entry, 0x1000abc);
	free(img);
	o.pvh = 0;
	img = ti_make_elf(&o, &len);
	ck_assert_int_eq(boot_elf_parse(img, len, &e, NULL), 0);
	ck_assert(!e.has_pvh);
	free(img);
}
END_TEST

START_TEST(pvh_note_parser)
{
	uint8_t n[64];
	uint32_t entry = 0;
	memset(n, 0, sizeof(n));
	/* wrong name: not found */
	ti_put32(n, 4); ti_put32(n + 4, 4); ti_put32(n + 8, 18);
	memcpy(n + 12, "Xe!", 4); ti_put32(n + 16, 0x1234);
	ck_assert_int_eq(boot_elf_find_pvh_note(n, 20, &entry), 0);
	/* right name */
	memcpy(n + 12, "Xen", 4);
	ck_assert_int_eq(boot_elf_find_pvh_note(n, 20, &entry), 1);
	ck_assert_uint_eq(entry, 0x1234);
	/* desc runs past the area */
	ck_assert_int_eq(boot_elf_find_pvh_note(n, 18, &entry), -EINVAL);
	/* namesz huge */
	ti_put32(n, 0xfffffff0);
	ck_assert_int_eq(boot_elf_find_pvh_note(n, 20, &entry), -EINVAL);
	/* odd desc size */
	ti_put32(n, 4); ti_put32(n + 4, 2);
	ck_assert_int_eq(boot_elf_find_pvh_note(n, 20, &entry), -EINVAL);
	/* 64-bit entry above 4 GiB is no 32-bit entry */
	ti_put32(n + 4, 8); ti_put64(n + 16, 0x100000000ULL);
	ck_assert_int_eq(boot_elf_find_pvh_note(n, 24, &entry), -EINVAL);
	/* trailing bytes shorter than a note header are ignored */
	ck_assert_int_eq(boot_elf_find_pvh_note(n, 11, &entry), 0);
}
END_TEST

struct elf_bad_case {
	size_t off;
	int width;
	uint64_t value;
	int expect;
	const char *needle;
};

/* offsets: ehdr 0, phdr[0] at 64 (PT_LOAD) */
static const struct elf_bad_case elf_bad[] = {
	{ 4, 1, 1, -ENOEXEC, "64-bit" },             /* ELFCLASS32 */
	{ 5, 1, 2, -ENOEXEC, "little-endian" },      /* big endian */
	{ 18, 2, 3, -ENOEXEC, "x86_64" },            /* EM_386 */
	{ 16, 2, 1, -ENOEXEC, "not an executable" }, /* ET_REL */
	{ 56, 2, 0, -EINVAL, "program headers" },
	{ 56, 2, 1000, -EINVAL, "program headers" },
	{ 54, 2, 32, -EINVAL, "program header size" },
	{ 32, 8, 0xfffffffffffffff0ULL, -EINVAL, "outside the file" },
	{ 64 + 8, 8, 0x100000, -EINVAL, "outside" },       /* p_offset */
	{ 64 + 32, 8, 0x10000000, -EINVAL, "outside" },    /* p_filesz */
	{ 64 + 40, 8, 0x10, -EINVAL, "filesz" },           /* memsz < filesz */
	{ 64 + 24, 8, 0xfffffffffffff000ULL, -EINVAL, "overflows" },
	{ 64 + 56 + 8, 8, 0x7fffffff, -EINVAL, "outside" }, /* note offset */
	{ 0x200 + 20, 4, 0xffffff00, -EINVAL, "malformed" }, /* note namesz */
	{ 64, 4, 6, -EINVAL, "no loadable" },              /* PT_PHDR only */
};

START_TEST(elf_bad_headers_and_segments)
{
	const struct elf_bad_case *c = &elf_bad[_i];
	struct ti_elf_opts o = elf_defaults();
	size_t len;
	uint8_t *img = ti_make_elf(&o, &len);
	if (c->width == 1)
		img[c->off] = (uint8_t)c->value;
	else if (c->width == 2)
		ti_put16(img + c->off, (uint16_t)c->value);
	else if (c->width == 4)
		ti_put32(img + c->off, (uint32_t)c->value);
	else
		ti_put64(img + c->off, c->value);
	struct boot_elf e;
	struct boot_err err = { 0 };
	int r = boot_elf_parse(img, len, &e, &err);
	ck_assert_msg(r == c->expect, "case %d: %d (%s)", _i, r, err.msg);
	ck_assert_msg(strstr(err.msg, c->needle), "case %d: '%s' lacks '%s'", _i, err.msg,
		      c->needle);
	free(img);
}
END_TEST

START_TEST(elf_overlapping_segments)
{
	struct ti_elf_opts o = elf_defaults();
	o.pvh = 0;
	size_t len;
	uint8_t *img = ti_make_elf(&o, &len);
	/* turn into two PT_LOADs, the second overlapping the first */
	ti_put16(img + 56, 2);
	memcpy(img + 64 + 56, img + 64, 56);
	ti_put64(img + 64 + 56 + 24, 0x1004000);
	struct boot_err err = { 0 };
	struct boot_elf e;
	ck_assert_int_eq(boot_elf_parse(img, len, &e, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "overlap"));
	ti_put64(img + 64 + 56 + 24, 0x1005000); /* adjacent: fine */
	ck_assert_int_eq(boot_elf_parse(img, len, &e, &err), 0);
	ck_assert_uint_eq(e.nload, 2);
	ck_assert_uint_eq(e.load_end, 0x100a000);
	free(img);
}
END_TEST

START_TEST(elf_every_truncation)
{
	struct ti_elf_opts o = elf_defaults();
	size_t len;
	uint8_t *img = ti_make_elf(&o, &len);
	for (size_t n = 0; n < len; n += (n < 0x300 ? 1 : 61)) {
		uint8_t *t = malloc(n ? n : 1);
		memcpy(t, img, n);
		struct boot_elf e;
		struct boot_err err = { 0 };
		ck_assert_msg(boot_elf_parse(t, n, &e, &err) < 0, "length %zu accepted", n);
		ck_assert(err.msg[0]);
		free(t);
	}
	free(img);
}
END_TEST

/* ---- decompression ---- */

static uint8_t *sample_data(size_t n)
{
	uint8_t *d = malloc(n);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		/* compressible but not trivial */
		d[i] = (i % 64 < 40) ? (uint8_t)(i / 64) : (uint8_t)(x >> 24);
	}
	return d;
}

static const enum boot_compression all_formats[] = {
	BOOT_COMP_GZIP, BOOT_COMP_BZIP2, BOOT_COMP_LZMA, BOOT_COMP_XZ, BOOT_COMP_LZ4, BOOT_COMP_ZSTD,
};

START_TEST(decompress_round_trip)
{
	enum boot_compression c = all_formats[_i];
	if (!boot_compression_supported(c)) {
		harness_skip("%s: not built in", boot_compression_name(c));
	}
	size_t n = 300000;
	uint8_t *data = sample_data(n);
	size_t clen = 0;
	uint8_t *comp = ti_compress(c, data, n, &clen);
	ck_assert_ptr_nonnull(comp);
	ck_assert_int_eq(boot_detect_compression(comp, clen), c);
	uint8_t *out;
	size_t out_len;
	enum boot_compression got;
	struct boot_err err = { 0 };
	ck_assert_msg(boot_decompress(comp, clen, n, &out, &out_len, &got, &err) == 0, "%s: %s",
		      boot_compression_name(c), err.msg);
	ck_assert_int_eq(got, c);
	ck_assert_uint_eq(out_len, n);
	ck_assert(memcmp(out, data, n) == 0);
	free(out);

	/* bound: declared size above max_out */
	ck_assert_int_eq(boot_decompress(comp, clen, n - 1, &out, &out_len, &got, &err), -EFBIG);
	ck_assert_ptr_null(out);

	/* trailer lies: says smaller than the stream produces */
	uint8_t *lie = malloc(clen);
	memcpy(lie, comp, clen);
	ti_put32(lie + clen - 4, (uint32_t)(n - 100));
	if (c != BOOT_COMP_GZIP) { /* gzip's trailer is checked by zlib as well */
		ck_assert_int_eq(boot_decompress(lie, clen, n, &out, &out_len, &got, &err), -EINVAL);
		ck_assert_ptr_null(out);
		/* says larger */
		ti_put32(lie + clen - 4, (uint32_t)(n + 100));
		ck_assert_int_eq(boot_decompress(lie, clen, 2 * n, &out, &out_len, &got, &err), -EINVAL);
	}
	free(lie);

	/* truncated streams (keeping a valid-looking trailer) fail cleanly */
	for (size_t cut = 8; cut < clen; cut = cut * 2 + 3) {
		uint8_t *t = malloc(cut + 4);
		memcpy(t, comp, cut);
		ti_put32(t + cut, (uint32_t)n);
		int r = boot_decompress(t, cut + 4, n, &out, &out_len, &got, &err);
		ck_assert_msg(r < 0, "%s: truncated to %zu accepted", boot_compression_name(c), cut);
		ck_assert_ptr_null(out);
		free(t);
	}
	/* corrupt bytes in the middle fail or give the wrong data, never crash */
	uint8_t *bad = malloc(clen);
	memcpy(bad, comp, clen);
	for (size_t i = clen / 3; i < clen / 3 + 16 && i < clen - 4; i++)
		bad[i] ^= 0xa5;
	if (boot_decompress(bad, clen, n, &out, &out_len, &got, &err) == 0) {
		ck_assert_uint_eq(out_len, n);
		free(out);
	}
	free(bad);
	free(comp);
	free(data);
}
END_TEST

START_TEST(decompress_unknown_and_tiny)
{
	uint8_t junk[32] = "this is not compressed at all";
	uint8_t *out = (uint8_t *)1;
	size_t out_len;
	struct boot_err err = { 0 };
	ck_assert_int_eq(boot_detect_compression(junk, sizeof(junk)), BOOT_COMP_UNKNOWN);
	ck_assert_int_eq(boot_decompress(junk, sizeof(junk), 1 << 20, &out, &out_len, NULL, &err),
			 -ENOTSUP);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown compression"));
	uint8_t gz[4] = { 0x1f, 0x8b, 8, 0 };
	if (boot_compression_supported(BOOT_COMP_GZIP))
		ck_assert_int_eq(boot_decompress(gz, sizeof(gz), 1 << 20, &out, &out_len, NULL, &err),
				 -EINVAL);
	/* declared size 0 */
	uint8_t zs[12] = { 0x28, 0xb5, 0x2f, 0xfd };
	if (boot_compression_supported(BOOT_COMP_ZSTD))
		ck_assert_int_eq(boot_decompress(zs, sizeof(zs), 1 << 20, &out, &out_len, NULL, &err),
				 -EINVAL);
	ck_assert_str_eq(boot_compression_name(BOOT_COMP_LZ4), "lz4");
}
END_TEST

START_TEST(decompress_lz4_multi_block)
{
	if (!boot_compression_supported(BOOT_COMP_LZ4))
		return;
	/* > 8 MiB: more than one legacy block */
	size_t n = (8u << 20) + 12345;
	uint8_t *data = sample_data(n);
	size_t clen = 0;
	uint8_t *comp = ti_compress(BOOT_COMP_LZ4, data, n, &clen);
	uint8_t *out;
	size_t out_len;
	ck_assert_int_eq(boot_decompress(comp, clen, n, &out, &out_len, NULL, NULL), 0);
	ck_assert(memcmp(out, data, n) == 0);
	free(out);
	/* a block size field larger than the rest of the input */
	ti_put32(comp + 4, 0x7fffffff);
	ck_assert_int_eq(boot_decompress(comp, clen, n, &out, &out_len, NULL, NULL), -EINVAL);
	free(comp);
	free(data);
}
END_TEST

static Suite *boot_image_suite(void)
{
	Suite *s = suite_create("boot_image");
	TCase *tc = tcase_create("bzimage");
	tcase_add_test(tc, bz_good_header);
	tcase_add_test(tc, bz_setup_sects_zero_means_four);
	tcase_add_loop_test(tc, bz_corrupt_fields, 0,
			    sizeof(corrupt_cases) / sizeof(corrupt_cases[0]));
	tcase_add_test(tc, bz_non_relocatable_needs_high_pref_address);
	tcase_add_test(tc, bz_every_truncation);
	tcase_add_test(tc, bz_not_loadable_high_below_212_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("elf");
	tcase_add_test(tc, elf_good_with_pvh_note);
	tcase_add_test(tc, elf_pvh_note_4_byte_desc_and_absent);
	tcase_add_test(tc, pvh_note_parser);
	tcase_add_loop_test(tc, elf_bad_headers_and_segments, 0, sizeof(elf_bad) / sizeof(elf_bad[0]));
	tcase_add_test(tc, elf_overlapping_segments);
	tcase_add_test(tc, elf_every_truncation);
	suite_add_tcase(s, tc);

	tc = tcase_create("decompress");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, decompress_round_trip, 0,
			    sizeof(all_formats) / sizeof(all_formats[0]));
	tcase_add_test(tc, decompress_unknown_and_tiny);
	tcase_add_test(tc, decompress_lz4_multi_block);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(boot_image_suite)
