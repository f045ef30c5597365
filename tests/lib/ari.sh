# tests/lib/ari.sh - helpers for the ARI and profile tests (issue 8).
# Sourced after tests/lib.sh and tests/lib/pebble.sh.
#
#   ari_need_pebble NAME   when $PEBBLE_ARI is not set, reports NAME as
#                          skipped with the reason and ends the test
#                          (the only allowed skip); else PEBBLE_BIN=$PEBBLE_ARI.
#   ari_start NAME         ari_need_pebble NAME, then start_pebble with
#                          ARI_PROFILES; a failed start is a failed test
#                          that ends it.
#   ari_issue PROFILE DESC writes $T/m.yaml (c1, with PROFILE), sets now0
#                          (the real now before it), runs apply and tests
#                          that it exits 0 (DESC).
#   ari_try_profile NAME ACME-LINES
#                          writes $T/NAME.yaml (c1, c2; ACME-LINES under
#                          acme:, e.g. "profile: foo"), sets o0 (newOrders
#                          so far) and runs apply c2.
#   ARI_PROFILES           the Pebble config tweak with the two profiles
#                          (default: 90 days "classic", shortlived: 6 days).
#   jget FILE PATH         prints a member of a JSON file ("a.b.c"; numbers
#                          index arrays); empty when absent or null.
#   state_get NAME PATH    jget on the certificate's state JSON.
#   epoch RFC3339          seconds since the epoch.
#   ck_at SECONDS ARGS...  ck under faketime, SECONDS from the real now
#                          (negative allowed).
#   ari_polls              renewalInfo requests Pebble has handled so far.
#   new_orders             newOrder requests Pebble has handled so far.
#   cert_id_of PEM         the RFC 9773 certID computed with openssl and
#                          python (independently of certkeep).

ARI_PROFILES='{"profiles": {"default": {"description": "classic", "validityPeriod": 7776000}, "shortlived": {"description": "6 days", "validityPeriod": 518400}}}'

ari_need_pebble() {
	if [ -z "${PEBBLE_ARI:-}" ] || [ ! -x "${PEBBLE_ARI:-}" ]; then
		skip "$1: PEBBLE_ARI is not set to an upstream Pebble >= 2.7 (ARI, profiles); .ci/run sets it to ../shared/bin/pebble"
		done_testing
	fi
	PEBBLE_BIN=$PEBBLE_ARI
}

ari_start() {
	ari_need_pebble "$1"
	if ! start_pebble "$ARI_PROFILES"; then
		fail "start Pebble 2.7"; done_testing
	fi
}

ari_issue() {
	MF_ACME_EXTRA="profile: $1" write_manifest "$T/m.yaml" 1
	now0=$(date +%s)
	ck -m "$T/m.yaml" apply
	is "$RC" 0 "$2"
}

ari_try_profile() {
	MF_ACME_EXTRA=$2 write_manifest "$T/$1.yaml" 2
	o0=$(new_orders)
	ck -m "$T/$1.yaml" apply c2
}

jget() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
try:
    v = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(0)
for k in sys.argv[2].split("."):
    if isinstance(v, list) and k.isdigit() and int(k) < len(v):
        v = v[int(k)]
    elif isinstance(v, dict) and k in v:
        v = v[k]
    else:
        sys.exit(0)
if v is None:
    sys.exit(0)
print(json.dumps(v) if isinstance(v, (dict, list)) else v)
PY
}

state_get() { jget "$T/store/state/$1.json" "$2"; }

epoch() { date -u -d "$1" +%s; }

ck_at() {
	_off=$1; shift
	case "$_off" in -*) _f="$_off" ;; *) _f="+$_off" ;; esac
	ASAN_OPTIONS="${ASAN_OPTIONS}:verify_asan_link_order=0" \
	    faketime -f "$_f" "$CERTKEEP" "$@" >"$T/.out" 2>"$T/.err"
	ck_result $? "$* (at $_f)"
}

ari_polls() { grep -c 'GET /draft-ietf-acme-ari-03/renewalInfo/.* -> calling handler' "$PEBBLE_LOG"; }
new_orders() { grep -c 'POST /order-plz -> calling handler' "$PEBBLE_LOG"; }

cert_id_of() {
	openssl x509 -in "$1" -noout -ext authorityKeyIdentifier -serial 2>/dev/null |
	    /usr/bin/python3 -c '
import sys, base64, re
t = sys.stdin.read()
m = re.search(r"(?:keyid:)?((?:[0-9A-F]{2}:)+[0-9A-F]{2})", t.split("serial=")[0])
if m is None or "serial=" not in t:
    sys.exit(0)
aki = m.group(1)
ser = t.split("serial=")[1].strip()
a = bytes.fromhex(aki.replace(":", ""))
s = bytes.fromhex(ser if len(ser) % 2 == 0 else "0" + ser)
if s[0] & 0x80:
    s = b"\0" + s
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
print(b(a) + "." + b(s))'
}
