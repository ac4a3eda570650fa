/* Minimal CMOS/RTC: see cmos.h. */
#include "devices/legacy/cmos.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#define RTC_SEC 0x00
#define RTC_MIN 0x02
#define RTC_HOUR 0x04
#define RTC_WDAY 0x06
#define RTC_MDAY 0x07
#define RTC_MON 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_STATUS_C 0x0c
#define RTC_STATUS_D 0x0d
#define RTC_CENTURY 0x32

struct dev_cmos {
	pthread_mutex_t lock;
	struct dev_cmos_config cfg;
	uint8_t index;
	uint8_t ram[128];
};

int dev_cmos_new(struct dev_cmos **out, const struct dev_cmos_config *cfg)
{
	if (!out)
		return -EINVAL;
	struct dev_cmos *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return -ENOMEM;
	}
	if (cfg)
		c->cfg = *cfg;
	c->ram[RTC_STATUS_A] = 0x26; /* 32.768 kHz base, 1024 Hz rate, no update in progress */
	c->ram[RTC_STATUS_B] = 0x02; /* 24-hour, BCD */
	c->ram[RTC_STATUS_D] = 0x80; /* RAM and time valid */
	*out = c;
	return 0;
}

void dev_cmos_free(struct dev_cmos *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static uint8_t bcd(int v) { return (uint8_t)(((v / 10) % 10) << 4 | (v % 10)); }

static uint8_t read_locked(struct dev_cmos *c, uint8_t idx)
{
	if (idx > RTC_YEAR && idx != RTC_CENTURY)
		return idx == RTC_STATUS_C ? 0 : c->ram[idx & 0x7f]; /* 7 bits already */
	time_t now = c->cfg.now ? c->cfg.now(c->cfg.ctx) : time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm))
		return 0;
	switch (idx) {
	case RTC_SEC:
		return bcd(tm.tm_sec);
	case RTC_MIN:
		return bcd(tm.tm_min);
	case RTC_HOUR:
		return bcd(tm.tm_hour);
	case RTC_WDAY:
		return bcd(tm.tm_wday + 1);
	case RTC_MDAY:
		return bcd(tm.tm_mday);
	case RTC_MON:
		return bcd(tm.tm_mon + 1);
	case RTC_YEAR:
		return bcd(tm.tm_year % 100);
	case RTC_CENTURY:
		return bcd((tm.tm_year + 1900) / 100);
	default: /* alarm registers */
		return c->ram[idx];
	}
}

void dev_cmos_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct dev_cmos *c = priv;
	for (uint32_t i = 0; i < len; i++)
		data[i] = 0xff;
	if (len == 0)
		return;
	pthread_mutex_lock(&c->lock);
	if (offset == 0)
		data[0] = c->index;
	else if (offset == 1)
		data[0] = read_locked(c, c->index);
	pthread_mutex_unlock(&c->lock);
}

void dev_cmos_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct dev_cmos *c = priv;
	if (len == 0)
		return;
	pthread_mutex_lock(&c->lock);
	if (offset == 0) {
		c->index = data[0] & 0x7f; /* bit 7 is the NMI mask */
	} else if (offset == 1) {
		uint8_t idx = c->index;
		/* Time registers follow the host clock; status C/D are read-only. */
		if (idx > RTC_YEAR && idx != RTC_STATUS_C && idx != RTC_STATUS_D && idx != RTC_CENTURY)
			c->ram[idx] = idx == RTC_STATUS_A ? (uint8_t)(data[0] & 0x7f) : data[0];
	}
	pthread_mutex_unlock(&c->lock);
}

const struct dev_ops dev_cmos_ops = {
	.read = dev_cmos_read,
	.write = dev_cmos_write,
	.release = NULL,
};
