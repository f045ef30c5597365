#!/bin/sh
# kill -9 in the middle of apply, at several points, then apply again:
# the repository converges on complete, matching sets (never a
# half-written one), an order in flight is resumed; and http-01 through a
# webroot served by another web server, the token files removed after.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }
live() { echo "$T/store/letsencrypt/$1/$2"; }

# Every live set present is complete and its key matches its certificate.
sets_sound() {
	for d in "$T/store/letsencrypt/"*; do
		[ -e "$d" ] || continue
		for f in cert.pem cert_auth.pem key.pem fullchain.pem; do
			[ -s "$d/$f" ] || { echo "missing $d/$f"; return 1; }
		done
		a=$(openssl x509 -in "$d/cert.pem" -noout -pubkey | openssl sha256)
		b=$(openssl pkey -in "$d/key.pem" -pubout | openssl sha256)
		[ "$a" = "$b" ] || { echo "key mismatch in $d"; return 1; }
	done
	return 0
}

# log_grows ERE N0: waits (5 s at most) until Pebble's log has more than
# N0 lines matching ERE, polling often: the kills below aim at short windows.
log_grows() {
	_i=0
	while [ $_i -lt 1000 ] && [ "$(grep -cE "$1" "$PEBBLE_LOG")" -le "$2" ]; do
		sleep 0.005; _i=$((_i + 1))
	done
}

write_manifest "$T/m.yaml" 5
for trigger in 'new-order|order-plz' 'chalZ' 'finalize-order' 'certZ'; do
	n0=$(grep -cE "$trigger" "$PEBBLE_LOG")
	"$CERTKEEP" -m "$T/m.yaml" apply --force-renew >"$T/crash.out" 2>&1 &
	pid=$!
	log_grows "$trigger" "$n0"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	desc="after kill -9 at $trigger: every live set is sound"
	if out=$(sets_sound); then pass "$desc"; else fail "$desc: $out"; fi
done
ck -m "$T/m.yaml" apply
rc_is 0 "apply after the crashes converges"
if out=$(sets_sound); then pass "all sets sound"; else fail "all sets sound: $out"; fi
is "$(ls "$T/store/letsencrypt" | wc -l)" 5 "all five present"
ck -m "$T/m.yaml" plan
rc_is 0 "plan: nothing left to do"

# An interrupted order is resumed, not placed again. The kill must land
# after finalize and before the certificate is stored (the order URL is
# then in the state): a window of one poll, so try up to 5 times.
inflight=0
for attempt in 1 2 3 4 5; do
	rm -rf "$T/store/letsencrypt/c1" "$T/store/archive/c1" "$T/store/state/c1.json"
	n0=$(grep -c 'finalize-order' "$PEBBLE_LOG")
	"$CERTKEEP" -m "$T/m.yaml" apply c1 >"$T/crash.out" 2>&1 &
	pid=$!
	log_grows finalize-order "$n0"
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	if grep -q '"order_url"' "$T/store/state/c1.json" 2>/dev/null; then
		inflight=1
		break
	fi
	diag "attempt $attempt: the kill came after the order completed; again"
done
ok_if "kill -9 left an order in flight (attempt $attempt)" test "$inflight" -eq 1
n0=$(grep -c 'order-plz' "$PEBBLE_LOG")
ck -m "$T/m.yaml" -v apply c1
rc_is 0 "apply resumes"
like "$ERR" 'resuming order' "the order in flight is resumed"
is "$(grep -c 'order-plz' "$PEBBLE_LOG")" "$n0" "no new order placed"
if out=$(sets_sound); then pass "sound after resume"; else fail "sound after resume: $out"; fi

# Webroot: another web server serves the token files.
pebble_webroot "$T/www"
MF_CHALLENGE="{webroot: $T/www}" MF_HOSTS_1="web.example.com" write_manifest "$T/w.yaml" 1
sed -i "s|store: .*|store: $T/wstore|" "$T/w.yaml"
ck -m "$T/w.yaml" apply
rc_is 0 "webroot: issued"
like "$(cat "$T/httpd.log")" 'GET /.well-known/acme-challenge/[A-Za-z0-9_-]+ HTTP/1.1" 200' "the CA fetched the token from the webroot"
is "$(ls -A "$T/www/.well-known/acme-challenge" | wc -l)" 0 "token files removed afterwards"
done_testing
