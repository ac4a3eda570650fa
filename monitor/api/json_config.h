/* Firecracker's JSON config file (--config-file) -> struct vmm_config.
 * Sections: boot-source, drives, machine-config, network-interfaces, entropy,
 * logger. Unknown fields and wrong types are refused; valid Firecracker fields
 * vmm does not implement are refused with "not supported by vmm".
 * Strings are copied into *st, which cfg then points into: st must outlive cfg.
 * No I/O except access() checks on the paths; no printing. Thread: any. */
#ifndef VMM_API_JSON_CONFIG_H
#define VMM_API_JSON_CONFIG_H

#include <stddef.h>

#include "monitor/cli.h"

#define VMM_API_PATH_MAX 4096
#define VMM_API_CONFIG_MAX (1u << 20) /* bytes in a config file */

struct vmm_api_store {
	char kernel[VMM_API_PATH_MAX];
	char initrd[VMM_API_PATH_MAX];
	char cmdline[VMM_API_PATH_MAX + 32]; /* boot_args + " root=/dev/vda rw" */
};

/* Apply the JSON text buf[0..len) on top of *cfg (already holding the
 * command line's values). 0, or -EINVAL with one line in err naming the
 * field ("machine-config.vcpu_count: must be 1..32"). */
int vmm_api_config_parse(const char *buf, size_t len, struct vmm_config *cfg,
			 struct vmm_api_store *st, char *err, size_t errlen);

#endif
