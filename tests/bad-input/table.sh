#!/bin/bash
# table.sh cases.txt: the markdown table of the bad-input cases (README.md holds
# its output between the bad-input-table markers; run.sh checks they match).
set -eu
echo "| case | arguments | exit | message contains |"
echo "|---|---|---|---|"
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	IFS='|' read -r name args rc phrase <<<"$line"
	trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
	a=$(trim "$args")
	p=$(trim "$phrase")
	printf '| %s | %s | %s | %s |\n' "$(trim "$name")" "${a:+\`$a\`}" "$(trim "$rc")" "\`${p//|/\\|}\`"
done <"$1"
