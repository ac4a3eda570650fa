/* Address space: regions with priorities and mappings, map/unmap/move,
 * transactions, listeners and view publication (RCU-like reader count). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem/as_priv.h"

#define AS_PAGE 4096u

void gm__asmap_put(struct gm__asmap *m)
{
	if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
		munmap(m->host, m->len);
		free(m);
	}
}

void gm__asregion_put(struct gm_asregion *r)
{
	if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	for (size_t i = 0; i < r->nents; i++)
		gm__asmap_put(r->ents[i].map);
	free(r->ents);
	free(r->name);
	free(r);
}

static int region_new(struct gm_asregion **out, const char *name, uint64_t len, int prio)
{
	if (!out || !name || len == 0)
		return -EINVAL;
	struct gm_asregion *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->name = strdup(name);
	if (!r->name) {
		free(r);
		return -ENOMEM;
	}
	atomic_init(&r->refs, 1);
	r->len = len;
	r->prio = prio;
	*out = r;
	return 0;
}

int gm_asregion_new_ram(struct gm_asregion **out, const char *name, uint64_t len, int priority)
{
	if (len % AS_PAGE)
		return -EINVAL;
	return region_new(out, name, len, priority);
}

int gm_asregion_new_mmio(struct gm_asregion **out, const char *name, uint64_t len, int priority,
			 const struct gm_asregion_ops *ops, void *opaque)
{
	if (!ops)
		return -EINVAL;
	int rc = region_new(out, name, len, priority);
	if (rc == 0) {
		(*out)->mmio = true;
		(*out)->ops = ops;
		(*out)->opaque = opaque;
	}
	return rc;
}

int gm_asregion_free(struct gm_asregion *r)
{
	if (!r)
		return 0;
	if (r->as)
		return -EBUSY;
	gm__asregion_put(r);
	return 0;
}

int gm_asregion_add_mapping(struct gm_asregion *r, uint64_t off, uint64_t len, int fd,
			    uint64_t foff, bool writable)
{
	if (!r || r->mmio || len == 0 || off % AS_PAGE || len % AS_PAGE || foff % AS_PAGE ||
	    off > r->len || len > r->len - off || foff > (uint64_t)INT64_MAX - len ||
	    len > SIZE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < r->nents; i++)
		if (off < r->ents[i].off + r->ents[i].len && r->ents[i].off < off + len)
			return -EEXIST;
	if (r->nents == r->capents) {
		size_t nc = r->capents ? 2 * r->capents : 4;
		struct gm__asment *ne = realloc(r->ents, nc * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		r->ents = ne;
		r->capents = nc;
	}
	struct gm__asmap *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);
	void *p = fd < 0 ? mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
			 : mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)foff);
	if (p == MAP_FAILED) {
		int e = errno;
		free(m);
		return -e;
	}
	atomic_init(&m->refs, 1);
	m->host = p;
	m->len = len;
	m->writable = writable;
	r->ents[r->nents].off = off;
	r->ents[r->nents].len = len;
	r->ents[r->nents].map = m;
	r->nents++;
	return 0;
}

int gm_asregion_remove_mapping(struct gm_asregion *r, uint64_t off)
{
	if (!r)
		return -EINVAL;
	for (size_t i = 0; i < r->nents; i++) {
		if (r->ents[i].off == off) {
			gm__asmap_put(r->ents[i].map);
			r->ents[i] = r->ents[--r->nents];
			return 0;
		}
	}
	return -ENOENT;
}

void *gm_asregion_host(const struct gm_asregion *r, uint64_t off)
{
	for (size_t i = 0; r && i < r->nents; i++)
		if (off >= r->ents[i].off && off - r->ents[i].off < r->ents[i].len)
			return (char *)r->ents[i].map->host + (off - r->ents[i].off);
	return NULL;
}

int gm_as_new(struct gm_as **out)
{
	if (!out)
		return -EINVAL;
	struct gm_as *as = calloc(1, sizeof(*as));
	if (!as)
		return -ENOMEM;
	struct gm_flatview *v = calloc(1, sizeof(*v));
	if (!v || pthread_mutex_init(&as->mu, NULL)) {
		free(v);
		free(as);
		return -ENOMEM;
	}
	atomic_init(&v->refs, 1);
	atomic_init(&as->cur, v);
	atomic_init(&as->readers, 0);
	as->next_id = 1;
	*out = as;
	return 0;
}

void gm_as_free(struct gm_as *as)
{
	if (!as)
		return;
	for (size_t i = 0; i < as->nregs; i++)
		as->regs[i]->as = NULL;
	gm_flatview_put(atomic_load(&as->cur));
	free(as->regs);
	free(as->ls);
	pthread_mutex_destroy(&as->mu);
	free(as);
}

static bool same_sec(const struct gm__assec *a, const struct gm__assec *b)
{
	return a->pub.gpa == b->pub.gpa && a->pub.size == b->pub.size &&
	       a->pub.host == b->pub.host && a->pub.readonly == b->pub.readonly &&
	       a->pub.region == b->pub.region && a->pub.region_off == b->pub.region_off &&
	       a->map == b->map;
}

static void emit(struct gm_as *as, const struct gm_flatview *old, const struct gm_flatview *nv)
{
	for (size_t k = 0; k < as->nls; k++) {
		struct gm_as_listener *l = as->ls[k];
		if (l->begin)
			l->begin(l->opaque);
		size_t i = 0, j = 0;
		while (l->del && i < old->n) {
			while (j < nv->n && (nv->s[j].pub.gpa < old->s[i].pub.gpa))
				j++;
			if (!(j < nv->n && same_sec(&old->s[i], &nv->s[j])))
				l->del(l->opaque, &old->s[i].pub);
			i++;
		}
		i = 0;
		for (j = 0; l->add && j < nv->n; j++) {
			while (i < old->n && old->s[i].pub.gpa < nv->s[j].pub.gpa)
				i++;
			if (!(i < old->n && same_sec(&old->s[i], &nv->s[j])))
				l->add(l->opaque, &nv->s[j].pub);
		}
		if (l->commit)
			l->commit(l->opaque);
	}
}

/* Under as->mu. Builds, assigns ids, publishes, waits out readers, tells
 * listeners, drops the old view. */
static int publish(struct gm_as *as)
{
	if (as->txn)
		return 0;
	struct gm_flatview *nv, *old = atomic_load(&as->cur);
	int rc = gm__flatview_build(as, &nv);
	if (rc)
		return rc;
	size_t i = 0;
	for (size_t j = 0; j < nv->n; j++) {
		while (i < old->n && old->s[i].pub.gpa < nv->s[j].pub.gpa)
			i++;
		if (i < old->n && same_sec(&old->s[i], &nv->s[j]))
			nv->s[j].pub.id = old->s[i].pub.id;
		else
			nv->s[j].pub.id = as->next_id++;
	}
	atomic_store(&as->cur, nv);
	while (atomic_load(&as->readers) != 0)
		; /* grace period: readers are a lookup long */
	emit(as, old, nv);
	gm_flatview_put(old);
	return 0;
}

static bool overlaps(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return a < b + bl && b < a + al;
}

static int check_equal_prio(struct gm_as *as, const struct gm_asregion *r, uint64_t gpa, int prio)
{
	for (size_t i = 0; i < as->nregs; i++) {
		const struct gm_asregion *o = as->regs[i];
		if (o != r && o->prio == prio && overlaps(gpa, r->len, o->gpa, o->len))
			return -EBUSY;
	}
	return 0;
}

int gm_as_map(struct gm_as *as, struct gm_asregion *r, uint64_t gpa)
{
	if (!as || !r || gpa > UINT64_MAX - r->len)
		return -EINVAL;
	pthread_mutex_lock(&as->mu);
	int rc = r->as ? -EALREADY : check_equal_prio(as, r, gpa, r->prio);
	if (rc == 0 && as->nregs == as->capregs) {
		size_t nc = as->capregs ? 2 * as->capregs : 8;
		struct gm_asregion **nr = realloc(as->regs, nc * sizeof(*nr));
		if (!nr)
			rc = -ENOMEM;
		else {
			as->regs = nr;
			as->capregs = nc;
		}
	}
	if (rc == 0) {
		r->gpa = gpa;
		r->as = as;
		as->regs[as->nregs++] = r;
		rc = publish(as);
		if (rc) {
			as->nregs--;
			r->as = NULL;
		}
	}
	pthread_mutex_unlock(&as->mu);
	return rc;
}

static size_t find_reg(const struct gm_as *as, const struct gm_asregion *r)
{
	for (size_t i = 0; i < as->nregs; i++)
		if (as->regs[i] == r)
			return i;
	return SIZE_MAX;
}

int gm_as_unmap(struct gm_as *as, struct gm_asregion *r)
{
	if (!as || !r)
		return -EINVAL;
	pthread_mutex_lock(&as->mu);
	int rc = -ENOENT;
	size_t i = find_reg(as, r);
	if (i != SIZE_MAX) {
		as->regs[i] = as->regs[--as->nregs];
		rc = publish(as);
		if (rc)
			as->regs[as->nregs++] = r;
		else
			r->as = NULL;
	}
	pthread_mutex_unlock(&as->mu);
	return rc;
}

int gm_as_move(struct gm_as *as, struct gm_asregion *r, uint64_t gpa)
{
	if (!as || !r || gpa > UINT64_MAX - r->len)
		return -EINVAL;
	pthread_mutex_lock(&as->mu);
	int rc = find_reg(as, r) == SIZE_MAX ? -ENOENT : check_equal_prio(as, r, gpa, r->prio);
	if (rc == 0) {
		uint64_t old = r->gpa;
		r->gpa = gpa;
		rc = publish(as);
		if (rc)
			r->gpa = old;
	}
	pthread_mutex_unlock(&as->mu);
	return rc;
}

int gm_as_set_priority(struct gm_as *as, struct gm_asregion *r, int priority)
{
	if (!as || !r)
		return -EINVAL;
	pthread_mutex_lock(&as->mu);
	int rc = find_reg(as, r) == SIZE_MAX ? -ENOENT : check_equal_prio(as, r, r->gpa, priority);
	if (rc == 0) {
		int old = r->prio;
		r->prio = priority;
		rc = publish(as);
		if (rc)
			r->prio = old;
	}
	pthread_mutex_unlock(&as->mu);
	return rc;
}

int gm_as_update(struct gm_as *as)
{
	if (!as)
		return -EINVAL;
	pthread_mutex_lock(&as->mu);
	int rc = publish(as);
	pthread_mutex_unlock(&as->mu);
	return rc;
}

void gm_as_begin(struct gm_as *as)
{
	pthread_mutex_lock(&as->mu);
	as->txn++;
	pthread_mutex_unlock(&as->mu);
}

int gm_as_commit(struct gm_as *as)
{
	pthread_mutex_lock(&as->mu);
	int rc = -EINVAL;
	if (as->txn > 0) {
		as->txn--;
		rc = publish(as);
	}
	pthread_mutex_unlock(&as->mu);
	return rc;
}

int gm_as_listener_add(struct gm_as *as, struct gm_as_listener *l)
{
	if (!as || !l)
		return -EINVAL;
	static const struct gm_flatview empty = {0};
	pthread_mutex_lock(&as->mu);
	int rc = 0;
	for (size_t i = 0; i < as->nls; i++)
		if (as->ls[i] == l)
			rc = -EEXIST;
	if (rc == 0 && as->nls == as->capls) {
		size_t nc = as->capls ? 2 * as->capls : 4;
		struct gm_as_listener **n = realloc(as->ls, nc * sizeof(*n));
		if (!n)
			rc = -ENOMEM;
		else {
			as->ls = n;
			as->capls = nc;
		}
	}
	if (rc == 0) {
		/* deliver the current layout to this listener alone, as one batch */
		struct gm_as_listener **save = as->ls;
		size_t savn = as->nls;
		struct gm_as_listener *one[1] = {l};
		as->ls = one;
		as->nls = 1;
		emit(as, &empty, atomic_load(&as->cur));
		as->ls = save;
		as->nls = savn;
		as->ls[as->nls++] = l;
	}
	pthread_mutex_unlock(&as->mu);
	return rc;
}

int gm_as_listener_remove(struct gm_as *as, struct gm_as_listener *l)
{
	if (!as || !l)
		return -EINVAL;
	pthread_mutex_lock(&as->mu);
	int rc = -ENOENT;
	for (size_t i = 0; i < as->nls; i++) {
		if (as->ls[i] == l) {
			memmove(&as->ls[i], &as->ls[i + 1], (as->nls - i - 1) * sizeof(*as->ls));
			as->nls--;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&as->mu);
	return rc;
}

struct gm_flatview *gm_as_view_get(struct gm_as *as)
{
	atomic_fetch_add(&as->readers, 1);
	struct gm_flatview *v = atomic_load(&as->cur);
	atomic_fetch_add(&v->refs, 1);
	atomic_fetch_sub(&as->readers, 1);
	return v;
}
