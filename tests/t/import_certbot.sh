#!/bin/sh
# import: certificates that certbot itself issued against the test Pebble
# (one with --standalone, one with --webroot and an RSA key) are adopted by
# `certkeep import certbot DIR` without a new order: the printed entries,
# pasted into a manifest, make `plan` keep them (exit 0, no request to the
# CA) and `render` point the fragments into the repository. A second import
# changes nothing; links out of DIR, a key others may read, a key that is
# not the certificate's and a name holding another certificate are
# refused. Then `certkeep import axigen` on Axigen's letsencrypt/<domain>/
# layout (cert_auth.pem + key.pem, and cert_priv.key with the chain in
# cert.pem).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "pebble started"; done_testing; }

CB=$T/le
# certbot_run ARGS...: certbot against Pebble, everything under $T.
certbot_run() {
	REQUESTS_CA_BUNDLE=$PEBBLE_TRUST timeout 180 certbot certonly \
	    --server "$PEBBLE_URL" --config-dir "$CB" --work-dir "$T/cbwork" \
	    --logs-dir "$T/cblogs" --agree-tos \
	    --register-unsafely-without-email --non-interactive "$@" \
	    >>"$T/certbot.out" 2>&1
}
# issue_both: a.example.com with --standalone (EC, two names) on the port
# Pebble validates, b.example.com with --webroot (RSA) served by a plain
# HTTP server there. Pebble's validation port is only picked free, so a
# test running alongside may hold it: then all again on new Pebble ports.
issue_both() {
	rm -rf "$CB"
	certbot_run --standalone --http-01-port "$PEBBLE_HTTP_PORT" \
	    --http-01-address 127.0.0.1 --key-type ecdsa \
	    -d a.example.com -d www.a.example.com || return 1
	mkdir -p "$T/www"
	python3 -m http.server --bind 127.0.0.1 --directory "$T/www" \
	    "$PEBBLE_HTTP_PORT" >"$T/www.log" 2>&1 &
	_www=$!
	track_pid $_www
	wait_up $_www "$T/www.log" "http.server" 100 \
	    curl -sf -o /dev/null "http://127.0.0.1:$PEBBLE_HTTP_PORT/" &&
	    certbot_run --webroot -w "$T/www" --key-type rsa \
	    --rsa-key-size 2048 --cert-name b.example.com -d b.example.com
	_rc=$?
	stop_pids $_www
	return $_rc
}
try=1
until issue_both; do
	[ $try -lt 3 ] || break
	diag "certbot failed (try $try), again on new Pebble ports"
	stop_pebble
	start_pebble || break
	try=$((try + 1))
done
desc="certbot issued both (standalone, webroot); its layout: live/ links into archive/, renewal/*.conf"
if [ -L "$CB/live/a.example.com/privkey.pem" ] && [ -f "$CB/renewal/b.example.com.conf" ]; then
	pass "$desc"
else
	fail "$desc"
	tail -20 "$T/certbot.out" | sed 's/^#/  /;s/^/# /'; done_testing
fi

# The manifest's top; the entries come from import.
{
	pebble_manifest_head
	echo "fragments: {dir: $T/frag}"
	echo "certificates:"
} >"$T/head.yaml"
cp "$T/head.yaml" "$T/m.yaml"
echo '  - {name: placeholder, hostnames: [placeholder.example.com]}' >>"$T/m.yaml"

pebble_mark
ck -m "$T/m.yaml" import certbot "$CB"
rc_is 0 "import certbot exits 0"
IMPORTED=$OUT
like "$ERR" "a.example.com: adopted from $CB/live/a.example.com" "a.example.com adopted"
like "$ERR" "b.example.com: adopted from" "b.example.com adopted"
like "$OUT" '- name: a\.example\.com' "entry for a.example.com printed"
like "$OUT" 'hostnames: \["a\.example\.com", "www\.a\.example\.com"\]' "hostnames from the SANs"
like "$OUT" "challenge: \{type: http-01, http-01: \{listen: \"127\.0\.0\.1:$PEBBLE_HTTP_PORT\"\}\}" "standalone -> http-01 listen"
like "$OUT" "challenge: \{type: http-01, http-01: \{webroot: \"$T/www\"\}\}" "webroot -> http-01 webroot"
like "$OUT" 'key_type: rsa-2048' "the RSA key type"
like "$OUT" 'key_type: ec-p256' "the EC key type"
is "$(pebble_since_mark)" 0 "import sends the CA nothing"
for n in a.example.com b.example.com; do
	ok_if "$n: the live set holds certbot's certificate" \
	    cmp -s "$T/store/letsencrypt/$n/cert.pem" "$CB/live/$n/cert.pem"
	is "$(stat -c %a "$T/store/letsencrypt/$n/key.pem")" 600 "$n: key.pem 0600"
done
openssl pkey -in "$T/store/letsencrypt/b.example.com/key.pem" -pubout 2>/dev/null >"$T/k1"
openssl x509 -in "$CB/live/b.example.com/cert.pem" -pubkey -noout >"$T/k2"
ok_if "b.example.com: the key is certbot's key" cmp -s "$T/k1" "$T/k2"
like "$(cat "$T/store/state/a.example.com.json")" '"from":[[:space:]]*"certbot"' "the state records the import"

# Pasted into the manifest as printed: plan keeps them. With a listener
# added, render points nginx into the repository (and plan then has
# nothing to do either).
{
	cat "$T/head.yaml"
	printf '%s\n' "$IMPORTED" | sed '/^#/d'
} >"$T/m2.yaml"
plan_keeps() {	# plan_keeps DESC: plan -o json exits 0, keeps both
	pebble_mark
	ck -m "$T/m2.yaml" -o json plan
	rc_is 0 "$1: plan exits 0 (nothing to do)"
	is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(" ".join(c["name"]+"="+c["action"] for c in json.load(sys.stdin)["certificates"]))')" \
	    "a.example.com=keep b.example.com=keep" "$1: plan keeps both"
	is "$(pebble_since_mark)" 0 "$1: plan sends the CA nothing"
}
plan_keeps "entries as printed"
{
	echo "    listeners:"
	echo "      - {server: nginx, service: https, address: \"127.0.0.1:8443\"}"
} >>"$T/m2.yaml"
ck -m "$T/m2.yaml" render
rc_is 0 "render exits 0"
ok_if "nginx fragment points into the repository" \
    grep -q "ssl_certificate $T/store/letsencrypt/b.example.com/fullchain.pem;" "$T/frag/nginx/b.example.com.conf"
plan_keeps "with a listener, after render"

# Again: nothing to do, nothing written.
before=$(readlink "$T/store/letsencrypt/a.example.com")
ck -m "$T/m2.yaml" import certbot "$CB"
rc_is 0 "a second import exits 0"
like "$ERR" "a.example.com: already in the repository" "a second import says so"
is "$(readlink "$T/store/letsencrypt/a.example.com")" "$before" "and writes no new set"
ck -m "$T/m2.yaml" -o json import certbot "$CB"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(" ".join("%s:%s:%s:%s" % (c["name"], c["imported"], c["key_type"], c.get("challenge", {}).get("type")) for c in json.load(sys.stdin)["certificates"]))')" \
    "a.example.com:True:ec-p256:http-01 b.example.com:True:rsa-2048:http-01" "-o json: the entries as JSON"
ck help import
like "$OUT" "import certbot\|axigen DIR" "help import"

# Refusals, each on a copy of the tree into a fresh store.
refuse() {	# refuse DESC REGEX: import of $T/bad into $T/store2 fails so
	sed "s|store: $T/store|store: $T/store2|" "$T/m.yaml" >"$T/m3.yaml"
	rm -rf "$T/store2"
	ck -m "$T/m3.yaml" import certbot "$T/bad"
	rc_is 1 "$1: exit 1"
	like "$ERR" "$2" "$1: says why"
	ok_if "$1: nothing adopted for it" test ! -e "$T/store2/letsencrypt/a.example.com"
}
rm -rf "$T/bad"; cp -a "$CB" "$T/bad"
cp "$CB/live/a.example.com/privkey.pem" "$T/outside.pem"
ln -sf "$T/outside.pem" "$T/bad/live/a.example.com/privkey.pem"
refuse "a key link out of DIR" "a.example.com: not imported from .*privkey.pem leads out of $T/bad"
ok_if "the other certificate is still adopted" test -e "$T/store2/letsencrypt/b.example.com"

rm -rf "$T/bad"; cp -a "$CB" "$T/bad"
chmod 644 "$T/bad/archive/a.example.com/privkey1.pem"
# Every directory up to / lets others through ($T is 0700 from mktemp).
chmod 755 "$T/bad/archive" "$T"
refuse "a key others may read" "privkey1.pem: the private key is readable by group or others \(mode 0644"
# The same mode behind certbot's 0700 archive/ was never exposed.
chmod 700 "$T/bad/archive" "$T"
sed "s|store: $T/store|store: $T/store2|" "$T/m.yaml" >"$T/m3.yaml"; rm -rf "$T/store2"
ck -m "$T/m3.yaml" import certbot "$T/bad"
rc_is 0 "a 0644 key inside a 0700 directory is adopted"

rm -rf "$T/bad"; cp -a "$CB" "$T/bad"
cp "$CB/archive/b.example.com/privkey1.pem" "$T/bad/archive/a.example.com/privkey1.pem"
refuse "a key that is not the certificate's" "a.example.com: not imported .*key.pem is not the key of cert.pem"

rm -rf "$T/bad"; cp -a "$CB" "$T/bad"
ck -m "$T/m.yaml" import certbot "$T/bad"
rc_is 0 "the same certificates from a copy: already there"
mkdir -p "$T/other/live"
cp -a "$CB/live/a.example.com" "$T/other/live/b.example.com"
cp -a "$CB/archive" "$T/other/archive"
ck -m "$T/m.yaml" import certbot "$T/other"
rc_is 1 "another certificate under a taken name: exit 1"
like "$ERR" "already holds a certificate named b.example.com .*not replaced" "it is not replaced"
ok_if "the live set of that name is unchanged" \
    cmp -s "$T/store/letsencrypt/b.example.com/cert.pem" "$CB/live/b.example.com/cert.pem"

# Axigen: letsencrypt/<domain>/ under the working directory.
AX=$T/axigen
mkdir -p "$AX/letsencrypt/mail.example.com" "$AX/letsencrypt/webmail.example.com"
chmod 700 "$AX" "$AX/letsencrypt"
d=$AX/letsencrypt/mail.example.com
cp "$CB/live/a.example.com/cert.pem" "$d/cert.pem"
cp "$CB/live/a.example.com/chain.pem" "$d/cert_auth.pem"
cp "$CB/live/a.example.com/privkey.pem" "$d/key.pem"
d=$AX/letsencrypt/webmail.example.com
cp "$CB/live/b.example.com/fullchain.pem" "$d/cert.pem"
cp "$CB/live/b.example.com/privkey.pem" "$d/cert_priv.key"
chmod 600 "$AX"/letsencrypt/*/key.pem "$AX"/letsencrypt/*/cert_priv.key
sed "s|store: $T/store|store: $T/store3|" "$T/m.yaml" >"$T/m4.yaml"
ck -m "$T/m4.yaml" import axigen "$AX"
rc_is 0 "import axigen exits 0"
like "$OUT" '- name: mail\.example\.com' "Axigen's domain directory names the entry"
like "$OUT" 'hostnames: \["b\.example\.com"\]' "webmail.example.com: its SANs"
ok_if "chain taken from after the leaf in cert.pem" \
    cmp -s "$T/store3/letsencrypt/webmail.example.com/cert_auth.pem" "$CB/live/b.example.com/chain.pem"
ok_if "cert_auth.pem layout adopted" \
    cmp -s "$T/store3/letsencrypt/mail.example.com/cert.pem" "$CB/live/a.example.com/cert.pem"

ck -m "$T/m.yaml" import letsencrypt "$CB"
rc_is 64 "an unknown source is a usage error"
ck -m "$T/m.yaml" import certbot "$T/nonexistent"
rc_is 1 "a missing DIR: exit 1"
done_testing
