#!/bin/sh
# /init on the ext4 root disk (after switch_root): write /file, sync, remount
# read-only (the journal is then clean for e2fsck -fn), power off.
export PATH=/bin
mount -t proc proc /proc
if echo written-by-l2 > /file 2>/dev/null && sync; then echo "L2-ROOT write ok"; else echo "L2-ROOT write failed"; fi
# nested.end=hang (durability case): stay up until the VMM is SIGKILLed.
case " $(cat /proc/cmdline) " in *" nested.end=hang "*) echo "L2-ROOT waiting for SIGKILL"; while :; do sleep 100; done ;; esac
mount -o remount,ro / 2>/dev/null
poweroff -f
