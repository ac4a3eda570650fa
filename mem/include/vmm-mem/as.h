/* Address space: prioritised, possibly overlapping regions flattened into an
 * immutable flat view of non-overlapping sections (RAM or MMIO), with
 * listeners that receive the delta and accesses that carry attributes.
 *
 * Objects: struct gm_as (the space), struct gm_asregion (a region of fixed
 * length and a priority, holding RAM mappings or an MMIO ops table),
 * struct gm_flatview (one immutable snapshot). All three are opaque.
 *
 * Threads: every function may be called from any thread. Changes (region
 * map/unmap/move/priority, mapping add/remove, listeners, transactions) are
 * serialised by one mutex inside the space; listener callbacks run under it
 * and must not call back into the changing functions of the same space.
 * Accesses (gm_as_rw, load/store, try_access, pin, view_get) never take the
 * mutex: they read the current view published with an atomic pointer and a
 * reader count (an RCU-like grace period: a writer that replaces the view
 * waits for readers already inside the lookup, a few instructions long, to
 * leave; readers never wait).
 *
 * Mapping changes (gm_asregion_add/remove_mapping) on a region that is
 * mapped in a space are not locked by the library: the caller serialises
 * them with that space's changes, then calls gm_as_update.
 * A writer waits for the reader count to drop to zero once per publication;
 * under a never-ending stream of overlapping readers it may wait long.
 *
 * Errors are -errno (functions returning int) unless said otherwise.
 */
#ifndef VMM_MEM_AS_H
#define VMM_MEM_AS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmm-mem/api.h>

struct gm_as;
struct gm_asregion;
struct gm_flatview;

/* Access attributes (QEMU's MemTxAttrs in spirit). */
struct gm_as_attrs {
	uint32_t requester_id;
	bool secure;
	bool user;
	bool unspecified;
};

enum gm_as_result {
	GM_AS_OK = 0,
	GM_AS_DECODE_ERROR = 1, /* no section at some byte */
	GM_AS_ACCESS_DENIED = 2 /* write to read-only RAM, or MMIO ops refused */
};

enum gm_as_endian { GM_AS_NATIVE = 0, GM_AS_LITTLE = 1, GM_AS_BIG = 2 };

/* MMIO ops: size is 1, 2, 4 or 8; off is the offset inside the region.
 * Values are in host order. Return GM_AS_OK or an error result. Called
 * without any address-space lock held, possibly concurrently. */
struct gm_asregion_ops {
	enum gm_as_result (*read)(void *opaque, uint64_t off, unsigned size, uint64_t *val,
				  const struct gm_as_attrs *attrs);
	enum gm_as_result (*write)(void *opaque, uint64_t off, unsigned size, uint64_t val,
				   const struct gm_as_attrs *attrs);
};

/* One section of a flat view, as a listener sees it. host is NULL for MMIO.
 * id is stable for as long as the section is unchanged (usable as a KVM slot
 * key); a changed section is reported removed then added with a new id. */
struct gm_flatview_section {
	uint64_t gpa;
	uint64_t size;
	void *host;
	bool readonly;
	bool mmio;
	uint64_t id;
	const struct gm_asregion *region;
	uint64_t region_off;
};

/* Listener: callbacks receive, per published change, begin, then every
 * removed section (address order), then every added section (address
 * order), then commit. Any pointer may be NULL. */
struct gm_as_listener {
	void (*begin)(void *opaque);
	void (*del)(void *opaque, const struct gm_flatview_section *s);
	void (*add)(void *opaque, const struct gm_flatview_section *s);
	void (*commit)(void *opaque);
	void *opaque;
};

/* Create / destroy a space. -ENOMEM. gm_as_free unmaps and drops every
 * region still mapped (regions themselves stay owned by the caller) and
 * must not race with any other call on the space. NULL ok. */
GM_API int gm_as_new(struct gm_as **out);
GM_API void gm_as_free(struct gm_as *as);

/* Regions. The caller owns the region until gm_asregion_free; a region can be
 * in at most one space at a time. len > 0, multiple of 4096 for RAM.
 * -EINVAL (bad length, NULL name), -ENOMEM. The name is copied. */
GM_API int gm_asregion_new_ram(struct gm_asregion **out, const char *name, uint64_t len, int priority);
GM_API int gm_asregion_new_mmio(struct gm_asregion **out, const char *name, uint64_t len, int priority,
			 const struct gm_asregion_ops *ops, void *opaque);
/* -EBUSY while the region is mapped in a space. */
GM_API int gm_asregion_free(struct gm_asregion *r);

/* Mappings inside a RAM region: [off, off+len) of the region shows len bytes
 * of fd at foff (fd < 0: fresh anonymous memory). writable=false makes the
 * bytes read-only for guests. Page-aligned off/foff/len. The fd is not kept
 * open by the library (mmap keeps its own reference).
 * -EINVAL (alignment, overflow, outside the region, MMIO region),
 * -EEXIST (overlaps another mapping of the region), or mmap's error. */
GM_API int gm_asregion_add_mapping(struct gm_asregion *r, uint64_t off, uint64_t len, int fd,
			    uint64_t foff, bool writable);
/* -ENOENT unless a mapping starts exactly at off. The host memory lives on
 * while a view or a pin still uses it (munmap deferred). */
GM_API int gm_asregion_remove_mapping(struct gm_asregion *r, uint64_t off);
/* Host pointer of the mapping covering region offset off, or NULL. */
GM_API void *gm_asregion_host(const struct gm_asregion *r, uint64_t off);

/* Map r at gpa / unmap / move / change priority. Overlaps resolve by
 * priority (higher wins); a region overlapping another of equal priority
 * is refused with -EBUSY. -EINVAL (overflow past 2^64, r NULL),
 * -EALREADY (r already mapped: map), -ENOENT (r not mapped here: unmap,
 * move), -ENOMEM. Each success publishes a new view unless inside a
 * transaction. */
GM_API int gm_as_map(struct gm_as *as, struct gm_asregion *r, uint64_t gpa);
GM_API int gm_as_unmap(struct gm_as *as, struct gm_asregion *r);
GM_API int gm_as_move(struct gm_as *as, struct gm_asregion *r, uint64_t gpa);
GM_API int gm_as_set_priority(struct gm_as *as, struct gm_asregion *r, int priority);
/* Mapping changes on a region already in a space: call gm_as_update. */
GM_API int gm_as_update(struct gm_as *as);

/* Transactions nest; the view is published once at the outermost commit.
 * commit: -EINVAL without begin, -ENOMEM (the old view stays). */
GM_API void gm_as_begin(struct gm_as *as);
GM_API int gm_as_commit(struct gm_as *as);

/* Listeners: the listener struct must outlive its registration. On
 * registration the current view is delivered as one batch of adds.
 * -EEXIST (already registered), -ENOMEM. remove: -ENOENT. */
GM_API int gm_as_listener_add(struct gm_as *as, struct gm_as_listener *l);
GM_API int gm_as_listener_remove(struct gm_as *as, struct gm_as_listener *l);

/* Snapshots: get gives one reference to the current view (never NULL);
 * put drops it. The sections stay valid until put. */
GM_API struct gm_flatview *gm_as_view_get(struct gm_as *as);
GM_API void gm_flatview_put(struct gm_flatview *v);
GM_API size_t gm_flatview_count(const struct gm_flatview *v);
GM_API const struct gm_flatview_section *gm_flatview_section(const struct gm_flatview *v, size_t i);
/* The section containing gpa, or NULL. */
GM_API const struct gm_flatview_section *gm_flatview_find(const struct gm_flatview *v, uint64_t gpa);

/* Accesses. attrs may be NULL (unspecified). Accesses that span sections
 * split; MMIO pieces go to the ops in chunks of 8/4/2/1 aligned bytes.
 * A failing piece stops the access (earlier pieces stay done). */
GM_API enum gm_as_result gm_as_rw(struct gm_as *as, uint64_t gpa, void *buf, size_t len, bool is_write,
			   const struct gm_as_attrs *attrs);
/* size 1, 2, 4 or 8 (else GM_AS_DECODE_ERROR). */
GM_API enum gm_as_result gm_as_load(struct gm_as *as, uint64_t gpa, unsigned size, enum gm_as_endian e,
			     uint64_t *val, const struct gm_as_attrs *attrs);
GM_API enum gm_as_result gm_as_store(struct gm_as *as, uint64_t gpa, unsigned size, enum gm_as_endian e,
			      uint64_t val, const struct gm_as_attrs *attrs);
/* Would the access succeed? Checks decode and read-only without touching
 * memory (MMIO is reported GM_AS_OK; its ops decide at access time). */
GM_API enum gm_as_result gm_as_try_access(struct gm_as *as, uint64_t gpa, uint64_t len, bool is_write,
				   const struct gm_as_attrs *attrs);
/* RAM fast path: native-endian u64 read; GM_AS_DECODE_ERROR when the 8
 * bytes are not in one RAM section (use gm_as_load then). */
GM_API enum gm_as_result gm_as_read_u64(struct gm_as *as, uint64_t gpa, uint64_t *val);

/* Pins: host pointer to [gpa, gpa+len) inside one RAM section, kept mapped
 * until gm_as_unpin even if the region is unmapped or the mapping removed
 * meanwhile (the munmap waits for the last pin). -EFAULT (not one RAM
 * section), -EACCES (writable requested on read-only RAM). */
struct gm_as_pin {
	void *host;
	uint64_t len;
	void *priv_;
};
GM_API int gm_as_pin(struct gm_as *as, uint64_t gpa, uint64_t len, bool writable, struct gm_as_pin *p);
GM_API void gm_as_unpin(struct gm_as_pin *p);

#endif
