/* The naive reference model of the mem/ address space, shared by the model
 * test (tests/unit/test_mem_as_model.c) and the fuzz target
 * (tests/fuzz/fuzz_mem_as.c): an array of regions, each mapped at a
 * page-aligned guest address with a priority; a page belongs to the mapped
 * region of highest priority that covers it. */
#ifndef TESTS_UNIT_AS_MODEL_H
#define TESTS_UNIT_AS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <vmm-mem/as.h>

#define AS_MODEL_PG 4096u

struct mreg {
	struct gm_asregion *r;
	uint64_t pages, gpa;
	int prio;
	bool mapped, mmio, backed; /* mmio/backed: used by the fuzz target only */
};

/* The index of the region that owns guest page `page`, or -1 (a hole). */
static inline int as_model_owner(const struct mreg *m, int n, uint64_t page)
{
	int best = -1;
	for (int i = 0; i < n; i++)
		if (m[i].mapped && page >= m[i].gpa / AS_MODEL_PG &&
		    page < m[i].gpa / AS_MODEL_PG + m[i].pages && (best < 0 || m[i].prio > m[best].prio))
			best = i;
	return best;
}

/* Would region k at gpa with priority prio overlap another mapped region of
 * the same priority (which the address space refuses with -EBUSY)? */
static inline bool as_model_clash(const struct mreg *m, int n, int k, uint64_t gpa, int prio)
{
	for (int i = 0; i < n; i++)
		if (i != k && m[i].mapped && m[i].prio == prio &&
		    gpa < m[i].gpa + m[i].pages * AS_MODEL_PG &&
		    m[i].gpa < gpa + m[k].pages * AS_MODEL_PG)
			return true;
	return false;
}

#endif
