/* make bench: mem/ against a raw-pointer / memcpy baseline on the same buffer.
 *
 * 64 MiB guest; random addresses from a fixed-seed xorshift; each figure is
 * one warm-up run then the median of 5 runs (thread CPU time), with the
 * workloads being compared interleaved run by run. Prints
 *   BENCH mem.<name> <ns> ns/op
 *   RATIO mem.<name> <x>      x = our time per op / baseline time per op
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <vmm-mem/mem.h>

#define GUEST_SIZE (64ULL << 20)
#define GUEST_BASE 0x100000ULL
#define HOT_SIZE (256ULL << 10)			/* fits in L2 */
#define HOT_OFF (GUEST_SIZE / 2 - HOT_SIZE / 2) /* straddles region boundaries */
#define U64_OPS (4u << 20)
#define COPY_OPS (1u << 16)
#define CROSS_OPS (1u << 12)
#define RUNS 5

static inline uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static double now_ns(void)
{
	struct timespec ts;
	/* CPU time of this thread: time spent descheduled on a busy machine does
	 * not count (cache pollution by other processes still does). */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static volatile uint64_t sink;

/* Workload description: span/offset of the random addresses. */
struct wl {
	struct gm_memory *m;
	uint8_t *raw; /* host base of the same 64 MiB (1-region memory) */
	uint64_t off, mask;
	uint8_t *buf; /* 64 KiB scratch */
	struct gm_atomic_memory *holder;
	size_t copy_len; /* 4096, not a constant: the baseline must call memcpy()
			  * like mem/ does, not an inlined rep movs */
	int failures;
};

typedef void (*bench_fn)(struct wl *w, unsigned ops);

__attribute__((noinline)) static void raw_read(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, sum = 0;
	uint8_t *base = w->raw + w->off;
	uint64_t mask = w->mask & ~7ULL;
	for (unsigned i = 0; i < ops; i++)
		sum += *(volatile uint64_t *)(base + (xorshift(&s) & mask));
	sink = sum;
}

__attribute__((noinline)) static void mem_read(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, sum = 0;
	uint64_t base = GUEST_BASE + w->off, mask = w->mask & ~7ULL;
	const struct gm_memory *m = w->m;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++) {
		uint64_t v;
		bad |= gm_memory_read_u64(m, gm_addr(base + (xorshift(&s) & mask)), &v);
		sum += v;
	}
	w->failures |= bad;
	sink = sum;
}

__attribute__((noinline)) static void raw_write(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uint8_t *base = w->raw + w->off;
	uint64_t mask = w->mask & ~7ULL;
	for (unsigned i = 0; i < ops; i++) {
		uint64_t x = xorshift(&s);
		*(volatile uint64_t *)(base + (x & mask)) = x;
	}
}

__attribute__((noinline)) static void mem_write(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uint64_t base = GUEST_BASE + w->off, mask = w->mask & ~7ULL;
	const struct gm_memory *m = w->m;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++) {
		uint64_t x = xorshift(&s);
		bad |= gm_memory_write_u64(m, gm_addr(base + (x & mask)), x);
	}
	w->failures |= bad;
}

__attribute__((noinline)) static void raw_copy4k_read(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (unsigned i = 0; i < ops; i++)
		memcpy(w->buf, w->raw + w->off + (xorshift(&s) & w->mask & ~63ULL), w->copy_len);
	sink = w->buf[0];
}

__attribute__((noinline)) static void mem_copy4k_read(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++)
		bad |= gm_memory_read_slice(
		    w->m, w->buf, w->copy_len,
		    gm_addr(GUEST_BASE + w->off + (xorshift(&s) & w->mask & ~63ULL)));
	w->failures |= bad;
	sink = w->buf[0];
}

__attribute__((noinline)) static void raw_copy4k_write(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (unsigned i = 0; i < ops; i++)
		memcpy(w->raw + w->off + (xorshift(&s) & w->mask & ~63ULL), w->buf, w->copy_len);
}

__attribute__((noinline)) static void mem_copy4k_write(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++)
		bad |= gm_memory_write_slice(
		    w->m, w->buf, w->copy_len,
		    gm_addr(GUEST_BASE + w->off + (xorshift(&s) & w->mask & ~63ULL)));
	w->failures |= bad;
}

/* 64 KiB copies centred on one of 4 region boundaries (1 MiB regions). */
#define CROSS_AT(i)                                                                                \
	(HOT_OFF + (((i)&3) << 20) + (1ULL << 20) - (32ULL << 10) - (HOT_OFF & ((1ULL << 20) - 1)))
__attribute__((noinline)) static void raw_cross(struct wl *w, unsigned ops)
{
	for (unsigned i = 0; i < ops; i++)
		memcpy(w->buf, w->raw + CROSS_AT(i), 64 << 10);
	sink = w->buf[0];
}

__attribute__((noinline)) static void mem_cross(struct wl *w, unsigned ops)
{
	int bad = 0;
	for (unsigned i = 0; i < ops; i++)
		bad |=
		    gm_memory_read_slice(w->m, w->buf, 64 << 10, gm_addr(GUEST_BASE + CROSS_AT(i)));
	w->failures |= bad;
	sink = w->buf[0];
}

__attribute__((noinline)) static void lookup(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uintptr_t acc = 0;
	for (unsigned i = 0; i < ops; i++)
		acc += (uintptr_t)gm_memory_find_region(
		    w->m, gm_addr(GUEST_BASE + w->off + (xorshift(&s) & w->mask)));
	if (!acc)
		w->failures = 1;
	sink = acc;
}

__attribute__((noinline)) static void snapshot(struct wl *w, unsigned ops)
{
	for (unsigned i = 0; i < ops; i++)
		gm_memory_put(gm_atomic_memory_snapshot(w->holder));
}

/* Acquire u32 loads and u32 compare-exchanges (issue 16): mem/ against the
 * compiler builtin on the raw pointer, random aligned addresses in the span. */
__attribute__((noinline)) static void raw_load_acq(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, sum = 0;
	uint8_t *base = w->raw + w->off;
	uint64_t mask = w->mask & ~3ULL;
	for (unsigned i = 0; i < ops; i++)
		sum +=
		    __atomic_load_n((uint32_t *)(base + (xorshift(&s) & mask)), __ATOMIC_ACQUIRE);
	sink = sum;
}

__attribute__((noinline)) static void mem_load_acq(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, sum = 0;
	uint64_t base = GUEST_BASE + w->off, mask = w->mask & ~3ULL;
	const struct gm_memory *m = w->m;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++) {
		uint32_t v = 0;
		bad |= gm_memory_load_acquire_u32(m, gm_addr(base + (xorshift(&s) & mask)), &v);
		sum += v;
	}
	w->failures |= bad;
	sink = sum;
}

__attribute__((noinline)) static void raw_cas(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, sum = 0;
	uint8_t *base = w->raw + w->off;
	uint64_t mask = w->mask & ~3ULL;
	for (unsigned i = 0; i < ops; i++) {
		uint32_t *p = (uint32_t *)(base + (xorshift(&s) & mask));
		uint32_t exp = (uint32_t)i;
		sum += __atomic_compare_exchange_n(p, &exp, exp + 1, false, __ATOMIC_SEQ_CST,
						   __ATOMIC_SEQ_CST);
	}
	sink = sum;
}

__attribute__((noinline)) static void mem_cas(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, sum = 0;
	uint64_t base = GUEST_BASE + w->off, mask = w->mask & ~3ULL;
	const struct gm_memory *m = w->m;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++) {
		uint32_t exp = (uint32_t)i;
		int rc = gm_memory_cmpxchg_u32(m, gm_addr(base + (xorshift(&s) & mask)), &exp,
					       exp + 1, GM_SEQ_CST);
		bad |= rc < 0;
		sum += (unsigned)rc;
	}
	w->failures |= bad;
	sink = sum;
}

/* One workload to time: a function, its data and its operation count. */
struct job {
	bench_fn f;
	struct wl w;
	unsigned ops;
	double ns; /* result: median ns per op */
};

static int failures;

/* Warm every job up once, then run RUNS rounds in which each job runs once
 * (interleaved, so a change in machine load hits all of them alike), and keep
 * each job's median time per op. */
static void measure(struct job *jobs, int k)
{
	double t[16][RUNS];
	for (int j = 0; j < k; j++)
		jobs[j].f(&jobs[j].w, jobs[j].ops);
	for (int r = 0; r < RUNS; r++)
		for (int j = 0; j < k; j++) {
			double t0 = now_ns();
			jobs[j].f(&jobs[j].w, jobs[j].ops);
			t[j][r] = (now_ns() - t0) / jobs[j].ops;
		}
	for (int j = 0; j < k; j++) {
		qsort(t[j], RUNS, sizeof(double), cmp_d);
		jobs[j].ns = t[j][RUNS / 2];
		failures |= jobs[j].w.failures;
	}
}

/* nregions equal raw-pointer regions over the SAME host buffer, so every
 * configuration and the raw baseline touch exactly the same memory (same
 * pages, same page sizes): the ratios measure mem/ alone. */
static struct gm_memory *make(uint8_t *host, unsigned nregions, bool tracked)
{
	uint64_t each = GUEST_SIZE / nregions;
	struct gm_region **r = calloc(nregions, sizeof(*r));
	struct gm_mmap_opts o = {.dirty_tracking = tracked};
	for (unsigned i = 0; i < nregions; i++)
		if (gm_region_new_raw(&r[i], gm_addr(GUEST_BASE + i * each), host + i * each, each,
				      &o)) {
			fprintf(stderr, "bench_mem: cannot build %u regions\n", nregions);
			exit(1);
		}
	struct gm_memory *m;
	if (gm_memory_new_from_regions(&m, r, nregions)) {
		fprintf(stderr, "bench_mem: cannot build %u regions\n", nregions);
		exit(1);
	}
	for (unsigned i = 0; i < nregions; i++)
		gm_region_put(r[i]);
	free(r);
	return m;
}

static void bench(const char *name, double ns)
{
	printf("BENCH mem.%s %.3f ns/op\n", name, ns);
}

static void ratio(const char *name, double ours, double base)
{
	printf("RATIO mem.%s %.3f\n", name, ours / base);
}

static int bench_as(void); /* address space (issue 15), at the end */

int main(void)
{
	static const unsigned counts[] = {1, 64, 1024};
	uint8_t *raw = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		perror("bench_mem: mmap");
		return 1;
	}
	memset(raw, 1, GUEST_SIZE); /* no run pays page faults */
	struct gm_memory *ms[3];
	for (int i = 0; i < 3; i++)
		ms[i] = make(raw, counts[i], false);
	uint8_t *buf = aligned_alloc(64, 64 << 10);
	memset(buf, 2, 64 << 10);
	const struct wl base = {.raw = raw, .buf = buf, .copy_len = 4096};
	char name[96];

	/* u64 read/write: hot set and whole guest, raw and 1/64/1024 regions */
	static const struct {
		const char *tag;
		uint64_t off, mask;
	} sets[] = {
	    {"hot", HOT_OFF, HOT_SIZE - 1},
	    {"full", 0, GUEST_SIZE - 1},
	};
	for (int s = 0; s < 2; s++) {
		for (int rw = 0; rw < 2; rw++) {
			const char *op = rw ? "write" : "read";
			struct job j[4];
			for (int i = 0; i < 4; i++) {
				j[i].w = base;
				j[i].w.off = sets[s].off;
				j[i].w.mask = sets[s].mask;
				j[i].w.m = i ? ms[i - 1] : NULL;
				j[i].ops = U64_OPS;
				j[i].f =
				    i ? (rw ? mem_write : mem_read) : (rw ? raw_write : raw_read);
			}
			measure(j, 4);
			snprintf(name, sizeof(name), "u64_%s_%s_raw", op, sets[s].tag);
			bench(name, j[0].ns);
			for (int i = 1; i < 4; i++) {
				snprintf(name, sizeof(name), "u64_%s_%s_%u", op, sets[s].tag,
					 counts[i - 1]);
				bench(name, j[i].ns);
			}
			snprintf(name, sizeof(name), "u64_%s_%s_vs_raw", op, sets[s].tag);
			ratio(name, j[1].ns, j[0].ns);
			for (int i = 2; i < 4; i++) {
				snprintf(name, sizeof(name), "u64_%s_%s_%u_vs_raw", op, sets[s].tag,
					 counts[i - 1]);
				ratio(name, j[i].ns, j[0].ns);
				snprintf(name, sizeof(name), "u64_%s_%s_%u_vs_1", op, sets[s].tag,
					 counts[i - 1]);
				ratio(name, j[i].ns, j[1].ns);
			}
		}
	}

	/* 4 KiB copies inside the hot set (1 region) */
	struct job c[4];
	bench_fn cf[4] = {raw_copy4k_read, mem_copy4k_read, raw_copy4k_write, mem_copy4k_write};
	for (int i = 0; i < 4; i++) {
		c[i].w = base;
		c[i].w.m = ms[0];
		c[i].w.off = HOT_OFF;
		c[i].w.mask = HOT_SIZE - 4096 - 1;
		c[i].f = cf[i];
		c[i].ops = COPY_OPS;
	}
	measure(c, 4);
	bench("copy4k_read_hot_memcpy", c[0].ns);
	bench("copy4k_read_hot", c[1].ns);
	bench("copy4k_write_hot_memcpy", c[2].ns);
	bench("copy4k_write_hot", c[3].ns);
	ratio("copy4k_hot_vs_memcpy", c[1].ns, c[0].ns);
	ratio("copy4k_write_hot_vs_memcpy", c[3].ns, c[2].ns);

	/* 64 KiB copy across a region boundary (64 regions of 1 MiB) */
	struct job x[2] = {{.f = raw_cross, .w = base, .ops = CROSS_OPS},
			   {.f = mem_cross, .w = base, .ops = CROSS_OPS}};
	x[1].w.m = ms[1];
	measure(x, 2);
	bench("cross64k_memcpy", x[0].ns);
	bench("cross64k", x[1].ns);
	ratio("cross64k_vs_memcpy", x[1].ns, x[0].ns);

	/* region lookup alone (out-of-line gm_memory_find_region) */
	struct job l[3];
	for (int i = 0; i < 3; i++) {
		l[i].w = base;
		l[i].w.m = ms[i];
		l[i].w.off = 0;
		l[i].w.mask = GUEST_SIZE - 1;
		l[i].f = lookup;
		l[i].ops = U64_OPS;
	}
	measure(l, 3);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "lookup_%u", counts[i]);
		bench(name, l[i].ns);
	}
	ratio("lookup_1024_vs_1", l[2].ns, l[0].ns);

	/* For information: the price of dirty tracking on a u64 write (hot set,
	 * 1 region), and of taking a snapshot from the RCU-like holder. */
	struct gm_memory *tracked = make(raw, 1, true);
	struct job d[2];
	for (int i = 0; i < 2; i++) {
		d[i].w = base;
		d[i].w.m = i ? tracked : NULL;
		d[i].w.off = HOT_OFF;
		d[i].w.mask = HOT_SIZE - 1;
		d[i].f = i ? mem_write : raw_write;
		d[i].ops = U64_OPS;
	}
	measure(d, 2);
	bench("u64_write_hot_tracked", d[1].ns);
	ratio("u64_write_hot_tracked_vs_raw", d[1].ns, d[0].ns);
	gm_memory_put(tracked);

	/* Atomics on guest memory (hot set, 1 region, untracked) */
	struct job at[4];
	bench_fn af[4] = {raw_load_acq, mem_load_acq, raw_cas, mem_cas};
	for (int i = 0; i < 4; i++) {
		at[i].w = base;
		at[i].w.m = ms[0];
		at[i].w.off = HOT_OFF;
		at[i].w.mask = HOT_SIZE - 1;
		at[i].f = af[i];
		at[i].ops = U64_OPS;
	}
	measure(at, 4);
	bench("load_acquire_u32_raw", at[0].ns);
	bench("load_acquire_u32", at[1].ns);
	bench("cas_u32_raw", at[2].ns);
	bench("cas_u32", at[3].ns);
	ratio("load_acquire_u32_vs_raw", at[1].ns, at[0].ns);
	ratio("cas_u32_vs_raw", at[3].ns, at[2].ns);

	struct gm_atomic_memory *holder;
	if (gm_atomic_memory_new(&holder, ms[0]) == 0) {
		struct job sn = {.f = snapshot, .w = base, .ops = 1u << 20};
		sn.w.holder = holder;
		measure(&sn, 1);
		bench("snapshot_get_put", sn.ns);
		gm_atomic_memory_free(holder);
	}

	for (int i = 0; i < 3; i++)
		gm_memory_put(ms[i]);
	free(buf);
	munmap(raw, GUEST_SIZE);
	failures |= bench_as();
	if (failures) {
		fprintf(stderr, "bench_mem: an access failed\n");
		return 1;
	}
	return 0;
}

/* ---- Address space (issue 15): RAM read vs gm_memory, MMIO dispatch vs a
 * plain sorted-array device lookup (devices/ is not linked into bench_mem),
 * and the cost of one flat-view rebuild (a region moved) for 1/64/1024
 * mapped regions. Same timing scheme: median of RUNS after a warm-up. ---- */
#include <vmm-mem/as.h>

#define AS_HOT (256u << 10)
#define AS_NDEV 64u

struct as_dev {
	uint64_t start, len;
	const struct gm_asregion_ops *ops;
	void *opaque;
};

static enum gm_as_result as_dev_read(void *o, uint64_t off, unsigned size, uint64_t *v,
				     const struct gm_as_attrs *a)
{
	(void)a;
	*v = (uintptr_t)o + off + size;
	return GM_AS_OK;
}

static enum gm_as_result as_dev_write(void *o, uint64_t off, unsigned size, uint64_t v,
				      const struct gm_as_attrs *a)
{
	(void)o, (void)off, (void)size, (void)v, (void)a;
	return GM_AS_OK;
}

static const struct gm_asregion_ops as_dev_ops = {as_dev_read, as_dev_write};

__attribute__((noinline)) static double as_run(int kind, void *ctx, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, sum = 0;
	double t0 = now_ns();
	for (unsigned i = 0; i < ops; i++) {
		uint64_t x = xorshift(&s), v = 0;
		if (kind == 0) {
			(void)gm_memory_read_u64(ctx, gm_addr(GUEST_BASE + (x & (AS_HOT - 8))), &v);
		} else if (kind == 1) {
			(void)gm_as_read_u64(ctx, GUEST_BASE + (x & (AS_HOT - 8)), &v);
		} else if (kind == 2) {
			const struct as_dev *d = ctx;
			uint64_t a = 0xd0000000ULL + (x % (AS_NDEV * 4096)) / 4 * 4;
			size_t lo = 0, hi = AS_NDEV;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (a < d[mid].start)
					hi = mid;
				else if (a - d[mid].start >= d[mid].len)
					lo = mid + 1;
				else {
					d[mid].ops->read(d[mid].opaque, a - d[mid].start, 4, &v, NULL);
					break;
				}
			}
		} else {
			uint64_t a = 0xd0000000ULL + (x % (AS_NDEV * 4096)) / 4 * 4;
			(void)gm_as_load(ctx, a, 4, GM_AS_NATIVE, &v, NULL);
		}
		sum += v;
	}
	sink = sum;
	return (now_ns() - t0) / ops;
}

static double as_median(double *t)
{
	qsort(t, RUNS, sizeof(double), cmp_d);
	return t[RUNS / 2];
}

static int bench_as(void)
{
	struct gm_as *as;
	struct gm_asregion *ram;
	if (gm_as_new(&as) || gm_asregion_new_ram(&ram, "ram", 4u << 20, 0) ||
	    gm_asregion_add_mapping(ram, 0, 4u << 20, -1, 0, true) ||
	    gm_as_map(as, ram, GUEST_BASE))
		return 1;
	uint8_t *h = gm_asregion_host(ram, 0);
	memset(h, 3, 4u << 20);
	struct gm_region *gr;
	struct gm_memory *m;
	if (gm_region_new_raw(&gr, gm_addr(GUEST_BASE), h, 4u << 20, NULL) ||
	    gm_memory_new_from_regions(&m, &gr, 1))
		return 1;
	gm_region_put(gr);
	double tm[RUNS], ta[RUNS];
	as_run(0, m, U64_OPS);
	as_run(1, as, U64_OPS);
	for (int r = 0; r < RUNS; r++) {
		tm[r] = as_run(0, m, U64_OPS);
		ta[r] = as_run(1, as, U64_OPS);
	}
	double nm = as_median(tm), na = as_median(ta);
	bench("as_read_u64_hot", na);
	bench("as_read_u64_hot_memory", nm);
	ratio("as_read_u64_hot_vs_memory", na, nm);
	gm_memory_put(m);

	struct as_dev devs[AS_NDEV];
	struct gm_asregion *dr[AS_NDEV];
	for (unsigned i = 0; i < AS_NDEV; i++) {
		devs[i] = (struct as_dev){0xd0000000ULL + i * 4096ULL, 4096, &as_dev_ops,
					  (void *)(uintptr_t)i};
		if (gm_asregion_new_mmio(&dr[i], "dev", 4096, 1, &as_dev_ops, devs[i].opaque) ||
		    gm_as_map(as, dr[i], devs[i].start))
			return 1;
	}
	as_run(2, devs, U64_OPS / 4);
	as_run(3, as, U64_OPS / 4);
	for (int r = 0; r < RUNS; r++) {
		tm[r] = as_run(2, devs, U64_OPS / 4);
		ta[r] = as_run(3, as, U64_OPS / 4);
	}
	nm = as_median(tm);
	na = as_median(ta);
	bench("as_mmio_dispatch", na);
	bench("as_mmio_dispatch_sorted_array", nm);
	ratio("as_mmio_dispatch_vs_bus", na, nm);
	gm_as_free(as);
	for (unsigned i = 0; i < AS_NDEV; i++)
		gm_asregion_free(dr[i]);
	gm_asregion_free(ram);

	static const unsigned ns[] = {1, 64, 1024};
	for (int c = 0; c < 3; c++) {
		struct gm_asregion **rs = calloc(ns[c], sizeof(*rs));
		if (!rs || gm_as_new(&as))
			return 1;
		for (unsigned i = 0; i < ns[c]; i++)
			if (gm_asregion_new_ram(&rs[i], "r", 4096, 0) ||
			    gm_asregion_add_mapping(rs[i], 0, 4096, -1, 0, true) ||
			    gm_as_map(as, rs[i], 0x100000ULL + i * 8192ULL))
				return 1;
		double t[RUNS];
		for (int r = 0; r < RUNS; r++) {
			double t0 = now_ns();
			for (int k = 0; k < 20; k++)
				if (gm_as_move(as, rs[0], k % 2 ? 0x100000ULL : 0x1000ULL))
					return 1;
			t[r] = (now_ns() - t0) / 20 / 1000;
		}
		char name[64];
		snprintf(name, sizeof(name), "flatview_rebuild_%u_us", ns[c]);
		printf("BENCH mem.%s %.3f us/op\n", name, as_median(t));
		gm_as_free(as);
		for (unsigned i = 0; i < ns[c]; i++)
			gm_asregion_free(rs[i]);
		free(rs);
	}
	return 0;
}
