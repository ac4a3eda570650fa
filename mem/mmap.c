/* The mmap backend: anonymous, file-backed, hugetlb and raw-pointer regions. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <vmm-mem/mmap.h>

struct mmap_region {
	struct gm_region base;
	uint64_t len;
	uint8_t *host;
	bool owned;
	bool hugetlb;
	bool has_file;
	int prot;
	int flags;
	struct gm_file_offset file;
	struct gm_bitmap *bm;
};

static const struct gm_region_ops mmap_ops;

static const struct mmap_region *cmr(const struct gm_region *r)
{
	return (const struct mmap_region *)r;
}

static uint64_t op_len(const struct gm_region *r)
{
	return cmr(r)->len;
}
static void *op_host_base(const struct gm_region *r)
{
	return cmr(r)->host;
}
static int op_get_slice(const struct gm_region *r, gm_raddr_t off, uint64_t len,
			struct gm_vslice *out)
{
	const struct mmap_region *m = cmr(r);
	if (off.raw > m->len || len > m->len - off.raw || len > SIZE_MAX)
		return -EFAULT;
	*out = gm_vslice_tracked(m->host + off.raw, (size_t)len, m->bm, off.raw);
	return 0;
}
static const struct gm_file_offset *op_file_offset(const struct gm_region *r)
{
	return cmr(r)->has_file ? &cmr(r)->file : NULL;
}
static bool op_is_hugetlbfs(const struct gm_region *r)
{
	return cmr(r)->hugetlb;
}
static struct gm_bitmap *op_bitmap(const struct gm_region *r)
{
	return cmr(r)->bm;
}
static enum gm_perm op_perm(const struct gm_region *r)
{
	int p = cmr(r)->prot;
	return (enum gm_perm)(((p & PROT_READ) ? GM_PERM_READ : 0) |
			      ((p & PROT_WRITE) ? GM_PERM_WRITE : 0));
}
static void op_destroy(struct gm_region *r)
{
	struct mmap_region *m = (struct mmap_region *)r;
	if (m->owned)
		munmap(m->host, (size_t)m->len);
	if (m->has_file)
		close(m->file.fd);
	gm_bitmap_free(m->bm);
	free(m);
}

static const struct gm_region_ops mmap_ops = {
    .len = op_len,
    .host_base = op_host_base,
    .get_slice = op_get_slice,
    .file_offset = op_file_offset,
    .is_hugetlbfs = op_is_hugetlbfs,
    .bitmap = op_bitmap,
    .perm = op_perm,
    .destroy = op_destroy,
};

/* Common checks and allocation; *out is zeroed and initialised. */
static int prepare(struct mmap_region **out, gm_addr_t start, uint64_t len,
		   const struct gm_mmap_opts *opts)
{
	gm_addr_t last;
	if (!out || len == 0 || len > SIZE_MAX || !gm_addr_checked_add(start, len - 1, &last))
		return -EINVAL;
	uint64_t ps = opts && opts->dirty_page_size ? opts->dirty_page_size : 4096;
	if (ps & (ps - 1))
		return -EINVAL;
	struct mmap_region *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (opts && opts->dirty_tracking) {
		int rc = gm_bitmap_new(&m->bm, len, ps);
		if (rc) {
			free(m);
			return rc;
		}
	}
	gm_region_init(&m->base, &mmap_ops, start);
	m->len = len;
	m->prot = opts && opts->prot ? opts->prot : PROT_READ | PROT_WRITE;
	m->flags = opts ? opts->flags : 0;
	m->file.fd = -1;
	*out = m;
	return 0;
}

static void discard(struct mmap_region *m)
{
	gm_bitmap_free(m->bm);
	free(m);
}

static int new_anon(struct gm_region **out, gm_addr_t start, uint64_t len,
		    const struct gm_mmap_opts *opts, int extra)
{
	struct mmap_region *m;
	int rc = prepare(&m, start, len, opts);
	if (rc)
		return rc;
	/* private unless the caller asked for MAP_SHARED (e.g. to share with a
	 * child process) */
	m->flags |=
	    ((m->flags & MAP_SHARED) ? 0 : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE | extra;
	void *p = mmap(NULL, (size_t)len, m->prot, m->flags, -1, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		discard(m);
		return rc;
	}
	m->host = p;
	m->owned = true;
	m->hugetlb = (extra & MAP_HUGETLB) != 0;
	*out = &m->base;
	return 0;
}

int gm_region_new_anon(struct gm_region **out, gm_addr_t start, uint64_t len,
		       const struct gm_mmap_opts *opts)
{
	return new_anon(out, start, len, opts, 0);
}

int gm_region_new_hugetlb(struct gm_region **out, gm_addr_t start, uint64_t len,
			  const struct gm_mmap_opts *opts)
{
	return new_anon(out, start, len, opts, MAP_HUGETLB);
}

int gm_region_new_file(struct gm_region **out, gm_addr_t start, uint64_t len, int fd,
		       gm_foff_t offset, const struct gm_mmap_opts *opts)
{
	struct stat st;
	struct statfs sfs;
	gm_foff_t end;
	if (fd < 0 || !gm_foff_checked_add(offset, len, &end) || end.raw > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && end.raw > (uint64_t)st.st_size)
		return -ENXIO;
	struct mmap_region *m;
	int rc = prepare(&m, start, len, opts);
	if (rc)
		return rc;
	m->flags |= MAP_SHARED;
	m->flags &= ~(MAP_PRIVATE | MAP_ANONYMOUS);
	m->file.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (m->file.fd < 0) {
		rc = -errno;
		discard(m);
		return rc;
	}
	m->has_file = true;
	m->file.start = offset;
	m->hugetlb = fstatfs(fd, &sfs) == 0 && (unsigned long)sfs.f_type == HUGETLBFS_MAGIC;
	void *p = mmap(NULL, (size_t)len, m->prot, m->flags, fd, (off_t)offset.raw);
	if (p == MAP_FAILED) {
		rc = -errno;
		close(m->file.fd);
		discard(m);
		return rc;
	}
	m->host = p;
	m->owned = true;
	*out = &m->base;
	return 0;
}

int gm_region_new_raw(struct gm_region **out, gm_addr_t start, void *host, uint64_t len,
		      const struct gm_mmap_opts *opts)
{
	if (!host)
		return -EINVAL;
	struct mmap_region *m;
	int rc = prepare(&m, start, len, opts);
	if (rc)
		return rc;
	m->host = host;
	m->owned = false;
	m->flags = 0;
	*out = &m->base;
	return 0;
}

bool gm_region_is_mmap(const struct gm_region *r)
{
	return r->ops == &mmap_ops;
}
int gm_mmap_region_prot(const struct gm_region *r)
{
	return cmr(r)->owned ? cmr(r)->prot : 0;
}
int gm_mmap_region_flags(const struct gm_region *r)
{
	return cmr(r)->flags;
}
bool gm_mmap_region_owned(const struct gm_region *r)
{
	return cmr(r)->owned;
}
