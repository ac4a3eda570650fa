/* Reading from / writing to file descriptors straight into guest memory. */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <vmm-mem/memory.h>

/* One fragment: loop until it is complete, EOF/short transfer, or an error.
 * Returns bytes done; *err = -errno if it stopped on an error. */
static size_t frag_io(const struct gm_frag *f, int fd, bool into_guest, int *err)
{
	size_t done = 0;
	*err = 0;
	while (done < f->slice.len) {
		ssize_t n;
		if (into_guest)
			n = read(fd, f->slice.ptr + done, f->slice.len - done);
		else
			n = write(fd, f->slice.ptr + done, f->slice.len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*err = -errno;
			break;
		}
		if (n == 0)
			break;
		if (into_guest)
			gm_vslice_mark_dirty(&f->slice, done, (size_t)n);
		done += (size_t)n;
		/* A short transfer ends a partial operation (like read(2)). */
		if (done < f->slice.len)
			break;
	}
	return done;
}

/* exact: keep going after short transfers until count or EOF. */
static ssize_t fd_io(const struct gm_memory *m, gm_addr_t a, int fd, size_t count, bool into_guest,
		     bool exact)
{
	struct gm_iter it;
	struct gm_frag f;
	int rc, err;
	size_t total = 0;
	enum gm_perm need = into_guest ? GM_PERM_WRITE : GM_PERM_READ;
	if (count > SSIZE_MAX)
		count = SSIZE_MAX;
	gm_memory_iter_init(&it, m, a, count);
	while ((rc = gm_memory_iter_next(&it, &f)) > 0) {
		if (!gm_perm_allows(f.perm, need))
			return total ? (ssize_t)total : -EACCES;
		struct gm_frag part = f;
		for (;;) {
			size_t n = frag_io(&part, fd, into_guest, &err);
			total += n;
			if (err)
				return total && !exact ? (ssize_t)total : err;
			if (n == part.slice.len)
				break;
			if (n == 0 || !exact)
				return (
				    ssize_t)total; /* EOF, or partial form after a short transfer */
			gm_vslice_offset(&part.slice, n, &part.slice);
		}
	}
	if (rc < 0 && total == 0)
		return rc;
	return (ssize_t)total;
}

ssize_t gm_memory_read_from_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count)
{
	return fd_io(m, a, fd, count, true, false);
}

ssize_t gm_memory_write_to_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count)
{
	return fd_io(m, a, fd, count, false, false);
}

int gm_memory_read_exact_from_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count)
{
	if (!gm_memory_check_range(m, a, count))
		return -EFAULT;
	ssize_t n = fd_io(m, a, fd, count, true, true);
	if (n < 0)
		return (int)n;
	return (size_t)n == count ? 0 : -ENODATA;
}

int gm_memory_write_all_to_fd(const struct gm_memory *m, gm_addr_t a, int fd, size_t count)
{
	if (!gm_memory_check_range(m, a, count))
		return -EFAULT;
	ssize_t n = fd_io(m, a, fd, count, false, true);
	if (n < 0)
		return (int)n;
	return (size_t)n == count ? 0 : -EIO;
}

/* ---- slices ---- */

static ssize_t slice_once(const struct gm_vslice *s, int fd, size_t count, bool into)
{
	if (count > s->len)
		count = s->len;
	if (count > SSIZE_MAX)
		count = SSIZE_MAX;
	for (;;) {
		ssize_t n = into ? read(fd, s->ptr, count) : write(fd, s->ptr, count);
		if (n >= 0) {
			if (into && n > 0)
				gm_vslice_mark_dirty(s, 0, (size_t)n);
			return n;
		}
		if (errno != EINTR)
			return -errno;
	}
}

static int slice_all(const struct gm_vslice *s, int fd, size_t count, bool into)
{
	struct gm_vslice rest;
	if (count > s->len)
		return -EFAULT;
	if (gm_vslice_subslice(s, 0, count, &rest))
		return -EFAULT;
	while (rest.len) {
		ssize_t n = slice_once(&rest, fd, rest.len, into);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return into ? -ENODATA : -EIO;
		gm_vslice_offset(&rest, (size_t)n, &rest);
	}
	return 0;
}

ssize_t gm_vslice_read_from_fd(const struct gm_vslice *s, int fd, size_t count)
{
	return slice_once(s, fd, count, true);
}

int gm_vslice_read_exact_from_fd(const struct gm_vslice *s, int fd, size_t count)
{
	return slice_all(s, fd, count, true);
}

ssize_t gm_vslice_write_to_fd(const struct gm_vslice *s, int fd, size_t count)
{
	return slice_once(s, fd, count, false);
}

int gm_vslice_write_all_to_fd(const struct gm_vslice *s, int fd, size_t count)
{
	return slice_all(s, fd, count, false);
}

/* ---- regions ---- */

/* Slice [off, off+count) clamped to the region (exact: not clamped). */
static int region_slice(const struct gm_region *r, gm_raddr_t off, size_t count, bool exact,
			bool into, struct gm_vslice *s)
{
	uint64_t len = gm_region_len(r);
	if (into && !gm_perm_allows(gm_region_perm(r), GM_PERM_WRITE))
		return -EACCES;
	if (off.raw > len || (off.raw == len && count))
		return -EFAULT;
	if (count > len - off.raw) {
		if (exact)
			return -EFAULT;
		count = (size_t)(len - off.raw);
	}
	return gm_region_get_slice(r, off, count, s);
}

ssize_t gm_region_read_from_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count)
{
	struct gm_vslice s;
	int rc = region_slice(r, off, count, false, true, &s);
	return rc ? rc : gm_vslice_read_from_fd(&s, fd, s.len);
}

int gm_region_read_exact_from_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count)
{
	struct gm_vslice s;
	int rc = region_slice(r, off, count, true, true, &s);
	return rc ? rc : gm_vslice_read_exact_from_fd(&s, fd, count);
}

ssize_t gm_region_write_to_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count)
{
	struct gm_vslice s;
	int rc = region_slice(r, off, count, false, false, &s);
	return rc ? rc : gm_vslice_write_to_fd(&s, fd, s.len);
}

int gm_region_write_all_to_fd(const struct gm_region *r, gm_raddr_t off, int fd, size_t count)
{
	struct gm_vslice s;
	int rc = region_slice(r, off, count, true, false, &s);
	return rc ? rc : gm_vslice_write_all_to_fd(&s, fd, count);
}
