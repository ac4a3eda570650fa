/* Resource constraints satisfied all or nothing, and allocator save/restore;
 * see resources.h. Every multi-step change works on copies of the affected
 * allocators and swaps them in only when every step succeeded. */
#include "devices/core/manager_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/endian.h>

static int is_id_kind(int k)
{
	return k == DEV_RES_LEGACY_IRQ || k == DEV_RES_ID || k == DEV_RES_MEM_SLOT;
}

static int configured(const struct dev_allocs *a, int k)
{
	return is_id_kind(k) ? a->id[k] != NULL : a->addr[k] != NULL;
}

void dev__allocs_destroy(struct dev_allocs *a)
{
	for (int k = 0; k < DEV_RES_KIND_COUNT; k++) {
		dev_addr_alloc_destroy(a->addr[k]);
		dev_id_alloc_destroy(a->id[k]);
		a->addr[k] = NULL;
		a->id[k] = NULL;
	}
}

int dev__allocs_clone(const struct dev_allocs *src, unsigned mask, struct dev_allocs *dst)
{
	memset(dst, 0, sizeof(*dst));
	for (int k = 0; k < DEV_RES_KIND_COUNT; k++) {
		if (!(mask & (1u << k)))
			continue;
		int rc = 0;
		if (src->addr[k])
			rc = dev_addr_alloc_clone(src->addr[k], &dst->addr[k]);
		if (!rc && src->id[k])
			rc = dev_id_alloc_clone(src->id[k], &dst->id[k]);
		if (rc) {
			dev__allocs_destroy(dst);
			return rc;
		}
	}
	return 0;
}

void dev__allocs_commit(struct dev_allocs *al, struct dev_allocs *c)
{
	for (int k = 0; k < DEV_RES_KIND_COUNT; k++) {
		if (c->addr[k]) {
			dev_addr_alloc_destroy(al->addr[k]);
			al->addr[k] = c->addr[k];
			c->addr[k] = NULL;
		}
		if (c->id[k]) {
			dev_id_alloc_destroy(al->id[k]);
			al->id[k] = c->id[k];
			c->id[k] = NULL;
		}
	}
}

static int check_kinds(const struct dev_allocs *al, const enum dev_res_kind *kinds, size_t stride,
		       size_t n, unsigned *mask)
{
	*mask = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned k = *(const enum dev_res_kind *)((const char *)kinds + i * stride);
		if (k >= DEV_RES_KIND_COUNT)
			return -EINVAL;
		if (!configured(al, (int)k))
			return -ENODEV;
		*mask |= 1u << k;
	}
	return 0;
}

static int alloc_one(struct dev_allocs *c, const struct dev_res_req *r, struct dev_resource *out)
{
	int k = r->kind;
	out->kind = r->kind;
	if (is_id_kind(k)) {
		uint32_t id;
		int rc;
		if (r->fixed) {
			if (r->addr > UINT32_MAX)
				return -ERANGE;
			id = (uint32_t)r->addr;
			rc = dev_id_alloc_allocate_fixed(c->id[k], id);
		} else {
			rc = dev_id_alloc_allocate(c->id[k], &id);
		}
		out->base = id;
		out->size = 1;
		return rc;
	}
	enum dev_alloc_policy p = r->fixed ? DEV_ALLOC_EXACT : r->policy;
	out->size = r->size;
	return dev_addr_alloc_allocate(c->addr[k], r->size, r->align ? r->align : 1, p, r->addr,
				       &out->base);
}

int dev_manager_alloc_resources(struct dev_manager *m, const struct dev_res_req *req, size_t n,
				struct dev_resource *out)
{
	if (!m || (n && (!req || !out)))
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	unsigned mask;
	struct dev_allocs c;
	int rc = check_kinds(&m->al, n ? &req->kind : NULL, sizeof(*req), n, &mask);
	if (!rc)
		rc = dev__allocs_clone(&m->al, mask, &c);
	if (!rc) {
		for (size_t i = 0; i < n && !rc; i++)
			rc = alloc_one(&c, &req[i], &out[i]);
		if (rc)
			dev__allocs_destroy(&c);
		else
			dev__allocs_commit(&m->al, &c);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int dev_manager_free_resources(struct dev_manager *m, const struct dev_resource *res, size_t n)
{
	if (!m || (n && !res))
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	unsigned mask;
	struct dev_allocs c;
	int rc = check_kinds(&m->al, n ? &res->kind : NULL, sizeof(*res), n, &mask);
	if (!rc)
		rc = dev__allocs_clone(&m->al, mask, &c);
	if (!rc) {
		for (size_t i = 0; i < n && !rc; i++) {
			int k = res[i].kind;
			if (!is_id_kind(k))
				rc = dev_addr_alloc_release(c.addr[k], res[i].base, res[i].size);
			else if (res[i].base > UINT32_MAX || res[i].size != 1)
				rc = res[i].size != 1 ? -EINVAL : -ERANGE;
			else
				rc = dev_id_alloc_release(c.id[k], (uint32_t)res[i].base);
		}
		if (rc)
			dev__allocs_destroy(&c);
		else
			dev__allocs_commit(&m->al, &c);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int dev_manager_res_is_allocated(struct dev_manager *m, enum dev_res_kind kind, uint64_t base)
{
	if (!m || (unsigned)kind >= DEV_RES_KIND_COUNT)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	int rc;
	if (!configured(&m->al, kind))
		rc = -ENODEV;
	else if (is_id_kind(kind))
		rc =
		    base <= UINT32_MAX && dev_id_alloc_is_allocated(m->al.id[kind], (uint32_t)base);
	else
		rc = dev_addr_alloc_is_allocated(m->al.addr[kind], base);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static size_t kind_size(const struct dev_allocs *al, int k)
{
	if (al->addr[k])
		return dev_addr_alloc_save_size(al->addr[k]);
	if (al->id[k])
		return dev_id_alloc_save_size(al->id[k]);
	return 0;
}

static const char mgr_magic[8] = {'D', 'E', 'V', 'M', 'G', 'R', 'A', '1'};

static size_t save_size_locked(struct dev_manager *m)
{
	size_t n = 8;
	for (int k = 0; k < DEV_RES_KIND_COUNT; k++)
		n += 8 + kind_size(&m->al, k);
	return n;
}

size_t dev_manager_save_size(struct dev_manager *m)
{
	pthread_mutex_lock(&m->lock);
	size_t n = save_size_locked(m);
	pthread_mutex_unlock(&m->lock);
	return n;
}

ssize_t dev_manager_save(struct dev_manager *m, uint8_t *buf, size_t cap)
{
	pthread_mutex_lock(&m->lock);
	size_t need = save_size_locked(m);
	ssize_t rc = (ssize_t)need;
	if (!buf || cap < need) {
		rc = -ENOBUFS;
	} else {
		memcpy(buf, mgr_magic, 8);
		uint8_t *p = buf + 8;
		for (int k = 0; k < DEV_RES_KIND_COUNT; k++) {
			size_t len = kind_size(&m->al, k);
			gm_put_le64(p, len);
			p += 8;
			if (m->al.addr[k])
				dev_addr_alloc_save(m->al.addr[k], p, len);
			else if (m->al.id[k])
				dev_id_alloc_save(m->al.id[k], p, len);
			p += len;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* Restore one kind into c, checking the span matches the configured one. */
static int restore_kind(const struct dev_allocs *al, struct dev_allocs *c, int k, const uint8_t *p,
			size_t len)
{
	int rc;
	if (!configured(al, k))
		return len == 0 ? 0 : -EBADMSG;
	if (is_id_kind(k)) {
		rc = dev_id_alloc_restore(&c->id[k], p, len);
		if (!rc && (dev_id_alloc_first(c->id[k]) != dev_id_alloc_first(al->id[k]) ||
			    dev_id_alloc_last(c->id[k]) != dev_id_alloc_last(al->id[k])))
			rc = -EBADMSG;
	} else {
		rc = dev_addr_alloc_restore(&c->addr[k], p, len);
		if (!rc && (dev_addr_alloc_base(c->addr[k]) != dev_addr_alloc_base(al->addr[k]) ||
			    dev_addr_alloc_last(c->addr[k]) != dev_addr_alloc_last(al->addr[k])))
			rc = -EBADMSG;
	}
	return rc;
}

int dev_manager_restore(struct dev_manager *m, const uint8_t *buf, size_t len)
{
	if (!m || !buf || len < 8 || memcmp(buf, mgr_magic, 8))
		return -EBADMSG;
	pthread_mutex_lock(&m->lock);
	struct dev_allocs c;
	memset(&c, 0, sizeof(c));
	size_t off = 8;
	int rc = 0;
	for (int k = 0; k < DEV_RES_KIND_COUNT && !rc; k++) {
		if (len - off < 8) {
			rc = -EBADMSG;
			break;
		}
		uint64_t kl = gm_get_le64(buf + off);
		off += 8;
		if (kl > len - off) {
			rc = -EBADMSG;
			break;
		}
		rc = restore_kind(&m->al, &c, k, buf + off, (size_t)kl);
		off += (size_t)kl;
	}
	if (!rc && off != len)
		rc = -EBADMSG;
	if (rc)
		dev__allocs_destroy(&c);
	else
		dev__allocs_commit(&m->al, &c);
	pthread_mutex_unlock(&m->lock);
	return rc;
}
