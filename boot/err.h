/* boot/ error reporting: every public function returns 0 (or a count) or a
 * negative errno. Functions that take a `struct boot_err *` (NULL allowed)
 * also leave one clear human-readable line there on failure, so the program
 * can print it as is. */
#ifndef VMM_BOOT_ERR_H
#define VMM_BOOT_ERR_H

#include <stddef.h>

#define BOOT_ERR_MSG_MAX 256

struct boot_err {
	int code;                   /* negative errno of the failure, 0 if none */
	char msg[BOOT_ERR_MSG_MAX]; /* one line, no trailing newline */
};

/* Record an error (if e != NULL) and return code (a negative errno). */
int boot_errf(struct boot_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Short description of a negative errno as boot/ uses it (never NULL). */
const char *boot_strerror(int code);

#endif
