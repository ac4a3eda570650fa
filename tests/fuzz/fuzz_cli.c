/* libFuzzer target: the vmm program's command-line parser (monitor/cli.c, built
 * into this fuzzer from its source: it is not in a library).
 *   mode 0: vmm_cli_parse_size on a fuzzed string, against an independent
 *           reading of the documented grammar: decimal digits, then nothing
 *           (MiB), K, M or G (any case), optionally followed by "iB" or "B".
 *   mode 1: vmm_cli_parse on a fuzzed argv (NUL-separated words; /dev/null
 *           is a readable "kernel"), parsed twice in a row.
 * Invariants: the same argv gives the same result and configuration both
 * times (the parser must fully reset getopt's state); an error is one
 * non-empty line that fits the error buffer (sized exactly, so ASan sees any
 * overrun); a runnable configuration has a readable kernel, 1..32 vCPUs, and
 * memory >= 2 MiB, a multiple of 4 KiB, within the host's RAM; its strings
 * point into argv (or are the default command line). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/input.h"
#include "monitor/cli.h"

#define MAX_ARGS 24

/* The documented grammar, read independently. */
static int model_size(const char *s, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -EINVAL;
	uint64_t v = 0;
	int big = 0;
	while (*s >= '0' && *s <= '9') {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			big = 1;
		else
			v = v * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (big)
		return -ERANGE; /* the number itself is too large, whatever follows */
	unsigned shift = 20;
	if (*s) {
		switch (*s) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -EINVAL;
		}
		s++;
		if (strcmp(s, "iB") == 0)
			s += 2;
		else if (strcmp(s, "B") == 0)
			s += 1;
		if (*s)
			return -EINVAL;
	}
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static void mode_size(struct fin *in)
{
	char s[64];
	size_t n = fin_bytes(in, s, sizeof(s) - 1);
	s[n] = '\0';
	uint64_t got = 0, want = 0;
	int rc = vmm_cli_parse_size(s, &got);
	CHECK_EQ(rc, model_size(s, &want));
	if (rc == 0)
		CHECK(got == want);
}

static int points_into(const char *p, char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

static void check_one(enum vmm_cli_result r, const struct vmm_config *c, const char *err,
		      size_t errlen, char **argv, int argc)
{
	CHECK(r == VMM_CLI_RUN || r == VMM_CLI_EXIT || r == VMM_CLI_ERROR);
	if (r == VMM_CLI_ERROR) {
		size_t len = strnlen(err, errlen);
		CHECK(len < errlen);
		CHECK(len > 0 || errlen == 1);
		/* one line, unless it quotes an argument that has a newline */
		int nl = 0;
		for (int i = 0; i < argc; i++)
			nl |= strchr(argv[i], '\n') != NULL;
		CHECK(nl || strchr(err, '\n') == NULL);
	}
	if (r != VMM_CLI_RUN)
		return;
	if (!c->kernel && c->config_file) /* --config-file: the kernel comes from monitor/api/ */
		return;
	CHECK(c->kernel && points_into(c->kernel, argv, argc) && access(c->kernel, R_OK) == 0);
	CHECK(!c->initrd || points_into(c->initrd, argv, argc));
	CHECK(c->cmdline && (strcmp(c->cmdline, VMM_DEFAULT_CMDLINE) == 0 ||
			     points_into(c->cmdline, argv, argc)));
	CHECK(c->cpus >= 1 && c->cpus <= VMM_MAX_CPUS);
	CHECK(c->mem_size >= VMM_MIN_MEM && (c->mem_size & 0xfff) == 0);
	CHECK(c->log_level >= 0 && c->log_level <= 3);
	CHECK(c->ndisks <= VMM_MAX_DISKS && c->poll_us <= VMM_MAX_POLL_US);
	for (unsigned i = 0; i < c->ndisks; i++)
		CHECK(c->disks[i].path[0] && strnlen(c->disks[i].path, VMM_DISK_PATH_MAX) < VMM_DISK_PATH_MAX);
}

/* The virtio half of two configurations (copied strings: compared by value). */
static int same_virtio(const struct vmm_config *a, const struct vmm_config *b)
{
	if (a->ndisks != b->ndisks || a->rng != b->rng || a->console_virtio != b->console_virtio ||
	    a->poll_us != b->poll_us || !a->net_tap != !b->net_tap)
		return 0;
	for (unsigned i = 0; i < a->ndisks; i++)
		if (strcmp(a->disks[i].path, b->disks[i].path) != 0 || a->disks[i].read_only != b->disks[i].read_only)
			return 0;
	return !a->net_tap || (strcmp(a->net_tap, b->net_tap) == 0 && memcmp(a->net_mac, b->net_mac, 6) == 0);
}

static void mode_argv(struct fin *in)
{
	size_t errlen = 1 + fin_u8(in) % 160;
	char *buf = malloc(fin_left(in) + 1);
	CHECK(buf);
	size_t n = fin_bytes(in, buf, fin_left(in));
	buf[n] = '\0';
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = "vmm";
	for (char *p = buf; p < buf + n && argc < MAX_ARGS + 1; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	char *err1 = malloc(errlen), *err2 = malloc(errlen);
	CHECK(err1 && err2);
	static struct vmm_config c1, c2; /* 33 KiB each (eight disk paths) */
	/* getopt may permute argv: give each call its own copy of the pointers */
	char *a1[MAX_ARGS + 2], *a2[MAX_ARGS + 2];
	memcpy(a1, argv, sizeof(argv));
	memcpy(a2, argv, sizeof(argv));
	enum vmm_cli_result r1 = vmm_cli_parse(argc, a1, &c1, err1, errlen);
	check_one(r1, &c1, err1, errlen, argv, argc);
	enum vmm_cli_result r2 = vmm_cli_parse(argc, a2, &c2, err2, errlen);
	check_one(r2, &c2, err2, errlen, argv, argc);
	CHECK_EQ(r2, r1);
	if (r1 == VMM_CLI_ERROR)
		CHECK(strcmp(err1, err2) == 0);
	if (r1 == VMM_CLI_RUN)
		CHECK(c1.kernel == c2.kernel && c1.initrd == c2.initrd && c1.cmdline == c2.cmdline &&
		      c1.mem_size == c2.mem_size && c1.cpus == c2.cpus &&
		      c1.log_level == c2.log_level && c1.fdt == c2.fdt &&
		      c1.host_decompress == c2.host_decompress && c1.seccomp == c2.seccomp && same_virtio(&c1, &c2));
	free(err1);
	free(err2);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		/* --help / --version print to stdout; libFuzzer reports on stderr */
		CHECK(freopen("/dev/null", "w", stdout) != NULL);
		quiet = 1;
	}
	struct fin in = fin_make(data, size);
	if (fin_u8(&in) & 1)
		mode_argv(&in);
	else
		mode_size(&in);
	return 0;
}
