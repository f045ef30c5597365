#!/bin/sh
# Certificate names that are also names of the store's own files and
# directories (store, archive, locks, state, accounts, letsencrypt,
# pending, cert) work end to end against Pebble: apply issues them all
# (a name equal to the store lock's once made apply wait for itself
# forever), a second apply keeps them, plan/status/render see them,
# revoke works, and a backup of them restores byte for byte. Every run
# has a deadline, so a hang is a failure, not a stuck test.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

NAMES="store archive locks state accounts letsencrypt pending cert"

# ckt ARGS...: ck with a deadline (exit 124 when it hangs).
ckt() {
	timeout -k 5 60 "$CERTKEEP" "$@" >"$T/.out" 2>"$T/.err"
	ck_result $? "$*"
}

start_pebble || { fail "pebble starts"; done_testing; }
{
	pebble_manifest_head
	echo "fragments:"
	echo "  dir: $T/frag"
	echo "certificates:"
	i=1
	for n in $NAMES; do
		echo "  - name: $n"
		echo "    hostnames: [$n.example.com]"
		echo "    listeners:"
		echo "      - {server: dovecot, service: imap, address: \"127.0.0.1:$((9900 + i))\"}"
		i=$((i + 1))
	done
} >"$T/m.yaml"

ckt -m "$T/m.yaml" apply --skip-checks
rc_is 0 "apply issues every certificate (and does not hang)"
for n in $NAMES; do
	ok_if "$n: issued for $n.example.com" sh -c \
	    "openssl x509 -noout -ext subjectAltName -in '$T/store/letsencrypt/$n/cert.pem' 2>/dev/null | grep -q 'DNS:$n.example.com'"
done
ok_if "store-wide lock is a plain file, not taken by a certificate" \
    test -f "$T/store/locks/store.lock"
ok_if "the state of the certificate 'state' is a JSON object" sh -c \
    "python3 -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), dict)' '$T/store/state/state.json'"

pebble_mark
ckt -m "$T/m.yaml" apply --skip-checks
rc_is 0 "second apply"
is "$(pebble_since_mark)" 0 "second apply keeps them all: no request to the CA"

ckt -m "$T/m.yaml" plan
rc_is 0 "plan: nothing to do"
ckt -m "$T/m.yaml" -o json status
rc_is 0 "status"
got=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = d["certificates"] if isinstance(d, dict) else d
print(" ".join(sorted(r["name"] for r in rows if r.get("not_after"))))')
want=$(printf '%s\n' $NAMES | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
is "$got" "$want" "status shows every certificate with its not-after"

rm -rf "$T/frag"
ckt -m "$T/m.yaml" render
rc_is 0 "render"
for n in store locks cert; do
	ok_if "fragment names the live set of $n" \
	    grep -rq "$T/store/letsencrypt/$n/" "$T/frag"
done

export CERTKEEP_PASSPHRASE="names that look like the store's"
ckt -m "$T/m.yaml" backup "$T/b.cms" --kdf-iterations 1000
rc_is 0 "backup"
like "$OUT" "8 certificates" "backup holds all eight"

tree() {
	(cd "$1" && find -L letsencrypt state accounts -type f | LC_ALL=C sort |
	    while read -r p; do
		printf '%s %s %s\n' "$p" "$(stat -Lc %a "$p")" \
		    "$(sha256sum <"$p" | cut -c1-16)"
	done)
}
tree "$T/store" >"$T/before"
mv "$T/store" "$T/store.orig"
ckt restore "$T/b.cms" --store "$T/store"
rc_is 0 "restore into a new repository (does not hang)"
tree "$T/store" >"$T/after"
if cmp -s "$T/before" "$T/after"; then pass "restored: same files, modes and bytes"
else fail "restored: same files, modes and bytes"; diff "$T/before" "$T/after" | sed 's/^/# /' | head -20; fi
ckt restore "$T/b.cms" --store "$T/store" --force
rc_is 0 "restore --force over it (per-certificate locks of these names)"

ckt -m "$T/m.yaml" revoke store
rc_is 0 "revoke the certificate named store"
ckt -m "$T/m.yaml" -o json status
like "$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = d["certificates"] if isinstance(d, dict) else d
print([r for r in rows if r["name"] == "store"][0])')" "revoked" "status: store is revoked"
ckt -m "$T/m.yaml" apply --skip-checks store
rc_is 0 "apply re-issues the revoked certificate named store"
done_testing
