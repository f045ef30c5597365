#!/bin/sh
# Moving in and out of etcd: a directory store with two certificates from
# Pebble is copied to etcd (`store copy --to etcd://...`, verified), a
# manifest on that etcd store then finds nothing to do (nothing ordered)
# and its mirror holds the same sets; a copy into a store that already
# holds sets is refused and writes nothing; etcd is copied back out to a
# directory, identical; backup of the etcd store and restore into a fresh
# directory give the same sets; restore into an empty etcd prefix works
# too.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/etcd.sh"

start_etcd 1 || { fail "start_etcd"; done_testing; }
start_pebble || { fail "start_pebble"; done_testing; }
write_manifest "$T/dir.yaml" 2
ck -m "$T/dir.yaml" apply
rc_is 0 "a directory store with two certificates"

# sets DIR: the live sets of a directory store (or a mirror), as one digest.
sets() {
	(cd "$1/letsencrypt" && for d in */; do
		echo "$d"
		cat "$d/cert.pem" "$d/cert_auth.pem" "$d/key.pem"
	done) | openssl sha256
}
want=$(sets "$T/store")

URL="etcd://$ETCD_ENDPOINTS/moved"
ck -m "$T/dir.yaml" store copy --to "$URL"
rc_is 0 "store copy to etcd"
like "$OUT" "^copied $T/store to $URL: 2 certificate sets, [0-9]+ other files; verified$" \
    "says what was copied, verified"
ok_if "the account is in etcd" test -n "$(etcd_get "moved/blob/accounts/$(ls "$T/store/accounts")/url")"

sed -e "s|^store: .*|store: $URL\\netcd: {local_dir: $T/mirror}|" "$T/dir.yaml" >"$T/etcd.yaml"
f0=$(grep -c 'order-plz' "$PEBBLE_LOG")
ck -m "$T/etcd.yaml" apply
rc_is 0 "apply on the etcd store"
is "$(grep -c 'order-plz' "$PEBBLE_LOG")" "$f0" "nothing ordered: the copy holds everything"
is "$(sets "$T/mirror")" "$want" "the mirror holds the copied sets"
ck -m "$T/etcd.yaml" plan
rc_is 0 "plan: nothing to do"

ck -m "$T/dir.yaml" store copy --to "$URL"
rc_is 1 "a copy into a store that holds sets: refused"
like "$ERR" "already holds 2 certificate sets .*nothing was copied" "and says so"

ck -m "$T/etcd.yaml" store copy --to "$T/out"
rc_is 0 "store copy from etcd to a directory"
is "$(sets "$T/out")" "$want" "the directory holds the same sets"
is "$(ls "$T/out/accounts")" "$(ls "$T/store/accounts")" "and the account"

printf 'correct horse battery staple\n' >"$T/pass"
chmod 600 "$T/pass"
ck -m "$T/etcd.yaml" backup "$T/b.ckb" --passphrase-file "$T/pass" --kdf-iterations 5000
rc_is 0 "backup of the etcd store"
ck -m "$T/dir.yaml" restore "$T/b.ckb" --passphrase-file "$T/pass" --store "$T/restored"
rc_is 0 "restore into a fresh directory"
is "$(sets "$T/restored")" "$want" "the restored sets are the same"

sed -e "s|/moved|/again|" -e "s|$T/mirror|$T/mirror2|" "$T/etcd.yaml" >"$T/again.yaml"
ck -m "$T/again.yaml" restore "$T/b.ckb" --passphrase-file "$T/pass"
rc_is 0 "restore into an empty etcd prefix"
is "$(sets "$T/mirror2")" "$want" "its mirror holds the same sets"
ok_if "and etcd has them" test -n "$(etcd_get again/live/c1)"

done_testing
