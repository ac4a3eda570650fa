/* bzImage (Linux x86 boot protocol) setup header parsing.
 * Input is an untrusted in-memory file; nothing is read outside it. */
#ifndef VMM_BOOT_BZIMAGE_H
#define VMM_BOOT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/err.h"

/* Offsets of setup header fields, in the file and in boot_params alike. */
#define BOOT_HDR_START 0x1f1         /* setup_sects: first byte of the header */
#define BOOT_HDR_COPY_END 0x290      /* end of the header area in boot_params */
#define BOOT_HDR_SETUP_SECTS 0x1f1
#define BOOT_HDR_SYSSIZE 0x1f4
#define BOOT_HDR_VID_MODE 0x1fa
#define BOOT_HDR_BOOT_FLAG 0x1fe     /* 0xaa55 */
#define BOOT_HDR_JUMP 0x200
#define BOOT_HDR_MAGIC 0x202         /* "HdrS" */
#define BOOT_HDR_VERSION 0x206
#define BOOT_HDR_TYPE_OF_LOADER 0x210
#define BOOT_HDR_LOADFLAGS 0x211
#define BOOT_HDR_CODE32_START 0x214
#define BOOT_HDR_RAMDISK_IMAGE 0x218
#define BOOT_HDR_RAMDISK_SIZE 0x21c
#define BOOT_HDR_HEAP_END_PTR 0x224
#define BOOT_HDR_CMD_LINE_PTR 0x228
#define BOOT_HDR_INITRD_ADDR_MAX 0x22c
#define BOOT_HDR_KERNEL_ALIGNMENT 0x230
#define BOOT_HDR_RELOCATABLE 0x234
#define BOOT_HDR_XLOADFLAGS 0x236
#define BOOT_HDR_CMDLINE_SIZE 0x238
#define BOOT_HDR_PAYLOAD_OFFSET 0x248
#define BOOT_HDR_PAYLOAD_LENGTH 0x24c
#define BOOT_HDR_SETUP_DATA 0x250
#define BOOT_HDR_PREF_ADDRESS 0x258
#define BOOT_HDR_INIT_SIZE 0x260
#define BOOT_HDR_MIN_FILE 0x264      /* a 2.12 header ends with init_size */

#define BOOT_HDR_MAGIC_VALUE 0x53726448u /* "HdrS" little endian */
#define BOOT_MIN_PROTOCOL 0x020c          /* 2.12 */
#define BOOT_LOADFLAG_LOADED_HIGH 0x01
#define BOOT_LOADFLAG_CAN_USE_HEAP 0x80
#define BOOT_XLF_KERNEL_64 0x01
#define BOOT_XLF_CAN_BE_LOADED_ABOVE_4G 0x02

/* What the header says, after validation. Offsets are into the file. */
struct boot_bzimage {
	uint16_t version;          /* boot protocol, e.g. 0x020f */
	uint8_t setup_sects;       /* as in the header (0 means 4) */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t syssize;          /* protected-mode size in 16-byte units */
	uint32_t kernel_alignment; /* power of two (checked when relocatable) */
	uint64_t pref_address;
	uint32_t init_size;        /* memory the kernel needs from its start */
	uint32_t cmdline_size;     /* max command line length, without NUL */
	uint32_t initrd_addr_max;  /* highest address the initrd may occupy */
	size_t hdr_end;            /* file offset just past the setup header */
	size_t pm_offset;          /* protected-mode part: file offset ... */
	size_t pm_size;            /* ... and size (to the end of the file) */
	uint32_t payload_offset;   /* compressed payload, relative to pm_offset */
	uint32_t payload_length;   /* 0 when the header has none */
};

/* Cheap test: boot flag 0xaa55 and "HdrS" present. */
bool boot_is_bzimage(const uint8_t *img, size_t size);

/* Validate the setup header of img[0..size). 0, or -ENOEXEC (not a bzImage,
 * protocol < 2.12, no 64-bit entry, not loadable high), -EINVAL (truncated
 * or inconsistent fields), with a message in *err. */
int boot_bzimage_parse(const uint8_t *img, size_t size, struct boot_bzimage *out,
		       struct boot_err *err);

#endif
