/* make bench: mem/ against a raw-pointer / memcpy baseline on the same buffer.
 *
 * 64 MiB guest; random addresses from a fixed-seed xorshift; each figure is
 * one warm-up run then the median of 5 runs. Prints
 *   BENCH mem.<name> <ns> ns/op
 *   RATIO mem.<name> <x>      x = our time per op / baseline time per op
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <vmm-mem/mem.h>

#define GUEST_SIZE (64ULL << 20)
#define GUEST_BASE 0x100000ULL
#define HOT_SIZE (256ULL << 10)            /* fits in L2 */
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
	clock_gettime(CLOCK_MONOTONIC, &ts);
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
		memcpy(w->buf, w->raw + w->off + (xorshift(&s) & w->mask & ~63ULL), 4096);
	sink = w->buf[0];
}

__attribute__((noinline)) static void mem_copy4k_read(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++)
		bad |= gm_memory_read_slice(w->m, w->buf, 4096,
					    gm_addr(GUEST_BASE + w->off + (xorshift(&s) & w->mask & ~63ULL)));
	w->failures |= bad;
	sink = w->buf[0];
}

__attribute__((noinline)) static void raw_copy4k_write(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (unsigned i = 0; i < ops; i++)
		memcpy(w->raw + w->off + (xorshift(&s) & w->mask & ~63ULL), w->buf, 4096);
}

__attribute__((noinline)) static void mem_copy4k_write(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int bad = 0;
	for (unsigned i = 0; i < ops; i++)
		bad |= gm_memory_write_slice(w->m, w->buf, 4096,
					     gm_addr(GUEST_BASE + w->off + (xorshift(&s) & w->mask & ~63ULL)));
	w->failures |= bad;
}

/* 64 KiB copies centred on one of 4 region boundaries (1 MiB regions). */
#define CROSS_AT(i) (HOT_OFF + (((i) & 3) << 20) + (1ULL << 20) - (32ULL << 10) - (HOT_OFF & ((1ULL << 20) - 1)))
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
		bad |= gm_memory_read_slice(w->m, w->buf, 64 << 10, gm_addr(GUEST_BASE + CROSS_AT(i)));
	w->failures |= bad;
	sink = w->buf[0];
}

__attribute__((noinline)) static void lookup(struct wl *w, unsigned ops)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uintptr_t acc = 0;
	for (unsigned i = 0; i < ops; i++)
		acc += (uintptr_t)gm_memory_find_region(w->m, gm_addr(GUEST_BASE + w->off +
								      (xorshift(&s) & w->mask)));
	if (!acc)
		w->failures = 1;
	sink = acc;
}

/* Warm-up, then the median of RUNS runs, in ns per op. */
static double measure(bench_fn f, struct wl *w, unsigned ops)
{
	double t[RUNS];
	f(w, ops);
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();
		f(w, ops);
		t[r] = (now_ns() - t0) / ops;
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_d);
	return t[RUNS / 2];
}

/* nregions equal raw-pointer regions over the SAME host buffer, so every
 * configuration and the raw baseline touch exactly the same memory (same
 * pages, same page sizes): the ratios measure mem/ alone. */
static struct gm_memory *make(uint8_t *host, unsigned nregions)
{
	uint64_t each = GUEST_SIZE / nregions;
	struct gm_region **r = calloc(nregions, sizeof(*r));
	for (unsigned i = 0; i < nregions; i++)
		if (gm_region_new_raw(&r[i], gm_addr(GUEST_BASE + i * each), host + i * each, each,
				      NULL)) {
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
		ms[i] = make(raw, counts[i]);
	struct wl w = {.raw = raw, .buf = aligned_alloc(64, 64 << 10)};
	memset(w.buf, 2, 64 << 10);
	char name[96];

	/* u64 read/write: hot set and whole guest, 1/64/1024 regions */
	static const struct { const char *tag; uint64_t off, mask; } sets[] = {
		{"hot", HOT_OFF, HOT_SIZE - 1}, {"full", 0, GUEST_SIZE - 1},
	};
	for (int s = 0; s < 2; s++) {
		w.off = sets[s].off;
		w.mask = sets[s].mask;
		double rr = measure(raw_read, &w, U64_OPS), rw = measure(raw_write, &w, U64_OPS);
		snprintf(name, sizeof(name), "u64_read_%s_raw", sets[s].tag);
		bench(name, rr);
		snprintf(name, sizeof(name), "u64_write_%s_raw", sets[s].tag);
		bench(name, rw);
		double r1 = 0, w1 = 0;
		for (int i = 0; i < 3; i++) {
			w.m = ms[i];
			double mr = measure(mem_read, &w, U64_OPS), mw = measure(mem_write, &w, U64_OPS);
			snprintf(name, sizeof(name), "u64_read_%s_%u", sets[s].tag, counts[i]);
			bench(name, mr);
			snprintf(name, sizeof(name), "u64_write_%s_%u", sets[s].tag, counts[i]);
			bench(name, mw);
			if (i == 0) {
				r1 = mr;
				w1 = mw;
				snprintf(name, sizeof(name), "u64_read_%s_vs_raw", sets[s].tag);
				ratio(name, mr, rr);
				snprintf(name, sizeof(name), "u64_write_%s_vs_raw", sets[s].tag);
				ratio(name, mw, rw);
			} else {
				snprintf(name, sizeof(name), "u64_read_%s_%u_vs_raw", sets[s].tag, counts[i]);
				ratio(name, mr, rr);
				snprintf(name, sizeof(name), "u64_write_%s_%u_vs_raw", sets[s].tag, counts[i]);
				ratio(name, mw, rw);
				snprintf(name, sizeof(name), "u64_read_%s_%u_vs_1", sets[s].tag, counts[i]);
				ratio(name, mr, r1);
				snprintf(name, sizeof(name), "u64_write_%s_%u_vs_1", sets[s].tag, counts[i]);
				ratio(name, mw, w1);
			}
		}
	}

	/* 4 KiB copies inside the hot set (1 region) */
	w.m = ms[0];
	w.off = HOT_OFF;
	w.mask = HOT_SIZE - 4096 - 1;
	double cr_raw = measure(raw_copy4k_read, &w, COPY_OPS);
	double cr_mem = measure(mem_copy4k_read, &w, COPY_OPS);
	double cw_raw = measure(raw_copy4k_write, &w, COPY_OPS);
	double cw_mem = measure(mem_copy4k_write, &w, COPY_OPS);
	bench("copy4k_read_hot_memcpy", cr_raw);
	bench("copy4k_read_hot", cr_mem);
	bench("copy4k_write_hot_memcpy", cw_raw);
	bench("copy4k_write_hot", cw_mem);
	ratio("copy4k_hot_vs_memcpy", cr_mem, cr_raw);
	ratio("copy4k_write_hot_vs_memcpy", cw_mem, cw_raw);

	/* 64 KiB copy across a region boundary (64 regions of 1 MiB) */
	w.m = ms[1];
	double x_raw = measure(raw_cross, &w, CROSS_OPS);
	double x_mem = measure(mem_cross, &w, CROSS_OPS);
	bench("cross64k_memcpy", x_raw);
	bench("cross64k", x_mem);
	ratio("cross64k_vs_memcpy", x_mem, x_raw);

	/* region lookup alone */
	w.off = 0;
	w.mask = GUEST_SIZE - 1;
	double l[3];
	for (int i = 0; i < 3; i++) {
		w.m = ms[i];
		l[i] = measure(lookup, &w, U64_OPS);
		snprintf(name, sizeof(name), "lookup_%u", counts[i]);
		bench(name, l[i]);
	}
	ratio("lookup_1024_vs_1", l[2], l[0]);

	for (int i = 0; i < 3; i++)
		gm_memory_put(ms[i]);
	free(w.buf);
	munmap(raw, GUEST_SIZE);
	if (w.failures) {
		fprintf(stderr, "bench_mem: an access failed\n");
		return 1;
	}
	return 0;
}
