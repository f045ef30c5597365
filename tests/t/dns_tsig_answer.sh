#!/bin/sh
# dns-01 believes an RFC 2136 update only when the server's NOERROR is
# signed with the request's TSIG key (RFC 8945: the answer's MAC covers the
# request's MAC). Against Knot (which signs its answers) the update
# succeeds and the certificate is issued; against a stand-in server that
# answers NOERROR unsigned, or signed with a wrong MAC
# (tests/lib/dns_fake_update.py: no real server answers a signed update
# that way, so a fake stands in for a spoofed answer), the certificate
# fails at once with a message that says why, instead of waiting for a
# record that was never added.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"
. "$TESTS_DIR/lib/pebble.sh"

knot_zone example.test 'a A 127.0.0.1' 'u A 127.0.0.1' 'm A 127.0.0.1'
knot_update_acl example.test
start_knot || { echo "Bail out! knot"; exit 1; }
PEBBLE_DNS_SERVER=$KNOT_SERVER start_pebble || { echo "Bail out! pebble"; exit 1; }

fake() {	# fake MODE: starts a stand-in server; its port in $T/MODE.port
	/usr/bin/python3 "$TESTS_DIR/lib/dns_fake_update.py" "$1" "$T/$1.port" \
	    >"$T/$1.log" 2>&1 &
	track_pid $!
	_i=0
	while [ ! -s "$T/$1.port" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}
fake unsigned
fake badmac
UNSIGNED=$(cat "$T/unsigned.port")
BADMAC=$(cat "$T/badmac.port")
ok_if "stand-in servers listening" test -n "$UNSIGNED" -a -n "$BADMAC"

ch() {	# ch SERVER: a dns-01 challenge block updating SERVER
	echo "{type: dns-01, dns-01: {rfc2136: {server: \"$1\", tsig_name: $KNOT_TSIG_NAME, tsig_secret_file: $KNOT_TSIG_FILE}, propagation_timeout: 20s}}"
}
(
MF_DNS_SERVER=$KNOT_SERVER MF_DOMAINS=omit
pebble_manifest_head
cat <<YAML
fragments: {dir: $T/frag}
certificates:
  - {name: knot, hostnames: [a.example.test], challenge: $(ch "$KNOT_SERVER")}
  - {name: unsigned, hostnames: [u.example.test], challenge: $(ch "127.0.0.1:$UNSIGNED")}
  - {name: badmac, hostnames: [m.example.test], challenge: $(ch "127.0.0.1:$BADMAC")}
YAML
) >"$T/m.yaml"

ck -m "$T/m.yaml" apply --skip-checks knot
rc_is 0 "Knot's signed answer verifies: issued"
ok_if "knot: certificate in the repository" test -s "$T/store/letsencrypt/knot/cert.pem"

t0=$(date +%s)
ck -m "$T/m.yaml" apply --skip-checks unsigned
rc_is 1 "an unsigned NOERROR is a failure"
like "$ERR" "127\.0\.0\.1:$UNSIGNED.*answered NOERROR without a TSIG signature" \
    "and says the answer was not signed"
ok_if "failed at once, not after the propagation wait ($(( $(date +%s) - t0 ))s)" \
    test $(( $(date +%s) - t0 )) -lt 10
unlike "$ERR" "propagat" "no wait for a record that was never added"
ok_if "unsigned: nothing stored" test ! -e "$T/store/letsencrypt/unsigned"

ck -m "$T/m.yaml" apply --skip-checks badmac
rc_is 1 "a NOERROR with a wrong MAC is a failure"
like "$ERR" "TSIG signature of the answer from 127\.0\.0\.1:$BADMAC does not verify" \
    "and says the signature does not verify"
ok_if "badmac: nothing stored" test ! -e "$T/store/letsencrypt/badmac"
done_testing
