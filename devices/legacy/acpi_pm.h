/* ACPI power management ports for a hardware-reduced ACPI platform: the FADT's
 * SLEEP_CONTROL_REG, SLEEP_STATUS_REG and RESET_REG point here (system I/O,
 * 8 bits wide), so a guest's `poweroff` (S5) and ACPI reboot reach the VMM.
 *
 *   DEV_ACPI_PM_BASE + 0  sleep control: SLP_EN (bit 5) with SLP_TYP (bits 4:2)
 *                         = DEV_ACPI_PM_S5_TYPE powers off (the DSDT's \_S5 must
 *                         give that type); other sleep types are ignored
 *   DEV_ACPI_PM_BASE + 1  sleep status: reads 0 (write-1-to-clear, no wake events)
 *   DEV_ACPI_PM_BASE + 2  reset register: DEV_ACPI_PM_RESET_VALUE resets
 *
 * Ownership: dev_acpi_pm_new() allocates, dev_acpi_pm_free() frees.
 * Errors: 0 or a negative errno. Thread-safe (no mutable state). */
#ifndef VMM_DEVICES_LEGACY_ACPI_PM_H
#define VMM_DEVICES_LEGACY_ACPI_PM_H

#include <stdint.h>

#include "devices/core/device.h"

#define DEV_ACPI_PM_BASE 0x600
#define DEV_ACPI_PM_LEN 3
#define DEV_ACPI_PM_SLEEP_CONTROL 0
#define DEV_ACPI_PM_SLEEP_STATUS 1
#define DEV_ACPI_PM_RESET 2
#define DEV_ACPI_PM_S5_TYPE 5
#define DEV_ACPI_PM_RESET_VALUE 0x01

struct dev_acpi_pm;

struct dev_acpi_pm_config {
	void (*poweroff)(void *ctx); /* S5 requested */
	void (*reset)(void *ctx);    /* reset register written */
	void *ctx;
};

int dev_acpi_pm_new(struct dev_acpi_pm **out, const struct dev_acpi_pm_config *cfg); /* 0, -EINVAL, -ENOMEM */
void dev_acpi_pm_free(struct dev_acpi_pm *p);                                        /* NULL accepted */

void dev_acpi_pm_read(void *priv, uint64_t base, uint64_t offset, uint8_t *data, uint32_t len);
void dev_acpi_pm_write(void *priv, uint64_t base, uint64_t offset, const uint8_t *data, uint32_t len);
extern const struct dev_ops dev_acpi_pm_ops;

#endif
