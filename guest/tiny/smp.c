/* tiny: bring up the application processors with INIT/SIPI/SIPI through the local APIC,
 * the way an OS does. The APs run a real-mode trampoline copied below 1 MiB. */
#include "tiny.h"

#define LAPIC_BASE 0xfee00000ull
#define LAPIC_ID 0x020
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_BUSY (1u << 12)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)

extern const char tiny_tramp_start[], tiny_tramp_end[];
volatile uint32_t tiny_ap_apic_id[TINY_MAX_CPUS];
static volatile uint32_t aps_up;

void tiny_ap_main(uint32_t idx)
{
	tiny_ap_apic_id[idx] = mmio_read32(LAPIC_BASE + LAPIC_ID) >> 24;
	__atomic_fetch_add(&aps_up, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void send_ipi(uint32_t icr)
{
	mmio_write32(LAPIC_BASE + LAPIC_ICR_HI, 0);
	mmio_write32(LAPIC_BASE + LAPIC_ICR_LO, icr);
	for (int i = 0; i < 1000 && (mmio_read32(LAPIC_BASE + LAPIC_ICR_LO) & ICR_BUSY); i++)
		io_delay();
}

uint32_t smp_start_aps(uint32_t expected)
{
	size_t len = (size_t)(tiny_tramp_end - tiny_tramp_start);
	memcpy((void *)(uintptr_t)TINY_TRAMPOLINE, tiny_tramp_start, len);
	uint32_t svr = mmio_read32(LAPIC_BASE + LAPIC_SVR);
	mmio_write32(LAPIC_BASE + LAPIC_SVR, svr | 0x1ff); /* software-enable, spurious 0xff */

	send_ipi(ICR_ALL_BUT_SELF | ICR_LEVEL_ASSERT | ICR_INIT);
	for (int i = 0; i < 100; i++)
		io_delay();
	for (int n = 0; n < 2 && aps_up < expected; n++) {
		send_ipi(ICR_ALL_BUT_SELF | ICR_LEVEL_ASSERT | ICR_STARTUP | (TINY_TRAMPOLINE >> 12));
		for (int i = 0; i < 200 && aps_up < expected; i++)
			io_delay();
	}
	/* Bounded wait: each io_delay is one VM exit (microseconds). */
	for (long i = 0; i < 400000 && aps_up < expected; i++)
		io_delay();
	return aps_up;
}
