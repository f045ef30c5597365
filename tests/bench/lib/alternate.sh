#!/bin/sh
# tests/bench/lib/alternate.sh BIN_A BIN_B DIR [RUNS]: runs plan, status,
# apply and plan -o json of two builds taking turns, RUNS (default 5)
# times each, on the manifest DIR/certkeep.yaml (a store seeded as
# tests/bench/scale.sh does), so that both see the same neighbours on a
# busy machine. Prints per build and command: wall min / median / max,
# median CPU (user + system), largest peak RSS. Not run by `make bench`.
A=$1 B=$2 D=$3 R=${4:-5}
W=$(mktemp -d) || exit 1
trap 'rm -rf "$W"' EXIT
cd "$D" || exit 1
for cmd in "plan" "status" "apply" "-o json plan"; do
	: >"$W/A"
	: >"$W/B"
	i=0
	while [ "$i" -lt "$R" ]; do
		for w in A B; do
			eval "bin=\$$w"
			# $cmd unquoted on purpose: "-o json plan" is three words.
			/usr/bin/time -f '%e %M %U %S' -o "$W/t" "$bin" \
			    -m certkeep.yaml $cmd >/dev/null 2>&1
			tail -n 1 "$W/t" >>"$W/$w"
		done
		i=$((i + 1))
	done
	for w in A B; do
		awk '{ print $1, $3 + $4, $2 }' "$W/$w" | sort -n >"$W/s"
		h=$(( (R + 1) / 2 ))
		printf '%s %-14s wall %s / %s / %s s, CPU %s s, RSS %s MB\n' \
		    "$w" "$cmd" "$(head -n 1 "$W/s" | cut -d' ' -f1)" \
		    "$(sed -n "${h}p" "$W/s" | cut -d' ' -f1)" \
		    "$(tail -n 1 "$W/s" | cut -d' ' -f1)" \
		    "$(cut -d' ' -f2 "$W/s" | sort -n | sed -n "${h}p")" \
		    "$(( $(cut -d' ' -f3 "$W/s" | sort -n | tail -n 1) / 1024 ))"
	done
done
