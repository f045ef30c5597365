#!/bin/sh
# The built-in http-01 responder (challenge.http-01.listen) against Pebble
# under a hostile client: 200 idle TCP connections held open (each one the
# responder closes is opened again) while 10 certificates are validated,
# all 10 issued; listen "*:PORT" serves IPv4, "[::1]:PORT" serves Pebble
# over IPv6 (its DNS answers ::1 for the name).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }

# 200 idle connections, from before the responder is up until the end.
python3 "$TESTS_DIR/lib/idle_conns.py" 127.0.0.1 "$PEBBLE_HTTP_PORT" 200 \
    "$T/idle.stats" 2>"$T/idle.err" &
IDLE_PID=$!
track_pid "$IDLE_PID"

MF_CHALLENGE="{listen: \"*:$PEBBLE_HTTP_PORT\"}" write_manifest "$T/m.yaml" 10
t0=$(date +%s)
ck -m "$T/m.yaml" apply
secs=$(( $(date +%s) - t0 ))
kill "$IDLE_PID"
wait "$IDLE_PID" 2>/dev/null
rc_is 0 "apply with 200 idle connections held: exit 0 (${secs}s)"
n=$(printf '%s\n' "$ERR" | grep -c 'issuing c[0-9]* \.\.\. done')
is "$n" 10 "all 10 certificates validated and issued"
stats=$(cat "$T/idle.stats" 2>/dev/null)
diag "idle client: $stats; apply took ${secs}s"
most=$(printf '%s' "$stats" | sed -n 's/.*max=\([0-9]*\).*/\1/p')
ok_if "the idle client really held 200 connections at once (${most:-none})" \
    test "${most:-0}" -ge 200

# IPv6: Pebble resolves v6.example.com to ::1 (and 127.0.0.1, where
# nothing listens on this port), the responder listens on [::1] only.
ok_if "challtestsrv answers AAAA ::1 for v6.example.com" \
    curl -sf -o /dev/null -X POST \
    -d '{"host": "v6.example.com.", "addresses": ["::1"]}' \
    "$PEBBLE_CHALL_MGMT/add-aaaa"
MF_CHALLENGE="{listen: \"[::1]:$PEBBLE_HTTP_PORT\"}" \
    MF_HOSTS_1=v6.example.com write_manifest "$T/v6.yaml" 1
sed -i "s|store: .*|store: $T/v6store|" "$T/v6.yaml"
ck -m "$T/v6.yaml" apply --skip-checks
rc_is 0 "listen [::1]: Pebble validates over IPv6"
like "$ERR" 'issuing c1 \.\.\. done' "the certificate is issued"
done_testing
