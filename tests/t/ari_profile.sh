#!/bin/sh
# ACME profiles against upstream Pebble 2.7 (default: 90 days, shortlived:
# 6 days): a shortlived certificate lasts 6 days and is renewed about two
# days before expiry without looping; an unknown profile is a clear error
# naming the offered ones and places no order; profile_optional orders
# without it and warns; a changed profile renews.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/ari.sh"
ari_start ari_profile
ari_issue shortlived "apply issues a shortlived certificate"
pem="$T/store/letsencrypt/c1/cert.pem"
nb=$(epoch "$(openssl x509 -in "$pem" -noout -startdate | cut -d= -f2)")
na=$(epoch "$(openssl x509 -in "$pem" -noout -enddate | cut -d= -f2)")
life=$((na - nb))
ok_if "lifetime is 6 days ($life s)" test "$life" -ge 518300 -a "$life" -le 518500
is "$(state_get c1 profile)" shortlived "profile recorded in the state"
id=$(state_get c1 ari.cert_id)
o0=$(new_orders)
ck -m "$T/m.yaml" apply
is "$(( $(new_orders) - o0 ))" 0 "a run right after keeps it (2-day window, not 25 days: no loop)"

# 3 days + 2 h before expiry: outside both the lifetime rule (2 days) and
# Pebble's window (1..3 days before expiry).
o0=$(new_orders)
ck_at $(( na - 3 * 86400 - 7200 - now0 )) -m "$T/m.yaml" apply
rc_is 0 "apply with 3 days left"
is "$(( $(new_orders) - o0 ))" 0 "kept: no order"
# 2 days - 1 h before expiry: the lifetime rule says renew.
late=$(( na - 2 * 86400 + 3600 - now0 ))
ck_at "$late" -m "$T/m.yaml" apply
rc_is 0 "apply with less than 2 days left"
is "$(( $(new_orders) - o0 ))" 1 "renewed"
unlike "$(state_get c1 ari.cert_id)" "^$id\$" "a new certificate"
# Pebble's clock is not faked: the new certificate runs 6 days from the
# real now, which is where a run right after it stands.
ck -m "$T/m.yaml" apply
is "$(( $(new_orders) - o0 ))" 1 "the next run keeps the new one (no loop)"

# Unknown profile: clear error, no order.
ari_try_profile m2 "profile: foo"
rc_is 1 "unknown profile fails"
like "$ERR" 'profile "foo" is not offered by https://127\.0\.0\.1:[0-9]+/dir: choose one of ' \
    "error names the profile and the CA"
like "$ERR" 'default' "lists default"
like "$ERR" 'shortlived' "lists shortlived"
is "$(( $(new_orders) - o0 ))" 0 "no order placed"
ok_if "nothing issued for c2" test "$(ls "$T/store/letsencrypt" | grep -c '^c2$')" -eq 0

# profile_optional: ordered without it, warned, and not renewed again.
ari_try_profile m3 "profile: foo
  profile_optional: true"
rc_is 0 "profile_optional: issued"
like "$ERR" 'profile "foo" is not offered .*without' "and warned"
is "$(( $(new_orders) - o0 ))" 1 "one order"
ck -m "$T/m3.yaml" plan c2
rc_is 0 "kept on the next run (no profile-changed loop)"

# Changing the profile renews.
MF_ACME_EXTRA="profile: default" write_manifest "$T/m4.yaml" 1
ck -m "$T/m4.yaml" -o json plan c1
rc_is 2 "profile changed: renewal pending"
printf '%s' "$OUT" >"$T/p.json"
is "$(jget "$T/p.json" certificates.0.reason)" profile-changed "reason profile-changed"
done_testing
