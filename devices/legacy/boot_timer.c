/* Boot timer: see boot_timer.h. */
#include "devices/legacy/boot_timer.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct dev_boot_timer {
	struct dev_boot_timer_config cfg;
};

int dev_boot_timer_new(struct dev_boot_timer **out, const struct dev_boot_timer_config *cfg)
{
	if (!out || !cfg)
		return -EINVAL;
	struct dev_boot_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cfg = *cfg;
	*out = t;
	return 0;
}

void dev_boot_timer_free(struct dev_boot_timer *t) { free(t); }

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void dev_boot_timer_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		data[i] = 0;
}

void dev_boot_timer_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct dev_boot_timer *t = priv;
	if (offset != 0 || len != 1 || data[0] != DEV_BOOT_TIMER_MAGIC || !t->cfg.report)
		return;
	uint64_t now = t->cfg.now_ns ? t->cfg.now_ns(t->cfg.ctx) : monotonic_ns();
	t->cfg.report(t->cfg.ctx, now >= t->cfg.start_ns ? now - t->cfg.start_ns : 0);
}

const struct dev_ops dev_boot_timer_ops = {
	.read = dev_boot_timer_read,
	.write = dev_boot_timer_write,
	.release = NULL,
};
