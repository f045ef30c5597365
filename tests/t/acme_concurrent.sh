#!/bin/sh
# Concurrent issuance: 24 single-name certificates and one the CA refuses,
# acme.concurrency 8, in one apply against Pebble. Every other certificate
# is issued and its live set is sound (the key matches the certificate);
# the refused one fails on its own with its own line; log lines never
# interleave (each is whole, even with -v from 8 threads); no live counter
# when stderr is not a terminal; the summary is in manifest order; orders
# really overlap; ACME requests per certificate average at most 7 (Pebble's
# log counts them); the reload hook inherits no socket; on a terminal a
# live counter shows and is erased. `make tsan` runs this test under ThreadSanitizer too.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

N=24
start_pebble '{"domainBlocklist": ["blocked.example.com"]}' ||
    { fail "start_pebble"; done_testing; }
MF_ACME_EXTRA='concurrency: 8' MF_HOSTS_25=blocked.example.com \
    write_manifest "$T/m.yaml" $((N + 1))
# The reload hook records the descriptors it inherited.
printf '#!/bin/sh\nls -l /proc/$$/fd >"$1"\n' >"$T/hook.sh"
chmod 755 "$T/hook.sh"
sed -i "s|^  dir: $T/frag\$|&\\n  reload: {dovecot: [$T/hook.sh, $T/fds]}|" "$T/m.yaml"
pebble_mark
ck -m "$T/m.yaml" -v -o json apply
n=$(pebble_since_mark)
rc_is 1 "apply: exit 1 (one certificate refused by the CA)"

issued=$(printf '%s\n' "$ERR" | grep -cE '^certkeep: issuing c[0-9]+ \.\.\. done, expires ')
is "$issued" "$N" "$N certificates issued"
like "$ERR" '^certkeep: error: issuing c25 \.\.\. failed \(order\): .*rejectedIdentifier' \
    "the refused certificate fails alone, with its own line"

sound=0
i=1
while [ $i -le $N ]; do
	d="$T/store/letsencrypt/c$i"
	a=$(openssl x509 -noout -pubkey -in "$d/cert.pem" 2>/dev/null | openssl sha256)
	b=$(openssl pkey -pubout -in "$d/key.pem" 2>/dev/null | openssl sha256)
	[ -n "$a" ] && [ "$a" = "$b" ] &&
	    openssl x509 -noout -checkend 0 -in "$d/cert.pem" >/dev/null &&
	    sound=$((sound + 1))
	i=$((i + 1))
done
is "$sound" "$N" "every live set is sound (key matches certificate)"
ok_if "c25 has no live set" test ! -e "$T/store/letsencrypt/c25/cert.pem"

ok_if "the reload hook ran" test -s "$T/fds"
unlike "$(cat "$T/fds" 2>/dev/null)" 'socket:' \
    "the hook inherited no socket (the ACME clients are done before hooks)"

bad=$(printf '%s\n' "$ERR" | grep -cvE '^certkeep: ')
is "$bad" 0 "every stderr line is one whole log line (no interleaving)"
unlike "$(cat "$T/.err" | tr '\r' '@')" '@' "no live counter when stderr is piped"
like "$ERR" 'ACME requests this run: [0-9]+ \(25 certificate\(s\) worked on, 8 at a time' \
    "eight orders in flight"

names=$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
print(" ".join(c["name"] for c in json.load(sys.stdin)["certificates"]))')
want=$(i=1; while [ $i -le $((N + 1)) ]; do printf 'c%d ' $i; i=$((i + 1)); done)
is "$names " "$want" "the summary is in manifest order"

# Orders overlap at the CA: a second newOrder arrives before the first
# order's certificate is downloaded.
first_cert=$(grep -nE 'POST /certZ?/' "$PEBBLE_LOG" | head -1 | cut -d: -f1)
orders_before=$(head -n "${first_cert:-0}" "$PEBBLE_LOG" | grep -c 'POST /order-plz')
ok_if "orders overlap ($orders_before newOrders before the first download)" \
    test "$orders_before" -gt 1

diag "apply of $N certificates (+1 refused), concurrency 8: $n ACME requests"
ok_if "at most 7 requests per issued certificate on average ($n for $N)" \
    test "$n" -le $((7 * N))

pebble_mark
ck -m "$T/m.yaml" apply c1 c2 c3
is "$(pebble_since_mark)" 0 "nothing due: no request"

# On a terminal: the live counter, taken down at the end.
script -qec "$CERTKEEP -m $T/m.yaml apply --force-renew c1 c2 c3" \
    "$T/tty.log" >/dev/null 2>&1
tty=$(tr '\r\033' '@#' <"$T/tty.log")
like "$tty" 'issuing 3/3 \.\.\.' "on a terminal: the live counter"
like "$tty" 'issuing 3/3 \.\.\.@#\[K' "the counter is erased at the end"
like "$tty" 'renewing c[123] \.\.\. done' "log lines between the counter updates"
done_testing
