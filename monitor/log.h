/* The program's log: one line per message on stderr, prefixed "vmm: ". */
#ifndef VMM_LOG_H
#define VMM_LOG_H

enum vmm_log_level { VMM_LOG_ERROR, VMM_LOG_WARN, VMM_LOG_INFO, VMM_LOG_DEBUG };

void vmm_log_set_level(enum vmm_log_level level);
enum vmm_log_level vmm_log_get_level(void);
/* Parse "error", "warn", "info", "debug" (or 0..3); -1 if unknown. */
int vmm_log_parse_level(const char *s);
void vmm_log(enum vmm_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define vmm_err(...) vmm_log(VMM_LOG_ERROR, __VA_ARGS__)
#define vmm_warn(...) vmm_log(VMM_LOG_WARN, __VA_ARGS__)
#define vmm_info(...) vmm_log(VMM_LOG_INFO, __VA_ARGS__)
#define vmm_debug(...) vmm_log(VMM_LOG_DEBUG, __VA_ARGS__)

#endif
