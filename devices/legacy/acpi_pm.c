/* ACPI sleep control / status and reset ports: see acpi_pm.h. */
#include "devices/legacy/acpi_pm.h"

#include <errno.h>
#include <stdlib.h>

#define SLP_EN 0x20
#define SLP_TYP_SHIFT 2
#define SLP_TYP_MASK 0x7

struct dev_acpi_pm {
	struct dev_acpi_pm_config cfg;
};

int dev_acpi_pm_new(struct dev_acpi_pm **out, const struct dev_acpi_pm_config *cfg)
{
	if (!out || !cfg)
		return -EINVAL;
	struct dev_acpi_pm *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	*out = p;
	return 0;
}

void dev_acpi_pm_free(struct dev_acpi_pm *p) { free(p); }

void dev_acpi_pm_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		data[i] = 0;
}

void dev_acpi_pm_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct dev_acpi_pm *p = priv;
	if (len != 1)
		return; /* the FADT describes 8-bit registers */
	uint8_t v = data[0];
	if (offset == DEV_ACPI_PM_SLEEP_CONTROL) {
		if ((v & SLP_EN) && ((v >> SLP_TYP_SHIFT) & SLP_TYP_MASK) == DEV_ACPI_PM_S5_TYPE && p->cfg.poweroff)
			p->cfg.poweroff(p->cfg.ctx);
	} else if (offset == DEV_ACPI_PM_RESET) {
		if (v == DEV_ACPI_PM_RESET_VALUE && p->cfg.reset)
			p->cfg.reset(p->cfg.ctx);
	}
}

const struct dev_ops dev_acpi_pm_ops = {
	.read = dev_acpi_pm_read,
	.write = dev_acpi_pm_write,
	.release = NULL,
};
