#!/bin/sh
# tests/lib/pebble.sh itself: Pebble and challtestsrv start on free ports,
# the directory answers over TLS with the throwaway CA, the roots come from
# the management API, requests are counted, and both stop by PID.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

ok_if "start_pebble" start_pebble '{"certificateValidityPeriod": 3600}'
dir=$(curl -sf --cacert "$PEBBLE_TRUST" "$PEBBLE_URL")
like "$dir" '"newAccount"' "directory answers with newAccount over verified TLS"
ok_unless "directory is refused without the throwaway CA" \
    curl -sf -o /dev/null "$PEBBLE_URL"
ok_if "pebble_roots" pebble_roots "$T/roots.pem"
like "$(cat "$T/roots.pem")" 'BEGIN CERTIFICATE' "roots are PEM"
n=$(pebble_requests)
ok_if "request counter sees the directory fetch ($n)" test "$n" -ge 1
pebble_mark
curl -sf --cacert "$PEBBLE_TRUST" "$PEBBLE_URL" >/dev/null
is "$(pebble_since_mark)" 1 "one more request counted"
kdig +short -p "$PEBBLE_DNS_PORT" @127.0.0.1 anything.example.com A >"$T/dig" 2>/dev/null
is "$(cat "$T/dig")" 127.0.0.1 "challtestsrv answers A 127.0.0.1"
write_manifest "$T/m.yaml" 3
like "$(cat "$T/m.yaml")" "listen: \"127.0.0.1:$PEBBLE_HTTP_PORT\"" "manifest points http-01 at the VA port"
like "$(grep -c 'name: c' "$T/m.yaml")" '^3$' "three certificates"
pid=$PEBBLE_PID
stop_pebble
ok_unless "pebble stopped" kill -0 "$pid" 2>/dev/null
done_testing
