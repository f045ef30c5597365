#!/bin/sh
# backup and restore of a repository that `certkeep apply` filled from
# Pebble (certificates, keys, state, the ACME account), through the
# manifest: the round trip is byte-identical with modes, the restored
# repository is one apply keeps as it is (nothing to order), and the
# archive opens with the openssl + tar commands of docs/backup.md.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "pebble starts"; done_testing; }
write_manifest "$T/certkeep.yaml" 2
ck -m "$T/certkeep.yaml" apply
rc_is 0 "apply fills the repository"

export CERTKEEP_PASSPHRASE="it is a secret"
ck -m "$T/certkeep.yaml" backup "$T/repo.cms" --kdf-iterations 5000
rc_is 0 "backup through the manifest"
like "$OUT" "2 certificates" "backup says how many certificates"

# The tree as listeners and certkeep see it: path, mode, sha256.
tree() {
	(cd "$1" && find -L letsencrypt state accounts -type f -o -type d |
	    LC_ALL=C sort | while read -r p; do
		if [ -d "$p" ]; then
			printf '%s %s\n' "$p" "$(stat -Lc %a "$p")"
		else
			printf '%s %s %s\n' "$p" "$(stat -Lc %a "$p")" \
			    "$(sha256sum <"$p" | cut -c1-16)"
		fi
	done)
}
tree "$T/store" >"$T/before"
like "$(cat "$T/before")" "letsencrypt/c1/key.pem 600" "original: key 0600"
like "$(cat "$T/before")" "accounts/" "original: an ACME account"

mv "$T/store" "$T/store.orig"
ck -m "$T/certkeep.yaml" restore "$T/repo.cms"
rc_is 0 "restore into the (now absent) repository of the manifest"
tree "$T/store" >"$T/after"
if cmp -s "$T/before" "$T/after"; then pass "restored: byte-identical, same modes"
else fail "restored: byte-identical, same modes"; diff "$T/before" "$T/after" | sed 's/^/# /' | head -20; fi
is "$(stat -c %a "$T/store/letsencrypt/c1/")" 700 "set directory 0700"

pebble_mark
ck -m "$T/certkeep.yaml" apply
rc_is 0 "apply on the restored repository"
is "$(pebble_since_mark)" 0 "nothing ordered: the restored sets and account are used as they are"

ck -m "$T/certkeep.yaml" restore "$T/repo.cms"
rc_is 1 "restore over a non-empty repository without --force: refused"
like "$ERR" "not empty" "and says why"

# The emergency commands of docs/backup.md.
mkdir "$T/manual"
if openssl cms -decrypt -inform DER -in "$T/repo.cms" \
    -pwri_password "$CERTKEEP_PASSPHRASE" -out "$T/repo.tar" &&
    tar -xpf "$T/repo.tar" -C "$T/manual"
then pass "openssl cms -decrypt -pwri_password, then tar -xpf"
else fail "openssl cms -decrypt -pwri_password, then tar -xpf"; fi
tree "$T/manual" >"$T/manual.tree"
if cmp -s "$T/before" "$T/manual.tree"; then pass "by hand: the same files, modes and bytes"
else fail "by hand: the same files, modes and bytes"; diff "$T/before" "$T/manual.tree" | sed 's/^/# /' | head -20; fi
if openssl x509 -noout -in "$T/manual/letsencrypt/c1/cert.pem" -checkend 0 >/dev/null
then pass "by hand: cert.pem is a valid certificate"
else fail "by hand: cert.pem is a valid certificate"; fi
done_testing
