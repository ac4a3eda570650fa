/* Command line of the vmm program. */
#ifndef VMM_CLI_H
#define VMM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "monitor/vm_config.h"

/* "UID:GID" (decimal, each < 2^32-1) -> 0 or -EINVAL. */
int vmm_cli_parse_user(const char *s, unsigned *uid, unsigned *gid);

enum vmm_cli_result {
	VMM_CLI_RUN = 0,  /* *cfg is complete: boot it */
	VMM_CLI_EXIT = 1, /* --help / --version printed: exit 0 */
	VMM_CLI_ERROR = -1, /* err holds one line: print it, exit non-zero */
};

/* Parse argv into cfg (defaults first). err gets a one-line message on error. */
enum vmm_cli_result vmm_cli_parse(int argc, char **argv, struct vmm_config *cfg, char *err, size_t errlen);

/* "512M", "2G", "65536K", "1024" (MiB) -> bytes; 0 or -EINVAL / -ERANGE. */
int vmm_cli_parse_size(const char *s, uint64_t *out);

void vmm_cli_usage(FILE *f);

/* cli_virtio.c: --disk, --rng, --net, --console. 0, or -1 with err set. */
int vmm_cli_virtio_option(struct vmm_config *cfg, int opt, const char *arg, char *err, size_t errlen);
#define VMM_CLI_VIRTIO_USAGE                                                                       \
	"      --disk PATH[,ro]     virtio-blk on a raw image file (repeatable, up to 8)\n"          \
	"                           [,format=raw]: locked while in use (shared with ,ro); a\n"     \
	"                           qcow2/vmdk/vhd/ISO/compressed file needs ,format=raw\n"       \
	"      --rng                virtio-rng (entropy from the host's getrandom)\n"               \
	"      --net tap=NAME[,mac=MAC][,create] virtio-net on an existing tap device\n"            \
	"                           (,create: create it when it does not exist)\n"                 \
	"      --console virtio     guest console on virtio-console (COM1 stays for early output)\n" \
	"      --poll-us N          after a disk request, poll the disk's queue up to N us for the\n" \
	"                           next one (adaptive) before waiting for a notification (default\n" \
	"                           50, 0 = off)\n"
enum { VMM_OPT_DISK = 512, VMM_OPT_RNG, VMM_OPT_NET, VMM_OPT_CONSOLE, VMM_OPT_POLL_US };
#endif
