/* virtio-mmio transport: register file, status machine, queue plumbing. */
#include "devices/virtio/mmio.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/endian.h>

struct mmio_queue {
	pthread_mutex_t lock;
	struct dev_virtq vq;
};

struct dev_virtio_mmio {
	pthread_mutex_t lock;	       /* registers */
	pthread_mutex_t irq_lock;      /* interrupt status + line level */
	struct dev_virtio_model model; /* copied */
	void *priv;
	struct gm_memory *mem;
	struct dev_irq_line irq;
	uint32_t gsi;
	bool level_irq;
	void (*notify_hook)(void *ctx, struct dev_virtio_mmio *dev, uint16_t q);
	void *notify_ctx;
	uint16_t queue_max;
	uint32_t work_budget; /* 0: the queue's size */
	uint16_t nq;
	struct mmio_queue *q;

	/* register state (lock) */
	uint32_t status; /* __atomic stores: read lock-free by queue code */
	uint32_t dev_feat_sel, drv_feat_sel;
	uint64_t drv_features; /* __atomic stores, lock-free reads */
	uint32_t queue_sel;
	uint32_t shm_sel;
	uint32_t generation;
	/* __atomic */
	uint32_t int_status;
	bool needs_reset;
	uint64_t bad_accesses, refused_status, interrupts;
};

static uint64_t offered(const struct dev_virtio_mmio *dev)
{
	return dev->model.features | VIRTIO_BIT(VIRTIO_F_VERSION_1) |
	       VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
}

int dev_virtio_mmio_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *cfg,
			const struct dev_virtio_model *model, void *priv)
{
	if (!out || !cfg || !cfg->mem || !model || !model->process || !model->config_read ||
	    model->num_queues == 0)
		return -EINVAL;
	uint32_t qmax = cfg->queue_max ? cfg->queue_max : DEV_VIRTIO_QUEUE_MAX_DEFAULT;
	if (qmax > DEV_VIRTIO_QUEUE_MAX_LIMIT || (qmax & (qmax - 1)))
		return -EINVAL;
	if (model->config_len > DEV_VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG)
		return -EINVAL;
	if (cfg->level_irq ? !cfg->irq.set_level : !cfg->irq.trigger)
		return -EINVAL;
	struct dev_virtio_mmio *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->q = calloc(model->num_queues, sizeof(*dev->q));
	if (!dev->q) {
		free(dev);
		return -ENOMEM;
	}
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->irq_lock, NULL);
	dev->model = *model;
	dev->priv = priv;
	dev->mem = gm_memory_get(cfg->mem);
	dev->irq = cfg->irq;
	dev->gsi = cfg->gsi;
	dev->level_irq = cfg->level_irq;
	dev->notify_hook = cfg->notify_hook;
	dev->notify_ctx = cfg->notify_ctx;
	dev->work_budget = cfg->work_budget;
	dev->queue_max = (uint16_t)qmax;
	dev->nq = model->num_queues;
	for (uint16_t i = 0; i < dev->nq; i++) {
		pthread_mutex_init(&dev->q[i].lock, NULL);
		dev_virtq_init(&dev->q[i].vq, dev->queue_max, dev->mem);
	}
	*out = dev;
	return 0;
}

void dev_virtio_mmio_free(struct dev_virtio_mmio *dev)
{
	if (!dev)
		return;
	if (dev->model.destroy)
		dev->model.destroy(dev->priv);
	for (uint16_t i = 0; i < dev->nq; i++)
		pthread_mutex_destroy(&dev->q[i].lock);
	free(dev->q);
	gm_memory_put(dev->mem);
	pthread_mutex_destroy(&dev->irq_lock);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

static void op_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len)
{
	dev_virtio_mmio_read(priv, offset, data, len);
}
static void op_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len)
{
	dev_virtio_mmio_write(priv, offset, data, len);
}
const struct dev_ops dev_virtio_mmio_ops = {.read = op_read, .write = op_write, .release = NULL};

/* ---- interrupts ---- */

static void raise_irq(struct dev_virtio_mmio *dev, uint32_t bits)
{
	pthread_mutex_lock(&dev->irq_lock);
	uint32_t old = __atomic_fetch_or(&dev->int_status, bits, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&dev->interrupts, 1, __ATOMIC_RELAXED);
	if (dev->level_irq) {
		if (old == 0)
			dev->irq.set_level(dev->irq.ctx, dev->gsi, 1);
	} else {
		dev->irq.trigger(dev->irq.ctx, dev->gsi);
	}
	pthread_mutex_unlock(&dev->irq_lock);
}

static void ack_irq(struct dev_virtio_mmio *dev, uint32_t bits)
{
	pthread_mutex_lock(&dev->irq_lock);
	uint32_t old = __atomic_fetch_and(&dev->int_status, ~bits, __ATOMIC_SEQ_CST);
	if (dev->level_irq && old != 0 && (old & ~bits) == 0)
		dev->irq.set_level(dev->irq.ctx, dev->gsi, 0);
	pthread_mutex_unlock(&dev->irq_lock);
}

static uint32_t load_status(struct dev_virtio_mmio *dev)
{
	return __atomic_load_n(&dev->status, __ATOMIC_ACQUIRE);
}

void dev_virtio_mmio_set_needs_reset(struct dev_virtio_mmio *dev)
{
	if (__atomic_exchange_n(&dev->needs_reset, true, __ATOMIC_SEQ_CST))
		return;
	if (load_status(dev) & VIRTIO_STATUS_DRIVER_OK)
		raise_irq(dev, VIRTIO_MMIO_INT_CONFIG);
}

void dev_virtio_mmio_signal_used(struct dev_virtio_mmio *dev, struct dev_virtq *vq)
{
	if (dev_virtq_should_notify(vq))
		raise_irq(dev, VIRTIO_MMIO_INT_VRING);
}

/* ---- queues ---- */

struct dev_virtq *dev_virtio_mmio_queue_acquire(struct dev_virtio_mmio *dev, uint16_t q)
{
	if (q >= dev->nq)
		return NULL;
	pthread_mutex_lock(&dev->q[q].lock);
	struct dev_virtq *vq = &dev->q[q].vq;
	if ((load_status(dev) & VIRTIO_STATUS_DRIVER_OK) && vq->ready && !vq->broken &&
	    !__atomic_load_n(&dev->needs_reset, __ATOMIC_ACQUIRE))
		return vq;
	pthread_mutex_unlock(&dev->q[q].lock);
	return NULL;
}

void dev_virtio_mmio_queue_release(struct dev_virtio_mmio *dev, uint16_t q)
{
	bool broken = dev->q[q].vq.broken;
	pthread_mutex_unlock(&dev->q[q].lock);
	if (broken)
		dev_virtio_mmio_set_needs_reset(dev);
}

int dev_virtio_mmio_process_queue(struct dev_virtio_mmio *dev, uint16_t q)
{
	if (q >= dev->nq)
		return -EINVAL;
	struct dev_virtq *vq = dev_virtio_mmio_queue_acquire(dev, q);
	if (!vq)
		return 0;
	vq->budget = dev->work_budget ? dev->work_budget : vq->num;
	vq->budget_hit = false;
	int r = dev->model.process(dev->priv, q, vq);
	if (r == -EIO)
		vq->broken = true;
	if (r == 0 && vq->budget_hit)
		r = 1;
	vq->budget = DEV_VIRTQ_NO_BUDGET; /* backend events pop without one */
	dev_virtio_mmio_queue_release(dev, q);
	return r;
}

int dev_virtio_mmio_queue_set_polling(struct dev_virtio_mmio *dev, uint16_t q, bool polling)
{
	struct dev_virtq *vq = dev_virtio_mmio_queue_acquire(dev, q);
	if (!vq)
		return -ENODEV;
	int r = dev_virtq_set_polling(vq, polling) < 0 ? -ENODEV : 0;
	dev_virtio_mmio_queue_release(dev, q);
	return r;
}

int dev_virtio_mmio_queue_pending(struct dev_virtio_mmio *dev, uint16_t q)
{
	struct dev_virtq *vq = dev_virtio_mmio_queue_acquire(dev, q);
	if (!vq)
		return -ENODEV;
	int r = dev_virtq_has_avail(vq) ? 1 : 0;
	dev_virtio_mmio_queue_release(dev, q);
	return r;
}

uint16_t dev_virtio_mmio_num_queues(const struct dev_virtio_mmio *dev)
{
	return dev->nq;
}

const struct dev_virtio_model *dev_virtio_mmio_model(const struct dev_virtio_mmio *dev)
{
	return &dev->model;
}
void *dev_virtio_mmio_priv(const struct dev_virtio_mmio *dev)
{
	return dev->priv;
}

int dev_virtio_mmio_backend_fds(struct dev_virtio_mmio *dev, int *fds, int max)
{
	if (!dev->model.backend_fds)
		return 0;
	return dev->model.backend_fds(dev->priv, fds, max);
}

int dev_virtio_mmio_backend_event(struct dev_virtio_mmio *dev, int fd, uint32_t events)
{
	if (!dev->model.backend_event)
		return 0;
	return dev->model.backend_event(dev->priv, fd, events);
}

/* ---- status machine ---- */

/* Every queue lock is taken (index order) after the register lock. */
static void reset_locked(struct dev_virtio_mmio *dev)
{
	for (uint16_t i = 0; i < dev->nq; i++)
		pthread_mutex_lock(&dev->q[i].lock);
	__atomic_store_n(&dev->status, 0, __ATOMIC_RELEASE);
	for (uint16_t i = 0; i < dev->nq; i++)
		dev_virtq_reset(&dev->q[i].vq);
	if (dev->model.reset)
		dev->model.reset(dev->priv);
	__atomic_store_n(&dev->needs_reset, false, __ATOMIC_RELEASE);
	for (uint16_t i = dev->nq; i-- > 0;)
		pthread_mutex_unlock(&dev->q[i].lock);
	dev->dev_feat_sel = dev->drv_feat_sel = 0;
	__atomic_store_n(&dev->drv_features, 0, __ATOMIC_RELEASE);
	dev->queue_sel = 0;
	dev->shm_sel = 0;
	ack_irq(dev, ~0u);
}

static bool features_ok(const struct dev_virtio_mmio *dev)
{
	uint64_t f = dev->drv_features;
	return (f & ~offered(dev)) == 0 && (f & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

static void write_status(struct dev_virtio_mmio *dev, uint32_t v)
{
	if (v == 0) {
		reset_locked(dev);
		return;
	}
	uint32_t old = load_status(dev);
	/* NEEDS_RESET is the device's bit: ignore what the driver echoes. */
	v &= ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	uint32_t added = v & ~old;
	uint32_t steps = added & ~VIRTIO_STATUS_FAILED;
	bool ok = (old & ~v) == 0; /* no bit cleared */
	if (ok && steps) {
		/* exactly one step, and its predecessor already set */
		switch (steps) {
		case VIRTIO_STATUS_ACKNOWLEDGE:
			ok = true;
			break;
		case VIRTIO_STATUS_DRIVER:
			ok = old & VIRTIO_STATUS_ACKNOWLEDGE;
			break;
		case VIRTIO_STATUS_FEATURES_OK:
			ok = (old & VIRTIO_STATUS_DRIVER) && features_ok(dev);
			break;
		case VIRTIO_STATUS_DRIVER_OK:
			ok = old & VIRTIO_STATUS_FEATURES_OK;
			break;
		default:
			ok = false;
			break;
		}
	}
	if (!ok) {
		__atomic_fetch_add(&dev->refused_status, 1, __ATOMIC_RELAXED);
		return;
	}
	if (steps == VIRTIO_STATUS_FEATURES_OK) {
		bool ev = dev->drv_features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
		bool ind = dev->drv_features & VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
		for (uint16_t i = 0; i < dev->nq; i++) {
			pthread_mutex_lock(&dev->q[i].lock);
			dev->q[i].vq.event_idx = ev;
			dev->q[i].vq.indirect = ind;
			pthread_mutex_unlock(&dev->q[i].lock);
		}
	}
	__atomic_store_n(&dev->status, v, __ATOMIC_RELEASE);
	if (steps == VIRTIO_STATUS_DRIVER_OK && dev->model.activate)
		dev->model.activate(dev->priv);
}

/* ---- register file ---- */


static bool config_access_ok(const struct dev_virtio_mmio *dev, uint64_t offset, uint32_t len)
{
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	uint64_t off = offset - VIRTIO_MMIO_CONFIG;
	return off < dev->model.config_len && len <= dev->model.config_len - off;
}

static struct mmio_queue *sel_queue(struct dev_virtio_mmio *dev)
{
	return dev->queue_sel < dev->nq ? &dev->q[dev->queue_sel] : NULL;
}

static uint32_t read_reg(struct dev_virtio_mmio *dev, uint64_t offset)
{
	struct mmio_queue *mq;
	uint64_t f;
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev->model.device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return DEV_VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		f = offered(dev);
		return dev->dev_feat_sel == 0	? (uint32_t)f
		       : dev->dev_feat_sel == 1 ? (uint32_t)(f >> 32)
						: 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return sel_queue(dev) ? dev->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		mq = sel_queue(dev);
		if (!mq)
			return 0;
		pthread_mutex_lock(&mq->lock);
		f = mq->vq.ready;
		pthread_mutex_unlock(&mq->lock);
		return (uint32_t)f;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return __atomic_load_n(&dev->int_status, __ATOMIC_SEQ_CST);
	case VIRTIO_MMIO_STATUS:
		return dev_virtio_mmio_status(dev);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffffu; /* no shared memory regions */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return dev->generation;
	default:
		return 0;
	}
}

static void set_addr_half(uint64_t *a, bool high, uint32_t v)
{
	if (high)
		*a = (*a & 0xffffffffull) | (uint64_t)v << 32;
	else
		*a = (*a & ~0xffffffffull) | v;
}

static bool queue_setup_allowed(struct dev_virtio_mmio *dev)
{
	uint32_t s = load_status(dev);
	return (s & VIRTIO_STATUS_FEATURES_OK) && !(s & VIRTIO_STATUS_DRIVER_OK) &&
	       !(s & VIRTIO_STATUS_FAILED);
}

/* Returns the queue index to notify, or -1. */
static int write_reg(struct dev_virtio_mmio *dev, uint64_t offset, uint32_t v)
{
	struct mmio_queue *mq;
	uint32_t s = load_status(dev);
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->dev_feat_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->drv_feat_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (!(s & VIRTIO_STATUS_DRIVER) || (s & VIRTIO_STATUS_FEATURES_OK))
			break;
		if (dev->drv_feat_sel == 0)
			__atomic_store_n(&dev->drv_features,
					 (dev->drv_features & ~0xffffffffull) | v,
					 __ATOMIC_RELEASE);
		else if (dev->drv_feat_sel == 1)
			__atomic_store_n(&dev->drv_features,
					 (dev->drv_features & 0xffffffffull) | (uint64_t)v << 32,
					 __ATOMIC_RELEASE);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		mq = sel_queue(dev);
		if (!mq || !queue_setup_allowed(dev))
			break;
		pthread_mutex_lock(&mq->lock);
		if (!mq->vq.ready) {
			switch (offset) {
			case VIRTIO_MMIO_QUEUE_NUM:
				mq->vq.num = v > 0xffff ? 0 : (uint16_t)v;
				break;
			case VIRTIO_MMIO_QUEUE_DESC_LOW:
			case VIRTIO_MMIO_QUEUE_DESC_HIGH:
				set_addr_half(&mq->vq.desc_addr, offset & 4, v);
				break;
			case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
			case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
				set_addr_half(&mq->vq.avail_addr, offset & 4, v);
				break;
			default:
				set_addr_half(&mq->vq.used_addr, offset & 4, v);
				break;
			}
		}
		pthread_mutex_unlock(&mq->lock);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		mq = sel_queue(dev);
		if (!mq)
			break;
		pthread_mutex_lock(&mq->lock);
		if (v == 0) {
			mq->vq.ready = false;
		} else if (v == 1 && !mq->vq.ready && queue_setup_allowed(dev) &&
			   dev_virtq_check_config(&mq->vq) == 0) {
			dev_virtq_restart(&mq->vq);
			mq->vq.ready = true;
		}
		pthread_mutex_unlock(&mq->lock);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v < dev->nq && (s & VIRTIO_STATUS_DRIVER_OK))
			return (int)v;
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		ack_irq(dev, v);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(dev, v);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		dev->shm_sel = v;
		break;
	default:
		__atomic_fetch_add(&dev->bad_accesses, 1, __ATOMIC_RELAXED);
		break;
	}
	return -1;
}

void dev_virtio_mmio_read(struct dev_virtio_mmio *dev, uint64_t offset, uint8_t *data, uint32_t len)
{
	memset(data, 0, len);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (!config_access_ok(dev, offset, len)) {
			__atomic_fetch_add(&dev->bad_accesses, 1, __ATOMIC_RELAXED);
			return;
		}
		pthread_mutex_lock(&dev->lock);
		dev->model.config_read(dev->priv, (uint32_t)(offset - VIRTIO_MMIO_CONFIG), data,
				       len);
		pthread_mutex_unlock(&dev->lock);
		return;
	}
	if (len != 4 || (offset & 3)) {
		__atomic_fetch_add(&dev->bad_accesses, 1, __ATOMIC_RELAXED);
		return;
	}
	pthread_mutex_lock(&dev->lock);
	uint32_t v = read_reg(dev, offset);
	pthread_mutex_unlock(&dev->lock);
	gm_put_le32(data, v);
}

void dev_virtio_mmio_write(struct dev_virtio_mmio *dev, uint64_t offset, const uint8_t *data,
			   uint32_t len)
{
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (!config_access_ok(dev, offset, len) || !dev->model.config_write) {
			__atomic_fetch_add(&dev->bad_accesses, 1, __ATOMIC_RELAXED);
			return;
		}
		pthread_mutex_lock(&dev->lock);
		dev->model.config_write(dev->priv, (uint32_t)(offset - VIRTIO_MMIO_CONFIG), data,
					len);
		pthread_mutex_unlock(&dev->lock);
		return;
	}
	if (len != 4 || (offset & 3)) {
		__atomic_fetch_add(&dev->bad_accesses, 1, __ATOMIC_RELAXED);
		return;
	}
	pthread_mutex_lock(&dev->lock);
	int q = write_reg(dev, offset, gm_get_le32(data));
	pthread_mutex_unlock(&dev->lock);
	if (q < 0)
		return;
	if (dev->notify_hook)
		dev->notify_hook(dev->notify_ctx, dev, (uint16_t)q);
	else /* on the guest's own vCPU: it waits for its own requests */
		while (dev_virtio_mmio_process_queue(dev, (uint16_t)q) == 1)
			;
}

void dev_virtio_mmio_update_config(struct dev_virtio_mmio *dev, void (*fn)(void *priv, void *arg),
				   void *arg)
{
	pthread_mutex_lock(&dev->lock);
	if (fn)
		fn(dev->priv, arg);
	dev->generation++;
	bool live = load_status(dev) & VIRTIO_STATUS_DRIVER_OK;
	pthread_mutex_unlock(&dev->lock);
	if (live)
		raise_irq(dev, VIRTIO_MMIO_INT_CONFIG);
}

uint64_t dev_virtio_mmio_driver_features(struct dev_virtio_mmio *dev)
{
	/* Lock-free: queue code (holding a queue lock) calls this, and the
	 * register lock must never be taken after a queue lock. */
	return __atomic_load_n(&dev->drv_features, __ATOMIC_ACQUIRE);
}

uint32_t dev_virtio_mmio_status(struct dev_virtio_mmio *dev)
{
	return load_status(dev) | (__atomic_load_n(&dev->needs_reset, __ATOMIC_ACQUIRE)
				       ? VIRTIO_STATUS_DEVICE_NEEDS_RESET
				       : 0);
}

void dev_virtio_mmio_get_stats(struct dev_virtio_mmio *dev, struct dev_virtio_mmio_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->bad_accesses = __atomic_load_n(&dev->bad_accesses, __ATOMIC_RELAXED);
	out->refused_status = __atomic_load_n(&dev->refused_status, __ATOMIC_RELAXED);
	out->interrupts = __atomic_load_n(&dev->interrupts, __ATOMIC_RELAXED);
	for (uint16_t i = 0; i < dev->nq; i++) {
		pthread_mutex_lock(&dev->q[i].lock);
		out->bad_chains += dev->q[i].vq.bad_chains;
		pthread_mutex_unlock(&dev->q[i].lock);
	}
}
