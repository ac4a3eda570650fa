/* The region collection: building, refcounting, lookup, insert/remove. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vmm-mem/memory.h>
#include <vmm-mem/mmap.h>

#include "mem/memory_priv.h"

static int cmp_range(const void *a, const void *b)
{
	const struct gm_range *x = a, *y = b;
	return gm_addr_cmp(x->start, y->start);
}

static int cmp_region(const void *a, const void *b)
{
	const struct gm_region *x = *(struct gm_region *const *)a;
	const struct gm_region *y = *(struct gm_region *const *)b;
	return gm_addr_cmp(x->start, y->start);
}

/* Two file-backed regions on the same file must not map overlapping bytes
 * (two guest addresses would alias one page). 0, -EINVAL, -ENOMEM. */
struct file_span {
	dev_t dev;
	ino_t ino;
	uint64_t lo, hi; /* file bytes [lo, hi) */
};

static int check_files(struct gm_region *const *regs, size_t n)
{
	struct file_span *f = calloc(n ? n : 1, sizeof(*f));
	size_t k = 0;
	int rc = 0;
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct gm_file_offset *fo = gm_region_file_offset(regs[i]);
		struct stat st;
		if (!fo || fstat(fo->fd, &st))
			continue;
		f[k].dev = st.st_dev;
		f[k].ino = st.st_ino;
		f[k].lo = fo->start.raw;
		if (__builtin_add_overflow(f[k].lo, gm_region_len(regs[i]), &f[k].hi))
			f[k].hi = UINT64_MAX;
		k++;
	}
	for (size_t i = 0; i < k && !rc; i++)
		for (size_t j = i + 1; j < k; j++)
			if (f[i].dev == f[j].dev && f[i].ino == f[j].ino && f[i].lo < f[j].hi &&
			    f[j].lo < f[i].hi) {
				rc = -EINVAL;
				break;
			}
	free(f);
	return rc;
}

static void fill_fast(struct gm__fast *f, const struct gm__ent *e)
{
	uint64_t lim = e->last - e->start >= 7 ? e->last - e->start - 6 : 0;
	f->start = e->start;
	f->host = e->host ? e->host : e->whost;
	f->rlim = e->host ? lim : 0;
	f->wlim = e->whost && !e->bm ? lim : 0;
}

/* The direct-mapped table of the inline path. Buckets of 2^s bytes at
 * absolute multiples of 2^s, with s as large as keeps every region start and
 * end on a bucket boundary, while the span needs at most GM_LUT_BUCKETS of
 * them. Entry (addr >> s) & mask describes the region covering that bucket's
 * start, or else the first region starting inside it. 0 or -ENOMEM. */
static int build_fast(struct gm_memory *m)
{
	size_t n = m->n;
	unsigned s = 63;
	for (size_t i = 0; i < n; i++) {
		uint64_t st = m->ents[i].start, end = m->ents[i].last + 1;
		if (st && (unsigned)__builtin_ctzll(st) < s)
			s = (unsigned)__builtin_ctzll(st);
		if (end && (unsigned)__builtin_ctzll(end) < s)
			s = (unsigned)__builtin_ctzll(end);
	}
	uint64_t k0 = m->ents[0].start >> s, k1 = m->ents[n - 1].last >> s;
	while (k1 - k0 >= GM_LUT_BUCKETS) {
		s++;
		k0 = m->ents[0].start >> s;
		k1 = m->ents[n - 1].last >> s;
	}
	uint64_t count = k1 - k0 + 1, p = 1;
	while (p < count)
		p <<= 1;
	m->view.fast = calloc(p, sizeof(*m->view.fast));
	if (!m->view.fast)
		return -ENOMEM;
	m->view.fshift = s;
	m->view.fmask = p - 1;
	size_t r = 0;
	for (uint64_t k = k0;; k++) {
		uint64_t bstart = k << s, blast = bstart + ((1ULL << s) - 1);
		while (r < n && m->ents[r].last < bstart)
			r++;
		if (r < n && m->ents[r].start <= blast)
			fill_fast(&m->view.fast[k & m->view.fmask], &m->ents[r]);
		if (k == k1)
			break;
	}
	return 0;
}

/* Takes ownership of regs[] (an array of n references). On error the
 * references are dropped and regs freed. */
static int build(struct gm_memory **out, struct gm_region **regs, size_t n)
{
	int rc = -ENOMEM;
	struct gm_memory *m = calloc(1, sizeof(*m));
	if (!m)
		goto fail;
	m->view.version = GM_FASTVIEW_VERSION;
	m->view.size = sizeof(m->view);
	qsort(regs, n, sizeof(*regs), cmp_region);
	if (n > UINT32_MAX - 1) {
		rc = -EINVAL;
		goto fail;
	}
	m->refs = 1;
	m->n = n;
	m->ents = calloc(n ? n : 1, sizeof(*m->ents));
	if (!m->ents)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct gm__ent *e = &m->ents[i];
		uint64_t len = gm_region_len(regs[i]);
		if (len == 0 || __builtin_add_overflow(regs[i]->start.raw, len - 1, &e->last)) {
			rc = -EINVAL;
			goto fail;
		}
		e->start = regs[i]->start.raw;
		e->host = gm_region_host_base(regs[i]);
		e->whost = gm_perm_allows(gm_region_perm(regs[i]), GM_PERM_WRITE) ? e->host : NULL;
		if (!gm_perm_allows(gm_region_perm(regs[i]), GM_PERM_READ))
			e->host = NULL; /* reads take the checked slow path */
		e->bm = gm_region_bitmap(regs[i]);
		e->region = regs[i];
		if (i > 0 && e->start <= m->ents[i - 1].last) {
			rc = -EINVAL;
			goto fail;
		}
	}
	if ((rc = check_files(regs, n)))
		goto fail;
	rc = -ENOMEM;
	if (!n && !(m->view.fast = calloc(1, sizeof(*m->view.fast)))) /* fmask 0: one empty entry */
		goto fail;
	/* Bucket tables. Buckets are as large as possible while every region
	 * boundary stays on a bucket boundary (so each bucket lies in one region
	 * or one hole), but there are never more than GM_LUT_BUCKETS of them. */
	if (n) {
		uint64_t base = m->ents[0].start;
		uint64_t span = m->ents[n - 1].last - base;
		unsigned shift = 63;
		for (size_t i = 0; i < n; i++) {
			uint64_t s0 = m->ents[i].start - base, e0 = m->ents[i].last - base + 1;
			if (s0 && (unsigned)__builtin_ctzll(s0) < shift)
				shift = (unsigned)__builtin_ctzll(s0);
			if (e0 && (unsigned)__builtin_ctzll(e0) < shift)
				shift = (unsigned)__builtin_ctzll(e0);
		}
		while ((span >> shift) >= GM_LUT_BUCKETS)
			shift++;
		m->base = base;
		m->shift = shift;
		m->nbuckets = (span >> shift) + 1;
		m->bucket = calloc(m->nbuckets + 1, sizeof(*m->bucket));
		if (!m->bucket || build_fast(m))
			goto fail;
		size_t r = 0;
		for (uint64_t b = 0; b < m->nbuckets; b++) {
			uint64_t bstart = base + (b << shift);
			while (r < n && m->ents[r].last < bstart)
				r++;
			m->bucket[b] = (uint32_t)r;
		}
		m->bucket[m->nbuckets] = (uint32_t)(n - 1);
		/* primary = the largest region (first of equals), if it holds at
		 * least half of the memory; otherwise it would rarely hit and only
		 * delay the table lookup, so it stays empty (never matches). */
		size_t big = 0;
		for (size_t i = 1; i < n; i++)
			if (m->ents[i].last - m->ents[i].start >
			    m->ents[big].last - m->ents[big].start)
				big = i;
		uint64_t total = 0;
		for (size_t i = 0; i < n; i++)
			total += m->ents[i].last - m->ents[i].start + 1;
		if (m->ents[big].last - m->ents[big].start >= total / 2)
			fill_fast(&m->view.primary, &m->ents[big]);
	}
	free(regs);
	*out = m;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		gm_region_put(regs[i]);
	free(regs);
	if (m) {
		free(m->ents);
		free(m->bucket);
		free(m->view.fast);
		free(m);
	}
	return rc;
}

const struct gm__ent *gm__lookup_slow(const struct gm_memory *m, uint64_t a, uint64_t b)
{
	size_t lo = m->bucket[b], hi = m->bucket[b + 1];
	if (hi >= m->n)
		hi = m->n - 1;
	/* first entry in [lo, hi] with last >= a */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->ents[mid].last < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct gm__ent *e = &m->ents[lo];
	return a >= e->start && a <= e->last ? e : NULL;
}

int gm_memory_new_from_regions(struct gm_memory **out, struct gm_region *const *regions, size_t n)
{
	if (!out || (n && !regions))
		return -EINVAL;
	struct gm_region **regs = malloc((n ? n : 1) * sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!regions[i]) {
			for (size_t j = 0; j < i; j++)
				gm_region_put(regs[j]);
			free(regs);
			return -EINVAL;
		}
		regs[i] = gm_region_get(regions[i]);
	}
	return build(out, regs, n);
}

int gm_memory_new_anon_opts(struct gm_memory **out, const struct gm_range *ranges, size_t n,
			    const struct gm_mmap_opts *opts)
{
	if (!out || (n && !ranges))
		return -EINVAL;
	/* Validate everything before mapping anything: sort a copy, then every
	 * range must be non-empty, not wrap, and end before the next starts. */
	struct gm_range *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	if (n)
		memcpy(sorted, ranges, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_range);
	for (size_t i = 0; i < n; i++) {
		uint64_t last;
		if (sorted[i].len == 0 ||
		    __builtin_add_overflow(sorted[i].start.raw, sorted[i].len - 1, &last) ||
		    (i + 1 < n && sorted[i + 1].start.raw <= last)) {
			free(sorted);
			return -EINVAL;
		}
	}
	free(sorted);
	struct gm_region **regs = malloc((n ? n : 1) * sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int rc = gm_region_new_anon(&regs[i], ranges[i].start, ranges[i].len, opts);
		if (rc) {
			for (size_t j = 0; j < i; j++)
				gm_region_put(regs[j]);
			free(regs);
			return rc;
		}
	}
	return build(out, regs, n);
}

int gm_memory_new_anon(struct gm_memory **out, const struct gm_range *ranges, size_t n)
{
	return gm_memory_new_anon_opts(out, ranges, n, NULL);
}

struct gm_memory *gm_memory_get(struct gm_memory *m)
{
	__atomic_fetch_add(&m->refs, 1, __ATOMIC_RELAXED);
	return m;
}

void gm_memory_put(struct gm_memory *m)
{
	if (!m || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < m->n; i++)
		gm_region_put(m->ents[i].region);
	free(m->ents);
	free(m->bucket);
	free(m->view.fast);
	free(m);
}

int gm_memory_insert_region(const struct gm_memory *m, struct gm_region *r, struct gm_memory **out)
{
	if (!m || !r || !out)
		return -EINVAL;
	struct gm_region **regs = malloc((m->n + 1) * sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++)
		regs[i] = gm_region_get(m->ents[i].region);
	regs[m->n] = gm_region_get(r);
	return build(out, regs, m->n + 1);
}

int gm_memory_remove_region(const struct gm_memory *m, gm_addr_t start, uint64_t len,
			    struct gm_memory **out, struct gm_region **removed)
{
	if (!m || !out)
		return -EINVAL;
	size_t k = m->n;
	for (size_t i = 0; i < m->n; i++)
		if (m->ents[i].start == start.raw &&
		    m->ents[i].last - m->ents[i].start == len - 1 && len != 0)
			k = i;
	if (k == m->n)
		return -ENOENT;
	struct gm_region **regs = malloc((m->n ? m->n : 1) * sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	size_t j = 0;
	for (size_t i = 0; i < m->n; i++)
		if (i != k)
			regs[j++] = gm_region_get(m->ents[i].region);
	int rc = build(out, regs, j);
	if (rc == 0 && removed)
		*removed = gm_region_get(m->ents[k].region);
	return rc;
}

size_t gm_memory_num_regions(const struct gm_memory *m)
{
	return m->n;
}

const struct gm_region *gm_memory_region(const struct gm_memory *m, size_t i)
{
	return i < m->n ? m->ents[i].region : NULL;
}

const struct gm_region *gm_memory_find_region(const struct gm_memory *m, gm_addr_t a)
{
	const struct gm__ent *e = gm__lookup(m, a.raw);
	return e ? e->region : NULL;
}

ssize_t gm_memory_find_index(const struct gm_memory *m, gm_addr_t a)
{
	const struct gm__ent *e = gm__lookup(m, a.raw);
	return e ? (ssize_t)(e - m->ents) : -1;
}

gm_addr_t gm_memory_last_addr(const struct gm_memory *m)
{
	return gm_addr(m->n ? m->ents[m->n - 1].last : 0);
}

uint64_t gm_memory_total_size(const struct gm_memory *m)
{
	uint64_t t = 0;
	for (size_t i = 0; i < m->n; i++)
		t += m->ents[i].last - m->ents[i].start + 1;
	return t;
}

bool gm_memory_check_address(const struct gm_memory *m, gm_addr_t a)
{
	return gm__lookup(m, a.raw) != NULL;
}

bool gm_memory_checked_offset(const struct gm_memory *m, gm_addr_t a, uint64_t off, gm_addr_t *out)
{
	gm_addr_t r;
	if (!gm_addr_checked_add(a, off, &r) || !gm__lookup(m, r.raw))
		return false;
	*out = r;
	return true;
}

const struct gm_region *gm_memory_to_region_addr(const struct gm_memory *m, gm_addr_t a,
						 gm_raddr_t *off)
{
	const struct gm__ent *e = gm__lookup(m, a.raw);
	if (!e)
		return NULL;
	if (off)
		*off = gm_raddr(a.raw - e->start);
	return e->region;
}

void *gm_memory_get_host_address(const struct gm_memory *m, gm_addr_t a)
{
	return gm_memory_get_host_ptr(m, a, 1);
}

void *gm_memory_get_host_ptr(const struct gm_memory *m, gm_addr_t a, uint64_t len)
{
	const struct gm__ent *e = gm__lookup(m, a.raw);
	if (!e || len == 0 || len - 1 > e->last - a.raw)
		return NULL;
	uint8_t *base = gm_region_host_base(e->region);
	return base ? base + (a.raw - e->start) : NULL;
}

int gm_memory_get_slice(const struct gm_memory *m, gm_addr_t a, uint64_t len, struct gm_vslice *out)
{
	const struct gm__ent *e = gm__lookup(m, a.raw);
	if (!e || (len && len - 1 > e->last - a.raw))
		return -EFAULT;
	return gm_region_get_slice(e->region, gm_raddr(a.raw - e->start), len, out);
}

const struct gm_fastview *gm_memory_view(const struct gm_memory *m)
{
	return m ? &m->view : NULL;
}
