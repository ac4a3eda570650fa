/* libFuzzer: monitor/api/json_config.c, Firecracker JSON config -> struct vmm_config.
 * Invariants: never a crash; an error is one non-empty line within the buffer
 * and leaves a parse of the same bytes failing the same way; an accepted config
 * is in range (kernel readable, 1..32 vCPUs, >= 2 MiB, <= 8 disks, paths NUL-ended
 * inside their buffers) and parses again to the same values. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/api/json_config.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_api_config: %s failed at line %d\n", #c, __LINE__);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static struct vmm_config base(void)
{
	return (struct vmm_config){
	    .cmdline = VMM_DEFAULT_CMDLINE, .mem_size = VMM_DEFAULT_MEM, .cpus = 1};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmm_api_store st1, st2;
	struct vmm_config c1 = base(), c2 = base();
	char e1[256], e2[256];
	e1[0] = e2[0] = 0;
	int r1 = vmm_api_config_parse((const char *)data, size, &c1, &st1, e1, sizeof(e1));
	int r2 = vmm_api_config_parse((const char *)data, size, &c2, &st2, e2, sizeof(e2));
	CHECK(r1 == r2);
	if (r1 < 0) {
		CHECK(strlen(e1) > 0 && strlen(e1) < sizeof(e1));
		CHECK(strcmp(e1, e2) == 0);
		return 0;
	}
	CHECK(r1 == 0);
	CHECK(c1.kernel == st1.kernel && access(c1.kernel, R_OK) == 0);
	CHECK(c1.cpus >= 1 && c1.cpus <= VMM_MAX_CPUS && c1.cpus == c2.cpus);
	CHECK(c1.mem_size >= VMM_MIN_MEM && c1.mem_size == c2.mem_size);
	CHECK(c1.ndisks <= VMM_MAX_DISKS && c1.ndisks == c2.ndisks);
	for (unsigned i = 0; i < c1.ndisks; i++)
		CHECK(memchr(c1.disks[i].path, 0, sizeof(c1.disks[i].path)) &&
		      strcmp(c1.disks[i].path, c2.disks[i].path) == 0);
	CHECK(c1.cmdline && strcmp(c1.cmdline, c2.cmdline) == 0);
	CHECK(!c1.net_tap ||
	      (c1.net_tap == c1.net_tap_name && strlen(c1.net_tap) < sizeof(c1.net_tap_name) &&
	       !(c1.net_mac[0] & 1)));
	return 0;
}
