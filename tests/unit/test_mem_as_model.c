/* Address space against a naive model: random map/unmap/move/priority
 * changes over a 64 KiB guest range at page granularity; after every
 * operation each page's owner (flat view section and the byte read through
 * the space) is compared with the model, and every byte every 1000 ops.
 * Seeded; the seed is printed on failure. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vmm-mem/as.h>

#include "tests/unit/as_model.h"
#include "tests/unit/harness.h"

#define PG 4096u
#define NPG 16u
#define NR 12
#define OPS 100000

static uint64_t rng(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void run(uint64_t seed)
{
	uint64_t s = seed;
	struct gm_as *as;
	ck_assert_int_eq(gm_as_new(&as), 0);
	struct mreg m[NR];
	for (int i = 0; i < NR; i++) {
		m[i].pages = 1 + rng(&s) % 6;
		m[i].prio = (int)(rng(&s) % 5);
		m[i].mapped = false;
		ck_assert_int_eq(gm_asregion_new_ram(&m[i].r, "r", m[i].pages * PG, m[i].prio), 0);
		ck_assert_int_eq(gm_asregion_add_mapping(m[i].r, 0, m[i].pages * PG, -1, 0, true),
				 0);
		memset(gm_asregion_host(m[i].r, 0), 'A' + i, m[i].pages * PG);
	}
	for (int op = 0; op < OPS; op++) {
		int k = (int)(rng(&s) % NR);
		uint64_t gpa = (rng(&s) % (NPG - m[k].pages + 1)) * PG;
		int prio = (int)(rng(&s) % 5), rc, want;
		switch (rng(&s) % 4) {
		case 0:
			want = m[k].mapped			  ? -EALREADY
			       : as_model_clash(m, NR, k, gpa, m[k].prio) ? -EBUSY
								  : 0;
			rc = gm_as_map(as, m[k].r, gpa);
			if (rc == 0)
				m[k].mapped = true, m[k].gpa = gpa;
			break;
		case 1:
			want = m[k].mapped ? 0 : -ENOENT;
			rc = gm_as_unmap(as, m[k].r);
			if (rc == 0)
				m[k].mapped = false;
			break;
		case 2:
			want = !m[k].mapped			  ? -ENOENT
			       : as_model_clash(m, NR, k, gpa, m[k].prio) ? -EBUSY
								  : 0;
			rc = gm_as_move(as, m[k].r, gpa);
			if (rc == 0)
				m[k].gpa = gpa;
			break;
		default:
			want = !m[k].mapped			  ? -ENOENT
			       : as_model_clash(m, NR, k, m[k].gpa, prio) ? -EBUSY
								  : 0;
			rc = gm_as_set_priority(as, m[k].r, prio);
			if (rc == 0)
				m[k].prio = prio;
			break;
		}
		if (rc != want)
			fprintf(stderr, "seed %llu op %d: rc %d want %d\n",
				(unsigned long long)seed, op, rc, want);
		ck_assert_int_eq(rc, want);
		struct gm_flatview *v = gm_as_view_get(as);
		for (uint64_t p = 0; p < NPG; p++) {
			int o = as_model_owner(m, NR, p);
			const struct gm_flatview_section *sec =
			    gm_flatview_find(v, p * PG + PG / 2);
			uint8_t b = 0;
			enum gm_as_result res =
			    gm_as_rw(as, p * PG + (op % PG), &b, 1, false, NULL);
			bool ok = o < 0 ? (!sec && res == GM_AS_DECODE_ERROR)
					: (sec && sec->region == m[o].r && res == GM_AS_OK &&
					   b == 'A' + o);
			if (!ok)
				fprintf(stderr, "seed %llu op %d page %llu owner %d mismatch\n",
					(unsigned long long)seed, op, (unsigned long long)p, o);
			ck_assert(ok);
		}
		if (op % 1000 == 0) {
			for (uint64_t a = 0; a < NPG * PG; a++) {
				int o = as_model_owner(m, NR, a / PG);
				const struct gm_flatview_section *sec = gm_flatview_find(v, a);
				if (o < 0 ? sec != NULL : (!sec || sec->region != m[o].r))
					fprintf(stderr, "seed %llu op %d byte %llu\n",
						(unsigned long long)seed, op,
						(unsigned long long)a);
				ck_assert(o < 0 ? sec == NULL : (sec && sec->region == m[o].r));
			}
			/* sections sorted and non-overlapping */
			for (size_t i = 1; i < gm_flatview_count(v); i++) {
				const struct gm_flatview_section *a = gm_flatview_section(v, i - 1);
				const struct gm_flatview_section *b2 = gm_flatview_section(v, i);
				ck_assert(a->gpa + a->size <= b2->gpa);
			}
		}
		gm_flatview_put(v);
	}
	for (int i = 0; i < NR; i++) {
		if (m[i].mapped)
			ck_assert_int_eq(gm_as_unmap(as, m[i].r), 0);
		ck_assert_int_eq(gm_asregion_free(m[i].r), 0);
	}
	gm_as_free(as);
}

START_TEST(model_100k)
{
	run(0x9e3779b97f4a7c15ull);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mem_as_model");
	TCase *tc = tcase_create("model");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, model_100k);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(suite)
