/* Command line of the vmm program. */
#ifndef VMM_CLI_H
#define VMM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VMM_DEFAULT_CMDLINE "console=ttyS0 reboot=k panic=1"
#define VMM_DEFAULT_MEM (512ull << 20)
#define VMM_MIN_MEM (2ull << 20)
#define VMM_MAX_CPUS 32

struct vmm_config {
	const char *kernel;
	const char *initrd;  /* NULL: none */
	const char *cmdline;
	uint64_t mem_size;   /* bytes */
	unsigned cpus;
	int log_level;       /* enum vmm_log_level */
	bool print_seccomp;  /* --print-seccomp: print the allow-lists, exit 0 */
	const char *chroot_dir; /* --chroot DIR: NULL = stay */
	bool drop_user;      /* --user UID:GID given */
	unsigned uid, gid;
	bool host_decompress;
	bool fdt;
	bool seccomp;
};

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
#endif
