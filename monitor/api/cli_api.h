/* Command-line options of monitor/api/: --config-file FILE, --no-api.
 * Header-only so that every program built from cli.c gets it. */
#ifndef VMM_CLI_API_H
#define VMM_CLI_API_H

#include <stdio.h>

#include "monitor/cli.h"

enum { VMM_OPT_CONFIG_FILE = 600, VMM_OPT_NO_API };
#define VMM_CLI_API_OPTIONS                                                                        \
	{"config-file", required_argument, NULL, VMM_OPT_CONFIG_FILE},                             \
	    {"no-api", no_argument, NULL, VMM_OPT_NO_API},
#define VMM_CLI_API_USAGE                                                                          \
	"      --config-file FILE   boot from a Firecracker JSON config file (instead of "         \
	"--kernel ...)\n"                                                                          \
	"      --no-api             open no API socket (accepted for Firecracker compatibility)\n"

static inline int vmm_cli_api_option(struct vmm_config *cfg, int opt, const char *arg, char *err,
				     size_t errlen)
{
	if (opt == VMM_OPT_NO_API) {
		cfg->no_api = true;
		return 0;
	}
	if (cfg->config_file) {
		snprintf(err, errlen, "--config-file given twice");
		return -1;
	}
	cfg->config_file = arg;
	return 0;
}
#endif
