/* The stop request: any thread (a vCPU, the event loop, a device callback,
 * the main loop) asks for the VM to stop; only the first request counts. A
 * request only records the exit status, logs why and writes an eventfd; the
 * main loop polls that fd and decides what follows (it kicks the vCPUs out
 * of KVM_RUN and joins them). A leaf: it knows no VM, vCPU or device.
 *
 * Ownership: vmm_stop_init opens the eventfd, vmm_stop_fini closes it.
 * Threads: vmm_stop_request and vmm_stop_requested are safe from any thread
 * (an atomic flag; the exit status is written once, by the winner, before
 * the eventfd write the main loop waits for). */
#ifndef VMM_STOP_H
#define VMM_STOP_H

#include <stdatomic.h>
#include <stdbool.h>

struct vmm_stop {
	_Atomic int requested;
	int code; /* exit status of the first request */
	int fd;	  /* eventfd, readable once a stop was requested; -1 before init */
};

/* 0 or -errno (eventfd failed; one line logged). */
int vmm_stop_init(struct vmm_stop *s);
void vmm_stop_fini(struct vmm_stop *s);

/* Request a stop with exit status code; logs the reason (info level when
 * code is 0 or >= 128, a signal; error level otherwise). Only the first
 * call has an effect. */
void vmm_stop_request(struct vmm_stop *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool vmm_stop_requested(const struct vmm_stop *s);

#endif
