/* Flat view: the mapped regions of a space resolved by priority into sorted,
 * non-overlapping sections; lookups on an immutable view. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem/as_priv.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Highest-priority mapped region covering gpa, or NULL. */
static struct gm_asregion *winner(const struct gm_as *as, uint64_t gpa)
{
	struct gm_asregion *best = NULL;
	for (size_t i = 0; i < as->nregs; i++) {
		struct gm_asregion *r = as->regs[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->len && (!best || r->prio > best->prio))
			best = r;
	}
	return best;
}

static const struct gm__asment *ment_at(const struct gm_asregion *r, uint64_t off)
{
	for (size_t i = 0; i < r->nents; i++)
		if (off >= r->ents[i].off && off - r->ents[i].off < r->ents[i].len)
			return &r->ents[i];
	return NULL;
}

int gm__flatview_build(struct gm_as *as, struct gm_flatview **out)
{
	size_t np = 0, cap = 1;
	for (size_t i = 0; i < as->nregs; i++)
		cap += 2 + 2 * as->regs[i]->nents;
	uint64_t *pts = malloc(cap * sizeof(*pts));
	if (!pts)
		return -ENOMEM;
	for (size_t i = 0; i < as->nregs; i++) {
		const struct gm_asregion *r = as->regs[i];
		pts[np++] = r->gpa;
		pts[np++] = r->gpa + r->len; /* <= UINT64_MAX (checked at map) */
		for (size_t k = 0; k < r->nents; k++) {
			pts[np++] = r->gpa + r->ents[k].off;
			pts[np++] = r->gpa + r->ents[k].off + r->ents[k].len;
		}
	}
	qsort(pts, np, sizeof(*pts), cmp_u64);
	size_t u = 0;
	for (size_t i = 0; i < np; i++)
		if (u == 0 || pts[i] != pts[u - 1])
			pts[u++] = pts[i];
	struct gm_flatview *v = calloc(1, sizeof(*v) + (u ? u : 1) * sizeof(v->s[0]));
	if (!v) {
		free(pts);
		return -ENOMEM;
	}
	atomic_init(&v->refs, 1);
	for (size_t i = 0; i + 1 < u; i++) {
		uint64_t a = pts[i], end = pts[i + 1];
		struct gm_asregion *r = winner(as, a);
		if (!r)
			continue;
		uint64_t off = a - r->gpa;
		struct gm__asmap *map = NULL;
		void *host = NULL;
		bool ro = false;
		if (!r->mmio) {
			const struct gm__asment *e = ment_at(r, off);
			if (!e)
				continue; /* hole inside a RAM region: decodes nowhere */
			map = e->map;
			host = (char *)map->host + (off - e->off);
			ro = !map->writable;
		}
		struct gm__assec *p = v->n ? &v->s[v->n - 1] : NULL;
		if (p && p->pub.region == r && p->map == map && p->pub.gpa + p->pub.size == a) {
			p->pub.size += end - a;
			continue;
		}
		struct gm__assec *s = &v->s[v->n++];
		s->pub.gpa = a;
		s->pub.size = end - a;
		s->pub.host = host;
		s->pub.readonly = ro;
		s->pub.mmio = r->mmio;
		s->pub.region = r;
		s->pub.region_off = off;
		s->map = map;
	}
	for (size_t i = 0; i < v->n; i++) {
		struct gm_asregion *r = (struct gm_asregion *)v->s[i].pub.region;
		atomic_fetch_add(&r->refs, 1);
		if (v->s[i].map)
			atomic_fetch_add(&v->s[i].map->refs, 1);
	}
	free(pts);
	*out = v;
	return 0;
}

const struct gm__assec *gm__flatview_lookup(const struct gm_flatview *v, uint64_t gpa)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gm__assec *s = &v->s[mid];
		if (gpa < s->pub.gpa)
			hi = mid;
		else if (gpa - s->pub.gpa >= s->pub.size)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

void gm_flatview_put(struct gm_flatview *v)
{
	if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->s[i].map)
			gm__asmap_put(v->s[i].map);
		gm__asregion_put((struct gm_asregion *)v->s[i].pub.region);
	}
	free(v);
}

size_t gm_flatview_count(const struct gm_flatview *v)
{
	return v->n;
}

const struct gm_flatview_section *gm_flatview_section(const struct gm_flatview *v, size_t i)
{
	return i < v->n ? &v->s[i].pub : NULL;
}

const struct gm_flatview_section *gm_flatview_find(const struct gm_flatview *v, uint64_t gpa)
{
	const struct gm__assec *s = gm__flatview_lookup(v, gpa);
	return s ? &s->pub : NULL;
}
