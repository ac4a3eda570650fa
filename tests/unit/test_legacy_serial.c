/* 8250 UART model: registers, divisor latch, transmit, receive FIFO, loopback,
 * interrupt line. No KVM needed. */
#include <string.h>

#include "devices/legacy/serial.h"
#include "tests/unit/harness.h"

struct probe {
	uint8_t tx[256];
	size_t ntx;
	int level;   /* last level signalled */
	int changes; /* number of set_level calls */
	uint32_t gsi;
};

static void tx_cb(void *ctx, uint8_t b)
{
	struct probe *p = ctx;
	if (p->ntx < sizeof(p->tx))
		p->tx[p->ntx++] = b;
}

static int set_level(void *ctx, uint32_t gsi, int level)
{
	struct probe *p = ctx;
	p->level = level;
	p->gsi = gsi;
	p->changes++;
	return 0;
}

static struct dev_serial *mk(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	struct dev_serial_config cfg = {.tx = tx_cb, .tx_ctx = p, .irq = {.set_level = set_level, .ctx = p}, .gsi = 4};
	struct dev_serial *s = NULL;
	ck_assert_int_eq(dev_serial_new(&s, &cfg), 0);
	return s;
}

static uint8_t rd(struct dev_serial *s, uint64_t off)
{
	uint8_t v = 0;
	dev_serial_ops.read(s, DEV_SERIAL_COM1_BASE, off, &v, 1);
	return v;
}

static void wr(struct dev_serial *s, uint64_t off, uint8_t v) { dev_serial_ops.write(s, DEV_SERIAL_COM1_BASE, off, &v, 1); }

START_TEST(transmit_goes_to_callback)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	wr(s, 0, 'h');
	wr(s, 0, 'i');
	ck_assert_uint_eq(p.ntx, 2);
	ck_assert_int_eq(memcmp(p.tx, "hi", 2), 0);
	ck_assert_uint_eq(rd(s, 5) & 0x60, 0x60); /* THRE and TEMT always */
	ck_assert_int_eq(p.changes, 0);           /* no interrupt enabled */
	dev_serial_free(s);
}
END_TEST

START_TEST(divisor_latch_does_not_transmit)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	wr(s, 3, 0x80); /* DLAB */
	wr(s, 0, 0x01);
	wr(s, 1, 0x02);
	ck_assert_uint_eq(rd(s, 0), 0x01);
	ck_assert_uint_eq(rd(s, 1), 0x02);
	wr(s, 3, 0x03);
	ck_assert_uint_eq(rd(s, 3), 0x03);
	ck_assert_uint_eq(rd(s, 1), 0x00); /* IER, not DLM */
	ck_assert_uint_eq(p.ntx, 0);
	dev_serial_free(s);
}
END_TEST

START_TEST(scratch_register_round_trips)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	wr(s, 7, 0xa5);
	ck_assert_uint_eq(rd(s, 7), 0xa5);
	wr(s, 7, 0x5a);
	ck_assert_uint_eq(rd(s, 7), 0x5a);
	dev_serial_free(s);
}
END_TEST

START_TEST(receive_fifo_and_data_ready)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	ck_assert_uint_eq(rd(s, 5) & 1, 0);
	ck_assert_uint_eq(dev_serial_input(s, (const uint8_t *)"ab", 2), 2);
	ck_assert_uint_eq(rd(s, 5) & 1, 1);
	ck_assert_uint_eq(rd(s, 0), 'a');
	ck_assert_uint_eq(rd(s, 0), 'b');
	ck_assert_uint_eq(rd(s, 5) & 1, 0);
	dev_serial_free(s);
}
END_TEST

START_TEST(receive_fifo_full_refuses_more)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	uint8_t buf[DEV_SERIAL_FIFO + 10];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	ck_assert_uint_eq(dev_serial_input(s, buf, sizeof(buf)), DEV_SERIAL_FIFO);
	ck_assert_uint_eq(dev_serial_rx_space(s), 0);
	ck_assert_uint_eq(rd(s, 0), 0);
	ck_assert_uint_eq(dev_serial_rx_space(s), 1);
	for (size_t i = 1; i < DEV_SERIAL_FIFO; i++)
		ck_assert_uint_eq(rd(s, 0), i);
	ck_assert_uint_eq(rd(s, 5) & 1, 0);
	dev_serial_free(s);
}
END_TEST

START_TEST(fcr_clears_receive_fifo)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	dev_serial_input(s, (const uint8_t *)"xyz", 3);
	wr(s, 2, 0x03); /* enable + clear RX */
	ck_assert_uint_eq(rd(s, 5) & 1, 0);
	ck_assert_uint_eq(rd(s, 2) & 0xc0, 0xc0); /* FIFOs enabled shows in IIR */
	dev_serial_free(s);
}
END_TEST

START_TEST(rx_interrupt_raised_and_lowered)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	wr(s, 1, 0x01); /* RDA interrupt */
	ck_assert_int_eq(p.changes, 0);
	ck_assert_uint_eq(rd(s, 2) & 0x0f, 0x01); /* none pending */
	dev_serial_input(s, (const uint8_t *)"q", 1);
	ck_assert_int_eq(p.level, 1);
	ck_assert_uint_eq(p.gsi, 4);
	ck_assert_uint_eq(rd(s, 2) & 0x0f, 0x04);
	ck_assert_uint_eq(rd(s, 0), 'q');
	ck_assert_int_eq(p.level, 0);
	ck_assert_int_eq(p.changes, 2);
	dev_serial_free(s);
}
END_TEST

START_TEST(thre_interrupt_acknowledged_by_iir_read)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	wr(s, 1, 0x02); /* THRE interrupt: THR is empty, so it fires at once */
	ck_assert_int_eq(p.level, 1);
	ck_assert_uint_eq(rd(s, 2) & 0x0f, 0x02);
	ck_assert_int_eq(p.level, 0);
	ck_assert_uint_eq(rd(s, 2) & 0x0f, 0x01);
	wr(s, 0, 'z'); /* transmit: THR empty again */
	ck_assert_int_eq(p.level, 1);
	wr(s, 1, 0x00);
	ck_assert_int_eq(p.level, 0);
	dev_serial_free(s);
}
END_TEST

START_TEST(loopback_echoes_and_mirrors_modem_lines)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	wr(s, 4, 0x10 | 0x0a); /* loop, RTS, OUT2 */
	ck_assert_uint_eq(rd(s, 6) & 0xf0, 0x90); /* CTS, DCD */
	wr(s, 0, 'L');
	ck_assert_uint_eq(p.ntx, 0);
	ck_assert_uint_eq(rd(s, 5) & 1, 1);
	ck_assert_uint_eq(rd(s, 0), 'L');
	wr(s, 4, 0x08);
	ck_assert_uint_eq(rd(s, 6) & 0xf0, 0xb0); /* carrier, DSR, CTS when not looping */
	dev_serial_free(s);
}
END_TEST

START_TEST(out_of_range_offsets_are_ignored)
{
	struct probe p;
	struct dev_serial *s = mk(&p);
	uint8_t v[2] = {0x11, 0x22};
	dev_serial_ops.write(s, DEV_SERIAL_COM1_BASE, 7, v, 2); /* second byte past the end */
	ck_assert_uint_eq(rd(s, 7), 0x11);
	uint8_t r[2] = {0, 0};
	dev_serial_ops.read(s, DEV_SERIAL_COM1_BASE, 7, r, 2);
	ck_assert_uint_eq(r[0], 0x11);
	ck_assert_uint_eq(r[1], 0xff);
	ck_assert_uint_eq(p.ntx, 0);
	dev_serial_free(s);
}
END_TEST

START_TEST(new_rejects_null)
{
	struct dev_serial *s = NULL;
	ck_assert_int_lt(dev_serial_new(&s, NULL), 0);
	ck_assert_int_lt(dev_serial_new(NULL, NULL), 0);
	dev_serial_free(NULL);
}
END_TEST

static Suite *serial_suite(void)
{
	Suite *s = suite_create("legacy_serial");
	TCase *tc = tcase_create("serial");
	tcase_add_test(tc, transmit_goes_to_callback);
	tcase_add_test(tc, divisor_latch_does_not_transmit);
	tcase_add_test(tc, scratch_register_round_trips);
	tcase_add_test(tc, receive_fifo_and_data_ready);
	tcase_add_test(tc, receive_fifo_full_refuses_more);
	tcase_add_test(tc, fcr_clears_receive_fifo);
	tcase_add_test(tc, rx_interrupt_raised_and_lowered);
	tcase_add_test(tc, thre_interrupt_acknowledged_by_iir_read);
	tcase_add_test(tc, loopback_echoes_and_mirrors_modem_lines);
	tcase_add_test(tc, out_of_range_offsets_are_ignored);
	tcase_add_test(tc, new_rejects_null);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(serial_suite)
