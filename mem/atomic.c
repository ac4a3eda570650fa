/* RCU-like holder: lock-free reader snapshots, grace-period writers. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <vmm-mem/atomic.h>

struct gm_atomic_memory {
	struct gm_memory *cur; /* __atomic only */
	uint64_t epoch;	       /* __atomic only; also the generation counter */
	char pad0[64];
	long readers[2]; /* __atomic only */
	char pad1[64];
	pthread_mutex_t wlock;
};

int gm_atomic_memory_new(struct gm_atomic_memory **out, struct gm_memory *initial)
{
	if (!out || !initial)
		return -EINVAL;
	struct gm_atomic_memory *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	if (pthread_mutex_init(&h->wlock, NULL)) {
		free(h);
		return -ENOMEM;
	}
	h->cur = gm_memory_get(initial);
	*out = h;
	return 0;
}

void gm_atomic_memory_free(struct gm_atomic_memory *h)
{
	if (!h)
		return;
	gm_memory_put(h->cur);
	pthread_mutex_destroy(&h->wlock);
	free(h);
}

struct gm_memory *gm_atomic_memory_snapshot(struct gm_atomic_memory *h)
{
	for (;;) {
		uint64_t e = __atomic_load_n(&h->epoch, __ATOMIC_SEQ_CST);
		long *slot = &h->readers[e & 1];
		__atomic_fetch_add(slot, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&h->epoch, __ATOMIC_SEQ_CST) != e) {
			__atomic_fetch_sub(slot, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		struct gm_memory *m = __atomic_load_n(&h->cur, __ATOMIC_SEQ_CST);
		gm_memory_get(m);
		__atomic_fetch_sub(slot, 1, __ATOMIC_SEQ_CST);
		return m;
	}
}

/* Called with wlock held; takes over the caller's reference on next. */
static void publish_locked(struct gm_atomic_memory *h, struct gm_memory *next)
{
	struct gm_memory *old = __atomic_exchange_n(&h->cur, next, __ATOMIC_SEQ_CST);
	uint64_t e = __atomic_fetch_add(&h->epoch, 1, __ATOMIC_SEQ_CST);
	/* Readers counted in the old epoch may have loaded `old`; wait for them. */
	while (__atomic_load_n(&h->readers[e & 1], __ATOMIC_SEQ_CST) != 0)
		sched_yield();
	gm_memory_put(old);
}

int gm_atomic_memory_publish(struct gm_atomic_memory *h, struct gm_memory *next)
{
	if (!h || !next)
		return -EINVAL;
	pthread_mutex_lock(&h->wlock);
	publish_locked(h, gm_memory_get(next));
	pthread_mutex_unlock(&h->wlock);
	return 0;
}

int gm_atomic_memory_update(struct gm_atomic_memory *h, gm_atomic_update_fn fn, void *ctx)
{
	if (!h || !fn)
		return -EINVAL;
	pthread_mutex_lock(&h->wlock);
	struct gm_memory *next = NULL;
	int rc = fn(__atomic_load_n(&h->cur, __ATOMIC_SEQ_CST), &next, ctx);
	if (rc == 0 && next)
		publish_locked(h, next);
	else if (rc == 0)
		rc = -EINVAL;
	pthread_mutex_unlock(&h->wlock);
	return rc;
}

static int do_insert(const struct gm_memory *cur, struct gm_memory **next, void *ctx)
{
	return gm_memory_insert_region(cur, ctx, next);
}

int gm_atomic_memory_insert_region(struct gm_atomic_memory *h, struct gm_region *r)
{
	if (!r)
		return -EINVAL;
	return gm_atomic_memory_update(h, do_insert, r);
}

struct remove_ctx {
	gm_addr_t start;
	uint64_t len;
};

static int do_remove(const struct gm_memory *cur, struct gm_memory **next, void *ctx)
{
	struct remove_ctx *c = ctx;
	return gm_memory_remove_region(cur, c->start, c->len, next, NULL);
}

int gm_atomic_memory_remove_region(struct gm_atomic_memory *h, gm_addr_t start, uint64_t len)
{
	struct remove_ctx c = {start, len};
	return gm_atomic_memory_update(h, do_remove, &c);
}

uint64_t gm_atomic_memory_generation(const struct gm_atomic_memory *h)
{
	return __atomic_load_n(&h->epoch, __ATOMIC_SEQ_CST);
}
