/* Test helpers for boot/: build small ELF vmlinux files, bzImages and
 * compressed payloads in memory, the way the kernel's build lays them out. */
#ifndef VMM_TESTS_BOOT_IMAGES_H
#define VMM_TESTS_BOOT_IMAGES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/decompress.h"

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZMA
#include <lzma.h>
#endif
#ifdef HAVE_LZ4
#include <lz4.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef HAVE_BZIP2
#include <bzlib.h>
#endif

static inline void ti_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void ti_put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static inline void ti_put64(uint8_t *p, uint64_t v) { ti_put32(p, (uint32_t)v); ti_put32(p + 4, (uint32_t)(v >> 32)); }
static inline uint32_t ti_get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t ti_get64(const uint8_t *p) { return ti_get32(p) | (uint64_t)ti_get32(p + 4) << 32; }
static inline uint16_t ti_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

struct ti_elf_opts {
	uint64_t paddr;     /* PT_LOAD physical address */
	uint64_t entry;     /* e_entry */
	size_t filesz;      /* code bytes in the file */
	size_t memsz;       /* >= filesz */
	int pvh;            /* add the Xen PHYS32_ENTRY note */
	uint64_t pvh_entry;
	uint32_t pvh_descsz; /* 4 or 8 */
};

/* ELF: header, 2 phdrs (PT_LOAD, PT_NOTE), note, segment data at 0x1000.
 * Segment bytes are i*7+1. Caller frees. */
static inline uint8_t *ti_make_elf(const struct ti_elf_opts *o, size_t *len)
{
	size_t data_off = 0x1000;
	size_t size = data_off + o->filesz;
	uint8_t *b = calloc(1, size);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = 2; b[5] = 1; b[6] = 1;
	ti_put16(b + 16, 2);      /* ET_EXEC */
	ti_put16(b + 18, 62);     /* x86_64 */
	ti_put32(b + 20, 1);
	ti_put64(b + 24, o->entry);
	ti_put64(b + 32, 64);     /* phoff */
	ti_put16(b + 52, 64);
	ti_put16(b + 54, 56);
	ti_put16(b + 56, o->pvh ? 2 : 1);
	uint8_t *ph = b + 64;
	ti_put32(ph, 1);          /* PT_LOAD */
	ti_put32(ph + 4, 7);
	ti_put64(ph + 8, data_off);
	ti_put64(ph + 16, 0xffffffff80000000ULL + o->paddr);
	ti_put64(ph + 24, o->paddr);
	ti_put64(ph + 32, o->filesz);
	ti_put64(ph + 40, o->memsz);
	ti_put64(ph + 48, 0x200000);
	if (o->pvh) {
		size_t note_off = 0x200;
		uint32_t dsz = o->pvh_descsz ? o->pvh_descsz : 8;
		uint8_t *n = b + note_off;
		/* an unrelated note first, then the PVH one */
		ti_put32(n, 4); ti_put32(n + 4, 4); ti_put32(n + 8, 6);
		memcpy(n + 12, "Xen", 4); ti_put32(n + 16, 0x1234);
		n += 20;
		ti_put32(n, 4); ti_put32(n + 4, dsz); ti_put32(n + 8, 18);
		memcpy(n + 12, "Xen", 4);
		if (dsz == 8)
			ti_put64(n + 16, o->pvh_entry);
		else
			ti_put32(n + 16, (uint32_t)o->pvh_entry);
		ph += 56;
		ti_put32(ph, 4);  /* PT_NOTE */
		ti_put64(ph + 8, note_off);
		ti_put64(ph + 32, 20 + 16 + ((dsz + 3) & ~3u));
	}
	for (size_t i = 0; i < o->filesz; i++)
		b[data_off + i] = (uint8_t)(i * 7 + 1);
	*len = size;
	return b;
}

struct ti_bz_opts {
	uint16_t version;
	uint8_t setup_sects;
	uint16_t xloadflags;
	uint8_t loadflags;
	uint8_t relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t cmdline_size;
	uint32_t initrd_addr_max;
	size_t stub;          /* bytes of "decompressor" before the payload */
};

static inline struct ti_bz_opts ti_bz_defaults(void)
{
	struct ti_bz_opts o = { .version = 0x020f, .setup_sects = 4, .xloadflags = 0x3,
				.loadflags = 0x1, .relocatable = 1, .kernel_alignment = 0x200000,
				.pref_address = 0x1000000, .init_size = 0x400000,
				.cmdline_size = 2047, .initrd_addr_max = 0x7fffffff, .stub = 0x400 };
	return o;
}

/* bzImage: setup sectors with the header, then the protected-mode part:
 * stub bytes (0xf4 = hlt) followed by payload. Caller frees. */
static inline uint8_t *ti_make_bzimage(const struct ti_bz_opts *o, const uint8_t *payload,
				       size_t plen, size_t *len)
{
	size_t sects = o->setup_sects ? o->setup_sects : 4;
	size_t pm_off = (sects + 1) * 512;
	size_t pm = o->stub + plen;
	size_t size = pm_off + pm;
	uint8_t *b = calloc(1, size);
	b[0x1f1] = o->setup_sects;
	ti_put32(b + 0x1f4, (uint32_t)((pm + 15) / 16));
	ti_put16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	ti_put16(b + 0x206, o->version);
	b[0x211] = o->loadflags;
	ti_put32(b + 0x22c, o->initrd_addr_max);
	ti_put32(b + 0x230, o->kernel_alignment);
	b[0x234] = o->relocatable;
	ti_put16(b + 0x236, o->xloadflags);
	ti_put32(b + 0x238, o->cmdline_size);
	ti_put32(b + 0x248, payload ? (uint32_t)o->stub : 0);
	ti_put32(b + 0x24c, (uint32_t)plen);
	ti_put64(b + 0x258, o->pref_address);
	ti_put32(b + 0x260, o->init_size);
	memset(b + pm_off, 0xf4, o->stub);
	if (plen)
		memcpy(b + pm_off + o->stub, payload, plen);
	*len = size;
	return b;
}

/* Compress in[0..n) with format c the way the kernel build does (size
 * trailer appended except for gzip). NULL if c is not built in.
 * Caller frees. */
static inline uint8_t *ti_compress(enum boot_compression c, const uint8_t *in, size_t n,
				   size_t *out_len)
{
	size_t cap = n + n / 2 + 4096;
	*out_len = 0;
	uint8_t *out = malloc(cap + 4);
	size_t len = 0;
	switch (c) {
#ifdef HAVE_ZLIB
	case BOOT_COMP_GZIP: {
		z_stream z;
		memset(&z, 0, sizeof(z));
		deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
		z.next_in = (Bytef *)in;
		z.avail_in = (uInt)n;
		z.next_out = out;
		z.avail_out = (uInt)cap;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			abort();
		len = z.total_out;
		deflateEnd(&z);
		*out_len = len; /* gzip carries ISIZE itself */
		return out;
	}
#endif
#ifdef HAVE_BZIP2
	case BOOT_COMP_BZIP2: {
		unsigned l = (unsigned)cap;
		if (BZ2_bzBuffToBuffCompress((char *)out, &l, (char *)in, (unsigned)n, 9, 0, 0) != BZ_OK)
			abort();
		len = l;
		break;
	}
#endif
#ifdef HAVE_LZMA
	case BOOT_COMP_XZ: {
		lzma_filter f[3];
		lzma_options_lzma opt;
		lzma_lzma_preset(&opt, 6);
		f[0].id = LZMA_FILTER_X86; f[0].options = NULL;
		f[1].id = LZMA_FILTER_LZMA2; f[1].options = &opt;
		f[2].id = LZMA_VLI_UNKNOWN;
		if (lzma_stream_buffer_encode(f, LZMA_CHECK_CRC32, NULL, in, n, out, &len, cap) != LZMA_OK)
			abort();
		break;
	}
	case BOOT_COMP_LZMA: {
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_options_lzma opt;
		lzma_lzma_preset(&opt, 6);
		if (lzma_alone_encoder(&s, &opt) != LZMA_OK)
			abort();
		s.next_in = in; s.avail_in = n; s.next_out = out; s.avail_out = cap;
		while (lzma_code(&s, LZMA_FINISH) == LZMA_OK)
			;
		len = s.total_out;
		lzma_end(&s);
		break;
	}
#endif
#ifdef HAVE_LZ4
	case BOOT_COMP_LZ4: {
		ti_put32(out, 0x184c2102u);
		len = 4;
		const size_t blk = 8u << 20;
		for (size_t off = 0; off < n; off += blk) {
			size_t chunk = n - off < blk ? n - off : blk;
			int w = LZ4_compress_default((const char *)in + off, (char *)out + len + 4,
						     (int)chunk, (int)(cap - len - 4));
			if (w <= 0)
				abort();
			ti_put32(out + len, (uint32_t)w);
			len += 4 + (size_t)w;
		}
		break;
	}
#endif
#ifdef HAVE_ZSTD
	case BOOT_COMP_ZSTD: {
		len = ZSTD_compress(out, cap, in, n, 19);
		if (ZSTD_isError(len))
			abort();
		break;
	}
#endif
	default:
		free(out);
		return NULL;
	}
	ti_put32(out + len, (uint32_t)n);
	*out_len = len + 4;
	return out;
}


#endif
