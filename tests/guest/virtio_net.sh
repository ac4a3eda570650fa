#!/bin/bash
# virtio-net: the tiny guest sends an ARP request for 10.0.2.1 through a tap
# inside a network namespace this test creates; the namespace's kernel answers
# and the guest checks the reply (and prints the tap's MAC, checked here).
. "$(dirname "$0")/lib.sh"
require_kvm
require_tiny
command -v ip >/dev/null 2>&1 || { echo "SKIP: ip(8) (iproute2) is not installed"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: /dev/net/tun is absent"; exit 77; }
ns="vmm-virtio-$$"
ip netns add "$ns" 2>"$work/ns.err" || { echo "SKIP: cannot create a network namespace: $(cat "$work/ns.err")"; exit 77; }
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT
nse() { ip netns exec "$ns" "$@"; }
nse ip tuntap add dev vtap0 mode tap 2>"$work/tap.err" || {
	echo "SKIP: cannot create a tap in the namespace: $(cat "$work/tap.err")"
	exit 77
}
nse ip addr add 10.0.2.1/24 dev vtap0 || fail "ip addr add"
nse ip link set vtap0 up || fail "ip link set up"
hostmac=$(nse cat /sys/class/net/vtap0/address)

t0=$(now_ms)
timeout "$VM_TIMEOUT" ip netns exec "$ns" "$VMM" --kernel "$TINY_ELF" --cmdline "tiny.test=net" \
	--net tap=vtap0,mac=52:54:00:ab:cd:ef >"$OUT" 2>"$ERR" </dev/null
rc=$?
echo "ran: vmm --net tap=vtap0 (in netns $ns) -> exit $rc in $(($(now_ms) - t0)) ms"
expect_out "TINY PASS net"
expect_rc 0
expect_out "TINY INFO net mac 52:54:00:ab:cd:ef"
expect_out "TINY INFO net host mac $hostmac"
expect_err "virtio-net on tap 'vtap0', MAC 52:54:00:ab:cd:ef"

# A tap that cannot be attached: clear error, exit 1.
timeout "$VM_TIMEOUT" ip netns exec "$ns" "$VMM" --kernel "$TINY_ELF" --net tap=lo >"$OUT" 2>"$ERR" </dev/null
rc=$?
expect_rc 1
expect_err "cannot attach to tap 'lo': Invalid argument (an existing interface that is not a tap?)"
# A name longer than IFNAMSIZ is refused by the CLI.
run_vm --kernel "$TINY_ELF" --net tap=a-much-too-long-tap-name
expect_rc 1
expect_err "too long"
echo "PASS"
