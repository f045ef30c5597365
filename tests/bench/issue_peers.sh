#!/bin/sh
# Issuing N (BENCH_N, default 100) single-name certificates against one
# local Pebble (PEBBLE_VA_NOSLEEP=1) in one run: certkeep (one apply,
# acme.concurrency default), then uacme (one `uacme issue` per name, as it
# is used), then certbot when installed (BENCH_PEER_N certificates). Every
# client answers http-01 through the same webroot served by nginx (as a
# webroot is in production; python3's http.server listens with a backlog
# of 5, which eight orders in flight, each validated by Pebble from three
# perspectives, overflow: SYNs dropped, one-second stalls); certkeep also
# runs with its own responder (listen), its usual mode. ec-p256 keys, an
# account made before the clock starts. Prints seconds per certificate,
# ACME requests per certificate (Pebble's log) and the ratios.
#
# uacme has no option for the CA to trust: it runs in a private mount
# namespace (unshare -m) where the system bundle is the system bundle plus
# Pebble's CA; nothing outside that process sees it.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

N=${BENCH_N:-100}
start_pebble || { echo "Bail out! start_pebble failed"; exit 1; }
mkdir -p "$T/www/.well-known/acme-challenge"
# webroot_start: nginx serving $T/www on Pebble's http-01 port (workers
# as root: the test directory is 0700).
mkdir -p "$T/nginx/tmp"
cat >"$T/nginx/nginx.conf" <<EOF
user root;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
daemon off;
worker_processes 1;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp;
    proxy_temp_path $T/nginx/tmp;
    fastcgi_temp_path $T/nginx/tmp;
    uwsgi_temp_path $T/nginx/tmp;
    scgi_temp_path $T/nginx/tmp;
    server {
        listen 127.0.0.1:$PEBBLE_HTTP_PORT backlog=1024;
        root $T/www;
    }
}
EOF
webroot_start() {
	nginx -e "$T/nginx/error.log" -p "$T/nginx" -c "$T/nginx/nginx.conf" \
	    >"$T/www.log" 2>&1 &
	echo $! >"$T/www.pid"
	track_pid $!
	wait_port "$PEBBLE_HTTP_PORT" 10 ||
	    { echo "Bail out! webroot server"; cat "$T/www.log"; exit 1; }
}
webroot_start

now() { date +%s.%N; }
calc() { /usr/bin/python3 -c "print($1)"; }

# --- certkeep ---------------------------------------------------------------
# timed_apply MANIFEST ERRFILE: certkeep apply, timed: sets rc, req (ACME
# requests) and secs.
timed_apply() {
	pebble_mark
	t0=$(now)
	"$CERTKEEP" -m "$1" apply 2>"$2"
	rc=$?
	t1=$(now)
	req=$(pebble_since_mark)
	secs=$(calc "$t1 - $t0")
}
MF_CHALLENGE="{webroot: $T/www}" write_manifest "$T/m.yaml" "$N"
"$CERTKEEP" -m "$T/m.yaml" account register >/dev/null 2>"$T/ck-acct.err" ||
    { echo "Bail out! certkeep account register"; cat "$T/ck-acct.err"; exit 1; }
timed_apply "$T/m.yaml" "$T/ck.err"
ck_req=$req ck_s=$secs
is "$rc" 0 "certkeep: apply of $N certificates"
is "$(ls "$T/store/letsencrypt" | wc -l)" "$N" "certkeep: $N live sets"
echo "# certkeep (webroot): $(calc "'%.2f s, %.3f s/cert, %.2f requests/cert' % ($ck_s, $ck_s / $N, $ck_req / $N)")"

# The same with certkeep's own http-01 responder (listen), its usual mode
# where no web server runs: a separate store, account made first.
sed "s|store: $T/store|store: $T/store-listen|; s|http-01: .*|http-01: {listen: \"127.0.0.1:$PEBBLE_HTTP_PORT\"}|" \
    "$T/m.yaml" >"$T/m-listen.yaml"
stop_pids $(cat "$T/www.pid")
"$CERTKEEP" -m "$T/m-listen.yaml" account register >/dev/null 2>&1
timed_apply "$T/m-listen.yaml" "$T/ckl.err"
ckl_req=$req ckl_s=$secs
is "$rc" 0 "certkeep (listen): apply of $N certificates"
echo "# certkeep (listen): $(calc "'%.2f s, %.3f s/cert, %.2f requests/cert' % ($ckl_s, $ckl_s / $N, $ckl_req / $N)")"
webroot_start

# --- uacme ------------------------------------------------------------------
if [ -x /usr/bin/uacme ]; then
	cat >"$T/uacme-hook.sh" <<EOF
#!/bin/sh
# uacme hook: METHOD TYPE IDENT TOKEN AUTH
[ "\$2" = http-01 ] || exit 1
case "\$1" in
begin) printf '%s' "\$5" >"$T/www/.well-known/acme-challenge/\$4" ;;
*) rm -f "$T/www/.well-known/acme-challenge/\$4" ;;
esac
EOF
	chmod 755 "$T/uacme-hook.sh"
	cat /etc/ssl/certs/ca-certificates.crt "$PEBBLE_TRUST" >"$T/bundle.pem"
	cat >"$T/uacme-run.sh" <<EOF
#!/bin/sh
mount --bind "$T/bundle.pem" /etc/ssl/certs/ca-certificates.crt || exit 2
U="uacme -a $PEBBLE_URL -c $T/uacme -t EC -b 256 -o -y"
\$U new hostmaster@example.com >"$T/uacme-new.log" 2>&1 || exit 3
echo mark >"$T/uacme.mark"
while [ ! -e "$T/uacme.go" ]; do sleep 0.05; done
i=1
while [ \$i -le $N ]; do
	\$U -h "$T/uacme-hook.sh" issue c\$i.example.com >>"$T/uacme.log" 2>&1 || echo "fail c\$i" >>"$T/uacme.fail"
	i=\$((i + 1))
done
EOF
	unshare -m sh "$T/uacme-run.sh" &
	upid=$!
	while [ ! -e "$T/uacme.mark" ] && kill -0 $upid 2>/dev/null; do
		sleep 0.05
	done
	pebble_mark
	t0=$(now)
	touch "$T/uacme.go"
	wait $upid
	urc=$?
	t1=$(now)
	u_req=$(pebble_since_mark)
	u_s=$(calc "$t1 - $t0")
	is "$urc" 0 "uacme: ran"
	is "$(ls "$T"/uacme/c*.example.com/cert.pem 2>/dev/null | wc -l)" "$N" \
	    "uacme: $N certificates"
	echo "# uacme: $(calc "'%.2f s, %.3f s/cert, %.2f requests/cert' % ($u_s, $u_s / $N, $u_req / $N)")"
	echo "# certkeep vs uacme (both webroot): $(calc "'%.1fx faster, %.2fx the requests' % ($u_s / $ck_s, $ck_req / $u_req)")"
	echo "# certkeep (listen) vs uacme: $(calc "'%.1fx faster, %.2fx the requests' % ($u_s / $ckl_s, $ckl_req / $u_req)")"
	ok_if "certkeep at least 10x faster than uacme ($(calc "'%.1f' % ($u_s / $ck_s)")x)" \
	    /usr/bin/python3 -c "import sys; sys.exit(0 if $u_s >= 10 * $ck_s else 1)"
else
	echo "# uacme: not installed (contrib/install-deps.sh installs it)"
fi

# --- certbot, lego: only when installed --------------------------------------
# BENCH_PEER_N (default N) certificates each: these start a process per
# certificate and take seconds each; the per-certificate figures compare.
# BENCH_PEER_N=0 leaves them out.
PN=${BENCH_PEER_N:-$N}
if [ "$PN" -eq 0 ]; then
	echo "# certbot: BENCH_PEER_N=0, skipped"
elif command -v certbot >/dev/null 2>&1; then
	CB="certbot --non-interactive --agree-tos -m hostmaster@example.com \
	    --server $PEBBLE_URL --config-dir $T/cb/config --work-dir $T/cb/work \
	    --logs-dir $T/cb/logs"
	export REQUESTS_CA_BUNDLE="$PEBBLE_TRUST"
	$CB register >"$T/cb-reg.log" 2>&1 || { cat "$T/cb-reg.log"; }
	pebble_mark
	t0=$(now)
	i=1 cbfail=0
	while [ $i -le "$PN" ]; do
		$CB certonly --webroot -w "$T/www" -d "c$i.example.com" \
		    --key-type ecdsa --elliptic-curve secp256r1 \
		    >>"$T/cb.log" 2>&1 || cbfail=$((cbfail + 1))
		i=$((i + 1))
	done
	t1=$(now)
	unset REQUESTS_CA_BUNDLE
	c_req=$(pebble_since_mark)
	c_s=$(calc "$t1 - $t0")
	is "$cbfail" 0 "certbot: $PN certificates"
	echo "# certbot ($PN): $(calc "'%.2f s, %.3f s/cert, %.2f requests/cert' % ($c_s, $c_s / $PN, $c_req / $PN)")"
	echo "# certkeep vs certbot: $(calc "'%.1fx faster per certificate, %.2fx the requests' % (($c_s / $PN) / ($ck_s / $N), ($ck_req / $N) / ($c_req / $PN))")"
else
	echo "# certbot: not installed, skipped"
fi
if command -v lego >/dev/null 2>&1; then
	echo "# lego: installed, but this bench does not drive it yet"
else
	echo "# lego: not installed, skipped"
fi
ok_if "certkeep: at most 7 requests per certificate ($ck_req for $N)" \
    test "$ck_req" -le $((7 * N))
done_testing
