#!/bin/sh
# plan and status over a repository made with openssl: every reason plan
# gives, text and JSON, exit codes, and that neither command writes.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

mkcerts_site	# $S: manifest + store: nothing in here may change
H=3600
# leaf NAME KEYTYPE AGO_SECONDS DAYS SANS: a plain directory set in the store.
leaf() {
	mkcerts_leaf "$T/ca" "$S/store/letsencrypt/$1" "$2" "$3s" "$4" "$5" ||
	    { echo "Bail out! openssl failed for $1"; exit 1; }
}
leaf expired ec-p256 $((100 * 86400)) 90 expired.example.com
leaf soon ec-p256 $((80 * 86400 - H)) 90 soon.example.com
leaf sixty ec-p256 $((30 * 86400 - H)) 90 sixty.example.com,www.sixty.example.com
leaf sanchanged ec-p256 $((10 * 86400)) 90 san-old.example.com,www.example.com
leaf mismatch ec-p256 $((10 * 86400)) 90 mismatch.example.com
mkcerts_key "$S/store/letsencrypt/mismatch/key.pem" ec-p256
leaf garbage ec-p256 $((10 * 86400)) 90 garbage.example.com
printf 'this is not a certificate\n' >"$S/store/letsencrypt/garbage/cert.pem"
leaf nokey ec-p256 $((10 * 86400)) 90 nokey.example.com
rm "$S/store/letsencrypt/nokey/key.pem"
leaf nochain ec-p256 $((10 * 86400)) 90 nochain.example.com
rm "$S/store/letsencrypt/nochain/cert_auth.pem"
leaf keytype ec-p256 $((10 * 86400)) 90 keytype.example.com
leaf short ec-p256 $((3 * 86400 + H)) 6 short.example.com

cert() {	# cert NAME HOSTNAMES [KEYTYPE]
	cat <<EOT
  - name: $1
    hostnames: [$2]
    key_type: ${3:-ec-p256}
    listeners:
      - {server: dovecot, service: imap, address: "0.0.0.0:993"}
EOT
}
{
	cat <<EOT
version: 1
acme:
  directory: https://127.0.0.1:14000/dir
  contact: [hostmaster@example.com]
  terms_accepted: true
store: store
challenge:
  type: http-01
  http-01: {webroot: $T/webroot}
certificates:
EOT
	cert expired expired.example.com
	cert soon soon.example.com
	cert sixty "sixty.example.com, www.sixty.example.com"
	cert sanchanged "san-new.example.com, www.example.com"
	cert mismatch mismatch.example.com
	cert garbage garbage.example.com
	cert nokey nokey.example.com
	cert nochain nochain.example.com
	cert keytype keytype.example.com rsa-2048
	cert short short.example.com
	cert missing missing.example.com
} >"$S/certkeep.yaml"
M=$S/certkeep.yaml


snapshot() { (cd "$S" && find . -printf '%p %s %T@ %m\n' | sort); }
before=$(snapshot)

# --- plan, text ---
ck -m "$M" plan
rc_is 2 "plan: exit 2 with changes pending"
line() { printf '%s\n' "$OUT" | grep -E "^$1 "; }
like "$(line expired)" '^expired +renew +expired [0-9-]+ \(10 days ago\)' "expired: renew, 10 days ago"
like "$(line soon)" 'renew +expires [0-9-]+ \(10 days left\), inside the 25d renewal window' "10 days left: renew with window"
like "$(line sixty)" '^sixty +keep +valid until [0-9-]+ \(60 days left\)' "60 days left: keep"
like "$(line sanchanged)" 'renew +hostnames changed: \+san-new.example.com -san-old.example.com' "SAN changed: renew"
like "$(line mismatch)" 'renew +key.pem is not the key of cert.pem' "key mismatch: renew"
like "$(line garbage)" 'renew +cert.pem does not hold a PEM certificate' "garbage cert.pem: renew"
like "$(line nokey)" 'renew +key.pem is missing' "missing key: renew"
like "$(line nochain)" 'renew +cert_auth.pem is missing' "missing chain: renew"
like "$(line keytype)" 'renew +key type ec-p256, manifest wants rsa-2048' "key type changed: renew"
like "$(line short)" '^short +keep ' "6-day cert, 3 days left: keep"
like "$(line missing)" '^missing +issue +no certificate in the repository' "missing: issue"
like "$OUT" '^NAME +ACTION +REASON' "plan table header"
like "$OUT" '1 to issue, 8 to renew, 2 to keep' "plan summary"
# A renewal leaves a complete set behind: no "no certificate yet" warning
# for a set whose key is missing, only for ones that stay incomplete.
unlike "$ERR" 'nokey: no certificate in the repository yet' "renewal of a set without key: counted as present for fragments"
like "$OUT" 'Fragments that would change' "fragments listed"

# --- plan, JSON ---
ck -m "$M" -o json plan
rc_is 2 "plan -o json: exit 2"
printf '%s' "$OUT" >"$T/plan.json"
jq() {	# jq PYTHON-EXPRESSION over d (the document)
	python3 -c "import json,sys; d=json.load(open('$T/plan.json')); c={x['name']: x for x in d['certificates']}; print($1)"
}
is "$(jq 'len(d["certificates"])')" 11 "JSON: 11 certificates"
is "$(jq '" ".join(c[n]["action"] + "/" + c[n]["reason"] for n in ["expired","soon","sixty","sanchanged","mismatch","garbage","nokey","nochain","keytype","short","missing"])')" \
    "renew/expiring renew/expiring keep/keep renew/names-changed renew/key-mismatch renew/corrupt renew/corrupt renew/corrupt renew/key-type-changed keep/keep issue/missing" \
    "JSON: actions and reasons"
is "$(jq '" ".join(c[n]["state"] for n in ["expired","soon","sixty","mismatch","garbage","nokey","nochain","missing"])')" \
    "expired expiring ok key-mismatch corrupt-cert missing-key corrupt-chain missing" "JSON: states"
is "$(jq 'c["missing"]["not_after"]')" None "JSON: not_after null when missing"
like "$(jq 'c["sixty"]["not_after"]')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "JSON: not_after RFC 3339"
is "$(jq 'c["sixty"]["days_left"]')" 60 "JSON: days_left"
is "$(jq 'c["soon"]["window"]')" 25d "JSON: window"
is "$(jq 'c["short"]["window"]')" 2d "JSON: 6-day window 2d"
is "$(jq 'c["sixty"]["hostnames"]')" "['sixty.example.com', 'www.sixty.example.com']" "JSON: hostnames"
is "$(jq 'c["sixty"]["issuer"]')" "Test Int CA" "JSON: issuer"
is "$(jq 'c["sixty"]["key_type"]')" ec-p256 "JSON: key_type"
like "$(jq 'c["sixty"]["serial"]')" '^[0-9A-F]+$' "JSON: serial"
is "$(jq 'c["sixty"]["listeners"]')" "[{'server': 'dovecot', 'service': 'imap', 'address': '0.0.0.0:993'}]" "JSON: listeners"
like "$(jq 'c["sixty"]["renew_at"]')" 'Z$' "JSON: renew_at"
like "$(jq 'c["soon"]["reason_text"]')" '10 days left' "JSON: reason_text"
is "$(jq 'd["changes_pending"]')" True "JSON: changes_pending"
unlike "$(cat "$T/.out")" '^[^{[:space:]}"]' "plan -o json: stdout holds only the JSON document"

# --- selection, exit codes ---
ck -m "$M" plan sixty
rc_is 2 "plan of a kept certificate whose fragments are not written: exit 2"
unlike "$OUT" 'expired' "only the named certificate"
# Nothing to do: a manifest of the kept certificate alone, its fragments
# rendered (outside $S, which must not change).
mkdir -p "$T/keep"
{ sed -n '1,/^certificates:/p' "$M" | sed "s|^store: store|store: $S/store|"
  cert sixty "sixty.example.com, www.sixty.example.com"; } >"$T/keep/certkeep.yaml"
K=$T/keep/certkeep.yaml
ck -m "$K" render
rc_is 0 "render the kept certificate's fragments"
ck -m "$K" plan
rc_is 0 "plan with nothing to do: exit 0"
like "$OUT" '0 to issue, 0 to renew, 1 to keep' "nothing to do summary"
ck -m "$K" -o json plan
rc_is 0 "plan -o json with nothing to do: exit 0"
printf '%s' "$OUT" >"$T/plan.json"
is "$(python3 -c "import json; print(json.load(open('$T/plan.json'))['changes_pending'])")" False "JSON: no changes pending"
ck -m "$M" plan sixty soon
rc_is 2 "plan of two, one due: exit 2"
ck -m "$M" plan nosuch
rc_is 64 "unknown NAME: exit 64"
like "$ERR" 'nosuch' "error names it"
ck -m "$M" status nosuch
rc_is 64 "status unknown NAME: exit 64"

# --- status ---
ck -m "$M" status
rc_is 0 "status: exit 0"
like "$OUT" '^NAME +HOSTNAMES +NOT-AFTER +DAYS +ISSUER +KEY +LISTENERS +STATE' "status header"
like "$(line sixty)" '^sixty +sixty.example.com,www.sixty.example.com +20[0-9-]+ +60 +Test Int CA +ec-p256 +dovecot/imap@0.0.0.0:993 +ok$' "status row of a good certificate"
like "$(line expired)" ' -10 .* expired$' "status: expired, negative days"
like "$(line missing)" '^missing +missing.example.com +- +- +- +- +dovecot/imap@0.0.0.0:993 +missing$' "status: missing row"
like "$(line garbage)" ' corrupt-cert$' "status: corrupt"
like "$(line mismatch)" ' key-mismatch$' "status: key mismatch"
ck -m "$M" -o json status
rc_is 0 "status -o json: exit 0"
printf '%s' "$OUT" >"$T/plan.json"
is "$(jq 'len(d["certificates"])')" 11 "status JSON: 11 certificates"
is "$(jq 'c["soon"]["days_left"]')" 10 "status JSON: days_left"
is "$(jq 'c["nochain"]["state"]')" corrupt-chain "status JSON: state"

# --- nothing written ---
is "$(snapshot)" "$before" "plan and status wrote nothing"

# A store that does not exist: all issue, and it is not created.
sed 's|^store: store|store: nostore|' "$M" >"$S/other.yaml"
before=$(snapshot)
ck -m "$S/other.yaml" plan
rc_is 2 "missing store: exit 2"
is "$(printf '%s\n' "$OUT" | grep -c ' issue ')" 11 "missing store: all issue"
ck -m "$S/other.yaml" status
rc_is 0 "missing store: status exit 0"
is "$(snapshot)" "$before" "missing store not created"

# Invalid manifest: 65, names the place, nothing created.
printf 'version: 1\nstore: s2\nbogus_key: 1\ncertificates: []\n' >"$S/bad.yaml"
before=$(snapshot)
ck -m "$S/bad.yaml" plan
rc_is 65 "invalid manifest: exit 65"
like "$ERR" 'bad.yaml:[0-9]+:[0-9]+: ' "FILE:LINE:COL"
ck -m "$S/bad.yaml" status
rc_is 65 "status invalid manifest: exit 65"
is "$(snapshot)" "$before" "invalid manifest: nothing created"

# A corrupt state file warns, plan still decides.
mkdir -p "$S/store/state"
printf '{"version": 1, "serial": ' >"$S/store/state/sixty.json"
ck -m "$K" plan sixty
rc_is 0 "corrupt state: plan still works"
like "$ERR" 'sixty.json.*discarded' "corrupt state: warning"

# valgrind over the optimised binary: make check builds it and names it
# in CERTKEEP_PLAIN (valgrind cannot run the ASan build that ck uses); run
# alone, the test uses ./certkeep when it is current.
PLAIN=${CERTKEEP_PLAIN:-$SRC_DIR/certkeep}
if [ -n "${CERTKEEP_PLAIN:-}" ] || { command -v valgrind >/dev/null && [ -x "$PLAIN" ] &&
    [ -z "$(find "$SRC_DIR/src" "$SRC_DIR/checks" -name '*.[ch]' -newer "$PLAIN" | head -1)" ]; }; then
	for c in plan status; do
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		    --error-exitcode=3 "$PLAIN" -m "$M" -o json $c >"$T/vg.out" 2>"$T/vg.err"
		rc=$?
		if [ $rc -ne 3 ] && [ -s "$T/vg.out" ] && ! grep -q '==[0-9]*==' "$T/vg.err"
		then pass "valgrind: $c clean (rc $rc)"
		else fail "valgrind: $c clean (rc $rc)"; fi
	done
else
	skip "valgrind: no current optimised ./certkeep (LeakSanitizer covers the runs above)"
	skip "valgrind: status"
fi

# A key readable by others is reported, not renewed.
chmod 644 "$S/store/letsencrypt/short/key.pem"
ck -m "$M" status short
rc_is 0 "key readable by others: status exit 0"
like "$ERR" 'key.pem is readable by group or others \(mode 0644\)' "key mode warned"
ck -m "$M" -o json plan short
printf '%s' "$OUT" >"$T/plan.json"
like "$(jq 'c["short"]["warning"]')" '0644' "JSON: warning"
is "$(jq 'c["short"]["action"]')" keep "still keep"
done_testing
