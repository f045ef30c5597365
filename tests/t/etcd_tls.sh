#!/bin/sh
# The etcd store over TLS: etcd asks for client certificates
# (--client-cert-auth). With etcd.ca_file, cert_file and key_file apply
# issues a certificate into etcd and the mirror; without the client
# certificate, or trusting another CA than the one that signed etcd's
# certificate, the run fails (exit 1) naming the endpoint, and the mirror
# is left as it was. A client certificate key others may read is no
# problem of certkeep's (etcd's own rule), but auth_file is a secret: one
# readable by others is refused.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/etcd.sh"

ETCD_TLS=1 start_etcd 1 || { fail "start_etcd (TLS)"; done_testing; }
pass "etcd with client certificate authentication is up"
start_pebble || { fail "start_pebble"; done_testing; }
pebble_webroot "$T/www" || fail "the web root is served"

TLS=$T/etcd/tls
# manifest FILE ETCD-KEYS: the etcd: block is {ETCD-KEYS, local_dir: ...}.
manifest() {
	MF_CHALLENGE="{webroot: \"$T/www\"}" write_manifest "$1" 1
	sed -i "s|^store: .*|store: etcd://$ETCD_ENDPOINTS/tls\\netcd: {$2, local_dir: $T/mirror}|" "$1"
}
CLIENT="cert_file: $TLS/client.pem, key_file: $TLS/client.key"
manifest "$T/ok.yaml" "ca_file: $TLS/ca.pem, $CLIENT"
ck -m "$T/ok.yaml" apply
rc_is 0 "apply over TLS with a client certificate"
ok_if "the set is in etcd" test -n "$(etcd_get tls/live/c1)"
ok_if "and in the mirror" test -s "$T/mirror/letsencrypt/c1/cert.pem"
snap() { (cd "$T" && find mirror -printf '%p %s %T@\n' | sort); }
before=$(snap)

manifest "$T/nocert.yaml" "ca_file: $TLS/ca.pem"
ck -m "$T/nocert.yaml" apply
rc_is 1 "without the client certificate: exit 1"
like "$ERR" "store etcd://$ETCD_ENDPOINTS/tls: etcd: no endpoint answered \\(https://$ETCD_ENDPOINTS: " \
    "the endpoint is named"

manifest "$T/othca.yaml" "ca_file: $TLS/other-ca.pem, $CLIENT"
ck -m "$T/othca.yaml" apply
rc_is 1 "trusting another CA: exit 1"
like "$ERR" "https://$ETCD_ENDPOINTS: .*(certificate|SSL)" "the peer is not trusted"
is "$(snap)" "$before" "the mirror is left as it was"

printf 'root\nsecret\n' >"$T/auth"
chmod 644 "$T/auth"
manifest "$T/auth.yaml" "ca_file: $TLS/ca.pem, $CLIENT, auth_file: $T/auth"
ck -m "$T/auth.yaml" apply
rc_is 1 "an auth_file others may read: exit 1"
like "$ERR" "etcd.auth_file $T/auth: .*mode 0644" "refused like every secret"

done_testing
