#!/bin/sh
# ARI (RFC 9773) against upstream Pebble 2.7: the certID certkeep computes
# is the one the CA answers for; the window lands in the state after
# issuance; before the window a run keeps and sends at most one poll (and
# nothing else); --next-run renews an instant that falls before the next
# run; inside the window the certificate is renewed with reason `ari` and
# the order names the certificate it `replaces`.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/ari.sh"
ari_start ari_window
ari_issue default "apply issues c1"
is "$(ari_polls)" 1 "one ARI poll right after issuance"
id=$(state_get c1 ari.cert_id)
like "$id" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "state holds the certID ($id)"
is "$id" "$(cert_id_of "$T/store/letsencrypt/c1/cert.pem")" \
    "certID equals AKI.serial computed with openssl"
ri=$(jget "$T/store/state/c1.json" ari.url)
like "$ri" 'renewalInfo$' "renewalInfo URL kept in the state ($ri)"
code=$(curl -s -o "$T/ri.json" -w '%{http_code}' --cacert "$PEBBLE_TRUST" "$ri/$id")
is "$code" 200 "Pebble answers for certkeep's certID"
like "$(cat "$T/ri.json")" suggestedWindow "with a suggested window"
bad=$(printf '%s' "$id" | sed 's/\.\(.\)/.A\1/')
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$PEBBLE_TRUST" "$ri/$bad")
unlike "$code" '^200$' "and not for another serial ($code)"
ws=$(state_get c1 ari.window_start); we=$(state_get c1 ari.window_end)
ch=$(state_get c1 ari.chosen)
is "$ws" "$(jget "$T/ri.json" suggestedWindow.start)" "state window start = Pebble's"
is "$we" "$(jget "$T/ri.json" suggestedWindow.end)" "state window end = Pebble's"
s=$(epoch "$ws"); e=$(epoch "$we"); c=$(epoch "$ch")
ok_if "chosen instant $ch inside the window" test "$c" -ge "$s" -a "$c" -le "$e"

ck -m "$T/m.yaml" -o json plan
rc_is 0 "plan right after: nothing to do"
printf '%s' "$OUT" >"$T/plan.json"
is "$(jget "$T/plan.json" certificates.0.ari.chosen)" "$ch" "plan JSON carries the ari object"
ck -m "$T/m.yaml" status
like "$OUT" "c1: window $ws \.\. $we, renew at $ch" "status shows the window and the instant"

# A day before the window (the lifetime rule says keep too): at most one poll,
# nothing else.
before=$(( s - 86400 - now0 ))
pebble_mark; p0=$(ari_polls); o0=$(new_orders)
ck_at "$before" -m "$T/m.yaml" apply
rc_is 0 "apply a day before the window"
polls=$(( $(ari_polls) - p0 ))
ok_if "at most one ARI poll ($polls)" test "$polls" -le 1
is "$(pebble_since_mark)" "$polls" "and no other request"
is "$(( $(new_orders) - o0 ))" 0 "no order"
is "$(state_get c1 ari.cert_id)" "$id" "same certificate"
is "$(state_get c1 ari.chosen)" "$ch" "same window keeps the chosen instant"
pebble_mark
ck_at "$before" -m "$T/m.yaml" apply
is "$(pebble_since_mark)" 0 "a second run before Retry-After sends nothing"

# --next-run: 12 h before the instant a daily timer must renew now.
early=$(( c - 43200 - now0 ))
ck_at "$early" -m "$T/m.yaml" plan
rc_is 0 "12 h before the instant: plan keeps"
ck_at "$early" -m "$T/m.yaml" -o json plan --next-run 24h
rc_is 2 "with --next-run 24h: renew pending"
printf '%s' "$OUT" >"$T/plan2.json"
is "$(jget "$T/plan2.json" certificates.0.reason)" ari "reason ari"
ck_at "$early" -m "$T/m.yaml" plan --next-run 1x
rc_is 64 "bad --next-run is a usage error"

# Inside the window (the lifetime rule still says keep: ~30 days left).
inside=$(( c + 60 - now0 ))
o0=$(new_orders)
ck_at "$inside" -m "$T/m.yaml" -o json plan
printf '%s' "$OUT" >"$T/plan3.json"
is "$(jget "$T/plan3.json" certificates.0.reason)" ari "plan: renew, reason ari"
ck_at "$inside" -m "$T/m.yaml" apply
rc_is 0 "apply inside the window"
is "$(( $(new_orders) - o0 ))" 1 "one order"
old_serial=$(printf '%s' "$id" | cut -d. -f2)
like "$(cat "$PEBBLE_LOG")" 'ARI: order "[^"]+" is a replacement of' \
    "Pebble's order says it replaces the predecessor"
id2=$(state_get c1 ari.cert_id)
ok_if "new certificate has a certID" test -n "$id2"
unlike "$id2" "^$id\$" "the state follows the new certificate"
is "$id2" "$(cert_id_of "$T/store/letsencrypt/c1/cert.pem")" "certID of the new leaf"
ok_if "new certificate polled right after issuance" \
    test "$(state_get c1 ari.window_start | wc -c)" -ge 2
# Pebble's clock is real: the new certificate's life starts at the real
# now, where the next run is checked.
ck -m "$T/m.yaml" plan
rc_is 0 "and then kept (no loop)"
done_testing
