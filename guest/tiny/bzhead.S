/* tiny.bzImage: a Linux boot-protocol setup area (boot sector + one setup sector)
 * followed by tiny.bin, the flat protected-mode image (64-bit entry at +0x200).
 * Assembled with -I pointing at the directory holding tiny.bin. */
	.code16
	.section .bzimage, "a"
start:
	.fill	0x1f1, 1, 0
	.byte	SETUP_SECTS		/* 0x1f1 setup_sects */
	.word	0			/* root_flags */
	.long	(payload_end - payload + 15) / 16 /* syssize, 16-byte units */
	.word	0			/* ram_size */
	.word	0xffff			/* vid_mode: normal */
	.word	0			/* root_dev */
	.word	0xaa55			/* 0x1fe boot_flag */
	/* 0x200: jump over the header (no real-mode code: this image boots 64-bit only) */
	.byte	0xeb, header_end - 0x202 - start
	.ascii	"HdrS"			/* 0x202 */
	.word	0x020f			/* 0x206 version 2.15 */
	.long	0			/* realmode_swtch */
	.word	0x1000			/* start_sys_seg (obsolete) */
	.word	0			/* kernel_version */
	.byte	0			/* 0x210 type_of_loader */
	.byte	0x01			/* loadflags: LOADED_HIGH */
	.word	0			/* setup_move_size */
	.long	0x100000		/* 0x214 code32_start */
	.long	0			/* ramdisk_image */
	.long	0			/* ramdisk_size */
	.long	0			/* bootsect_kludge */
	.word	0			/* 0x224 heap_end_ptr */
	.byte	0			/* ext_loader_ver */
	.byte	0			/* ext_loader_type */
	.long	0			/* 0x228 cmd_line_ptr */
	.long	0x7fffffff		/* 0x22c initrd_addr_max */
	.long	0x1000			/* 0x230 kernel_alignment */
	.byte	1			/* 0x234 relocatable_kernel (tiny checks it runs at 1 MiB) */
	.byte	12			/* min_alignment (4 KiB) */
	.word	0x0003			/* 0x236 xloadflags: XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	.long	2047			/* 0x238 cmdline_size */
	.long	0			/* hardware_subarch */
	.quad	0			/* hardware_subarch_data */
	.long	0			/* 0x248 payload_offset: the payload is not compressed */
	.long	0			/* 0x24c payload_length */
	.quad	0			/* 0x250 setup_data */
	.quad	0x100000		/* 0x258 pref_address */
	.long	(payload_end - payload + 4095) & ~4095 /* 0x260 init_size */
	.long	0			/* handover_offset */
	.long	0			/* 0x268 kernel_info_offset */
header_end:
	.fill	(SETUP_SECTS + 1) * 512 - (header_end - start), 1, 0
payload:
	.incbin	"tiny.bin"
payload_end:
