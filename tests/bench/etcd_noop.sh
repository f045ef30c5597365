#!/bin/sh
# A fleet's no-op: 1,000 certificates (made with openssl, nothing due) in
# an etcd store on a 3-member cluster, three nodes with their own mirror.
# Measures, per node: the first run (its mirror built from etcd) and a
# no-op apply (requests to etcd, counted by the client and printed with
# -v; wall time), and the same no-op apply on the directory store for
# comparison. A no-op run must ask etcd one question.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"
. "$TESTS_DIR/lib/bench.sh"
. "$TESTS_DIR/lib/etcd.sh"
. "$TESTS_DIR/lib/pebble.sh"

N=${BENCH_CERTS:-1000}
imap() { printf '      - {server: dovecot, service: imap, address: "0.0.0.0:993"}\n'; }
ms() { date +%s%3N; }
t0=$(ms)
bench_repo "$N" imap "fragments: {dir: frag}"
echo "# etcd_noop: $N certificate sets made in $(($(ms) - t0)) ms"
start_etcd 3 || { fail "start_etcd"; done_testing; }
# A CA to ask once whether it offers ARI (Debian's Pebble does not), so
# that a no-op run is one.
start_pebble || { fail "start_pebble"; done_testing; }
sed -i -e "s|^  directory: .*|  directory: $PEBBLE_URL\n  ca_bundle: $PEBBLE_TRUST|" "$T/certkeep.yaml"
reqs() { sed -n 's/.*etcd requests this run: \([0-9]*\).*/\1/p' "$T/err" | tail -1; }

bench_run -m "$T/certkeep.yaml" -v apply
is "$rc" 0 "directory store: apply (fragments written)"
bench_run -m "$T/certkeep.yaml" -v apply
is "$rc" 0 "directory store: a no-op apply"
grep -q 'ACME requests this run: 0 ' "$T/err" || diag "$(grep 'ACME requests' "$T/err")"
echo "# etcd_noop: directory store, no-op apply, $N certificates: ${secs}s wall, ${kb} KB peak"

URL="etcd://$ETCD_ENDPOINTS/bench"
t0=$(ms)
bench_run -m "$T/certkeep.yaml" store copy --to "$URL"
is "$rc" 0 "store copy into etcd"
echo "# etcd_noop: store copy of $N sets into etcd (verified): $(($(ms) - t0)) ms"

for i in 1 2 3; do
	sed -e "s|^store: .*|store: $URL\\netcd: {local_dir: $T/node$i}|" \
	    -e "s|^fragments: .*|fragments: {dir: frag$i}|" \
	    "$T/certkeep.yaml" >"$T/n$i.yaml"
done
for i in 1 2 3; do
	bench_run -m "$T/n$i.yaml" -v apply
	is "$rc" 0 "node $i: first run (mirror built)"
	echo "# etcd_noop: node $i, first run (mirror of $N sets built): ${secs}s wall, $(reqs) etcd requests"
done
for i in 1 2 3; do
	bench_run -m "$T/n$i.yaml" -v apply
	is "$rc" 0 "node $i: no-op apply"
	echo "# etcd_noop: node $i, no-op apply, $N certificates: ${secs}s wall, ${kb} KB peak, $(reqs) etcd requests"
	is "$(reqs)" 1 "node $i: a no-op run asks etcd one question"
done
# Three at once.
t0=$(ms)
for i in 1 2 3; do
	"$CERTKEEP" -m "$T/n$i.yaml" -v apply >"$T/p$i.out" 2>"$T/p$i.err" &
	eval "p$i=\$!"
done
rcs=""
for i in 1 2 3; do eval "wait \$p$i"; rcs="$rcs$?"; done
is "$rcs" 000 "three no-op applies at once"
echo "# etcd_noop: three nodes' no-op applies at once: $(($(ms) - t0)) ms"
done_testing
