/* x86_64 ELF vmlinux parsing and loading, with the PVH entry note
 * (XEN_ELFNOTE_PHYS32_ENTRY, type 18, name "Xen"). Input is untrusted. */
#ifndef VMM_BOOT_ELF_H
#define VMM_BOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/err.h"

struct gm_memory;

#define BOOT_ELF_MAX_PHDRS 128
#define BOOT_XEN_ELFNOTE_PHYS32_ENTRY 18

struct boot_elf {
	uint64_t entry;      /* e_entry as written (physical for vmlinux) */
	uint64_t entry_paddr; /* e_entry as a physical address: itself when it
			       * lies in a segment's physical range, else
			       * translated through the segment whose virtual
			       * range holds it; UINT64_MAX if neither */
	bool has_pvh;        /* the PVH note was found */
	uint32_t pvh_entry;  /* its 32-bit physical entry point */
	uint64_t load_start; /* lowest p_paddr of the PT_LOAD segments */
	uint64_t load_end;   /* highest p_paddr + p_memsz */
	size_t nload;        /* number of PT_LOAD segments (>= 1) */
};

/* Magic, class, endianness and machine match an x86_64 ELF. */
bool boot_is_elf64(const uint8_t *img, size_t size);

/* Validate the ELF header, program headers, PT_LOAD segments (inside the
 * file, filesz <= memsz, no address overflow, no two overlapping) and find
 * the PVH note. 0, -ENOEXEC (not an x86_64 executable), -EINVAL (corrupt). */
int boot_elf_parse(const uint8_t *img, size_t size, struct boot_elf *out,
		   struct boot_err *err);

/* Scan a note area for the PVH entry note. 1 found (*entry set), 0 not
 * found, -EINVAL malformed note. */
int boot_elf_find_pvh_note(const uint8_t *notes, size_t len, uint32_t *entry);

/* Validate img (as boot_elf_parse, filling *out when out != NULL), then
 * copy every PT_LOAD segment to its physical address (zero-filling up to
 * memsz) after checking each lies in guest RAM at or above 1 MiB and
 * outside the MMIO hole. 0, the boot_elf_parse errors, -ENOSPC (a segment
 * outside guest RAM), -EFAULT. */
int boot_elf_load(const struct gm_memory *m, const uint8_t *img, size_t size,
		  struct boot_elf *out, struct boot_err *err);

#endif
