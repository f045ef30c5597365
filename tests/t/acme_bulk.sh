#!/bin/sh
# Ten certificates in one apply: all issued, and the cost measured: ACME
# requests per certificate as Pebble's log counts them, and seconds.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }
write_manifest "$T/m.yaml" 10
pebble_mark
t0=$(date +%s.%N)
ck -m "$T/m.yaml" apply
t1=$(date +%s.%N)
rc_is 0 "apply of 10 certificates"
is "$(ls "$T/store/letsencrypt" | wc -l)" 10 "10 sets"
n=$(pebble_since_mark)
secs=$(/usr/bin/python3 -c "print('%.2f' % ($t1 - $t0))")
diag "apply of 10 certificates: $secs s, $n ACME requests (account registration included), $((n / 10)) per certificate"
ok_if "at most 14 requests per certificate ($n for 10)" test "$n" -le $((10 * 14))
pebble_mark
ck -m "$T/m.yaml" apply --force-renew c5
n=$(pebble_since_mark)
diag "one renewal, account known: $n requests"
ok_if "a single-name renewal takes at most 12 requests ($n)" test "$n" -le 12
pebble_mark
ck -m "$T/m.yaml" apply
is "$(pebble_since_mark)" 0 "nothing due: no request"
done_testing
