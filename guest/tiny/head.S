/* tiny: entry points, long-mode switch, GDT, identity page tables, AP trampoline,
 * exception stubs. Flat image at 1 MiB (see tiny.ld). */
#include "tiny_abi.h"

#define MSR_EFER	0xc0000080
#define EFER_LME	0x100
#define CR0_PE		0x1
#define CR0_PG		0x80000000
#define CR4_PAE		0x20
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18

	.section .head.text, "ax"
	.code32
	/* offset 0x000: PVH entry, 32-bit protected mode, paging off, ebx = hvm_start_info */
	.globl tiny_entry32
tiny_entry32:
	cli
	cld
	movl	%ebx, %esi
	movl	$TINY_BOOT_PVH, %edi
	jmp	enter_long

	/* offset 0x200: 64-bit boot-protocol entry, rsi = boot_params */
	.org	0x200
	.code64
	.globl tiny_entry64
tiny_entry64:
	cli
	cld
	movl	$TINY_BOOT_LINUX, %edi
	/* tiny is linked at 1 MiB: if loaded elsewhere, say so on COM1 and stop */
	leaq	tiny_entry64(%rip), %rax
	cmpq	$tiny_entry64, %rax
	je	1f
	movw	$0x3f8, %dx
	movb	$'R', %al
	outb	%al, %dx
	movb	$'\n', %al
	outb	%al, %dx
0:	cli
	hlt
	jmp	0b
1:	lgdt	gdt_ptr(%rip)
	movl	$pml4, %eax
	movq	%rax, %cr3
	pushq	$SEL_CODE64
	leaq	common64(%rip), %rax
	pushq	%rax
	lretq

	.code32
enter_long:
	lgdt	gdt_ptr
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $pvh64

	.code64
pvh64:
	movl	%esi, %esi		/* upper halves are undefined after the mode switch */
	movl	%edi, %edi
common64:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	bsp_stack_top(%rip), %rsp
	xorl	%ebp, %ebp
	call	tiny_main
1:	cli
	hlt
	jmp	1b

/* Application processors arrive here in long mode from the trampoline. */
ap_entry64:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	$1, %eax
	lock xaddl %eax, tiny_ap_next(%rip)
	cmpl	$TINY_MAX_CPUS, %eax
	jae	2f
	movl	%eax, %edi		/* arrival index, 0-based among APs */
	leal	1(%eax), %eax
	shll	$TINY_AP_STACK_SHIFT, %eax
	leaq	ap_stacks(%rip), %rsp
	addq	%rax, %rsp
	xorl	%ebp, %ebp
	call	tiny_ap_main
2:	cli
	hlt
	jmp	2b

/* Exception stubs: 16 bytes each, vector i at tiny_exc_stubs + 16 * i. The frame
 * handed to tiny_exception() is: vector, error code, rip, cs, rflags, rsp, ss. */
	.balign 16
	.globl tiny_exc_stubs
tiny_exc_stubs:
	.set	vec, 0
	.rept	32
	.balign	16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	exc_common
	.set	vec, vec + 1
	.endr
exc_common:
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	tiny_exception
3:	cli
	hlt
	jmp	3b

/* Real-mode AP trampoline, copied to TINY_TRAMPOLINE (SIPI vector TINY_TRAMPOLINE >> 12).
 * Only offsets relative to tramp_start are used inside it. */
	.globl tiny_tramp_start, tiny_tramp_end
	.code16
tiny_tramp_start:
	cli
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(tramp_gdtr - tiny_tramp_start)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $(TINY_TRAMPOLINE + tramp32 - tiny_tramp_start)
	.code32
tramp32:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $ap_entry64
	.balign	4
tramp_gdtr:
	.word	gdt_end - gdt - 1
	.long	gdt
tiny_tramp_end:
	.code64

	.section .rodata
	.balign	16
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: flat data */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code (trampoline) */
gdt_end:
	.balign	8
	.word	0, 0, 0
gdt_ptr:
	.word	gdt_end - gdt - 1
	.quad	gdt

/* Identity map of the low 4 GiB with 2 MiB pages, built at link time; the MMIO hole
 * (3-4 GiB) is mapped uncached. */
	.section .data.pagetables, "aw"
	.balign	4096
pml4:
	.quad	pdpt + 0x3
	.fill	511, 8, 0
pdpt:
	.quad	pd + 0x3
	.quad	pd + 0x1000 + 0x3
	.quad	pd + 0x2000 + 0x3
	.quad	pd + 0x3000 + 0x3
	.fill	508, 8, 0
pd:
	.set	i, 0
	.rept	2048
	.quad	(i << 21) | 0x83 | (((i >= 1536) & 1) * 0x18)
	.set	i, i + 1
	.endr

	.section .bss.stacks, "aw", @nobits
	.balign	4096
bsp_stack:
	.skip	16384
bsp_stack_top:
ap_stacks:
	.skip	(TINY_MAX_CPUS + 1) << TINY_AP_STACK_SHIFT

	.section .data
	.balign	4
	.globl tiny_ap_next
tiny_ap_next:
	.long	0

/* PVH: the 32-bit entry point, found by the loader through the PT_NOTE segment. */
	.section .note.Xen, "a"
	.balign	4
	.long	4			/* name size */
	.long	8			/* descriptor size */
	.long	18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.balign	4
	.quad	tiny_entry32
	.balign	4
