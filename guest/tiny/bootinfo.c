/* tiny: what the loader handed over, read the way Linux reads it:
 * PVH hvm_start_info (rbx at the 32-bit entry) or boot_params (rsi at the 64-bit entry). */
#include "tiny.h"

#define PVH_MAGIC 0x336ec578u

static uint8_t rd8(uint64_t a) { return *(const volatile uint8_t *)(uintptr_t)a; }
static uint32_t rd32(uint64_t a) { return *(const volatile uint32_t *)(uintptr_t)a; }
static uint64_t rd64(uint64_t a) { return *(const volatile uint64_t *)(uintptr_t)a; }

/* Everything the guest reads sits in the identity-mapped low 4 GiB. */
static bool addr_ok(uint64_t a, uint64_t len)
{
	return a != 0 && len <= (1ull << 32) && a <= (1ull << 32) - len;
}

static const char *parse_pvh(struct tiny_boot *b, uint64_t si)
{
	if (!addr_ok(si, 56))
		return "hvm_start_info address out of range";
	if (rd32(si) != PVH_MAGIC)
		return "bad hvm_start_info magic";
	uint32_t version = rd32(si + 4);
	uint32_t nr_modules = rd32(si + 12);
	uint64_t modlist = rd64(si + 16);
	uint64_t cmdline = rd64(si + 24);
	b->rsdp = rd64(si + 32);
	if (cmdline && addr_ok(cmdline, 1))
		b->cmdline = (const char *)(uintptr_t)cmdline;
	if (nr_modules > 0) {
		if (!addr_ok(modlist, 32))
			return "module list address out of range";
		b->initrd_addr = rd64(modlist);
		b->initrd_size = rd64(modlist + 8);
	}
	if (version < 1)
		return "hvm_start_info version 0 has no memory map";
	uint64_t map = rd64(si + 40);
	uint32_t n = rd32(si + 48);
	if (n > TINY_E820_MAX)
		return "too many memory map entries";
	if (n && !addr_ok(map, (uint64_t)n * 24))
		return "memory map address out of range";
	for (uint32_t i = 0; i < n; i++) {
		b->e820[i].addr = rd64(map + 24 * i);
		b->e820[i].size = rd64(map + 24 * i + 8);
		b->e820[i].type = rd32(map + 24 * i + 16);
	}
	b->n_e820 = n;
	return NULL;
}

static const char *parse_linux(struct tiny_boot *b, uint64_t bp)
{
	if (!addr_ok(bp, 4096))
		return "boot_params address out of range";
	if (rd32(bp + 0x202) != 0x53726448) /* "HdrS" */
		return "boot_params without a setup header";
	b->rsdp = rd64(bp + 0x070);
	uint64_t cmdline = rd32(bp + 0x228) | ((uint64_t)rd32(bp + 0x0c8) << 32);
	if (cmdline && addr_ok(cmdline, 1))
		b->cmdline = (const char *)(uintptr_t)cmdline;
	b->initrd_addr = rd32(bp + 0x218) | ((uint64_t)rd32(bp + 0x0c0) << 32);
	b->initrd_size = rd32(bp + 0x21c) | ((uint64_t)rd32(bp + 0x0c4) << 32);
	uint32_t n = rd8(bp + 0x1e8);
	if (n > TINY_E820_MAX)
		return "too many e820 entries";
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = bp + 0x2d0 + 20 * i;
		b->e820[i].addr = rd64(e);
		b->e820[i].size = rd64(e + 8);
		b->e820[i].type = rd32(e + 16);
	}
	b->n_e820 = n;
	return NULL;
}

const char *bootinfo_parse(struct tiny_boot *b, int kind, uint64_t info)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->cmdline = "";
	if (kind == TINY_BOOT_PVH)
		return parse_pvh(b, info);
	if (kind == TINY_BOOT_LINUX)
		return parse_linux(b, info);
	return "unknown entry kind";
}

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - word) > klen && memcmp(word, key, klen) == 0 && word[klen] == '=') {
			size_t n = (size_t)(p - word) - klen - 1;
			if (outlen == 0)
				return true;
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, word + klen + 1, n);
			out[n] = 0;
			return true;
		}
	}
	return false;
}

uint64_t cmdline_num(const char *cmdline, const char *key, uint64_t def)
{
	char v[24];
	if (!cmdline_get(cmdline, key, v, sizeof(v)) || !v[0])
		return def;
	uint64_t n = 0;
	for (const char *p = v; *p; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (*p < '0' || *p > '9' || n > (UINT64_MAX - d) / 10)
			return def;
		n = n * 10 + d;
	}
	return n;
}
