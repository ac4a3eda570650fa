/* virtio-blk: request parsing and raw-image I/O straight into guest memory
 * (preadv/pwritev, or memcpy through a shared mapping of the image). */
#define _GNU_SOURCE
#include "devices/virtio/blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <vmm-mem/endian.h>

#define BLK_NIOV 64
#define BLK_HDR 16u
#define BLK_MAX_DISCARD_SEG 32u
#define BLK_MAX_RANGE_SECTORS 0x400000u /* 2 GiB per discard/write-zeroes range */

struct blk {
	struct dev_virtio_mmio *dev;
	int fd;
	bool ro, discard, wz;
	uint64_t sectors;
	uint32_t seg_max, size_max; /* advertised in config space, enforced when negotiated */
	uint8_t cfg[VIRTIO_BLK_CFG_LEN];
	char id[VIRTIO_BLK_ID_BYTES];
	struct dev_virtq_chain chain;
	struct iovec iov[BLK_NIOV];
	struct dev_virtio_blk_stats stats;
	uint8_t *map; /* config.map: the image, shared; NULL: preadv/pwritev */
	size_t map_len;
};

/* A host-side failure (r: negative errno): counted for the VMM's log. */
static void host_error(struct blk *b, int r)
{
	b->stats.host_errors++;
	b->stats.last_errno = r < 0 ? -r : EIO;
}

static void blk_config_read(void *priv, uint32_t off, uint8_t *data, uint32_t len)
{
	struct blk *b = priv;
	memcpy(data, b->cfg + off, len);
}

/* Byte offset and length of a sector range, checked against the disk. */
static bool range_ok(const struct blk *b, uint64_t sector, uint64_t bytes, uint64_t *pos)
{
	uint64_t end, disk = b->sectors * VIRTIO_BLK_SECTOR;
	*pos = 0;
	if (sector > UINT64_MAX / VIRTIO_BLK_SECTOR)
		return false;
	*pos = sector * VIRTIO_BLK_SECTOR;
	return !__builtin_add_overflow(*pos, bytes, &end) && end <= disk;
}

/* ---- data through the mapping: a fault there (SIGBUS) fails the copy ---- */

static __thread struct {
	sigjmp_buf jb;
	const uint8_t *lo, *hi;
	volatile sig_atomic_t active;
} guard;

bool dev_virtio_blk_handle_sigbus(const siginfo_t *si)
{
	const uint8_t *a = si->si_addr;
	if (!guard.active || a < guard.lo || a >= guard.hi)
		return false;
	guard.active = 0;
	siglongjmp(guard.jb, 1);
}

static void copy_iovs(uint8_t *f, const struct iovec *iov, int n, bool to_file)
{
	for (int i = 0; i < n; i++) {
		if (to_file)
			memcpy(f, iov[i].iov_base, iov[i].iov_len);
		else
			memcpy(iov[i].iov_base, f, iov[i].iov_len);
		f += iov[i].iov_len;
	}
}

/* Copy n iovecs between guest memory and the mapping at pos (nothing this
 * function changes after sigsetjmp lives in a register). */
static int map_copy(struct blk *b, const struct iovec *iov, int n, bool to_file, uint64_t pos)
{
	guard.lo = b->map;
	guard.hi = b->map + b->map_len;
	if (sigsetjmp(guard.jb, 0)) /* SA_NODEFER: no signal mask to restore */
		return -EIO;
	guard.active = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	copy_iovs(b->map + pos, iov, n, to_file);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	guard.active = 0;
	return 0;
}

/* Data stream [soff, soff+len) <-> file at pos. write: guest -> file. The
 * range is inside the disk (range_ok), so inside the mapping when there is one. */
static int do_io(struct blk *b, struct dev_virtq *vq, bool to_file, uint64_t soff, uint64_t len,
		 uint64_t pos)
{
	uint64_t done = 0;
	while (done < len) {
		uint64_t cov;
		int n = dev_virtq_chain_iov(vq, &b->chain, !to_file, soff + done, len - done,
					    b->iov, BLK_NIOV, &cov);
		if (n <= 0)
			return -EFAULT;
		ssize_t r;
		if (b->map) {
			if (map_copy(b, b->iov, n, to_file, pos + done) < 0)
				return -EIO;
			r = (ssize_t)cov;
		} else {
			do {
				r = to_file ? pwritev(b->fd, b->iov, n, (off_t)(pos + done))
					    : preadv(b->fd, b->iov, n, (off_t)(pos + done));
			} while (r < 0 && errno == EINTR);
			if (r <= 0)
				return r < 0 ? -errno : -EIO; /* error, or EOF / no progress */
		}
		if (!to_file)
			dev_virtq_chain_mark_written(vq, &b->chain, soff + done, (uint64_t)r);
		done += (uint64_t)r;
	}
	return 0;
}

static int zero_range(struct blk *b, uint64_t pos, uint64_t len, bool unmap)
{
	if (unmap && fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)pos,
			       (off_t)len) == 0)
		return 0;
	if (fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)pos, (off_t)len) ==
	    0)
		return 0;
	static const uint8_t zeros[65536];
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		ssize_t r = pwrite(b->fd, zeros, n, (off_t)pos);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EIO;
		pos += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

static uint8_t do_ranges(struct blk *b, struct dev_virtq *vq, uint32_t type)
{
	const struct dev_virtq_chain *c = &b->chain;
	bool wz = type == VIRTIO_BLK_T_WRITE_ZEROES;
	if (wz ? !b->wz : !b->discard)
		return VIRTIO_BLK_S_UNSUPP;
	if (b->ro)
		return VIRTIO_BLK_S_IOERR;
	uint64_t bytes = c->read_len - BLK_HDR;
	if (bytes == 0 || bytes % 16 || bytes / 16 > BLK_MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_IOERR;
	uint8_t seg[BLK_MAX_DISCARD_SEG][16];
	uint32_t n = (uint32_t)(bytes / 16);
	if (dev_virtq_chain_read(vq, c, BLK_HDR, seg, bytes) < 0)
		return VIRTIO_BLK_S_IOERR;
	/* Check every range before touching the disk. */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pos;
		uint32_t num = gm_get_le32(seg[i] + 8), flags = gm_get_le32(seg[i] + 12);
		if ((flags & ~VIRTIO_BLK_WZ_F_UNMAP) || (!wz && flags))
			return VIRTIO_BLK_S_UNSUPP;
		if (num > BLK_MAX_RANGE_SECTORS ||
		    !range_ok(b, gm_get_le64(seg[i]), (uint64_t)num * VIRTIO_BLK_SECTOR, &pos))
			return VIRTIO_BLK_S_IOERR;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pos = 0;
		uint32_t num = gm_get_le32(seg[i] + 8), flags = gm_get_le32(seg[i] + 12);
		uint64_t len = (uint64_t)num * VIRTIO_BLK_SECTOR;
		range_ok(b, gm_get_le64(seg[i]), len, &pos);
		if (len == 0)
			continue;
		if (wz) {
			if (zero_range(b, pos, len, flags & VIRTIO_BLK_WZ_F_UNMAP) < 0)
				return VIRTIO_BLK_S_IOERR;
		} else if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)pos,
				     (off_t)len) < 0 &&
			   errno != EOPNOTSUPP) {
			return VIRTIO_BLK_S_IOERR; /* discard is advisory: unsupported is fine */
		}
	}
	return VIRTIO_BLK_S_OK;
}

/* Handle the popped chain; returns the used length. */
/* SEG_MAX bounds the data segments of a request (header and status aside),
 * SIZE_MAX every single segment; both bind a driver that accepted them. */
static bool shape_ok(struct blk *b, const struct dev_virtq_chain *c)
{
	uint64_t f = dev_virtio_mmio_driver_features(b->dev);
	if ((f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) && c->nseg > (uint64_t)b->seg_max + 2)
		return false;
	if (f & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX))
		for (uint32_t i = 0; i < c->nseg; i++)
			if (c->seg[i].len > b->size_max)
				return false;
	return true;
}

static uint32_t handle(struct blk *b, struct dev_virtq *vq)
{
	const struct dev_virtq_chain *c = &b->chain;
	if (c->write_len == 0)
		return 0;
	uint64_t status_off = c->write_len - 1;
	uint64_t written = 0;
	uint8_t status = VIRTIO_BLK_S_IOERR;
	uint8_t hdr[BLK_HDR];
	if (c->read_len < BLK_HDR || dev_virtq_chain_read(vq, c, 0, hdr, BLK_HDR) < 0)
		goto out;
	uint32_t type = gm_get_le32(hdr);
	uint64_t sector = gm_get_le64(hdr + 8), pos, len;
	int r;
	if ((type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT) && !shape_ok(b, c))
		goto out;
	switch (type) {
	case VIRTIO_BLK_T_IN:
		len = status_off;
		if (c->read_len != BLK_HDR || len % VIRTIO_BLK_SECTOR ||
		    !range_ok(b, sector, len, &pos))
			break;
		if ((r = do_io(b, vq, false, 0, len, pos)) == 0) {
			written = len;
			status = VIRTIO_BLK_S_OK;
		} else if (r != -EFAULT) {
			host_error(b, r);
		}
		break;
	case VIRTIO_BLK_T_OUT:
		len = c->read_len - BLK_HDR;
		if (b->ro || status_off != 0 || len % VIRTIO_BLK_SECTOR ||
		    !range_ok(b, sector, len, &pos))
			break;
		if ((r = do_io(b, vq, true, BLK_HDR, len, pos)) == 0)
			status = VIRTIO_BLK_S_OK;
		else if (r != -EFAULT)
			host_error(b, r);
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (b->ro || fdatasync(b->fd) == 0)
			status = VIRTIO_BLK_S_OK;
		else
			host_error(b, -errno);
		break;
	case VIRTIO_BLK_T_GET_ID:
		len = status_off < VIRTIO_BLK_ID_BYTES ? status_off : VIRTIO_BLK_ID_BYTES;
		if (dev_virtq_chain_write(vq, c, 0, b->id, (size_t)len) == 0) {
			written = len;
			status = VIRTIO_BLK_S_OK;
		}
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = do_ranges(b, vq, type);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
out:
	if (dev_virtq_chain_write(vq, c, status_off, &status, 1) < 0)
		return 0;
	return (uint32_t)(written + 1);
}

static int blk_process(void *priv, uint16_t q, struct dev_virtq *vq)
{
	struct blk *b = priv;
	int r;
	bool any = false;
	while ((r = dev_virtq_pop(vq, &b->chain)) > 0) {
		uint32_t used = handle(b, vq);
		if (dev_virtq_add_used(vq, b->chain.head, used) < 0)
			return -EIO;
		any = true;
	}
	if (any && dev_virtq_publish_used(vq) < 0)
		return -EIO;
	dev_virtio_mmio_signal_used(b->dev, vq);
	return r < 0 ? -EIO : 0;
}

static void blk_destroy(void *priv)
{
	struct blk *b = priv;
	dev_virtq_chain_fini(&b->chain);
	if (b->map)
		munmap(b->map, b->map_len);
	close(b->fd);
	free(b);
}

static const struct dev_virtio_model blk_model = {
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .config_len = VIRTIO_BLK_CFG_LEN,
    .config_read = blk_config_read,
    .process = blk_process,
    .destroy = blk_destroy,
};

static int disk_size(int fd, uint64_t *bytes)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, bytes) < 0)
			return -errno;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

int dev_virtio_blk_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc,
		       const struct dev_virtio_blk_config *bc)
{
	if (!out || !tc || !bc || bc->fd < 0)
		return -EINVAL;
	uint64_t bytes = 0; /* disk_size sets it on success (analyzer: via ioctl) */
	int r = disk_size(bc->fd, &bytes);
	if (r < 0)
		return r;
	struct blk *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->fd = bc->fd;
	b->ro = bc->read_only;
	b->discard = bc->discard && !bc->read_only;
	b->wz = bc->write_zeroes && !bc->read_only;
	b->sectors = bytes / VIRTIO_BLK_SECTOR;
	if (bc->serial) /* zero padded, no terminator needed */
		memcpy(b->id, bc->serial, strnlen(bc->serial, sizeof(b->id)));

	struct dev_virtio_model m = blk_model;
	m.features = VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		     VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (b->ro)
		m.features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (b->discard)
		m.features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
	if (b->wz)
		m.features |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	uint16_t qmax = tc->queue_max ? tc->queue_max : DEV_VIRTIO_QUEUE_MAX_DEFAULT;
	uint32_t seg_max = bc->seg_max ? bc->seg_max : (qmax > 2 ? qmax - 2u : 1u);
	uint32_t size_max = bc->size_max ? bc->size_max : (1u << 20);
	gm_put_le64(b->cfg + VIRTIO_BLK_CFG_CAPACITY, b->sectors);
	b->seg_max = seg_max;
	b->size_max = size_max;
	gm_put_le32(b->cfg + VIRTIO_BLK_CFG_SIZE_MAX, size_max);
	gm_put_le32(b->cfg + VIRTIO_BLK_CFG_SEG_MAX, seg_max);
	gm_put_le32(b->cfg + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR);
	if (b->discard) {
		gm_put_le32(b->cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, BLK_MAX_RANGE_SECTORS);
		gm_put_le32(b->cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, BLK_MAX_DISCARD_SEG);
		gm_put_le32(b->cfg + VIRTIO_BLK_CFG_DISCARD_ALIGN, 8); /* 4 KiB */
	}
	if (b->wz) {
		gm_put_le32(b->cfg + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, BLK_MAX_RANGE_SECTORS);
		gm_put_le32(b->cfg + VIRTIO_BLK_CFG_MAX_WZ_SEG, BLK_MAX_DISCARD_SEG);
		b->cfg[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
	}
	if (bc->map && b->sectors && b->sectors * VIRTIO_BLK_SECTOR <= SIZE_MAX) {
		size_t n = (size_t)(b->sectors * VIRTIO_BLK_SECTOR);
		void *p = mmap(NULL, n, b->ro ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
		if (p != MAP_FAILED) { /* else preadv/pwritev */
			b->map = p;
			b->map_len = n;
			b->stats.mapped = true;
		}
	}
	r = dev_virtq_chain_init(&b->chain, qmax);
	if (r == 0)
		r = dev_virtio_mmio_new(&b->dev, tc, &m, b);
	if (r < 0) {
		dev_virtq_chain_fini(&b->chain);
		if (b->map)
			munmap(b->map, b->map_len);
		free(b);
		return r;
	}
	*out = b->dev;
	return 0;
}

int dev_virtio_blk_stats(struct dev_virtio_mmio *dev, struct dev_virtio_blk_stats *st)
{
	if (dev_virtio_mmio_model(dev)->process != blk_process)
		return -EINVAL;
	const struct blk *b = dev_virtio_mmio_priv(dev);
	*st = b->stats;
	return 0;
}

uint64_t dev_virtio_blk_capacity(struct dev_virtio_mmio *dev)
{
	if (dev_virtio_mmio_model(dev)->process != blk_process)
		return 0;
	const struct blk *b = dev_virtio_mmio_priv(dev);
	return b->sectors;
}
