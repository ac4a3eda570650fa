/* Constants shared by tiny's assembly and C code. */
#ifndef TINY_ABI_H
#define TINY_ABI_H

#define TINY_BOOT_PVH 1        /* entered through the PVH note, info = hvm_start_info */
#define TINY_BOOT_LINUX 2      /* entered at +0x200 (64-bit boot protocol), info = boot_params */

#define TINY_MAX_CPUS 32
#define TINY_AP_STACK_SHIFT 11 /* 2 KiB per AP stack */
#define TINY_TRAMPOLINE 0x10000 /* real-mode AP trampoline (SIPI vector 0x10) */

#endif
