#!/bin/sh
# A fleet of certificates with nothing due, and check of many hostnames:
#   - N certificate sets (N or SCALE_N, default 10,000; N=100000 works)
#     seeded into a store as the store writes them, each with the state
#     and verified record `apply` would write (tests/bench/mkscale.py
#     --records), all served by one nginx 0.0.0.0:443 by SNI; two `apply`
#     runs first (fragments written, the summary of states and the record
#     of fragments made; fsync stubbed out by tests/bench/nofsync.c when a
#     compiler is there: a seed needs no durability), then SCALE_RUNS (default 5) runs each of `plan`,
#     `status`, `apply` and `plan -o json` with nothing due: min, median
#     and max wall time, median CPU time, peak RSS;
#   - `check` of SCALE_CHECK_CERTS (default 2,500; 0 skips it)
#     certificates of 4 names, CAA at the apex, served by Knot on
#     loopback, the directory a local Pebble, as many runs.
# Prints "# ..." lines and TAP (each command exits as expected). Not a
# timed test: the figures are for docs/scale.md (CPU time besides wall
# time: on a busy machine the wall time says more about the neighbours).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"
. "$TESTS_DIR/lib/pebble.sh"

N=${N:-${SCALE_N:-10000}}
NCHECK=${SCALE_CHECK_CERTS:-2500}
RUNS=${SCALE_RUNS:-5}

# measure LABEL WANT-RC ARGS...: runs certkeep RUNS times under
# /usr/bin/time; prints min/median/max wall, median CPU, largest RSS.
measure() {
	_l=$1 _w=$2; shift 2
	: >"$T/times"
	_i=0 _bad=0
	while [ "$_i" -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M %U %S' -o "$T/time" "$CERTKEEP" "$@" \
		    >"$T/out" 2>"$T/err"
		[ $? = "$_w" ] || _bad=1
		tail -1 "$T/time" >>"$T/times"
		_i=$((_i + 1))
	done
	awk '{ print $1, $3 + $4, $2 }' "$T/times" | sort -n >"$T/w"
	_min=$(head -1 "$T/w" | cut -d' ' -f1)
	_max=$(tail -1 "$T/w" | cut -d' ' -f1)
	_med=$(sed -n "$(( (RUNS + 1) / 2 ))p" "$T/w" | cut -d' ' -f1)
	_cpu=$(cut -d' ' -f2 "$T/w" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
	_kb=$(cut -d' ' -f3 "$T/w" | sort -n | tail -1)
	echo "# $_l: wall min $_min / median $_med / max $_max s, CPU median $_cpu s, peak RSS $((_kb / 1024)) MB ($RUNS runs)"
	is "$_bad" 0 "$_l: exit $_w every time" || sed -n '1,5s/^/#   /p' "$T/err"
}

t0=$(date +%s)
python3 "$TESTS_DIR/bench/mkscale.py" --records "$T/store" "$N" 2 scale.test ||
    { echo "Bail out! mkscale.py failed"; exit 1; }
echo "# seeded $N certificates in $(( $(date +%s) - t0 )) s"
PRELOAD=
if cc -shared -fPIC -O2 -o "$T/nofsync.so" "$TESTS_DIR/bench/nofsync.c" \
    2>/dev/null; then
	PRELOAD=$T/nofsync.so
fi
{
	printf 'version: 1\nacme:\n  directory: https://127.0.0.1:9/dir\n'
	printf '  contact: [hostmaster@scale.test]\n  terms_accepted: true\n'
	printf 'store: store\nfragments: {dir: fragments}\n'
	printf 'challenge: {type: http-01, http-01: {webroot: %s/www}}\n' "$T"
	printf 'certificates:\n'
	awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) {
		printf "  - name: c%d\n    hostnames: [h1.s%d.scale.test, h2.s%d.scale.test]\n", i, i, i
		printf "    listeners: [{server: nginx, service: webmail, address: \"0.0.0.0:443\"}]\n"
	} }'
} >"$T/certkeep.yaml"

# Two runs: the first writes the fragments and the summary of states,
# the second reads the fragments once more and records them.
t0=$(date +%s)
for run in first second; do
	LD_PRELOAD=$PRELOAD "$CERTKEEP" -m "$T/certkeep.yaml" apply \
	    >/dev/null 2>"$T/err"
	is $? 0 "apply, $N certificates, $run run (fragments, summary, record)" ||
	    sed -n '1,5s/^/#   /p' "$T/err"
done
echo "# two applies to seed (fragments written${PRELOAD:+, fsync stubbed}): $(( $(date +%s) - t0 )) s"
measure "plan, $N certificates, nothing due" 0 -m "$T/certkeep.yaml" plan
measure "status, $N certificates" 0 -m "$T/certkeep.yaml" status
measure "apply, $N certificates, nothing due" 0 -m "$T/certkeep.yaml" apply
measure "plan -o json, $N certificates" 0 -m "$T/certkeep.yaml" -o json plan

if [ "$NCHECK" -eq 0 ]; then
	done_testing
	exit 0
fi
# check: NCHECK certificates x 4 names in one zone with CAA at the apex.
awk -v n="$NCHECK" 'BEGIN { for (i = 1; i <= n; i++) for (k = 1; k <= 4; k++)
	printf "h%d.s%d A 192.0.2.%d\n", k, i, i % 250 + 1 }' >"$T/recs"
knot_zone scale.test '@ CAA 0 issue "letsencrypt.org"'
cat "$T/recs" >>"$T/knot/zones/scale.test.zone"
start_knot || { echo "Bail out! knot"; exit 1; }
start_pebble || { echo "Bail out! pebble"; exit 1; }
{
	printf 'version: 1\nacme:\n  directory: %s\n  ca_bundle: %s\n' "$PEBBLE_URL" "$PEBBLE_TRUST"
	printf '  caa_identities: [letsencrypt.org]\n'
	printf '  contact: [hostmaster@scale.test]\n  terms_accepted: true\n'
	printf 'store: %s/store2\ndns: {resolvers: ["127.0.0.1:%s"], timeout: 2s}\n' "$T" "$KNOT_PORT"
	printf 'challenge: {type: http-01, http-01: {webroot: %s/www}}\ncertificates:\n' "$T"
	awk -v n="$NCHECK" 'BEGIN { for (i = 1; i <= n; i++) {
		printf "  - name: c%d\n    hostnames: [h1.s%d.scale.test, h2.s%d.scale.test, h3.s%d.scale.test, h4.s%d.scale.test]\n", i, i, i, i, i
		printf "    listeners: [{server: nginx, service: webmail, address: \"0.0.0.0:443\"}]\n"
	} }'
} >"$T/check.yaml"
measure "check, $((NCHECK * 4)) hostnames ($NCHECK certificates)" 0 \
    -m "$T/check.yaml" check
lines=$(wc -l <"$T/out")
echo "# check printed $lines lines"
done_testing
