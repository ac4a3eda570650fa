/* DeviceManager: lifetime, registration, update and reclamation; see
 * manager.h for the concurrency scheme. Dispatch lives in dispatch.c,
 * resources and save/restore in resources.c. */
#include "devices/core/manager_priv.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* A leaf header of plain #defines (no includes, no code): the one table of the
 * x86 guest layout, shared with boot/ and the monitor. */
#include "boot/layout.h"

void dev_manager_config_default(struct dev_manager_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mmio_base = BOOT_MMIO_HOLE_START;
	cfg->mmio_size = BOOT_IOAPIC_ADDR - BOOT_MMIO_HOLE_START; /* up to the IOAPIC */
	cfg->pio_base = 0;
	cfg->pio_size = 0x10000;
	cfg->gsi_first = 5;
	cfg->gsi_count = 19; /* 5..23 */
	cfg->msi_count = 256;
	cfg->id_count = 65536;
	cfg->mem_slot_first = 0;
	cfg->mem_slot_count = 32764;
}

static int make_id(struct dev_id_alloc **out, uint32_t first, uint32_t count)
{
	uint32_t last;
	if (count == 0)
		return 0;
	if (__builtin_add_overflow(first, count - 1, &last))
		return -EOVERFLOW;
	return dev_id_alloc_new(out, first, last);
}

static int make_addr(struct dev_addr_alloc **out, uint64_t base, uint64_t size)
{
	return size ? dev_addr_alloc_new(out, base, size) : 0;
}

int dev_manager_new(struct dev_manager **out, const struct dev_manager_config *cfg)
{
	struct dev_manager_config def;
	if (!out)
		return -EINVAL;
	if (!cfg) {
		dev_manager_config_default(&def);
		cfg = &def;
	}
	size_t sz = (sizeof(struct dev_manager) + 63) & ~(size_t)63;
	struct dev_manager *m = aligned_alloc(64, sz);
	if (!m)
		return -ENOMEM;
	memset(m, 0, sz);
	m->cfg = *cfg;
	dev_epoch_init(&m->epoch);
	atomic_init(&m->pending, 0);
	int rc = pthread_mutex_init(&m->lock, NULL);
	if (rc) {
		free(m);
		return -rc;
	}
	for (int b = 0; b < DEV_BUS_COUNT; b++) {
		struct dev_bus_snap *s = NULL;
		atomic_init(&m->snap[b], NULL);
		if (!rc)
			rc = dev_bus_init(&m->bus[b]);
		if (!rc)
			rc = dev_bus_snapshot(&m->bus[b], NULL, &s);
		if (!rc)
			atomic_store(&m->snap[b], s);
	}
	if (!rc)
		rc = make_addr(&m->al.addr[DEV_RES_PIO], cfg->pio_base, cfg->pio_size);
	if (!rc)
		rc = make_addr(&m->al.addr[DEV_RES_MMIO], cfg->mmio_base, cfg->mmio_size);
	if (!rc)
		rc = make_addr(&m->al.addr[DEV_RES_MMIO64], cfg->mmio64_base, cfg->mmio64_size);
	if (!rc)
		rc = make_addr(&m->al.addr[DEV_RES_MSI], 0, cfg->msi_count);
	if (!rc)
		rc = make_id(&m->al.id[DEV_RES_LEGACY_IRQ], cfg->gsi_first, cfg->gsi_count);
	if (!rc)
		rc = make_id(&m->al.id[DEV_RES_ID], 0, cfg->id_count);
	if (!rc)
		rc = make_id(&m->al.id[DEV_RES_MEM_SLOT], cfg->mem_slot_first, cfg->mem_slot_count);
	if (rc) {
		dev_manager_free(m);
		return rc == -E2BIG ? -EINVAL : rc;
	}
	*out = m;
	return 0;
}

static void release_dev(struct dev_handle *h)
{
	if (h->ops.release)
		h->ops.release(h->priv);
	free(h);
}

static void run_lists(struct dev_manager *m, struct dev_bus_snap **snaps, struct dev_handle **devs)
{
	size_t done = 0;
	for (struct dev_bus_snap *s = *snaps, *n; s; s = n, done++) {
		n = s->retire_next_;
		dev_bus_snap_free(s);
	}
	for (struct dev_handle *h = *devs, *n; h; h = n, done++) {
		n = h->retire_next;
		release_dev(h);
	}
	*snaps = NULL;
	*devs = NULL;
	atomic_fetch_sub_explicit(&m->pending, done, memory_order_relaxed);
}

static int release_registered(const struct dev_rt_node *n, void *ctx)
{
	release_dev(n->val);
	return 0;
}

void dev_manager_free(struct dev_manager *m)
{
	if (!m)
		return;
	/* No reader may be running now (caller's guarantee). */
	run_lists(m, &m->waiting_snaps, &m->waiting_devs);
	run_lists(m, &m->fresh_snaps, &m->fresh_devs);
	for (int b = 0; b < DEV_BUS_COUNT; b++) {
		if (m->bus[b].rt)
			dev_rt_foreach(m->bus[b].rt, 0, release_registered, NULL);
		dev_bus_fini(&m->bus[b]);
		dev_bus_snap_free(atomic_load(&m->snap[b]));
	}
	dev__allocs_destroy(&m->al);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void dev__publish(struct dev_manager *m, enum dev_bus_kind b, struct dev_bus_snap *s)
{
	struct dev_bus_snap *old = atomic_exchange(&m->snap[b], s);
	old->retire_next_ = m->fresh_snaps;
	m->fresh_snaps = old;
	atomic_fetch_add_explicit(&m->pending, 1, memory_order_relaxed);
}

static void retire_dev(struct dev_manager *m, struct dev_handle *h)
{
	h->retire_next = m->fresh_devs;
	m->fresh_devs = h;
	atomic_fetch_add_explicit(&m->pending, 1, memory_order_relaxed);
}

void dev__try_reclaim(struct dev_manager *m)
{
	if (m->waiting_snaps || m->waiting_devs) {
		if (!dev_epoch_drained(&m->epoch, m->wait_parity))
			return;
		run_lists(m, &m->waiting_snaps, &m->waiting_devs);
	}
	if (!m->fresh_snaps && !m->fresh_devs)
		return;
	/* Everything fresh was unpublished before this flip. */
	m->wait_parity = dev_epoch_flip(&m->epoch);
	m->waiting_snaps = m->fresh_snaps;
	m->waiting_devs = m->fresh_devs;
	m->fresh_snaps = NULL;
	m->fresh_devs = NULL;
	if (dev_epoch_drained(&m->epoch, m->wait_parity))
		run_lists(m, &m->waiting_snaps, &m->waiting_devs);
}

void dev__reader_reclaim(struct dev_manager *m)
{
	if (pthread_mutex_trylock(&m->lock) == 0) {
		dev__try_reclaim(m);
		pthread_mutex_unlock(&m->lock);
	}
}

size_t dev_manager_pending(struct dev_manager *m)
{
	return atomic_load(&m->pending);
}

int dev_manager_synchronize(struct dev_manager *m)
{
	for (;;) {
		pthread_mutex_lock(&m->lock);
		dev__try_reclaim(m);
		size_t left = atomic_load(&m->pending);
		pthread_mutex_unlock(&m->lock);
		if (!left)
			return 0;
		sched_yield();
	}
}

static int check_range(enum dev_bus_kind bus, uint64_t base, uint64_t len, uint64_t *last)
{
	if ((unsigned)bus >= DEV_BUS_COUNT || len == 0)
		return -EINVAL;
	if (__builtin_add_overflow(base, len - 1, last))
		return -EOVERFLOW;
	return 0;
}

/* Under lock: put a new device on the bus and publish; all or nothing. */
static int register_locked(struct dev_manager *m, enum dev_bus_kind bus, uint64_t base,
			   uint64_t len, const struct dev_ops *ops, void *priv, int alloc_kind,
			   struct dev_handle **out)
{
	uint64_t last;
	int rc = check_range(bus, base, len, &last);
	if (rc)
		return rc;
	if (!ops || !out)
		return -EINVAL;
	struct dev_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->m = m;
	h->ops = *ops;
	h->priv = priv;
	h->bus = bus;
	h->base = base;
	h->len = len;
	h->alloc_kind = alloc_kind;
	rc = dev_rt_insert(m->bus[bus].rt, base, last, h);
	if (rc) {
		free(h);
		return rc;
	}
	struct dev_bus_snap *s;
	rc = dev_bus_snapshot(&m->bus[bus], NULL, &s);
	if (rc) {
		dev_rt_remove(m->bus[bus].rt, base, NULL);
		free(h);
		return rc;
	}
	dev__publish(m, bus, s);
	h->registered = 1;
	*out = h;
	return 0;
}

int dev_manager_register(struct dev_manager *m, enum dev_bus_kind bus, uint64_t base, uint64_t len,
			 const struct dev_ops *ops, void *priv, struct dev_handle **handle_out)
{
	pthread_mutex_lock(&m->lock);
	int rc = register_locked(m, bus, base, len, ops, priv, -1, handle_out);
	dev__try_reclaim(m);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int dev_manager_register_alloc(struct dev_manager *m, enum dev_bus_kind bus, int mmio64,
			       uint64_t len, uint64_t align, enum dev_alloc_policy policy,
			       uint64_t addr, const struct dev_ops *ops, void *priv,
			       struct dev_handle **handle_out, uint64_t *base_out)
{
	if ((unsigned)bus >= DEV_BUS_COUNT)
		return -EINVAL;
	int kind = bus == DEV_BUS_PIO ? DEV_RES_PIO : mmio64 ? DEV_RES_MMIO64 : DEV_RES_MMIO;
	pthread_mutex_lock(&m->lock);
	struct dev_allocs c;
	uint64_t base = 0;
	int rc = m->al.addr[kind] ? 0 : -ENODEV;
	if (!rc)
		rc = dev__allocs_clone(&m->al, 1u << kind, &c);
	if (!rc) {
		rc = dev_addr_alloc_allocate(c.addr[kind], len, align, policy, addr, &base);
		if (!rc)
			rc = register_locked(m, bus, base, len, ops, priv, kind, handle_out);
		if (!rc)
			dev__allocs_commit(&m->al, &c);
		else
			dev__allocs_destroy(&c);
	}
	if (!rc && base_out)
		*base_out = base;
	dev__try_reclaim(m);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int dev_manager_unregister(struct dev_manager *m, struct dev_handle *h)
{
	if (!m || !h || h->m != m)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	int rc = h->registered ? 0 : -ENOENT;
	struct dev_allocs c = {0};
	if (!rc && h->alloc_kind >= 0) {
		rc = dev__allocs_clone(&m->al, 1u << h->alloc_kind, &c);
		if (!rc && (rc = dev_addr_alloc_release(c.addr[h->alloc_kind], h->base, h->len)))
			dev__allocs_destroy(&c);
	}
	struct dev_bus_snap *s = NULL;
	if (!rc && (rc = dev_bus_snapshot(&m->bus[h->bus], h, &s)))
		dev__allocs_destroy(&c);
	if (!rc) {
		dev_rt_remove(m->bus[h->bus].rt, h->base, NULL);
		dev__publish(m, h->bus, s);
		dev__allocs_commit(&m->al, &c);
		h->registered = 0;
		retire_dev(m, h);
	}
	dev__try_reclaim(m);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int ranges_overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	return a <= bl && b <= al;
}

/* Under lock: prepare the allocator copy for moving h to [nb, nl]. */
static int move_alloc(struct dev_manager *m, struct dev_handle *h, uint64_t nb, uint64_t nlen,
		      struct dev_allocs *c)
{
	int k = h->alloc_kind;
	int rc = dev__allocs_clone(&m->al, 1u << k, c);
	if (rc)
		return rc;
	uint64_t got, old_last = h->base + (h->len - 1), new_last = nb + (nlen - 1);
	if (ranges_overlap(h->base, old_last, nb, new_last)) {
		/* The copy frees the old range first; the real allocator only
		 * changes at commit, when both steps have succeeded. */
		rc = dev_addr_alloc_release(c->addr[k], h->base, h->len);
		if (!rc)
			rc =
			    dev_addr_alloc_allocate(c->addr[k], nlen, 1, DEV_ALLOC_EXACT, nb, &got);
	} else {
		rc = dev_addr_alloc_allocate(c->addr[k], nlen, 1, DEV_ALLOC_EXACT, nb, &got);
		if (!rc)
			rc = dev_addr_alloc_release(c->addr[k], h->base, h->len);
	}
	if (rc)
		dev__allocs_destroy(c);
	return rc;
}

int dev_manager_update(struct dev_manager *m, struct dev_handle *h, uint64_t new_base,
		       uint64_t new_len)
{
	if (!m || !h || h->m != m)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	uint64_t nl;
	struct dev_allocs c = {0};
	int rc = h->registered ? check_range(h->bus, new_base, new_len, &nl) : -ENOENT;
	if (!rc && h->alloc_kind >= 0)
		rc = move_alloc(m, h, new_base, new_len, &c);
	if (!rc) {
		struct dev_range_tree *rt = m->bus[h->bus].rt;
		const struct dev_rt_node *node = dev_rt_find(rt, h->base);
		rc = dev_rt_move(rt, node, new_base, nl);
		struct dev_bus_snap *s = NULL;
		if (!rc && (rc = dev_bus_snapshot(&m->bus[h->bus], NULL, &s)))
			dev_rt_move(rt, node, h->base, h->base + (h->len - 1)); /* cannot fail */
		if (!rc) {
			dev__publish(m, h->bus, s);
			dev__allocs_commit(&m->al, &c);
			h->base = new_base;
			h->len = new_len;
		} else {
			dev__allocs_destroy(&c);
		}
	}
	dev__try_reclaim(m);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int dev_handle_update(struct dev_handle *h, uint64_t new_base, uint64_t new_len)
{
	if (!h)
		return -EINVAL;
	return dev_manager_update(h->m, h, new_base, new_len);
}

int dev_handle_range(struct dev_handle *h, enum dev_bus_kind *bus, uint64_t *base, uint64_t *len)
{
	if (!h)
		return -EINVAL;
	pthread_mutex_lock(&h->m->lock);
	int rc = h->registered ? 0 : -ENOENT;
	if (!rc) {
		if (bus)
			*bus = h->bus;
		if (base)
			*base = h->base;
		if (len)
			*len = h->len;
	}
	pthread_mutex_unlock(&h->m->lock);
	return rc;
}
