#!/bin/sh
# tests/lib/knot.sh: Knot starts on a free port, serves the zones the test
# wrote, SERVFAILs a broken zone, accepts TSIG-signed updates only.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/knot.sh"

knot_zone example.test 'www A 192.0.2.1' '@ CAA 0 issue "letsencrypt.org"'
knot_broken_zone broken.test
knot_update_acl example.test
if start_knot; then pass "knotd starts on 127.0.0.1:$KNOT_PORT"
else fail "knotd starts on 127.0.0.1:$KNOT_PORT"; fi

is "$(knot_dig +short www.example.test A)" 192.0.2.1 "serves the A record"
like "$(knot_dig +short example.test CAA)" 'issue "letsencrypt.org"' "serves CAA"
like "$(knot_dig x.broken.test A)" 'status: SERVFAIL' "unloadable zone answers SERVFAIL"
like "$(knot_dig nosuchtld. CAA)" 'status: NXDOMAIN' "root zone answers NXDOMAIN for a TLD that does not exist"

if printf 'server 127.0.0.1 %s\nzone example.test.\nupdate add t.example.test. 5 TXT "hello"\nsend\n' "$KNOT_PORT" |
    knsupdate -y "hmac-sha256:$KNOT_TSIG_NAME:$KNOT_TSIG_SECRET" >/dev/null 2>&1
then pass "TSIG-signed update accepted"; else fail "TSIG-signed update accepted"; fi
like "$(knot_dig +short t.example.test TXT)" hello "updated record visible"
if printf 'server 127.0.0.1 %s\nzone example.test.\nupdate add u.example.test. 5 TXT "x"\nsend\n' "$KNOT_PORT" |
    knsupdate >/dev/null 2>&1
then fail "unsigned update refused"; else pass "unsigned update refused"; fi
stop_knot
ok_unless "stopped" kill -0 "$KNOT_PID" 2>/dev/null
done_testing
