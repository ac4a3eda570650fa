/* virtio-blk device model (virtio 1.2, 5.2) over a raw image fd.
 *
 * Data moves with preadv/pwritev straight between the image and guest
 * memory, or (config.map) with memcpy through a MAP_SHARED mapping of the
 * image: no system call per request, about twice the bandwidth for 64 KiB
 * requests on tmpfs (make bench), at the price of a SIGBUS to route when the
 * image shrinks under it (dev_virtio_blk_handle_sigbus).
 *
 * One request queue. Requests: IN, OUT, FLUSH (fdatasync), GET_ID, DISCARD
 * (punch hole), WRITE_ZEROES (zero range / punch hole / plain zeros).
 * Features: SIZE_MAX, SEG_MAX, BLK_SIZE (512), FLUSH, RO when read-only,
 * DISCARD and WRITE_ZEROES when enabled (never together with RO).
 * SEG_MAX/SIZE_MAX are enforced for a driver that accepted them: an IN/OUT
 * request with more than seg_max data segments, or any segment longer than
 * size_max, gets VIRTIO_BLK_S_IOERR (nothing is read or written).
 *
 * Every request's status byte is the last byte of the chain's writable
 * stream and is written after the data. Replies:
 *  - no writable byte at all: the chain is completed with length 0 (nowhere
 *    to put a status);
 *  - header shorter than 16 readable bytes, data not a multiple of 512, a
 *    sector range past the end of the disk or overflowing, a write to a
 *    read-only disk, an IN with readable data or an OUT with writable data
 *    beyond the status byte (wrong direction), a host I/O error: IOERR. A
 *    write is range-checked before anything is written, and retried until
 *    complete, so a short host write never happens silently.
 *  - an unknown type, DISCARD/WRITE_ZEROES when not offered or with
 *    reserved flag bits (or unmap on DISCARD): UNSUPP.
 * The used length is the number of bytes written into the chain (data +
 * status).
 */
#ifndef VMM_DEVICES_VIRTIO_BLK_H
#define VMM_DEVICES_VIRTIO_BLK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/mmio.h"

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_WZ_F_UNMAP 1u

/* Config space offsets */
#define VIRTIO_BLK_CFG_CAPACITY 0
#define VIRTIO_BLK_CFG_SIZE_MAX 8
#define VIRTIO_BLK_CFG_SEG_MAX 12
#define VIRTIO_BLK_CFG_BLK_SIZE 20
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG 40
#define VIRTIO_BLK_CFG_DISCARD_ALIGN 44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS 48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG 52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP 56
#define VIRTIO_BLK_CFG_LEN 60

struct dev_virtio_blk_config {
	int fd;		    /* raw image (regular file or block device), opened
			     * O_RDWR (or O_RDONLY with read_only); the device
			     * owns it on success and closes it when freed */
	bool read_only;	    /* VIRTIO_BLK_F_RO, writes refused */
	bool discard;	    /* offer VIRTIO_BLK_F_DISCARD */
	bool write_zeroes;  /* offer VIRTIO_BLK_F_WRITE_ZEROES */
	const char *serial; /* GET_ID answer, at most 20 bytes used; NULL = "" */
	uint32_t seg_max;   /* 0 = queue_max - 2 */
	uint32_t size_max;  /* 0 = 1 MiB */
	bool map;	    /* move data through a shared mapping of the image
			     * (memcpy, no system call per request) when mmap
			     * works; else, and by default, preadv/pwritev. The
			     * program must route SIGBUS through
			     * dev_virtio_blk_handle_sigbus (see there). */
};

/* Create a block device and its transport. 0, -EINVAL, -ENOMEM, or -errno
 * of fstat/ioctl on the fd. On error the fd stays the caller's. */
int dev_virtio_blk_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc,
		       const struct dev_virtio_blk_config *bc);

/* Disk size in 512-byte sectors (the config's capacity). */
uint64_t dev_virtio_blk_capacity(struct dev_virtio_mmio *dev);

/* Requests that failed on the host (read, write, flush or zeroing returned
 * an error or ended early, e.g. the image shrank under the guest): the guest
 * got IOERR. last_errno: the latest failure's errno (EIO for an early end).
 * Guest mistakes (ranges, shapes) are not counted. Read it from the thread
 * that processes the queue. 0, or -EINVAL (not a block device). */
struct dev_virtio_blk_stats {
	uint64_t host_errors;
	int last_errno;
	bool mapped; /* data moves through the mapping (config.map and mmap worked) */
};
int dev_virtio_blk_stats(struct dev_virtio_mmio *dev, struct dev_virtio_blk_stats *st);

/* For the program's SIGBUS handler (installed with SA_SIGINFO | SA_NODEFER)
 * when a disk is mapped: a copy through a mapping faults when the image
 * shrank under it or the host could not allocate a hole's blocks. If si is
 * such a fault of the calling thread's copy, this does not return: the copy
 * fails and the guest gets IOERR (counted in the stats). Otherwise it
 * returns false and the handler goes on as for any other SIGBUS. */
bool dev_virtio_blk_handle_sigbus(const siginfo_t *si);

#endif
