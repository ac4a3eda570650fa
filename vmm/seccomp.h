/* Per-thread seccomp filters (libseccomp), installed after setup, like
 * Firecracker: a vCPU thread may only run KVM_RUN and report, the main thread
 * only poll, read console input and stop. A blocked system call is reported
 * on stderr (SIGSYS handler) and the process exits with status 1.
 * Without libseccomp, or in a sanitizer build (the sanitizers' runtime makes
 * system calls of its own), the filters are skipped. */
#ifndef VMM_SECCOMP_H
#define VMM_SECCOMP_H

#include <stdbool.h>

/* VMM_SECCOMP_EVENT: the virtio event loop (epoll, eventfd and backend I/O). */
enum vmm_seccomp_thread { VMM_SECCOMP_MAIN, VMM_SECCOMP_VCPU, VMM_SECCOMP_EVENT };

/* Whether this build can install filters. */
bool vmm_seccomp_available(void);
/* Install the filter for the calling thread. 0 or -errno (logged). */
int vmm_seccomp_install(enum vmm_seccomp_thread which);

#endif
