/* boot_setup: the one entry point the program calls. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmm-mem/mem.h>

#include "boot/boot.h"
#include "boot/fdt.h"
#include <vmm-mem/endian.h>
#include "boot/mptable.h"
#include "boot/pvh.h"
#include "boot/zeropage.h"

static int write_fdt(const struct gm_memory *m, const struct boot_config *cfg,
		     struct boot_result *out, struct boot_err *err)
{
	uint8_t *buf = calloc(1, BOOT_FDT_MAX_SIZE + 16);
	if (!buf)
		return boot_errf(err, -ENOMEM, "FDT: out of memory");
	struct boot_fdt_config fc = {
		.ncpus = cfg->ncpus,
		.cmdline = cfg->cmdline,
		.initrd_addr = out->initrd_addr,
		.initrd_size = out->initrd_size,
		.e820 = &out->e820,
		.virtio = cfg->virtio,
		.nvirtio = cfg->nvirtio,
	};
	int r = boot_fdt_build(&fc, buf + 16, BOOT_FDT_MAX_SIZE, err);
	if (!r) {
		size_t n = boot_fdt_finish(buf + 16);
		/* struct setup_data: next, type, len, then the blob */
		gm_put_le64(buf, 0);
		gm_put_le32(buf + 8, BOOT_SETUP_DTB);
		gm_put_le32(buf + 12, (uint32_t)n);
		if (gm_memory_write_slice(m, buf, n + 16, gm_addr(BOOT_SETUP_DATA_ADDR)))
			r = boot_errf(err, -EFAULT, "FDT: cannot write setup_data");
		out->fdt_addr = BOOT_SETUP_DATA_ADDR + 16;
		out->fdt_size = n;
	}
	free(buf);
	return r;
}

static int write_boot_info(const struct gm_memory *m, const struct boot_kernel *k,
			   const struct boot_config *cfg, struct boot_result *out,
			   struct boot_err *err)
{
	uint8_t page[BOOT_ZEROPAGE_SIZE];
	_Static_assert(BOOT_PVH_AREA_SIZE <= BOOT_ZEROPAGE_SIZE, "PVH area size");
	if (k->mode == BOOT_ENTRY_PVH32) {
		boot_pvh_build(page, out->cmdline_addr, out->acpi.rsdp, out->initrd_addr,
			       out->initrd_size, &out->e820);
		out->boot_info_addr = BOOT_PVH_INFO_ADDR;
		if (gm_memory_write_slice(m, page, BOOT_PVH_AREA_SIZE, gm_addr(BOOT_PVH_INFO_ADDR)))
			return boot_errf(err, -EFAULT, "cannot write hvm_start_info");
		return 0;
	}
	boot_zeropage_init(page, k->hdr_img, k->hdr_end);
	boot_zeropage_set_cmdline(page, out->cmdline_addr);
	boot_zeropage_set_initrd(page, out->initrd_addr, out->initrd_size);
	boot_zeropage_set_e820(page, &out->e820);
	boot_zeropage_set_rsdp(page, out->acpi.rsdp);
	if (k->kind == BOOT_KIND_BZIMAGE)
		boot_zeropage_set_code32_start(page, (uint32_t)k->load_addr);
	if (cfg->flags & BOOT_F_FDT)
		boot_zeropage_set_setup_data(page, BOOT_SETUP_DATA_ADDR);
	out->boot_info_addr = BOOT_ZEROPAGE_ADDR;
	if (gm_memory_write_slice(m, page, BOOT_ZEROPAGE_SIZE, gm_addr(BOOT_ZEROPAGE_ADDR)))
		return boot_errf(err, -EFAULT, "cannot write the zero page");
	return 0;
}

static int setup(const struct gm_memory *m, const struct boot_config *cfg,
		 struct boot_result *out, struct boot_err *err)
{
	if (!m || !cfg)
		return boot_errf(err, -EINVAL, "boot_setup: missing memory or configuration");
	if (cfg->ncpus < 1 || cfg->ncpus > BOOT_MAX_CPUS)
		return boot_errf(err, -EINVAL, "%u vCPUs requested (1..%d supported)", cfg->ncpus,
				 BOOT_MAX_CPUS);
	if (cfg->nvirtio && !cfg->virtio)
		return boot_errf(err, -EINVAL, "virtio device list missing");
	int r = boot_e820_from_memory(m, &out->e820, err);
	if (r)
		return r;

	struct boot_kernel k;
	r = boot_load_kernel(m, cfg->kernel, cfg->kernel_size, cfg->flags, cfg->max_decompressed,
			     &k, err);
	if (r)
		return r;
	out->kind = k.kind;
	out->compression = k.compression;
	out->protocol = k.protocol;
	out->kernel_start = k.start;
	out->kernel_end = k.end;

	r = boot_cmdline_write(m, cfg->cmdline, k.cmdline_max, err);
	if (r)
		return r;
	out->cmdline_addr = BOOT_CMDLINE_ADDR;
	out->cmdline_len = cfg->cmdline ? strlen(cfg->cmdline) : 0;

	if (cfg->initrd && cfg->initrd_size) {
		uint64_t a;
		r = boot_initrd_place(&out->e820, cfg->initrd_size, k.initrd_limit, k.start, k.end,
				      &a, err);
		if (r)
			return r;
		if (gm_memory_write_slice(m, cfg->initrd, cfg->initrd_size, gm_addr(a)))
			return boot_errf(err, -EFAULT, "writing the initrd to guest memory failed");
		out->initrd_addr = a;
		out->initrd_size = cfg->initrd_size;
	}

	struct boot_acpi_config ac = { .ncpus = cfg->ncpus, .virtio = cfg->virtio,
				       .nvirtio = cfg->nvirtio };
	r = boot_acpi_write(m, &ac, &out->acpi, err);
	if (r)
		return r;
	r = boot_mptable_write(m, cfg->ncpus, err);
	if (r)
		return r;
	out->mptable_addr = BOOT_MPTABLE_ADDR;

	if (cfg->flags & BOOT_F_FDT) {
		r = write_fdt(m, cfg, out, err);
		if (r)
			return r;
	}
	r = write_boot_info(m, &k, cfg, out, err);
	if (r)
		return r;
	return boot_cpu_setup(m, k.mode, k.entry, out->boot_info_addr, &out->entry, err);
}

int boot_setup(const struct gm_memory *m, const struct boot_config *cfg, struct boot_result *out)
{
	struct boot_err err = { 0, "" };
	memset(out, 0, sizeof(*out));
	int r = setup(m, cfg, out, &err);
	if (r) {
		out->error_code = r;
		if (!err.msg[0])
			boot_errf(&err, r, "%s", boot_strerror(r));
		memcpy(out->error, err.msg, sizeof(out->error));
	}
	return r;
}
