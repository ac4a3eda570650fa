/* Booting the guest through boot/ (see boot.h). */
#include "config.h"

#include "monitor/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/boot.h"
#include "boot/decompress.h"
#include "monitor/log.h"
#include "monitor/vcpu.h"
#include "monitor/virtio.h"

struct file_map {
	void *data;
	size_t size;
};

static int map_file(const char *what, const char *path, struct file_map *f)
{
	f->data = NULL;
	f->size = 0;
	/* O_NONBLOCK: opening a FIFO nobody writes must not hang; regular files ignore it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		vmm_err("cannot open %s '%s': %s", what, path, strerror(e));
		return -e;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		vmm_err("%s '%s' is not a regular file", what, path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_size == 0) {
		vmm_err("%s '%s' is empty", what, path);
		close(fd);
		return -EINVAL;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	int e = errno;
	close(fd);
	if (p == MAP_FAILED && e == ENOMEM) {
		vmm_err("%s '%s' (%llu bytes) is too large to map on this host", what, path, (unsigned long long)st.st_size);
		return -e;
	}
	if (p == MAP_FAILED) {
		vmm_err("cannot map %s '%s': %s", what, path, strerror(e));
		return -e;
	}
	f->data = p;
	f->size = (size_t)st.st_size;
	return 0;
}

static void unmap_file(struct file_map *f)
{
	if (f->data)
		munmap(f->data, f->size);
	f->data = NULL;
}

static const char *kind_name(enum boot_kind k)
{
	switch (k) {
	case BOOT_KIND_BZIMAGE:
		return "bzImage (64-bit boot protocol)";
	case BOOT_KIND_ELF_PVH:
		return "ELF (PVH entry)";
	case BOOT_KIND_ELF_64:
		return "ELF (64-bit entry)";
	default:
		return "unknown";
	}
}

int vmm_boot(struct vmm_vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	struct file_map kernel, initrd = {NULL, 0};
	int r = map_file("kernel", cfg->kernel, &kernel);
	if (r < 0)
		return r;
	if (cfg->initrd && (r = map_file("initrd", cfg->initrd, &initrd)) < 0) {
		unmap_file(&kernel);
		return r;
	}
	struct boot_result *res = NULL;
	/* virtio-mmio devices: DSDT nodes (boot_config) and command line entries. */
	const struct boot_virtio_mmio *vlist;
	size_t nv = vmm_virtio_boot_list(vm, &vlist);
	char *cmdline = NULL;
	if (nv) {
		size_t cap = strlen(cfg->cmdline) + nv * 48 + 1;
		cmdline = malloc(cap);
		if (!cmdline) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(cmdline, cfg->cmdline, strlen(cfg->cmdline) + 1);
		if ((r = boot_cmdline_append_virtio(cmdline, cap, vlist, nv)) < 0) {
			vmm_err("cannot add the virtio_mmio.device= entries to the command line: %s", strerror(-r));
			goto out;
		}
	}
	struct boot_config bc = {
		.kernel = kernel.data,
		.kernel_size = kernel.size,
		.initrd = initrd.data,
		.initrd_size = initrd.size,
		.cmdline = cmdline ? cmdline : cfg->cmdline,
		.ncpus = vm->ncpus,
		.virtio = vlist,
		.nvirtio = nv,
		.flags = (cfg->host_decompress ? 0 : BOOT_F_NO_HOST_DECOMPRESS) | (cfg->fdt ? BOOT_F_FDT : 0),
		.max_decompressed = boot_decompress_bound(cfg->mem_size), /* boot/decompress.c */
	};
	res = calloc(1, sizeof(*res));
	if (!res) {
		r = -ENOMEM;
		goto out;
	}
	uint64_t t0 = vmm_now_ns();
	r = boot_setup(vm->mem, &bc, res);
	uint64_t t1 = vmm_now_ns();
	if (r < 0) {
		vmm_err("%s: %s", cfg->kernel, res->error[0] ? res->error : strerror(-r));
		goto out;
	}
	vmm_info("kernel %s: %s, entry 0x%llx, occupies [0x%llx, 0x%llx), loaded in %llu us", cfg->kernel,
	         kind_name(res->kind), (unsigned long long)res->entry.rip, (unsigned long long)res->kernel_start,
	         (unsigned long long)res->kernel_end, (unsigned long long)((t1 - t0) / 1000));
	if (res->initrd_size)
		vmm_info("initrd at 0x%llx, %llu bytes", (unsigned long long)res->initrd_addr,
		         (unsigned long long)res->initrd_size);
	r = vmm_vcpu_set_entry(&vm->vcpus[0], &res->entry);
out:
	free(cmdline);
	free(res);
	unmap_file(&initrd);
	unmap_file(&kernel);
	return r;
}
