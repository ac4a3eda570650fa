/* Bus snapshots and their lookup; see bus.h. */
#include "devices/core/bus.h"

#include <errno.h>
#include <stdlib.h>

int dev_bus_init(struct dev_bus *b)
{
	return dev_rt_new(&b->rt);
}

void dev_bus_fini(struct dev_bus *b)
{
	dev_rt_free(b->rt, NULL, NULL);
	b->rt = NULL;
}

struct fill {
	const void *exclude;
	uint64_t *starts;
	struct dev_bus_ent *ents;
	size_t i;
};

static int fill_cb(const struct dev_rt_node *n, void *ctx)
{
	struct fill *f = ctx;
	if (f->exclude && n->val == f->exclude)
		return 0;
	f->starts[f->i] = n->start;
	f->ents[f->i] = (struct dev_bus_ent){n->start, n->end, n->val};
	f->i++;
	return 0;
}

int dev_bus_snapshot(const struct dev_bus *b, const void *exclude, struct dev_bus_snap **out)
{
	size_t n = dev_rt_count(b->rt);
	/* One block: header, starts[n], ents[n] (all 8-byte aligned). */
	struct dev_bus_snap *s =
	    malloc(sizeof(*s) + n * (sizeof(uint64_t) + sizeof(struct dev_bus_ent)));
	if (!s)
		return -ENOMEM;
	struct fill f = {exclude, (uint64_t *)(s + 1), NULL, 0};
	f.ents = (struct dev_bus_ent *)(f.starts + n);
	dev_rt_foreach(b->rt, 0, fill_cb, &f);
	s->retire_next_ = NULL;
	s->n = f.i;
	s->starts = f.starts;
	s->ents = f.ents;
	*out = s;
	return 0;
}

void dev_bus_snap_free(struct dev_bus_snap *s)
{
	free(s);
}

int dev_bus_snap_lookup(const struct dev_bus_snap *s, uint64_t addr, uint32_t len,
			const struct dev_bus_ent **ent)
{
	uint64_t last;
	if (len == 0 || __builtin_add_overflow(addr, (uint64_t)len - 1, &last))
		return -EINVAL;
	size_t n = s->n;
	const uint64_t *st = s->starts;
	if (n == 0 || st[0] > last)
		return 1;
	/* The last range starting at or below the access's last byte: ranges
	 * are disjoint and sorted, so it is the only one that can hold it. */
	const uint64_t *base = st;
	while (n > 1) {
		size_t half = n / 2;
		base = (base[half] <= last) ? base + half : base;
		n -= half;
	}
	const struct dev_bus_ent *e = &s->ents[base - st];
	if (e->end < addr)
		return 1;
	if (e->start > addr || e->end < last)
		return -EINVAL;
	*ent = e;
	return 0;
}
