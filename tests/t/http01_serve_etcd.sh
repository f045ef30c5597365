#!/bin/sh
# http-01 across a fleet: two certkeep nodes A and B share a 3-member etcd
# (each with its own local mirror). B runs serve-http01 on Pebble's
# http-01 port; A runs no responder at all. A `apply` with
# challenge.http-01.publish on A is validated by B's responder: A's key
# authorizations reach B through etcd (B keeps them by a watch, in
# memory), B logs each challenge served, the certificate lands in etcd and
# in both mirrors (B's apply then orders nothing), and no token is left
# under PREFIX/tokens/ afterwards (nor a lease: removing a token revokes
# its lease).
# B's responder opens only PREFIX/tokens/ (B's local mirror is not
# made), answers 404 for a token nobody published, and a token put
# straight into etcd is served by B within a second (the watch), then 404
# again once deleted.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/etcd.sh"

start_pebble || { fail "start_pebble"; done_testing; }
start_etcd 3 || { fail "start_etcd"; done_testing; }
P=$PEBBLE_HTTP_PORT
CH=/.well-known/acme-challenge

# node NAME: a manifest sharing the etcd store, its own mirror and
# fragments.
node() {
	MF_CHALLENGE="{publish: true}" write_manifest "$T/$1.yaml" 2
	sed -i "s|^store: .*|store: etcd://$ETCD_ENDPOINTS/fleet\netcd:\n  local_dir: $T/$1/mirror\n  lock_ttl: 10s|; s|  dir: $T/frag|  dir: $T/$1/frag|" "$T/$1.yaml"
	mkdir -p "$T/$1"
}
node a
node b
like "$(cat "$T/a.yaml")" "store: etcd://127\.0\.0\.1:" "node A's store is etcd"

"$CERTKEEP" -m "$T/b.yaml" serve-http01 --listen "127.0.0.1:$P" 2>"$T/serve-b.log" &
SB=$!
track_pid "$SB"
ok_if "node B's serve-http01 listens" wait_port "$P" 20
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$P$CH/nobodys")" 404 \
    "B: an unpublished token is 404"

# A token put into etcd by hand (as a node would) is served by B.
ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" put fleet/tokens/byhand byhand.thumb >/dev/null
got=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	got=$(curl -s --max-time 2 "http://127.0.0.1:$P$CH/byhand")
	[ "$got" = byhand.thumb ] && break
	sleep 0.1
done
is "$got" "byhand.thumb" "B serves a token put into etcd (by the watch, after ${i}00 ms or less)"
ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" del fleet/tokens/byhand >/dev/null
code=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$P$CH/byhand")
	[ "$code" = 404 ] && break
	sleep 0.1
done
is "$code" 404 "and 404 once it is deleted"

# Node A orders; only B answers on the port Pebble validates.
ck -m "$T/a.yaml" apply
rc_is 0 "node A: apply exit 0" || show_stderr
is "$(printf '%s\n' "$ERR" | grep -c 'issuing c[0-9] \.\.\. done')" 2 "node A issued both certificates"
served=$(grep -c 'http-01 token [A-Za-z0-9_-]* served to' "$T/serve-b.log")
ok_if "node B's responder answered A's challenges ($served >= 2)" test "$served" -ge 2
for c in c1 c2; do
	ok_if "$c: in node A's mirror" openssl x509 -noout -in "$T/a/mirror/letsencrypt/$c/cert.pem"
done
is "$(ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix --keys-only fleet/tokens/ | grep -c .)" 0 \
    "no token left in etcd after the orders"

leases=$(ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" lease list | grep -cE '^[0-9a-f]+$')
is "$leases" 0 "the tokens' leases are revoked with them (none left)" ||
    for l in $(ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" lease list | grep -E '^[0-9a-f]+$'); do
	    diag "$(ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" lease timetolive --keys "$l")"
    done
ok_if "B's responder read only the tokens: B's mirror is not even made" \
    test ! -e "$T/b/mirror"

# Node B sees the same sets: its apply orders nothing, only writes its
# own fragments.
ck -m "$T/b.yaml" apply
rc_is 0 "node B: apply exit 0" || show_stderr
unlike "$ERR" 'issuing c[0-9]' "node B orders nothing: A's certificates are B's"
ok_if "c1: in node B's mirror too" openssl x509 -noout -in "$T/b/mirror/letsencrypt/c1/cert.pem"
is "$(openssl x509 -noout -fingerprint -in "$T/a/mirror/letsencrypt/c1/cert.pem")" \
    "$(openssl x509 -noout -fingerprint -in "$T/b/mirror/letsencrypt/c1/cert.pem")" \
    "the two mirrors hold the same certificate"

kill -TERM "$SB"
wait "$SB"
is "$?" 0 "SIGTERM: B's responder exits 0"
like "$(cat "$T/serve-b.log")" 'stopped by SIGTERM' "and says so"
unlike "$(cat "$T/serve-b.log")" 'Sanitizer' "no sanitizer report from B's responder"
done_testing
