#!/bin/sh
# `certkeep check` of 1,000 hostnames (250 certificates of 4 names, two
# zones, CAA at each zone apex and on some names) against a local Knot:
# wall time and peak memory. All must pass, and it must take well under
# the 1,000 sequential round trips' worth of timeouts (limit: 20 s).
# The directory is a local Pebble (one directory request for the run).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"
. "$TESTS_DIR/lib/pebble.sh"

NCERT=${BENCH_DNS_CERTS:-250}
PER=4
{
	i=1
	while [ $i -le $((NCERT * PER)) ]; do
		echo "h$i A 192.0.2.$((i % 250 + 1))"
		[ $((i % 10)) -eq 0 ] && echo "h$i CAA 0 issue \"letsencrypt.org; validationmethods=http-01\""
		i=$((i + 1))
	done
} >"$T/recs"
knot_zone bench.test '@ CAA 0 issue "letsencrypt.org"'
cat "$T/recs" >>"$T/knot/zones/bench.test.zone"
knot_zone sub.bench.test '@ CAA 0 iodef "mailto:x@bench.test"' 'www A 192.0.2.1'
start_knot || { echo "Bail out! knot"; exit 1; }
start_pebble || { echo "Bail out! pebble"; exit 1; }
{
	printf 'version: 1\nacme:\n  directory: %s\n  ca_bundle: %s\n' "$PEBBLE_URL" "$PEBBLE_TRUST"
	printf '  caa_identities: [letsencrypt.org]\n'
	printf '  contact: [hostmaster@bench.test]\n  terms_accepted: true\n'
	printf 'store: %s/store\ndns: {resolvers: ["127.0.0.1:%s"], timeout: 2s}\n' "$T" "$KNOT_PORT"
	printf 'challenge: {type: http-01, http-01: {webroot: %s/www}}\ncertificates:\n' "$T"
	c=1
	while [ $c -le "$NCERT" ]; do
		b=$(( (c - 1) * PER ))
		printf '  - {name: c%d, hostnames: [h%d.bench.test, h%d.bench.test, h%d.bench.test, h%d.bench.test]}\n' \
		    $c $((b + 1)) $((b + 2)) $((b + 3)) $((b + 4))
		c=$((c + 1))
	done
} >"$T/m.yaml"
for fmt in text json; do
	o=""; [ $fmt = json ] && o="-o json"
	# shellcheck disable=SC2086
	/usr/bin/time -f '%e %M' -o "$T/time" "$CERTKEEP" -m "$T/m.yaml" $o check \
	    >"$T/out" 2>"$T/err"
	rc=$?
	read -r secs kb <<EOF
$(tail -1 "$T/time")
EOF
	echo "# check $((NCERT * PER)) hostnames ($NCERT certificates, $fmt): ${secs}s, peak ${kb} KiB"
	if [ $fmt = json ]; then
		bad=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = sum(1 for c in d["certificates"] for r in c["checks"]
        if r["check"] in ("a", "aaaa", "caa") and r["status"] != "pass")
print(n)' "$T/out")
	else
		bad=$(grep -cE '^c[0-9]+ +(a|aaaa|caa) +[^ ]+ +(warn|fail) ' "$T/out")
	fi
	is "$rc" 0 "check ($fmt) exits 0"
	is "$bad" 0 "check ($fmt): every a/aaaa/caa result passes"
	[ "$bad" = 0 ] || grep -E ' (a|aaaa|caa) ' "$T/out" | grep -v ' pass ' | head -3 | sed 's/^/#   /'
	ok_if "check ($fmt) under 20 s" awk -v s="$secs" 'BEGIN { exit !(s < 20) }'
done
done_testing
