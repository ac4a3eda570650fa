/* libFuzzer target for the mem/ address space: the input is a program of
 * map / unmap / move / set-priority / mapping-remove / access operations on
 * 8 regions (RAM and MMIO) over a 64 KiB guest range; after each operation
 * the flat view and accesses are checked against a naive per-page model. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <vmm-mem/as.h>

#include "tests/fuzz/input.h"
#include "tests/unit/as_model.h"

#define PG 4096u
#define NPG 16u
#define NR 8

static enum gm_as_result mr(void *o, uint64_t off, unsigned size, uint64_t *v,
			    const struct gm_as_attrs *a)
{
	(void)a;
	(void)size;
	*v = 0x0101010101010101ull * (uint8_t)((uintptr_t)o + off / PG);
	return GM_AS_OK;
}

static enum gm_as_result mw(void *o, uint64_t off, unsigned size, uint64_t v,
			    const struct gm_as_attrs *a)
{
	(void)o, (void)off, (void)size, (void)v, (void)a;
	return GM_AS_ACCESS_DENIED;
}

static const struct gm_asregion_ops ops = {mr, mw};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = fin_make(data, size);
	struct gm_as *as;
	if (gm_as_new(&as))
		return 0;
	struct mreg m[NR];
	for (int i = 0; i < NR; i++) {
		m[i].pages = 1 + fin_u8(&f) % 6;
		m[i].prio = fin_u8(&f) % 4;
		m[i].mapped = false;
		m[i].mmio = i >= NR - 2;
		m[i].backed = true;
		int rc = m[i].mmio ? gm_asregion_new_mmio(&m[i].r, "m", m[i].pages * PG, m[i].prio,
							  &ops, (void *)(uintptr_t)(0x40 + i))
				   : gm_asregion_new_ram(&m[i].r, "r", m[i].pages * PG, m[i].prio);
		CHECK(rc == 0);
		if (!m[i].mmio) {
			CHECK(gm_asregion_add_mapping(m[i].r, 0, m[i].pages * PG, -1, 0, true) ==
			      0);
			memset(gm_asregion_host(m[i].r, 0), 'A' + i, m[i].pages * PG);
		}
	}
	for (int op = 0; op < 200 && fin_left(&f); op++) {
		uint8_t c = fin_u8(&f);
		int k = (c >> 4) % NR, rc, want;
		uint64_t gpa = (fin_u8(&f) % (NPG - m[k].pages + 1)) * PG;
		int prio = fin_u8(&f) % 4;
		switch (c % 6) {
		case 0:
			want = m[k].mapped ? -EALREADY : as_model_clash(m, NR, k, gpa, m[k].prio) ? -EBUSY : 0;
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
			want = !m[k].mapped ? -ENOENT : as_model_clash(m, NR, k, gpa, m[k].prio) ? -EBUSY : 0;
			rc = gm_as_move(as, m[k].r, gpa);
			if (rc == 0)
				m[k].gpa = gpa;
			break;
		case 3:
			want = !m[k].mapped ? -ENOENT : as_model_clash(m, NR, k, m[k].gpa, prio) ? -EBUSY : 0;
			rc = gm_as_set_priority(as, m[k].r, prio);
			if (rc == 0)
				m[k].prio = prio;
			break;
		case 4:
			want = m[k].mmio ? -EINVAL : m[k].backed ? 0 : -ENOENT;
			rc = m[k].mmio ? -EINVAL : gm_asregion_remove_mapping(m[k].r, 0);
			if (rc == 0) {
				m[k].backed = false;
				CHECK(gm_as_update(as) == 0);
			}
			break;
		default: {
			uint64_t a = fin_u16(&f) % (NPG * PG + 64);
			uint8_t buf[64];
			size_t n = 1 + fin_u8(&f) % sizeof(buf);
			(void)gm_as_rw(as, a, buf, n, false, NULL);
			(void)gm_as_try_access(as, a, n, fin_u8(&f) & 1, NULL);
			want = rc = 0;
		}
		}
		CHECK_EQ(rc, want);
		struct gm_flatview *v = gm_as_view_get(as);
		for (uint64_t p = 0; p < NPG; p++) {
			int o = as_model_owner(m, NR, p);
			const struct gm_flatview_section *s = gm_flatview_find(v, p * PG + 7);
			uint8_t b = 0;
			enum gm_as_result res = gm_as_rw(as, p * PG + 7, &b, 1, false, NULL);
			if (o < 0 || !m[o].backed) {
				CHECK(s == NULL);
				CHECK(res == GM_AS_DECODE_ERROR);
			} else {
				CHECK(s && s->region == m[o].r);
				CHECK(res == GM_AS_OK);
				CHECK(m[o].mmio ? b == (uint8_t)(0x40 + o + (p - m[o].gpa / PG))
						: b == 'A' + o);
			}
		}
		for (size_t i = 1; i < gm_flatview_count(v); i++)
			CHECK(gm_flatview_section(v, i - 1)->gpa +
				  gm_flatview_section(v, i - 1)->size <=
			      gm_flatview_section(v, i)->gpa);
		gm_flatview_put(v);
	}
	gm_as_free(as);
	for (int i = 0; i < NR; i++)
		CHECK(gm_asregion_free(m[i].r) == 0);
	return 0;
}
