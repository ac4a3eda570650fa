/* Command line options for the virtio-mmio devices (see cli.h):
 * --disk PATH[,ro][,format=raw], --rng, --net tap=NAME[,mac=MAC], --console virtio,
 * --poll-us N. Arguments are copied, never cut in place: the caller's strings
 * stay as given (a second parse of the same argv sees the same). */
#include "monitor/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "52:54:00:12:34:56" -> 6 bytes; unicast only. */
static int parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	if (len != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int h = hexval(s[3 * i]), l = hexval(s[3 * i + 1]);
		if (h < 0 || l < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(h << 4 | l);
	}
	return (mac[0] & 1) ? -1 : 0;
}

static int opt_disk(struct vmm_config *cfg, const char *arg, char *err, size_t errlen)
{
	if (cfg->ndisks >= VMM_MAX_DISKS)
		return fail(err, errlen, "--disk: at most %d disks", VMM_MAX_DISKS);
	size_t n = strlen(arg);
	bool ro = false, raw = false;
	/* trailing ",ro" and ",format=raw" in any order */
	for (;;) {
		if (!ro && n >= 3 && strncmp(arg + n - 3, ",ro", 3) == 0) {
			ro = true;
			n -= 3;
		} else if (!raw && n >= 11 && strncmp(arg + n - 11, ",format=raw", 11) == 0) {
			raw = true;
			n -= 11;
		} else
			break;
	}
	if (n == 0)
		return fail(err, errlen, "--disk '%s': no file name (use --disk PATH[,ro][,format=raw])", arg);
	if (memchr(arg, ',', n))
		return fail(err, errlen, "--disk '%s': unknown option after ',' (only ',ro' and ',format=raw')", arg);
	struct vmm_disk *d = &cfg->disks[cfg->ndisks];
	if (n >= sizeof(d->path))
		return fail(err, errlen, "--disk: the path is too long (%zu bytes, at most %zu)", n, sizeof(d->path) - 1);
	memcpy(d->path, arg, n);
	d->path[n] = '\0';
	d->read_only = ro;
	d->format_raw = raw;
	cfg->ndisks++;
	return 0;
}

static int opt_net(struct vmm_config *cfg, const char *arg, char *err, size_t errlen)
{
	if (cfg->net_tap)
		return fail(err, errlen, "--net given twice (one network device)");
	/* default MAC: locally administered, unicast */
	static const uint8_t def[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	memcpy(cfg->net_mac, def, 6);
	const char *p = arg;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 4 && strncmp(p, "tap=", 4) == 0) {
			if (len - 4 >= sizeof(cfg->net_tap_name))
				return fail(err, errlen, "--net: tap name '%.*s' is too long (15 characters at most)",
				            (int)(len - 4), p + 4);
			memcpy(cfg->net_tap_name, p + 4, len - 4);
			cfg->net_tap_name[len - 4] = '\0';
			cfg->net_tap = cfg->net_tap_name;
		} else if (len > 4 && strncmp(p, "mac=", 4) == 0) {
			if (parse_mac(p + 4, len - 4, cfg->net_mac) < 0)
				return fail(err, errlen, "--net: '%.*s' is not a unicast MAC like 52:54:00:12:34:56",
				            (int)(len - 4), p + 4);
		} else if (len == 6 && strncmp(p, "create", 6) == 0) {
			cfg->net_tap_create = true;
		} else {
			return fail(err, errlen, "--net '%s': expected tap=NAME[,mac=MAC]", arg);
		}
		p = end ? end + 1 : p + len;
	}
	if (!cfg->net_tap)
		return fail(err, errlen, "--net '%s': no tap=NAME", arg);
	return 0;
}

int vmm_cli_virtio_option(struct vmm_config *cfg, int opt, const char *arg, char *err, size_t errlen)
{
	switch (opt) {
	case VMM_OPT_DISK:
		return opt_disk(cfg, arg, err, errlen);
	case VMM_OPT_RNG:
		cfg->rng = true;
		return 0;
	case VMM_OPT_NET:
		return opt_net(cfg, arg, err, errlen);
	case VMM_OPT_CONSOLE:
		if (strcmp(arg, "virtio") == 0)
			cfg->console_virtio = true;
		else if (strcmp(arg, "serial") == 0)
			cfg->console_virtio = false;
		else
			return fail(err, errlen, "--console '%s': expected 'virtio' or 'serial'", arg);
		return 0;
	case VMM_OPT_POLL_US: {
		unsigned long v = 0;
		const char *p = arg;
		for (; *p >= '0' && *p <= '9' && v <= VMM_MAX_POLL_US; p++)
			v = v * 10 + (unsigned long)(*p - '0');
		if (p == arg || *p || v > VMM_MAX_POLL_US)
			return fail(err, errlen, "--poll-us '%s' must be a number of microseconds from 0 to %d", arg,
			            VMM_MAX_POLL_US);
		cfg->poll_us = (unsigned)v;
		return 0;
	}
	default:
		return fail(err, errlen, "internal: unknown virtio option %d", opt);
	}
}
