/* monitor/api/: the entry point main() takes when --config-file (or --no-api)
 * is given. Returns the program's exit status (enum vmm_exit); prints its
 * errors on stderr. Main thread, before any other thread exists. */
#ifndef VMM_API_H
#define VMM_API_H

#include <stdint.h>

#include "monitor/cli.h"

int vmm_api_main(struct vmm_config *cfg, uint64_t start_ns);

#endif
