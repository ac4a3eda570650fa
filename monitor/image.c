/* monitor/image.c — see image.h. */
#include "config.h"

#include "monitor/image.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor/log.h"

static bool has(const uint8_t *p, size_t n, size_t off, const char *magic, size_t len)
{
	return p && off <= n && len <= n - off && memcmp(p + off, magic, len) == 0;
}

const char *vmm_image_probe(const uint8_t *head, size_t n, const uint8_t *cd, const uint8_t *tail)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name;
	} m[] = {
	    {"QFI\xfb", 4, "qcow2"},
	    {"KDMV", 4, "vmdk"},
	    {"# Disk DescriptorFile", 21, "vmdk"},
	    {"conectix", 8, "vhd"},
	    {"vhdxfile", 8, "vhdx"},
	    {"\x1f\x8b", 2, "gzip"},
	    {"\xfd"
	     "7zXZ\0",
	     6, "xz"},
	    {"\x28\xb5\x2f\xfd", 4, "zstd"},
	    {"BZh", 3, "bzip2"},
	    {"\x04\x22\x4d\x18", 4, "lz4"},
	    {"\x02\x21\x4c\x18", 4, "lz4"},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (has(head, n, 0, m[i].magic, m[i].len))
			return m[i].name;
	if (has(cd, 5, 0, "CD001", 5))
		return "ISO 9660";
	if (has(tail, 512, 0, "conectix", 8))
		return "vhd";
	return NULL;
}

/* The images this process has opened (the same file twice is refused). */
static struct {
	int fd;
	dev_t dev;
	ino_t ino;
} opened[VMM_MAX_DISKS];
static unsigned nopened;

static bool already_open(const struct stat *st)
{
	for (unsigned i = 0; i < nopened; i++) {
		struct stat o;
		if (fstat(opened[i].fd, &o) == 0 && o.st_dev == opened[i].dev &&
		    o.st_ino == opened[i].ino && o.st_dev == st->st_dev && o.st_ino == st->st_ino)
			return true;
	}
	return false;
}

static int probe_fd(int fd, const struct stat *st, const char **fmt)
{
	uint8_t head[64], cd[5], tail[512];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	if (n < 0)
		return -errno;
	ssize_t c = pread(fd, cd, sizeof(cd), 0x8001);
	ssize_t t = -1;
	if (S_ISREG(st->st_mode) && st->st_size >= 512)
		t = pread(fd, tail, sizeof(tail), st->st_size - 512);
	*fmt = vmm_image_probe(head, (size_t)n, c == 5 ? cd : NULL, t == 512 ? tail : NULL);
	return 0;
}

int vmm_image_open(const struct vmm_disk *disk)
{
	const char *ro = disk->read_only ? " (read-only)" : "";
	int fd = open(disk->path, (disk->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		bool hint = !disk->read_only && (e == EROFS || e == EACCES || e == EPERM);
		vmm_err("cannot open disk '%s'%s: %s%s", disk->path, ro, strerror(e),
			hint ? " (read-only on the host: add ',ro' to attach it read-only)" : "");
		return -e;
	}
	/* O_NONBLOCK only so that a FIFO does not block the open */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		vmm_err("disk '%s': fstat: %s", disk->path, strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return fd; /* the block device layer refuses it with its own message */
	if (already_open(&st)) {
		vmm_err("disk '%s': the same file is given twice (one --disk per image)",
			disk->path);
		close(fd);
		return -EBUSY;
	}
	struct flock lk = {.l_type = disk->read_only ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_OFD_SETLK, &lk) < 0) {
		int e = errno;
		if (e == EAGAIN || e == EACCES)
			vmm_err("disk '%s' is in use: another process holds a%s lock on it "
				"(another vmm or QEMU?)",
				disk->path, disk->read_only ? " write" : "");
		else
			vmm_err("disk '%s': cannot lock it: %s", disk->path, strerror(e));
		close(fd);
		return e == EACCES ? -EAGAIN : -e;
	}
	if (!disk->format_raw) {
		const char *fmt = NULL;
		int e = probe_fd(fd, &st, &fmt);
		if (e < 0) {
			vmm_err("disk '%s': cannot read it: %s", disk->path, strerror(-e));
			close(fd);
			return e;
		}
		if (fmt) {
			vmm_err("disk '%s' is not a raw image (looks like %s): convert it with "
				"`qemu-img convert -O raw` or pass ,format=raw",
				disk->path, fmt);
			close(fd);
			return -EINVAL;
		}
	}
	if (nopened < VMM_MAX_DISKS) {
		opened[nopened].fd = fd;
		opened[nopened].dev = st.st_dev;
		opened[nopened].ino = st.st_ino;
		nopened++;
	}
	return fd;
}
