/* The monitor's clock (see clock.h). */
#include "config.h"

#include "monitor/clock.h"

#include <time.h>

uint64_t vmm_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
