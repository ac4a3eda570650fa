/* i8042 (probe and reset), boot timer, CMOS/RTC and quiet ports. No KVM needed. */
#include <string.h>

#include "devices/legacy/acpi_pm.h"
#include "devices/legacy/boot_timer.h"
#include "devices/legacy/cmos.h"
#include "devices/legacy/i8042.h"
#include "devices/legacy/quiet.h"
#include "tests/unit/harness.h"

static int resets;
static void on_reset(void *ctx) { (*(int *)ctx)++; }

static uint8_t krd(struct dev_i8042 *k, uint64_t off)
{
	uint8_t v = 0;
	dev_i8042_ops.read(k, DEV_I8042_BASE, off, &v, 1);
	return v;
}
static void kwr(struct dev_i8042 *k, uint64_t off, uint8_t v) { dev_i8042_ops.write(k, DEV_I8042_BASE, off, &v, 1); }

static struct dev_i8042 *mk_kbd(void)
{
	resets = 0;
	struct dev_i8042_config cfg = {.reset = on_reset, .ctx = &resets};
	struct dev_i8042 *k = NULL;
	ck_assert_int_eq(dev_i8042_new(&k, &cfg), 0);
	return k;
}

START_TEST(i8042_reset_command)
{
	struct dev_i8042 *k = mk_kbd();
	kwr(k, 4, 0xfe);
	ck_assert_int_eq(resets, 1);
	dev_i8042_free(k);
}
END_TEST

START_TEST(i8042_other_commands_do_not_reset)
{
	struct dev_i8042 *k = mk_kbd();
	kwr(k, 4, 0xad);
	kwr(k, 4, 0xae);
	kwr(k, 0, 0xfe); /* 0xfe to the data port is keyboard data, not a reset */
	ck_assert_int_eq(resets, 0);
	dev_i8042_free(k);
}
END_TEST

START_TEST(i8042_command_byte_round_trip)
{
	struct dev_i8042 *k = mk_kbd();
	ck_assert_uint_eq(krd(k, 4) & 1, 0); /* output buffer empty */
	kwr(k, 4, 0x60);
	kwr(k, 0, 0x47);
	kwr(k, 4, 0x20);
	ck_assert_uint_eq(krd(k, 4) & 1, 1);
	ck_assert_uint_eq(krd(k, 0), 0x47);
	ck_assert_uint_eq(krd(k, 4) & 1, 0);
	dev_i8042_free(k);
}
END_TEST

START_TEST(i8042_self_test_answers_0x55)
{
	struct dev_i8042 *k = mk_kbd();
	kwr(k, 4, 0xaa);
	ck_assert_uint_eq(krd(k, 0), 0x55);
	ck_assert_uint_eq(krd(k, 4) & 0x04, 0x04);
	kwr(k, 4, 0xab);
	ck_assert_uint_eq(krd(k, 0), 0x00);
	dev_i8042_free(k);
}
END_TEST

START_TEST(i8042_output_port_reset_bit)
{
	struct dev_i8042 *k = mk_kbd();
	kwr(k, 4, 0xd1);
	kwr(k, 0, 0x03); /* bit 0 high: no reset */
	ck_assert_int_eq(resets, 0);
	kwr(k, 4, 0xd1);
	kwr(k, 0, 0x02); /* bit 0 low: reset */
	ck_assert_int_eq(resets, 1);
	dev_i8042_free(k);
}
END_TEST

static uint64_t reported;
static int reports;
static void on_report(void *ctx, uint64_t ns)
{
	reported = ns;
	reports++;
}
static uint64_t fake_now(void *ctx) { return *(uint64_t *)ctx; }

START_TEST(boot_timer_reports_elapsed_on_magic_only)
{
	uint64_t now = 5000;
	reports = 0;
	struct dev_boot_timer_config cfg = {.start_ns = 1000, .report = on_report, .now_ns = fake_now, .ctx = &now};
	struct dev_boot_timer *t = NULL;
	ck_assert_int_eq(dev_boot_timer_new(&t, &cfg), 0);
	uint8_t v = 122;
	dev_boot_timer_ops.write(t, DEV_BOOT_TIMER_PORT, 0, &v, 1);
	ck_assert_int_eq(reports, 0);
	uint8_t w[2] = {123, 0};
	dev_boot_timer_ops.write(t, DEV_BOOT_TIMER_PORT, 0, w, 2); /* wrong width */
	ck_assert_int_eq(reports, 0);
	v = DEV_BOOT_TIMER_MAGIC;
	dev_boot_timer_ops.write(t, DEV_BOOT_TIMER_PORT, 0, &v, 1);
	ck_assert_int_eq(reports, 1);
	ck_assert_uint_eq(reported, 4000);
	now = 500; /* clock before start: clamps to 0 */
	dev_boot_timer_ops.write(t, DEV_BOOT_TIMER_PORT, 0, &v, 1);
	ck_assert_uint_eq(reported, 0);
	dev_boot_timer_free(t);
}
END_TEST

static time_t fixed_time(void *ctx) { return 1700000000; /* 2023-11-14 22:13:20 UTC */ }

static uint8_t crd(struct dev_cmos *c, uint8_t idx)
{
	uint8_t v = 0;
	dev_cmos_ops.write(c, DEV_CMOS_BASE, 0, &idx, 1);
	dev_cmos_ops.read(c, DEV_CMOS_BASE, 1, &v, 1);
	return v;
}

START_TEST(cmos_rtc_reads_host_time_in_bcd)
{
	struct dev_cmos_config cfg = {.now = fixed_time};
	struct dev_cmos *c = NULL;
	ck_assert_int_eq(dev_cmos_new(&c, &cfg), 0);
	ck_assert_uint_eq(crd(c, 0x00), 0x20);
	ck_assert_uint_eq(crd(c, 0x02), 0x13);
	ck_assert_uint_eq(crd(c, 0x04), 0x22);
	ck_assert_uint_eq(crd(c, 0x07), 0x14);
	ck_assert_uint_eq(crd(c, 0x08), 0x11);
	ck_assert_uint_eq(crd(c, 0x09), 0x23);
	ck_assert_uint_eq(crd(c, 0x32), 0x20);
	ck_assert_uint_eq(crd(c, 0x0a) & 0x80, 0); /* no update in progress */
	ck_assert_uint_eq(crd(c, 0x8d), 0x80);      /* NMI bit ignored, status D valid */
	dev_cmos_free(c);
}
END_TEST

START_TEST(cmos_nvram_round_trip_and_read_only_time)
{
	struct dev_cmos_config cfg = {.now = fixed_time};
	struct dev_cmos *c = NULL;
	ck_assert_int_eq(dev_cmos_new(&c, &cfg), 0);
	uint8_t idx = 0x40, v = 0x99;
	dev_cmos_ops.write(c, DEV_CMOS_BASE, 0, &idx, 1);
	dev_cmos_ops.write(c, DEV_CMOS_BASE, 1, &v, 1);
	ck_assert_uint_eq(crd(c, 0x40), 0x99);
	idx = 0x00;
	dev_cmos_ops.write(c, DEV_CMOS_BASE, 0, &idx, 1);
	dev_cmos_ops.write(c, DEV_CMOS_BASE, 1, &v, 1);
	ck_assert_uint_eq(crd(c, 0x00), 0x20);
	dev_cmos_free(c);
}
END_TEST

START_TEST(quiet_reads_zero)
{
	uint8_t v[4] = {1, 2, 3, 4};
	dev_quiet_ops.read(NULL, 0x80, 0, v, 4);
	ck_assert_uint_eq(v[0] | v[1] | v[2] | v[3], 0);
	dev_quiet_ops.write(NULL, 0x80, 0, v, 4);
}
END_TEST

static int poweroffs, pm_resets;
static void on_poweroff(void *ctx) { poweroffs++; }
static void on_pm_reset(void *ctx) { pm_resets++; }

static void pm_wr(struct dev_acpi_pm *p, uint64_t off, uint8_t v) { dev_acpi_pm_ops.write(p, DEV_ACPI_PM_BASE, off, &v, 1); }

START_TEST(acpi_pm_s5_powers_off_other_states_do_not)
{
	poweroffs = pm_resets = 0;
	struct dev_acpi_pm_config cfg = {.poweroff = on_poweroff, .reset = on_pm_reset};
	struct dev_acpi_pm *p = NULL;
	ck_assert_int_eq(dev_acpi_pm_new(&p, &cfg), 0);
	pm_wr(p, DEV_ACPI_PM_SLEEP_CONTROL, 5 << 2);        /* S5 type without SLP_EN */
	pm_wr(p, DEV_ACPI_PM_SLEEP_CONTROL, 0x20 | 3 << 2); /* S3 */
	ck_assert_int_eq(poweroffs, 0);
	uint8_t two[2] = {0x20 | 5 << 2, 0};
	dev_acpi_pm_ops.write(p, DEV_ACPI_PM_BASE, DEV_ACPI_PM_SLEEP_CONTROL, two, 2); /* wrong width */
	ck_assert_int_eq(poweroffs, 0);
	pm_wr(p, DEV_ACPI_PM_SLEEP_CONTROL, 0x20 | 5 << 2);
	ck_assert_int_eq(poweroffs, 1);
	ck_assert_int_eq(pm_resets, 0);
	uint8_t st = 0xff;
	dev_acpi_pm_ops.read(p, DEV_ACPI_PM_BASE, DEV_ACPI_PM_SLEEP_STATUS, &st, 1);
	ck_assert_uint_eq(st, 0);
	dev_acpi_pm_free(p);
}
END_TEST

START_TEST(acpi_pm_reset_value_resets)
{
	poweroffs = pm_resets = 0;
	struct dev_acpi_pm_config cfg = {.poweroff = on_poweroff, .reset = on_pm_reset};
	struct dev_acpi_pm *p = NULL;
	ck_assert_int_eq(dev_acpi_pm_new(&p, &cfg), 0);
	pm_wr(p, DEV_ACPI_PM_RESET, 0x02);
	ck_assert_int_eq(pm_resets, 0);
	pm_wr(p, DEV_ACPI_PM_RESET, DEV_ACPI_PM_RESET_VALUE);
	ck_assert_int_eq(pm_resets, 1);
	ck_assert_int_eq(poweroffs, 0);
	dev_acpi_pm_free(p);
	ck_assert_int_lt(dev_acpi_pm_new(&p, NULL), 0);
}
END_TEST

static Suite *misc_suite(void)
{
	Suite *s = suite_create("legacy_misc");
	TCase *tc = tcase_create("i8042");
	tcase_add_test(tc, i8042_reset_command);
	tcase_add_test(tc, i8042_other_commands_do_not_reset);
	tcase_add_test(tc, i8042_command_byte_round_trip);
	tcase_add_test(tc, i8042_self_test_answers_0x55);
	tcase_add_test(tc, i8042_output_port_reset_bit);
	suite_add_tcase(s, tc);
	tc = tcase_create("other");
	tcase_add_test(tc, boot_timer_reports_elapsed_on_magic_only);
	tcase_add_test(tc, cmos_rtc_reads_host_time_in_bcd);
	tcase_add_test(tc, cmos_nvram_round_trip_and_read_only_time);
	tcase_add_test(tc, quiet_reads_zero);
	tcase_add_test(tc, acpi_pm_s5_powers_off_other_states_do_not);
	tcase_add_test(tc, acpi_pm_reset_value_resets);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(misc_suite)
