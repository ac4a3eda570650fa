/* make bench: devices/core bus dispatch and allocator costs.
 * Dispatch through the DeviceManager with 1, 16, 256 and 4096 devices on the
 * MMIO bus, against a linear scan over the same ranges (same addresses, same
 * device callback) in the same run; then 100,000 allocate/free pairs. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "devices/core/dev.h"

#define NADDR 4096
#define BASE 0x10000000ull
#define STRIDE 0x2000ull
#define DEVLEN 0x1000ull

static void b_read(void *priv, uint64_t base, uint64_t off, uint8_t *data, uint32_t len)
{
	data[0] = (uint8_t)(uintptr_t)priv;
	data[1] = (uint8_t)off;
}

static const struct dev_ops bops = {b_read, NULL, NULL};

struct lin_ent {
	uint64_t start, end;
	void *priv;
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A plain linear scan, the baseline. noinline so it is measured as a call. */
__attribute__((noinline)) static int lin_read(const struct lin_ent *e, size_t n, uint64_t addr,
					      uint8_t *data, uint32_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (addr >= e[i].start && addr + len - 1 <= e[i].end) {
			b_read(e[i].priv, e[i].start, addr - e[i].start, data, len);
			return 0;
		}
	}
	return 1;
}

static volatile uint8_t sink;

static double best_of3_mgr(struct dev_manager *m, const uint64_t *addrs, long iters)
{
	double best = 1e30;
	uint8_t d[8];
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now_ns();
		for (long i = 0; i < iters; i++) {
			dev_manager_read(m, DEV_BUS_MMIO, addrs[i & (NADDR - 1)], d, 4);
			sink = d[0];
		}
		double t = (now_ns() - t0) / (double)iters;
		if (t < best)
			best = t;
	}
	return best;
}

static double best_of3_lin(const struct lin_ent *e, size_t n, const uint64_t *addrs, long iters)
{
	double best = 1e30;
	uint8_t d[8];
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now_ns();
		for (long i = 0; i < iters; i++) {
			lin_read(e, n, addrs[i & (NADDR - 1)], d, 4);
			sink = d[0];
		}
		double t = (now_ns() - t0) / (double)iters;
		if (t < best)
			best = t;
	}
	return best;
}

struct thr_arg {
	struct dev_manager *m;
	const uint64_t *addrs;
	double ns;
};

static void *thr_dispatch(void *p)
{
	struct thr_arg *a = p;
	a->ns = best_of3_mgr(a->m, a->addrs, 1000000);
	return NULL;
}

/* Two vCPU-like threads dispatching at once on 256 devices: the read side
 * shares no lock word, so the per-op cost should stay near the 1-thread one
 * (on a machine with two idle cores). */
static double two_threads(const uint64_t *addrs)
{
	struct dev_manager *m;
	if (dev_manager_new(&m, NULL))
		return -1;
	for (size_t i = 0; i < 256; i++) {
		struct dev_handle *h;
		if (dev_manager_register(m, DEV_BUS_MMIO, BASE + i * STRIDE, DEVLEN, &bops,
					 (void *)(uintptr_t)i, &h))
			return -1;
	}
	struct thr_arg a[2] = {{m, addrs, 0}, {m, addrs, 0}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, thr_dispatch, &a[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	dev_manager_free(m);
	return (a[0].ns + a[1].ns) / 2;
}

static double alloc_pairs(int holes)
{
	struct dev_addr_alloc *a;
	uint64_t got;
	if (dev_addr_alloc_new(&a, 0xc0000000ull, 0x3ec00000ull))
		return -1;
	for (int i = 0; i < 2 * holes; i++)
		dev_addr_alloc_allocate(a, 0x1000, 0x1000, DEV_ALLOC_FIRST_MATCH, 0, &got);
	for (int i = 0; i < 2 * holes; i += 2)
		dev_addr_alloc_release(a, 0xc0000000ull + (uint64_t)i * 0x1000, 0x1000);
	double best = 1e30;
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now_ns();
		for (int i = 0; i < 100000; i++) {
			if (dev_addr_alloc_allocate(a, 0x2000, 0x2000, DEV_ALLOC_FIRST_MATCH, 0,
						    &got) ||
			    dev_addr_alloc_release(a, got, 0x2000)) {
				dev_addr_alloc_destroy(a);
				return -1;
			}
		}
		double t = (now_ns() - t0) / 100000.0;
		if (t < best)
			best = t;
	}
	dev_addr_alloc_destroy(a);
	return best;
}

int main(void)
{
	static const size_t counts[] = {1, 16, 256, 4096};
	double t_mgr[4], t_lin[4];
	static uint64_t addrs[NADDR];
	static struct lin_ent lin[4096];
	for (int c = 0; c < 4; c++) {
		size_t n = counts[c];
		struct dev_manager *m;
		if (dev_manager_new(&m, NULL)) {
			fprintf(stderr, "dev_manager_new failed\n");
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			struct dev_handle *h;
			uint64_t b = BASE + i * STRIDE;
			if (dev_manager_register(m, DEV_BUS_MMIO, b, DEVLEN, &bops,
						 (void *)(uintptr_t)i, &h)) {
				fprintf(stderr, "register failed\n");
				return 1;
			}
			lin[i] = (struct lin_ent){b, b + DEVLEN - 1, (void *)(uintptr_t)i};
		}
		uint64_t s = 0x9e3779b97f4a7c15ull;
		for (int i = 0; i < NADDR; i++)
			addrs[i] = BASE + (rng(&s) % n) * STRIDE + (rng(&s) % (DEVLEN / 4)) * 4;
		t_mgr[c] = best_of3_mgr(m, addrs, 2000000);
		t_lin[c] = best_of3_lin(lin, n, addrs, n >= 1024 ? 20000 : 400000);
		printf("BENCH devices.lookup_%zu %.1f ns\n", n, t_mgr[c]);
		printf("BENCH devices.linear_%zu %.1f ns\n", n, t_lin[c]);
		dev_manager_free(m);
	}
	printf("RATIO devices.lookup_4096_vs_1 %.2f\n", t_mgr[3] / t_mgr[0]);
	printf("RATIO devices.lookup_4096_vs_linear %.3f\n", t_mgr[3] / t_lin[3]);
	uint64_t s2 = 0x12345ull;
	for (int i = 0; i < NADDR; i++)
		addrs[i] = BASE + (rng(&s2) % 256) * STRIDE + (rng(&s2) % (DEVLEN / 4)) * 4;
	double t2 = two_threads(addrs);
	if (t2 < 0)
		return 1;
	printf("BENCH devices.lookup_256_2threads %.1f ns\n", t2);

	/* Allocator: 100,000 allocate/free pairs in the 32-bit MMIO window, first
	 * with 16 devices' worth of allocations (a typical VM), then fragmented:
	 * 256 one-page holes the requests do not fit, so first-match walks them. */
	double pair16 = alloc_pairs(16), pair256 = alloc_pairs(256);
	if (pair16 < 0 || pair256 < 0)
		return 1;
	printf("BENCH devices.alloc_free_pair %.1f ns\n", pair16);
	printf("BENCH devices.alloc_free_pair_frag256 %.1f ns\n", pair256);
	return 0;
}
