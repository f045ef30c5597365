#!/bin/sh
# A certificate revoked behind certkeep's back (another copy of the store,
# as after a key compromise or a CA incident): Pebble moves its ARI window
# to "now", and the next apply whose poll is due renews it at once with
# reason `ari`, although the lifetime rule says keep (~90 days left).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/ari.sh"
ari_start ari_revoke
ari_issue default "apply issues c1"
id=$(state_get c1 ari.cert_id)
ok_if "window known after issuance" test -n "$id"

# Revoke it at the CA through a copy of the repository: the original
# store's state knows nothing about it.
cp -a "$T/store" "$T/store2"
sed "s#^store: .*#store: $T/store2#" "$T/m.yaml" >"$T/m2.yaml"
ck -m "$T/m2.yaml" revoke c1
rc_is 0 "revoked at the CA (via the copy)"
code=$(curl -s -o "$T/ri.json" -w '%{http_code}' --cacert "$PEBBLE_TRUST" \
    "$(state_get c1 ari.url)/$id")
is "$code" 200 "Pebble still answers for it"
ws=$(epoch "$(jget "$T/ri.json" suggestedWindow.start)")
ok_if "its window moved to now" test "$ws" -le $(( $(date +%s) + 60 ))

ck -m "$T/m.yaml" plan
rc_is 0 "before the next poll is due the stored window says keep"

# Seven hours later Pebble's Retry-After (6 h) has passed.
ck_at 25200 -m "$T/m.yaml" -o json plan
rc_is 0 "plan alone sends nothing and still keeps (lifetime rule)"
o0=$(new_orders); p0=$(ari_polls)
ck_at 25200 -m "$T/m.yaml" -o json apply
rc_is 0 "apply 7 h later"
is "$(( $(ari_polls) - p0 ))" 2 "one poll of the revoked certificate, one of its replacement"
is "$(( $(new_orders) - o0 ))" 1 "renewed at once" || show_stderr
printf '%s' "$OUT" >"$T/apply.json"
is "$(jget "$T/apply.json" certificates.0.reason)" ari "reason ari"
unlike "$(state_get c1 ari.cert_id)" "^$id\$" "a new certificate"
ck_at 25300 -m "$T/m.yaml" plan
rc_is 0 "the replacement is kept"
done_testing
