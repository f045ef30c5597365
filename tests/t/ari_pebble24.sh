#!/bin/sh
# Against Debian's Pebble 2.4 (no renewalInfo, no profiles): no ARI request
# at all, runs with nothing due send nothing, the lifetime rule decides
# (a 90-day certificate renews 25 days before expiry), and a profile set
# without profile_optional fails clearly before any order.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/ari.sh"
PEBBLE_BIN=/usr/bin/pebble

if ! start_pebble '{"certificateValidityPeriod": 7776000}'; then
	fail "start Pebble 2.4"; done_testing
fi
dir=$(curl -sf --cacert "$PEBBLE_TRUST" "$PEBBLE_URL")
unlike "$dir" renewalInfo "Debian's Pebble has no renewalInfo"
now0=$(date +%s)
write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" apply
rc_is 0 "apply issues c1"
na=$(epoch "$(openssl x509 -in "$T/store/letsencrypt/c1/cert.pem" -noout -enddate | cut -d= -f2)")
pebble_mark
ck -m "$T/m.yaml" apply
is "$(pebble_since_mark)" 0 "a run with nothing due sends nothing"
ck -m "$T/m.yaml" status
unlike "$OUT" "ARI" "status shows no ARI lines"
o0=$(new_orders)
pebble_mark
ck_at $(( na - 26 * 86400 - now0 )) -m "$T/m.yaml" apply
rc_is 0 "apply with 26 days left"
is "$(pebble_since_mark)" 0 "kept, nothing sent"
ck_at $(( na - 24 * 86400 - now0 )) -m "$T/m.yaml" -o json apply
rc_is 0 "apply with 24 days left"
is "$(( $(new_orders) - o0 ))" 1 "renewed by the lifetime rule"
printf '%s' "$OUT" >"$T/a.json"
is "$(jget "$T/a.json" certificates.0.reason)" expiring "reason expiring"
is "$(grep -c renewalInfo "$PEBBLE_LOG")" 0 "no ARI request at all"

ari_try_profile m2 "profile: shortlived"
rc_is 1 "profile without profile_optional fails"
like "$ERR" 'profile "shortlived" is set but https://127\.0\.0\.1:[0-9]+/dir offers no profiles' \
    "clear error naming the CA"
is "$(( $(new_orders) - o0 ))" 0 "no order placed"
ari_try_profile m3 "profile: shortlived
  profile_optional: true"
rc_is 0 "with profile_optional: issued"
like "$ERR" 'offers no profiles; ordering without one' "and warned"
done_testing
