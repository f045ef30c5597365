#!/bin/sh
# Renewal driven by the clock: Pebble issues 9-day certificates
# (certificateValidityPeriod), faketime moves certkeep 7 days ahead, into
# the renewal window (lifetime/3 = 3 days), and apply renews; revoke marks
# the certificate revoked and the next apply re-issues it; with Pebble
# rejecting half of all nonces (PEBBLE_WFE_NONCEREJECT=50) every
# certificate is still issued.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
export ASAN_OPTIONS="${ASAN_OPTIONS}:verify_asan_link_order=0"

start_pebble '{"certificateValidityPeriod": 777600}' ||
    { fail "start_pebble"; done_testing; }
live() { echo "$T/store/letsencrypt/$1/$2"; }
serial() { openssl x509 -in "$(live "$1" cert.pem)" -noout -serial; }

write_manifest "$T/m.yaml" 2
ck -m "$T/m.yaml" apply
rc_is 0 "issued 9-day certificates"
s1=$(serial c1)
ck -m "$T/m.yaml" plan
rc_is 0 "nothing due today"

FAKETIME="+5d" faketime -f "+5d" "$CERTKEEP" -m "$T/m.yaml" plan >"$T/out" 2>&1
is "$?" 0 "in 5 days still nothing due (window 3 days)"

faketime -f "+7d" "$CERTKEEP" -m "$T/m.yaml" -o json plan >"$T/out" 2>"$T/err"
is "$?" 2 "in 7 days a renewal is due"
like "$(cat "$T/out")" '"reason":[[:space:]]*"expiring"' "reason expiring"
faketime -f "+7d" "$CERTKEEP" -m "$T/m.yaml" apply >"$T/out" 2>"$T/err"
is "$?" 0 "apply 7 days ahead"
like "$(cat "$T/err")" 'renewing c1 \.\.\. done' "c1 renewed"
like "$(cat "$T/err")" 'renewing c2 \.\.\. done' "c2 renewed"
ok_unless "no sanitizer report under faketime" grep -q Sanitizer "$T/err"
s2=$(serial c1)
ok_if "new serial after renewal" test "$s1" != "$s2"
ls "$T/store/archive/c1" | wc -l >"$T/n"
is "$(cat "$T/n")" 2 "the previous set is archived"

# Revoke, then apply re-issues.
ck -m "$T/m.yaml" revoke c2 --reason superseded
rc_is 0 "revoke c2"
like "$ERR" 'revoked c2' "says revoked"
ck -m "$T/m.yaml" -o json status
like "$OUT" 'revoked' "status shows it"
ck -m "$T/m.yaml" plan
rc_is 2 "plan: renewal pending after revoke"
like "$OUT" 'revoked' "reason revoked"
s3=$(serial c2)
ck -m "$T/m.yaml" apply
rc_is 0 "apply after revoke"
like "$ERR" 'renewing c2 \.\.\. done' "c2 re-issued"
ok_if "a new certificate" test "$s3" != "$(serial c2)"
ck -m "$T/m.yaml" revoke nosuch
rc_is 64 "revoke of an unknown name: usage error"
ck -m "$T/m.yaml" revoke c1 --reason bogus
rc_is 64 "unknown reason: usage error"
stop_pebble

# Half the nonces rejected: badNonce is retried transparently.
export PEBBLE_WFE_NONCEREJECT=50
start_pebble || { fail "start_pebble nonce"; done_testing; }
unset PEBBLE_WFE_NONCEREJECT
rm -rf "$T/store"
write_manifest "$T/m.yaml" 3
ck -m "$T/m.yaml" -v apply
rc_is 0 "PEBBLE_WFE_NONCEREJECT=50: apply succeeds"
n=$(printf '%s\n' "$ERR" | grep -c 'badNonce from')
ok_if "badNonce answers were retried ($n)" test "$n" -ge 3
is "$(ls "$T/store/letsencrypt" | wc -l)" 3 "all three issued"
done_testing
