/* ELF64 parsing (own definitions of the few fields needed; no <elf.h>
 * struct layout is trusted for unaligned input) and PT_LOAD loading. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/elf.h"
#include "boot/layout.h"
#include <vmm-mem/endian.h>

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PT_LOAD 1
#define PT_NOTE 4
#define EM_X86_64 62
#define ET_EXEC 2
#define ET_DYN 3

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void phdr_get(const uint8_t *p, struct phdr *ph)
{
	ph->type = gm_get_le32(p);
	ph->offset = gm_get_le64(p + 8);
	ph->vaddr = gm_get_le64(p + 16);
	ph->paddr = gm_get_le64(p + 24);
	ph->filesz = gm_get_le64(p + 32);
	ph->memsz = gm_get_le64(p + 40);
}

bool boot_is_elf64(const uint8_t *img, size_t size)
{
	return img && size >= EHDR_SIZE && memcmp(img, "\x7f" "ELF", 4) == 0 &&
	       img[4] == 2 /* ELFCLASS64 */ && img[5] == 1 /* LSB */ &&
	       gm_get_le16(img + 18) == EM_X86_64;
}

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

int boot_elf_find_pvh_note(const uint8_t *notes, size_t len, uint32_t *entry)
{
	size_t off = 0;
	while (len - off >= 12) {
		uint32_t namesz = gm_get_le32(notes + off);
		uint32_t descsz = gm_get_le32(notes + off + 4);
		uint32_t type = gm_get_le32(notes + off + 8);
		off += 12;
		if (namesz > len - off || align4(namesz) > len - off)
			return -EINVAL;
		const uint8_t *name = notes + off;
		off += align4(namesz);
		if (descsz > len - off)
			return -EINVAL;
		const uint8_t *desc = notes + off;
		off += descsz;
		size_t pad = align4(descsz) - descsz;
		off = pad > len - off ? len : off + pad;
		if (type == BOOT_XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    memcmp(name, "Xen", 4) == 0) {
			uint64_t v;
			if (descsz == 4)
				v = gm_get_le32(desc);
			else if (descsz == 8)
				v = gm_get_le64(desc);
			else
				return -EINVAL;
			if (v > UINT32_MAX)
				return -EINVAL;
			*entry = (uint32_t)v;
			return 1;
		}
	}
	return 0;
}

int boot_elf_parse(const uint8_t *img, size_t size, struct boot_elf *out,
		   struct boot_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!img || size < 4 || memcmp(img, "\x7f" "ELF", 4) != 0)
		return boot_errf(err, -ENOEXEC, "not an ELF file");
	if (size < EHDR_SIZE)
		return boot_errf(err, -EINVAL, "ELF truncated inside its header (%zu bytes)", size);
	if (!boot_is_elf64(img, size))
		return boot_errf(err, -ENOEXEC, "ELF is not a little-endian 64-bit x86_64 file");
	uint16_t type = gm_get_le16(img + 16);
	if (type != ET_EXEC && type != ET_DYN)
		return boot_errf(err, -ENOEXEC, "ELF is not an executable (e_type %u)", type);
	out->entry = gm_get_le64(img + 24);
	uint64_t phoff = gm_get_le64(img + 32);
	uint16_t phentsize = gm_get_le16(img + 54);
	uint16_t phnum = gm_get_le16(img + 56);
	if (phnum == 0 || phnum > BOOT_ELF_MAX_PHDRS)
		return boot_errf(err, -EINVAL, "ELF has %u program headers (1..%d allowed)", phnum,
				 BOOT_ELF_MAX_PHDRS);
	if (phentsize != PHDR_SIZE)
		return boot_errf(err, -EINVAL, "ELF program header size %u, expected %d", phentsize,
				 PHDR_SIZE);
	if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff)
		return boot_errf(err, -EINVAL, "ELF program headers lie outside the file");

	out->load_start = UINT64_MAX;
	for (uint16_t i = 0; i < phnum; i++) {
		struct phdr ph;
		phdr_get(img + phoff + (size_t)i * PHDR_SIZE, &ph);
		if (ph.type != PT_LOAD && ph.type != PT_NOTE)
			continue;
		if (ph.offset > size || ph.filesz > size - ph.offset)
			return boot_errf(err, -EINVAL,
					 "ELF segment %u [file 0x%llx, +0x%llx) lies outside the %zu-byte file",
					 i, (unsigned long long)ph.offset,
					 (unsigned long long)ph.filesz, size);
		if (ph.type == PT_NOTE) {
			uint32_t e;
			int r = boot_elf_find_pvh_note(img + ph.offset, ph.filesz, &e);
			if (r < 0)
				return boot_errf(err, -EINVAL, "ELF note segment %u is malformed", i);
			if (r == 1 && !out->has_pvh) {
				out->has_pvh = true;
				out->pvh_entry = e;
			}
			continue;
		}
		uint64_t end;
		if (ph.filesz > ph.memsz)
			return boot_errf(err, -EINVAL, "ELF segment %u: filesz 0x%llx > memsz 0x%llx", i,
					 (unsigned long long)ph.filesz, (unsigned long long)ph.memsz);
		if (ph.memsz == 0)
			continue; /* loads nothing (boot_elf_load skips it): not part of the kernel range */
		if (__builtin_add_overflow(ph.paddr, ph.memsz, &end))
			return boot_errf(err, -EINVAL, "ELF segment %u: address 0x%llx + 0x%llx overflows", i,
					 (unsigned long long)ph.paddr, (unsigned long long)ph.memsz);
		/* no two PT_LOAD segments may overlap in guest memory */
		for (uint16_t j = 0; j < i; j++) {
			struct phdr q;
			phdr_get(img + phoff + (size_t)j * PHDR_SIZE, &q);
			if (q.type != PT_LOAD || q.memsz == 0 || ph.memsz == 0)
				continue;
			if (ph.paddr < q.paddr + q.memsz && q.paddr < end)
				return boot_errf(err, -EINVAL, "ELF segments %u and %u overlap", j, i);
		}
		if (ph.paddr < out->load_start)
			out->load_start = ph.paddr;
		if (end > out->load_end)
			out->load_end = end;
		out->nload++;
	}
	if (out->nload == 0)
		return boot_errf(err, -EINVAL, "ELF has no loadable segment");
	/* entry point as a physical address (vmlinux: already physical) */
	out->entry_paddr = UINT64_MAX;
	for (int pass = 0; pass < 2 && out->entry_paddr == UINT64_MAX; pass++) {
		for (uint16_t i = 0; i < phnum; i++) {
			struct phdr ph;
			phdr_get(img + phoff + (size_t)i * PHDR_SIZE, &ph);
			if (ph.type != PT_LOAD)
				continue;
			uint64_t base = pass == 0 ? ph.paddr : ph.vaddr;
			if (out->entry >= base && out->entry - base < ph.memsz) {
				out->entry_paddr = ph.paddr + (out->entry - base);
				break;
			}
		}
	}
	return 0;
}

static int zero_fill(const struct gm_memory *m, uint64_t addr, uint64_t len)
{
	static const uint8_t zeros[4096];
	void *p = gm_memory_get_host_ptr(m, gm_addr(addr), len);
	if (p) {
		memset(p, 0, len);
		return 0;
	}
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		int r = gm_memory_write_slice(m, zeros, n, gm_addr(addr));
		if (r)
			return r;
		addr += n;
		len -= n;
	}
	return 0;
}

int boot_elf_load(const struct gm_memory *m, const uint8_t *img, size_t size,
		  struct boot_elf *out, struct boot_err *err)
{
	struct boot_elf info;
	int rc = boot_elf_parse(img, size, &info, err);
	if (rc)
		return rc;
	if (out)
		*out = info;
	uint64_t phoff = gm_get_le64(img + 32);
	uint16_t phnum = gm_get_le16(img + 56);
	for (uint16_t i = 0; i < phnum; i++) {
		struct phdr ph;
		phdr_get(img + phoff + (size_t)i * PHDR_SIZE, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (ph.paddr < BOOT_HIGH_MEM)
			return boot_errf(err, -ENOSPC,
					 "ELF segment %u at 0x%llx is below 1 MiB (reserved for boot tables)",
					 i, (unsigned long long)ph.paddr);
		if (ph.paddr + ph.memsz > BOOT_MMIO_HOLE_START && ph.paddr < BOOT_MMIO_HOLE_END)
			return boot_errf(err, -ENOSPC, "ELF segment %u [0x%llx, +0x%llx) overlaps the MMIO hole",
					 i, (unsigned long long)ph.paddr, (unsigned long long)ph.memsz);
		if (!gm_memory_check_range(m, gm_addr(ph.paddr), ph.memsz))
			return boot_errf(err, -ENOSPC,
					 "ELF segment %u [0x%llx, +0x%llx) does not fit in guest memory",
					 i, (unsigned long long)ph.paddr, (unsigned long long)ph.memsz);
		int r = gm_memory_write_slice(m, img + ph.offset, ph.filesz, gm_addr(ph.paddr));
		if (!r)
			r = zero_fill(m, ph.paddr + ph.filesz, ph.memsz - ph.filesz);
		if (r)
			return boot_errf(err, r, "writing ELF segment %u to guest memory failed", i);
	}
	return 0;
}
