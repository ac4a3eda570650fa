/* The program's log (see log.h). The level is the one process-wide setting. */
#include "config.h"

#include "monitor/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int log_level = VMM_LOG_INFO;

void vmm_log_set_level(enum vmm_log_level level) { atomic_store(&log_level, (int)level); }
enum vmm_log_level vmm_log_get_level(void) { return (enum vmm_log_level)atomic_load(&log_level); }

int vmm_log_parse_level(const char *s)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0 || (s[0] == '0' + i && s[1] == 0))
			return i;
	if (strcmp(s, "warning") == 0)
		return VMM_LOG_WARN;
	return -1;
}

void vmm_log(enum vmm_log_level level, const char *fmt, ...)
{
	if ((int)level > atomic_load(&log_level))
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so lines from several threads do not interleave. */
	fprintf(stderr, "vmm: %s\n", line);
}
