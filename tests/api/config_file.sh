#!/bin/bash
# --config-file: Firecracker's JSON config boots the tiny guest; bad configs
# are refused with the field named, before any VM exists.
. "$(dirname "$0")/../guest/lib.sh"
require_tiny
cfg="$work/vm.json"
disk="$work/disk.img"
truncate -s 1M "$disk"

# refused configs: exit 1 and the field in the message (no /dev/kvm needed)
refuse() {
	printf '%s' "$1" >"$cfg"
	run_vm --config-file "$cfg"
	expect_rc 1
	expect_err "$2"
}
refuse '{"boot-source": {"kernel_image_path": "'"$TINY_ELF"'"}, "machine-config": {"vcpu_count": 64, "mem_size_mib": 64}}' \
	"machine-config.vcpu_count: must be 1..32"
refuse '{"boot-source": {"kernel_image_path": "'"$TINY_ELF"'", "bogus": 1}}' "boot-source.bogus: unknown field"
refuse '{"boot-source": {"kernel_image_path": "'"$TINY_ELF"'"}, "drives": [{"drive_id": "d", "path_on_host": "'"$disk"'",
	"is_root_device": false, "rate_limiter": {}}]}' "not supported by vmm"
refuse '{"boot-source": ' "invalid JSON"
run_vm --config-file "$work/absent.json"
expect_rc 1
expect_err "absent.json"
run_vm --no-api --kernel "$TINY_ELF"
expect_rc 1
expect_err "--no-api goes with --config-file"

require_kvm
# Firecracker's getting-started shape: boot source, machine config, a drive.
cat >"$cfg" <<JSON
{
  "boot-source": {"kernel_image_path": "$TINY_ELF", "boot_args": "console=ttyS0 tiny.test=hello"},
  "drives": [{"drive_id": "rootfs", "path_on_host": "$disk", "is_root_device": true, "is_read_only": false}],
  "machine-config": {"vcpu_count": 1, "mem_size_mib": 64, "smt": false},
  "entropy": {}
}
JSON
run_vm --config-file "$cfg" --no-api
expect_out "TINY PASS hello"
expect_rc 0
expect_err "guest reset through the i8042"
echo "PASS"
