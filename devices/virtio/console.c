/* virtio-console: one port, bytes between fds and the guest's queues. */
#include "devices/virtio/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#define CON_NIOV 64

struct con {
	struct dev_virtio_mmio *dev;
	int in_fd, out_fd;
	bool own;
	bool in_eof;
	uint64_t tx_skip; /* bytes of the head transmit chain already written */
	struct dev_virtq_chain rx, tx;
	struct iovec rx_iov[CON_NIOV], tx_iov[CON_NIOV];
};

static void con_config_read(void *priv, uint32_t off, uint8_t *data, uint32_t len)
{
}

static void rx_locked(struct con *c, struct dev_virtq *vq)
{
	bool any = false;
	while (c->in_fd >= 0 && !c->in_eof) {
		struct dev_virtq_pos pos = dev_virtq_save(vq);
		int r = dev_virtq_pop(vq, &c->rx);
		if (r <= 0)
			break;
		uint32_t used = 0;
		bool stop = false;
		if (c->rx.nread == 0 && c->rx.write_len) {
			uint64_t cov;
			int n = dev_virtq_chain_iov(vq, &c->rx, true, 0, c->rx.write_len, c->rx_iov,
						    CON_NIOV, &cov);
			ssize_t got = -1;
			if (n > 0) {
				do {
					got = readv(c->in_fd, c->rx_iov, n);
				} while (got < 0 && errno == EINTR);
			}
			if (got > 0) {
				dev_virtq_chain_mark_written(vq, &c->rx, 0, (uint64_t)got);
				used = (uint32_t)got;
			} else if (n > 0 && got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				stop = true;
				if (dev_virtq_rewind(vq, pos) == 0)
					break;
			} else if (n > 0) {
				c->in_eof = true; /* EOF or a hard error: no more input */
				stop = true;
				if (dev_virtq_rewind(vq, pos) == 0)
					break;
			}
		}
		if (dev_virtq_add_used(vq, c->rx.head, used) < 0)
			break;
		any = true;
		if (stop)
			break;
	}
	if (any)
		dev_virtq_publish_used(vq);
	dev_virtio_mmio_signal_used(c->dev, vq);
}

static void tx_locked(struct con *c, struct dev_virtq *vq)
{
	bool any = false;
	for (;;) {
		struct dev_virtq_pos pos = dev_virtq_save(vq);
		int r = dev_virtq_pop(vq, &c->tx);
		if (r <= 0)
			break;
		bool done = true;
		if (c->tx.nseg == c->tx.nread && c->out_fd >= 0 && c->tx_skip < c->tx.read_len) {
			uint64_t cov;
			int n = dev_virtq_chain_iov(vq, &c->tx, false, c->tx_skip,
						    c->tx.read_len - c->tx_skip, c->tx_iov,
						    CON_NIOV, &cov);
			ssize_t put = -1;
			if (n > 0) {
				do {
					put = writev(c->out_fd, c->tx_iov, n);
				} while (put < 0 && errno == EINTR);
			}
			if (put > 0) {
				c->tx_skip += (uint64_t)put;
				done = c->tx_skip >= c->tx.read_len;
			} else if (n > 0 && put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				if (dev_virtq_rewind(vq, pos) == 0)
					break; /* resume on EPOLLOUT */
			}
			/* other errors: drop the output */
		}
		if (!done) {
			if (dev_virtq_rewind(vq, pos) == 0)
				continue; /* partial write: retry the rest now */
		}
		c->tx_skip = 0;
		if (dev_virtq_add_used(vq, c->tx.head, 0) < 0)
			break;
		any = true;
	}
	if (any)
		dev_virtq_publish_used(vq);
	dev_virtio_mmio_signal_used(c->dev, vq);
}

static int con_process(void *priv, uint16_t q, struct dev_virtq *vq)
{
	struct con *c = priv;
	if (q == VIRTIO_CONSOLE_RXQ)
		rx_locked(c, vq);
	else
		tx_locked(c, vq);
	return vq->broken ? -EIO : 0;
}

static void run_queue(struct con *c, uint16_t q)
{
	struct dev_virtq *vq = dev_virtio_mmio_queue_acquire(c->dev, q);
	if (!vq)
		return;
	con_process(c, q, vq);
	dev_virtio_mmio_queue_release(c->dev, q);
}

static int con_backend_event(void *priv, int fd, uint32_t events)
{
	struct con *c = priv;
	if (fd == c->in_fd && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		run_queue(c, VIRTIO_CONSOLE_RXQ);
	if (fd == c->out_fd && (events & (EPOLLOUT | EPOLLERR)))
		run_queue(c, VIRTIO_CONSOLE_TXQ);
	return 0;
}

static int con_backend_fds(void *priv, int *fds, int max)
{
	struct con *c = priv;
	int n = 0;
	if (c->in_fd >= 0 && n < max)
		fds[n++] = c->in_fd;
	if (c->out_fd >= 0 && c->out_fd != c->in_fd && n < max)
		fds[n++] = c->out_fd;
	return n;
}

static void con_reset(void *priv)
{
	struct con *c = priv;
	c->tx_skip = 0;
}

static void con_destroy(void *priv)
{
	struct con *c = priv;
	dev_virtq_chain_fini(&c->rx);
	dev_virtq_chain_fini(&c->tx);
	if (c->own) {
		if (c->in_fd >= 0)
			close(c->in_fd);
		if (c->out_fd >= 0 && c->out_fd != c->in_fd)
			close(c->out_fd);
	}
	free(c);
}

static const struct dev_virtio_model con_model = {
    .device_id = VIRTIO_ID_CONSOLE,
    .num_queues = 2,
    .config_len = VIRTIO_CONSOLE_CFG_LEN,
    .config_read = con_config_read,
    .process = con_process,
    .backend_event = con_backend_event,
    .backend_fds = con_backend_fds,
    .reset = con_reset,
    .destroy = con_destroy,
};

int dev_virtio_console_new(struct dev_virtio_mmio **out, const struct dev_virtio_mmio_config *tc,
			   const struct dev_virtio_console_config *cc)
{
	if (!out || !tc || !cc)
		return -EINVAL;
	if (cc->in_fd >= 0) {
		int fl = fcntl(cc->in_fd, F_GETFL);
		if (fl < 0 || !(fl & O_NONBLOCK))
			return -EINVAL;
	}
	struct con *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->in_fd = cc->in_fd;
	c->out_fd = cc->out_fd;
	c->own = cc->own_fds;
	uint16_t qmax = tc->queue_max ? tc->queue_max : DEV_VIRTIO_QUEUE_MAX_DEFAULT;
	int r = dev_virtq_chain_init(&c->rx, qmax);
	if (r == 0)
		r = dev_virtq_chain_init(&c->tx, qmax);
	if (r == 0)
		r = dev_virtio_mmio_new(&c->dev, tc, &con_model, c);
	if (r < 0) {
		dev_virtq_chain_fini(&c->rx);
		dev_virtq_chain_fini(&c->tx);
		free(c);
		return r;
	}
	*out = c->dev;
	return 0;
}
