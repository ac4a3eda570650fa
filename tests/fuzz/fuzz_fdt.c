/* libFuzzer target: boot/'s flattened device tree builder from fuzzed
 * configurations (vCPUs, command line, initrd, e820 map, virtio-mmio list,
 * buffer size), read back with libfdt.
 *
 * Invariants: bad configurations are refused (-EINVAL: vCPU count, two
 * devices at one address; -ENOSPC: buffer too small) and a good one builds
 * in a large buffer; a built tree passes fdt_check_header and
 * fdt_check_full, lies inside the buffer, and every node and property can be
 * walked; /chosen holds the command line and initrd range; /cpus holds one
 * cpu@N per vCPU; /memory@0 "reg" lists exactly the RAM entries; there is one
 * virtio,mmio node per device with its reg and interrupt; packing keeps all
 * of it and only shrinks the tree. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "boot/e820.h"
#include "boot/fdt.h"
#include "boot/layout.h"
#include "tests/fuzz/input.h"

#define NV_MAX 12
#define FDT_BUF 0x10000

/* property values are only 4-byte aligned */
static uint64_t be64(const void *p)
{
	fdt64_t v;
	memcpy(&v, p, sizeof(v));
	return fdt64_to_cpu(v);
}

static void check_tree(const void *fdt, size_t cap, const struct boot_fdt_config *c)
{
	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK(fdt_totalsize(fdt) <= cap);
	CHECK_EQ(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);

	/* walk everything */
	int depth = 0, nodes = 0, virtio = 0;
	for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
		CHECK(depth < 8);
		nodes++;
		int len;
		CHECK(fdt_get_name(fdt, node, &len) != NULL);
		int prop;
		fdt_for_each_property_offset(prop, fdt, node)
		{
			const char *name;
			const void *v = fdt_getprop_by_offset(fdt, prop, &name, &len);
			CHECK(v != NULL && name != NULL && len >= 0);
		}
		const char *compat = fdt_getprop(fdt, node, "compatible", &len);
		if (compat && strcmp(compat, "virtio,mmio") == 0) {
			const fdt64_t *reg = fdt_getprop(fdt, node, "reg", &len);
			CHECK(reg && len == 16);
			const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
			CHECK(irq && len == 4);
			int found = 0;
			for (size_t i = 0; i < c->nvirtio; i++)
				found += c->virtio[i].addr == be64(&reg[0]) &&
					 c->virtio[i].size == be64(&reg[1]) &&
					 c->virtio[i].gsi == fdt32_to_cpu(irq[0]);
			CHECK_EQ(found, 1);
			virtio++;
		}
	}
	CHECK_EQ(virtio, c->nvirtio);
	CHECK(nodes >= 5);

	int len;
	int chosen = fdt_path_offset(fdt, "/chosen");
	CHECK(chosen >= 0);
	const char *args = fdt_getprop(fdt, chosen, "bootargs", &len);
	if (c->cmdline) {
		CHECK(args && (size_t)len == strlen(c->cmdline) + 1 && strcmp(args, c->cmdline) == 0);
	} else {
		CHECK(args == NULL);
	}
	const void *is = fdt_getprop(fdt, chosen, "linux,initrd-start", &len);
	if (c->initrd_size) {
		CHECK(is && len == 8 && be64(is) == c->initrd_addr);
		const void *ie = fdt_getprop(fdt, chosen, "linux,initrd-end", &len);
		CHECK(ie && len == 8 && be64(ie) == c->initrd_addr + c->initrd_size);
	} else {
		CHECK(is == NULL);
	}

	int cpus = fdt_path_offset(fdt, "/cpus");
	CHECK(cpus >= 0);
	unsigned ncpu = 0;
	int sub;
	fdt_for_each_subnode(sub, fdt, cpus)
	{
		const fdt32_t *reg = fdt_getprop(fdt, sub, "reg", &len);
		CHECK(reg && len == 4 && fdt32_to_cpu(*reg) == ncpu);
		char want[16];
		snprintf(want, sizeof(want), "cpu@%u", ncpu);
		CHECK(strcmp(fdt_get_name(fdt, sub, NULL), want) == 0);
		ncpu++;
	}
	CHECK_EQ(ncpu, c->ncpus);

	int mem = fdt_path_offset(fdt, "/memory@0");
	CHECK(mem >= 0);
	const fdt64_t *reg = fdt_getprop(fdt, mem, "reg", &len);
	CHECK(reg != NULL || len == 0);
	size_t k = 0;
	for (size_t i = 0; c->e820 && i < c->e820->n; i++) {
		if (c->e820->e[i].type != BOOT_E820_RAM)
			continue;
		CHECK((size_t)len >= (k + 1) * 16);
		CHECK(be64(&reg[2 * k]) == c->e820->e[i].addr);
		CHECK(be64(&reg[2 * k + 1]) == c->e820->e[i].size);
		k++;
	}
	CHECK_EQ((size_t)len, k * 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = fin_make(data, size);
	static struct boot_e820 t;
	static struct boot_virtio_mmio v[NV_MAX];
	static uint8_t buf[FDT_BUF];
	static char cmdline[512];
	struct boot_fdt_config c;
	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	uint8_t f = fin_u8(&in);
	c.ncpus = fin_u8(&in) % 40;
	/* e820: a few entries in order */
	size_t ne = fin_u8(&in) % 10;
	uint64_t pos = 0;
	for (size_t i = 0; i < ne; i++) {
		uint64_t a = pos + ((uint64_t)fin_u16(&in) << 12);
		uint64_t s = 1 + ((uint64_t)fin_u16(&in) << 12);
		if (boot_e820_add(&t, a, s, fin_u8(&in) & 1 ? BOOT_E820_RAM : BOOT_E820_RESERVED) == 0)
			pos = a + s;
	}
	c.e820 = f & 1 ? &t : NULL;
	if (f & 2) {
		c.initrd_addr = fin_u64(&in) >> (fin_u8(&in) % 64);
		c.initrd_size = fin_u32(&in);
	}
	c.nvirtio = fin_u8(&in) % (NV_MAX + 1);
	c.virtio = v;
	int dup = 0;
	for (size_t i = 0; i < c.nvirtio; i++) {
		uint8_t how = fin_u8(&in);
		v[i].addr = how & 1 ? fin_u64(&in) : 0xd0000000ull + ((uint64_t)(fin_u8(&in) % 16) << 12);
		v[i].size = how & 2 ? fin_u64(&in) : 0x1000;
		v[i].gsi = fin_u8(&in);
		for (size_t j = 0; j < i; j++)
			dup |= v[j].addr == v[i].addr;
	}
	size_t cap = f & 4 ? 64 + fin_u16(&in) % (FDT_BUF - 64) : FDT_BUF;
	if (f & 8) {
		c.cmdline = NULL;
	} else {
		size_t n = fin_left(&in) < sizeof(cmdline) - 1 ? fin_left(&in) : sizeof(cmdline) - 1;
		fin_bytes(&in, cmdline, n);
		cmdline[n] = '\0';
		c.cmdline = cmdline;
	}

	struct boot_err err;
	memset(&err, 0, sizeof(err));
	memset(buf, 0xa5, sizeof(buf));
	int rc = boot_fdt_build(&c, buf, cap, &err);
	int good_cpus = c.ncpus >= 1 && c.ncpus <= BOOT_MAX_CPUS;
	if (!good_cpus) {
		CHECK_EQ(rc, -EINVAL);
		return 0;
	}
	if (rc) {
		CHECK(rc == -EINVAL || rc == -ENOSPC);
		CHECK_EQ(err.code, rc);
		if (rc == -EINVAL)
			CHECK(dup);
		else
			CHECK(cap < FDT_BUF);
		/* bytes past cap are never touched */
		for (size_t i = cap; i < sizeof(buf); i++)
			CHECK(buf[i] == 0xa5);
		return 0;
	}
	CHECK(!dup);
	check_tree(buf, cap, &c);
	for (size_t i = cap; i < sizeof(buf); i++)
		CHECK(buf[i] == 0xa5);
	size_t before = fdt_totalsize(buf);
	size_t packed = boot_fdt_finish(buf);
	CHECK(packed <= before && packed == fdt_totalsize(buf));
	check_tree(buf, packed, &c);
	return 0;
}
