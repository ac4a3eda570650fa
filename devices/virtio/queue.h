/* Split virtqueue (virtio 1.2, 2.7) over guest memory accessed through mem/.
 *
 * The device side of one queue: pops descriptor chains from the available
 * ring, validates them completely before a device model sees them, and puts
 * completed chains on the used ring with the memory ordering the spec asks
 * for (acquire-load avail->idx before reading ring entries; write the used
 * element, then release-store used->idx; a full fence before reading the
 * driver's event index).
 *
 * Validation policy (every guest value is hostile):
 *  - Ring-level errors break the queue: avail->idx more than `num` ahead of
 *    the device's position, a head index >= num, ring memory that cannot be
 *    read. dev_virtq_pop() then returns -EIO now and forever (until
 *    dev_virtq_reset); the transport sets DEVICE_NEEDS_RESET.
 *  - Chain-level errors fail that one request: a next index >= table size,
 *    a chain with more than `num` descriptors (loops), a descriptor whose
 *    [addr, addr+len) is not entirely guest memory or overflows, an indirect
 *    descriptor when VIRTIO_RING_F_INDIRECT_DESC was not negotiated, an
 *    indirect descriptor inside an indirect table, an indirect descriptor
 *    that also has NEXT, an indirect table whose length is zero or not a
 *    multiple of 16 or larger than num entries, a device-readable descriptor
 *    after a device-writable one. dev_virtq_pop() completes such a chain itself
 *    with used length 0, counts it in q->bad_chains, and goes on with the
 *    next one; a device model never sees it.
 *  - Direction errors that depend on the device (a writable descriptor
 *    where the device must read, or the reverse) are the device model's to
 *    check with the nread/nseg split of the chain; each model documents its
 *    answer (an error status when it can write one, else used length 0).
 *
 * Concurrency: a struct dev_virtq is not locked; its owner (the transport)
 * serialises every call on one queue.
 */
#ifndef VMM_DEVICES_VIRTIO_QUEUE_H
#define VMM_DEVICES_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <vmm-mem/mem.h>

#include "devices/virtio/virtio_defs.h"

/* One validated buffer segment of a chain. */
struct dev_virtq_seg {
	uint64_t addr; /* guest physical; [addr, addr+len) is mapped */
	uint32_t len;
	bool write; /* device-writable */
};

/* A validated chain: segments seg[0, nread) are device-readable and
 * seg[nread, nseg) device-writable (the spec's order, enforced). Zero-length
 * descriptors are dropped. seg points at storage owned by the chain's user
 * with room for `cap` entries (dev_virtq_chain_init). */
struct dev_virtq_chain {
	uint16_t head;
	uint32_t nseg, nread;
	uint64_t read_len, write_len; /* total bytes of each kind */
	uint32_t cap;
	struct dev_virtq_seg *seg;
};

/* Allocate room for cap segments (cap >= the queue's num_max).
 * 0 or -ENOMEM. dev_virtq_chain_fini frees it (NULL-safe, idempotent). */
int dev_virtq_chain_init(struct dev_virtq_chain *c, uint32_t cap);
void dev_virtq_chain_fini(struct dev_virtq_chain *c);

#define DEV_VIRTQ_NO_BUDGET UINT32_MAX

struct dev_virtq {
	/* Configuration, written by the transport while the queue is not ready. */
	uint16_t num_max; /* QueueNumMax: a power of two, 1..32768 */
	uint16_t num;	  /* QueueNum */
	uint64_t desc_addr, avail_addr, used_addr;
	bool ready;
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;	/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	/* Runtime state. */
	const struct gm_memory *mem;
	uint16_t last_avail; /* next avail ring slot the device reads */
	uint16_t used_idx;   /* shadow of used->idx */
	uint16_t signalled;  /* used_idx at the last notification decision */
	bool broken;	     /* ring-level error seen: needs a reset */
	bool polling;	     /* the device polls: no QueueNotify asked for */
	uint32_t budget;     /* chains dev_virtq_pop may still take; DEV_VIRTQ_NO_BUDGET */
	bool budget_hit;     /* a pop found chains but the budget was spent */
	uint64_t bad_chains; /* chains failed by validation (statistics) */
};

/* Initial state for a queue of at most num_max entries (power of two). */
void dev_virtq_init(struct dev_virtq *q, uint16_t num_max, const struct gm_memory *mem);
/* Back to the initial state (the transport's reset): keeps num_max and mem. */
void dev_virtq_reset(struct dev_virtq *q);
/* Runtime state only (ring positions, broken, polling, budget) back to a
 * fresh ring, the configuration kept: for QueueReady = 1. */
void dev_virtq_restart(struct dev_virtq *q);

/* Check the configuration before QueueReady=1 latches: num a power of two in
 * 1..num_max, desc 16-aligned, avail 2-aligned, used 4-aligned, all three
 * areas mapped guest memory without overflow. 0 or -EINVAL / -EFAULT. */
int dev_virtq_check_config(const struct dev_virtq *q);

/* Next available chain, validated.
 *   1       *c holds a chain (head, segments); complete it with dev_virtq_push.
 *   0       the available ring is empty (with EVENT_IDX, avail_event was
 *           published and the ring re-checked, so no notification is lost),
 *           or q->budget chains were returned since it was set: budget_hit
 *           is then true and the caller must come back (no notification
 *           will: avail_event did not move).
 *   -EIO    the queue is broken (see above).
 *   -EINVAL c->cap is smaller than num.
 * Malformed chains are completed with length 0 and skipped (see above). */
int dev_virtq_pop(struct dev_virtq *q, struct dev_virtq_chain *c);

/* Give popped chains back (they will be popped again): for a backend that
 * cannot take the requests now (EAGAIN, not enough receive buffers).
 * dev_virtq_save before popping, dev_virtq_rewind to return every chain popped
 * since. The caller must not have completed any of them. Returns 0, or
 * -EBUSY (nothing rewound) when a malformed chain was completed in between
 * (rewinding would complete it twice): the caller then fails its chains. */
struct dev_virtq_pos {
	uint16_t slot;
	uint64_t bad;
};
struct dev_virtq_pos dev_virtq_save(const struct dev_virtq *q);
int dev_virtq_rewind(struct dev_virtq *q, struct dev_virtq_pos pos);

/* Put one completed chain on the used ring. add_used writes the element
 * only; publish_used makes every added element visible (release store of
 * used->idx). dev_virtq_push = add_used + publish_used. 0 or -EIO (the ring is
 * not writable; the queue is then broken). */
int dev_virtq_add_used(struct dev_virtq *q, uint16_t head, uint32_t len);
int dev_virtq_publish_used(struct dev_virtq *q);
int dev_virtq_push(struct dev_virtq *q, uint16_t head, uint32_t len);

/* Must the driver be interrupted for the used entries published since the
 * last call? Applies VIRTQ_AVAIL_F_NO_INTERRUPT, or with EVENT_IDX the
 * used_event rule. Returns false when nothing new was published. */
bool dev_virtq_should_notify(struct dev_virtq *q);

/* Notification suppression for a device that polls the available ring.
 * dev_virtq_set_polling(q, true): the driver is no longer asked to notify
 * (with EVENT_IDX avail_event stops moving, else VIRTQ_USED_F_NO_NOTIFY is
 * set). dev_virtq_set_polling(q, false): asked again, with a full fence; the
 * caller must then look at the ring once more (dev_virtq_has_avail), since a
 * chain added before the driver saw the change came without a notification.
 * Suppression is a hint the driver may ignore: extra notifications are
 * harmless. 0, or -EIO when the ring is not writable (the queue is broken). */
int dev_virtq_set_polling(struct dev_virtq *q, bool polling);

/* Does the available ring hold chains the device has not popped? */
bool dev_virtq_has_avail(struct dev_virtq *q);

/* ---- chain data access: readable bytes and writable bytes are each one
 * logical stream (ANY_LAYOUT); offsets count inside that stream. ---- */

/* Copy len bytes at offset off of the readable stream into buf.
 * 0 or -EFAULT (the stream is shorter, or memory failed). */
int dev_virtq_chain_read(const struct dev_virtq *q, const struct dev_virtq_chain *c, uint64_t off,
			 void *buf, size_t len);
/* Copy len bytes from buf to offset off of the writable stream (marks
 * dirty pages). 0 or -EFAULT. */
int dev_virtq_chain_write(const struct dev_virtq *q, const struct dev_virtq_chain *c, uint64_t off,
			  const void *buf, size_t len);
/* Host iovecs for [off, off+len) of the readable (write=false) or writable
 * stream, split at region boundaries, at most max entries. Returns the
 * number of iovecs, *covered = bytes they cover (< len when max ran out);
 * -EFAULT when the stream is shorter than off+len or memory is not host
 * addressable. After writing through the iovecs, call
 * dev_virtq_chain_mark_written for dirty tracking. */
int dev_virtq_chain_iov(const struct dev_virtq *q, const struct dev_virtq_chain *c, bool write,
			uint64_t off, uint64_t len, struct iovec *iov, int max, uint64_t *covered);
void dev_virtq_chain_mark_written(const struct dev_virtq *q, const struct dev_virtq_chain *c,
				  uint64_t off, uint64_t len);

#endif
