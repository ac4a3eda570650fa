#!/bin/bash
# ACPI walk inside the guest: RSDP -> XSDT -> MADT (one LAPIC per vCPU, IOAPIC), FADT -> DSDT.
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
check() {
	run_tiny acpi "$1" --cpus 3
	expect_out "TINY INFO acpi cpus=3 ioapics=1"
	run_tiny acpi "$1" --cpus 1
	expect_out "TINY INFO acpi cpus=1 ioapics=1"
}
for_both_images check
echo "PASS"
