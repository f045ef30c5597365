#!/bin/sh
# A fleet on one etcd store: a 3-member etcd cluster, Pebble, three
# certkeep nodes (own local_dir, own fragments dir) sharing
# etcd://.../fleet, 20 certificates, http-01 through one webroot served
# to Pebble (the fleet's shared web root).
#  - three nodes registering at once: one account (five rounds);
#  - the three applies started together, with no account yet: one account
#    made (Pebble's log), every certificate issued exactly
#    once (Pebble's issuances counted), the three mirrors identical
#    and sound (key matches certificate), fragments pointing into each
#    node's own mirror;
#  - a no-op apply asks etcd one question (the client's request count);
#  - a node killed with -9 holding a certificate's lock during its order:
#    the lock outlives it until its lease ends, and another node's next run
#    completes that order (resumed, not placed again) within lock_ttl;
#  - one etcd member stopped (the first endpoint): still converges;
#  - every member stopped: apply exits 1 naming the endpoints, mirrors and
#    fragments untouched, and Dovecot still serves the certificate from
#    node 1's mirror.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/etcd.sh"
. "$TESTS_DIR/lib/render.sh"

N=20
TTL=3
t0=$(date +%s)
start_etcd 3 || { fail "start_etcd"; done_testing; }
pass "a 3-member etcd cluster is up ($(($(date +%s) - t0)) s)"
start_pebble || { fail "start_pebble"; done_testing; }
pebble_webroot "$T/www" || fail "the web root is served"

STORE="etcd://$ETCD_ENDPOINTS/fleet"
# node_manifest I COUNT: node I's manifest for c1..cCOUNT.
node_manifest() {
	MF_CHALLENGE="{webroot: \"$T/www\"}" write_manifest "$T/n$1.yaml" "$2"
	sed -i -e "s|^store: .*|store: $STORE\\netcd: {local_dir: $T/node$1, lock_ttl: ${TTL}s}|" \
	    -e "s|^  dir: $T/frag\$|  dir: $T/frag$1\\n  reload: {dovecot: [$T/hook.sh, $T/reload$1]}|" "$T/n$1.yaml"
}
# The reload hook counts its runs.
printf '#!/bin/sh\necho reload >>"$1"\n' >"$T/hook.sh"
chmod 755 "$T/hook.sh"
for i in 1 2 3; do node_manifest $i $N; done

# Certificates Pebble issued (one log line each).
finalized() { grep -c 'Issued certificate serial' "$PEBBLE_LOG"; }
finalize_requests() { grep -c 'finalize-order' "$PEBBLE_LOG"; }
# sound DIR: every live set of DIR is a certificate with its key.
sound() {
	_n=0
	for _d in "$1"/letsencrypt/*/; do
		_a=$(openssl x509 -noout -pubkey -in "$_d/cert.pem" 2>/dev/null | openssl sha256)
		_b=$(openssl pkey -pubout -in "$_d/key.pem" 2>/dev/null | openssl sha256)
		[ -n "$_a" ] && [ "$_a" = "$_b" ] && _n=$((_n + 1))
	done
	echo "$_n"
}
# digest DIR: the content of every live set of DIR.
digest() {
	(cd "$1/letsencrypt" && for d in */; do
		cat "$d/cert.pem" "$d/cert_auth.pem" "$d/key.pem" "$d/fullchain.pem" \
		    "$d/combined.pem"
	done) | openssl sha256
}

# Accounts Pebble made (one log line each).
accounts() { grep -c 'There are now [0-9]* accounts in memory' "$PEBBLE_LOG"; }
# Three nodes registering at once on a store with no account, five
# times: one account each time (under the store's account lock; without
# it, two or three in about half the rounds), the same on every node.
multi=0 urls=""
for r in 1 2 3 4 5; do
	for i in 1 2 3; do
		write_manifest "$T/reg$i.yaml" 1
		sed -i "s|^store: .*|store: etcd://$ETCD_ENDPOINTS/reg$r\netcd: {local_dir: $T/reg$r-$i}|" \
		    "$T/reg$i.yaml"
	done
	a0=$(accounts)
	for i in 1 2 3; do
		"$CERTKEEP" -m "$T/reg$i.yaml" -o json account register \
		    >"$T/reg$i.out" 2>"$T/reg$i.err" &
		eval "p$i=\$!"
	done
	wait $p1 $p2 $p3
	[ $(($(accounts) - a0)) -eq 1 ] || multi=$((multi + 1))
	for i in 1 2 3; do
		urls="$urls$(grep -o '"url":[^,]*' "$T/reg$i.out")
"
	done
done
is "$multi" 0 "three nodes registering at once, five times: one account each time"
is "$(printf '%s' "$urls" | grep -c https)" 15 "every node got an account URL"
is "$(printf '%s' "$urls" | sort -u | wc -l)" 5 "the three nodes of a round got the same one"

# The nodes start together on a store with no account yet: one of them
# makes it, the others find it.
a0=$(accounts)

f0=$(finalized)
t0=$(date +%s)
for i in 1 2 3; do
	"$CERTKEEP" -m "$T/n$i.yaml" -v apply >"$T/a$i.out" 2>"$T/a$i.err" &
	eval "p$i=\$!"
done
rcs=""
for i in 1 2 3; do
	eval "wait \$p$i"; rcs="$rcs$?"
done
t1=$(date +%s)
is "$rcs" "000" "three applies at once: all exit 0 ($((t1 - t0)) s)"
is "$(($(finalized) - f0))" "$N" "each of the $N certificates issued exactly once (Pebble issued $N)"
is "$(($(accounts) - a0))" 1 "one ACME account for the fleet, made by one node"
ck -m "$T/n2.yaml" -o json account show
like "$OUT" '"url":[[:space:]]*"https://' "node 2 sees the fleet's account"
by=""
for i in 1 2 3; do
	by="$by $(grep -c 'issuing c[0-9]* \.\.\. done' "$T/a$i.err")"
done
diag "issued by node 1, 2, 3:$by"
for i in 1 2 3; do
	is "$(sound "$T/node$i")" "$N" "node $i: $N sound sets in its mirror"
done
is "$(digest "$T/node2")" "$(digest "$T/node1")" "mirrors of nodes 1 and 2 identical"
is "$(digest "$T/node3")" "$(digest "$T/node1")" "mirrors of nodes 1 and 3 identical"
for i in 1 2 3; do
	is "$(cat "$T/reload$i" 2>/dev/null)" "reload" \
	    "node $i reloaded its servers once (sets issued here or by others)"
done
ok_if "node 2's fragment points into its own mirror" \
    grep -q "$T/node2/letsencrypt/c1/" "$T/frag2/dovecot/ssl.conf"

ck -m "$T/n1.yaml" -v apply
rc_is 0 "node 1: apply again (its mirror catches up with the others)"
ck -m "$T/n1.yaml" -v apply
rc_is 0 "node 1: a no-op apply"
like "$ERR" 'etcd requests this run: 1$' "a no-op run asks etcd one question"
: >"$T/reload1"
ck -m "$T/n1.yaml" apply
is "$(cat "$T/reload1")" "" "a no-op run reloads nothing"
is "$(finalized)" "$((f0 + N))" "nothing ordered"

# kill -9 during an order. The kill must land while the order is in
# flight (after finalize, before the certificate is stored): a short
# window, so a fresh certificate is tried up to 5 times.
for i in 1 2 3; do node_manifest $i $((N + 5)); done
inflight=0
k=$N
while [ $k -lt $((N + 5)) ] && [ $inflight -eq 0 ]; do
	k=$((k + 1))
	n0=$(finalize_requests)
	"$CERTKEEP" -m "$T/n1.yaml" apply "c$k" >"$T/kill.out" 2>&1 &
	pid=$!
	_i=0
	while [ $_i -lt 1000 ] && [ "$(finalize_requests)" -le "$n0" ]; do
		sleep 0.005; _i=$((_i + 1))
	done
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	lock=$(etcd_get "fleet/locks/c$k")
	state=$(etcd_get "fleet/blob/state/c$k.json")
	case "$state" in *'"order_url"'*) [ -n "$lock" ] && inflight=1 ;; esac
	[ $inflight -eq 1 ] || diag "c$k: the kill came after the order completed; again"
done
ok_if "kill -9 left c$k's order in flight and its lock held (\"$lock\")" test $inflight -eq 1
o0=$(grep -c 'order-plz' "$PEBBLE_LOG")
t0=$(date +%s)
ck -m "$T/n2.yaml" -v apply "c$k"
t1=$(date +%s)
rc_is 0 "node 2 completes c$k"
like "$ERR" 'resuming order' "node 2 resumes the order node 1 left"
is "$(grep -c 'order-plz' "$PEBBLE_LOG")" "$o0" "no new order placed"
ok_if "within lock_ttl ($TTL s) plus one run: $((t1 - t0)) s" test $((t1 - t0)) -le $((TTL + 10))
is "$(etcd_get "fleet/locks/c$k")" "" "the dead node's lock is gone"

# One member stopped (the first endpoint): the others answer.
etcd_stop_member 1
f0=$(finalized)
for i in 1 2 3; do
	ck -m "$T/n$i.yaml" apply
	rc_is 0 "member 1 stopped: node $i converges"
done
for i in 1 2 3; do
	is "$(sound "$T/node$i")" "$((N + 5))" "node $i: $((N + 5)) sound sets"
done
is "$(digest "$T/node3")" "$(digest "$T/node1")" "mirrors still identical"
is "$(digest "$T/node2")" "$(digest "$T/node1")" "mirrors still identical (2)"
left=$((N + 5 - k))
is "$(($(finalized) - f0))" "$left" "the $left certificates left each issued once"

# Dovecot serves node 1's mirror.
pebble_roots "$T/root.pem"
IMAPS=$(free_port) POP3S=$(free_port)
dovecot_conf "$T/dc" "$IMAPS" "$POP3S" "$T/frag1/dovecot/ssl.conf"
ok_if "dovecot started on node 1's fragment" dovecot_start "$T/dc" "$IMAPS"
want=$(serial_of "$T/node1/letsencrypt/c1/cert.pem")
is "$(served_serial "$IMAPS" c1.example.com "$T/root.pem")" "$want" \
    "dovecot serves c1 from node 1's mirror"

# Every member stopped.
snap() {
	(cd "$T" && find "node$1" "frag$1" -printf '%p %y %s %T@ %l\n' | sort &&
	    find "node$1" "frag$1" -type f -exec cat {} + | openssl sha256)
}
for i in 1 2 3; do snap $i >"$T/snap$i.before"; done
stop_etcd
for i in 1 2 3; do
	ck -m "$T/n$i.yaml" apply
	rc_is 1 "etcd away: node $i exits 1"
done
like "$ERR" "store etcd://$ETCD_ENDPOINTS/fleet: etcd: no endpoint answered \\(http://127\\.0\\.0\\.1:$ETCD_PORT_1: .*; http://127\\.0\\.0\\.1:$ETCD_PORT_2: .*; http://127\\.0\\.0\\.1:$ETCD_PORT_3: " \
    "the message names the store and every endpoint tried"
like "$ERR" "the local mirror $T/node3 was left as it was" "and says the mirror was left alone"
for i in 1 2 3; do
	snap $i >"$T/snap$i.after"
	ok_if "node $i: mirror and fragments untouched" cmp -s "$T/snap$i.before" "$T/snap$i.after"
done
is "$(served_serial "$IMAPS" c1.example.com "$T/root.pem")" "$want" \
    "etcd away: dovecot still serves c1 from the mirror"

done_testing
