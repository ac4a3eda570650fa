/* Booting the guest through boot/: read the kernel and initrd files, let
 * boot/ lay out guest memory, and put vCPU 0 at the entry point. */
#ifndef VMM_BOOT_GLUE_H
#define VMM_BOOT_GLUE_H

#include "monitor/vm.h"

/* 0 or a negative errno (one line logged). */
int vmm_boot(struct vmm_vm *vm);

#endif
