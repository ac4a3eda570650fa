/* --config-file: read the Firecracker JSON config, map it onto the command
 * line's config, then build and run the VM as main() does. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/api/api.h"
#include "monitor/api/json_config.h"
#include "monitor/jail.h"
#include "monitor/log.h"
#include "monitor/vm.h"

int vmm_api_main(struct vmm_config *cfg, uint64_t start_ns)
{
	if (!cfg->config_file) {
		fprintf(stderr, "vmm: --no-api goes with --config-file\n");
		return VMM_EXIT_SETUP;
	}
	int fd = open(cfg->config_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmm: --config-file '%s': %s\n", cfg->config_file, strerror(errno));
		return VMM_EXIT_SETUP;
	}
	char *buf = malloc(VMM_API_CONFIG_MAX + 1);
	size_t len = 0;
	ssize_t n = 1;
	while (buf && len <= VMM_API_CONFIG_MAX &&
	       (n = read(fd, buf + len, VMM_API_CONFIG_MAX + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (!buf || n < 0) {
		fprintf(stderr, "vmm: --config-file '%s': %s\n", cfg->config_file,
			buf ? strerror(errno) : "out of memory");
		free(buf);
		return VMM_EXIT_SETUP;
	}
	static struct vmm_api_store st;
	char err[512];
	int r = vmm_api_config_parse(buf, len, cfg, &st, err, sizeof(err));
	free(buf);
	if (r < 0) {
		fprintf(stderr, "vmm: config file '%s': %s\n", cfg->config_file, err);
		return VMM_EXIT_SETUP;
	}
	vmm_log_set_level((enum vmm_log_level)cfg->log_level);
	static struct vmm_vm vm;
	if (vmm_vm_create(&vm, cfg, start_ns) < 0 || vmm_jail_enter(cfg) < 0) {
		vmm_vm_destroy(&vm);
		return VMM_EXIT_SETUP;
	}
	int code = vmm_vm_run(&vm);
	vmm_vm_destroy(&vm);
	return code;
}
