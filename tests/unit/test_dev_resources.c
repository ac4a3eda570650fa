/* devices/core resources: constraints satisfied all or nothing through the
 * DeviceManager's allocators, freeing, and save/restore of the whole set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/core/dev.h"
#include "tests/unit/harness.h"

static struct dev_manager *mk(void)
{
	struct dev_manager_config cfg;
	dev_manager_config_default(&cfg);
	cfg.mmio64_base = 0x100000000ull;
	cfg.mmio64_size = 0x100000000ull;
	struct dev_manager *m = NULL;
	ck_assert_int_eq(dev_manager_new(&m, &cfg), 0);
	return m;
}

START_TEST(every_kind)
{
	struct dev_manager *m = mk();
	struct dev_res_req req[] = {
	    {.kind = DEV_RES_PIO, .size = 8, .align = 8, .fixed = 1, .addr = 0x3f8},
	    {.kind = DEV_RES_MMIO,
	     .size = 0x1000,
	     .align = 0x1000,
	     .policy = DEV_ALLOC_FIRST_MATCH},
	    {.kind = DEV_RES_MMIO64,
	     .size = 0x200000,
	     .align = 0x200000,
	     .policy = DEV_ALLOC_LAST_MATCH},
	    {.kind = DEV_RES_LEGACY_IRQ},
	    {.kind = DEV_RES_LEGACY_IRQ, .fixed = 1, .addr = 4 + 6},
	    {.kind = DEV_RES_MSI, .size = 4, .align = 4},
	    {.kind = DEV_RES_ID},
	    {.kind = DEV_RES_MEM_SLOT},
	};
	enum { N = sizeof(req) / sizeof(req[0]) };
	struct dev_resource res[N];
	ck_assert_int_eq(dev_manager_alloc_resources(m, req, N, res), 0);
	ck_assert_uint_eq(res[0].base, 0x3f8);
	ck_assert_uint_eq(res[1].base, 0xc0000000);
	ck_assert_uint_eq(res[1].size, 0x1000);
	ck_assert_uint_eq(res[2].base, 0x200000000ull - 0x200000);
	ck_assert_uint_eq(res[3].base, 5);
	ck_assert_uint_eq(res[4].base, 10);
	ck_assert_uint_eq(res[5].base, 0);
	ck_assert_uint_eq(res[5].size, 4);
	ck_assert_uint_eq(res[6].base, 0);
	ck_assert_uint_eq(res[7].base, 0);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(res[i].kind, req[i].kind);
		ck_assert_int_eq(dev_manager_res_is_allocated(m, res[i].kind, res[i].base), 1);
	}
	/* next ones come after */
	struct dev_res_req more[] = {{.kind = DEV_RES_LEGACY_IRQ},
				     {.kind = DEV_RES_MSI, .size = 1}};
	struct dev_resource r2[2];
	ck_assert_int_eq(dev_manager_alloc_resources(m, more, 2, r2), 0);
	ck_assert_uint_eq(r2[0].base, 6);
	ck_assert_uint_eq(r2[1].base, 4);
	ck_assert_int_eq(dev_manager_free_resources(m, res, N), 0);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(dev_manager_res_is_allocated(m, res[i].kind, res[i].base), 0);
	ck_assert_int_eq(dev_manager_alloc_resources(m, NULL, 0, NULL), 0);
	dev_manager_free(m);
}
END_TEST

START_TEST(all_or_nothing)
{
	struct dev_manager *m = mk();
	struct dev_res_req req[] = {
	    {.kind = DEV_RES_MMIO, .size = 0x1000, .align = 0x1000},
	    {.kind = DEV_RES_LEGACY_IRQ},
	    {.kind = DEV_RES_PIO, .size = 0x20000}, /* bigger than the PIO space */
	};
	struct dev_resource res[3];
	ck_assert_int_eq(dev_manager_alloc_resources(m, req, 3, res), -ENOSPC);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xc0000000), 0);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_LEGACY_IRQ, 5), 0);
	/* two constraints that conflict with each other */
	struct dev_res_req clash[] = {
	    {.kind = DEV_RES_LEGACY_IRQ, .fixed = 1, .addr = 7},
	    {.kind = DEV_RES_MMIO, .size = 0x10},
	    {.kind = DEV_RES_LEGACY_IRQ, .fixed = 1, .addr = 7},
	};
	ck_assert_int_eq(dev_manager_alloc_resources(m, clash, 3, res), -EBUSY);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_LEGACY_IRQ, 7), 0);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO, 0xc0000000), 0);
	/* other error paths */
	struct dev_res_req bad = {.kind = (enum dev_res_kind)42};
	ck_assert_int_eq(dev_manager_alloc_resources(m, &bad, 1, res), -EINVAL);
	struct dev_res_req irq_out = {.kind = DEV_RES_LEGACY_IRQ, .fixed = 1, .addr = 24};
	ck_assert_int_eq(dev_manager_alloc_resources(m, &irq_out, 1, res), -ERANGE);
	irq_out.addr = 1ull << 40;
	ck_assert_int_eq(dev_manager_alloc_resources(m, &irq_out, 1, res), -ERANGE);
	struct dev_res_req mis = {
	    .kind = DEV_RES_MMIO, .size = 0x100, .align = 0x100, .fixed = 1, .addr = 0xc0000010};
	ck_assert_int_eq(dev_manager_alloc_resources(m, &mis, 1, res), -EADDRNOTAVAIL);
	ck_assert_int_eq(dev_manager_alloc_resources(NULL, &mis, 1, res), -EINVAL);
	/* all GSIs used up */
	struct dev_res_req one = {.kind = DEV_RES_LEGACY_IRQ};
	for (int i = 5; i <= 23; i++)
		ck_assert_int_eq(dev_manager_alloc_resources(m, &one, 1, res), 0);
	ck_assert_int_eq(dev_manager_alloc_resources(m, &one, 1, res), -ENOSPC);
	dev_manager_free(m);
}
END_TEST

START_TEST(unconfigured_and_free_errors)
{
	struct dev_manager *m = NULL;
	ck_assert_int_eq(dev_manager_new(&m, NULL), 0); /* defaults: no 64-bit window */
	struct dev_res_req r = {.kind = DEV_RES_MMIO64, .size = 0x1000};
	struct dev_resource res[2];
	ck_assert_int_eq(dev_manager_alloc_resources(m, &r, 1, res), -ENODEV);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_MMIO64, 0), -ENODEV);
	struct dev_res_req two[] = {{.kind = DEV_RES_PIO, .size = 4}, {.kind = DEV_RES_ID}};
	ck_assert_int_eq(dev_manager_alloc_resources(m, two, 2, res), 0);
	/* freeing one good and one bogus resource frees neither */
	struct dev_resource mixed[] = {res[0], {.kind = DEV_RES_ID, .base = 77, .size = 1}};
	ck_assert_int_eq(dev_manager_free_resources(m, mixed, 2), -ENOENT);
	ck_assert_int_eq(dev_manager_res_is_allocated(m, DEV_RES_PIO, res[0].base), 1);
	struct dev_resource badsz = {.kind = DEV_RES_ID, .base = res[1].base, .size = 2};
	ck_assert_int_eq(dev_manager_free_resources(m, &badsz, 1), -EINVAL);
	ck_assert_int_eq(dev_manager_free_resources(m, res, 2), 0);
	ck_assert_int_eq(dev_manager_free_resources(m, res, 2), -ENOENT); /* double free */
	dev_manager_free(m);
}
END_TEST

START_TEST(save_restore_identical_assignments)
{
	struct dev_manager *a = mk(), *b = mk();
	struct dev_res_req req[] = {
	    {.kind = DEV_RES_MMIO, .size = 0x1000, .align = 0x1000},
	    {.kind = DEV_RES_PIO, .size = 0x10, .align = 0x10, .policy = DEV_ALLOC_LAST_MATCH},
	    {.kind = DEV_RES_LEGACY_IRQ},
	    {.kind = DEV_RES_MSI, .size = 2},
	    {.kind = DEV_RES_ID},
	    {.kind = DEV_RES_MEM_SLOT},
	    {.kind = DEV_RES_MMIO64, .size = 0x10000, .align = 0x10000},
	};
	enum { N = sizeof(req) / sizeof(req[0]) };
	struct dev_resource ra[N], rb[N], keep[N];
	for (int round = 0; round < 5; round++)
		ck_assert_int_eq(dev_manager_alloc_resources(a, req, N, round == 2 ? keep : ra), 0);
	ck_assert_int_eq(dev_manager_free_resources(a, keep, N), 0); /* leave holes */
	size_t n = dev_manager_save_size(a);
	uint8_t *buf = malloc(n);
	ck_assert_int_eq(dev_manager_save(a, buf, n - 1), -ENOBUFS);
	ck_assert_int_eq(dev_manager_save(a, buf, n), (ssize_t)n);
	ck_assert_int_eq(dev_manager_restore(b, buf, n), 0);
	for (int round = 0; round < 5; round++) {
		ck_assert_int_eq(dev_manager_alloc_resources(a, req, N, ra), 0);
		ck_assert_int_eq(dev_manager_alloc_resources(b, req, N, rb), 0);
		for (int i = 0; i < N; i++)
			ck_assert_uint_eq(ra[i].base, rb[i].base);
	}
	/* malformed or mismatched state is refused and changes nothing */
	struct dev_manager *c = mk();
	ck_assert_int_eq(dev_manager_restore(c, buf, n - 1), -EBADMSG);
	ck_assert_int_eq(dev_manager_restore(c, buf, 4), -EBADMSG);
	uint8_t *bad = malloc(n);
	memcpy(bad, buf, n);
	bad[1] = 'x';
	ck_assert_int_eq(dev_manager_restore(c, bad, n), -EBADMSG);
	memcpy(bad, buf, n);
	bad[8] ^= 0x40; /* first allocator's length */
	ck_assert_int_eq(dev_manager_restore(c, bad, n), -EBADMSG);
	struct dev_manager *d = NULL;
	ck_assert_int_eq(dev_manager_new(&d, NULL), 0); /* different windows */
	ck_assert_int_eq(dev_manager_restore(d, buf, n), -EBADMSG);
	struct dev_res_req one = {.kind = DEV_RES_LEGACY_IRQ};
	struct dev_resource r1;
	ck_assert_int_eq(dev_manager_alloc_resources(c, &one, 1, &r1), 0);
	ck_assert_uint_eq(r1.base, 5); /* c untouched by the failed restores */
	free(bad);
	free(buf);
	dev_manager_free(a);
	dev_manager_free(b);
	dev_manager_free(c);
	dev_manager_free(d);
}
END_TEST

static Suite *res_suite(void)
{
	Suite *s = suite_create("dev_resources");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, every_kind);
	tcase_add_test(tc, all_or_nothing);
	tcase_add_test(tc, unconfigured_and_free_errors);
	tcase_add_test(tc, save_restore_identical_assignments);
	suite_add_tcase(s, tc);
	return s;
}

HARNESS_MAIN(res_suite)
