#!/bin/sh
# certkeep check against Knot: every CAA verdict of issue 9 (climbing,
# CNAME in-zone and cross-zone, DNAME, issue ";", critical tags, issuewild,
# RFC 8657 parameters, issuer spelling, malformed parameters, SERVFAIL,
# NXDOMAIN, TCP fallback) and the A/AAAA checks, in text and JSON.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"
. "$TESTS_DIR/lib/pebble.sh"

LE='"letsencrypt.org"'
knot_zone example.test \
	"@ CAA 0 issue $LE" \
	'ok A 192.0.2.1' \
	'climb CAA 0 issue "sectigo.com"' \
	'deep.l1.l2.l3.climb A 192.0.2.1' \
	'cname-in CNAME target-in' \
	'target-in A 192.0.2.1' \
	'target-in CAA 0 issue "sectigo.com"' \
	'cname-x CNAME t.other.test.' \
	'dn DNAME dt.other.test.' \
	"dn CAA 0 issue $LE" \
	'semi CAA 0 issue ";"' 'semi A 192.0.2.1' \
	'semigrant CAA 0 issue ";"' "semigrant CAA 0 issue $LE" \
	'semigrant A 192.0.2.1' \
	'crit128 CAA 128 tbs "x"' "crit128 CAA 0 issue $LE" 'crit128 A 192.0.2.1' \
	'crit1 CAA 1 tbs "x"' "crit1 CAA 0 issue $LE" 'crit1 A 192.0.2.1' \
	'noncrit CAA 0 tbs "x"' "noncrit CAA 0 issue $LE" 'noncrit A 192.0.2.1' \
	"upper CAA 0 ISSUE $LE" 'upper A 192.0.2.1' \
	'wild CAA 0 issuewild "sectigo.com"' "wild CAA 0 issue $LE" \
	"wild2 CAA 0 issue $LE" \
	'acct CAA 0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1"' \
	'acct A 192.0.2.1' \
	'vm CAA 0 issue "letsencrypt.org; validationmethods=dns-01"' 'vm A 192.0.2.1' \
	'vmok CAA 0 issue "letsencrypt.org; validationmethods=dns-01,http-01"' 'vmok A 192.0.2.1' \
	'mixed CAA 0 issue "LetsEncrypt.org"' 'mixed A 192.0.2.1' \
	'dot CAA 0 issue "letsencrypt.org."' 'dot A 192.0.2.1' \
	'badparam CAA 0 issue "letsencrypt.org; account-uri=x"' 'badparam A 192.0.2.1' \
	'badval CAA 0 issue "letsencrypt.org; accounturi=a b"' 'badval A 192.0.2.1' \
	'camel CAA 0 issue "letsencrypt.org; AccountURI=https://x/acct/1"' 'camel A 192.0.2.1' \
	'v6only AAAA 2001:db8::1' \
	'both A 192.0.2.1' 'both AAAA 2001:db8::1' \
	'mism A 192.0.2.9' \
	'noaddr TXT "nothing"' \
	"big CAA 0 issue $LE" 'big A 192.0.2.1'
# 40 more CAA records at big: the answer does not fit in UDP (TCP fallback).
i=0
while [ $i -lt 40 ]; do
	echo "big CAA 0 issue \"ca$i.example.net; some=padding-to-make-the-answer-long-$i\""
	i=$((i + 1))
done >>"$T/knot/zones/example.test.zone"
knot_zone other.test \
	't CAA 0 issue "sectigo.com"' 't A 192.0.2.1' \
	'dt CAA 0 issue "sectigo.com"' \
	'x.dt CAA 0 issue "sectigo.com"' 'x.dt A 192.0.2.1' \
	'y.dt A 192.0.2.1'
knot_broken_zone broken.test
start_knot || { echo "Bail out! knot"; exit 1; }

like "$(knot_dig +short cname-in.example.test CAA)" target-in "Knot serves the in-zone CNAME"
like "$(knot_dig x.dn.example.test CAA)" 'DNAME' "Knot serves the DNAME"
like "$(knot_dig +bufsize=1232 +ignore big.example.test CAA)" 'Flags: qr aa tc' \
    "big's CAA does not fit in UDP (so certkeep must use TCP)"

# A reachable directory (Pebble), so that acme-directory answers at once;
# CAA is judged for Let's Encrypt's identity.
start_pebble || { echo "Bail out! pebble"; exit 1; }
cat >"$T/m.yaml" <<EOF
version: 1
acme:
  directory: $PEBBLE_URL
  ca_bundle: $PEBBLE_TRUST
  caa_identities: [letsencrypt.org]
  contact: [hostmaster@example.test]
  terms_accepted: true
store: $T/store
dns:
  resolvers: ["127.0.0.1:$KNOT_PORT"]
  timeout: 2s
challenge:
  type: http-01
  http-01: {webroot: $T/www}
certificates:
  - name: main
    hostnames: [ok.example.test, deep.l1.l2.l3.climb.example.test,
      cname-in.example.test, cname-x.example.test, x.dn.example.test,
      y.dn.example.test, semi.example.test, semigrant.example.test,
      crit128.example.test, crit1.example.test, noncrit.example.test,
      upper.example.test, acct.example.test, vm.example.test,
      vmok.example.test, mixed.example.test, dot.example.test,
      badparam.example.test, badval.example.test, camel.example.test,
      v6only.example.test, both.example.test, noaddr.example.test,
      nx.example.test, a.broken.test, host.nosuchtld, big.example.test]
  - name: addr
    hostnames: [ok.example.test, mism.example.test, both.example.test]
    addresses: [192.0.2.1, 2001:db8::2]
  - name: wild
    hostnames: ["*.wild.example.test", "*.wild2.example.test"]
    challenge:
      type: dns-01
      dns-01: {rfc2136: {server: "127.0.0.1:$KNOT_PORT", tsig_name: $KNOT_TSIG_NAME, tsig_secret_file: $KNOT_TSIG_FILE}}
EOF
mkdir -p "$T/www"

ck -m "$T/m.yaml" check
rc_is 1 "check exits 1 when a check fails"
TEXT=$OUT
ck -m "$T/m.yaml" -o json check
rc_is 1 "check -o json exits 1 too"
JSON=$OUT
printf '%s' "$JSON" >"$T/out.json"

# verdict CERT CHECK HOST: "status<TAB>message" from the JSON output.
verdict() {
	/usr/bin/python3 - "$T/out.json" "$1" "$2" "$3" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for c in doc["certificates"]:
    if c["name"] != sys.argv[2]:
        continue
    for r in c["checks"]:
        if r["check"] == sys.argv[3] and r["hostname"] == sys.argv[4]:
            print(r["status"] + "\t" + r["message"])
            sys.exit(0)
print("missing\t")
EOF
}

# expect CERT CHECK HOST STATUS PHRASE
expect() {
	_v=$(verdict "$1" "$2" "$3")
	is "${_v%%	*}" "$4" "$2 $3: $4 (json)"
	like "${_v#*	}" "$5" "$2 $3: message has /$5/"
	_h=$(printf '%s' "$3" | sed 's/[.*]/\\&/g')
	_l=$(printf '%s\n' "$TEXT" | grep -E "^$1 +$2 +$_h +")
	like "$_l" "^$1 +$2 +$_h +$4 " "$2 $3: $4 (text)"
}

expect main caa ok.example.test pass 'CAA at example.test authorizes letsencrypt.org'
expect main caa deep.l1.l2.l3.climb.example.test fail 'CAA at climb.example.test forbids issuance by letsencrypt.org.*sectigo.com'
expect main caa cname-in.example.test fail 'records of target-in.example.test, via CNAME'
expect main caa cname-x.example.test fail 'sectigo.com.*records of t.other.test, via CNAME'
expect main caa x.dn.example.test fail 'records of x.dt.other.test, via CNAME'
expect main caa y.dn.example.test pass 'CAA at dn.example.test authorizes'
expect main caa semi.example.test fail 'authorizes nobody'
expect main caa semigrant.example.test pass 'authorizes letsencrypt.org'
expect main caa crit128.example.test fail '128 tbs "x": an unknown property marked critical forbids every CA'
expect main caa crit1.example.test fail 'flag 1: Let.s Encrypt treats bit 1 as critical'
expect main caa noncrit.example.test pass 'authorizes'
expect main caa upper.example.test pass 'by 0 ISSUE "letsencrypt.org"'
expect main caa acct.example.test warn 'no ACME account yet'
expect main caa vm.example.test fail 'does not include http-01'
expect main caa vmok.example.test pass 'authorizes'
expect main caa mixed.example.test fail 'issuer domain "LetsEncrypt.org" does not match.*write "letsencrypt.org"'
expect main caa dot.example.test fail 'issuer domain "letsencrypt.org." does not match.*no trailing dot'
expect main caa badparam.example.test fail 'unparseable.*account-uri'
expect main caa badval.example.test fail 'unparseable.*"a b"'
expect main caa camel.example.test warn 'AccountURI= is ignored by Let.s Encrypt'
expect main caa nx.example.test pass 'CAA at example.test authorizes'
expect main caa a.broken.test fail 'SERVFAIL from 127.0.0.1'
expect main caa host.nosuchtld fail 'top-level domain does not exist'
expect main caa big.example.test pass 'authorizes letsencrypt.org'
expect wild caa '*.wild.example.test' fail 'forbids issuance by letsencrypt.org .* for a wildcard.*issuewild "sectigo.com"'
expect wild caa '*.wild2.example.test' pass 'authorizes letsencrypt.org \(acme.caa_identities\) for dns-01'

expect main a ok.example.test pass 'A 192.0.2.1'
expect main a nx.example.test fail 'does not exist \(NXDOMAIN\)'
expect main aaaa nx.example.test fail 'NXDOMAIN'
expect main a a.broken.test fail 'A lookup for a.broken.test failed: SERVFAIL'
expect main a v6only.example.test pass 'IPv6 only'
expect main aaaa v6only.example.test pass 'AAAA 2001:db8::1'
expect main a noaddr.example.test fail 'neither A nor AAAA'
expect main a cname-in.example.test pass 'via CNAME target-in.example.test'
expect main a cname-x.example.test pass 'via CNAME t.other.test'
expect addr a ok.example.test pass 'matches addresses'
expect addr a mism.example.test fail '192.0.2.9 not in addresses'
expect addr aaaa both.example.test fail '2001:db8::1 not in addresses'
expect wild a '*.wild.example.test' warn 'validated by dns-01 only'

# A certificate whose checks all pass: exit 0, NAME selection.
ck -m "$T/m.yaml" check wild
rc_is 1 "check wild: fails (issuewild)"
ck -m "$T/m.yaml" -o json check addr
like "$OUT" '"name":[[:space:]]*"addr"' "NAME selects"
unlike "$OUT" '"name":[[:space:]]*"main"' "... only that certificate"
ck -m "$T/m.yaml" check nosuch
rc_is 64 "unknown NAME exits 64"
cat >"$T/ok.yaml" <<EOF
version: 1
acme: {directory: "$PEBBLE_URL", ca_bundle: $PEBBLE_TRUST, caa_identities: [letsencrypt.org], contact: [h@example.test], terms_accepted: true}
store: $T/store
dns: {resolvers: ["127.0.0.1:$KNOT_PORT"]}
challenge: {type: http-01, http-01: {webroot: $T/www}}
certificates:
  - {name: good, hostnames: [ok.example.test, acct.example.test, y.dn.example.test]}
EOF
ck -m "$T/ok.yaml" check
rc_is 0 "warnings pass: exit 0"
like "$OUT" 'good +caa +acct.example.test +warn' "the warning is shown"

# Timeouts are reported as such: a resolver that never answers.
nport=$(free_port)
/usr/bin/python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $nport))
time.sleep(60)" &
track_pid $!
sleep 0.3
sed "s/resolvers: \[\"127.0.0.1:$KNOT_PORT\"\]/resolvers: [\"127.0.0.1:$nport\"], timeout: 1s/" "$T/ok.yaml" >"$T/to.yaml"
ck -m "$T/to.yaml" check
rc_is 1 "unanswered queries fail"
like "$OUT" "caa +ok.example.test +fail +CAA lookup for ok.example.test failed: no answer from 127.0.0.1:$nport in 1000 ms \(2 tries\)" "a timeout is a timeout, not 'no record'"
# A second server that answers is used after the first one times out.
sed "s/resolvers: \[\"127.0.0.1:$KNOT_PORT\"\]/resolvers: [\"127.0.0.1:$nport\", \"127.0.0.1:$KNOT_PORT\"], timeout: 1s/" "$T/ok.yaml" >"$T/to2.yaml"
ck -m "$T/to2.yaml" check
rc_is 0 "the next server answers after a timeout"

# A server that answers REFUSED to everything: reported as REFUSED, and
# the next server is asked.
rport=$(free_port)
/usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $rport))
while True:
    q, a = s.recvfrom(4096)
    s.sendto(q[:2] + bytes([0x80 | (q[2] & 0x79), 0x05]) + q[4:], a)" &
track_pid $!
sleep 0.3
sed "s/resolvers: \[\"127.0.0.1:$KNOT_PORT\"\]/resolvers: [\"127.0.0.1:$rport\"]/" "$T/ok.yaml" >"$T/ref.yaml"
ck -m "$T/ref.yaml" check
rc_is 1 "REFUSED everywhere fails"
like "$OUT" "caa +ok.example.test +fail +CAA lookup for ok.example.test failed: REFUSED by 127.0.0.1:$rport" "REFUSED is reported as REFUSED"
like "$OUT" "a +ok.example.test +fail +A lookup for ok.example.test failed: REFUSED" "... for A too, not as 'no record'"
sed "s/resolvers: \[\"127.0.0.1:$KNOT_PORT\"\]/resolvers: [\"127.0.0.1:$rport\", \"127.0.0.1:$KNOT_PORT\"]/" "$T/ok.yaml" >"$T/ref2.yaml"
ck -m "$T/ref2.yaml" check
rc_is 0 "after REFUSED the next server answers"

done_testing
