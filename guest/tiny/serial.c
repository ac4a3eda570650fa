/* tiny: polled 8250 output on COM1. */
#include <stdarg.h>

#include "tiny.h"

#define COM1 0x3f8

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0x07); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

void putc_serial(char c)
{
	if (c == '\n')
		putc_serial('\r');
	/* Wait for the transmit holding register; give up after a while so a broken
	 * UART model cannot hang the guest. */
	for (int i = 0; i < 1000; i++)
		if (inb(COM1 + 5) & 0x20)
			break;
	outb(COM1, (uint8_t)c);
}

void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

void put_hex(uint64_t v)
{
	char buf[19];
	int i = 18;
	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	puts_serial(buf + i);
}

void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_serial(buf + i);
}

void tprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			putc_serial(*p);
			continue;
		}
		p++;
		int longs = 0;
		while (*p == 'l') {
			longs++;
			p++;
		}
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			puts_serial(s ? s : "(null)");
			break;
		}
		case 'c':
			putc_serial((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (v < 0) {
				putc_serial('-');
				v = -v;
			}
			put_dec((uint64_t)v);
			break;
		}
		case 'u':
			put_dec(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int));
			break;
		case 'x':
			put_hex(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int));
			break;
		case '%':
			putc_serial('%');
			break;
		case 0:
			p--;
			break;
		default:
			putc_serial('?');
			break;
		}
	}
	va_end(ap);
}
