/* IOTLB: sorted, non-overlapping IOVA -> GPA ranges with permissions. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/iommu.h>

struct ent {
	uint64_t iova;
	uint64_t last; /* inclusive */
	uint64_t gpa;
	enum gm_perm perm;
};

struct gm_iotlb {
	pthread_rwlock_t lock;
	struct ent *e;
	size_t n, cap;
};

int gm_iotlb_new(struct gm_iotlb **out)
{
	struct gm_iotlb *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (pthread_rwlock_init(&t->lock, NULL)) {
		free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void gm_iotlb_free(struct gm_iotlb *t)
{
	if (!t)
		return;
	pthread_rwlock_destroy(&t->lock);
	free(t->e);
	free(t);
}

static int reserve(struct gm_iotlb *t, size_t extra)
{
	if (t->n + extra <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap * 2 : 8;
	while (cap < t->n + extra)
		cap *= 2;
	struct ent *e = realloc(t->e, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	t->e = e;
	t->cap = cap;
	return 0;
}

/* First entry with last >= iova. */
static size_t lower(const struct gm_iotlb *t, uint64_t iova)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->e[mid].last < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Remove [iova, last] from the table; needs room for one split. */
static void punch(struct gm_iotlb *t, uint64_t iova, uint64_t last)
{
	size_t i = lower(t, iova);
	while (i < t->n && t->e[i].iova <= last) {
		struct ent *e = &t->e[i];
		if (e->iova < iova && e->last > last) {
			/* split into [e->iova, iova-1] and [last+1, e->last] */
			memmove(e + 1, e, (t->n - i) * sizeof(*e));
			t->n++;
			e->last = iova - 1;
			struct ent *r = e + 1;
			r->gpa += last + 1 - r->iova;
			r->iova = last + 1;
			return;
		}
		if (e->iova < iova) { /* keep the head */
			e->last = iova - 1;
			i++;
		} else if (e->last > last) { /* keep the tail */
			e->gpa += last + 1 - e->iova;
			e->iova = last + 1;
			return;
		} else { /* fully covered */
			memmove(e, e + 1, (t->n - i - 1) * sizeof(*e));
			t->n--;
		}
	}
}

int gm_iotlb_set(struct gm_iotlb *t, uint64_t iova, gm_addr_t gpa, uint64_t len, enum gm_perm perm)
{
	uint64_t last, glast;
	if (len == 0 || perm == GM_PERM_NONE || (perm & ~GM_PERM_RW) ||
	    __builtin_add_overflow(iova, len - 1, &last) ||
	    __builtin_add_overflow(gpa.raw, len - 1, &glast))
		return -EINVAL;
	pthread_rwlock_wrlock(&t->lock);
	int rc = reserve(t, 2);
	if (rc == 0) {
		punch(t, iova, last);
		size_t i = lower(t, iova);
		memmove(&t->e[i + 1], &t->e[i], (t->n - i) * sizeof(*t->e));
		t->e[i] = (struct ent){iova, last, gpa.raw, perm};
		t->n++;
	}
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

int gm_iotlb_invalidate(struct gm_iotlb *t, uint64_t iova, uint64_t len)
{
	uint64_t last;
	if (len == 0)
		return 0;
	if (__builtin_add_overflow(iova, len - 1, &last))
		last = UINT64_MAX;
	pthread_rwlock_wrlock(&t->lock);
	int rc = reserve(t, 1);
	if (rc == 0)
		punch(t, iova, last);
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

void gm_iotlb_invalidate_all(struct gm_iotlb *t)
{
	pthread_rwlock_wrlock(&t->lock);
	t->n = 0;
	pthread_rwlock_unlock(&t->lock);
}

int gm_iotlb_lookup(struct gm_iotlb *t, uint64_t iova, uint64_t len, enum gm_perm need,
		    gm_addr_t *gpa, uint64_t *contig)
{
	int rc = -ENOENT;
	pthread_rwlock_rdlock(&t->lock);
	size_t i = lower(t, iova);
	if (i < t->n && t->e[i].iova <= iova) {
		const struct ent *e = &t->e[i];
		if (!gm_perm_allows(e->perm, need)) {
			rc = -EACCES;
		} else {
			uint64_t room_m1 = e->last - iova;
			*gpa = gm_addr(e->gpa + (iova - e->iova));
			*contig = (len && len - 1 <= room_m1) ? len
				  : room_m1 == UINT64_MAX     ? UINT64_MAX
							      : room_m1 + 1;
			rc = 0;
		}
	}
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

size_t gm_iotlb_len(struct gm_iotlb *t)
{
	pthread_rwlock_rdlock(&t->lock);
	size_t n = t->n;
	pthread_rwlock_unlock(&t->lock);
	return n;
}
