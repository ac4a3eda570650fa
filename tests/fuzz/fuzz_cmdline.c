/* libFuzzer target: boot/'s command-line handling and its small helpers.
 *   mode 0: boot_cmdline_write with a fuzzed string and limit: accepted iff
 *           its length is within min(limit, 64 KiB - 1); then exactly the
 *           string and its NUL are at 0x20000 and nothing else was written;
 *           refused means nothing was written.
 *   mode 1: boot_cmdline_append_virtio on a fuzzed buffer: on success the
 *           old text is kept and every device parses back from its
 *           "virtio_mmio.device=<size>[K]@0x<addr>:<gsi>" token; on -E2BIG
 *           the buffer is unchanged and a larger buffer really is needed.
 *   mode 2: boot_e820_add / boot_initrd_place on a fuzzed map: the map stays
 *           sorted, merged and within bounds; a placed initrd is page
 *           aligned, inside one RAM entry, below the limit and 3 GiB, at or
 *           above 1 MiB and clear of the kernel. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot.h"
#include "boot/layout.h"
#include "tests/fuzz/guest.h"
#include "tests/fuzz/input.h"

static void mode_write(struct fin *in)
{
	size_t max = fin_u8(in) & 0x80 ? (size_t)fin_u64(in) : fin_u16(in) % 4096;
	size_t n = fin_left(in);
	char *s = malloc(n + 1);
	CHECK(s);
	fin_bytes(in, s, n);
	s[n] = '\0';
	struct boot_err err;
	memset(&err, 0, sizeof(err));
	int rc = boot_cmdline_write(fz_guest(), (fin_left(in) == 0 && n == 0) ? NULL : s, max,
				    &err);
	size_t eff = max < BOOT_CMDLINE_AREA - 1 ? max : BOOT_CMDLINE_AREA - 1;
	size_t len = strlen(s);
	if (len > eff) {
		CHECK_EQ(rc, -E2BIG);
		CHECK_EQ(err.code, -E2BIG);
		fz_guest_only_in(NULL, 0);
	} else {
		CHECK_EQ(rc, 0);
		fz_guest_equals(BOOT_CMDLINE_ADDR, (const uint8_t *)s, len + 1);
		struct fz_span sp = {BOOT_CMDLINE_ADDR, len};
		fz_guest_only_in(&sp, 1);
	}
	free(s);
	fz_guest_wipe();
}

/* Parse one "virtio_mmio.device=..." token at *p; advance past it. */
static void parse_token(const char **p, const struct boot_virtio_mmio *v)
{
	const char *q = *p;
	static const char key[] = "virtio_mmio.device=";
	CHECK(strncmp(q, key, sizeof(key) - 1) == 0);
	q += sizeof(key) - 1;
	char *end;
	uint64_t size = strtoull(q, &end, 10);
	CHECK(end != q);
	if (*end == 'K') {
		CHECK(size <= UINT64_MAX / 1024);
		size *= 1024;
		end++;
	}
	CHECK(size == v->size);
	CHECK(end[0] == '@' && end[1] == '0' && end[2] == 'x');
	q = end + 3;
	uint64_t addr = strtoull(q, &end, 16);
	CHECK(end != q && addr == v->addr);
	CHECK(*end == ':');
	q = end + 1;
	unsigned long long gsi = strtoull(q, &end, 10);
	CHECK(end != q && gsi == v->gsi);
	*p = end;
}

static void mode_append(struct fin *in)
{
	size_t cap = 1 + fin_u16(in) % 700;
	size_t n = fin_u8(in) % 9;
	struct boot_virtio_mmio v[8];
	for (size_t i = 0; i < n; i++) {
		uint8_t how = fin_u8(in);
		v[i].addr = how & 1 ? fin_u64(in) : 0xd0000000ull + ((uint64_t)fin_u8(in) << 12);
		v[i].size = how & 2 ? fin_u64(in) : (uint64_t)fin_u8(in) << (how & 4 ? 10 : 0);
		v[i].gsi = how & 8 ? fin_u32(in) : fin_u8(in);
	}
	char *buf = malloc(cap), *orig = malloc(cap);
	CHECK(buf && orig);
	fin_bytes(in, buf, cap);
	/* mostly a proper string; sometimes no NUL at all */
	uint8_t t = fin_u8(in);
	if (t != 0xff)
		buf[t % cap] = '\0';
	memcpy(orig, buf, cap);
	size_t olen = strnlen(orig, cap);
	int rc = boot_cmdline_append_virtio(buf, cap, v, n);
	if (olen == cap) {
		CHECK_EQ(rc, -E2BIG);
		CHECK(memcmp(buf, orig, cap) == 0);
	} else if (rc == 0) {
		size_t len = strnlen(buf, cap);
		CHECK(len < cap);
		CHECK(memcmp(buf, orig, olen) == 0);
		const char *p = buf + olen;
		for (size_t i = 0; i < n; i++) {
			if (i > 0 || olen > 0)
				CHECK(*p++ == ' ');
			parse_token(&p, &v[i]);
		}
		CHECK(*p == '\0');
	} else {
		CHECK_EQ(rc, -E2BIG);
		CHECK(strcmp(buf, orig) == 0); /* the old string, NUL where it was */
		size_t bcap = cap + 9 * 80;
		char *big = malloc(bcap);
		CHECK(big);
		memcpy(big, orig, olen + 1);
		CHECK_EQ(boot_cmdline_append_virtio(big, bcap, v, n), 0);
		CHECK(strlen(big) + 1 > cap);
		free(big);
	}
	free(buf);
	free(orig);
}

static void mode_e820(struct fin *in)
{
	static struct boot_e820 t;
	memset(&t, 0, sizeof(t));
	size_t n = fin_u8(in) % 12;
	uint64_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t how = fin_u8(in);
		uint64_t addr = how & 1 ? fin_u64(in) : pos + ((uint64_t)fin_u16(in) << 12);
		uint64_t size = how & 2 ? fin_u64(in) : (uint64_t)fin_u16(in) << 12;
		uint32_t type = how & 4 ? BOOT_E820_RESERVED : BOOT_E820_RAM;
		size_t before = t.n;
		struct boot_e820_entry last = before ? t.e[before - 1] : (struct boot_e820_entry){0};
		int rc = boot_e820_add(&t, addr, size, type);
		uint64_t end;
		int bad = size == 0 || __builtin_add_overflow(addr, size, &end) ||
			  (before && addr < last.addr + last.size);
		if (bad) {
			CHECK_EQ(rc, -EINVAL);
			CHECK_EQ(t.n, before);
			continue;
		}
		CHECK_EQ(rc, 0);
		pos = addr + size;
		if (before && last.type == type && last.addr + last.size == addr) {
			CHECK_EQ(t.n, before); /* merged */
			CHECK(t.e[before - 1].size == last.size + size);
		} else {
			CHECK_EQ(t.n, before + 1);
			CHECK(t.e[before].addr == addr && t.e[before].size == size);
		}
	}
	for (size_t i = 1; i < t.n; i++)
		CHECK(t.e[i].addr >= t.e[i - 1].addr + t.e[i - 1].size);

	uint64_t size = fin_u8(in) & 1 ? fin_u64(in) : (uint64_t)fin_u16(in) << 8;
	uint64_t limit = fin_u8(in) & 1 ? fin_u64(in) : (uint64_t)fin_u16(in) << 16;
	uint64_t ks = (uint64_t)fin_u16(in) << 12, ke = ks + ((uint64_t)fin_u16(in) << 12);
	uint64_t addr = 0;
	int rc = boot_initrd_place(&t, size, limit, ks, ke, &addr, NULL);
	CHECK(rc == 0 || rc == -ENOSPC);
	if (rc == 0) {
		uint64_t lim = limit < BOOT_MMIO_HOLE_START ? limit : BOOT_MMIO_HOLE_START;
		CHECK((addr & 0xfff) == 0 && addr >= BOOT_HIGH_MEM);
		CHECK(size > 0 && addr + size >= addr && addr + size <= lim);
		CHECK(boot_e820_is_ram(&t, addr, size));
		CHECK(addr >= ke || addr + size <= ks);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = fin_make(data, size);
	switch (fin_u8(&in) % 3) {
	case 0:
		mode_write(&in);
		break;
	case 1:
		mode_append(&in);
		break;
	default:
		mode_e820(&in);
		break;
	}
	return 0;
}
