#!/bin/sh
# L1's /init (runs inside QEMU TCG with nested SVM): load KVM, then run every
# case in /cases (one line each: NAME TIMEOUT_S CPUS KERNEL CHECK [VMM-ARGS]) under its own
# timeout (CHECK names pre_/post_ functions below, or none)
# timeout and print one marker per case:
#   NESTED ok N NAME status=S      or     NESTED not ok N NAME status=S reason
# A failing case prints its L2 log as "# " lines. Ends with NESTED done, poweroff.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
for m in irqbypass kvm kvm-amd; do insmod /l1mod/$m.ko || echo "NESTED l1 insmod $m failed"; done
[ -e /dev/kvm ] || { echo "NESTED bail no /dev/kvm in L1"; poweroff -f; }
echo "NESTED l1 ready"
# Lines the L2 kernel prints that are not caused by our VMM (TCG's nested SVM).
NOT_OURS='Unhandled WRMSR\(0xc0010007\)'
# Disk cases: a fresh copy of the ext4 image per case, checked afterwards.
pre_blk_rw() { cp /l2/root.img /tmp/disk.img; extra=nested.root=vda; }
post_blk_rw() {
	grep -q 'L2-ROOT write ok' /tmp/log || echo "the guest's write did not succeed"
	[ "$(debugfs -R 'cat /file' /tmp/disk.img 2>/dev/null)" = written-by-l2 ] || echo "/file is not in the image"
	e2fsck -fn /tmp/disk.img > /tmp/fsck 2>&1 || echo "e2fsck -fn: $(tail -2 /tmp/fsck)"
}
pre_blk_ro() { cp /l2/root.img /tmp/disk.img; md5sum < /tmp/disk.img > /tmp/sum; extra=nested.root=vda; }
post_blk_ro() {
	grep -q 'L2-ROOT write failed' /tmp/log || echo "the guest's write to the ,ro disk did not fail"
	md5sum < /tmp/disk.img | cmp -s - /tmp/sum || echo "the ,ro image changed"
}
pre_rng() { extra=nested.rng=1; }
post_rng() { grep -q 'L2-RNG current=virtio_rng.* bytes=64$' /tmp/log || echo "no 64 bytes from a virtio /dev/hwrng"; }
pre_reboot() { extra=nested.end=reboot; }
post_reboot() { :; }
pre_chroot() { mkdir -p /tmp/empty; }
post_chroot() { :; }
# Durability: SIGKILL the VMM once the guest has synced its write; the file
# must be in the image (after the journal replay a next mount would do).
pre_kill() {
	cp /l2/root.img /tmp/disk.img; extra="nested.root=vda nested.end=hang"; want_st=137
	( i=0; while ! grep -q 'L2-ROOT waiting' /tmp/out 2>/dev/null && [ $i -lt 400 ]; do sleep 0.2; i=$((i + 1)); done
	  kill -9 $(pidof vmm) ) &
}
post_kill() {
	grep -q 'L2-ROOT write ok' /tmp/log || echo "the guest's write did not succeed"
	e2fsck -fy /tmp/disk.img > /tmp/fsck 2>&1
	[ $? -le 1 ] || echo "e2fsck -fy: $(tail -2 /tmp/fsck)"
	[ "$(debugfs -R 'cat /file' /tmp/disk.img 2>/dev/null)" = written-by-l2 ] || echo "/file is not in the image after SIGKILL"
}
run_vmm() {
	timeout -s KILL "$tmo" /vmm --kernel "/l2/$kernel" --initrd /l2/init.cpio.gz --mem 256M \
		--cpus "$want" --cmdline "console=ttyS0 quiet reboot=k panic=1 nested.case=$name $extra" $args \
		> /tmp/out 2>&1 < /dev/null
	st=$?
	tr -d '\r' < /tmp/out > /tmp/log
}
pre_none() { :; }
post_none() { :; }
n=0
while read -r name tmo want kernel check args; do
	case "$name" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	echo "NESTED start $n $name"
	extra= want_st=0
	pre_$check
	run_vmm
	# Seen once in ~10 runs: bzImage with 4 vCPUs triple-faults before /init
	# (KVM_EXIT_SHUTDOWN 0.6 s in). Not understood yet (issue 11 note); the
	# case is retried once and the first failure is printed, never hidden.
	if grep -q 'KVM_EXIT_SHUTDOWN (triple fault)' /tmp/log && ! grep -q 'L2-INIT' /tmp/log; then
		echo "NESTED note $n $name: triple fault before /init on the first attempt; retrying once"
		sed 's/^/# first attempt: /' /tmp/log | tail -8
		pre_$check
		run_vmm
	fi
	why=
	grep -q "L2-INIT cpus=$want " /tmp/log || why="no /init marker with $want CPUs"
	grep -q "L2-INIT .*nested.case=$name" /tmp/log || why="${why:+$why; }the kernel command line is not ours"
	[ "$st" = "$want_st" ] || why="${why:+$why; }exit status $st (want $want_st)"
	post=$(post_$check)
	[ -z "$post" ] || why="${why:+$why; }$post"
	bad=$(grep -E 'WARNING:|BUG:|\[Firmware Bug\]|FW_BUG|probe .*failed' /tmp/log | grep -Ev "$NOT_OURS" | head -3)
	[ -z "$bad" ] || why="${why:+$why; }kernel complained: $bad"
	if [ -z "$why" ]; then
		echo "NESTED ok $n $name status=$st"
	else
		echo "NESTED not ok $n $name status=$st $why"
		tail -40 /tmp/log | sed 's/^/# /'
	fi
done < /cases
echo "NESTED done $n"
poweroff -f
