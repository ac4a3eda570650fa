/* x86_64 guest-physical layout used by boot/ (DESIGN.md, Firecracker-compatible).
 * Everything below 1 MiB is written by boot/; the kernel goes at 1 MiB or at
 * its ELF physical addresses. */
#ifndef VMM_BOOT_LAYOUT_H
#define VMM_BOOT_LAYOUT_H

#define BOOT_GDT_ADDR 0x500ULL        /* 4 entries: null, TSS, code, data */
#define BOOT_GDT_ENTRIES 4
#define BOOT_IDT_ADDR 0x520ULL        /* one empty 8-byte gate */
#define BOOT_PVH_INFO_ADDR 0x6000ULL  /* struct hvm_start_info */
#define BOOT_PVH_MODLIST_ADDR 0x6040ULL /* hvm_modlist_entry[1] (the initrd) */
#define BOOT_PVH_MEMMAP_ADDR 0x6060ULL  /* hvm_memmap_table_entry[] */
#define BOOT_ZEROPAGE_ADDR 0x7000ULL  /* struct boot_params */
#define BOOT_STACK_ADDR 0x8ff0ULL     /* initial rsp/rbp */
#define BOOT_PML4_ADDR 0x9000ULL
#define BOOT_PDPT_ADDR 0xa000ULL
#define BOOT_PD_ADDR 0xb000ULL
#define BOOT_IDENTITY_MAP_SIZE (1ULL << 30) /* 1 GiB of 2 MiB pages */
#define BOOT_CMDLINE_ADDR 0x20000ULL
#define BOOT_CMDLINE_AREA 0x10000ULL  /* hard cap on the command line area */
#define BOOT_CMDLINE_DEFAULT_MAX 2047 /* COMMAND_LINE_SIZE (2048) minus the NUL */
#define BOOT_SETUP_DATA_ADDR 0x30000ULL /* setup_data (SETUP_DTB) for --fdt */
#define BOOT_FDT_MAX_SIZE 0x10000ULL
#define BOOT_EBDA_START 0x9fc00ULL    /* end of low RAM, start of the reserved area */
#define BOOT_MPTABLE_ADDR 0x9fc00ULL  /* last 1 KiB below 640 KiB */
#define BOOT_MPTABLE_MAX 0x400ULL
#define BOOT_ACPI_ADDR 0xe0000ULL     /* RSDP, then the other tables */
#define BOOT_ACPI_MAX 0x20000ULL      /* 0xe0000 - 0xfffff */
#define BOOT_HIGH_MEM 0x100000ULL     /* 1 MiB */
#define BOOT_KERNEL_ADDR 0x100000ULL  /* bzImage protected-mode part */
#define BOOT_MMIO_HOLE_START 0xc0000000ULL /* 3 GiB */
#define BOOT_MMIO_HOLE_END 0x100000000ULL  /* 4 GiB */
#define BOOT_IOAPIC_ADDR 0xfec00000ULL
#define BOOT_LAPIC_ADDR 0xfee00000ULL
#define BOOT_MAX_CPUS 32
#define BOOT_COM1_PORT 0x3f8
#define BOOT_COM1_IRQ 4
/* Hardware-reduced ACPI power management, in I/O space (the program's
 * devices/legacy acpi_pm device answers there): sleep control, sleep status,
 * reset register; \_S5 carries BOOT_ACPI_S5_TYPE. */
#define BOOT_ACPI_PM_PORT 0x600
#define BOOT_ACPI_SLEEP_CONTROL_PORT (BOOT_ACPI_PM_PORT + 0)
#define BOOT_ACPI_SLEEP_STATUS_PORT (BOOT_ACPI_PM_PORT + 1)
#define BOOT_ACPI_RESET_PORT (BOOT_ACPI_PM_PORT + 2)
#define BOOT_ACPI_S5_TYPE 5
#define BOOT_ACPI_RESET_VALUE 0x01

#endif
