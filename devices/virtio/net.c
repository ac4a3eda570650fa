/* virtio-net over a tap fd: TX chains -> writev, tap reads -> RX buffers. */
#include "devices/virtio/net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <vmm-mem/endian.h>

#define NET_IOV_MAX 1024  /* the kernel's UIO_MAXIOV */
#define NET_MAX_MERGE 128 /* buffers per received frame */

struct net {
	struct dev_virtio_mmio *dev;
	int fd;
	unsigned tap_hdr;
	uint8_t cfg[VIRTIO_NET_CFG_LEN];
	/* TX (TX queue lock) */
	struct dev_virtq_chain tx;
	struct iovec *tx_iov;
	int tx_niov;
	/* RX (RX queue lock) */
	struct dev_virtq_chain first, cur;
	bool pending; /* pkt holds a frame not yet delivered */
	size_t pending_len;
	uint8_t pkt[VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME];
	uint8_t tap_scratch[VIRTIO_NET_HDR_LEN];
	/* statistics (__atomic) */
	struct dev_virtio_net_stats st;
};

static void stat_inc(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void net_config_read(void *priv, uint32_t off, uint8_t *data, uint32_t len)
{
	struct net *n = priv;
	memcpy(data, n->cfg + off, len);
}

static bool mrg(struct net *n)
{
	return dev_virtio_mmio_driver_features(n->dev) & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
}

/* ---- TX ---- */

static void tx_locked(struct net *n, struct dev_virtq *vq)
{
	static const uint8_t zero_hdr[VIRTIO_NET_HDR_LEN];
	bool any = false;
	for (;;) {
		struct dev_virtq_pos pos = dev_virtq_save(vq);
		int r = dev_virtq_pop(vq, &n->tx);
		if (r <= 0)
			break;
		const struct dev_virtq_chain *c = &n->tx;
		bool sent = false;
		if (c->nseg == c->nread && c->read_len >= VIRTIO_NET_HDR_LEN &&
		    c->read_len - VIRTIO_NET_HDR_LEN <= VIRTIO_NET_MAX_FRAME) {
			int k = 0;
			if (n->tap_hdr) {
				n->tx_iov[0].iov_base = (void *)zero_hdr;
				n->tx_iov[0].iov_len = n->tap_hdr;
				k = 1;
			}
			uint64_t len = c->read_len - VIRTIO_NET_HDR_LEN, cov = 0;
			int m = len ? dev_virtq_chain_iov(vq, c, false, VIRTIO_NET_HDR_LEN, len,
							  n->tx_iov + k, n->tx_niov - k, &cov)
				    : 0;
			if (m >= 0 && cov == len) {
				ssize_t w;
				do {
					w = writev(n->fd, n->tx_iov, k + m);
				} while (w < 0 && errno == EINTR);
				if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
				    dev_virtq_rewind(vq, pos) == 0)
					break; /* the tap is full: retry on EPOLLOUT */
				sent = w >= 0;
			}
		}
		stat_inc(sent ? &n->st.tx_frames : &n->st.tx_dropped);
		if (dev_virtq_add_used(vq, c->head, 0) < 0)
			break;
		any = true;
	}
	if (any)
		dev_virtq_publish_used(vq);
	dev_virtio_mmio_signal_used(n->dev, vq);
}

/* ---- RX ---- */

/* Read one frame from the tap into pkt (after room for the guest header).
 * true if a frame is now pending. */
static bool read_frame(struct net *n)
{
	struct iovec iov[2];
	int k = 0;
	if (n->tap_hdr) {
		iov[k].iov_base = n->tap_scratch;
		iov[k++].iov_len = n->tap_hdr;
	}
	iov[k].iov_base = n->pkt + VIRTIO_NET_HDR_LEN;
	iov[k++].iov_len = VIRTIO_NET_MAX_FRAME;
	for (;;) {
		ssize_t r = readv(n->fd, iov, k);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false; /* EAGAIN (or an error): nothing now */
		if ((size_t)r < n->tap_hdr) {
			stat_inc(&n->st.rx_dropped);
			continue;
		}
		n->pending_len = (size_t)r - n->tap_hdr;
		n->pending = true;
		return true;
	}
}

enum deliver { DELIVERED, DROPPED, NO_BUFFERS };

/* Copy part of pkt into a chain's writable stream. */
static int fill(struct dev_virtq *vq, const struct dev_virtq_chain *c, const uint8_t *src,
		uint64_t len)
{
	return dev_virtq_chain_write(vq, c, 0, src, (size_t)len);
}

static enum deliver deliver(struct net *n, struct dev_virtq *vq)
{
	uint64_t total = VIRTIO_NET_HDR_LEN + n->pending_len;
	bool merge = mrg(n);
	memset(n->pkt, 0, VIRTIO_NET_HDR_LEN);
	struct dev_virtq_pos pos = dev_virtq_save(vq);

	int r = dev_virtq_pop(vq, &n->first);
	if (r <= 0)
		return NO_BUFFERS;
	if (n->first.nread) { /* wrong direction */
		dev_virtq_add_used(vq, n->first.head, 0);
		return DROPPED;
	}
	if (!merge) {
		if (n->first.write_len < total) {
			/* too small for this frame: drop the frame, keep the buffer */
			if (dev_virtq_rewind(vq, pos) < 0)
				dev_virtq_add_used(vq, n->first.head, 0);
			return DROPPED;
		}
		gm_put_le16(n->pkt + VIRTIO_NET_HDR_NUM_BUFFERS, 1);
		if (fill(vq, &n->first, n->pkt, total) < 0) {
			dev_virtq_add_used(vq, n->first.head, 0);
			return DROPPED;
		}
		dev_virtq_add_used(vq, n->first.head, (uint32_t)total);
		return DELIVERED;
	}

	/* Mergeable: the first chain must hold the header. Gather chains,
	 * copying as we go; the used entries are added only once the frame is
	 * complete, so a rewind leaves no trace the driver can see. */
	if (n->first.write_len < VIRTIO_NET_HDR_LEN) {
		dev_virtq_add_used(vq, n->first.head, 0);
		return DROPPED;
	}
	uint64_t first_len = n->first.write_len < total ? n->first.write_len : total;
	uint64_t off = first_len;
	uint16_t nbuf = 1;
	/* heads and lengths of the chains after the first */
	uint16_t heads[NET_MAX_MERGE];
	uint32_t lens[NET_MAX_MERGE];
	while (off < total) {
		if (nbuf > NET_MAX_MERGE) /* buffers too small: drop the frame */
			goto fail;
		r = dev_virtq_pop(vq, &n->cur);
		if (r <= 0) {
			if (dev_virtq_rewind(vq, pos) == 0)
				return NO_BUFFERS;
			goto fail; /* a malformed chain was completed meanwhile */
		}
		if (n->cur.nread || n->cur.write_len == 0) {
			dev_virtq_add_used(vq, n->cur.head, 0);
			goto fail;
		}
		uint64_t take = total - off < n->cur.write_len ? total - off : n->cur.write_len;
		if (fill(vq, &n->cur, n->pkt + off, take) < 0) {
			dev_virtq_add_used(vq, n->cur.head, 0);
			goto fail;
		}
		heads[nbuf - 1] = n->cur.head;
		lens[nbuf - 1] = (uint32_t)take;
		nbuf++;
		off += take;
	}
	gm_put_le16(n->pkt + VIRTIO_NET_HDR_NUM_BUFFERS, nbuf);
	if (fill(vq, &n->first, n->pkt, first_len) < 0)
		goto fail;
	dev_virtq_add_used(vq, n->first.head, (uint32_t)first_len);
	for (uint16_t i = 0; i + 1 < nbuf; i++)
		dev_virtq_add_used(vq, heads[i], lens[i]);
	return DELIVERED;
fail:
	/* Give every gathered chain back to the driver empty. */
	dev_virtq_add_used(vq, n->first.head, 0);
	for (uint16_t i = 0; i + 1 < nbuf; i++)
		dev_virtq_add_used(vq, heads[i], 0);
	return DROPPED;
}

static void rx_locked(struct net *n, struct dev_virtq *vq)
{
	uint16_t before = vq->used_idx;
	for (;;) {
		if (!n->pending && !read_frame(n))
			break;
		enum deliver d = deliver(n, vq);
		if (d == NO_BUFFERS)
			break; /* keep the frame; resume on RX notify */
		n->pending = false;
		stat_inc(d == DELIVERED ? &n->st.rx_frames : &n->st.rx_dropped);
		if (vq->broken)
			break;
	}
	if (vq->used_idx != before)
		dev_virtq_publish_used(vq);
	dev_virtio_mmio_signal_used(n->dev, vq);
}

static int net_process(void *priv, uint16_t q, struct dev_virtq *vq)
{
	struct net *n = priv;
	if (q == VIRTIO_NET_RXQ)
		rx_locked(n, vq);
	else
		tx_locked(n, vq);
	return vq->broken ? -EIO : 0;
}

static void run_queue(struct net *n, uint16_t q)
{
	struct dev_virtq *vq = dev_virtio_mmio_queue_acquire(n->dev, q);
	if (!vq)
		return;
	net_process(n, q, vq);
	dev_virtio_mmio_queue_release(n->dev, q);
}

static int net_backend_event(void *priv, int fd, uint32_t events)
{
	struct net *n = priv;
	if (fd != n->fd)
		return 0;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		run_queue(n, VIRTIO_NET_RXQ);
	if (events & EPOLLOUT)
		run_queue(n, VIRTIO_NET_TXQ);
	return 0;
}

static int net_backend_fds(void *priv, int *fds, int max)
{
	struct net *n = priv;
	if (max < 1)
		return 0;
	fds[0] = n->fd;
	return 1;
}

static void net_reset(void *priv)
{
	struct net *n = priv;
	n->pending = false; /* the frame is lost with the device state */
}

static void net_destroy(void *priv)
{
	struct net *n = priv;
	dev_virtq_chain_fini(&n->tx);
	dev_virtq_chain_fini(&n->first);
	dev_virtq_chain_fini(&n->cur);
	free(n->tx_iov);
	close(n->fd);
	free(n);
}

static const struct dev_virtio_model net_model = {
    .device_id = VIRTIO_ID_NET,
    .features = VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
		VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF),
    .num_queues = 2,
    .config_len = VIRTIO_NET_CFG_LEN,
    .config_read = net_config_read,
    .process = net_process,
    .backend_event = net_backend_event,
    .backend_fds = net_backend_fds,
    .reset = net_reset,
    .destroy = net_destroy,
};

int dev_virtio_net_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc,
		       const struct dev_virtio_net_config *nc)
{
	if (!out || !tc || !nc || nc->tap_fd < 0)
		return -EINVAL;
	if (nc->vnet_hdr_len != 0 && nc->vnet_hdr_len != 10 && nc->vnet_hdr_len != 12)
		return -EINVAL;
	int fl = fcntl(nc->tap_fd, F_GETFL);
	if (fl < 0 || !(fl & O_NONBLOCK))
		return -EINVAL;
	struct net *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->fd = nc->tap_fd;
	n->tap_hdr = nc->vnet_hdr_len;
	memcpy(n->cfg, nc->mac, 6);
	gm_put_le16(n->cfg + 6, VIRTIO_NET_S_LINK_UP);
	gm_put_le16(n->cfg + 8, 1);
	uint16_t qmax = tc->queue_max ? tc->queue_max : DEV_VIRTIO_QUEUE_MAX_DEFAULT;
	n->tx_niov = qmax + 1 > NET_IOV_MAX ? NET_IOV_MAX : qmax + 1;
	n->tx_iov = calloc((size_t)n->tx_niov, sizeof(*n->tx_iov));
	int r = n->tx_iov ? 0 : -ENOMEM;
	if (r == 0)
		r = dev_virtq_chain_init(&n->tx, qmax);
	if (r == 0)
		r = dev_virtq_chain_init(&n->first, qmax);
	if (r == 0)
		r = dev_virtq_chain_init(&n->cur, qmax);
	if (r == 0)
		r = dev_virtio_mmio_new(&n->dev, tc, &net_model, n);
	if (r < 0) {
		dev_virtq_chain_fini(&n->tx);
		dev_virtq_chain_fini(&n->first);
		dev_virtq_chain_fini(&n->cur);
		free(n->tx_iov);
		free(n);
		return r;
	}
	*out = n->dev;
	return 0;
}

int dev_virtio_net_get_stats(struct dev_virtio_mmio *dev, struct dev_virtio_net_stats *out)
{
	if (dev_virtio_mmio_model(dev)->process != net_process)
		return -EINVAL;
	struct net *n = dev_virtio_mmio_priv(dev);
	out->tx_frames = __atomic_load_n(&n->st.tx_frames, __ATOMIC_RELAXED);
	out->tx_dropped = __atomic_load_n(&n->st.tx_dropped, __ATOMIC_RELAXED);
	out->rx_frames = __atomic_load_n(&n->st.rx_frames, __ATOMIC_RELAXED);
	out->rx_dropped = __atomic_load_n(&n->st.rx_dropped, __ATOMIC_RELAXED);
	return 0;
}
