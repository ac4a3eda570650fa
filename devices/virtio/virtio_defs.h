/* virtio 1.2 constants shared by the virtio-mmio transport and the device
 * models: device status bits, transport feature bits, split-ring layout. */
#ifndef VMM_DEVICES_VIRTIO_DEFS_H
#define VMM_DEVICES_VIRTIO_DEFS_H

#include <stdint.h>

/* Device status (virtio 1.2, 2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* Reserved (transport/ring) feature bits */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_BIT(b) (1ull << (b))

/* Device IDs */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

/* Split ring: descriptor flags */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
/* avail.flags / used.flags */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u

/* Split ring layout, little-endian in guest memory:
 *   desc table: num x 16 bytes {le64 addr; le32 len; le16 flags; le16 next}, 16-aligned
 *   avail ring: le16 flags; le16 idx; le16 ring[num]; le16 used_event   (2-aligned)
 *   used ring:  le16 flags; le16 idx; {le32 id; le32 len} ring[num]; le16 avail_event (4-aligned)
 */
#define VIRTQ_DESC_SIZE 16u
#define VIRTQ_USED_ELEM_SIZE 8u
static inline uint64_t dev_virtq_desc_bytes(uint16_t num)
{
	return (uint64_t)num * VIRTQ_DESC_SIZE;
}
static inline uint64_t dev_virtq_avail_bytes(uint16_t num)
{
	return 6u + 2u * (uint64_t)num;
}
static inline uint64_t dev_virtq_used_bytes(uint16_t num)
{
	return 6u + 8u * (uint64_t)num;
}

/* The event-index rule (2.7.10): notify when new_idx has moved past event
 * since old_idx, all modulo 2^16. */
static inline int dev_virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
