/* Error message recording for boot/. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "boot/err.h"

int boot_errf(struct boot_err *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		e->code = code;
	}
	return code;
}

const char *boot_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
	case -EINVAL:
		return "invalid argument or corrupt image";
	case -ENOEXEC:
		return "not a bootable x86_64 kernel image";
	case -E2BIG:
		return "too large";
	case -ENOSPC:
		return "does not fit in guest memory";
	case -EFAULT:
		return "guest memory access outside guest RAM";
	case -ENOMEM:
		return "out of host memory";
	case -ENOTSUP:
		return "not supported";
	case -EFBIG:
		return "decompressed output larger than allowed";
	case -ERANGE:
		return "value out of range";
	default:
		return "error";
	}
}
