#!/bin/sh
# apply against Pebble resolving through Knot: the preflight gate (a
# certificate whose CAA forbids issuance is reported failed and never
# ordered, the others are issued, --skip-checks overrides) and dns-01
# through TSIG-signed RFC 2136 updates (wildcard plus base name sharing
# one TXT name, a CNAME-delegated _acme-challenge, a wrong TSIG secret).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"
. "$TESTS_DIR/lib/unbound.sh"
. "$TESTS_DIR/lib/pebble.sh"

knot_zone example.test \
	'ok1 A 127.0.0.1' 'ok2 A 127.0.0.1' \
	'bad A 127.0.0.1' 'bad CAA 0 issue ";"' \
	'w A 127.0.0.1' \
	'dl A 127.0.0.1' '_acme-challenge.dl CNAME dl.acme.test.' \
	'dz A 127.0.0.1' '_acme-challenge.dz CNAME chal.example.test.' \
	'acctok A 127.0.0.1' 'acctbad A 127.0.0.1' 'wk A 127.0.0.1'
knot_zone acme.test
knot_update_acl example.test
knot_update_acl acme.test
start_knot || { echo "Bail out! knot"; exit 1; }
# No random badNonce rejections: new-order requests are counted below.
PEBBLE_WFE_NONCEREJECT=0; export PEBBLE_WFE_NONCEREJECT
# Pebble resolves through Unbound, a recursive resolver over Knot's
# zones, as a CA does: it chases the cross-zone CNAME of delegx that Knot
# (authoritative only) leaves to the resolver.
start_unbound || { echo "Bail out! unbound"; exit 1; }
PEBBLE_DNS_SERVER=$UNBOUND_SERVER start_pebble || { echo "Bail out! pebble"; exit 1; }

orders() { grep -c 'POST /order-plz' "$PEBBLE_LOG"; }

dns01="{type: dns-01, dns-01: {rfc2136: {server: \"ns.example.test:$KNOT_PORT\", tsig_name: $KNOT_TSIG_NAME, tsig_secret_file: $KNOT_TSIG_FILE}, propagation_timeout: 20s}}"
printf '%s\n' "$(head -c 32 /dev/urandom | base64)" >"$T/wrong.key"
chmod 600 "$T/wrong.key"
wrong="{type: dns-01, dns-01: {rfc2136: {server: \"$KNOT_SERVER\", tsig_name: $KNOT_TSIG_NAME, tsig_secret_file: $T/wrong.key}, propagation_timeout: 5s}}"
(
MF_ACME_EXTRA='caa_identities: [pebble.test]' MF_DNS_SERVER=$KNOT_SERVER
MF_DOMAINS=omit
pebble_manifest_head
cat <<EOF
fragments: {dir: $T/frag}
certificates:
  - {name: ok1, hostnames: [ok1.example.test]}
  - {name: bad, hostnames: [bad.example.test]}
  - {name: ok2, hostnames: [ok2.example.test]}
  - {name: wild, hostnames: ["*.w.example.test", w.example.test], challenge: $dns01}
  - {name: deleg, hostnames: [dz.example.test], challenge: $dns01}
  - {name: delegx, hostnames: [dl.example.test], challenge: $dns01}
  - {name: acctok, hostnames: [acctok.example.test]}
  - {name: acctbad, hostnames: [acctbad.example.test]}
  - {name: wrongkey, hostnames: [wk.example.test], challenge: $wrong}
EOF
) >"$T/m.yaml"

ck -m "$T/m.yaml" apply ok1 bad ok2
rc_is 1 "apply exits 1: one certificate failed its preflight"
is "$(orders)" 2 "Pebble saw 2 new-order requests (ok1, ok2), none for bad"
like "$ERR" 'bad.*caa.*authorizes nobody' "the CAA failure is reported"
ok_if "ok1 issued" test -s "$T/store/ok1/cert.pem" -o -n "$(find "$T/store" -path '*ok1*' -name '*.pem' 2>/dev/null | head -1)"
ck -m "$T/m.yaml" -o json status
like "$OUT" '"name":[[:space:]]*"ok2"' "status knows ok2"

ck -m "$T/m.yaml" apply bad --skip-checks
rc_is 0 "--skip-checks orders anyway (Pebble does not check CAA)"
is "$(orders)" 3 "one more new-order request"

# RFC 8657 accounturi against the account the first apply registered.
url=$(cat "$(find "$T/store/accounts" -name url | head -1)" 2>/dev/null)
like "$url" '^https://' "the account URL is in the repository"
printf 'server 127.0.0.1 %s\nzone example.test.\nupdate add acctok.example.test. 5 CAA 0 issue "pebble.test; accounturi=%s"\nupdate add acctbad.example.test. 5 CAA 0 issue "pebble.test; accounturi=https://127.0.0.1/other/acct/99"\nsend\n' \
    "$KNOT_PORT" "$url" | knsupdate -y "hmac-sha256:$KNOT_TSIG_NAME:$KNOT_TSIG_SECRET"
ck -m "$T/m.yaml" -o json check acctok acctbad
caa_of() {	# caa_of HOST: "status message" of its caa result
	printf '%s' "$OUT" | /usr/bin/python3 -c '
import json, sys
for c in json.load(sys.stdin)["certificates"]:
    for r in c["checks"]:
        if r["check"] == "caa" and r["hostname"] == sys.argv[1]:
            print(r["status"], r["message"])' "$1"
}
like "$(caa_of acctok.example.test)" '^pass CAA at acctok.example.test authorizes pebble.test' "accounturi equal to this account: pass"
like "$(caa_of acctbad.example.test)" '^fail CAA at acctbad.example.test forbids.*is not this account' "accounturi of another account: fail"
n=$(orders)
ck -m "$T/m.yaml" apply acctok acctbad
rc_is 1 "apply: acctbad fails its preflight"
is "$(orders)" $((n + 1)) "only acctok was ordered"

# dns-01: wildcard and base name share _acme-challenge.w.example.test
# (the rfc2136 server given by name, ns.example.test).
ck -m "$T/m.yaml" apply wild
rc_is 0 "wildcard certificate issued through dns-01"
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | tail -5 | sed 's/^/#   /'
like "$ERR" 'added TXT _acme-challenge.w.example.test in zone example.test' "TXT added by RFC 2136"
cert="$T/store/letsencrypt/wild/cert.pem"
if [ -s "$cert" ]; then
	san=$(openssl x509 -in "$cert" -noout -ext subjectAltName 2>/dev/null)
	like "$san" 'DNS:\*\.w\.example\.test' "certificate names *.w.example.test"
	like "$san" 'DNS:w\.example\.test' "and w.example.test"
else
	fail "certificate file of wild found in the store"
fi
is "$(knot_dig +short _acme-challenge.w.example.test TXT)" "" "TXT records removed after validation"

ck -m "$T/m.yaml" apply deleg
rc_is 0 "CNAME-delegated _acme-challenge (same zone): issued"
like "$ERR" 'CNAME to chal.example.test' "the CNAME was followed"
like "$ERR" 'added TXT chal.example.test in zone example.test' "the target was updated"
# Into another zone: certkeep updates that zone, and Pebble, asking
# Unbound, follows the CNAME there and validates.
ck -m "$T/m.yaml" apply delegx
rc_is 0 "CNAME-delegated _acme-challenge (into another zone): issued"
like "$ERR" 'CNAME to dl.acme.test' "cross-zone CNAME followed"
like "$ERR" 'added TXT dl.acme.test in zone acme.test' "the target's zone (acme.test) was updated"
ok_if "delegx certificate in the store" test -s "$T/store/letsencrypt/delegx/cert.pem"
is "$(knot_dig +short dl.acme.test TXT)" "" "the delegated TXT removed after validation"

n=$(orders)
ck -m "$T/m.yaml" apply wrongkey
rc_is 1 "wrong TSIG secret fails"
like "$ERR" "at $KNOT_SERVER with TSIG key certkeep\. refused: NOTAUTH" "error names the server and the key"
like "$ERR" 'BADSIG' "and says the signature is bad"

done_testing
