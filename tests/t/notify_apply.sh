#!/bin/sh
# Notifications end to end: `certkeep apply` against Pebble, mail to a real
# SMTP server (aiosmtpd, tests/lib/smtp.sh). Issue and renewal messages
# reach the right recipients for a hostname under a managed domain
# (postmaster+Alerts@example.com and the contact) and for one without (the
# contact only); a CA refusal sends a failure message with the CA's
# problem and what to do; SMTP down and STARTTLS required but not offered
# are logged and the run still succeeds. Also the log lines, text and JSON.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/smtp.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble '{"domainBlocklist": ["blocked.example.com"]}' ||
    { fail "pebble starts"; done_testing; }
if smtp_start "$T/mail"; then pass "SMTP server listening on 127.0.0.1:$SMTP_PORT"
else fail "SMTP server listening on 127.0.0.1:$SMTP_PORT"; fi

# manifest SMTP-URL
manifest() {
	{ pebble_manifest_head; cat <<YAML; } >"$T/certkeep.yaml"
notify:
  smtp: "$1"
  from: certkeep@example.com
  contact: admin@example.net
fragments:
  dir: $T/frag
certificates:
  - name: webmail
    hostnames: [webmail.example.com, mail.example.com]
    listeners:
      - {server: dovecot, service: imap, address: "127.0.0.1:993"}
      - {server: nginx, service: webmail, address: "127.0.0.1:443"}
  - name: other
    hostnames: [host.other.test]
    listeners:
      - {server: postfix, service: smtp-in, address: "127.0.0.1:25"}
  - name: blocked
    hostnames: [blocked.example.com]
YAML
}
manifest "smtp://127.0.0.1:$SMTP_PORT"

# msg CERT EVENT: the newest message about CERT's EVENT (path), or "".
msg() {
	grep -l -x "X-Certkeep-Event: $2.\{0,1\}" $(ls "$SMTP_OUT"/*.eml 2>/dev/null) /dev/null 2>/dev/null |
	    xargs grep -l -x "X-Certkeep-Certificate: $1.\{0,1\}" /dev/null 2>/dev/null | tail -1
}
# rcpts FILE.eml: the envelope recipients, sorted, space-separated.
rcpts() {
	/usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["rcpt_tos"])))' "${1%.eml}.json"
}
hdr() { grep -m1 -i "^$2:" "$1" | cut -d' ' -f2- | tr -d '\r'; }

ck -m "$T/certkeep.yaml" apply webmail other
rc_is 0 "apply issues two certificates"
smtp_wait 2
is "$(smtp_count)" 2 "two messages: one per certificate and event"

m=$(msg webmail issued)
ok_if "issued message for webmail" test -n "$m"
is "$(rcpts "$m")" "admin@example.net postmaster+Alerts@example.com" \
    "managed domain: postmaster+Alerts@example.com and the contact"
is "$(hdr "$m" Subject)" "[certkeep] Certificate issued: webmail" "Subject"
like "$(hdr "$m" To)" "postmaster\+Alerts@example.com" "To header"
like "$(hdr "$m" Date)" "^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000$" "Date (RFC 5322)"
like "$(hdr "$m" Message-ID)" "^<[^@ ]+@example\.com>$" "Message-ID"
is "$(hdr "$m" Content-Type)" "text/plain; charset=utf-8" "Content-Type"
na=$(openssl x509 -noout -enddate -in "$T/store/letsencrypt/webmail/cert.pem" | cut -d= -f2)
day=$(date -u -d "$na" +%Y-%m-%d)
body=$(cat "$m")
like "$body" "webmail.example.com, mail.example.com" "body: every hostname"
like "$body" "New expiry: +$day" "body: the new expiry ($day)"
like "$body" "dovecot imap 127.0.0.1:993" "body: listeners affected"
m=$(msg other issued)
is "$(rcpts "$m")" "admin@example.net" "no managed domain: the contact only"
like "$ERR" "notified .* of webmail issued" "sending logged"

ck -m "$T/certkeep.yaml" apply --force-renew webmail
rc_is 0 "apply --force-renew"
like "$ERR" "renewing webmail \.\.\. done, expires [0-9-]{10}" "the renewed line"
smtp_wait 3
m=$(msg webmail renewed)
ok_if "renewed message" test -n "$m"
is "$(hdr "$m" Subject)" "[certkeep] Certificate renewed: webmail" "renewed Subject"
like "$(cat "$m")" "Previous expiry:" "body: the previous expiry"
is "$(rcpts "$m")" "admin@example.net postmaster+Alerts@example.com" "renewed: recipients"

ck -m "$T/certkeep.yaml" apply blocked
rc_is 1 "the CA refuses blocked.example.com: apply exits 1"
smtp_wait 4
m=$(msg blocked failed)
ok_if "failure message" test -n "$m"
is "$(hdr "$m" Subject)" "[certkeep] FAILED to issue certificate: blocked" "failure Subject"
body=$(cat "$m")
like "$body" "rejectedIdentifier" "body: the CA's problem type"
like "$body" "What to do next:" "body: what to do next"
like "$body" "certkeep apply blocked" "body: the command to run"
is "$(rcpts "$m")" "admin@example.net postmaster+Alerts@example.com" "failure: recipients"

# Nothing due: no mail, and the daily check lines (text, then JSON).
n=$(smtp_count)
ck -m "$T/certkeep.yaml" apply webmail other
rc_is 0 "apply with nothing due"
like "$ERR" "certificate webmail expires [0-9]{4}-[0-9]{2}-[0-9]{2}, [0-9]+ days left" \
    "daily check line"
ck -m "$T/certkeep.yaml" --log-format json apply webmail other
rc_is 0 "apply --log-format json"
printf '%s\n' "$ERR" >"$T/log.json"
ok_if "every log line is one JSON object; check events carry days_left" \
    /usr/bin/python3 - "$T/log.json" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
objs = [json.loads(l) for l in lines]
assert objs, "no log lines"
assert any(o.get("event") == "check" and o.get("certificate") == "webmail"
           and isinstance(o.get("days_left"), (int, float)) for o in objs)
PY
sleep 0.5
is "$(smtp_count)" "$n" "nothing due: no mail"

# SMTP down: logged, the run still succeeds.
smtp_stop
ck -m "$T/certkeep.yaml" apply --force-renew other
rc_is 0 "SMTP down: apply still exits 0"
like "$ERR" "notification \(renewed\) for other not sent: SMTP smtp://127.0.0.1:$SMTP_PORT" \
    "SMTP down: the failure is logged"

# STARTTLS required, not offered: logged, nothing sent, exit 0.
smtp_start "$T/mail2"
manifest "smtp+starttls://127.0.0.1:$SMTP_PORT"
ck -m "$T/certkeep.yaml" apply --force-renew other
rc_is 0 "STARTTLS required but not offered: apply still exits 0"
like "$ERR" "not sent: .*STARTTLS" "the STARTTLS failure is logged"
sleep 0.5
is "$(smtp_count)" 0 "nothing delivered in clear text"

# Expiring soon: ten days before webmail expires (faketime), the CA is
# gone, so the renewal fails: a failure message and one expiring-soon
# notice; an hour later no second notice; a day later another one.
smtp_stop
smtp_start "$T/mail3"
# The CA is gone for good: give up after 2s of retries, not 10m.
MF_ACME_EXTRA="retry_deadline: 2s" manifest "smtp://127.0.0.1:$SMTP_PORT"
stop_pebble
na=$(openssl x509 -noout -enddate -in "$T/store/letsencrypt/webmail/cert.pem" | cut -d= -f2)
na_s=$(date -u -d "$na" +%s)
REAL=$CERTKEEP
cat >"$T/fake.sh" <<SH
#!/bin/sh
export ASAN_OPTIONS="\${ASAN_OPTIONS:-}:verify_asan_link_order=0"
exec faketime "\$FAKE" "$REAL" "\$@"
SH
chmod +x "$T/fake.sh"
CERTKEEP="$T/fake.sh"
export FAKE="$(date -u -d "@$((na_s - 10 * 86400))" '+%Y-%m-%d %H:%M:%S')"
ck -m "$T/certkeep.yaml" apply webmail
rc_is 1 "ten days before expiry, CA unreachable: the renewal fails (exit 1)"
like "$ERR" "renewal window reached for webmail: " "the window line"
smtp_wait 2
m=$(msg webmail expiring-soon)
ok_if "expiring-soon notice sent" test -n "$m"
like "$(hdr "$m" Subject)" "expiring in (9|10) days, not renewed: webmail" "expiring-soon Subject"
is "$(rcpts "$m")" "admin@example.net postmaster+Alerts@example.com" "expiring-soon: recipients"
ok_if "and the failure message" test -n "$(msg webmail failed)"
n=$(smtp_count)
export FAKE="$(date -u -d "@$((na_s - 10 * 86400 + 3600))" '+%Y-%m-%d %H:%M:%S')"
ck -m "$T/certkeep.yaml" apply webmail
sleep 0.5
is "$(ls "$SMTP_OUT" | grep -c '\.eml$')" "$(( n + $(grep -c 'not sent' "$T/.err" 2>/dev/null || true) + $(printf '%s' "$ERR" | grep -c 'notified .* webmail failed') ))" \
    "an hour later: no second expiring-soon notice"
grep -l -x "X-Certkeep-Event: expiring-soon.\{0,1\}" "$SMTP_OUT"/*.eml | wc -l >"$T/nexp"
is "$(tr -d ' ' <"$T/nexp")" 1 "one expiring-soon notice that day"
export FAKE="$(date -u -d "@$((na_s - 9 * 86400 + 3600))" '+%Y-%m-%d %H:%M:%S')"
ck -m "$T/certkeep.yaml" apply webmail
sleep 0.5
grep -l -x "X-Certkeep-Event: expiring-soon.\{0,1\}" "$SMTP_OUT"/*.eml | wc -l >"$T/nexp"
is "$(tr -d ' ' <"$T/nexp")" 2 "the next day: the next expiring-soon notice"
CERTKEEP=$REAL
done_testing
