#!/bin/sh
# A stale `replaces` is dropped once: the order is sent again without it,
# the certificate is issued and a warning says so. Two ways Pebble 2.7
# refuses it: 409 when the predecessor already has a replacement (the
# repository was rolled back to it), and an error when it no longer knows
# the predecessor at all (after a Pebble restart).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/ari.sh"
ari_start ari_replaces
ari_issue default "apply issues c1"
id=$(state_get c1 ari.cert_id)
inside=$(( $(epoch "$(state_get c1 ari.chosen)") + 60 - now0 ))
cp -a "$T/store" "$T/snap"

# 1. Already replaced: renew once (accepted), roll back, renew again.
# The first renewal comes from a daily timer's run 12 h before the chosen
# instant: apply --next-run 24h.
early=$(( inside - 60 - 43200 ))
o0=$(new_orders)
ck_at "$early" -m "$T/m.yaml" apply
is "$(( $(new_orders) - o0 ))" 0 "12 h before the instant apply keeps"
ck_at "$early" -m "$T/m.yaml" apply --next-run 24h
rc_is 0 "apply --next-run 24h"
is "$(( $(new_orders) - o0 ))" 1 "renews now: the instant falls before the next run"
n=$(grep -c "is a replacement of" "$PEBBLE_LOG")
is "$n" 1 "Pebble took the first replaces"
rm -rf "$T/store"; cp -a "$T/snap" "$T/store"
is "$(state_get c1 ari.cert_id)" "$id" "repository rolled back to the predecessor"
o0=$(new_orders)
ck_at "$inside" -m "$T/m.yaml" apply
rc_is 0 "renewed again"
is "$(( $(new_orders) - o0 ))" 2 "two newOrders: with replaces (409), then without"
like "$ERR" "refused replaces=$id.*ordering without it" "warning printed"
like "$ERR" "WARN|warn" "as a warning"
is "$(grep -c "is a replacement of" "$PEBBLE_LOG")" 1 "the second order replaces nothing"
unlike "$(state_get c1 ari.cert_id)" "^$id\$" "a new certificate is live"

# 2. Unknown predecessor: a new Pebble (empty database) on new ports.
rm -rf "$T/store"; cp -a "$T/snap" "$T/store"
stop_pebble
mv "$T/pebble" "$T/pebble.old"
if ! start_pebble "$ARI_PROFILES"; then
	fail "restart Pebble 2.7"; done_testing
fi
MF_ACME_EXTRA="profile: default" write_manifest "$T/m.yaml" 1
o0=$(new_orders)
ck_at "$inside" -m "$T/m.yaml" apply
rc_is 0 "renewed by the restarted CA"
is "$(( $(new_orders) - o0 ))" 2 "two newOrders: with replaces (unknown), then without"
like "$ERR" "refused replaces=$id.*ordering without it" "warning printed"
is "$(grep -c "is a replacement of" "$PEBBLE_LOG")" 0 "no replacement recorded by the new CA"
unlike "$(state_get c1 ari.cert_id)" "^$id\$" "a new certificate is live"
done_testing
