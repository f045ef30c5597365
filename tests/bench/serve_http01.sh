#!/bin/sh
# serve-http01: requests per second answering a published token, one
# request per connection (as a CA's validation), sequentially and 8 at a
# time, with the directory store (the token file read on each request) and
# with an etcd store (a 3-member cluster; tokens kept in memory by a
# watch). Every answer must be the 200 with the key authorization, and
# 2,000 requests must take less than 20 s each way.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/etcd.sh"

N=${BENCH_REQUESTS:-2000}
TOK=benchToken_0123456789-abcdefghijklmnopqrstu
P=$(free_port)

# serve MANIFEST: starts the responder on $P, tracked.
serve() {
	"$CERTKEEP" -q -m "$1" serve-http01 --listen "127.0.0.1:$P" 2>"$T/serve.log" &
	SV=$!
	track_pid "$SV"
	ok_if "serve-http01 listens ($1)" wait_port "$P" 20
}
load() {	# load WHAT CONCURRENCY
	out=$(python3 "$TESTS_DIR/lib/http_load.py" 127.0.0.1 "$P" \
	    "/.well-known/acme-challenge/$TOK" "$N" "$2")
	echo "# serve-http01, $1, $N requests, $2 at a time: $out"
	like "$out" "^ok=$N other=0 " "$1, $2 at a time: every answer a 200"
	secs=$(printf '%s' "$out" | sed -n 's/.*secs=\([0-9.]*\).*/\1/p')
	ok_if "$1, $2 at a time: under 20 s (${secs}s)" \
	    awk -v s="${secs:-99}" 'BEGIN { exit !(s < 20) }'
}

mkdir -p "$T/store/http-01"
chmod 700 "$T/store"
CERTS='certificates: [{name: a, hostnames: [a.example.com]}]'
printf 'version: 1\nstore: %s\nchallenge: {http-01: {publish: true}}\n%s\n' \
    "$T/store" "$CERTS" >"$T/fs.yaml"
printf '%s.thumb' "$TOK" >"$T/store/http-01/$TOK"
touch -d '+1 hour' "$T/store/http-01/$TOK"
serve "$T/fs.yaml"
load "directory store" 1
load "directory store" 8
kill "$SV"; wait "$SV" 2>/dev/null

start_etcd 3 || { fail "start_etcd"; done_testing; }
printf 'version: 1\nstore: etcd://%s/bench\netcd: {local_dir: %s}\nchallenge: {http-01: {publish: true}}\n%s\n' \
    "$ETCD_ENDPOINTS" "$T/mirror" "$CERTS" >"$T/etcd.yaml"
ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" put "bench/tokens/$TOK" "$TOK.thumb" >/dev/null
serve "$T/etcd.yaml"
load "etcd store (watched)" 1
load "etcd store (watched)" 8
kill "$SV"; wait "$SV" 2>/dev/null
done_testing
