/* monitor/tap_check.h — --net tap=NAME needs an existing interface (unless ,create). */
#ifndef VMM_MONITOR_TAP_CHECK_H
#define VMM_MONITOR_TAP_CHECK_H

#include <stdbool.h>

/* 0 when create is set or an interface NAME exists in this network namespace;
 * else prints one error line (with the `ip tuntap add` hint) and returns -ENODEV
 * (or the -errno of the lookup). Any thread; no state. */
int vmm_tap_check(const char *name, bool create);

#endif
