/* Per-thread seccomp filters (libseccomp), installed after setup, like
 * Firecracker: one allow-list per thread kind. A vCPU thread may only run
 * KVM_RUN and report, the main thread only poll, read console input and stop,
 * the virtio event loop only wait, move data and signal. Everything else
 * traps: the SIGSYS handler names the call and the thread kind on stderr
 * ("seccomp blocked system call 257 (openat) on a 'vcpu' thread") and
 * the process exits with status 1 (VMM_SECCOMP_EXIT).
 * Without libseccomp, or in a sanitizer build (the sanitizers' runtime makes
 * system calls of its own), the filters are skipped.
 *
 * Adding a thread kind: a value in the enum, a row in the policy table in
 * seccomp.c (its own syscall and ioctl lists; the common list is implied),
 * and a call to vmm_seccomp_install(kind) at the top of the thread, after its
 * setup. `vmm --print-seccomp` and the README table follow the code. */
#ifndef VMM_SECCOMP_H
#define VMM_SECCOMP_H

#include <stdbool.h>
#include <stdio.h>

/* VMM_SECCOMP_EVENT: the virtio event loop (epoll, eventfd and backend I/O). */
enum vmm_seccomp_thread { VMM_SECCOMP_MAIN, VMM_SECCOMP_VCPU, VMM_SECCOMP_EVENT, VMM_SECCOMP_NKINDS };

#define VMM_SECCOMP_EXIT 1 /* exit status after a blocked system call */

/* Whether this build can install filters. */
bool vmm_seccomp_available(void);
/* Install the filter for the calling thread. 0 or -errno (logged). */
int vmm_seccomp_install(enum vmm_seccomp_thread which);
/* Print each thread kind's allow-list, one line per kind:
 *   KIND COUNT syscall syscall ... ioctl(NAME) ...
 * COUNT = distinct system calls (ioctl counted once). Works in every build. */
void vmm_seccomp_print(FILE *f);

#endif
