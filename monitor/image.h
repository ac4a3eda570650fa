/* monitor/image.h — open a disk image for the guest: lock it, refuse the same file
 * twice, refuse a file that is not a raw image (unless ,format=raw).
 * Main thread only (keeps a small table of the images it opened). */
#ifndef VMM_MONITOR_IMAGE_H
#define VMM_MONITOR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "monitor/cli.h"

/* The format a file's first bytes (head, n bytes from offset 0, n may be short),
 * the bytes from 0x8001 (cd, 5 bytes or NULL) and its last 512 bytes (tail or NULL)
 * say it has: "qcow2", "vmdk", "vhd", "vhdx", "ISO 9660", "gzip", "xz", "zstd",
 * "bzip2", "lz4"; NULL when none matches. Pure; never fails. */
const char *vmm_image_probe(const uint8_t *head, size_t n, const uint8_t *cd, const uint8_t *tail);

/* Open disk->path read-write (read-only with disk->read_only), take an
 * open-file-description lock on it (exclusive, shared for read-only), refuse an
 * image already opened by this process (same device and inode) and, unless
 * disk->format_raw, one vmm_image_probe recognises. Prints one error line on failure.
 * Returns the fd (the caller owns it) or -errno. */
int vmm_image_open(const struct vmm_disk *disk);

#endif
