/* monitor/exit.c: made-up KVM exits, well-formed and malformed, decoded
 * without a VM. */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/exit.h"
#include "tests/unit/harness.h"

#define RUN_SIZE 4096

static struct kvm_run *new_run(uint32_t reason)
{
	struct kvm_run *run = calloc(1, RUN_SIZE);
	ck_assert_ptr_nonnull(run);
	run->exit_reason = reason;
	return run;
}

static struct kvm_run *io_run(uint8_t dir, uint8_t size, uint16_t port, uint32_t count,
			      uint64_t off)
{
	struct kvm_run *run = new_run(KVM_EXIT_IO);
	run->io.direction = dir;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = off;
	return run;
}

START_TEST(pio_out_is_decoded)
{
	struct kvm_run *run = io_run(KVM_EXIT_IO_OUT, 1, 0x3f8, 1, 512);
	struct vmm_exit_info x;
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_PIO);
	ck_assert(x.write);
	ck_assert_uint_eq(x.addr, 0x3f8);
	ck_assert_uint_eq(x.size, 1);
	ck_assert_uint_eq(x.count, 1);
	ck_assert_ptr_eq(x.data, (uint8_t *)run + 512);
	free(run);
}
END_TEST

START_TEST(pio_string_in_fills_the_mapping_exactly)
{
	/* 4-byte ins, count up to the last byte of the mapping */
	struct kvm_run *run = io_run(KVM_EXIT_IO_IN, 4, 0x60, (RUN_SIZE - 1024) / 4, 1024);
	struct vmm_exit_info x;
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_PIO);
	ck_assert(!x.write);
	ck_assert_uint_eq(x.count, (RUN_SIZE - 1024) / 4);
	free(run);
}
END_TEST

START_TEST(pio_bad_sizes)
{
	static const uint8_t bad[] = {0, 3, 5, 8, 255};
	for (size_t i = 0; i < sizeof(bad); i++) {
		struct kvm_run *run = io_run(KVM_EXIT_IO_OUT, bad[i], 0x80, 1, 512);
		struct vmm_exit_info x;
		ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_BAD_PIO);
		ck_assert_uint_eq(x.size, bad[i]);
		ck_assert_ptr_null(x.data);
		free(run);
	}
}
END_TEST

START_TEST(pio_bad_counts_and_offsets)
{
	struct vmm_exit_info x;
	/* one access past the end of the mapping */
	struct kvm_run *run = io_run(KVM_EXIT_IO_IN, 4, 0x60, (RUN_SIZE - 1024) / 4 + 1, 1024);
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_BAD_PIO);
	free(run);
	/* size * count overflows 32 bits: still checked in 64 */
	run = io_run(KVM_EXIT_IO_IN, 4, 0x60, 0xffffffffu, 0);
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_BAD_PIO);
	free(run);
	/* data offset outside the mapping, and at its very end with data */
	run = io_run(KVM_EXIT_IO_OUT, 1, 0x80, 1, RUN_SIZE + 1);
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_BAD_PIO);
	free(run);
	run = io_run(KVM_EXIT_IO_OUT, 1, 0x80, 1, RUN_SIZE);
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_BAD_PIO);
	free(run);
	run = io_run(KVM_EXIT_IO_OUT, 1, 0x80, 1, UINT64_MAX);
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_BAD_PIO);
	free(run);
	/* count 0 is harmless: nothing to do */
	run = io_run(KVM_EXIT_IO_OUT, 2, 0x80, 0, 512);
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_PIO);
	ck_assert_uint_eq(x.count, 0);
	free(run);
}
END_TEST

START_TEST(mmio_lengths)
{
	for (uint32_t len = 0; len <= 16; len++) {
		struct kvm_run *run = new_run(KVM_EXIT_MMIO);
		run->mmio.phys_addr = 0xc0000050;
		run->mmio.len = len;
		run->mmio.is_write = 1;
		struct vmm_exit_info x;
		enum vmm_exit_action a = vmm_decode_exit(run, RUN_SIZE, &x);
		if (len >= 1 && len <= 8) {
			ck_assert_int_eq(a, VMM_XA_MMIO);
			ck_assert(x.write);
			ck_assert_uint_eq(x.addr, 0xc0000050);
			ck_assert_ptr_eq(x.data, run->mmio.data);
		} else {
			ck_assert_int_eq(a, VMM_XA_BAD_MMIO);
			ck_assert_ptr_null(x.data);
		}
		ck_assert_uint_eq(x.size, len);
		free(run);
	}
	struct kvm_run *run = new_run(KVM_EXIT_MMIO);
	run->mmio.len = 0xffffffffu;
	struct vmm_exit_info x;
	ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), VMM_XA_BAD_MMIO);
	free(run);
}
END_TEST

START_TEST(stops_and_unknown_reasons)
{
	static const struct {
		uint32_t reason, event;
		enum vmm_exit_action want;
	} cases[] = {
	    {KVM_EXIT_HLT, 0, VMM_XA_HLT},
	    {KVM_EXIT_SHUTDOWN, 0, VMM_XA_SHUTDOWN},
	    {KVM_EXIT_INTR, 0, VMM_XA_CONTINUE},
	    {KVM_EXIT_IRQ_WINDOW_OPEN, 0, VMM_XA_CONTINUE},
	    {KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_SHUTDOWN, VMM_XA_POWEROFF},
	    {KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_RESET, VMM_XA_RESET},
	    {KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_CRASH, VMM_XA_SYSTEM_EVENT},
	    {KVM_EXIT_SYSTEM_EVENT, 0xdead, VMM_XA_SYSTEM_EVENT},
	    {KVM_EXIT_FAIL_ENTRY, 0, VMM_XA_FAIL_ENTRY},
	    {KVM_EXIT_INTERNAL_ERROR, 0, VMM_XA_INTERNAL},
	    {KVM_EXIT_UNKNOWN, 0, VMM_XA_UNKNOWN},
	    {KVM_EXIT_EXCEPTION, 0, VMM_XA_UNKNOWN},
	    {KVM_EXIT_DEBUG, 0, VMM_XA_UNKNOWN},
	    {1000, 0, VMM_XA_UNKNOWN},
	    {0xffffffffu, 0, VMM_XA_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kvm_run *run = new_run(cases[i].reason);
		run->system_event.type = cases[i].event;
		struct vmm_exit_info x;
		ck_assert_int_eq(vmm_decode_exit(run, RUN_SIZE, &x), cases[i].want);
		ck_assert_int_eq(x.action, cases[i].want);
		if (cases[i].reason == KVM_EXIT_SYSTEM_EVENT)
			ck_assert_uint_eq(x.event, cases[i].event);
		free(run);
	}
}
END_TEST

static Suite *exit_suite(void)
{
	Suite *s = suite_create("monitor_exit");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, pio_out_is_decoded);
	tcase_add_test(tc, pio_string_in_fills_the_mapping_exactly);
	tcase_add_test(tc, pio_bad_sizes);
	tcase_add_test(tc, pio_bad_counts_and_offsets);
	tcase_add_test(tc, mmio_lengths);
	tcase_add_test(tc, stops_and_unknown_reasons);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(exit_suite)
