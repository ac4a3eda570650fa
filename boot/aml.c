/* AML encoding (ACPI spec, chapter 20) for the few terms the DSDT needs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/aml.h"
#include <vmm-mem/endian.h>

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_STRING 0x0d
#define AML_QWORD 0x0e
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_EXT 0x5b
#define AML_DEVICE 0x82
#define AML_ROOT '\\'
#define AML_DUAL_NAME 0x2e
#define AML_MULTI_NAME 0x2f

void boot_aml_init(struct boot_aml *a, uint8_t *buf, size_t cap)
{
	a->buf = buf;
	a->cap = cap;
	a->len = 0;
	a->err = 0;
}

int boot_aml_error(const struct boot_aml *a)
{
	return a->err;
}

void boot_aml_bytes(struct boot_aml *a, const void *p, size_t n)
{
	if (a->err)
		return;
	if (n > a->cap - a->len) {
		a->err = -ENOSPC;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void byte(struct boot_aml *a, uint8_t b)
{
	boot_aml_bytes(a, &b, 1);
}

static int seg_ok(const char *s)
{
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || c == '_' || (i && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

void boot_aml_name(struct boot_aml *a, const char *path)
{
	if (*path == '\\') {
		byte(a, AML_ROOT);
		path++;
	}
	size_t len = strlen(path), nseg = (len + 1) / 5;
	if (len == 0 || nseg > 255 || (len + 1) % 5) {
		a->err = a->err ? a->err : -EINVAL;
		return;
	}
	for (size_t i = 0; i < nseg; i++)
		if (!seg_ok(path + 5 * i) || (i + 1 < nseg && path[5 * i + 4] != '.')) {
			a->err = a->err ? a->err : -EINVAL;
			return;
		}
	if (nseg == 2)
		byte(a, AML_DUAL_NAME);
	else if (nseg > 2) {
		byte(a, AML_MULTI_NAME);
		byte(a, (uint8_t)nseg);
	}
	for (size_t i = 0; i < nseg; i++)
		boot_aml_bytes(a, path + 5 * i, 4);
}

void boot_aml_integer(struct boot_aml *a, uint64_t v)
{
	uint8_t b[9];
	if (v == 0) {
		byte(a, AML_ZERO);
	} else if (v == 1) {
		byte(a, AML_ONE);
	} else if (v <= 0xff) {
		b[0] = AML_BYTE;
		b[1] = (uint8_t)v;
		boot_aml_bytes(a, b, 2);
	} else if (v <= 0xffff) {
		b[0] = AML_WORD;
		gm_put_le16(b + 1, (uint16_t)v);
		boot_aml_bytes(a, b, 3);
	} else if (v <= 0xffffffffu) {
		b[0] = AML_DWORD;
		gm_put_le32(b + 1, (uint32_t)v);
		boot_aml_bytes(a, b, 5);
	} else {
		b[0] = AML_QWORD;
		gm_put_le64(b + 1, v);
		boot_aml_bytes(a, b, 9);
	}
}

void boot_aml_string(struct boot_aml *a, const char *s)
{
	byte(a, AML_STRING);
	boot_aml_bytes(a, s, strlen(s) + 1);
}

void boot_aml_eisaid(struct boot_aml *a, const char *id)
{
	if (strlen(id) != 7) {
		a->err = a->err ? a->err : -EINVAL;
		return;
	}
	uint32_t v = 0;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			a->err = a->err ? a->err : -EINVAL;
			return;
		}
		v |= (uint32_t)(id[i] - 0x40) << (26 - 5 * i);
	}
	for (int i = 3; i < 7; i++) {
		char c = id[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else {
			a->err = a->err ? a->err : -EINVAL;
			return;
		}
		v |= d << (4 * (6 - i));
	}
	uint8_t b[5] = { AML_DWORD, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
			 (uint8_t)v };
	boot_aml_bytes(a, b, 5);
}

void boot_aml_name_op(struct boot_aml *a, const char *name)
{
	byte(a, AML_NAME);
	boot_aml_name(a, name);
}

size_t boot_aml_begin_scope(struct boot_aml *a, const char *name)
{
	byte(a, AML_SCOPE);
	size_t mark = a->len;
	boot_aml_name(a, name);
	return mark;
}

size_t boot_aml_begin_device(struct boot_aml *a, const char *name)
{
	uint8_t op[2] = { AML_EXT, AML_DEVICE };
	boot_aml_bytes(a, op, 2);
	size_t mark = a->len;
	boot_aml_name(a, name);
	return mark;
}

/* Insert a PkgLength at mark covering everything emitted since. */
void boot_aml_end(struct boot_aml *a, size_t mark)
{
	if (a->err)
		return;
	if (mark > a->len) {
		a->err = -EINVAL;
		return;
	}
	size_t body = a->len - mark, n, total = 0;
	for (n = 1; n <= 4; n++) {
		total = body + n;
		if ((n == 1 && total <= 0x3f) || (n > 1 && total < (1ULL << (4 + 8 * (n - 1)))))
			break;
	}
	if (n > 4 || n > a->cap - a->len) {
		a->err = n > 4 ? -EINVAL : -ENOSPC;
		return;
	}
	memmove(a->buf + mark + n, a->buf + mark, body);
	uint8_t *p = a->buf + mark;
	if (n == 1) {
		p[0] = (uint8_t)total;
	} else {
		p[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
		for (size_t i = 1; i < n; i++)
			p[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	a->len += n;
}

size_t boot_aml_begin_buffer(struct boot_aml *a)
{
	byte(a, AML_BUFFER);
	return a->len;
}

void boot_aml_end_buffer(struct boot_aml *a, size_t mark)
{
	if (a->err)
		return;
	if (mark > a->len) {
		a->err = -EINVAL;
		return;
	}
	/* BufferSize goes before the bytes: emit it at the end and rotate */
	size_t body = a->len - mark;
	boot_aml_integer(a, body);
	if (a->err)
		return;
	size_t isz = a->len - mark - body;
	uint8_t tmp[9];
	memcpy(tmp, a->buf + mark + body, isz);
	memmove(a->buf + mark + isz, a->buf + mark, body);
	memcpy(a->buf + mark, tmp, isz);
	boot_aml_end(a, mark);
}

void boot_aml_res_io(struct boot_aml *a, uint16_t base, uint8_t len)
{
	uint8_t d[8] = { 0x47, 0x01 /* decode16 */ };
	gm_put_le16(d + 2, base); /* min */
	gm_put_le16(d + 4, base); /* max */
	d[6] = 1;              /* alignment */
	d[7] = len;
	boot_aml_bytes(a, d, sizeof(d));
}

void boot_aml_res_irq_noflags(struct boot_aml *a, uint8_t irq)
{
	if (irq > 15) {
		a->err = a->err ? a->err : -EINVAL;
		return;
	}
	uint8_t d[3] = { 0x22 };
	gm_put_le16(d + 1, (uint16_t)(1u << irq));
	boot_aml_bytes(a, d, sizeof(d));
}

void boot_aml_res_memory32_fixed(struct boot_aml *a, uint32_t base, uint32_t len, int rw)
{
	uint8_t d[12] = { 0x86, 0x09, 0x00, (uint8_t)(rw ? 1 : 0) };
	gm_put_le32(d + 4, base);
	gm_put_le32(d + 8, len);
	boot_aml_bytes(a, d, sizeof(d));
}

void boot_aml_res_interrupt(struct boot_aml *a, uint32_t gsi, int edge_high)
{
	/* flags: bit0 consumer, bit1 edge, bit2 active-low, bit3 shared */
	uint8_t flags = edge_high ? 0x03 : 0x05;
	uint8_t d[9] = { 0x89, 0x06, 0x00, flags, 0x01 };
	gm_put_le32(d + 5, gsi);
	boot_aml_bytes(a, d, sizeof(d));
}

void boot_aml_res_end(struct boot_aml *a)
{
	uint8_t d[2] = { 0x79, 0x00 }; /* checksum 0: "treat as correct" */
	boot_aml_bytes(a, d, sizeof(d));
}

void boot_aml_com_device(struct boot_aml *a, const char *name, unsigned uid, uint16_t port,
			 uint8_t irq)
{
	size_t dev = boot_aml_begin_device(a, name);
	boot_aml_name_op(a, "_HID");
	boot_aml_eisaid(a, "PNP0501");
	boot_aml_name_op(a, "_UID");
	boot_aml_integer(a, uid);
	boot_aml_name_op(a, "_CRS");
	size_t buf = boot_aml_begin_buffer(a);
	boot_aml_res_io(a, port, 8);
	boot_aml_res_irq_noflags(a, irq);
	boot_aml_res_end(a);
	boot_aml_end_buffer(a, buf);
	boot_aml_end(a, dev);
}

void boot_aml_virtio_mmio_device(struct boot_aml *a, unsigned index, uint64_t addr,
				 uint64_t size, uint32_t gsi)
{
	char name[5];
	if (index > 0xfff || addr > UINT32_MAX || size > UINT32_MAX || addr + size > 0x100000000ULL) {
		a->err = a->err ? a->err : -EINVAL;
		return;
	}
	snprintf(name, sizeof(name), "V%03X", index);
	size_t dev = boot_aml_begin_device(a, name);
	boot_aml_name_op(a, "_HID");
	boot_aml_string(a, "LNRO0005");
	boot_aml_name_op(a, "_UID");
	boot_aml_integer(a, index);
	boot_aml_name_op(a, "_CRS");
	size_t buf = boot_aml_begin_buffer(a);
	boot_aml_res_memory32_fixed(a, (uint32_t)addr, (uint32_t)size, 1);
	boot_aml_res_interrupt(a, gsi, 1);
	boot_aml_res_end(a);
	boot_aml_end_buffer(a, buf);
	boot_aml_end(a, dev);
}
