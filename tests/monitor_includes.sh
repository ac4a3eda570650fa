#!/bin/sh
# The monitor's leaf modules stay leaves: clock, stop, exit decoding, the RAM
# layout, the config struct, log and kvm include no other monitor/ header
# than these leaves (so nothing that includes them can form a circle
# through them). Fails naming the file and the include that breaks it.
src=${top_srcdir:-$(dirname "$0")/..}
leaves="clock stop exit ram_layout vm_config log kvm"
status=0
for m in $leaves; do
	for f in "$src/monitor/$m.h" "$src/monitor/$m.c"; do
		[ -f "$f" ] || continue # a header-only leaf (vm_config)
		for inc in $(sed -n 's/^#include "monitor\/\([a-z_]*\)\.h".*/\1/p' "$f"); do
			ok=0
			for l in $leaves; do [ "$inc" = "$l" ] && ok=1; done
			if [ $ok = 0 ]; then
				echo "FAIL: leaf $f includes monitor/$inc.h"
				status=1
			fi
		done
	done
done
[ -f "$src/monitor/clock.h" ] || { echo "FAIL: no monitor/clock.h under $src"; exit 1; }
[ $status = 0 ] && echo "monitor leaves ($leaves) include only leaves"
exit $status
