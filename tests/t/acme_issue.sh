#!/bin/sh
# apply against Pebble: EC and RSA certificates with one and several
# names; the set is sound and verifies up to Pebble's root; a second apply
# places no order and sends the CA no request at all; names changed and
# key type changed renew; --force-renew; JSON output.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }
pebble_roots "$T/roots.pem"
live() { echo "$T/store/letsencrypt/$1/$2"; }

MF_MULTI=1 write_manifest "$T/m.yaml" 2
printf '  - name: rsa\n    hostnames: [rsa.example.com, www.rsa.example.com, mx.rsa.example.com]\n    key_type: rsa-2048\n    listeners:\n      - {server: postfix, service: smtp-in, address: "127.0.0.1:2525"}\n' >>"$T/m.yaml"

ck -m "$T/m.yaml" apply
rc_is 0 "first apply exits 0"
like "$ERR" 'issuing c1 \.\.\. done, expires [0-9]{4}-[0-9]{2}-[0-9]{2}' "progress line per certificate"
like "$ERR" 'issuing rsa \.\.\. done' "RSA certificate issued"
for n in c1 c2 rsa; do
	if openssl verify -CAfile "$T/roots.pem" -untrusted "$(live $n cert_auth.pem)" \
	    "$(live $n cert.pem)" >/dev/null 2>&1
	then pass "$n: chain verifies up to Pebble's root"
	else fail "$n: chain verifies up to Pebble's root"; fi
	a=$(openssl x509 -in "$(live $n cert.pem)" -noout -pubkey | openssl sha256)
	b=$(openssl pkey -in "$(live $n key.pem)" -pubout | openssl sha256)
	is "$a" "$b" "$n: key.pem matches cert.pem"
	is "$(stat -c %a "$(live $n key.pem)")" 600 "$n: key.pem is 0600"
done
sans=$(openssl x509 -in "$(live c1 cert.pem)" -noout -ext subjectAltName)
like "$sans" 'DNS:c1.example.com' "c1 carries c1.example.com"
like "$sans" 'DNS:www.c1.example.com' "c1 carries www.c1.example.com"
like "$(openssl x509 -in "$(live rsa cert.pem)" -noout -text)" 'rsaEncryption' "rsa is RSA"
like "$(openssl x509 -in "$(live c1 cert.pem)" -noout -text)" 'id-ecPublicKey' "c1 is EC"
like "$(openssl x509 -in "$(live rsa cert.pem)" -noout -ext subjectAltName)" 'mx.rsa.example.com' "three names on rsa"
fc=$(grep -c 'BEGIN CERTIFICATE' "$(live c1 fullchain.pem)")
ok_if "fullchain holds leaf and chain ($fc)" test "$fc" -ge 2
is "$(grep -c 'BEGIN CERTIFICATE' "$(live c1 cert.pem)")" 1 "cert.pem holds only the leaf"
ok_if "account key kept under accounts/<directory host>/" \
    test -n "$(ls "$T/store/accounts/"*/key.pem 2>/dev/null)"
is "$(stat -c %a "$T/store/accounts/"*/key.pem)" 600 "account key is 0600"

# Idempotent: no order, no request at all.
pebble_mark
ck -m "$T/m.yaml" apply
rc_is 0 "second apply exits 0"
is "$(pebble_since_mark)" 0 "second apply sends the CA no request"
unlike "$ERR" 'issuing|renewing' "second apply issues nothing"
ck -m "$T/m.yaml" plan
rc_is 0 "plan: nothing to do"

# Names changed -> renewed; only that certificate.
serial_before=$(openssl x509 -in "$(live c2 cert.pem)" -noout -serial)
sed -i 's/hostnames: \[c2.example.com\]/hostnames: [c2.example.com, new.c2.example.com]/' "$T/m.yaml"
ck -m "$T/m.yaml" plan
rc_is 2 "plan sees the changed names"
pebble_mark
ck -m "$T/m.yaml" apply
rc_is 0 "apply after a names change"
like "$ERR" 'renewing c2 \.\.\. done' "c2 renewed"
unlike "$ERR" 'renewing c1|renewing rsa' "the others are kept"
like "$(openssl x509 -in "$(live c2 cert.pem)" -noout -ext subjectAltName)" 'new.c2.example.com' "new name present"
n=$(pebble_since_mark)
diag "ACME requests for one renewal with 2 names (account known): $n"
ok_if "a renewal takes few requests ($n)" test "$n" -le 20

# Key type changed -> renewed with the new type.
sed -i '0,/key_type: ec-p256/s//key_type: ec-p384/' "$T/m.yaml"
ck -m "$T/m.yaml" apply
like "$ERR" 'renewing c1 \.\.\. done' "key type change renews c1"
like "$(openssl x509 -in "$(live c1 cert.pem)" -noout -text)" 'NIST CURVE: P-384|secp384r1' "c1 now P-384"
ok_if "previous set kept in the archive" test "$(ls "$T/store/archive/c1" | wc -l)" -ge 2

# --force-renew and JSON.
ck -m "$T/m.yaml" -o json apply --force-renew rsa
rc_is 0 "--force-renew rsa"
like "$OUT" '"result":[[:space:]]*"renewed"' "JSON says renewed"
like "$OUT" '"name":[[:space:]]*"rsa"' "JSON names the certificate"
unlike "$OUT" '"name":[[:space:]]*"c1"' "only the selected certificate"
if echo "$OUT" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); c=d["certificates"][0]; sys.exit(0 if c["action"]=="renew" and c["not_after"] else 1)'
then pass "JSON has action and not_after"; else fail "JSON has action and not_after"; fi
done_testing
