/* Resource descriptors and constraints, satisfied by the DeviceManager's
 * allocators all or nothing, and the save/restore of the allocator state.
 *
 * A device states what it needs as an array of struct dev_res_req; the VMM
 * calls dev_manager_alloc_resources() and gets one struct dev_resource per
 * request back, or an error and nothing allocated. The allocators behind it:
 *   DEV_RES_PIO, DEV_RES_MMIO, DEV_RES_MMIO64: address allocators (bytes)
 *   DEV_RES_MSI: an address allocator over vector numbers (size = count)
 *   DEV_RES_LEGACY_IRQ, DEV_RES_ID, DEV_RES_MEM_SLOT: ID allocators (size 1)
 */
#ifndef VMM_DEVICES_CORE_RESOURCES_H
#define VMM_DEVICES_CORE_RESOURCES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "devices/core/addr_alloc.h"

struct dev_manager;

enum dev_res_kind {
	DEV_RES_PIO,
	DEV_RES_MMIO,	    /* 32-bit MMIO window */
	DEV_RES_MMIO64,	    /* 64-bit MMIO window */
	DEV_RES_LEGACY_IRQ, /* a GSI */
	DEV_RES_MSI,	    /* a contiguous range of MSI vectors */
	DEV_RES_ID,	    /* a device id */
	DEV_RES_MEM_SLOT,   /* a KVM memory slot number */
};
#define DEV_RES_KIND_COUNT 7

/* A constraint. */
struct dev_res_req {
	enum dev_res_kind kind;
	uint64_t size;	/* bytes (PIO/MMIO), vectors (MSI); ignored (1) for IRQ/ID/slot */
	uint64_t align; /* power of two; 0 means 1 */
	int fixed;	/* non-zero: exactly at addr (address, or the IRQ/ID/slot number) */
	uint64_t addr;
	enum dev_alloc_policy policy; /* when not fixed: FIRST_MATCH or LAST_MATCH */
};

/* What was allocated. */
struct dev_resource {
	enum dev_res_kind kind;
	uint64_t base; /* address, first vector, or the number */
	uint64_t size; /* 1 for IRQ/ID/slot */
};

/* Satisfy n constraints, all or nothing: out[i] answers req[i]. Returns 0,
 * -ENODEV (that allocator is not configured), -EINVAL (bad kind or policy),
 * the allocator errors (addr_alloc.h / id_alloc.h) of the first request that
 * failed, or -ENOMEM; on error no allocator has changed. */
int dev_manager_alloc_resources(struct dev_manager *m, const struct dev_res_req *req, size_t n,
				struct dev_resource *out);

/* Give n resources back, all or nothing: if any one is not exactly allocated
 * (-ENOENT etc.), none is freed. */
int dev_manager_free_resources(struct dev_manager *m, const struct dev_resource *res, size_t n);

/* 1 if number/address base of that kind is allocated, 0 if not, -ENODEV. */
int dev_manager_res_is_allocated(struct dev_manager *m, enum dev_res_kind kind, uint64_t base);

/* Save every allocator's state (plain bytes: "DEVMGRA1", then per kind a
 * little-endian u64 length and that allocator's own save format, length 0 for
 * an allocator that is not configured). Returns bytes written or -ENOBUFS;
 * dev_manager_save_size() gives the exact length needed. */
size_t dev_manager_save_size(struct dev_manager *m);
ssize_t dev_manager_save(struct dev_manager *m, uint8_t *buf, size_t cap);

/* Replace the allocators' state with saved bytes (untrusted: fully checked;
 * the configured windows must match). All or nothing: 0, -EBADMSG, -ENOMEM.
 * Afterwards the allocators hand out exactly what the saved ones would. */
int dev_manager_restore(struct dev_manager *m, const uint8_t *buf, size_t len);

#endif
