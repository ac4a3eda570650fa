/* Firecracker JSON config -> struct vmm_config (see config.h), with jansson. */
#include "monitor/api/json_config.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A field of an object: its allowed keys; the rest are refused. */
struct field {
	const char *name;
	int type;	   /* JSON_STRING, JSON_INTEGER, JSON_TRUE (= boolean), JSON_OBJECT */
	const char *unsup; /* non-NULL: a valid Firecracker field vmm does not implement */
};

static int check_fields(json_t *obj, const char *sect, const struct field *f, size_t n, char *err,
			size_t errlen)
{
	if (!json_is_object(obj))
		return fail(err, errlen, "%s: must be an object", sect);
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		size_t i = 0;
		while (i < n && strcmp(f[i].name, key) != 0)
			i++;
		if (i == n)
			return fail(err, errlen, "%s.%s: unknown field", sect, key);
		bool ok =
		    f[i].type == JSON_TRUE ? json_is_boolean(v) : (int)json_typeof(v) == f[i].type;
		if (!ok)
			return fail(err, errlen, "%s.%s: must be %s", sect, key,
				    f[i].type == JSON_STRING	? "a string"
				    : f[i].type == JSON_INTEGER ? "an integer"
				    : f[i].type == JSON_TRUE	? "true or false"
								: "an object");
		if (f[i].unsup)
			return fail(err, errlen, "%s.%s: %s not supported by vmm", sect, key,
				    f[i].unsup);
	}
	return 0;
}

/* A string field copied into dst (size cap); absent -> 0 with dst untouched. */
static int get_str(json_t *obj, const char *sect, const char *key, char *dst, size_t cap,
		   bool required, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return required ? fail(err, errlen, "%s.%s: missing", sect, key) : 1;
	size_t len = json_string_length(v);
	const char *s = json_string_value(v);
	if (memchr(s, 0, len))
		return fail(err, errlen, "%s.%s: contains a NUL byte", sect, key);
	if (len >= cap)
		return fail(err, errlen, "%s.%s: too long (%zu bytes, at most %zu)", sect, key, len,
			    cap - 1);
	memcpy(dst, s, len + 1);
	return 0;
}

static bool get_bool(json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

static int readable(const char *sect, const char *key, const char *path, int mode, char *err,
		    size_t errlen)
{
	if (!*path)
		return fail(err, errlen, "%s.%s: empty path", sect, key);
	if (access(path, mode) != 0)
		return fail(err, errlen, "%s.%s: cannot open '%s': %s", sect, key, path,
			    strerror(errno));
	return 0;
}

static const struct field boot_fields[] = {
    {"kernel_image_path", JSON_STRING, NULL},
    {"boot_args", JSON_STRING, NULL},
    {"initrd_path", JSON_STRING, NULL},
};

static int boot_source(json_t *o, struct vmm_config *cfg, struct vmm_api_store *st, bool *root_ro,
		       char *err, size_t errlen)
{
	const char *s = "boot-source";
	int r = check_fields(o, s, boot_fields, 3, err, errlen);
	if (r < 0 ||
	    (r = get_str(o, s, "kernel_image_path", st->kernel, sizeof(st->kernel), true, err,
			 errlen)) < 0 ||
	    (r = readable(s, "kernel_image_path", st->kernel, R_OK, err, errlen)) < 0)
		return r;
	cfg->kernel = st->kernel;
	if ((r = get_str(o, s, "initrd_path", st->initrd, sizeof(st->initrd), false, err, errlen)) <
	    0)
		return r;
	if (r == 0) {
		if ((r = readable(s, "initrd_path", st->initrd, R_OK, err, errlen)) < 0)
			return r;
		cfg->initrd = st->initrd;
	}
	if ((r = get_str(o, s, "boot_args", st->cmdline, VMM_API_PATH_MAX, false, err, errlen)) < 0)
		return r;
	if (r == 0)
		cfg->cmdline = st->cmdline;
	return 0;
}

static const struct field machine_fields[] = {
    {"vcpu_count", JSON_INTEGER, NULL}, {"mem_size_mib", JSON_INTEGER, NULL},
    {"smt", JSON_TRUE, NULL},		{"track_dirty_pages", JSON_TRUE, NULL},
    {"huge_pages", JSON_STRING, NULL},	{"cpu_template", JSON_STRING, "a CPU template is"},
};

static int machine(json_t *o, struct vmm_config *cfg, char *err, size_t errlen)
{
	const char *s = "machine-config";
	int r = check_fields(o, s, machine_fields,
			     sizeof(machine_fields) / sizeof(machine_fields[0]), err, errlen);
	if (r < 0)
		return r;
	json_t *vc = json_object_get(o, "vcpu_count"), *mem = json_object_get(o, "mem_size_mib");
	if (!vc || !mem)
		return fail(err, errlen, "%s.%s: missing", s, vc ? "mem_size_mib" : "vcpu_count");
	json_int_t n = json_integer_value(vc), mib = json_integer_value(mem);
	if (n < 1 || n > VMM_MAX_CPUS)
		return fail(err, errlen, "%s.vcpu_count: must be 1..%d", s, VMM_MAX_CPUS);
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t host_mib =
	    pages > 0 && psz > 0 ? ((uint64_t)pages * (uint64_t)psz) >> 20 : UINT64_MAX >> 20;
	if (mib < (json_int_t)(VMM_MIN_MEM >> 20) || (uint64_t)mib > host_mib)
		return fail(err, errlen, "%s.mem_size_mib: must be %llu..%llu (the host's RAM)", s,
			    (unsigned long long)(VMM_MIN_MEM >> 20), (unsigned long long)host_mib);
	if (get_bool(o, "smt"))
		return fail(err, errlen, "%s.smt: true is not supported by vmm", s);
	if (get_bool(o, "track_dirty_pages"))
		return fail(err, errlen, "%s.track_dirty_pages: true is not supported by vmm yet",
			    s);
	json_t *hp = json_object_get(o, "huge_pages");
	if (hp && strcmp(json_string_value(hp), "None") != 0)
		return fail(err, errlen, "%s.huge_pages: '%s' is not supported by vmm (only None)",
			    s, json_string_value(hp));
	cfg->cpus = (unsigned)n;
	cfg->mem_size = (uint64_t)mib << 20;
	return 0;
}

static const struct field drive_fields[] = {
    {"drive_id", JSON_STRING, NULL},
    {"path_on_host", JSON_STRING, NULL},
    {"is_root_device", JSON_TRUE, NULL},
    {"is_read_only", JSON_TRUE, NULL},
    {"cache_type", JSON_STRING, NULL},
    {"io_engine", JSON_STRING, NULL},
    {"partuuid", JSON_STRING, "partuuid is"},
    {"rate_limiter", JSON_OBJECT, "a rate limiter is"},
    {"socket", JSON_STRING, "vhost-user-block is"},
};

static int drives(json_t *a, struct vmm_config *cfg, bool *root, bool *root_ro, char *err,
		  size_t errlen)
{
	if (!json_is_array(a))
		return fail(err, errlen, "drives: must be an array");
	size_t i;
	json_t *o;
	char sect[48], id[65];
	json_array_foreach(a, i, o)
	{
		snprintf(sect, sizeof(sect), "drives[%zu]", i);
		int r = check_fields(o, sect, drive_fields,
				     sizeof(drive_fields) / sizeof(drive_fields[0]), err, errlen);
		if (r < 0 ||
		    (r = get_str(o, sect, "drive_id", id, sizeof(id), true, err, errlen)) < 0)
			return r;
		if (!json_object_get(o, "is_root_device"))
			return fail(err, errlen, "%s.is_root_device: missing", sect);
		json_t *ct = json_object_get(o, "cache_type"),
		       *io = json_object_get(o, "io_engine");
		if (ct && strcmp(json_string_value(ct), "Unsafe") &&
		    strcmp(json_string_value(ct), "Writeback"))
			return fail(err, errlen, "%s.cache_type: must be Unsafe or Writeback",
				    sect);
		if (io && strcmp(json_string_value(io), "Sync"))
			return fail(err, errlen,
				    "%s.io_engine: '%s' is not supported by vmm (only Sync)", sect,
				    json_string_value(io));
		if (cfg->ndisks >= VMM_MAX_DISKS)
			return fail(err, errlen, "drives: at most %d drives", VMM_MAX_DISKS);
		struct vmm_disk *d = &cfg->disks[cfg->ndisks];
		if ((r = get_str(o, sect, "path_on_host", d->path, sizeof(d->path), true, err,
				 errlen)) < 0)
			return r;
		d->read_only = get_bool(o, "is_read_only");
		if ((r = readable(sect, "path_on_host", d->path, d->read_only ? R_OK : R_OK | W_OK,
				  err, errlen)) < 0)
			return r;
		if (get_bool(o, "is_root_device")) {
			if (*root)
				return fail(err, errlen, "%s.is_root_device: a second root device",
					    sect);
			if (cfg->ndisks != 0)
				return fail(
				    err, errlen,
				    "%s.is_root_device: the root device must be the first drive",
				    sect);
			*root = true;
			*root_ro = d->read_only;
		}
		cfg->ndisks++;
	}
	return 0;
}

static const struct field net_fields[] = {
    {"iface_id", JSON_STRING, NULL},
    {"host_dev_name", JSON_STRING, NULL},
    {"guest_mac", JSON_STRING, NULL},
    {"mtu", JSON_INTEGER, "mtu is"},
    {"rx_rate_limiter", JSON_OBJECT, "a rate limiter is"},
    {"tx_rate_limiter", JSON_OBJECT, "a rate limiter is"},
};

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

static int nets(json_t *a, struct vmm_config *cfg, char *err, size_t errlen)
{
	if (!json_is_array(a))
		return fail(err, errlen, "network-interfaces: must be an array");
	size_t i;
	json_t *o;
	char sect[48], id[65], mac[18];
	json_array_foreach(a, i, o)
	{
		snprintf(sect, sizeof(sect), "network-interfaces[%zu]", i);
		int r = check_fields(o, sect, net_fields,
				     sizeof(net_fields) / sizeof(net_fields[0]), err, errlen);
		if (r < 0 ||
		    (r = get_str(o, sect, "iface_id", id, sizeof(id), true, err, errlen)) < 0)
			return r;
		if (cfg->net_tap)
			return fail(err, errlen, "%s: vmm has one network interface", sect);
		if ((r = get_str(o, sect, "host_dev_name", cfg->net_tap_name,
				 sizeof(cfg->net_tap_name), true, err, errlen)) < 0)
			return r;
		if (!cfg->net_tap_name[0])
			return fail(err, errlen, "%s.host_dev_name: empty", sect);
		static const uint8_t def[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
		memcpy(cfg->net_mac, def, 6);
		if ((r = get_str(o, sect, "guest_mac", mac, sizeof(mac), false, err, errlen)) < 0)
			return fail(err, errlen, "%s.guest_mac: not a MAC like 52:54:00:12:34:56",
				    sect);
		if (r == 0) {
			for (int k = 0; k < 6; k++) {
				int h = hexval(mac[3 * k]), l = h < 0 ? -1 : hexval(mac[3 * k + 1]);
				if (h < 0 || l < 0 || (k < 5 && mac[3 * k + 2] != ':') ||
				    (k == 5 && mac[17]))
					return fail(
					    err, errlen,
					    "%s.guest_mac: not a MAC like 52:54:00:12:34:56", sect);
				cfg->net_mac[k] = (uint8_t)(h << 4 | l);
			}
			if (cfg->net_mac[0] & 1)
				return fail(err, errlen, "%s.guest_mac: a multicast address", sect);
		}
		cfg->net_tap = cfg->net_tap_name;
	}
	return 0;
}

static const struct field entropy_fields[] = {{"rate_limiter", JSON_OBJECT, "a rate limiter is"}};
static const struct field logger_fields[] = {
    {"level", JSON_STRING, NULL},
    {"log_path", JSON_STRING, "log_path is (the log goes to stderr)"},
    {"show_level", JSON_TRUE, NULL},
    {"show_log_origin", JSON_TRUE, NULL},
    {"module", JSON_STRING, "module filtering is"},
};

static int logger(json_t *o, struct vmm_config *cfg, char *err, size_t errlen)
{
	int r = check_fields(o, "logger", logger_fields,
			     sizeof(logger_fields) / sizeof(logger_fields[0]), err, errlen);
	if (r < 0)
		return r;
	json_t *l = json_object_get(o, "level");
	if (l) {
		static const char *const names[] = {"error", "warning", "info", "debug"};
		const char *s = json_string_value(l);
		int lvl = -1;
		for (int i = 0; i < 4; i++)
			if (strcasecmp(s, names[i]) == 0)
				lvl = i;
		if (lvl < 0)
			return fail(err, errlen,
				    "logger.level: '%s' is not Error, Warning, Info or Debug", s);
		cfg->log_level = lvl;
	}
	return 0;
}

int vmm_api_config_parse(const char *buf, size_t len, struct vmm_config *cfg,
			 struct vmm_api_store *st, char *err, size_t errlen)
{
	if (len > VMM_API_CONFIG_MAX)
		return fail(err, errlen, "the config is larger than %u bytes", VMM_API_CONFIG_MAX);
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return fail(err, errlen, "invalid JSON at line %d, column %d: %s", je.line,
			    je.column, je.text);
	int r = 0;
	bool have_root = false, root_ro = false;
	if (!json_is_object(root))
		r = fail(err, errlen, "the config must be a JSON object");
	const char *key;
	json_t *v;
	if (r == 0)
		json_object_foreach(root, key, v)
		{
			if (strcmp(key, "boot-source") == 0)
				r = boot_source(v, cfg, st, &root_ro, err, errlen);
			else if (strcmp(key, "machine-config") == 0)
				r = machine(v, cfg, err, errlen);
			else if (strcmp(key, "drives") == 0)
				r = drives(v, cfg, &have_root, &root_ro, err, errlen);
			else if (strcmp(key, "network-interfaces") == 0)
				r = nets(v, cfg, err, errlen);
			else if (strcmp(key, "entropy") == 0) {
				r = check_fields(v, "entropy", entropy_fields, 1, err, errlen);
				if (r == 0)
					cfg->rng = true;
			} else if (strcmp(key, "logger") == 0)
				r = logger(v, cfg, err, errlen);
			else if (strcmp(key, "metrics") == 0 || strcmp(key, "balloon") == 0 ||
				 strcmp(key, "vsock") == 0 || strcmp(key, "mmds-config") == 0 ||
				 strcmp(key, "cpu-config") == 0 || strcmp(key, "pmem") == 0 ||
				 strcmp(key, "memory-hotplug") == 0 || strcmp(key, "serial") == 0)
				r = fail(err, errlen, "%s: not supported by vmm", key);
			else
				r = fail(err, errlen, "%s: unknown section", key);
			if (r < 0)
				break;
		}
	if (r == 0 && !json_object_get(root, "boot-source"))
		r = fail(err, errlen, "boot-source: missing");
	if (r == 0 && have_root) {
		/* as Firecracker: the root drive becomes the guest's root file system */
		if (cfg->cmdline != st->cmdline)
			snprintf(st->cmdline, sizeof(st->cmdline), "%s",
				 cfg->cmdline ? cfg->cmdline : "");
		size_t l = strlen(st->cmdline);
		snprintf(st->cmdline + l, sizeof(st->cmdline) - l, "%sroot=/dev/vda %s",
			 l ? " " : "", root_ro ? "ro" : "rw");
		cfg->cmdline = st->cmdline;
	}
	json_decref(root);
	return r;
}
