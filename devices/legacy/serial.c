/* 8250/16550A UART model: see serial.h. */
#include "devices/legacy/serial.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
	REG_DATA = 0, /* RBR / THR, DLL when DLAB */
	REG_IER = 1,  /* DLM when DLAB */
	REG_IIR = 2,  /* FCR on write */
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDA 0x01
#define IER_THRE 0x02
#define IER_MASK 0x0f
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

struct dev_serial {
	pthread_mutex_t lock;
	struct dev_serial_config cfg;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending; /* THR-empty interrupt not yet acknowledged */
	bool irq_level;
	uint8_t fifo[DEV_SERIAL_FIFO];
	size_t head, count;
};

int dev_serial_new(struct dev_serial **out, const struct dev_serial_config *cfg)
{
	if (!out || !cfg)
		return -EINVAL;
	struct dev_serial *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return -ENOMEM;
	}
	s->cfg = *cfg;
	s->dll = 0x0c; /* 9600 baud, as after a reset */
	s->mcr = 0x08; /* OUT2 */
	*out = s;
	return 0;
}

void dev_serial_free(struct dev_serial *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Interrupt identification by priority: received data, then THR empty. */
static uint8_t iir_locked(const struct dev_serial *s)
{
	if ((s->ier & IER_RDA) && s->count > 0)
		return IIR_RDA;
	if ((s->ier & IER_THRE) && s->thre_pending)
		return IIR_THRE;
	return IIR_NONE;
}

/* Recompute the line and signal a change. Done under the lock so that two
 * threads cannot deliver an assert and a deassert out of order. */
static void irq_update_locked(struct dev_serial *s)
{
	bool level = iir_locked(s) != IIR_NONE;
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->cfg.irq.set_level)
		s->cfg.irq.set_level(s->cfg.irq.ctx, s->cfg.gsi, level);
}

static size_t fifo_push_locked(struct dev_serial *s, const uint8_t *buf, size_t n)
{
	size_t done = 0;
	while (done < n && s->count < DEV_SERIAL_FIFO) {
		s->fifo[(s->head + s->count) % DEV_SERIAL_FIFO] = buf[done++];
		s->count++;
	}
	return done;
}

static uint8_t read_reg_locked(struct dev_serial *s, uint64_t off)
{
	switch (off) {
	case REG_DATA:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (s->count == 0)
			return 0;
		else {
			uint8_t b = s->fifo[s->head];
			s->head = (s->head + 1) % DEV_SERIAL_FIFO;
			s->count--;
			return b;
		}
	case REG_IER:
		return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
	case REG_IIR: {
		uint8_t iir = iir_locked(s);
		if (iir == IIR_THRE)
			s->thre_pending = false; /* reading IIR acknowledges THR empty */
		return (uint8_t)(iir | ((s->fcr & FCR_ENABLE) ? IIR_FIFO : 0));
	}
	case REG_LCR:
		return s->lcr;
	case REG_MCR:
		return s->mcr;
	case REG_LSR:
		return (uint8_t)(LSR_THRE | LSR_TEMT | (s->count ? LSR_DR : 0));
	case REG_MSR:
		if (s->mcr & MCR_LOOP) {
			/* loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD */
			return (uint8_t)(((s->mcr & 0x02) ? MSR_CTS : 0) | ((s->mcr & 0x01) ? MSR_DSR : 0) |
			                 ((s->mcr & 0x04) ? MSR_RI : 0) | ((s->mcr & 0x08) ? MSR_DCD : 0));
		}
		return MSR_DCD | MSR_DSR | MSR_CTS;
	case REG_SCR:
		return s->scr;
	default:
		return 0xff;
	}
}

/* Returns true when a byte is to be transmitted (in *tx). */
static bool write_reg_locked(struct dev_serial *s, uint64_t off, uint8_t v, uint8_t *tx)
{
	switch (off) {
	case REG_DATA:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			return false;
		}
		s->thre_pending = true; /* transmission is instantaneous */
		if (s->mcr & MCR_LOOP) {
			fifo_push_locked(s, &v, 1);
			return false;
		}
		*tx = v;
		return true;
	case REG_IER:
		if (s->lcr & LCR_DLAB)
			s->dlm = v;
		else {
			/* Enabling the THRE interrupt with the THR empty raises it at once. */
			if ((v & IER_THRE) && !(s->ier & IER_THRE))
				s->thre_pending = true;
			s->ier = v & IER_MASK;
		}
		return false;
	case REG_IIR: /* FCR */
		s->fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX) {
			s->head = 0;
			s->count = 0;
		}
		return false;
	case REG_LCR:
		s->lcr = v;
		return false;
	case REG_MCR:
		s->mcr = v & MCR_MASK;
		return false;
	case REG_SCR:
		s->scr = v;
		return false;
	default: /* LSR and MSR are read-only */
		return false;
	}
}

void dev_serial_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct dev_serial *s = priv;
	pthread_mutex_lock(&s->lock);
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < DEV_SERIAL_NPORTS ? read_reg_locked(s, offset + i) : 0xff;
	irq_update_locked(s);
	pthread_mutex_unlock(&s->lock);
}

void dev_serial_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct dev_serial *s = priv;
	for (uint32_t i = 0; i < len; i++) {
		if (offset + i >= DEV_SERIAL_NPORTS)
			break;
		uint8_t tx = 0;
		pthread_mutex_lock(&s->lock);
		bool send = write_reg_locked(s, offset + i, data[i], &tx);
		irq_update_locked(s);
		pthread_mutex_unlock(&s->lock);
		/* Output outside the lock: a slow terminal must not block register reads. */
		if (send && s->cfg.tx)
			s->cfg.tx(s->cfg.tx_ctx, tx);
	}
}

size_t dev_serial_input(struct dev_serial *s, const uint8_t *buf, size_t n)
{
	pthread_mutex_lock(&s->lock);
	size_t done = fifo_push_locked(s, buf, n);
	irq_update_locked(s);
	pthread_mutex_unlock(&s->lock);
	return done;
}

size_t dev_serial_rx_space(struct dev_serial *s)
{
	pthread_mutex_lock(&s->lock);
	size_t space = DEV_SERIAL_FIFO - s->count;
	pthread_mutex_unlock(&s->lock);
	return space;
}

const struct dev_ops dev_serial_ops = {
	.read = dev_serial_read,
	.write = dev_serial_write,
	.release = NULL,
};
