/* The monitor's clock: CLOCK_MONOTONIC in nanoseconds (the boot timer, the
 * startup figures and the polling windows all use it). A leaf: no state. */
#ifndef VMM_CLOCK_H
#define VMM_CLOCK_H

#include <stdint.h>

uint64_t vmm_now_ns(void);

#endif
