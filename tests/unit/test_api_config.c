/* monitor/api/json_config.c: Firecracker JSON config -> struct vmm_config. No KVM needed. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/api/json_config.h"
#include "tests/unit/harness.h"

static struct vmm_config cfg;
static struct vmm_api_store st;
static char err[512];
static char kpath[64], dpath[64];

static void setup(void)
{
	cfg = (struct vmm_config){
	    .cmdline = VMM_DEFAULT_CMDLINE, .mem_size = VMM_DEFAULT_MEM, .cpus = 1};
	memset(&st, 0, sizeof(st));
	err[0] = 0;
	snprintf(kpath, sizeof(kpath), "/tmp/test_api_k.%d", (int)getpid());
	snprintf(dpath, sizeof(dpath), "/tmp/test_api_d.%d", (int)getpid());
	FILE *f = fopen(kpath, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	f = fopen(dpath, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
}
static void teardown(void)
{
	unlink(kpath);
	unlink(dpath);
}

/* fmt has %s for the kernel path (and a second %s for the disk path, if any) */
static int parse(const char *fmt)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), fmt, kpath, dpath);
	return vmm_api_config_parse(buf, strlen(buf), &cfg, &st, err, sizeof(err));
}

static void refused(const char *fmt, const char *msg)
{
	int r = parse(fmt);
	ck_assert_msg(r < 0, "accepted: %s", fmt);
	ck_assert_msg(strstr(err, msg) != NULL, "error '%s' lacks '%s'", err, msg);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(full_config_maps_every_field)
{
	int r = parse(
	    "{\"boot-source\": {\"kernel_image_path\": \"%s\", \"boot_args\": \"console=ttyS0\"},"
	    " \"drives\": [{\"drive_id\": \"rootfs\", \"path_on_host\": \"%s\", "
	    "\"is_root_device\": true,"
	    " \"is_read_only\": true}],"
	    " \"machine-config\": {\"vcpu_count\": 2, \"mem_size_mib\": 64, \"smt\": false},"
	    " \"network-interfaces\": [{\"iface_id\": \"eth0\", \"host_dev_name\": \"tap7\","
	    " \"guest_mac\": \"06:00:AC:10:00:02\"}], \"entropy\": {}, \"logger\": {\"level\": "
	    "\"Debug\"}}");
	ck_assert_msg(r == 0, "%s", err);
	ck_assert_str_eq(cfg.kernel, kpath);
	ck_assert_str_eq(cfg.cmdline, "console=ttyS0 root=/dev/vda ro");
	ck_assert_uint_eq(cfg.cpus, 2);
	ck_assert_uint_eq(cfg.mem_size, 64ull << 20);
	ck_assert_uint_eq(cfg.ndisks, 1);
	ck_assert_str_eq(cfg.disks[0].path, dpath);
	ck_assert(cfg.disks[0].read_only);
	ck_assert_str_eq(cfg.net_tap, "tap7");
	ck_assert_uint_eq(cfg.net_mac[0], 0x06);
	ck_assert_uint_eq(cfg.net_mac[5], 0x02);
	ck_assert(cfg.rng);
	ck_assert_int_eq(cfg.log_level, 3);
}
END_TEST

START_TEST(minimal_config_keeps_defaults)
{
	ck_assert_int_eq(parse("{\"boot-source\": {\"kernel_image_path\": \"%s\"}}"), 0);
	ck_assert_str_eq(cfg.cmdline, VMM_DEFAULT_CMDLINE);
	ck_assert_uint_eq(cfg.cpus, 1);
	ck_assert_uint_eq(cfg.mem_size, VMM_DEFAULT_MEM);
	ck_assert_ptr_null(cfg.initrd);
	ck_assert(!cfg.rng);
}
END_TEST

START_TEST(bad_input_is_refused_with_the_field)
{
	refused("{\"boot-source\": ", "invalid JSON at line 1");
	refused("[]", "must be a JSON object");
	refused("{}", "boot-source: missing");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\", \"x\": 1}}",
		"boot-source.x: unknown field");
	refused("{\"boot-source\": {\"kernel_image_path\": 7}}",
		"boot-source.kernel_image_path: must be a string");
	refused("{\"boot-source\": {\"kernel_image_path\": \"/nonexistent/k\"}}",
		"cannot open '/nonexistent/k'");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"boot-source\": {}}",
		"invalid JSON");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 33,"
		" \"mem_size_mib\": 64}}",
		"machine-config.vcpu_count: must be 1..32");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 0,"
		" \"mem_size_mib\": 64}}",
		"machine-config.vcpu_count: must be 1..32");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 1.5,"
		" \"mem_size_mib\": 64}}",
		"machine-config.vcpu_count: must be an integer");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 1,"
		" \"mem_size_mib\": 1}}",
		"machine-config.mem_size_mib: must be 2..");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 1,"
		" \"mem_size_mib\": 9223372036854775807}}",
		"machine-config.mem_size_mib: must be 2..");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 1}}",
		"machine-config.mem_size_mib: missing");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"network-interfaces\": "
		"[{\"iface_id\": \"a\","
		" \"host_dev_name\": \"t\", \"guest_mac\": \"01:00:00:00:00:00\"}]}",
		"guest_mac: a multicast address");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"network-interfaces\": "
		"[{\"iface_id\": \"a\","
		" \"host_dev_name\": \"0123456789abcdef\"}]}",
		"host_dev_name: too long");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"frobnicate\": {}}",
		"frobnicate: unknown section");
	refused(
	    "{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"drives\": [{\"drive_id\": \"a\","
	    " \"path_on_host\": \"%s\"}]}",
	    "drives[0].is_root_device: missing");
}
END_TEST

START_TEST(unsupported_firecracker_fields_are_named)
{
	refused(
	    "{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"drives\": [{\"drive_id\": \"a\","
	    " \"path_on_host\": \"%s\", \"is_root_device\": false, \"rate_limiter\": {}}]}",
	    "drives[0].rate_limiter: a rate limiter is not supported by vmm");
	refused(
	    "{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"drives\": [{\"drive_id\": \"a\","
	    " \"path_on_host\": \"%s\", \"is_root_device\": false, \"io_engine\": \"Async\"}]}",
	    "drives[0].io_engine: 'Async' is not supported by vmm");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 1,"
		" \"mem_size_mib\": 64, \"cpu_template\": \"T2\"}}",
		"cpu_template: a CPU template is not supported by vmm");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"machine-config\": "
		"{\"vcpu_count\": 2,"
		" \"mem_size_mib\": 64, \"smt\": true}}",
		"machine-config.smt: true is not supported by vmm");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"entropy\": "
		"{\"rate_limiter\": {}}}",
		"entropy.rate_limiter: a rate limiter is not supported by vmm");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"vsock\": {}}",
		"vsock: not supported by vmm");
	refused("{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"metrics\": "
		"{\"metrics_path\": \"/x\"}}",
		"metrics: not supported by vmm");
}
END_TEST

static Suite *api_config_suite(void)
{
	Suite *s = suite_create("api_config");
	TCase *tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, full_config_maps_every_field);
	tcase_add_test(tc, minimal_config_keeps_defaults);
	tcase_add_test(tc, bad_input_is_refused_with_the_field);
	tcase_add_test(tc, unsupported_firecracker_fields_are_named);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(api_config_suite)
