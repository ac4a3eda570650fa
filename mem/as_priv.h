/* Private layout of the address space (mem/as.c, mem/flatview.c). Not ABI. */
#ifndef VMM_MEM_AS_PRIV_H
#define VMM_MEM_AS_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include "vmm-mem/as.h"

/* A host mapping: munmapped when the last reference (region, views, pins)
 * goes. */
struct gm__asmap {
	atomic_ulong refs;
	void *host;
	uint64_t len;
	bool writable;
};

struct gm__asment {
	uint64_t off, len;
	struct gm__asmap *map;
};

struct gm_asregion {
	atomic_ulong refs; /* owner + every view holding a section of it */
	char *name;
	uint64_t len;
	int prio;
	bool mmio;
	const struct gm_asregion_ops *ops;
	void *opaque;
	struct gm__asment *ents;
	size_t nents, capents;
	struct gm_as *as; /* space it is mapped in, or NULL */
	uint64_t gpa;
};

struct gm__assec {
	struct gm_flatview_section pub;
	struct gm__asmap *map; /* RAM only */
};

struct gm_flatview {
	atomic_ulong refs;
	size_t n;
	struct gm__assec s[];
};

struct gm_as {
	pthread_mutex_t mu;
	struct gm_asregion **regs;
	size_t nregs, capregs;
	_Atomic(struct gm_flatview *) cur;
	atomic_ulong readers;
	int txn;
	struct gm_as_listener **ls;
	size_t nls, capls;
	uint64_t next_id;
};

void gm__asmap_put(struct gm__asmap *m);
void gm__asregion_put(struct gm_asregion *r);
/* flatview.c: build the view of the mapped regions (ids left 0) / diff. */
int gm__flatview_build(struct gm_as *as, struct gm_flatview **out);
const struct gm__assec *gm__flatview_lookup(const struct gm_flatview *v, uint64_t gpa);

#endif
