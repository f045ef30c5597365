#!/bin/sh
# backup and restore of a repository of 100 certificates (made with
# openssl, plus a state file each and an account): wall time, peak memory
# and sizes, with the default key derivation (BACKUP_PBKDF2_ITER rounds).
# Also opens the archive with the manual openssl command of docs/backup.md.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"
. "$TESTS_DIR/lib/bench.sh"

N=${BENCH_CERTS:-100}
mkdir -p "$T/store/letsencrypt" "$T/store/state" "$T/store/accounts/acme.test"
chmod 700 "$T/store" "$T/store/state" "$T/store/accounts" \
    "$T/store/accounts/acme.test"
mkcerts_ca "$T/ca" || { echo "Bail out! openssl failed"; exit 1; }
i=1
while [ $i -le "$N" ]; do
	mkcerts_leaf "$T/ca" "$T/store/letsencrypt/c$i" ec-p256 10 90 \
	    "c$i.example.com,www.c$i.example.com" || exit 1
	printf '{"version": 1, "serial": "%02X"}\n' $i >"$T/store/state/c$i.json"
	i=$((i + 1))
done
mkcerts_key "$T/store/accounts/acme.test/key.pem" ec-p256
chmod 600 "$T/store/accounts/acme.test/key.pem"
echo '{"url": "https://acme.test/acct/1"}' >"$T/store/accounts/acme.test/account.json"
echo "# repository: $(du -sk "$T/store" | cut -f1) KB on disk, $(find "$T/store" -type f | wc -l) files"

export CERTKEEP_PASSPHRASE="bench passphrase"
bench_run backup "$T/b.cms" --store "$T/store"
is "$rc" 0 "backup: exit 0"
echo "# backup, $N certificates: ${secs}s, ${kb} KB peak; $(cat "$T/out")"
bench_run restore "$T/b.cms" --store "$T/store2"
is "$rc" 0 "restore: exit 0"
echo "# restore, $N certificates: ${secs}s, ${kb} KB peak"
is "$(find "$T/store2/letsencrypt/" -mindepth 1 -maxdepth 1 | wc -l)" "$N" \
    "restore: $N sets"
s=$(date +%s.%N)
ok_if "openssl cms -decrypt opens it" openssl cms -decrypt -inform DER -in "$T/b.cms" \
    -pwri_password "$CERTKEEP_PASSPHRASE" -out "$T/b.tar"
echo "# openssl cms -decrypt: $(echo "$(date +%s.%N) - $s" | bc)s"
is "$(tar -tf "$T/b.tar" | grep -c '/key.pem$')" "$((N + 1))" \
    "the tar holds every key (and the account key)"
done_testing
