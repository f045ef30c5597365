#!/bin/sh
# A listener that serves many certificates by SNI is normal: 1,000
# certificates on one nginx 0.0.0.0:443 give check one line about that
# listener (naming the certificate nginx falls back to), never a line per
# pair, and plan none; a Dovecot listener shared by three names the
# manifest's first of them. A hostname claimed by two certificates still
# warns, once per hostname.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"

N=1000
awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) printf "h%d A 192.0.2.1\n", i }' >"$T/recs"
knot_zone shared.test '@ CAA 0 issue "letsencrypt.org"'
cat "$T/recs" >>"$T/knot/zones/shared.test.zone"
start_knot || { echo "Bail out! knot"; exit 1; }
{
	printf 'version: 1\nacme:\n  directory: https://127.0.0.1:9/dir\n'
	printf '  caa_identities: [letsencrypt.org]\n'
	printf '  contact: [hostmaster@shared.test]\n  terms_accepted: true\n'
	printf 'store: store\ndns: {resolvers: ["%s"], timeout: 2s}\n' "$KNOT_SERVER"
	printf 'challenge: {type: http-01, http-01: {webroot: %s/www}}\n' "$T"
	printf 'certificates:\n'
	# Manifest order c1000 .. c1: nginx reads c1.conf first, Dovecot
	# takes the manifest's first.
	awk -v n=$N 'BEGIN { for (i = n; i >= 1; i--) {
		printf "  - name: c%d\n    hostnames: [h%d.shared.test]\n", i, i
		printf "    listeners:\n      - {server: nginx, service: https, address: \"0.0.0.0:443\"}\n"
		if (i > n - 3)
			printf "      - {server: dovecot, service: imap, address: \"0.0.0.0:993\"}\n"
	} }'
	printf '  - {name: dup, hostnames: [h7.shared.test]}\n'
} >"$T/m.yaml"

ck -m "$T/m.yaml" check
all=$(printf '%s\n%s\n' "$OUT" "$ERR")
n443=$(printf '%s\n' "$all" | grep -c '0\.0\.0\.0:443')
is "$n443" 1 "check: one line about nginx 0.0.0.0:443"
like "$all" "c1 +manifest +- +pass +nginx https 0\\.0\\.0\\.0:443 serves $N certificates by SNI; c1 is the default" \
    "it counts the certificates and names nginx's default (c1.conf is read first)"
n993=$(printf '%s\n' "$all" | grep -c '0\.0\.0\.0:993')
is "$n993" 1 "check: one line about dovecot 0.0.0.0:993"
like "$all" "dovecot imap 0\\.0\\.0\\.0:993 serves 3 certificates by SNI; c1000 is the default" \
    "Dovecot's default is the manifest's first"
unlike "$all" "is also given" "no line per pair of certificates"
ndup=$(printf '%s\n' "$OUT" | grep -c 'is also a hostname')
is "$ndup" 2 "a hostname of two certificates: one warning on each"
like "$OUT" "h7\\.shared\\.test is also a hostname of certificate dup" \
    "the warning names the other certificate"
lines=$(printf '%s\n' "$OUT" | wc -l)
ok_if "check output is linear: $lines lines for $((N + 1)) certificates" \
    test "$lines" -lt $((N * 8))

ck -m "$T/m.yaml" -o json check
n443=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for c in d["certificates"] for r in c["checks"]
          if "0.0.0.0:443" in r["message"]))')
is "$n443" 1 "check -o json: one result about 0.0.0.0:443"

ck -m "$T/m.yaml" plan
rc_is 2 "plan: everything to issue"
n443=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -c '0\.0\.0\.0:443')
ok_if "plan: at most one line about 0.0.0.0:443 (got $n443)" test "$n443" -le 1
unlike "$OUT$ERR" "is also given" "plan: no line per pair"
done_testing
