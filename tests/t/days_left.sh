#!/bin/sh
# One rule for the days left of a certificate: status (table and JSON),
# plan and the daily check line of the log (text and JSON) say the same,
# also an hour after expiry ("today", 0) and ten days and an hour after
# ("10 days ago", -10).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

mkcerts_site
H=3600
# hour: 1-day certificate that expired an hour ago; tenday: 90 days that
# expired 10 days and an hour ago.
mkcerts_leaf "$T/ca" "$L/hour" ec-p256 "$((86400 + H))s" 1 hour.example.com &&
mkcerts_leaf "$T/ca" "$L/tenday" ec-p256 "$((100 * 86400 + H))s" 90 \
    tenday.example.com || { echo "Bail out! openssl failed"; exit 1; }
{
	printf 'version: 1\nacme:\n  directory: https://127.0.0.1:9/dir\n'
	printf '  contact: [hostmaster@example.com]\n  terms_accepted: true\n'
	printf 'store: store\nchallenge: {type: http-01, http-01: {webroot: %s/www}}\n' "$T"
	printf 'certificates:\n'
	printf '  - {name: hour, hostnames: [hour.example.com]}\n'
	printf '  - {name: tenday, hostnames: [tenday.example.com]}\n'
} >"$S/certkeep.yaml"
M=$S/certkeep.yaml

# days NAME FILE: days_left of NAME in a status/plan JSON document, or in
# the JSON log lines (event "check") when FILE holds one object a line.
days() {
	python3 - "$1" "$2" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
try:
    doc = json.loads(text)
    print(next(c["days_left"] for c in doc["certificates"] if c["name"] == name))
except ValueError:
    for line in text.splitlines():
        o = json.loads(line)
        if o.get("event") == "check" and o.get("certificate") == name:
            print(int(o["days_left"]))
PY
}

ck -m "$M" -o json status
rc_is 0 "status -o json"
printf '%s' "$OUT" >"$T/status.json"
ck -m "$M" -v --log-format json plan
rc_is 2 "plan -v --log-format json: renewals pending"
printf '%s\n' "$ERR" >"$T/log.json"
is "$(days hour "$T/status.json")" 0 "an hour after expiry: status JSON says 0"
is "$(days hour "$T/log.json")" "$(days hour "$T/status.json")" \
    "an hour after expiry: the log's days_left is status's"
is "$(days tenday "$T/status.json")" -10 "10 days and an hour after: -10"
is "$(days tenday "$T/log.json")" "$(days tenday "$T/status.json")" \
    "10 days and an hour after: the log's days_left is status's"

ck -m "$M" -v plan
like "$OUT" 'hour +renew +expired [0-9-]+ \(today\)' "plan: expired today"
like "$ERR" 'certificate hour expired [0-9-]+, today' "log: expired today"
like "$OUT" 'tenday +renew +expired [0-9-]+ \(10 days ago\)' \
    "plan: 10 days ago"
like "$ERR" 'certificate tenday expired [0-9-]+, 10 days ago' \
    "log: 10 days ago"
ck -m "$M" status
like "$(printf '%s\n' "$OUT" | grep '^hour ')" ' 0 .* expired$' \
    "status table: 0 days an hour after expiry"
like "$(printf '%s\n' "$OUT" | grep '^tenday ')" ' -10 .* expired$' \
    "status table: -10 days ten days and an hour after"
done_testing
