#!/bin/sh
# What apply recorded of each live set (state "verified": what was read and
# verified, with the identities of the files) spares plan and status from
# parsing certificates and decoding keys while nothing changed, and never
# hides a change: a replaced certificate, a key swapped for another, a
# broken chain, a damaged or deleted record are all seen as a full read
# would see them.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

mkcerts_site
NAMES="a b c d e f"
mkcerts_site_leaves $NAMES
# Another set for a: same key type, other names.
mkcerts_leaf "$T/ca" "$T/other" ec-p256 10 90 "other.example.com" ||
    { echo "Bail out! openssl failed"; exit 1; }
mkcerts_site_manifest

# reads_are FULL RECORDED CMD [WHEN]: the -v counter of the last run of
# CMD (plan or status).
reads_are() {
	like "$ERR" "$3: $1 live set\\(s\\) read in full, $2 from what an earlier run verified" \
	    "$3${4:+ $4}: $1 read in full, $2 from the record"
}
# row NAME: the plan table's row of NAME (escaped reason and all).
row() { printf '%s\n' "$OUT" | awk -v n="$1" '$1 == n'; }

ck -m "$M" -v plan
rc_is 0 "plan before any apply: nothing due"
reads_are 6 0 plan
ok_if "plan wrote no record" sh -c "! ls '$S/store/state' 2>/dev/null | grep -q ."

ck -m "$M" apply
rc_is 0 "apply with nothing due"
for n in $NAMES; do
	ok_if "apply recorded what it verified of $n" \
	    grep -q '"verified"' "$S/store/state/$n.json"
done
ck -m "$M" -v plan
rc_is 0 "plan: nothing due"
reads_are 0 6 plan
ck -m "$M" -v status
rc_is 0 "status"
reads_are 0 6 status
like "$OUT" "a\\.example\\.com +20[0-9-]+ +79 +Test Int CA +ec-p256 +- +ok" \
    "status from the record: not-after, days, issuer, key type"
ck -m "$M" apply
ck -m "$M" -v plan
reads_are 0 6 plan "after a second apply"

# Changes under the record.
cp "$T/other/cert.pem" "$L/a/cert.pem"
cp "$T/other/key.pem" "$L/a/key.pem"
mkcerts_key "$T/k2.pem" ec-p256
cat "$T/k2.pem" >"$L/b/key.pem"			# rewritten in place
printf 'not a certificate\n' >"$L/c/cert_auth.pem"
sed 's/"cert.pem":[^,]*/"cert.pem": 7/' "$S/store/state/d.json" >"$T/d.json"
cp "$T/d.json" "$S/store/state/d.json"
rm "$S/store/state/e.json"
ck -m "$M" -v plan
rc_is 2 "plan: changes pending"
reads_are 5 1 plan "after the changes"
like "$(row a)" "^a +renew +hostnames changed: \\+a\\.example\\.com -other\\.example\\.com" \
    "replaced certificate: renew, names changed"
like "$(row b)" "^b +renew +key\\.pem is not the key of cert\\.pem" \
    "key swapped in place: renew, key mismatch"
like "$(row c)" "^c +renew +cert_auth\\.pem" "broken chain: renew"
like "$(row d)" "^d +keep" "damaged record: read again, keep"
like "$(row e)" "^e +keep" "deleted state: read again, keep"
like "$(row f)" "^f +keep" "untouched set: keep"
ck -m "$M" -o json status
rc_is 0 "status -o json"
st=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(c["name"] + "=" + c["state"] for c in d["certificates"]))')
is "$st" "a=names-changed b=key-mismatch c=corrupt-chain d=ok e=ok f=ok" \
    "status sees every change"
ok_if "plan and status rewrote no record" \
    sh -c "! grep -q verified '$S/store/state/e.json' 2>/dev/null"
done_testing
