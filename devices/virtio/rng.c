/* virtio-rng: fill device-writable buffers from getrandom(). */
#include "devices/virtio/rng.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

struct rng {
	struct dev_virtio_mmio *dev;
	struct dev_virtq_chain chain;
	uint8_t buf[4096];
};

static void rng_config_read(void *priv, uint32_t off, uint8_t *data, uint32_t len)
{
}

static uint32_t fill(struct rng *g, struct dev_virtq *vq)
{
	const struct dev_virtq_chain *c = &g->chain;
	if (c->nread)
		return 0; /* a readable buffer: not an entropy request */
	uint64_t want =
	    c->write_len < DEV_VIRTIO_RNG_MAX_REQ ? c->write_len : DEV_VIRTIO_RNG_MAX_REQ;
	uint64_t done = 0;
	while (done < want) {
		size_t n = want - done < sizeof(g->buf) ? (size_t)(want - done) : sizeof(g->buf);
		ssize_t r = getrandom(g->buf, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (dev_virtq_chain_write(vq, c, done, g->buf, (size_t)r) < 0)
			break;
		done += (uint64_t)r;
	}
	return (uint32_t)done;
}

static int rng_process(void *priv, uint16_t q, struct dev_virtq *vq)
{
	struct rng *g = priv;
	int r;
	bool any = false;
	while ((r = dev_virtq_pop(vq, &g->chain)) > 0) {
		if (dev_virtq_add_used(vq, g->chain.head, fill(g, vq)) < 0)
			return -EIO;
		any = true;
	}
	if (any && dev_virtq_publish_used(vq) < 0)
		return -EIO;
	dev_virtio_mmio_signal_used(g->dev, vq);
	return r < 0 ? -EIO : 0;
}

static void rng_destroy(void *priv)
{
	struct rng *g = priv;
	dev_virtq_chain_fini(&g->chain);
	free(g);
}

static const struct dev_virtio_model rng_model = {
    .device_id = VIRTIO_ID_RNG,
    .num_queues = 1,
    .config_len = 0,
    .config_read = rng_config_read,
    .process = rng_process,
    .destroy = rng_destroy,
};

int dev_virtio_rng_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc)
{
	if (!out || !tc)
		return -EINVAL;
	struct rng *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	int r = dev_virtq_chain_init(&g->chain,
				     tc->queue_max ? tc->queue_max : DEV_VIRTIO_QUEUE_MAX_DEFAULT);
	if (r == 0)
		r = dev_virtio_mmio_new(&g->dev, tc, &rng_model, g);
	if (r < 0) {
		dev_virtq_chain_fini(&g->chain);
		free(g);
		return r;
	}
	*out = g->dev;
	return 0;
}
