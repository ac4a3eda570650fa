/* struct vmm_config: what the command line asks for (filled by cli.c and
 * cli_virtio.c, read by the rest of the monitor), with its limits and
 * defaults. Plain data; the strings point into argv or into the struct. */
#ifndef VMM_VM_CONFIG_H
#define VMM_VM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define VMM_DEFAULT_CMDLINE "console=ttyS0 reboot=k panic=1"
#define VMM_DEFAULT_MEM (512ull << 20)
#define VMM_MIN_MEM (2ull << 20)
#define VMM_MAX_CPUS 32
#define VMM_MAX_DISKS 8

#define VMM_DISK_PATH_MAX 4096
#define VMM_DEFAULT_POLL_US 50
#define VMM_MAX_POLL_US 10000

struct vmm_disk {
	char path[VMM_DISK_PATH_MAX]; /* copied out of --disk's argument */
	bool read_only;
	bool format_raw; /* ,format=raw: attach without probing the format */
};

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
	/* virtio-mmio devices (monitor/cli_virtio.c) */
	struct vmm_disk disks[VMM_MAX_DISKS];
	unsigned ndisks;
	bool rng;
	const char *net_tap; /* NULL: no network device; else points at net_tap_name */
	char net_tap_name[16]; /* IFNAMSIZ: the name copied out of --net's argument */
	uint8_t net_mac[6];
	bool console_virtio; /* --console virtio */
	unsigned poll_us;    /* --poll-us: block queues polled this long after a request */
	/* monitor/api/cli_api.h */
	const char *config_file; /* --config-file FILE: NULL = none */
	bool no_api;             /* --no-api */
	bool net_tap_create; /* --net tap=NAME,create: TUNSETIFF may create the tap */
};

#endif
