/* monitor/tap_check.c — see tap_check.h. */
#include "config.h"

#include "monitor/tap_check.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "monitor/log.h"

int vmm_tap_check(const char *name, bool create)
{
	if (create)
		return 0;
	if (if_nametoindex(name) != 0)
		return 0;
	int e = errno;
	if (e == ENODEV || e == ENXIO || e == 0) {
		vmm_err("tap '%s' does not exist: create it with `ip tuntap add dev %s mode tap` "
			"(and bring it up), or pass --net tap=%s,create",
			name, name, name);
		return -ENODEV;
	}
	vmm_err("tap '%s': cannot look it up: %s", name, strerror(e));
	return -e;
}
