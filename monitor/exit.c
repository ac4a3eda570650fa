/* Exit decoding (see exit.h). */
#include "config.h"

#include "monitor/exit.h"

#include <linux/kvm.h>
#include <string.h>

static enum vmm_exit_action decode_io(struct kvm_run *run, size_t run_size, struct vmm_exit_info *o)
{
	uint32_t size = run->io.size, count = run->io.count;
	uint64_t off = run->io.data_offset, total;
	o->size = size;
	o->count = count;
	o->addr = run->io.port;
	o->write = run->io.direction == KVM_EXIT_IO_OUT;
	if ((size != 1 && size != 2 && size != 4) ||
	    __builtin_mul_overflow((uint64_t)size, (uint64_t)count, &total) || off > run_size ||
	    total > run_size - off)
		return VMM_XA_BAD_PIO;
	o->data = (uint8_t *)run + off;
	return VMM_XA_PIO;
}

static enum vmm_exit_action decode_mmio(struct kvm_run *run, struct vmm_exit_info *o)
{
	uint32_t len = run->mmio.len;
	o->size = len;
	o->count = 1;
	o->addr = run->mmio.phys_addr;
	o->write = run->mmio.is_write != 0;
	if (len == 0 || len > sizeof(run->mmio.data))
		return VMM_XA_BAD_MMIO;
	o->data = run->mmio.data;
	return VMM_XA_MMIO;
}

static enum vmm_exit_action decode(struct kvm_run *run, size_t run_size, struct vmm_exit_info *o)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return decode_io(run, run_size, o);
	case KVM_EXIT_MMIO:
		return decode_mmio(run, o);
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return VMM_XA_CONTINUE;
	case KVM_EXIT_HLT:
		return VMM_XA_HLT;
	case KVM_EXIT_SHUTDOWN:
		return VMM_XA_SHUTDOWN;
	case KVM_EXIT_SYSTEM_EVENT:
		o->event = run->system_event.type;
		return o->event == KVM_SYSTEM_EVENT_SHUTDOWN ? VMM_XA_POWEROFF
		       : o->event == KVM_SYSTEM_EVENT_RESET  ? VMM_XA_RESET
							     : VMM_XA_SYSTEM_EVENT;
	case KVM_EXIT_FAIL_ENTRY:
		return VMM_XA_FAIL_ENTRY;
	case KVM_EXIT_INTERNAL_ERROR:
		return VMM_XA_INTERNAL;
	default:
		return VMM_XA_UNKNOWN;
	}
}

enum vmm_exit_action vmm_decode_exit(struct kvm_run *run, size_t run_size,
				     struct vmm_exit_info *out)
{
	memset(out, 0, sizeof(*out));
	out->action = decode(run, run_size, out);
	return out->action;
}
