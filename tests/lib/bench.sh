# tests/lib/bench.sh - what the benches (tests/bench/*.sh) share. Source
# after tests/lib.sh and tests/lib/mkcerts.sh.
#
#   bench_repo N LISTENERS-FUNCTION [FRAGMENTS-YAML]
#       A test CA in $T/ca, N certificate sets c1..cN (c<i>.example.com
#       and www.c<i>.example.com, 10 days old, 90-day lifetime, made with
#       mkcerts) in $T/store/letsencrypt, and $T/certkeep.yaml naming them
#       (store "store", http-01 webroot, FRAGMENTS-YAML printed as is
#       before the certificates). LISTENERS-FUNCTION I prints certificate
#       I's listener lines. Bails out when openssl fails; while the build
#       has no manifest loader, reports a skip and ends the bench.
#   bench_run ARGS...
#       Runs $CERTKEEP ARGS (stdout in $T/out, stderr in $T/err) under
#       /usr/bin/time: sets rc, secs (wall), kb (peak RSS), usr, sys.
#   under_5s SECONDS DESCRIPTION
#       A test that passes when SECONDS (a decimal) is below 5.
#   bench_imap_repo
#       bench_repo of ${BENCH_CERTS:-100} certificates (N), each with a
#       Dovecot IMAP listener, and its fragments rendered once (as after
#       an apply: nothing is due).
#   bench_report WHAT
#       Prints the times of the last bench_run for WHAT over N
#       certificates as a TAP comment.

bench_repo() {
	_bn=$1 _bl=$2 _bf=${3:-}
	mkdir -p "$T/store/letsencrypt"
	mkcerts_ca "$T/ca" || { echo "Bail out! openssl failed"; exit 1; }
	{
		printf 'version: 1\nacme:\n  directory: https://127.0.0.1:14000/dir\n'
		printf '  contact: [hostmaster@example.com]\n  terms_accepted: true\n'
		printf 'store: store\nchallenge:\n  type: http-01\n'
		printf '  http-01: {webroot: %s/webroot}\n' "$T"
		[ -z "$_bf" ] || printf '%s\n' "$_bf"
		printf 'certificates:\n'
		_bi=1
		while [ $_bi -le "$_bn" ]; do
			printf '  - name: c%d\n    hostnames: [c%d.example.com, www.c%d.example.com]\n' $_bi $_bi $_bi
			printf '    listeners:\n'
			"$_bl" $_bi
			mkcerts_leaf "$T/ca" "$T/store/letsencrypt/c$_bi" ec-p256 10 90 \
			    "c$_bi.example.com,www.c$_bi.example.com" || exit 1
			_bi=$((_bi + 1))
		done
	} >"$T/certkeep.yaml"
}

bench_run() {
	/usr/bin/time -f '%e %M %U %S' -o "$T/time" "$CERTKEEP" "$@" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	read -r secs kb usr sys <<EOT
$(tail -1 "$T/time")
EOT
}

under_5s() {
	ok_if "$2" awk -v s="$1" 'BEGIN { exit !(s < 5) }'
}

bench_imap_listener() {
	printf '      - {server: dovecot, service: imap, address: "0.0.0.0:993"}\n'
}

bench_imap_repo() {
	N=${BENCH_CERTS:-100}
	bench_repo "$N" bench_imap_listener
	"$CERTKEEP" -m "$T/certkeep.yaml" render >/dev/null 2>&1
}

bench_report() {
	echo "# $1, $N certificates: ${secs}s wall, ${usr}s user + ${sys}s sys, ${kb} KB peak"
}
