/* virtio-mmio transport, modern layout (virtio 1.2, 4.2.2; Version = 2,
 * VIRTIO_F_VERSION_1 required).
 *
 * A transport wraps one device model (blk, net, rng, console or your own,
 * described by struct dev_virtio_model) and is itself a DeviceManager
 * device: register it with dev_virtio_mmio_ops and the transport pointer as
 * priv on a 4 KiB MMIO window (DEV_VIRTIO_MMIO_SIZE).
 *
 * Register file: only aligned 4-byte accesses to registers are served (other
 * reads return 0, other writes are dropped; both counted); the config space
 * at 0x100 takes 1, 2, 4 and 8-byte accesses inside config_len.
 *
 * Status state machine: 0 -> ACKNOWLEDGE -> DRIVER -> FEATURES_OK ->
 * DRIVER_OK, one step per write, bits never cleared except by writing 0
 * (reset). A write that skips a step or clears a bit is ignored. FEATURES_OK
 * latches only if the driver's features are a subset of the device's and
 * include VIRTIO_F_VERSION_1 (the driver reads Status back to see it).
 * FAILED is accepted at any time. DriverFeatures writes count only between
 * DRIVER and FEATURES_OK; queue setup (QueueNum, the ring addresses,
 * QueueReady=1) only between FEATURES_OK and DRIVER_OK, and QueueReady=1
 * latches only if the ring configuration passes dev_virtq_check_config.
 * DEVICE_NEEDS_RESET is set when a queue breaks (see queue.h) and raises a
 * configuration-change interrupt; the device stops processing until reset.
 *
 * Threads and locks: register accesses may come from any vCPU thread; queue
 * processing (dev_virtio_mmio_process_queue, dev_virtio_mmio_backend_event)
 * from any one other thread (the event loop). The transport has one lock for
 * its registers and one lock per queue (order: registers, then queues in
 * index order); a model's process/backend code runs under the queue's lock
 * only, so a slow block request never stalls a vCPU's register access.
 * Reset waits for running queue work to finish.
 *
 * Interrupts: InterruptStatus bit 0 (used buffer) and bit 1 (config change).
 * Edge mode (default) calls irq.trigger(ctx, gsi) for every new interrupt,
 * which suits an irqfd; level mode calls irq.set_level(ctx, gsi, 1) when the
 * status becomes non-zero and set_level(..., 0) when InterruptACK clears it.
 */
#ifndef VMM_DEVICES_VIRTIO_MMIO_H
#define VMM_DEVICES_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include <vmm-mem/mem.h>

#include "devices/core/device.h"
#include "devices/virtio/queue.h"
#include "devices/virtio/virtio_defs.h"

/* Register offsets */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_MMIO_INT_VRING 1u
#define VIRTIO_MMIO_INT_CONFIG 2u

/* Size of one transport's MMIO window, and the vendor ID it reports. */
#define DEV_VIRTIO_MMIO_SIZE 0x1000u
#define DEV_VIRTIO_MMIO_VENDOR 0x564d4d56u /* "VMMV" */
/* Default and largest QueueNumMax. */
#define DEV_VIRTIO_QUEUE_MAX_DEFAULT 256u
#define DEV_VIRTIO_QUEUE_MAX_LIMIT 32768u

struct dev_virtio_mmio;

/* What a device model provides. Callbacks get the model's priv. */
struct dev_virtio_model {
	uint32_t device_id;
	/* Device feature bits the model offers; the transport adds
	 * VIRTIO_F_VERSION_1, VIRTIO_RING_F_INDIRECT_DESC and
	 * VIRTIO_RING_F_EVENT_IDX. */
	uint64_t features;
	uint16_t num_queues;
	uint32_t config_len;
	/* Copy config bytes [off, off+len) (in bounds, checked by the transport)
	 * in guest byte order. Runs under the register lock. */
	void (*config_read)(void *priv, uint32_t off, uint8_t *data, uint32_t len);
	/* Optional: driver writes to config space; NULL = read-only config. */
	void (*config_write)(void *priv, uint32_t off, const uint8_t *data, uint32_t len);
	/* Process queue q: pop, handle, push, then dev_virtio_mmio_signal_used.
	 * Runs under q's lock, only while DRIVER_OK and the queue is ready.
	 * Return 0, or -EIO to ask for DEVICE_NEEDS_RESET (a broken vq also
	 * sets it). */
	int (*process)(void *priv, uint16_t q, struct dev_virtq *vq);
	/* Optional: a host fd of the backend is ready (see
	 * dev_virtio_mmio_backend_event). The model locks its queues itself
	 * with dev_virtio_mmio_queue_acquire. */
	int (*backend_event)(void *priv, int fd, uint32_t events);
	/* Optional: list the backend fds (for the event loop). */
	int (*backend_fds)(void *priv, int *fds, int max);
	/* Optional: DRIVER_OK was latched (register lock held). */
	void (*activate)(void *priv);
	/* Optional: device reset; every queue lock is held, queues already
	 * reset. Drop per-request state. */
	void (*reset)(void *priv);
	/* Optional: free priv (from dev_virtio_mmio_free). */
	void (*destroy)(void *priv);
};

struct dev_virtio_mmio_config {
	struct gm_memory *mem;	 /* guest memory; the transport takes a reference */
	struct dev_irq_line irq; /* copied */
	uint32_t gsi;
	bool level_irq;	    /* false: irq.trigger per interrupt; true: set_level */
	uint16_t queue_max; /* QueueNumMax, power of two; 0 = 256 */
	uint32_t work_budget; /* chains per dev_virtio_mmio_process_queue call; 0 = the queue's size */
	/* Optional: called on a QueueNotify write instead of processing the
	 * queue on the vCPU thread (e.g. to wake the event loop when no
	 * ioeventfd is registered). */
	void (*notify_hook)(void *ctx, struct dev_virtio_mmio *dev, uint16_t q);
	void *notify_ctx;
};

/* Create a transport for a model. On success the transport owns priv (freed
 * through model->destroy by dev_virtio_mmio_free); on error the caller
 * keeps it. The model table is copied.
 * 0, -EINVAL (bad config/model), -ENOMEM. */
int dev_virtio_mmio_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *cfg,
			const struct dev_virtio_model *model, void *priv);
/* Free the transport and its model. No register access or queue work may be
 * running or start (unregister it from the DeviceManager and synchronize
 * first, and stop feeding it events). NULL accepted. */
void dev_virtio_mmio_free(struct dev_virtio_mmio *dev);

/* The DeviceManager ops table (priv = struct dev_virtio_mmio *). release is
 * NULL: the owner calls dev_virtio_mmio_free. */
extern const struct dev_ops dev_virtio_mmio_ops;

/* Register access (what the ops table calls); offset inside the window. */
void dev_virtio_mmio_read(struct dev_virtio_mmio *dev, uint64_t offset, uint8_t *data,
			  uint32_t len);
void dev_virtio_mmio_write(struct dev_virtio_mmio *dev, uint64_t offset, const uint8_t *data,
			   uint32_t len);

/* Process queue q now (the QueueNotify work). Call it from the event loop
 * when the ioeventfd for (window base + VIRTIO_MMIO_QUEUE_NOTIFY, datamatch
 * q, 4 bytes) fires. At most work_budget chains are taken per call, so a
 * driver that refills the ring as fast as the device empties it cannot keep
 * the caller (and the other devices, and shutdown) waiting. Returns 0 (done;
 * also when the queue is not live), 1 (the budget was spent with chains
 * left: call again soon, no notification will come for them), -EINVAL (q out
 * of range), or the model's error. */
int dev_virtio_mmio_process_queue(struct dev_virtio_mmio *dev, uint16_t q);
/* For an event loop that polls queue q between notifications (same thread as
 * dev_virtio_mmio_process_queue; the queue lock is taken inside).
 * set_polling: dev_virtq_set_polling on the live queue. pending: 1 when the
 * available ring holds chains, 0 when empty. Both return -ENODEV when the
 * queue is not live (not ready, reset, broken: stop polling it). */
int dev_virtio_mmio_queue_set_polling(struct dev_virtio_mmio *dev, uint16_t q, bool polling);
int dev_virtio_mmio_queue_pending(struct dev_virtio_mmio *dev, uint16_t q);
uint16_t dev_virtio_mmio_num_queues(const struct dev_virtio_mmio *dev);

/* Backend fds the event loop must watch, edge-triggered, for readable and
 * writable (EPOLLIN | EPOLLOUT | EPOLLET): returns how many were stored
 * (at most max). On an event call dev_virtio_mmio_backend_event with the
 * epoll event bits. The models drain until EAGAIN or until they must wait
 * for the guest (then they resume by themselves on the next queue notify),
 * so edge triggering never loses work. 0 or -errno. */
int dev_virtio_mmio_backend_fds(struct dev_virtio_mmio *dev, int *fds, int max);
int dev_virtio_mmio_backend_event(struct dev_virtio_mmio *dev, int fd, uint32_t events);

/* ---- for device models ---- */

/* Lock queue q and return it if the device is DRIVER_OK, not in
 * NEEDS_RESET, and the queue is ready; else NULL (nothing locked).
 * dev_virtio_mmio_queue_release unlocks (and sets NEEDS_RESET if the queue
 * broke meanwhile). */
struct dev_virtq *dev_virtio_mmio_queue_acquire(struct dev_virtio_mmio *dev, uint16_t q);
void dev_virtio_mmio_queue_release(struct dev_virtio_mmio *dev, uint16_t q);
/* After pushing used entries: interrupt the driver if the queue's
 * suppression state allows (call with the queue locked). */
void dev_virtio_mmio_signal_used(struct dev_virtio_mmio *dev, struct dev_virtq *vq);
/* Set DEVICE_NEEDS_RESET (and raise a config interrupt if DRIVER_OK). */
void dev_virtio_mmio_set_needs_reset(struct dev_virtio_mmio *dev);
/* Change config space: fn(priv, arg) runs under the register lock, then the
 * generation counter is bumped and a config interrupt raised (if DRIVER_OK). */
void dev_virtio_mmio_update_config(struct dev_virtio_mmio *dev, void (*fn)(void *priv, void *arg),
				   void *arg);
/* Negotiated features (valid once FEATURES_OK latched), device status.
 * Both lock-free: safe from queue processing. */
uint64_t dev_virtio_mmio_driver_features(struct dev_virtio_mmio *dev);
uint32_t dev_virtio_mmio_status(struct dev_virtio_mmio *dev);
/* The model table and its priv (device-specific accessors use these). */
const struct dev_virtio_model *dev_virtio_mmio_model(const struct dev_virtio_mmio *dev);
void *dev_virtio_mmio_priv(const struct dev_virtio_mmio *dev);

/* Statistics for tests and debugging. */
struct dev_virtio_mmio_stats {
	uint64_t bad_accesses;	 /* register accesses of a wrong size/alignment/offset */
	uint64_t refused_status; /* status writes refused by the state machine */
	uint64_t bad_chains;	 /* malformed chains failed, all queues */
	uint64_t interrupts;	 /* interrupts raised */
};
void dev_virtio_mmio_get_stats(struct dev_virtio_mmio *dev, struct dev_virtio_mmio_stats *out);

#endif
