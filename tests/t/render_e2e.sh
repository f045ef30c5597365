#!/bin/sh
# End to end: certificates issued by Pebble through `certkeep apply`, the
# fragments it writes included by real Dovecot (IMAPS, POP3S), Postfix
# (SMTP STARTTLS) and nginx (HTTPS) test instances on loopback ports, and
# `openssl s_client -verify_return_error -verify_hostname -CAfile <Pebble
# root>` verifies what they serve. An unchanged apply runs no hook; after
# `apply --force-renew` each server's reload runs once, the deploy hook
# once, and the servers present the new serial.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/render.sh"
. "$TESTS_DIR/lib/pebble.sh"
. "$TESTS_DIR/lib/smtp.sh"

start_pebble || { fail "pebble starts"; done_testing; }
ok_if "Pebble root fetched" \
    curl -sf --cacert "$PEBBLE_TRUST" -o "$T/root.pem" "$PEBBLE_MGMT/roots/0"

IMAPS=$(free_port); POP3S=$(free_port); SMTP=$(free_port); HTTPS=$(free_port)
F="$T/frag"
# Reloads go through a wrapper that logs each call and runs the real
# command once the server is up (apply runs them before this test starts
# the servers, after the first issue).
cat >"$T/reload.sh" <<'SH'
#!/bin/sh
echo "reload $1 names=$CERTKEEP_NAMES" >>"$HOOKLOG"
pidfile=$2; shift 2
[ -s "$pidfile" ] || exit 0
exec "$@"
SH
cat >"$T/deploy.sh" <<'SH'
#!/bin/sh
echo "deploy $CERTKEEP_NAME $(openssl x509 -noout -serial -in "$CERTKEEP_CERT")" >>"$HOOKLOG"
[ ! -e "$HOOKLOG.fail" ] || { echo "deploy failed on purpose"; exit 3; }
SH
chmod +x "$T/reload.sh" "$T/deploy.sh"
export HOOKLOG="$T/hooks.log"

ok_if "SMTP server for notifications" smtp_start "$T/mail"
{ pebble_manifest_head; cat <<YAML; } >"$T/certkeep.yaml"
notify:
  smtp: smtp://127.0.0.1:$SMTP_PORT
  from: certkeep@example.com
  contact: admin@example.com
fragments:
  dir: $F
  hook_timeout: 30s
  reload:
    dovecot: [$T/reload.sh, dovecot, $T/dc/run/master.pid, doveadm, -c, $T/dc/dovecot.conf, reload]
    postfix: [$T/reload.sh, postfix, $T/pf/queue/pid/master.pid, postfix, -c, $T/pf/conf, reload]
    nginx: [$T/reload.sh, nginx, $T/ng/nginx.pid, nginx, -e, $T/ng/error.log, -p, $T/ng, -c, $T/ng/nginx.conf, -s, reload]
certificates:
  - name: mail.example.com
    hostnames: [mail.example.com, imap.example.com]
    deploy_hook: [$T/deploy.sh]
    listeners:
      - {server: dovecot, service: imap, address: "127.0.0.1:$IMAPS"}
      - {server: dovecot, service: pop3, address: "127.0.0.1:$POP3S"}
      - {server: postfix, service: smtp-in, address: "127.0.0.1:$SMTP"}
      - {server: nginx, service: webmail, address: "127.0.0.1:$HTTPS"}
YAML

# --skip-checks: the preflight (DNS) is not what this test is about.
ck -m "$T/certkeep.yaml" apply --skip-checks
rc_is 0 "apply issues the certificate from Pebble"
C="$T/store/letsencrypt/mail.example.com/cert.pem"
s1=$(serial_of "$C")
ok_if "certificate in the repository (serial $s1)" test -n "$s1"
if [ -z "$s1" ]; then
	diag "$ERR"; done_testing
fi
is "$(sort "$HOOKLOG" | sed 's/serial=[0-9A-F]*/serial=/' | tr '\n' '|')" "deploy mail.example.com serial=|reload dovecot names=mail.example.com|reload nginx names=mail.example.com|reload postfix names=mail.example.com|" "first apply: each reload once, the deploy hook once"
for f in dovecot/ssl.conf postfix/tls.postconf nginx/mail.example.com.conf; do
	ok_if "apply wrote $f" test -f "$F/$f"
done

dovecot_conf "$T/dc" "$IMAPS" "$POP3S" "$F/dovecot/ssl.conf"
ok_if "dovecot started" dovecot_start "$T/dc" "$IMAPS"
wait_port "$POP3S" 10
postfix_conf "$T/pf" "$SMTP" "$F/postfix/tls.postconf"
ok_if "postfix started" postfix_start "$T/pf" "$SMTP"
nginx_conf "$T/ng" "$F/nginx/*.conf"
ok_if "nginx started" nginx_start "$T/ng" "$HTTPS"

R="$T/root.pem"
is "$(served_serial "$IMAPS" imap.example.com "$R")" "$s1" "dovecot IMAPS: Pebble chain verified for imap.example.com"
is "$(served_serial "$POP3S" mail.example.com "$R")" "$s1" "dovecot POP3S: verified"
is "$(served_serial "$SMTP" mail.example.com "$R" smtp)" "$s1" "postfix STARTTLS: verified"
is "$(served_serial "$HTTPS" mail.example.com "$R")" "$s1" "nginx HTTPS: verified"

: >"$HOOKLOG"
ck -m "$T/certkeep.yaml" apply --skip-checks
rc_is 0 "apply with nothing due"
is "$(cat "$HOOKLOG")" "" "nothing changed: no hook ran"

ck -m "$T/certkeep.yaml" apply --skip-checks --force-renew
rc_is 0 "apply --force-renew"
s2=$(serial_of "$C")
if [ -n "$s2" ] && [ "$s2" != "$s1" ]; then pass "renewed: new serial $s2"
else fail "renewed: new serial $s2"; fi
is "$(sort "$HOOKLOG" | tr '\n' '|')" "deploy mail.example.com serial=$s2|reload dovecot names=mail.example.com|reload nginx names=mail.example.com|reload postfix names=mail.example.com|" "renewal: each reload once, then the deploy hook with the new files"

# The reloads are asynchronous in the servers: give them a moment.
got_new() {
	_i=0
	while [ $_i -lt 50 ]; do
		[ "$(served_serial "$@")" = "$s2" ] && return 0
		sleep 0.2; _i=$((_i + 1))
	done
	return 1
}
ok_if "dovecot presents the new serial after its reload" got_new "$IMAPS" imap.example.com "$R"
ok_if "dovecot POP3S too" got_new "$POP3S" mail.example.com "$R"
ok_if "postfix presents the new serial after its reload" got_new "$SMTP" mail.example.com "$R" smtp
ok_if "nginx presents the new serial after its reload" got_new "$HTTPS" mail.example.com "$R"

# A failing deploy hook: reported and notified, the run exits 1, the
# reloads still ran, the renewed set and the fragments are complete.
: >"$HOOKLOG"; : >"$HOOKLOG.fail"
n0=$(smtp_count)
ck -m "$T/certkeep.yaml" apply --skip-checks --force-renew
rc_is 1 "a failing deploy hook makes apply exit 1"
like "$ERR" "deploy_hook mail.example.com: exit status 3" "the failure is reported"
s3=$(serial_of "$C")
if [ -n "$s3" ] && [ "$s3" != "$s2" ]; then pass "the certificate was still renewed"
else fail "the certificate was still renewed"; fi
is "$(grep -c '^reload' "$HOOKLOG")" 3 "the reloads still ran"
if openssl x509 -noout -in "$T/store/letsencrypt/mail.example.com/fullchain.pem" 2>/dev/null &&
    openssl pkey -noout -in "$T/store/letsencrypt/mail.example.com/key.pem" 2>/dev/null
then pass "the set on disk is complete"; else fail "the set on disk is complete"; fi
smtp_wait $((n0 + 2)) 20
found=0
i=$((n0 + 1))
while [ $i -le "$(smtp_count)" ]; do
	grep -q "exit status 3" "$(smtp_msg $i)" && found=1
	i=$((i + 1))
done
is "$found" 1 "the hook failure is notified by e-mail"
done_testing
