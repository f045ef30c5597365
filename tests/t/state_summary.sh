#!/bin/sh
# The summary of the fleet's states (store/cache/states.<k>) spares a run
# with nothing due from reading a state file per certificate, and never
# hides a change: a touched certificate, a state file changed behind the
# summary's back, a damaged summary or a damaged entry all send the
# reader back to the state file and the set, and what plan and status say
# with the summary is what they say without it.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

mkcerts_site
C=$S/store/cache
NAMES="a b c d e f"
mkcerts_site_leaves $NAMES
mkcerts_site_manifest

# reads_are FULL RECORDED SUMMED CMD [WHEN]: the -v counters of the last
# run of CMD (plan or status).
reads_are() {
	like "$ERR" "$4: $1 live set\\(s\\) read in full, $2 from what an earlier run verified \\($3 through the summary of states\\)" \
	    "$4${5:+ $5}: $1 read in full, $2 from the record, $3 from the summary"
}
row() { printf '%s\n' "$OUT" | awk -v n="$1" '$1 == n'; }
# json CMD: plan or status -o json, with the summary as it is.
json() { ck -m "$M" -o json "$1"; printf '%s' "$OUT"; }
# same_without CMD WHEN: CMD -o json says the same with the summary and
# without it.
same_without() {
	_with=$(json "$1")
	mv "$C" "$T/cache.saved"
	_without=$(json "$1")
	mv "$T/cache.saved" "$C"
	is "$_with" "$_without" "$1 -o json: the same with and without the summary ($2)"
}
# set_state NAME PYTHON: edits state/NAME.json (the dict is d).
set_state() {
	python3 - "$S/store/state/$1.json" "$2" <<'EOF'
import json, sys
p, code = sys.argv[1], sys.argv[2]
with open(p) as f:
    d = json.load(f)
exec(code)
with open(p + ".new", "w") as f:
    json.dump(d, f, indent="\t")
EOF
	mv "$S/store/state/$1.json.new" "$S/store/state/$1.json"
}

ck -m "$M" apply
rc_is 0 "first apply: nothing due"
ok_if "no summary before states were recorded" test ! -e "$C/states.0"
ck -m "$M" apply
rc_is 0 "second apply"
ok_if "the second apply summed up the states" test -s "$C/states.0"
like "$(head -1 "$C/states.0")" "^certkeep state summary 1 0 1$" "summary header"
is "$(grep -c . "$C/states.0")" 7 "one line per certificate"
ck -m "$M" -v plan
rc_is 0 "plan: nothing due"
reads_are 0 6 6 plan
ck -m "$M" -v status
reads_are 0 6 6 status
ino=$(ls -i "$C/states.0")
ck -m "$M" apply
is "$(ls -i "$C/states.0")" "$ino" "a run with nothing due does not rewrite the summary"

# States with members of every kind: the summary says all of them.
set_state f 'd.update({"profile": None, "consecutive_failures": 2,
  "last_error": {"time": "2026-01-02T03:04:05Z", "type": "urn:ietf:params:acme:error:rateLimited",
                 "detail": "too many\tnew orders\\nslow down \\\\ please"},
  "issued_at": "2026-01-01T00:00:00Z", "serial": d["verified"]["serial"],
  "hostnames": ["f.example.com"], "key_type": "ec-p256",
  "x-unknown": {"kept": [1, 2]},
  "ari": {"cert_id": d["verified"].get("ari_id", "abc.def"), "window_start": "2030-01-01T00:00:00Z",
          "window_end": "2030-01-02T00:00:00Z", "chosen": "2030-01-01T12:00:00Z",
          "retry_after": "2099-01-01T00:00:00Z", "last_poll": "2026-01-01T00:00:00Z",
          "failures": 1, "url": "https://127.0.0.1:9/ari"}})
del d["profile"]'
ck -m "$M" apply
rc_is 0 "apply after a state of every kind"
ck -m "$M" -v plan
reads_are 0 6 6 plan "after the edit and an apply"
same_without plan "every member"
same_without status "every member"
ok_if "apply kept the unknown member" grep -q x-unknown "$S/store/state/f.json"

# A touched certificate: the entry no longer vouches for the set.
touch -m -d '2020-01-01' "$L/a/cert.pem"
# A state changed behind the summary's back: revoked.
set_state b "d['serial'] = d['verified']['serial']; d['revoked'] = {'serial': d['serial'], 'time': '2026-01-01T00:00:00Z'}"
ck -m "$M" -v plan
rc_is 2 "plan: changes pending"
reads_are 1 5 4 plan "after the changes"
like "$(row a)" "^a +keep" "touched certificate: read in full, keep"
like "$(row b)" "^b +renew +revoked" "state changed behind the summary: revoked, renew"
same_without plan "after the changes"
ck -m "$M" -v status
reads_are 1 5 4 status "after the changes"
set_state b "del d['revoked']"
ck -m "$M" apply
ck -m "$M" apply
ck -m "$M" -v plan
reads_are 0 6 6 plan "after two applies"

# A damaged summary: every state is read, and the next apply writes it again.
printf 'certkeep state summary 1 0 1\nc\tnot an entry\nd\n' >"$C/states.0"
ck -m "$M" -v plan
reads_are 0 6 0 plan "with a damaged summary"
like "$(row c)" "^c +keep" "damaged summary: c read, keep"
printf 'garbage\n' >"$C/states.0"
ck -m "$M" -v status
reads_are 0 6 0 status "with a summary that is no summary"
ck -m "$M" apply
ck -m "$M" -v plan
like "$ERR" "through the summary of states\\)" "plan after apply"
unlike "$ERR" "\\(0 through the summary" "apply wrote the summary again"

# A damaged entry: that certificate only is read again.
ck -m "$M" apply
python3 - "$C/states.0" <<'EOF'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
lines = [l.rsplit("\t", 3)[0] if l.startswith("d\t") else l for l in lines]
open(p, "w").write("\n".join(lines))
EOF
ck -m "$M" -v plan
like "$ERR" "\\(5 through the summary of states\\)" "a cut entry is not used"
like "$(row d)" "^d +keep" "cut entry: d read from its state, keep"

# A chunk missing: the others are used; the next apply writes them all.
ck -m "$M" apply
cp "$C/states.0" "$T/states.0"
sed -i 's/^\(certkeep state summary 1 0\) 1$/\1 2/' "$C/states.0"
ck -m "$M" -v plan
like "$ERR" "\\(6 through the summary of states\\)" "chunk 1 of 2 missing: chunk 0 still used"
ck -m "$M" apply
is "$(head -1 "$C/states.0")" "certkeep state summary 1 0 1" "apply rewrote the summary"
done_testing
