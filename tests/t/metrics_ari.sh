#!/bin/sh
# The ARI window in metrics.textfile (upstream Pebble >= 2.7, $PEBBLE_ARI):
# after apply (which asks the CA's renewalInfo right after issuance) the
# window start and end series equal the window kept in the certificate's
# state, start < end <= expiry; a window the state keeps for another
# certificate (a stale certID) is not reported.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/ari.sh"
ari_start metrics_ari

F=$T/certkeep.prom
MF_TOP_EXTRA="metrics: {textfile: $F}" write_manifest "$T/m.yaml" 1
value() { grep -E "^$1 " "$F" | awk '{ print $2 }'; }

ck -m "$T/m.yaml" apply
rc_is 0 "apply"
ws=$(epoch "$(state_get c1 ari.window_start)")
we=$(epoch "$(state_get c1 ari.window_end)")
s=$(value 'certkeep_certificate_ari_window_start_timestamp_seconds\{name="c1"\}')
e=$(value 'certkeep_certificate_ari_window_end_timestamp_seconds\{name="c1"\}')
x=$(value 'certkeep_certificate_expiration_timestamp_seconds\{name="c1"\}')
is "$s" "$ws" "window start as in the state"
is "$e" "$we" "window end as in the state"
ok_if "start < end <= expiry ($s < $e <= $x)" test "${s:-0}" -lt "${e:-0}" -a "${e:-0}" -le "${x:-0}"

# A stale window (kept for another certificate) is not shown.
/usr/bin/python3 - "$T/store/state/c1.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["ari"]["cert_id"] = "AAAA.BBBB"
json.dump(d, open(p, "w"))
PY
ck -m "$T/m.yaml" plan
is "$(grep -c 'ari_window_.*name="c1"' "$F")" 0 "a window for another certificate is not reported"
like "$(value 'certkeep_certificate_expiration_timestamp_seconds\{name="c1"\}')" "^$x\$" "the expiry still is"
done_testing
