/* vmm-mem: guest-memory library for KVM VMMs (vm-memory in C).
 *
 * Umbrella header: include this one. The pieces:
 *   addr.h    address types (guest, region-relative, file offset), checked arithmetic
 *   endian.h  little/big-endian 16/32/64 types
 *   bitmap.h  atomic dirty-page bitmap
 *   vslice.h  volatile slices: copies, objects, atomics with memory order
 *   region.h  one region behind an ops table; region-local access; permissions
 *   mmap.h    the mmap backend (anonymous, file, hugetlb, raw host pointer)
 *   memory.h  the immutable region collection: lookup, cross-region access, fd I/O
 *   atomic.h  RCU-like holder to publish a new collection to running readers
 *   iommu.h   IOTLB and IOVA->GPA translated memory with the same access API
 * Every symbol starts with gm_ (gm__ = internal, do not use). Functions
 * return 0 / a count, or a negative errno; nothing prints or exits.
 */
#ifndef VMM_MEM_MEM_H
#define VMM_MEM_MEM_H

#include <vmm-mem/addr.h>
#include <vmm-mem/atomic.h>
#include <vmm-mem/bitmap.h>
#include <vmm-mem/endian.h>
#include <vmm-mem/iommu.h>
#include <vmm-mem/memory.h>
#include <vmm-mem/mmap.h>
#include <vmm-mem/region.h>
#include <vmm-mem/vslice.h>

#endif
