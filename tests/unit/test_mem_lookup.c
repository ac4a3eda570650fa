/* mem/ lookup and inline accessors against a reference model: random layouts
 * (tiny, adjacent, sparse, read-only, dirty-tracked regions, one at the top of
 * the address space), random addresses near every boundary and anywhere, and
 * every access size. Fixed seeds, so failures reproduce. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

#define MAXR 40

struct model {
	size_t n;
	uint64_t start[MAXR], last[MAXR];
	bool ro[MAXR], tracked[MAXR];
	uint8_t *host[MAXR];
};

static uint64_t rng(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Index of the region holding a, or -1. */
static int ref_find(const struct model *md, uint64_t a)
{
	for (size_t i = 0; i < md->n; i++)
		if (a >= md->start[i] && a <= md->last[i])
			return (int)i;
	return -1;
}

/* Expected result of an n-byte access at a: 0, -EFAULT or -EACCES. */
static int ref_check(const struct model *md, uint64_t a, unsigned n, bool write)
{
	for (unsigned k = 0; k < n; k++) {
		if (k && a + k == 0)
			return -EFAULT; /* wrapped past UINT64_MAX */
		int i = ref_find(md, a + k);
		if (i < 0)
			return -EFAULT;
		if (write && md->ro[i])
			return -EACCES;
	}
	return 0;
}

static uint8_t *ref_byte(const struct model *md, uint64_t a)
{
	int i = ref_find(md, a);
	return md->host[i] + (a - md->start[i]);
}

static struct gm_memory *random_layout(uint64_t *seed, struct model *md)
{
	struct gm_region *regs[MAXR];
	md->n = 2 + rng(seed) % (MAXR - 2);
	uint64_t cur = rng(seed) % 4 == 0 ? 0 : (rng(seed) % 0x100000) << (rng(seed) % 12);
	for (size_t i = 0; i < md->n; i++) {
		unsigned align_bits = (unsigned)(rng(seed) % 17);
		uint64_t len = rng(seed) % 5 == 0 ? 1 + rng(seed) % 12 : 1 + rng(seed) % 0x30000;
		if (rng(seed) % 3 == 0)
			len = (len + 0xfff) & ~0xfffULL; /* page multiple */
		uint64_t gap = rng(seed) % 3 == 0 ? 0 : rng(seed) % 0x20000;
		uint64_t start =
		    (cur + gap + (1ULL << align_bits) - 1) & ~((1ULL << align_bits) - 1);
		if (i == md->n - 1 && rng(seed) % 3 == 0)
			start = UINT64_MAX - len + 1; /* ends exactly at UINT64_MAX */
		struct gm_mmap_opts o = {0};
		md->ro[i] = rng(seed) % 5 == 0;
		md->tracked[i] = rng(seed) % 4 == 0;
		o.prot = md->ro[i] ? PROT_READ : 0;
		o.dirty_tracking = md->tracked[i];
		ck_assert_int_eq(gm_region_new_anon(&regs[i], gm_addr(start), len, &o), 0);
		md->start[i] = start;
		md->last[i] = start + len - 1;
		md->host[i] = gm_region_host_base(regs[i]);
		cur = md->last[i] + 1;
	}
	/* shuffle the order the builder sees */
	for (size_t i = md->n - 1; i > 0; i--) {
		size_t j = rng(seed) % (i + 1);
		struct gm_region *t = regs[i];
		regs[i] = regs[j];
		regs[j] = t;
	}
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_from_regions(&m, regs, md->n), 0);
	for (size_t i = 0; i < md->n; i++)
		gm_region_put(regs[i]);
	return m;
}

static uint64_t pick_addr(uint64_t *seed, const struct model *md)
{
	size_t i = rng(seed) % md->n;
	switch (rng(seed) % 6) {
	case 0:
		return md->start[i] + rng(seed) % 16 - 8;
	case 1:
		return md->last[i] + rng(seed) % 16 - 8;
	case 2:
		return md->start[i] + rng(seed) % (md->last[i] - md->start[i] + 1);
	case 3:
		return rng(seed);
	case 4:
		return UINT64_MAX - rng(seed) % 16;
	default:
		return md->start[i] + (rng(seed) % 64) * 8;
	}
}

static int read_n(const struct gm_memory *m, uint64_t a, unsigned n, uint64_t *v)
{
	int rc = -1;
	*v = 0;
	switch (n) {
	case 1: {
		uint8_t x;
		rc = gm_memory_read_u8(m, gm_addr(a), &x);
		*v = x;
		break;
	}
	case 2: {
		uint16_t x;
		rc = gm_memory_read_u16(m, gm_addr(a), &x);
		*v = x;
		break;
	}
	case 4: {
		uint32_t x;
		rc = gm_memory_read_u32(m, gm_addr(a), &x);
		*v = x;
		break;
	}
	case 8:
		rc = gm_memory_read_u64(m, gm_addr(a), v);
		break;
	}
	return rc;
}

static int write_n(const struct gm_memory *m, uint64_t a, unsigned n, uint64_t v)
{
	switch (n) {
	case 1:
		return gm_memory_write_u8(m, gm_addr(a), (uint8_t)v);
	case 2:
		return gm_memory_write_u16(m, gm_addr(a), (uint16_t)v);
	case 4:
		return gm_memory_write_u32(m, gm_addr(a), (uint32_t)v);
	default:
		return gm_memory_write_u64(m, gm_addr(a), v);
	}
}

START_TEST(random_layouts_match_model)
{
	uint64_t seed = 0x1234567887654321ULL + (uint64_t)_i * 7919;
	for (int layout = 0; layout < 25; layout++) {
		struct model md;
		struct gm_memory *m = random_layout(&seed, &md);
		ck_assert_uint_eq(gm_memory_num_regions(m), md.n);
		for (int k = 0; k < 4000; k++) {
			uint64_t a = pick_addr(&seed, &md);
			unsigned n = 1u << (rng(&seed) % 4);
			/* lookup */
			int want = ref_find(&md, a);
			const struct gm_region *r = gm_memory_find_region(m, gm_addr(a));
			if (want < 0)
				ck_assert_ptr_null(r);
			else
				ck_assert_uint_eq(gm_region_start(r).raw, md.start[want]);
			ck_assert(gm_memory_check_range(m, gm_addr(a), n) ==
				  (ref_check(&md, a, n, false) == 0));
			/* read */
			uint64_t v, exp = 0;
			int rc = read_n(m, a, n, &v);
			ck_assert_int_eq(rc, ref_check(&md, a, n, false));
			if (rc == 0) {
				for (unsigned b = 0; b < n; b++)
					exp |= (uint64_t)*ref_byte(&md, a + b) << (8 * b);
				ck_assert_uint_eq(v, exp);
			}
			/* write */
			uint64_t val = rng(&seed);
			for (size_t i = 0; i < md.n; i++)
				if (md.tracked[i])
					gm_bitmap_reset(gm_region_bitmap(
					    gm_memory_find_region(m, gm_addr(md.start[i]))));
			rc = write_n(m, a, n, val);
			ck_assert_int_eq(rc, ref_check(&md, a, n, true));
			if (rc == 0) {
				for (unsigned b = 0; b < n; b++) {
					ck_assert_uint_eq(*ref_byte(&md, a + b),
							  (uint8_t)(val >> (8 * b)));
					int i = ref_find(&md, a + b);
					if (md.tracked[i])
						ck_assert(gm_bitmap_is_dirty(
						    gm_region_bitmap(
							gm_memory_find_region(m, gm_addr(a + b))),
						    a + b - md.start[i]));
				}
			}
		}
		gm_memory_put(m);
	}
}
END_TEST

static Suite *lookup_suite(void)
{
	Suite *s = suite_create("mem_lookup");
	TCase *tc = tcase_create("lookup");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, random_layouts_match_model, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(lookup_suite)
