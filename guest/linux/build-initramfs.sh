#!/bin/sh
# Build a busybox initramfs whose /init prints a marker and powers off.
# Usage: build-initramfs.sh [OUT.cpio.gz]   (default: guest/linux/out/initramfs.cpio.gz)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out/initramfs.cpio.gz}
mkdir -p "$(dirname "$out")"
bb=/bin/busybox
[ -x "$bb" ] && "$bb" --list >/dev/null 2>&1 || { echo "build-initramfs: needs busybox-static (/bin/busybox)" >&2; exit 1; }
file "$bb" 2>/dev/null | grep -q dynamic && { echo "build-initramfs: /bin/busybox is not static: install busybox-static" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/sbin" "$tmp/proc" "$tmp/sys" "$tmp/dev"
cp "$bb" "$tmp/bin/busybox"
for a in sh mount echo cat poweroff reboot sleep ls uname; do ln -s busybox "$tmp/bin/$a"; done
cat > "$tmp/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "VMM-INIT-MARKER: /init reached on $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"
poweroff -f
INIT
chmod 755 "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -9) > "$out"
echo "$out"
