#!/bin/sh
# The real servers serve what the fragments say: Dovecot (IMAPS, POP3S),
# Postfix (SMTP STARTTLS), nginx (HTTPS and the port-80 style redirect) and
# HAProxy, each started by this test on loopback ports with the rendered
# fragment included, and `openssl s_client -verify_return_error
# -verify_hostname` verifies chain and name; SNI picks the right one of two
# certificates (Dovecot local_name, Postfix tls_server_sni_maps, HAProxy
# crt-list). After a new set, the reload commands docs/fragments.md gives make
# the servers present the new serial (apply runs them as hooks: see
# render_e2e.sh).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/render.sh"

render_sets
CA="$T/ca/root.pem"
S="$T/store/letsencrypt"

IMAPS=$(free_port); POP3S=$(free_port); SMTP=$(free_port)
HTTPS=$(free_port); HTTP=$(free_port); HAP=$(free_port)
render_manifest "fragments:
  dir: $T/frag" "$IMAPS" "$POP3S" "$SMTP" "$HTTPS" "$HTTP" "$HAP" \
    >"$T/certkeep.yaml"
F="$T/frag"
dovecot_conf "$T/dc" "$IMAPS" "$POP3S" "$F/dovecot/ssl.conf"
nginx_conf "$T/ng" "$F/nginx/*.conf"

ck -m "$T/certkeep.yaml" render
if [ "$RC" -ne 0 ]; then
	diag "$ERR"; fail "first render"; done_testing
fi
like "$OUT" "changed" "render wrote the fragments"

ok_if "dovecot started with the fragment" dovecot_start "$T/dc" "$IMAPS"
wait_port "$POP3S" 10
postfix_conf "$T/pf" "$SMTP" "$F/postfix/tls.postconf"
ok_if "postfix started with the fragment" postfix_start "$T/pf" "$SMTP"
ok_if "nginx started with the fragment" nginx_start "$T/ng" "$HTTPS"
haproxy_cfg "$T/haproxy.cfg" "$HAP" "$F/haproxy/127.0.0.1-$HAP.crt-list"
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
track_pid $!
ok_if "haproxy started with the crt-list" wait_port "$HAP" 20

m1=$(serial_of "$S/mail.example.com/cert.pem")
x1=$(serial_of "$S/mx.example.org/cert.pem")
is "$(served_serial "$IMAPS" imap.example.com "$CA")" "$m1" "dovecot IMAPS: verified chain for imap.example.com"
is "$(served_serial "$POP3S" mx.example.org "$CA")" "$x1" "dovecot POP3S: SNI mx.example.org gets its certificate (local_name)"
is "$(served_serial "$IMAPS" foo.example.org "$CA")" "$x1" "dovecot: wildcard local_name"
is "$(served_serial "$SMTP" mail.example.com "$CA" smtp)" "$m1" "postfix STARTTLS: verified chain for mail.example.com"
is "$(served_serial "$SMTP" mx.example.org "$CA" smtp)" "$x1" "postfix STARTTLS: SNI map picks mx.example.org"
is "$(served_serial "$HTTPS" mail.example.com "$CA")" "$m1" "nginx HTTPS: verified chain"
is "$(served_serial "$HAP" mail.example.com "$CA")" "$m1" "haproxy: verified chain (default entry)"
is "$(served_serial "$HAP" mx.example.org "$CA")" "$x1" "haproxy: crt-list SNI picks mx.example.org"
loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP/x?y=1" -H 'Host: mail.example.com')
is "$loc" "301 https://mail.example.com:$HTTPS/x?y=1" "nginx redirect_to_secure: 301 to https"

# A new certificate (as a renewal writes it) is served after the reloads.
mkset "$T/ca" "$T/store" mail.example.com mail.example.com imap.example.com
m2=$(serial_of "$S/mail.example.com/cert.pem")
doveadm -c "$T/dc/dovecot.conf" reload
postfix -c "$T/pf/conf" reload >/dev/null 2>&1
nginx -e "$T/ng/error.log" -p "$T/ng" -c "$T/ng/nginx.conf" -s reload
sleep 1
is "$(served_serial "$IMAPS" mail.example.com "$CA")" "$m2" "dovecot reload: new serial"
is "$(served_serial "$SMTP" mail.example.com "$CA" smtp)" "$m2" "postfix reload: new serial"
is "$(served_serial "$HTTPS" mail.example.com "$CA")" "$m2" "nginx reload: new serial"
done_testing
