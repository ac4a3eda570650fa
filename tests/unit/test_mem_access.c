/* mem/ collection access: splitting iterator, objects, atomics (incl.
 * misaligned), fd I/O (partial/exact/EOF/EINTR), dirty bits after every kind
 * of write, insert/remove region, address translation helpers. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <vmm-mem/mem.h>

#include "tests/unit/harness.h"

/* [0x1000,0x3000) [0x3000,0x3100) hole [0x8000,0x9000) */
static struct gm_memory *layout(bool track)
{
	struct gm_range r[] = {
	    {gm_addr(0x1000), 0x2000},
	    {gm_addr(0x3000), 0x100},
	    {gm_addr(0x8000), 0x1000},
	};
	struct gm_mmap_opts o = {.dirty_tracking = track};
	struct gm_memory *m;
	ck_assert_int_eq(gm_memory_new_anon_opts(&m, r, 3, &o), 0);
	return m;
}

START_TEST(iterator_splits)
{
	struct gm_memory *m = layout(false);
	struct gm_iter it;
	struct gm_frag f;
	gm_memory_iter_init(&it, m, gm_addr(0x2ff0), 0x120);
	ck_assert_int_eq(gm_memory_iter_next(&it, &f), 1);
	ck_assert_uint_eq(f.addr.raw, 0x2ff0);
	ck_assert_uint_eq(f.raddr.raw, 0x1ff0);
	ck_assert_uint_eq(f.len, 0x10);
	ck_assert_uint_eq(f.pos, 0);
	ck_assert_ptr_eq(f.region, gm_memory_region(m, 0));
	ck_assert_int_eq(gm_memory_iter_next(&it, &f), 1);
	ck_assert_uint_eq(f.addr.raw, 0x3000);
	ck_assert_uint_eq(f.raddr.raw, 0);
	ck_assert_uint_eq(f.len, 0x100);
	ck_assert_uint_eq(f.pos, 0x10);
	ck_assert_uint_eq(f.slice.len, 0x100);
	ck_assert_int_eq(gm_memory_iter_next(&it, &f), -EFAULT); /* hole at 0x3100 */
	ck_assert_uint_eq(it.done, 0x110);

	gm_memory_iter_init(&it, m, gm_addr(0x8000), 0x1000);
	ck_assert_int_eq(gm_memory_iter_next(&it, &f), 1);
	ck_assert_uint_eq(f.len, 0x1000);
	ck_assert_int_eq(gm_memory_iter_next(&it, &f), 0);
	gm_memory_iter_init(&it, m, gm_addr(0x8000), 0);
	ck_assert_int_eq(gm_memory_iter_next(&it, &f), 0);
	gm_memory_put(m);
}
END_TEST

START_TEST(translation_helpers)
{
	struct gm_memory *m = layout(false);
	gm_raddr_t off;
	const struct gm_region *r = gm_memory_to_region_addr(m, gm_addr(0x3050), &off);
	ck_assert_ptr_eq(r, gm_memory_region(m, 1));
	ck_assert_uint_eq(off.raw, 0x50);
	ck_assert_ptr_null(gm_memory_to_region_addr(m, gm_addr(0x3100), &off));
	ck_assert_ptr_eq(gm_memory_find_region(m, gm_addr(0x8fff)), gm_memory_region(m, 2));
	gm_addr_t o = gm_addr(1);
	ck_assert(gm_memory_checked_offset(m, gm_addr(0x1000), 0x20ff, &o));
	ck_assert_uint_eq(o.raw, 0x30ff);
	o = gm_addr(1);
	ck_assert(!gm_memory_checked_offset(m, gm_addr(0x1000), 0x2100, &o)); /* hole */
	ck_assert(!gm_memory_checked_offset(m, gm_addr(0x8000), UINT64_MAX, &o)); /* wraps */
	ck_assert_uint_eq(o.raw, 1);
	uint8_t *h = gm_memory_get_host_address(m, gm_addr(0x1010));
	ck_assert_ptr_eq(h, (uint8_t *)gm_region_host_base(gm_memory_region(m, 0)) + 0x10);
	ck_assert_ptr_null(gm_memory_get_host_address(m, gm_addr(0x4000)));
	ck_assert_ptr_nonnull(gm_memory_get_host_ptr(m, gm_addr(0x1000), 0x2000));
	ck_assert_ptr_null(gm_memory_get_host_ptr(m, gm_addr(0x1000), 0x2001)); /* spans 2 */
	ck_assert_ptr_null(gm_memory_get_host_ptr(m, gm_addr(0x1000), 0));
	struct gm_vslice s;
	ck_assert_int_eq(gm_memory_get_slice(m, gm_addr(0x2000), 0x1000, &s), 0);
	ck_assert_uint_eq(s.len, 0x1000);
	ck_assert_int_eq(gm_memory_get_slice(m, gm_addr(0x2000), 0x1001, &s), -EFAULT);
	ck_assert_int_eq(gm_memory_get_slice(m, gm_addr(0x5000), 1, &s), -EFAULT);
	gm_memory_put(m);
}
END_TEST

START_TEST(objects_and_atomics)
{
	struct gm_memory *m = layout(false);
	struct hdr {
		uint16_t a;
		uint32_t b;
		uint64_t c;
	} __attribute__((packed)) o = {1, 2, 3}, p;
	ck_assert_int_eq(gm_memory_write_obj(m, &o, sizeof(o), gm_addr(0x2ffa)), 0); /* spans */
	ck_assert_int_eq(gm_memory_read_obj(m, &p, sizeof(p), gm_addr(0x2ffa)), 0);
	ck_assert_mem_eq(&o, &p, sizeof(o));
	ck_assert_int_eq(gm_memory_write_obj(m, &o, sizeof(o), gm_addr(0x30f8)), -EFAULT);
	for (uint64_t a = 0x1000; a < 0x1010; a++) { /* typed accessors, every alignment */
		ck_assert_int_eq(gm_memory_write_u16(m, gm_addr(a), (uint16_t)(a * 3)), 0);
		uint16_t v;
		ck_assert_int_eq(gm_memory_read_u16(m, gm_addr(a), &v), 0);
		ck_assert_uint_eq(v, (uint16_t)(a * 3));
	}
	uint8_t b8;
	ck_assert_int_eq(gm_memory_write_u8(m, gm_addr(0x30ff), 9), 0);
	ck_assert_int_eq(gm_memory_read_u8(m, gm_addr(0x30ff), &b8), 0);
	ck_assert_uint_eq(b8, 9);
	ck_assert_int_eq(gm_memory_read_u8(m, gm_addr(0x3100), &b8), -EFAULT);
	uint32_t v32;
	ck_assert_int_eq(gm_memory_write_u32(m, gm_addr(0x8ffc), 5), 0);
	ck_assert_int_eq(gm_memory_read_u32(m, gm_addr(0x8ffd), &v32), -EFAULT);

	uint64_t v = 0;
	ck_assert_int_eq(gm_memory_store(m, gm_addr(0x8008), 8, 0xfeedULL, GM_RELEASE), 0);
	ck_assert_int_eq(gm_memory_load(m, gm_addr(0x8008), 8, GM_ACQUIRE, &v), 0);
	ck_assert_uint_eq(v, 0xfeed);
	/* misaligned atomics are an error, for every size */
	ck_assert_int_eq(gm_memory_load(m, gm_addr(0x8009), 8, GM_SEQ_CST, &v), -EINVAL);
	ck_assert_int_eq(gm_memory_load(m, gm_addr(0x800a), 4, GM_SEQ_CST, &v), -EINVAL);
	ck_assert_int_eq(gm_memory_store(m, gm_addr(0x8001), 2, 1, GM_SEQ_CST), -EINVAL);
	ck_assert_int_eq(gm_memory_store(m, gm_addr(0x8001), 1, 1, GM_SEQ_CST), 0);
	ck_assert_int_eq(gm_memory_load(m, gm_addr(0x8000), 3, GM_SEQ_CST, &v), -EINVAL);
	/* an atomic may not cross regions or leave memory */
	ck_assert_int_eq(gm_memory_load(m, gm_addr(0x2ffc), 8, GM_SEQ_CST, &v), -EFAULT);
	ck_assert_int_eq(gm_memory_load(m, gm_addr(0x9000), 8, GM_SEQ_CST, &v), -EFAULT);
	ck_assert_int_eq(gm_memory_load(m, gm_addr(UINT64_MAX - 7), 8, GM_SEQ_CST, &v), -EFAULT);
	/* fill */
	ck_assert_int_eq(gm_memory_fill(m, 0xab, 0x20, gm_addr(0x2ff0)), 0);
	ck_assert_int_eq(gm_memory_read_u8(m, gm_addr(0x300f), &b8), 0);
	ck_assert_uint_eq(b8, 0xab);
	ck_assert_int_eq(gm_memory_fill(m, 0, 0x20, gm_addr(0x30f0)), -EFAULT);
	gm_memory_put(m);
}
END_TEST

START_TEST(fd_partial_and_exact)
{
	struct gm_memory *m = layout(false);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	uint8_t data[0x300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	/* exact read across a region boundary */
	ck_assert_int_eq(write(p[1], data, 0x200), 0x200);
	ck_assert_int_eq(gm_memory_read_exact_from_fd(m, gm_addr(0x2f00), p[0], 0x200), 0);
	uint8_t back[0x300];
	ck_assert_int_eq(gm_memory_read_slice(m, back, 0x200, gm_addr(0x2f00)), 0);
	ck_assert_mem_eq(back, data, 0x200);
	/* write_all back out across the boundary */
	ck_assert_int_eq(gm_memory_write_all_to_fd(m, gm_addr(0x2f00), p[1], 0x200), 0);
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(read(p[0], back, 0x200), 0x200);
	ck_assert_mem_eq(back, data, 0x200);
	/* exact into a range with a hole: refused before reading anything */
	ck_assert_int_eq(write(p[1], data, 0x10), 0x10);
	ck_assert_int_eq(gm_memory_read_exact_from_fd(m, gm_addr(0x30f0), p[0], 0x20), -EFAULT);
	/* partial: only what is available (short read) */
	ck_assert_int_eq(gm_memory_read_from_fd(m, gm_addr(0x8000), p[0], 0x100), 0x10);
	ck_assert_int_eq(gm_memory_write_to_fd(m, gm_addr(0x8000), p[1], 0x10), 0x10);
	ck_assert_int_eq(read(p[0], back, 0x10), 0x10);
	ck_assert_mem_eq(back, data, 0x10);
	/* partial write stops at a hole; unmapped start is -EFAULT */
	ck_assert_int_eq(gm_memory_write_to_fd(m, gm_addr(0x30f0), p[1], 0x20), 0x10);
	ck_assert_int_eq(read(p[0], back, 0x10), 0x10);
	ck_assert_int_eq(gm_memory_write_to_fd(m, gm_addr(0x4000), p[1], 0x20), -EFAULT);
	ck_assert_int_eq(gm_memory_read_from_fd(m, gm_addr(0x4000), p[0], 0x20), -EFAULT);
	/* EOF: partial returns 0, exact fails with -ENODATA */
	ck_assert_int_eq(write(p[1], data, 4), 4);
	close(p[1]);
	ck_assert_int_eq(gm_memory_read_exact_from_fd(m, gm_addr(0x8000), p[0], 8), -ENODATA);
	ck_assert_int_eq(gm_memory_read_from_fd(m, gm_addr(0x8000), p[0], 8), 0);
	/* bad fd: the errno comes back */
	ck_assert_int_eq(gm_memory_read_from_fd(m, gm_addr(0x8000), -1, 8), -EBADF);
	ck_assert_int_eq(gm_memory_write_all_to_fd(m, gm_addr(0x8000), -1, 8), -EBADF);
	close(p[0]);
	gm_memory_put(m);
}
END_TEST

static volatile sig_atomic_t got_signal;
static void on_usr1(int sig)
{
	got_signal = 1;
}

struct intr_ctx {
	pthread_t reader;
	int wfd;
};
static void *interrupter(void *arg)
{
	struct intr_ctx *c = arg;
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	pthread_kill(c->reader, SIGUSR1);
	nanosleep(&ts, NULL);
	static const char msg[8] = "12345678";
	ck_assert_int_eq(write(c->wfd, msg, 8), 8);
	return NULL;
}

START_TEST(fd_eintr_retried)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1; /* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	struct gm_memory *m = layout(false);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	struct intr_ctx c = {pthread_self(), p[1]};
	pthread_t t;
	got_signal = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, interrupter, &c), 0);
	ck_assert_int_eq(gm_memory_read_exact_from_fd(m, gm_addr(0x1000), p[0], 8), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(got_signal, 1);
	char got[8];
	ck_assert_int_eq(gm_memory_read_slice(m, got, 8, gm_addr(0x1000)), 0);
	ck_assert(memcmp(got, "12345678", 8) == 0);
	close(p[0]);
	close(p[1]);
	gm_memory_put(m);
}
END_TEST

static struct gm_bitmap *bm_of(struct gm_memory *m, size_t i)
{
	return gm_region_bitmap(gm_memory_region(m, i));
}
static size_t dirty_total(struct gm_memory *m)
{
	size_t n = 0;
	for (size_t i = 0; i < gm_memory_num_regions(m); i++)
		n += gm_bitmap_count(bm_of(m, i));
	return n;
}
static void reset_all(struct gm_memory *m)
{
	for (size_t i = 0; i < gm_memory_num_regions(m); i++)
		gm_bitmap_reset(bm_of(m, i));
}

START_TEST(dirty_every_write_path)
{
	struct gm_memory *m = layout(true);
	uint8_t buf[0x40] = {1};
	uint64_t v;
	/* reads mark nothing */
	gm_memory_read_slice(m, buf, 0x40, gm_addr(0x1000));
	gm_memory_read_u64(m, gm_addr(0x1000), &v);
	gm_memory_load(m, gm_addr(0x1000), 8, GM_RELAXED, &v);
	ck_assert_uint_eq(dirty_total(m), 0);
#define EXPECT_DIRTY(region, off, count)                                                           \
	do {                                                                                       \
		ck_assert(gm_bitmap_is_dirty(bm_of(m, region), off));                              \
		ck_assert_uint_eq(dirty_total(m), count);                                          \
		reset_all(m);                                                                      \
	} while (0)
	ck_assert_int_eq(gm_memory_write(m, buf, 8, gm_addr(0x2008)), 8);
	EXPECT_DIRTY(0, 0x1008, 1);
	ck_assert_int_eq(gm_memory_write_slice(m, buf, 0x20, gm_addr(0x2ff0)), 0); /* 2 regions */
	ck_assert(gm_bitmap_is_dirty(bm_of(m, 1), 0));
	EXPECT_DIRTY(0, 0x1ff0, 2);
	ck_assert_int_eq(gm_memory_write_obj(m, buf, 16, gm_addr(0x8ff0)), 0);
	EXPECT_DIRTY(2, 0xff0, 1);
	ck_assert_int_eq(gm_memory_write_u8(m, gm_addr(0x1000), 1), 0);
	EXPECT_DIRTY(0, 0, 1);
	ck_assert_int_eq(gm_memory_write_u16(m, gm_addr(0x1ffe), 1), 0);
	EXPECT_DIRTY(0, 0xffe, 1);
	ck_assert_int_eq(gm_memory_write_u32(m, gm_addr(0x1ffe), 1), 0); /* straddles a page */
	ck_assert(gm_bitmap_is_dirty(bm_of(m, 0), 0x1000));
	EXPECT_DIRTY(0, 0xffe, 2);
	ck_assert_int_eq(gm_memory_write_u64(m, gm_addr(0x2ffc), 1), 0); /* straddles regions */
	ck_assert(gm_bitmap_is_dirty(bm_of(m, 1), 0));
	EXPECT_DIRTY(0, 0x1ffc, 2);
	ck_assert_int_eq(gm_memory_store(m, gm_addr(0x3008), 8, 1, GM_SEQ_CST), 0);
	EXPECT_DIRTY(1, 8, 1);
	ck_assert_int_eq(gm_memory_fill(m, 0, 0x1001, gm_addr(0x1000)), 0);
	EXPECT_DIRTY(0, 0x1000, 2);
	ck_assert_int_eq(gm_region_write_obj(gm_memory_region(m, 2), buf, 4, gm_raddr(0x10)), 0);
	EXPECT_DIRTY(2, 0x10, 1);
	ck_assert_int_eq(gm_region_store(gm_memory_region(m, 2), gm_raddr(0x20), 4, 1, GM_RELAXED),
			 0);
	EXPECT_DIRTY(2, 0x20, 1);
	ck_assert_int_eq(gm_region_write(gm_memory_region(m, 2), buf, 4, gm_raddr(0x30)), 4);
	EXPECT_DIRTY(2, 0x30, 1);
	struct gm_vslice s;
	ck_assert_int_eq(gm_memory_get_slice(m, gm_addr(0x1800), 16, &s), 0);
	gm_vslice_copy_from(&s, buf, 16);
	EXPECT_DIRTY(0, 0x800, 1);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], buf, 0x20), 0x20);
	ck_assert_int_eq(gm_memory_read_exact_from_fd(m, gm_addr(0x2ff0), p[0], 0x20), 0);
	ck_assert(gm_bitmap_is_dirty(bm_of(m, 1), 0));
	EXPECT_DIRTY(0, 0x1ff0, 2);
	ck_assert_int_eq(write(p[1], buf, 8), 8);
	ck_assert_int_eq(gm_memory_read_from_fd(m, gm_addr(0x8100), p[0], 8), 8);
	EXPECT_DIRTY(2, 0x100, 1);
	/* writing guest memory OUT to an fd is a read: nothing marked */
	ck_assert_int_eq(gm_memory_write_to_fd(m, gm_addr(0x8100), p[1], 8), 8);
	ck_assert_uint_eq(dirty_total(m), 0);
	close(p[0]);
	close(p[1]);
	/* through the IOMMU layer */
	struct gm_iotlb *t;
	struct gm_iommu_memory *im;
	ck_assert_int_eq(gm_iotlb_new(&t), 0);
	ck_assert_int_eq(gm_iotlb_set(t, 0x100000, gm_addr(0x8000), 0x1000, GM_PERM_RW), 0);
	ck_assert_int_eq(gm_iommu_memory_new(&im, m, t), 0);
	ck_assert_int_eq(gm_iommu_write_slice(im, buf, 8, gm_addr(0x100200)), 0);
	EXPECT_DIRTY(2, 0x200, 1);
	ck_assert_int_eq(gm_iommu_store(im, gm_addr(0x100300), 4, 1, GM_RELAXED), 0);
	EXPECT_DIRTY(2, 0x300, 1);
	gm_iommu_memory_free(im);
	gm_iotlb_free(t);
	/* get-and-reset hands out the bits once */
	gm_memory_write_u8(m, gm_addr(0x8000), 1);
	uint64_t w = 0;
	ck_assert_uint_eq(gm_bitmap_get_and_reset(bm_of(m, 2), &w, 1), 1);
	ck_assert_uint_eq(w, 1);
	ck_assert_uint_eq(gm_bitmap_get_and_reset(bm_of(m, 2), &w, 1), 1);
	ck_assert_uint_eq(w, 0);
	gm_memory_put(m);

	/* without tracking there is no bitmap at all */
	m = layout(false);
	ck_assert_ptr_null(bm_of(m, 0));
	ck_assert_int_eq(gm_memory_write_u64(m, gm_addr(0x1000), 1), 0);
	gm_memory_put(m);
}
END_TEST

START_TEST(insert_remove)
{
	struct gm_memory *m = layout(false), *m2, *m3;
	ck_assert_int_eq(gm_memory_write_u32(m, gm_addr(0x8000), 0xabcd), 0);
	struct gm_region *r;
	ck_assert_int_eq(gm_region_new_anon(&r, gm_addr(0x4000), 0x1000, NULL), 0);
	ck_assert_int_eq(gm_memory_insert_region(m, r, &m2), 0);
	ck_assert_uint_eq(gm_memory_num_regions(m), 3); /* unchanged */
	ck_assert_uint_eq(gm_memory_num_regions(m2), 4);
	ck_assert_ptr_eq(gm_memory_region(m2, 2), r);
	ck_assert(gm_memory_check_address(m2, gm_addr(0x4fff)));
	ck_assert(!gm_memory_check_address(m, gm_addr(0x4fff)));
	/* regions are shared, not copied */
	uint32_t v;
	ck_assert_int_eq(gm_memory_read_u32(m2, gm_addr(0x8000), &v), 0);
	ck_assert_uint_eq(v, 0xabcd);
	ck_assert_ptr_eq(gm_memory_region(m2, 3), gm_memory_region(m, 2));
	/* overlapping insert refused */
	struct gm_region *bad;
	ck_assert_int_eq(gm_region_new_anon(&bad, gm_addr(0x30ff), 0x10, NULL), 0);
	m3 = NULL;
	ck_assert_int_eq(gm_memory_insert_region(m2, bad, &m3), -EINVAL);
	ck_assert_ptr_null(m3);
	gm_region_put(bad);
	/* remove */
	struct gm_region *removed = NULL;
	ck_assert_int_eq(gm_memory_remove_region(m2, gm_addr(0x3000), 0x100, &m3, &removed), 0);
	ck_assert_ptr_eq(removed, gm_memory_region(m, 1));
	gm_region_put(removed);
	ck_assert_uint_eq(gm_memory_num_regions(m3), 3);
	ck_assert(!gm_memory_check_address(m3, gm_addr(0x3000)));
	ck_assert(gm_memory_check_address(m2, gm_addr(0x3000)));
	ck_assert_int_eq(gm_memory_remove_region(m3, gm_addr(0x3000), 0x100, &m2, NULL), -ENOENT);
	ck_assert_int_eq(gm_memory_remove_region(m3, gm_addr(0x1000), 0x1000, &m2, NULL), -ENOENT);
	gm_memory_put(m3);
	gm_memory_put(m2);
	gm_memory_put(m);
	/* r is still ours */
	ck_assert_int_eq(gm_region_write_obj(r, &v, 4, gm_raddr(0)), 0);
	gm_region_put(r);
}
END_TEST

START_TEST(fd_slice_and_region)
{
	struct gm_region *r, *ro;
	struct gm_mmap_opts t = {.dirty_tracking = true}, rop = {.prot = PROT_READ};
	ck_assert_int_eq(gm_region_new_anon(&r, gm_addr(0x10000), 0x2000, &t), 0);
	ck_assert_int_eq(gm_region_new_anon(&ro, gm_addr(0x20000), 0x1000, &rop), 0);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "abcdefgh", 8), 8);
	/* region: partial read clamps to the region end */
	ck_assert_int_eq(gm_region_read_from_fd(r, gm_raddr(0x1ffc), p[0], 8), 4);
	ck_assert(gm_bitmap_is_dirty(gm_region_bitmap(r), 0x1ffc));
	ck_assert_int_eq(gm_region_read_exact_from_fd(r, gm_raddr(0x1ffc), p[0], 8), -EFAULT);
	ck_assert_int_eq(gm_region_read_exact_from_fd(r, gm_raddr(0x0), p[0], 4), 0);
	ck_assert_int_eq(gm_region_read_from_fd(r, gm_raddr(0x2000), p[0], 1), -EFAULT);
	ck_assert_int_eq(gm_region_read_from_fd(ro, gm_raddr(0), p[0], 1), -EACCES);
	uint8_t *h = gm_region_host_base(r);
	ck_assert(memcmp(h + 0x1ffc, "abcd", 4) == 0);
	ck_assert(memcmp(h, "efgh", 4) == 0);
	/* region: write out, exact and partial */
	ck_assert_int_eq(gm_region_write_all_to_fd(r, gm_raddr(0x1ffc), p[1], 4), 0);
	ck_assert_int_eq(gm_region_write_to_fd(r, gm_raddr(0), p[1], 100), 100);
	ck_assert_int_eq(gm_region_write_to_fd(ro, gm_raddr(0), p[1], 4),
			 4); /* reading RO is fine */
	char got[108];
	ck_assert_int_eq(read(p[0], got, sizeof(got)), 108);
	ck_assert(memcmp(got, "abcdefgh", 8) == 0);
	/* slice */
	struct gm_vslice s;
	ck_assert_int_eq(gm_region_get_slice(r, gm_raddr(0x100), 16, &s), 0);
	ck_assert_int_eq(write(p[1], "0123456789abcdefXYZ", 19), 19);
	ck_assert_int_eq(gm_vslice_read_exact_from_fd(&s, p[0], 17), -EFAULT);
	ck_assert_int_eq(gm_vslice_read_exact_from_fd(&s, p[0], 16), 0);
	ck_assert(memcmp(h + 0x100, "0123456789abcdef", 16) == 0);
	ck_assert_int_eq(gm_vslice_read_from_fd(&s, p[0], 100), 3);
	ck_assert_int_eq(gm_vslice_write_to_fd(&s, p[1], 100), 16);
	ck_assert_int_eq(gm_vslice_write_all_to_fd(&s, p[1], 3), 0);
	ck_assert_int_eq(read(p[0], got, 19), 19);
	ck_assert(memcmp(got, "XYZ3456789abcdefXYZ", 19) == 0);
	close(p[1]);
	ck_assert_int_eq(gm_vslice_read_exact_from_fd(&s, p[0], 4), -ENODATA);
	ck_assert_int_eq(gm_vslice_read_from_fd(&s, p[0], 4), 0);
	ck_assert_int_eq(gm_vslice_read_from_fd(&s, -1, 4), -EBADF);
	close(p[0]);
	gm_region_put(r);
	gm_region_put(ro);
}
END_TEST

START_TEST(shared_anon)
{
	struct gm_mmap_opts o = {.flags = MAP_SHARED};
	struct gm_region *r;
	ck_assert_int_eq(gm_region_new_anon(&r, gm_addr(0), 4096, &o), 0);
	ck_assert(gm_mmap_region_flags(r) & MAP_SHARED);
	ck_assert(!(gm_mmap_region_flags(r) & MAP_PRIVATE));
	ck_assert_int_eq(gm_region_write_obj(r, &(uint64_t){5}, 8, gm_raddr(8)), 0);
	gm_region_put(r);
}
END_TEST

static Suite *access_suite(void)
{
	Suite *s = suite_create("mem_access");
	TCase *tc = tcase_create("access");
	tcase_add_test(tc, iterator_splits);
	tcase_add_test(tc, translation_helpers);
	tcase_add_test(tc, objects_and_atomics);
	tcase_add_test(tc, fd_partial_and_exact);
	tcase_add_test(tc, fd_eintr_retried);
	tcase_add_test(tc, dirty_every_write_path);
	tcase_add_test(tc, insert_remove);
	tcase_add_test(tc, fd_slice_and_region);
	tcase_add_test(tc, shared_anon);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(access_suite)
