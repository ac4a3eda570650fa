/* devices/core address allocator: policies, every error code, merging,
 * save/restore, and a randomized test against a byte-map model. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/addr_alloc.h"
#include "tests/unit/harness.h"
#include "tests/unit/test_dev_model.h"

static struct dev_addr_alloc *mk(uint64_t base, uint64_t size)
{
	struct dev_addr_alloc *a = NULL;
	ck_assert_int_eq(dev_addr_alloc_new(&a, base, size), 0);
	return a;
}

START_TEST(new_errors)
{
	struct dev_addr_alloc *a = NULL;
	ck_assert_int_eq(dev_addr_alloc_new(&a, 0x1000, 0), -EDOM);
	ck_assert_int_eq(dev_addr_alloc_new(&a, UINT64_MAX, 2), -EOVERFLOW);
	ck_assert_ptr_null(a);
	/* a span ending exactly at UINT64_MAX is fine */
	ck_assert_int_eq(dev_addr_alloc_new(&a, 1, UINT64_MAX), 0);
	ck_assert_uint_eq(dev_addr_alloc_last(a), UINT64_MAX);
	uint64_t got;
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x1000, 0x1000, DEV_ALLOC_LAST_MATCH, 0, &got),
			 0);
	ck_assert_uint_eq(got, UINT64_MAX - 0xfff);
	ck_assert_int_eq(
	    dev_addr_alloc_allocate(a, 1, 1, DEV_ALLOC_EXACT, UINT64_MAX - 0x1000, &got), 0);
	ck_assert_int_eq(dev_addr_alloc_release(a, UINT64_MAX - 0xfff, 0x1000), 0);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 2, 1, DEV_ALLOC_EXACT, UINT64_MAX, &got),
			 -EOVERFLOW);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 1, 1, DEV_ALLOC_EXACT, UINT64_MAX, &got), 0);
	ck_assert_int_eq(dev_addr_alloc_is_allocated(a, UINT64_MAX), 1);
	dev_addr_alloc_destroy(a);
	dev_addr_alloc_destroy(NULL);
}
END_TEST

START_TEST(policies)
{
	struct dev_addr_alloc *a = mk(0x1000, 0x10000); /* [0x1000, 0x11000) */
	uint64_t x, y, z;
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x100, 0x100, DEV_ALLOC_FIRST_MATCH, 0, &x), 0);
	ck_assert_uint_eq(x, 0x1000);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x100, 0x1000, DEV_ALLOC_FIRST_MATCH, 0, &y),
			 0);
	ck_assert_uint_eq(y, 0x2000);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x100, 0x100, DEV_ALLOC_FIRST_MATCH, 0, &z), 0);
	ck_assert_uint_eq(z, 0x1100); /* first fit reuses the gap below y */
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x800, 0x100, DEV_ALLOC_LAST_MATCH, 0, &x), 0);
	ck_assert_uint_eq(x, 0x11000 - 0x800);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x10, 0x1000, DEV_ALLOC_LAST_MATCH, 0, &x), 0);
	ck_assert_uint_eq(x, 0x10000);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x10, 1, DEV_ALLOC_EXACT, 0x5000, &x), 0);
	ck_assert_uint_eq(x, 0x5000);
	ck_assert_int_eq(dev_addr_alloc_is_allocated(a, 0x500f), 1);
	ck_assert_int_eq(dev_addr_alloc_is_allocated(a, 0x5010), 0);
	ck_assert_uint_eq(dev_addr_alloc_count(a), 6);
	dev_addr_alloc_destroy(a);
}
END_TEST

START_TEST(error_codes)
{
	struct dev_addr_alloc *a = mk(0x1000, 0x1000); /* [0x1000, 0x2000) */
	uint64_t x;
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0, 1, DEV_ALLOC_FIRST_MATCH, 0, &x), -EDOM);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 16, 0, DEV_ALLOC_FIRST_MATCH, 0, &x), -EINVAL);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 16, 3, DEV_ALLOC_FIRST_MATCH, 0, &x), -EINVAL);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 16, 1, (enum dev_alloc_policy)7, 0, &x),
			 -EINVAL);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x1001, 1, DEV_ALLOC_FIRST_MATCH, 0, &x),
			 -ENOSPC);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x1001, 1, DEV_ALLOC_LAST_MATCH, 0, &x),
			 -ENOSPC);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 16, 1, DEV_ALLOC_EXACT, 0xfff, &x), -ERANGE);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 16, 1, DEV_ALLOC_EXACT, 0x1ff8, &x), -ERANGE);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 16, 16, DEV_ALLOC_EXACT, 0x1008, &x),
			 -EADDRNOTAVAIL);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 16, 1, DEV_ALLOC_EXACT, UINT64_MAX - 4, &x),
			 -EOVERFLOW);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x100, 1, DEV_ALLOC_EXACT, 0x1100, &x), 0);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x10, 1, DEV_ALLOC_EXACT, 0x11f0, &x),
			 -EADDRINUSE);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x200, 1, DEV_ALLOC_EXACT, 0x1000, &x),
			 -EADDRINUSE);
	/* alignment larger than what is left */
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x10, 0x4000, DEV_ALLOC_FIRST_MATCH, 0, &x),
			 -ENOSPC);
	/* free errors */
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x1100, 0), -EDOM);
	ck_assert_int_eq(dev_addr_alloc_release(a, UINT64_MAX, 2), -EOVERFLOW);
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x100, 0x10), -ERANGE);
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x1100, 0x80), -ENOENT); /* part of it */
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x1180, 0x80), -ENOENT); /* inside */
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x1800, 0x10), -ENOENT); /* never allocated */
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x1100, 0x100), 0);
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x1100, 0x100), -ENOENT); /* already freed */
	ck_assert_uint_eq(dev_addr_alloc_count(a), 0);
	dev_addr_alloc_destroy(a);
}
END_TEST

START_TEST(merging)
{
	struct dev_addr_alloc *a = mk(0, 0x1000);
	uint64_t x[4];
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(
		    dev_addr_alloc_allocate(a, 0x100, 1, DEV_ALLOC_FIRST_MATCH, 0, &x[i]), 0);
		ck_assert_uint_eq(x[i], (uint64_t)i * 0x100);
	}
	ck_assert_uint_eq(dev_addr_alloc_free_count(a), 1);
	ck_assert_int_eq(dev_addr_alloc_release(a, x[1], 0x100), 0);
	ck_assert_uint_eq(dev_addr_alloc_free_count(a), 2);
	ck_assert_int_eq(dev_addr_alloc_release(a, x[3], 0x100), 0); /* merges with the tail */
	ck_assert_uint_eq(dev_addr_alloc_free_count(a), 2);
	ck_assert_int_eq(dev_addr_alloc_release(a, x[2], 0x100), 0); /* merges both sides */
	ck_assert_uint_eq(dev_addr_alloc_free_count(a), 1);
	/* the merged hole takes a request bigger than any of its parts */
	uint64_t y;
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0xf00, 1, DEV_ALLOC_FIRST_MATCH, 0, &y), 0);
	ck_assert_uint_eq(y, 0x100);
	ck_assert_int_eq(dev_addr_alloc_release(a, 0, 0x100), 0);
	ck_assert_int_eq(dev_addr_alloc_release(a, 0x100, 0xf00), 0);
	ck_assert_uint_eq(dev_addr_alloc_free_count(a), 1);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 0x1000, 1, DEV_ALLOC_EXACT, 0, &y), 0);
	ck_assert_uint_eq(dev_addr_alloc_free_count(a), 0);
	ck_assert_int_eq(dev_addr_alloc_allocate(a, 1, 1, DEV_ALLOC_FIRST_MATCH, 0, &y), -ENOSPC);
	dev_addr_alloc_destroy(a);
}
END_TEST

START_TEST(save_restore)
{
	struct dev_addr_alloc *a = mk(0xd0000000, 0x100000), *b = NULL;
	uint64_t x, y;
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(dev_addr_alloc_allocate(
				     a, 0x1000 * (uint64_t)(i % 3 + 1), 0x1000,
				     i % 2 ? DEV_ALLOC_LAST_MATCH : DEV_ALLOC_FIRST_MATCH, 0, &x),
				 0);
	ck_assert_int_eq(dev_addr_alloc_release(a, 0xd0000000, 0x1000), 0);
	size_t n = dev_addr_alloc_save_size(a);
	uint8_t *buf = malloc(n);
	ck_assert_int_eq(dev_addr_alloc_save(a, buf, n - 1), -ENOBUFS);
	ck_assert_int_eq(dev_addr_alloc_save(a, NULL, n), -ENOBUFS);
	ck_assert_int_eq(dev_addr_alloc_save(a, buf, n), (ssize_t)n);
	ck_assert_int_eq(dev_addr_alloc_restore(&b, buf, n), 0);
	ck_assert_uint_eq(dev_addr_alloc_count(b), dev_addr_alloc_count(a));
	ck_assert_uint_eq(dev_addr_alloc_free_count(b), dev_addr_alloc_free_count(a));
	for (int i = 0; i < 50; i++) {
		enum dev_alloc_policy p = i % 3 ? DEV_ALLOC_FIRST_MATCH : DEV_ALLOC_LAST_MATCH;
		int ra = dev_addr_alloc_allocate(a, 0x800 * (uint64_t)(i % 5 + 1), 0x800, p, 0, &x);
		int rb = dev_addr_alloc_allocate(b, 0x800 * (uint64_t)(i % 5 + 1), 0x800, p, 0, &y);
		ck_assert_int_eq(ra, rb);
		if (ra == 0)
			ck_assert_uint_eq(x, y);
	}
	dev_addr_alloc_destroy(b);
	b = NULL;
	/* malformed input is refused */
	ck_assert_int_eq(dev_addr_alloc_restore(&b, buf, 31), -EBADMSG);
	ck_assert_int_eq(dev_addr_alloc_restore(&b, buf, n - 1), -EBADMSG);
	ck_assert_int_eq(dev_addr_alloc_restore(&b, NULL, n), -EBADMSG);
	uint8_t *bad = malloc(n);
	memcpy(bad, buf, n);
	bad[0] ^= 1; /* magic */
	ck_assert_int_eq(dev_addr_alloc_restore(&b, bad, n), -EBADMSG);
	memcpy(bad, buf, n);
	memcpy(bad + 48, bad + 32, 16); /* duplicate range: overlap / not ascending */
	ck_assert_int_eq(dev_addr_alloc_restore(&b, bad, n), -EBADMSG);
	memcpy(bad, buf, n);
	bad[32] = 0; /* first range start below base */
	bad[33] = 0;
	bad[34] = 0;
	bad[35] = 0;
	ck_assert_int_eq(dev_addr_alloc_restore(&b, bad, n), -EBADMSG);
	memcpy(bad, buf, n);
	bad[24] ^= 0x80; /* count disagrees with length */
	ck_assert_int_eq(dev_addr_alloc_restore(&b, bad, n), -EBADMSG);
	ck_assert_ptr_null(b);
	/* clone */
	struct dev_addr_alloc *c = NULL;
	ck_assert_int_eq(dev_addr_alloc_clone(a, &c), 0);
	ck_assert_uint_eq(dev_addr_alloc_count(c), dev_addr_alloc_count(a));
	dev_addr_alloc_destroy(c);
	free(bad);
	free(buf);
	dev_addr_alloc_destroy(a);
}
END_TEST

/* Reference model: one byte per address of a small span. */
#define SPAN 4096
#define MBASE 0x10003ull /* deliberately unaligned */
struct amodel {
	uint8_t used[SPAN];
	uint32_t run[SPAN + 1]; /* free run starting at i */
	uint64_t s[SPAN], l[SPAN];
	int n;
};

static void model_runs(struct amodel *m)
{
	m->run[SPAN] = 0;
	for (int i = SPAN - 1; i >= 0; i--)
		m->run[i] = m->used[i] ? 0 : m->run[i + 1] + 1;
}

static int model_alloc(struct amodel *m, uint64_t size, uint64_t align, int policy, uint64_t addr,
		       uint64_t *out)
{
	model_runs(m);
	if (policy == DEV_ALLOC_EXACT) {
		if (addr < MBASE || addr + size - 1 > MBASE + SPAN - 1)
			return -ERANGE;
		if (addr % align)
			return -EADDRNOTAVAIL;
		if (m->run[addr - MBASE] < size)
			return -EADDRINUSE;
		*out = addr;
	} else {
		int found = 0;
		for (uint64_t k = 0; k < SPAN; k++) {
			uint64_t i = policy == DEV_ALLOC_FIRST_MATCH ? k : SPAN - 1 - k;
			if ((MBASE + i) % align == 0 && m->run[i] >= size) {
				*out = MBASE + i;
				found = 1;
				break;
			}
		}
		if (!found)
			return -ENOSPC;
	}
	memset(&m->used[*out - MBASE], 1, size);
	m->s[m->n] = *out;
	m->l[m->n++] = *out + size - 1;
	return 0;
}

static int model_free_runs(const struct amodel *m)
{
	int n = 0;
	for (int i = 0; i < SPAN; i++)
		if (!m->used[i] && (i == 0 || m->used[i - 1]))
			n++;
	return n;
}

START_TEST(randomized_vs_model)
{
	static struct amodel m;
	memset(&m, 0, sizeof(m));
	struct tprng r = {0xa110ca7e5eedull};
	struct dev_addr_alloc *a = mk(MBASE, SPAN);
	for (int op = 0; op < 100000; op++) {
		int what = (int)tprng_below(&r, 20);
		if (what < 10) {
			uint64_t size = 1 + tprng_below(&r, 64);
			uint64_t align = 1ull << tprng_below(&r, 7);
			int policy = what < 5	? DEV_ALLOC_FIRST_MATCH
				     : what < 8 ? DEV_ALLOC_LAST_MATCH
						: DEV_ALLOC_EXACT;
			uint64_t addr = MBASE - 8 + tprng_below(&r, SPAN + 16);
			uint64_t got = 0, want = 0;
			int rm = model_alloc(&m, size, align, policy, addr, &want);
			int ra = dev_addr_alloc_allocate(a, size, align,
							 (enum dev_alloc_policy)policy, addr, &got);
			ck_assert_int_eq(ra, rm);
			if (ra == 0)
				ck_assert_uint_eq(got, want);
		} else if (what < 17 && m.n) {
			int i = (int)tprng_below(&r, (uint64_t)m.n);
			ck_assert_int_eq(dev_addr_alloc_release(a, m.s[i], m.l[i] - m.s[i] + 1), 0);
			memset(&m.used[m.s[i] - MBASE], 0, m.l[i] - m.s[i] + 1);
			m.s[i] = m.s[m.n - 1];
			m.l[i] = m.l[--m.n];
		} else {
			/* bogus free: a random range that is not exactly an allocation */
			uint64_t s = MBASE + tprng_below(&r, SPAN), size = 1 + tprng_below(&r, 8);
			int exact = 0;
			for (int i = 0; i < m.n; i++)
				if (m.s[i] == s && m.l[i] == s + size - 1)
					exact = i + 1;
			int rc = dev_addr_alloc_release(a, s, size);
			if (s + size - 1 > MBASE + SPAN - 1)
				ck_assert_int_eq(rc, -ERANGE);
			else if (!exact)
				ck_assert_int_eq(rc, -ENOENT);
			else {
				ck_assert_int_eq(rc, 0);
				int i = exact - 1;
				memset(&m.used[m.s[i] - MBASE], 0, size);
				m.s[i] = m.s[m.n - 1];
				m.l[i] = m.l[--m.n];
			}
		}
		if (op % 1000 == 0) {
			ck_assert_uint_eq(dev_addr_alloc_count(a), (size_t)m.n);
			ck_assert_uint_eq(dev_addr_alloc_free_count(a),
					  (size_t)model_free_runs(&m));
			uint64_t p = MBASE + tprng_below(&r, SPAN);
			ck_assert_int_eq(dev_addr_alloc_is_allocated(a, p), m.used[p - MBASE]);
		}
	}
	dev_addr_alloc_destroy(a);
}
END_TEST

static Suite *aa_suite(void)
{
	Suite *s = suite_create("dev_addr_alloc");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, new_errors);
	tcase_add_test(tc, policies);
	tcase_add_test(tc, error_codes);
	tcase_add_test(tc, merging);
	tcase_add_test(tc, save_restore);
	tcase_add_test(tc, randomized_vs_model);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(aa_suite)
