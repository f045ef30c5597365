#!/bin/sh
# contrib/demo.sh - what `make demo` runs: a local Pebble (Let's Encrypt's
# test CA) with pebble-challtestsrv as its DNS, both on 127.0.0.1, then
# `certkeep apply` of a demo manifest with three certificates across the
# listener kinds (Axigen webmail 443 + redirect 80, Dovecot IMAP/POP3,
# Postfix smtp-in), then `certkeep status`; a second apply shows that
# nothing is due. Everything lives in a temporary directory (kept when
# KEEP=1) and what was started is stopped by PID at the end.
set -u
cd "$(dirname "$0")/.." || exit 1
SRC_DIR=$(pwd)
CERTKEEP=${CERTKEEP:-$SRC_DIR/certkeep}
T=$(mktemp -d "${TMPDIR:-/tmp}/certkeep-demo.XXXXXX")
# track_pid, stop_tracked, free_port, wait_port (shared with the tests).
. "$SRC_DIR/tests/lib/proc.sh"
cleanup() {
	stop_tracked
	if [ -n "${KEEP:-}" ]; then
		echo "demo: files kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$SRC_DIR/tests/lib/pebble.sh"

say() { printf '\n==> %s\n' "$*"; }

say "starting Pebble and pebble-challtestsrv on 127.0.0.1"
start_pebble '{"certificateValidityPeriod": 7776000}' || exit 1
echo "directory $PEBBLE_URL (trusting $PEBBLE_TRUST); http-01 answered on 127.0.0.1:$PEBBLE_HTTP_PORT"

# The manifest's top (acme, store, DNS from challtestsrv: every name is
# 127.0.0.1, http-01) as the tests write it: tests/lib/pebble.sh.
{
echo "# certkeep demo manifest: three certificates, every listener kind."
MF_TOP_EXTRA="renew_before: 25d" pebble_manifest_head
cat <<EOF
fragments:
  dir: $T/fragments
certificates:
  - name: webmail.example.com
    hostnames: [webmail.example.com]
    key_type: ec-p256
    listeners:
      - {server: axigen, service: webmail, address: "0.0.0.0:443"}
      - {server: axigen, service: webmail, address: "0.0.0.0:80", redirect_to_secure: true}
  - name: imap.example.com
    hostnames: [imap.example.com, pop3.example.com]
    key_type: ec-p384
    listeners:
      - {server: dovecot, service: imap, address: "0.0.0.0:993"}
      - {server: dovecot, service: pop3, address: "0.0.0.0:995"}
  - name: mx.example.com
    hostnames: [mx.example.com, smtp.example.com]
    key_type: rsa-2048
    listeners:
      - {server: postfix, service: smtp-in, address: "0.0.0.0:25"}
EOF
} >"$T/certkeep.yaml"
echo "manifest $T/certkeep.yaml"

say "certkeep plan"
"$CERTKEEP" -m "$T/certkeep.yaml" plan
say "certkeep apply"
n0=$(pebble_requests)
t0=$(date +%s.%N)
"$CERTKEEP" -m "$T/certkeep.yaml" apply
rc=$?
t1=$(date +%s.%N)
n1=$(pebble_requests)
echo "apply exited $rc: $((n1 - n0)) ACME requests, $(/usr/bin/python3 -c "print('%.2f' % ($t1 - $t0))") s"

say "certkeep status"
"$CERTKEEP" -m "$T/certkeep.yaml" status

say "certkeep apply again (nothing is due: no request to the CA)"
"$CERTKEEP" -m "$T/certkeep.yaml" apply
echo "ACME requests: $(( $(pebble_requests) - n1 ))"

say "fragments written"
(cd "$T/fragments" && find . -type f | sort)
say "repository"
(cd "$T/store/letsencrypt" && ls -l */)
say "stopping Pebble"
exit $rc
