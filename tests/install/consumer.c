/* A program outside the tree: built only from the INSTALLED headers and
 * library (pkg-config --cflags --libs vmm-mem), it exercises the public API
 * and exits 0 when everything behaves. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vmm-mem/mem.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

int main(void)
{
	struct gm_range r[] = {{gm_addr(0x0), 0x10000}, {gm_addr(0x10000), 0x10000}};
	struct gm_memory *m;
	CHECK(gm_memory_new_anon(&m, r, 2) == 0);
	CHECK(gm_memory_num_regions(m) == 2);
	const char msg[] = "installed vmm-mem";
	CHECK(gm_memory_write_slice(m, msg, sizeof(msg), gm_addr(0xfff8)) == 0);
	char back[sizeof(msg)];
	CHECK(gm_memory_read_slice(m, back, sizeof(back), gm_addr(0xfff8)) == 0);
	CHECK(strcmp(back, msg) == 0);
	CHECK(gm_memory_read_slice(m, back, 1, gm_addr(0x20000)) == -EFAULT);
	CHECK(gm_memory_write_u64(m, gm_addr(0x100), 42) == 0);
	uint64_t v = 0;
	CHECK(gm_memory_read_u64(m, gm_addr(0x100), &v) == 0 && v == 42);
	CHECK(gm_memory_check_range(m, gm_addr(0), 0x20000));
	CHECK(gm_memory_get_host_ptr(m, gm_addr(0xfff8), 16) == NULL);
	gm_be32_t be = gm_be32(0x11223344);
	CHECK(gm_memory_write_obj(m, &be, sizeof(be), gm_addr(0x200)) == 0);
	uint8_t b0;
	CHECK(gm_memory_read_u8(m, gm_addr(0x200), &b0) == 0 && b0 == 0x11);

	struct gm_atomic_memory *h;
	CHECK(gm_atomic_memory_new(&h, m) == 0);
	struct gm_memory *snap = gm_atomic_memory_snapshot(h);
	CHECK(snap == m);
	gm_memory_put(snap);
	gm_atomic_memory_free(h);

	struct gm_iotlb *t;
	struct gm_iommu_memory *im;
	CHECK(gm_iotlb_new(&t) == 0);
	CHECK(gm_iotlb_set(t, 0x80000000, gm_addr(0x100), 0x1000, GM_PERM_READ) == 0);
	CHECK(gm_iommu_memory_new(&im, m, t) == 0);
	CHECK(gm_iommu_read_obj(im, &v, 8, gm_addr(0x80000000)) == 0 && v == 42);
	CHECK(gm_iommu_write_obj(im, &v, 8, gm_addr(0x80000000)) == -EACCES);
	gm_iommu_memory_free(im);
	gm_iotlb_free(t);
	gm_memory_put(m);
	printf("consumer: ok\n");
	return 0;
}
