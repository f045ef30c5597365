#!/bin/sh
# A faulty CA: tests/lib/chaos_proxy.py between certkeep and Pebble puts a
# fault into ~30% of the answers (500 and 503 with problem documents, 503
# with Retry-After: 1, the connection closed after the CA acted, a 2 s
# delay, a JSON answer cut in half). Ten certificates converge in one run
# of apply (two at most); apply exits only 0 or 1; no live set is ever
# broken (key and certificate match after every run); and the run sends at
# most twice the requests of the same issuance through a fault-free proxy.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

N=10
start_pebble || { fail "start_pebble"; done_testing; }
up=${PEBBLE_URL#https://}
up=${up%%/*}

# start_proxy NAME RATE: a proxy in front of Pebble; sets PROXY_URL.
start_proxy() {
	/usr/bin/python3 "$TESTS_DIR/lib/chaos_proxy.py" "$T/$1.port" "$up" \
	    "$T/pebble/cert.pem" "$T/pebble/key.pem" "$PEBBLE_TRUST" "$2" \
	    "$T/$1.log" 2>"$T/$1.err" &
	track_pid $!
	i=0
	while [ ! -s "$T/$1.port" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	PROXY_URL="https://127.0.0.1:$(cat "$T/$1.port" 2>/dev/null)/dir"
}

# sound DIR: every live set under DIR has a key that matches its cert.
sound() {
	for d in "$1"/letsencrypt/*/; do
		[ -e "$d/cert.pem" ] || continue
		a=$(openssl x509 -noout -pubkey -in "$d/cert.pem" | openssl sha256)
		b=$(openssl pkey -pubout -in "$d/key.pem" | openssl sha256)
		[ "$a" = "$b" ] || { echo "$d"; return 1; }
	done
	return 0
}

# The fault-free count: the same issuance through a proxy that passes all.
start_proxy clean 0
sed "s|^  directory: .*|  directory: $PROXY_URL|; s|store: $T/store|store: $T/clean|; s|dir: $T/frag|dir: $T/frag-clean|" \
    >"$T/clean.yaml" <<EOF
$(write_manifest /dev/stdout $N)
EOF
ck -m "$T/clean.yaml" apply
rc_is 0 "fault-free: $N certificates issued"
clean=$(grep -vc '^#' "$T/clean.log")

start_proxy chaos 0.3
sed "s|^  directory: .*|  directory: $PROXY_URL|; s|store: $T/store|store: $T/chaos|; s|dir: $T/frag|dir: $T/frag-chaos|" \
    >"$T/chaos.yaml" <<EOF
$(write_manifest /dev/stdout $N)
EOF
t0=$(date +%s)
runs=0 rcs=""
while [ $runs -lt 2 ]; do
	runs=$((runs + 1))
	ck -m "$T/chaos.yaml" apply
	rcs="$rcs $RC"
	case $RC in 0|1) ;; *) fail "run $runs: exit $RC (only 0 or 1)"; show_stderr;; esac
	bad=$(sound "$T/chaos") || fail "run $runs: broken live set $bad"
	[ "$RC" -eq 0 ] && break
	printf '%s\n' "$ERR" | grep -E 'failed' | sed 's/^/# run '"$runs"': /'
done
secs=$(( $(date +%s) - t0 ))
faults=$(grep -v '^#' "$T/chaos.log" | grep -vc ' -$')
total=$(grep -vc '^#' "$T/chaos.log")
diag "chaos: $runs run(s) (exit status$rcs), $secs s; $total requests ($faults faults injected) against $clean fault-free"
is "$RC" 0 "converged within two runs"
ok_if "converged in one run (exit status$rcs)" test "$runs" -eq 1
live=$(ls "$T/chaos/letsencrypt" 2>/dev/null | wc -l)
is "$live" "$N" "$N live sets"
ok_if "every live set is sound" sound "$T/chaos"
ok_if "faults were injected ($faults of $total)" test "$faults" -ge 5
ok_if "at most twice the fault-free requests ($total vs $clean)" \
    test "$total" -le $((2 * clean))
ok_if "within 60 s ($secs s)" test "$secs" -le 60
done_testing
