#!/bin/sh
# A CA whose directory fails: every certificate's acme-directory check
# reports the CA's problem, from one request per run, not one per
# certificate (a run against a CA in maintenance must not wait one
# timeout per certificate). The failing CA is a small TLS server (Python's
# http.server) answering 503 with a problem document: Pebble cannot be made
# to fail its directory. DNS for the other checks is Pebble's
# challtestsrv.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }

port=$(free_port)
cat >"$T/down.py" <<'EOF'
import http.server, ssl, sys, json
port, cert, key, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.command, self.path))
        body = json.dumps({"type": "urn:ietf:params:acme:error:serverInternal",
                           "detail": "down for maintenance", "status": 503}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_HEAD = do_POST = answer
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
EOF
: >"$T/down.log"
/usr/bin/python3 "$T/down.py" "$port" "$T/pebble/cert.pem" "$T/pebble/key.pem" \
    "$T/down.log" 2>"$T/down.err" &
track_pid $!
wait_port "$port" || { fail "fake CA started"; done_testing; }

write_manifest "$T/m.yaml" 20
sed -i "s#^  directory: .*#  directory: https://127.0.0.1:$port/dir#" "$T/m.yaml"

ck -m "$T/m.yaml" -o json check
rc_is 1 "check: exit 1 when the directory fails"
printf '%s' "$OUT" >"$T/check.json"
summary=$(/usr/bin/python3 - "$T/check.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
res = []
for c in d["certificates"]:
    r = [x for x in c["checks"] if x["check"] == "acme-directory"]
    res.append((len(r), r[0]["status"] if r else "", r[0]["message"] if r else ""))
print(len(res), len(set(res)), res[0][0], res[0][1])
print(res[0][2])
EOF
)
is "$(printf '%s\n' "$summary" | sed -n 1p)" "20 1 1 fail" "20 certificates, each with the same failed acme-directory result"
like "$(printf '%s\n' "$summary" | sed -n 2p)" "down for maintenance" "the message quotes the CA's problem document"
is "$(grep -c '^GET /dir' "$T/down.log")" 1 "check: one directory request for 20 certificates"
is "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted({x["status"] for c in d["certificates"] for x in c["checks"] if x["check"] == "a"}))' "$T/check.json")" "['pass']" "the DNS checks still ran (a: pass)"

: >"$T/down.log"
# apply retries a 503 within acme.retry_deadline (3s here): a few tries
# of the directory for the whole run, never one per certificate.
sed -i "s#^  directory: .*#&\n  retry_deadline: 3s#" "$T/m.yaml"
ck -m "$T/m.yaml" apply --skip-checks
rc_is 1 "apply: exit 1"
like "$ERR" "down for maintenance" "apply names the CA's problem"
n=$(grep -c . "$T/down.log")
ok_if "apply: a few directory requests for the run, not one per certificate ($n)" \
    test "$n" -ge 2 -a "$n" -le 8
is "$(find "$T/store" -name cert.pem 2>/dev/null | wc -l)" 0 "nothing issued"
done_testing
