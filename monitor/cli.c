/* Command line parsing (see cli.h). Every bad argument gives one line. */
#include "monitor/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "monitor/log.h"
#include "monitor/api/cli_api.h"

enum { OPT_NO_HOST_DECOMPRESS = 256, OPT_FDT, OPT_NO_SECCOMP, OPT_LOG_LEVEL, OPT_PRINT_SECCOMP, OPT_CHROOT, OPT_USER };

static const struct option long_opts[] = {
	{"kernel", required_argument, NULL, 'k'},
	{"initrd", required_argument, NULL, 'i'},
	{"cmdline", required_argument, NULL, 'p'},
	{"mem", required_argument, NULL, 'm'},
	{"cpus", required_argument, NULL, 'c'},
	{"print-seccomp", no_argument, NULL, OPT_PRINT_SECCOMP},
	{"chroot", required_argument, NULL, OPT_CHROOT},
	{"user", required_argument, NULL, OPT_USER},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"no-host-decompress", no_argument, NULL, OPT_NO_HOST_DECOMPRESS},
	{"fdt", no_argument, NULL, OPT_FDT},
	{"no-seccomp", no_argument, NULL, OPT_NO_SECCOMP},
	{"disk", required_argument, NULL, VMM_OPT_DISK},
	{"rng", no_argument, NULL, VMM_OPT_RNG},
	{"net", required_argument, NULL, VMM_OPT_NET},
	{"console", required_argument, NULL, VMM_OPT_CONSOLE},
	{"poll-us", required_argument, NULL, VMM_OPT_POLL_US},
	VMM_CLI_API_OPTIONS
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

void vmm_cli_usage(FILE *f)
{
	fprintf(f,
	        "Usage: vmm --kernel FILE [options]\n"
	        "Boot a Linux bzImage or x86_64 ELF vmlinux (PVH) on /dev/kvm.\n"
	        "\n"
	        "  -k, --kernel FILE        kernel: bzImage or ELF vmlinux (required)\n"
	        "  -i, --initrd FILE        initial ramdisk\n"
	        "  -p, --cmdline STR        kernel command line (default: \"%s\")\n"
	        "  -m, --mem SIZE           guest RAM, with K/M/G suffix; no suffix = MiB (default 512M)\n"
	        "  -c, --cpus N             vCPUs, 1-%d (default 1)\n"
	        "      --log-level LEVEL    error, warn, info (default) or debug\n"
	        "      --print-seccomp      print each thread kind's allowed system calls\n"
	        "      --chroot DIR         after setup, chroot into DIR (needs root)\n"
	        "      --user UID:GID       after setup, drop to this user and group (needs root)\n"
	        "      --no-host-decompress boot a bzImage through its own decompressor\n"
	        "      --fdt                also hand the guest a device tree (setup_data)\n"
	        "      --no-seccomp         do not install the per-thread seccomp filters\n"
	        "%s%s"
	        "  -h, --help               this help\n"
	        "  -V, --version            print the version\n"
	        "\n"
	        "--kernel, --initrd, --mem, --cpus, --chroot and --user may be given once;\n"
	        "--cmdline and --log-level: the last one counts.\n"
	        "The guest's COM1 is this terminal; Ctrl-A x quits, Ctrl-A h lists the keys.\n"
	        "Exit status: 0 when the guest resets or powers off, 1 on a setup error, 2 when\n"
	        "the guest stops abnormally (KVM internal error, failed entry, crash), 128+N on\n"
	        "signal N.\n",
	        VMM_DEFAULT_CMDLINE, VMM_MAX_CPUS, VMM_CLI_VIRTIO_USAGE, VMM_CLI_API_USAGE);
}

static enum vmm_cli_result fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return VMM_CLI_ERROR;
}

int vmm_cli_parse_size(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	unsigned shift = 20; /* no suffix: MiB, as kvmtool's -m */
	const char *suffix = end;
	switch (*end) {
	case 0:
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (end != suffix && end[0] == 'i' && end[1] == 'B')
		end += 2; /* "MiB" */
	else if (end != suffix && end[0] == 'B')
		end++; /* "MB" */
	if (*end != 0)
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_id(const char *s, const char *end, unsigned *out)
{
	if (s == end || end - s > 10)
		return -EINVAL;
	unsigned long long v = 0;
	for (const char *c = s; c < end; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long long)(*c - '0');
	}
	if (v >= 0xffffffffull) /* (uid_t)-1 means "unchanged" to setresuid */
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

int vmm_cli_parse_user(const char *s, unsigned *uid, unsigned *gid)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	if (!colon || parse_id(s, colon, uid) < 0 || parse_id(colon + 1, colon + 1 + strlen(colon + 1), gid) < 0)
		return -EINVAL;
	return 0;
}

static uint64_t host_ram(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || psz <= 0)
		return UINT64_MAX;
	return (uint64_t)pages * (uint64_t)psz;
}

enum vmm_cli_result vmm_cli_parse(int argc, char **argv, struct vmm_config *cfg, char *err, size_t errlen)
{
	*cfg = (struct vmm_config){
		.cmdline = VMM_DEFAULT_CMDLINE,
		.mem_size = VMM_DEFAULT_MEM,
		.cpus = 1,
		.log_level = VMM_LOG_INFO,
		.host_decompress = true,
		.seccomp = true,
		.poll_us = VMM_DEFAULT_POLL_US,
	};
	opterr = 0;
	optind = 0; /* 0, not 1: fully resets getopt, which may hold a half-read "-hk" */
	int c;
	/* single-valued options: a second one is refused, never silently last-wins */
	static const struct {
		int opt;
		const char *name;
	} single[] = {
		{'k', "--kernel"}, {'i', "--initrd"}, {'m', "--mem"},
		{'c', "--cpus"},   {OPT_CHROOT, "--chroot"}, {OPT_USER, "--user"},
	};
	unsigned seen = 0;
	while ((c = getopt_long(argc, argv, ":k:i:p:m:c:hV", long_opts, NULL)) != -1) {
		for (unsigned i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
			if (single[i].opt != c)
				continue;
			if (seen & (1u << i))
				return fail(err, errlen, "option '%s' given twice (it takes one value)", single[i].name);
			seen |= 1u << i;
		}
		switch (c) {
		case 'k':
			cfg->kernel = optarg;
			break;
		case 'i':
			cfg->initrd = optarg;
			break;
		case 'p':
			cfg->cmdline = optarg;
			break;
		case 'm': {
			uint64_t sz = 0;
			int r = vmm_cli_parse_size(optarg, &sz);
			if (r == -ERANGE)
				return fail(err, errlen, "--mem '%s' is too large", optarg);
			if (r < 0)
				return fail(err, errlen, "--mem '%s' is not a size (use e.g. 512M, 2G, 65536K)", optarg);
			if (sz == 0)
				return fail(err, errlen, "--mem must not be 0");
			if (sz < VMM_MIN_MEM)
				return fail(err, errlen, "--mem '%s' is too small (at least 2M)", optarg);
			if (sz & 0xfff)
				return fail(err, errlen, "--mem '%s' is not a multiple of 4K", optarg);
			uint64_t host = host_ram();
			if (sz > host)
				return fail(err, errlen, "--mem '%s' is more than the host's %llu MiB of RAM", optarg,
				            (unsigned long long)(host >> 20));
			cfg->mem_size = sz;
			break;
		}
		case 'c': {
			char *end;
			errno = 0;
			long n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || n < 1 || n > VMM_MAX_CPUS)
				return fail(err, errlen, "--cpus '%s' must be a number from 1 to %d", optarg, VMM_MAX_CPUS);
			cfg->cpus = (unsigned)n;
			break;
		}
		case OPT_LOG_LEVEL: {
			int l = vmm_log_parse_level(optarg);
			if (l < 0)
				return fail(err, errlen, "--log-level '%s' is not one of error, warn, info, debug", optarg);
			cfg->log_level = l;
			break;
		}
		case OPT_PRINT_SECCOMP:
			cfg->print_seccomp = true;
			return VMM_CLI_EXIT;
		case OPT_CHROOT: {
			struct stat st;
			if (stat(optarg, &st) != 0)
				return fail(err, errlen, "--chroot '%s': %s", optarg, strerror(errno));
			if (!S_ISDIR(st.st_mode))
				return fail(err, errlen, "--chroot '%s' is not a directory", optarg);
			cfg->chroot_dir = optarg;
			break;
		}
		case OPT_USER:
			if (vmm_cli_parse_user(optarg, &cfg->uid, &cfg->gid) < 0)
				return fail(err, errlen, "--user '%s' is not UID:GID (two decimal numbers, e.g. 65534:65534)", optarg);
			cfg->drop_user = true;
			break;
		case OPT_NO_HOST_DECOMPRESS:
			cfg->host_decompress = false;
			break;
		case OPT_FDT:
			cfg->fdt = true;
			break;
		case OPT_NO_SECCOMP:
			cfg->seccomp = false;
			break;
		case VMM_OPT_DISK:
		case VMM_OPT_RNG:
		case VMM_OPT_NET:
		case VMM_OPT_CONSOLE:
		case VMM_OPT_POLL_US:
			if (vmm_cli_virtio_option(cfg, c, optarg, err, errlen) < 0)
				return VMM_CLI_ERROR;
			break;
		case VMM_OPT_CONFIG_FILE:
		case VMM_OPT_NO_API:
			if (vmm_cli_api_option(cfg, c, optarg, err, errlen) < 0)
				return VMM_CLI_ERROR;
			break;
		case 'h':
			vmm_cli_usage(stdout);
			return VMM_CLI_EXIT;
		case 'V':
			printf("vmm %s\n", PACKAGE_VERSION);
			return VMM_CLI_EXIT;
		case ':':
			return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		default: {
			const char *arg = argv[optind - 1];
			const char *eq = strchr(arg, '=');
			if (strncmp(arg, "--", 2) == 0 && eq && optopt) /* a known flag given a value */
				return fail(err, errlen, "option '%.*s' takes no value", (int)(eq - arg), arg);
			if (strncmp(arg, "--", 2) != 0 && optopt > 0 && optopt < 256)
				return fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
			return fail(err, errlen, "unknown option '%s' (see --help)", arg);
		}
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s' (the kernel goes after --kernel)", argv[optind]);
	if (!cfg->kernel && cfg->config_file)
		return VMM_CLI_RUN; /* the kernel comes from the config file (monitor/api/) */
	if (!cfg->kernel)
		return fail(err, errlen, "no kernel given: use --kernel FILE (see --help)");
	if (access(cfg->kernel, R_OK) != 0)
		return fail(err, errlen, "cannot read kernel '%s': %s", cfg->kernel, strerror(errno));
	if (cfg->initrd && access(cfg->initrd, R_OK) != 0)
		return fail(err, errlen, "cannot read initrd '%s': %s", cfg->initrd, strerror(errno));
	return VMM_CLI_RUN;
}
