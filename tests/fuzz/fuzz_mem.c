/* libFuzzer target: guest-memory access through mem/ against a shadow.
 *
 * The input lays out a few anonymous regions with holes between them (some
 * read-only, some dirty-tracked with small dirty pages), anywhere in the
 * 64-bit space including the very top, and then runs a list of operations:
 * partial and all-or-nothing reads/writes, objects, inline typed accessors,
 * atomics, fill, the range/lookup queries, the splitting iterator, removing
 * and re-inserting regions, and dirty-bitmap collection. A shadow byte array
 * predicts every result; after each operation the whole guest memory must
 * equal the shadow and each tracked region's dirty bits must be exactly the
 * pages written since the last collection. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <vmm-mem/mem.h>

#include "tests/fuzz/input.h"

#define MAX_REGIONS 6
#define SPAN_MAX (96 * 1024)
#define LEN_MAX 16384
#define MAX_OPS 120
#define MAX_PAGES (12288 / 64 + 2)

struct mreg {
	uint64_t start, len; /* start is absolute */
	int ro, tracked, present;
	uint64_t psize;
	struct gm_region *r; /* our reference while present */
	uint8_t must[MAX_PAGES];
};

struct mstate {
	uint64_t base, span;
	int n;
	struct mreg reg[MAX_REGIONS];
	struct gm_memory *m;
	uint8_t shadow[SPAN_MAX];
};

static struct mstate S;
static uint8_t buf[LEN_MAX + 64], data[LEN_MAX + 64];

/* Present region holding x, or -1. */
static int reg_at(uint64_t x)
{
	uint64_t off = x - S.base;
	if (off >= S.span)
		return -1;
	for (int i = 0; i < S.n; i++) {
		const struct mreg *r = &S.reg[i];
		if (r->present && x >= r->start && x - r->start < r->len)
			return i;
	}
	return -1;
}

/* Expected bytes done and stop reason of an access [a, a+len). */
static uint64_t expect(uint64_t a, uint64_t len, int write, int *err)
{
	uint64_t done = 0;
	*err = 0;
	while (done < len) {
		uint64_t x;
		if (__builtin_add_overflow(a, done, &x)) {
			*err = -EFAULT;
			break;
		}
		int i = reg_at(x);
		if (i < 0) {
			*err = -EFAULT;
			break;
		}
		if (write && S.reg[i].ro) {
			*err = -EACCES;
			break;
		}
		uint64_t room = S.reg[i].len - (x - S.reg[i].start);
		done += room < len - done ? room : len - done;
	}
	return done;
}

/* Apply a model write of src[0..n) at a (n bytes known to be writable). */
static void shadow_write(uint64_t a, const uint8_t *src, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		uint64_t x = a + k;
		S.shadow[x - S.base] = src[k];
		int i = reg_at(x);
		CHECK(i >= 0 && !S.reg[i].ro);
		struct mreg *r = &S.reg[i];
		if (r->tracked)
			r->must[(x - r->start) / r->psize] = 1;
	}
}

static void shadow_read_check(uint64_t a, const uint8_t *got, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		CHECK_EQ(got[k], S.shadow[a + k - S.base]);
}

/* Guest memory equals the shadow: all of it (full), or only where the last
 * operation [a, a+len) could have written (plus a margin); dirty bits always. */
static void verify(int full, uint64_t a, uint64_t len)
{
	uint64_t lo = a - 16, hi;
	if (a < 16)
		lo = 0;
	if (__builtin_add_overflow(a, len + 16, &hi))
		hi = UINT64_MAX;
	for (int i = 0; i < S.n; i++) {
		struct mreg *r = &S.reg[i];
		if (!r->present)
			continue;
		const uint8_t *host = gm_region_host_base(r->r);
		CHECK(host != NULL);
		uint64_t s = r->start, e = r->start + (r->len - 1); /* inclusive */
		if (!full) {
			if (hi < s || lo > e)
				goto bits;
			s = lo > s ? lo : s;
			e = hi < e ? hi : e;
		}
		CHECK(memcmp(host + (s - r->start), &S.shadow[s - S.base], e - s + 1) == 0);
	bits:;
		struct gm_bitmap *bm = gm_region_bitmap(r->r);
		CHECK((bm != NULL) == r->tracked);
		if (!bm)
			continue;
		uint64_t pages = (r->len + r->psize - 1) / r->psize;
		for (uint64_t p = 0; p < pages; p++)
			CHECK_EQ(gm_bitmap_is_dirty(bm, p * r->psize), r->must[p]);
	}
	size_t present = 0;
	for (int i = 0; i < S.n; i++)
		present += S.reg[i].present;
	CHECK_EQ(gm_memory_num_regions(S.m), present);
}

static uint64_t pick_addr(struct fin *in)
{
	uint8_t how = fin_u8(in);
	switch (how & 3) {
	case 0:
		return S.base + fin_u32(in) % (S.span + 64);
	case 1: {
		const struct mreg *r = &S.reg[fin_u8(in) % S.n];
		return r->start + ((how & 4) ? r->len : 0) + (int8_t)fin_u8(in);
	}
	case 2:
		return (how & 4 ? S.base : 0) - fin_u8(in);
	default:
		return fin_u64(in);
	}
}

static uint64_t pick_len(struct fin *in)
{
	uint8_t how = fin_u8(in);
	switch (how & 3) {
	case 0:
	case 1:
		return how >> 2;
	case 2:
		return fin_u8(in) + 1;
	default:
		return fin_u16(in) % (LEN_MAX + 1);
	}
}

static void fill_data(struct fin *in, uint64_t len)
{
	uint8_t seed = fin_u8(in);
	for (uint64_t k = 0; k < len; k++)
		data[k] = (uint8_t)(seed * 0x9d + k * 31 + (k >> 8));
}

static int new_region(struct mreg *r)
{
	struct gm_mmap_opts o = {0};
	if (r->ro)
		o.prot = PROT_READ;
	o.dirty_tracking = r->tracked;
	o.dirty_page_size = r->psize;
	memset(r->must, 0, sizeof(r->must));
	memset(&S.shadow[r->start - S.base], 0, r->len);
	return gm_region_new_anon(&r->r, gm_addr(r->start), r->len, &o);
}

/* Remove a present region, or put a fresh one back. */
static void toggle(int i)
{
	struct mreg *r = &S.reg[i];
	struct gm_memory *nm = NULL;
	if (r->present) {
		struct gm_region *removed = NULL;
		/* wrong length first: must be refused */
		CHECK_EQ(gm_memory_remove_region(S.m, gm_addr(r->start), r->len + 1, &nm, NULL),
			 -ENOENT);
		int rc = gm_memory_remove_region(S.m, gm_addr(r->start), r->len, &nm, &removed);
		if (rc == -ENOMEM)
			return;
		CHECK_EQ(rc, 0);
		CHECK(removed == r->r);
		gm_region_put(removed);
		gm_region_put(r->r);
		r->r = NULL;
		r->present = 0;
	} else {
		if (new_region(r))
			return;
		int rc = gm_memory_insert_region(S.m, r->r, &nm);
		if (rc == -ENOMEM) {
			gm_region_put(r->r);
			r->r = NULL;
			return;
		}
		CHECK_EQ(rc, 0);
		r->present = 1;
		/* the same region again overlaps itself: refused */
		struct gm_memory *bad = NULL;
		CHECK_EQ(gm_memory_insert_region(nm, r->r, &bad), -EINVAL);
	}
	gm_memory_put(S.m);
	S.m = nm;
}

static void op_queries(uint64_t a, uint64_t len)
{
	int err;
	uint64_t done = expect(a, len, 0, &err);
	CHECK_EQ(gm_memory_check_range(S.m, gm_addr(a), len), err == 0 && done == len);
	int i = reg_at(a);
	CHECK_EQ(gm_memory_check_address(S.m, gm_addr(a)), i >= 0);
	const struct gm_region *fr = gm_memory_find_region(S.m, gm_addr(a));
	ssize_t fi = gm_memory_find_index(S.m, gm_addr(a));
	gm_raddr_t off = gm_raddr(0);
	const struct gm_region *tr = gm_memory_to_region_addr(S.m, gm_addr(a), &off);
	uint8_t *hp = gm_memory_get_host_address(S.m, gm_addr(a));
	if (i < 0) {
		CHECK(fr == NULL && fi == -1 && tr == NULL && hp == NULL);
	} else {
		const struct mreg *r = &S.reg[i];
		ssize_t idx = 0;
		for (int j = 0; j < S.n; j++)
			idx += S.reg[j].present && S.reg[j].start < r->start;
		CHECK(fr == r->r && tr == r->r);
		CHECK_EQ(fi, idx);
		CHECK(gm_memory_region(S.m, (size_t)idx) == r->r);
		CHECK_EQ(gm_raddr_raw(off), a - r->start);
		CHECK(hp == (uint8_t *)gm_region_host_base(r->r) + (a - r->start));
	}
	int one = i >= 0 && len > 0 && len - 1 <= S.reg[i].len - 1 - (a - S.reg[i].start);
	uint8_t *p = gm_memory_get_host_ptr(S.m, gm_addr(a), len);
	CHECK((p != NULL) == one);
	if (p)
		CHECK(p == hp);
	struct gm_vslice sl;
	int rc = gm_memory_get_slice(S.m, gm_addr(a), len, &sl);
	CHECK_EQ(rc, (one || (i >= 0 && len == 0)) ? 0 : -EFAULT);
	if (rc == 0) {
		CHECK(sl.ptr == hp && sl.len == len);
		CHECK(sl.bm == gm_region_bitmap(S.reg[i].r));
	}
}

static void op_iter(uint64_t a, uint64_t len)
{
	int err;
	uint64_t done = expect(a, len, 0, &err);
	struct gm_iter it;
	struct gm_frag f;
	int rc, nfrag = 0;
	uint64_t pos = 0;
	gm_memory_iter_init(&it, S.m, gm_addr(a), len);
	while ((rc = gm_memory_iter_next(&it, &f)) > 0) {
		CHECK(nfrag++ < MAX_REGIONS + 1);
		CHECK(f.len > 0 && f.pos == pos);
		CHECK(gm_addr_raw(f.addr) == a + pos);
		int i = reg_at(gm_addr_raw(f.addr));
		CHECK(i >= 0 && f.region == S.reg[i].r);
		const struct mreg *r = &S.reg[i];
		CHECK_EQ(gm_raddr_raw(f.raddr), gm_addr_raw(f.addr) - r->start);
		uint64_t room = r->len - gm_raddr_raw(f.raddr);
		/* a fragment ends at the region end or at the end of the access */
		CHECK(f.len == room || f.len == len - pos);
		CHECK(f.len <= room && f.len <= len - pos);
		CHECK(f.slice.ptr == (uint8_t *)gm_region_host_base(r->r) + gm_raddr_raw(f.raddr));
		CHECK(f.slice.len == f.len);
		CHECK(f.perm == (r->ro ? GM_PERM_READ : GM_PERM_RW));
		pos += f.len;
	}
	CHECK_EQ(pos, done);
	CHECK_EQ(it.done, done);
	CHECK_EQ(rc, err);
}

static int order_of(uint8_t b)
{
	static const int o[5] = {GM_RELAXED, GM_ACQUIRE, GM_RELEASE, GM_ACQ_REL, GM_SEQ_CST};
	return o[b % 5];
}

static void op_atomic(struct fin *in, uint64_t a, int store)
{
	static const size_t sizes[6] = {1, 2, 4, 8, 3, 16};
	size_t size = sizes[fin_u8(in) % 6];
	int order = order_of(fin_u8(in));
	uint64_t val = fin_u64(in);
	int exp;
	int i = reg_at(a);
	if (size != 1 && size != 2 && size != 4 && size != 8)
		exp = -EINVAL;
	else if (i < 0 || size - 1 > S.reg[i].len - 1 - (a - S.reg[i].start))
		exp = -EFAULT;
	else if (store && S.reg[i].ro)
		exp = -EACCES;
	else if ((a - S.reg[i].start) % size)
		exp = -EINVAL;
	else if (store ? (order == GM_ACQUIRE || order == GM_ACQ_REL)
		       : (order == GM_RELEASE || order == GM_ACQ_REL))
		exp = -EINVAL;
	else
		exp = 0;
	if (store) {
		int rc = gm_memory_store(S.m, gm_addr(a), size, val, (enum gm_order)order);
		CHECK_EQ(rc, exp);
		if (!rc) {
			uint8_t b[8];
			memcpy(b, &val, 8); /* little-endian host */
			shadow_write(a, b, size);
		}
	} else {
		uint64_t out = 0;
		int rc = gm_memory_load(S.m, gm_addr(a), size, (enum gm_order)order, &out);
		CHECK_EQ(rc, exp);
		if (!rc) {
			uint64_t want = 0;
			memcpy(&want, &S.shadow[a - S.base], size);
			CHECK(out == want);
		}
	}
}

static void op_typed(struct fin *in, uint64_t a, int write)
{
	unsigned size = 1u << (fin_u8(in) % 4);
	uint64_t val = fin_u64(in);
	int err;
	uint64_t done = expect(a, size, write, &err);
	int exp = done == size ? 0 : err;
	int rc;
	if (write) {
		switch (size) {
		case 1: rc = gm_memory_write_u8(S.m, gm_addr(a), (uint8_t)val); break;
		case 2: rc = gm_memory_write_u16(S.m, gm_addr(a), (uint16_t)val); break;
		case 4: rc = gm_memory_write_u32(S.m, gm_addr(a), (uint32_t)val); break;
		default: rc = gm_memory_write_u64(S.m, gm_addr(a), val); break;
		}
		CHECK_EQ(rc, exp);
		uint8_t b[8];
		memcpy(b, &val, 8);
		shadow_write(a, b, done); /* a failed write may leave a prefix */
	} else {
		uint64_t out = 0;
		uint8_t o8 = 0;
		uint16_t o16 = 0;
		uint32_t o32 = 0;
		switch (size) {
		case 1: rc = gm_memory_read_u8(S.m, gm_addr(a), &o8); out = o8; break;
		case 2: rc = gm_memory_read_u16(S.m, gm_addr(a), &o16); out = o16; break;
		case 4: rc = gm_memory_read_u32(S.m, gm_addr(a), &o32); out = o32; break;
		default: rc = gm_memory_read_u64(S.m, gm_addr(a), &out); break;
		}
		CHECK_EQ(rc, exp);
		if (!rc) {
			uint64_t want = 0;
			memcpy(&want, &S.shadow[a - S.base], size);
			CHECK(out == want);
		}
	}
}

static int setup(struct fin *in)
{
	memset(&S, 0, sizeof(S));
	S.n = 1 + fin_u8(in) % MAX_REGIONS;
	uint64_t pos = 0;
	int n = 0;
	for (int i = 0; i < S.n; i++) {
		uint8_t f = fin_u8(in);
		uint64_t gap = (f & 3) == 0 ? 0 : fin_u16(in) % 4096;
		uint64_t len = (f & 4) ? 1 + fin_u8(in) % 16 : 1 + fin_u16(in) % 12288;
		if (pos + gap + len > SPAN_MAX)
			break;
		struct mreg *r = &S.reg[n++];
		r->start = pos + gap; /* relative until base is known */
		r->len = len;
		r->ro = (f & 0x18) == 0x18;
		r->tracked = (f & 0x20) != 0;
		r->psize = 1ull << (6 + fin_u8(in) % 7);
		r->present = !(f & 0x40) || i == 0;
		pos += gap + len;
	}
	S.n = n;
	S.span = pos;
	uint8_t how = fin_u8(in);
	uint64_t base;
	switch (how & 3) {
	case 0: base = 0; break;
	case 1: base = 0 - S.span; break; /* last byte at UINT64_MAX */
	case 2: base = fin_u64(in) & ~0xfffull; break;
	default: base = fin_u64(in); break;
	}
	if (base > 0 - S.span)
		base = 0 - S.span;
	S.base = base;
	struct gm_region *rs[MAX_REGIONS];
	int k = 0;
	for (int i = 0; i < S.n; i++) {
		struct mreg *r = &S.reg[i];
		r->start += base;
		if (!r->present)
			continue;
		if (new_region(r)) {
			for (int j = 0; j < i; j++)
				gm_region_put(S.reg[j].r);
			return -1;
		}
		rs[k++] = r->r;
	}
	int rc;
	if (how & 4) {
		/* one by one, in reverse order */
		rc = gm_memory_new_from_regions(&S.m, NULL, 0);
		for (int j = k - 1; j >= 0 && !rc; j--) {
			struct gm_memory *nm;
			rc = gm_memory_insert_region(S.m, rs[j], &nm);
			if (!rc) {
				gm_memory_put(S.m);
				S.m = nm;
			}
		}
	} else {
		rc = gm_memory_new_from_regions(&S.m, rs, (size_t)k);
	}
	if (rc) {
		CHECK_EQ(rc, -ENOMEM);
		gm_memory_put(S.m);
		for (int i = 0; i < S.n; i++)
			gm_region_put(S.reg[i].r);
		return -1;
	}
	return 0;
}

static void teardown(void)
{
	gm_memory_put(S.m);
	for (int i = 0; i < S.n; i++)
		gm_region_put(S.reg[i].r);
}

static void run(struct fin *in)
{
	if (setup(in))
		return;
	verify(1, 0, 0);
	uint64_t total = 0;
	for (int i = 0; i < S.n; i++)
		total += S.reg[i].present ? S.reg[i].len : 0;
	CHECK_EQ(gm_memory_total_size(S.m), total);
	for (int op = 0; op < MAX_OPS && fin_left(in); op++) {
		uint8_t code = fin_u8(in);
		uint64_t a = pick_addr(in), len = pick_len(in);
		int err;
		switch (code % 14) {
		case 0: { /* partial read */
			uint64_t done = expect(a, len, 0, &err);
			ssize_t rc = gm_memory_read(S.m, buf, len, gm_addr(a));
			CHECK_EQ(rc, done == 0 && err ? err : (ssize_t)done);
			shadow_read_check(a, buf, done);
			break;
		}
		case 1: { /* partial write */
			fill_data(in, len);
			uint64_t done = expect(a, len, 1, &err);
			ssize_t rc = gm_memory_write(S.m, data, len, gm_addr(a));
			CHECK_EQ(rc, done == 0 && err ? err : (ssize_t)done);
			shadow_write(a, data, done);
			break;
		}
		case 2: { /* all-or-error read, with the count done */
			uint64_t done = expect(a, len, 0, &err);
			size_t got = 12345;
			int rc = gm_memory_read_slice_ex(S.m, buf, len, gm_addr(a), &got);
			CHECK_EQ(rc, err);
			CHECK_EQ(got, done);
			shadow_read_check(a, buf, done);
			break;
		}
		case 3: { /* all-or-error write */
			fill_data(in, len);
			uint64_t done = expect(a, len, 1, &err);
			size_t got = 12345;
			int rc = gm_memory_write_slice_ex(S.m, data, len, gm_addr(a), &got);
			CHECK_EQ(rc, err);
			CHECK_EQ(got, done);
			shadow_write(a, data, done);
			break;
		}
		case 4: { /* objects */
			size_t size = 1 + len % 16;
			int w = code & 0x80;
			fill_data(in, size);
			uint64_t done = expect(a, size, w, &err);
			int exp = done == size ? 0 : err;
			if (w) {
				CHECK_EQ(gm_memory_write_obj(S.m, data, size, gm_addr(a)), exp);
				shadow_write(a, data, done);
			} else {
				CHECK_EQ(gm_memory_read_obj(S.m, buf, size, gm_addr(a)), exp);
				if (!exp)
					shadow_read_check(a, buf, size);
			}
			break;
		}
		case 5:
			op_typed(in, a, code & 0x80);
			break;
		case 6:
			op_atomic(in, a, code & 0x80);
			break;
		case 7: { /* fill */
			int c = fin_u8(in);
			uint64_t done = expect(a, len, 1, &err);
			CHECK_EQ(gm_memory_fill(S.m, c, len, gm_addr(a)), err);
			memset(data, c, done);
			shadow_write(a, data, done);
			break;
		}
		case 8:
		case 9:
			op_queries(a, len);
			break;
		case 10:
			op_iter(a, len);
			break;
		case 11:
			if (S.n)
				toggle(fin_u8(in) % S.n);
			break;
		case 12: { /* collect the dirty bits of one region */
			struct mreg *r = &S.reg[fin_u8(in) % S.n];
			struct gm_bitmap *bm = r->present ? gm_region_bitmap(r->r) : NULL;
			if (!bm)
				break;
			uint64_t words[(MAX_PAGES + 63) / 64 + 1];
			memset(words, 0, sizeof(words));
			size_t nw = gm_bitmap_get_and_reset(bm, words, sizeof(words) / 8);
			uint64_t pages = (r->len + r->psize - 1) / r->psize;
			CHECK_EQ(nw, (pages + 63) / 64);
			for (uint64_t p = 0; p < pages; p++) {
				CHECK_EQ((words[p / 64] >> (p % 64)) & 1, r->must[p]);
				r->must[p] = 0;
			}
			CHECK_EQ(gm_bitmap_count(bm), 0);
			break;
		}
		default: { /* region-local access through the region API */
			int i = reg_at(a);
			if (i < 0)
				break;
			struct mreg *r = &S.reg[i];
			uint64_t off = a - r->start;
			uint64_t n = len < r->len - off ? len : r->len - off;
			if (code & 0x80) {
				fill_data(in, len);
				ssize_t rc = gm_region_write(r->r, data, len, gm_raddr(off));
				if (r->ro) {
					CHECK_EQ(rc, -EACCES);
				} else {
					CHECK_EQ(rc, (ssize_t)n);
					shadow_write(a, data, n);
				}
			} else {
				ssize_t rc = gm_region_read(r->r, buf, len, gm_raddr(off));
				CHECK_EQ(rc, (ssize_t)n);
				shadow_read_check(a, buf, n);
			}
			break;
		}
		}
		/* full check after region changes and every 16 ops */
		verify(code % 14 == 11 || op % 16 == 15, a, len);
	}
	verify(1, 0, 0);
	teardown();
}

int LLVMFuzzerTestOneInput(const uint8_t *data_in, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data_in, size_t size)
{
	struct fin in = fin_make(data_in, size);
	run(&in);
	return 0;
}
