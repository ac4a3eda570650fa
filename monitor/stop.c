/* The stop request (see stop.h). */
#include "config.h"

#include "monitor/stop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "monitor/log.h"

int vmm_stop_init(struct vmm_stop *s)
{
	atomic_store(&s->requested, 0);
	s->code = 0;
	s->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->fd < 0) {
		int e = errno;
		vmm_err("eventfd: %s", strerror(e));
		return -e;
	}
	return 0;
}

void vmm_stop_fini(struct vmm_stop *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

bool vmm_stop_requested(const struct vmm_stop *s)
{
	return atomic_load(&s->requested) != 0;
}

void vmm_stop_request(struct vmm_stop *s, int code, const char *fmt, ...)
{
	int expected = 0;
	if (!atomic_compare_exchange_strong(&s->requested, &expected, 1))
		return;
	s->code = code;
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	vmm_log(code == 0 || code >= 128 ? VMM_LOG_INFO : VMM_LOG_ERROR, "%s", why);
	uint64_t one = 1;
	if (s->fd >= 0 && write(s->fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow with one write; nothing to do */
	}
}
