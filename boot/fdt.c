/* Device tree construction with libfdt's read-write API. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "boot/fdt.h"
#include "boot/layout.h"

static int fdt_errno(int fe)
{
	return fe == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

int boot_fdt_add_virtio_mmio(void *fdt, uint64_t addr, uint64_t size, uint32_t gsi)
{
	char name[48];
	snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)addr);
	int node = fdt_add_subnode(fdt, 0, name);
	if (node < 0)
		return fdt_errno(node);
	fdt64_t reg[2] = { cpu_to_fdt64(addr), cpu_to_fdt64(size) };
	int r = fdt_setprop_string(fdt, node, "compatible", "virtio,mmio");
	if (!r)
		r = fdt_setprop(fdt, node, "reg", reg, sizeof(reg));
	if (!r)
		r = fdt_setprop_u32(fdt, node, "interrupts", gsi);
	if (!r)
		r = fdt_setprop(fdt, node, "dma-coherent", NULL, 0);
	return r ? fdt_errno(r) : 0;
}

static int build(const struct boot_fdt_config *c, void *fdt)
{
	int r, node;
	if ((r = fdt_setprop_u32(fdt, 0, "#address-cells", 2)) ||
	    (r = fdt_setprop_u32(fdt, 0, "#size-cells", 2)) ||
	    (r = fdt_setprop_string(fdt, 0, "compatible", "vmm,x86_64")) ||
	    (r = fdt_setprop_string(fdt, 0, "model", "vmm micro-VM")))
		return r;

	if ((node = fdt_add_subnode(fdt, 0, "chosen")) < 0)
		return node;
	if (c->cmdline && (r = fdt_setprop_string(fdt, node, "bootargs", c->cmdline)))
		return r;
	if (c->initrd_size &&
	    ((r = fdt_setprop_u64(fdt, node, "linux,initrd-start", c->initrd_addr)) ||
	     (r = fdt_setprop_u64(fdt, node, "linux,initrd-end", c->initrd_addr + c->initrd_size))))
		return r;
	char stdout_path[32];
	snprintf(stdout_path, sizeof(stdout_path), "/serial@%x", BOOT_COM1_PORT);
	if ((r = fdt_setprop_string(fdt, node, "stdout-path", stdout_path)))
		return r;

	if ((node = fdt_add_subnode(fdt, 0, "memory@0")) < 0)
		return node;
	if ((r = fdt_setprop_string(fdt, node, "device_type", "memory")))
		return r;
	fdt64_t reg[2 * BOOT_E820_MAX];
	size_t n = 0;
	for (size_t i = 0; c->e820 && i < c->e820->n; i++) {
		if (c->e820->e[i].type != BOOT_E820_RAM)
			continue;
		reg[n++] = cpu_to_fdt64(c->e820->e[i].addr);
		reg[n++] = cpu_to_fdt64(c->e820->e[i].size);
	}
	if ((r = fdt_setprop(fdt, node, "reg", reg, (int)(n * sizeof(reg[0])))))
		return r;

	int cpus = fdt_add_subnode(fdt, 0, "cpus");
	if (cpus < 0)
		return cpus;
	if ((r = fdt_setprop_u32(fdt, cpus, "#address-cells", 1)) ||
	    (r = fdt_setprop_u32(fdt, cpus, "#size-cells", 0)))
		return r;
	/* added highest first: libfdt inserts new subnodes at the front */
	for (unsigned i = c->ncpus; i-- > 0;) {
		char name[16];
		snprintf(name, sizeof(name), "cpu@%u", i);
		if ((node = fdt_add_subnode(fdt, cpus, name)) < 0)
			return node;
		if ((r = fdt_setprop_string(fdt, node, "device_type", "cpu")) ||
		    (r = fdt_setprop_u32(fdt, node, "reg", i)))
			return r;
	}

	char name[32];
	snprintf(name, sizeof(name), "serial@%x", BOOT_COM1_PORT);
	if ((node = fdt_add_subnode(fdt, 0, name)) < 0)
		return node;
	fdt64_t sreg[2] = { cpu_to_fdt64(BOOT_COM1_PORT), cpu_to_fdt64(8) };
	if ((r = fdt_setprop_string(fdt, node, "compatible", "ns16550a")) ||
	    (r = fdt_setprop(fdt, node, "reg", sreg, sizeof(sreg))) ||
	    (r = fdt_setprop_u32(fdt, node, "reg-io-width", 1)) ||
	    (r = fdt_setprop_u32(fdt, node, "clock-frequency", 1843200)) ||
	    (r = fdt_setprop_u32(fdt, node, "interrupts", BOOT_COM1_IRQ)))
		return r;
	return 0;
}

int boot_fdt_build(const struct boot_fdt_config *c, void *buf, size_t cap, struct boot_err *err)
{
	if (c->ncpus < 1 || c->ncpus > BOOT_MAX_CPUS)
		return boot_errf(err, -EINVAL, "FDT: %u vCPUs (1..%d supported)", c->ncpus,
				 BOOT_MAX_CPUS);
	if (cap > INT32_MAX)
		cap = INT32_MAX;
	int r = fdt_create_empty_tree(buf, (int)cap);
	if (!r)
		r = build(c, buf);
	for (size_t i = 0; !r && i < c->nvirtio; i++) {
		int e = boot_fdt_add_virtio_mmio(buf, c->virtio[i].addr, c->virtio[i].size,
						 c->virtio[i].gsi);
		if (e)
			return boot_errf(err, e, "FDT: cannot add virtio-mmio node %zu", i);
	}
	if (r)
		return boot_errf(err, fdt_errno(r), "FDT: %s", fdt_strerror(r));
	return 0;
}

size_t boot_fdt_finish(void *fdt)
{
	fdt_pack(fdt);
	return fdt_totalsize(fdt);
}
