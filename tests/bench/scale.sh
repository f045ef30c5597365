#!/bin/sh
# A fleet of certificates with nothing due, and check of many hostnames:
#   - N (default 10,000; SCALE_N) certificate sets seeded into a store as
#     the store writes them (tests/bench/mkscale.py), all served by one
#     nginx 0.0.0.0:443 by SNI; one `apply` first (fragments written, what
#     was verified recorded), then wall time and peak RSS of `plan`,
#     `status` and `apply` with nothing due;
#   - `check` of SCALE_CHECK_CERTS (default 2,500) certificates of 4
#     names, CAA at the apex, served by Knot on loopback, the directory a
#     local Pebble.
# Prints "# ..." lines and TAP (each command exits as expected). Not a
# timed test: the figures are for docs/scale.md (CPU time besides wall time:
# on a busy machine the wall time says more about the neighbours).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"
. "$TESTS_DIR/lib/pebble.sh"

N=${SCALE_N:-10000}
NCHECK=${SCALE_CHECK_CERTS:-2500}

# measure LABEL WANT-RC ARGS...: runs certkeep under /usr/bin/time.
measure() {
	_l=$1 _w=$2; shift 2
	/usr/bin/time -f '%e %M %U %S' -o "$T/time" "$CERTKEEP" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	read -r _s _kb _u _y <<EOF
$(tail -1 "$T/time")
EOF
	echo "# $_l: ${_s} s wall (${_u} s user + ${_y} s sys), $((_kb / 1024)) MB peak RSS"
	is "$_rc" "$_w" "$_l: exit $_w" || sed -n '1,5s/^/#   /p' "$T/err"
}

t0=$(date +%s)
python3 "$TESTS_DIR/bench/mkscale.py" "$T/store" "$N" 2 scale.test ||
    { echo "Bail out! mkscale.py failed"; exit 1; }
echo "# seeded $N certificates in $(( $(date +%s) - t0 )) s"
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

measure "apply, $N certificates, first run (fragments, records)" 0 \
    -m "$T/certkeep.yaml" apply
measure "plan, $N certificates, nothing due" 0 -m "$T/certkeep.yaml" plan
measure "status, $N certificates" 0 -m "$T/certkeep.yaml" status
measure "apply, $N certificates, nothing due" 0 -m "$T/certkeep.yaml" apply
measure "plan -o json, $N certificates" 0 -m "$T/certkeep.yaml" -o json plan

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
