#!/bin/sh
# Bench: 100 certificates with nothing due. Issues them once against a
# local Pebble (upstream 2.7 with ARI from $PEBBLE_ARI when set, else
# Debian's 2.4 without), then measures two runs of `apply`:
#   A. right after: no ARI poll is due yet (Pebble's Retry-After is 6 h);
#   B. 7 hours later (faketime): every certificate's poll is due.
# Prints the requests Pebble handled and the wall time of each run.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/ari.sh"
N=${BENCH_CERTS:-100}
if [ -n "${PEBBLE_ARI:-}" ] && [ -x "${PEBBLE_ARI:-}" ]; then
	PEBBLE_BIN=$PEBBLE_ARI; tweak=$ARI_PROFILES; extra="profile: default"
	kind="Pebble 2.7 (ARI)"
else
	tweak='{"certificateValidityPeriod": 7776000}'; extra=""
	kind="Debian Pebble 2.4 (no ARI; set PEBBLE_ARI for the ARI numbers)"
fi
if ! start_pebble "$tweak"; then
	fail "start Pebble"; done_testing
fi
MF_ACME_EXTRA=$extra write_manifest "$T/m.yaml" "$N"
ms() { date +%s%3N; }

t0=$(ms)
ck -m "$T/m.yaml" apply
t1=$(ms)
is "$RC" 0 "issue $N certificates"
diag "ari_nothing_due: CA $kind"
diag "ari_nothing_due: issuing $N certificates took $((t1 - t0)) ms, $(pebble_requests) requests"

pebble_mark; t0=$(ms)
ck -m "$T/m.yaml" apply
t1=$(ms); a_req=$(pebble_since_mark)
is "$RC" 0 "run A (nothing due, no poll due)"
diag "ari_nothing_due: run A: $a_req requests, $((t1 - t0)) ms"
is "$a_req" 0 "run A sends nothing"

pebble_mark; p0=$(ari_polls); t0=$(ms)
ck_at 25200 -m "$T/m.yaml" apply
t1=$(ms); b_req=$(pebble_since_mark); b_polls=$(( $(ari_polls) - p0 ))
is "$RC" 0 "run B (7 h later: polls due, nothing to renew)"
diag "ari_nothing_due: run B: $b_req requests ($b_polls ARI polls), $((t1 - t0)) ms"
if [ -n "$extra" ]; then
	is "$b_polls" "$N" "run B polls each certificate once"
	is "$b_req" "$N" "and sends nothing else"
else
	is "$b_req" 0 "run B sends nothing (CA without ARI)"
fi
done_testing
