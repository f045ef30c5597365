#!/bin/sh
# A fleet large enough (1,200 certificates, 2,400 fragments) that a run
# with nothing due takes the identities the summary of states and the
# record of fragments are checked against on several threads
# (statesum_prefetch(), render_record_check_many()): what plan, status and
# apply say is what they say without the summary, a change made behind
# their back is still seen, and (under `make tsan`) the threads race on
# nothing.
. "$(dirname "$0")/../lib.sh"

N=1200
python3 "$TESTS_DIR/bench/mkscale.py" --records "$T/store" "$N" 1 fleet.test ||
    { echo "Bail out! mkscale.py failed"; exit 1; }
M=$T/certkeep.yaml
{
	printf 'version: 1\nacme:\n  directory: https://127.0.0.1:9/dir\n'
	printf '  contact: [hostmaster@fleet.test]\n  terms_accepted: true\n'
	printf 'store: store\nfragments: {dir: fragments}\n'
	printf 'challenge: {type: http-01, http-01: {webroot: %s/www}}\n' "$T"
	printf 'certificates:\n'
	awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) {
		printf "  - name: c%d\n    hostnames: [h1.s%d.fleet.test]\n", i, i
		printf "    listeners: [{server: nginx, service: webmail, address: \"0.0.0.0:443\"}]\n"
	} }'
} >"$M"
C=$T/store/cache
F=$T/fragments/nginx

ck -m "$M" apply
rc_is 0 "first apply: fragments written"
ck -m "$M" apply
rc_is 0 "second apply: fragments recorded, states summed up"
ok_if "the summary was written" test -s "$C/states.0"
ok_if "the record of fragments was written" test -s "$F/.certkeep-verified"

ck -m "$M" -v plan
rc_is 0 "plan: nothing due"
like "$ERR" "0 live set\\(s\\) read in full, $N from what an earlier run verified \\($N through the summary of states\\)" \
    "plan: every certificate through the summary"
# same_without CMD: CMD -o json says the same without the summary.
same_without() {
	ck -m "$M" -o json "$1"
	_with=$OUT
	mv "$C" "$T/cache.saved"
	ck -m "$M" -o json "$1"
	mv "$T/cache.saved" "$C"
	is "$OUT" "$_with" "$1 -o json: the same without the summary"
}
same_without plan
same_without status

# Behind the summary's back: one set's certificate touched, one state
# revoked, one fragment edited in place (same size, so only its identity
# tells).
touch -m -d '2020-01-01' "$T/store/archive/c7/1/cert.pem"
python3 - "$T/store/state/c500.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["serial"] = d["verified"]["serial"]
d["revoked"] = {"serial": d["serial"], "time": "2026-01-01T00:00:00Z"}
json.dump(d, open(p + ".new", "w"))
PY
mv "$T/store/state/c500.json.new" "$T/store/state/c500.json"
sed -i 's/ssl_certificate /ssl_certificatX /' "$F/c900.ssl.inc"
ck -m "$M" -v plan
rc_is 2 "plan: changes pending"
like "$ERR" "1 live set\\(s\\) read in full, $((N - 1)) from what an earlier run verified \\($((N - 2)) through the summary of states\\)" \
    "plan: the touched set and the changed state read again, no other"
like "$(printf '%s\n' "$OUT" | awk '$1 == "c500"')" "^c500 +renew +revoked" \
    "the state changed behind the summary: revoked, renew"
like "$(printf '%s\n' "$OUT" | awk '$1 == "c7"')" "^c7 +keep" \
    "the touched set: read in full, keep"
like "$OUT" "write +nginx +$F/c900.ssl.inc" \
    "the fragment edited in place is seen"
is "$(printf '%s\n' "$OUT" | grep -c '^write ')" 1 "no other fragment would change"
ck -m "$M" render
rc_is 0 "render"
ok_unless "render put the edited fragment right" grep -q 'ssl_certificatX' "$F/c900.ssl.inc"
ck -m "$M" plan
unlike "$OUT" "c900.ssl.inc" "plan after render: the fragment is as it should be"
done_testing
