# tests/lib/pebble.sh - a throwaway ACME CA for tests and the demo: Pebble
# with pebble-challtestsrv as its DNS, both on 127.0.0.1, free ports, and
# stopped by PID. Sourced after tests/lib.sh (uses $T and, from
# tests/lib/proc.sh, free_port, wait_port, wait_up, track_pid, stop_pids);
# contrib/demo.sh sources it after tests/lib/proc.sh.
#
#   start_pebble [CONFIG-TWEAK-JSON]
#       Makes a CA and a server certificate (localhost, 127.0.0.1) for
#       Pebble's own HTTPS in $T/pebble/, writes a Pebble config on free
#       ports, starts pebble-challtestsrv (DNS only: every A query answers
#       127.0.0.1, no AAAA) and pebble -dnsserver pointing at it, waits
#       until the directory answers. CONFIG-TWEAK-JSON is a JSON object
#       merged into the "pebble" config object, e.g.
#         '{"certificateValidityPeriod": 3600}'
#         '{"externalAccountBindingRequired": true,
#           "externalAccountMACKeys": {"kid-1": "<base64url key>"}}'
#         '{"domainBlocklist": ["blocked.example.com"]}'
#       Environment passed through to pebble: PEBBLE_WFE_NONCEREJECT,
#       PEBBLE_AUTHZREUSE, PEBBLE_CHAIN_LENGTH (set them before calling).
#       PEBBLE_WFE_NONCEREJECT defaults to 0 here, not Pebble's 5: tests
#       count requests and orders, and a random badNonce retry adds one;
#       acme_renew.sh sets it to 50 to test the retry itself.
#       PEBBLE_DNS_SERVER=host:port makes Pebble resolve through that
#       server (e.g. Knot from tests/lib/knot.sh, for dns-01) instead of
#       challtestsrv. PEBBLE_VA_NOSLEEP=1 is always set; PEBBLE_VA_ALWAYS_VALID is unset
#       (challenges are really validated). Binary: $PEBBLE_BIN, default
#       /usr/bin/pebble (ARI/profile tests: PEBBLE_BIN=$PEBBLE_ARI).
#       Exports:
#         PEBBLE_URL        https://127.0.0.1:<port>/dir (the directory)
#         PEBBLE_MGMT       https://127.0.0.1:<port> (management API)
#         PEBBLE_TRUST      the CA file certkeep must trust (ca_bundle)
#         PEBBLE_HTTP_PORT  the port Pebble's VA uses for http-01
#         PEBBLE_DNS_PORT   challtestsrv's DNS port
#         PEBBLE_CHALL_MGMT challtestsrv's management URL (http)
#         PEBBLE_LOG        Pebble's log (one line per request handled)
#         PEBBLE_PID, PEBBLE_CHALL_PID
#       Returns non-zero (and prints why) when it could not start.
#
#   stop_pebble          stops both (by PID); also done at exit.
#   pebble_roots FILE    writes the issuing root and intermediate (PEM)
#                        from the management API, for `openssl verify`.
#   pebble_requests      prints how many ACME requests Pebble has handled
#                        so far (its log lines "METHOD /path -> calling").
#   pebble_mark          remembers the current request count;
#   pebble_since_mark    prints the requests since pebble_mark.
#   pebble_webroot DIR   serves DIR (made if missing) on 127.0.0.1:
#                        $PEBBLE_HTTP_PORT with python3 http.server, the
#                        web server of webroot mode (log: $T/httpd.log);
#                        non-zero when it does not listen within 10 s.
#
#   pebble_manifest_head
#       Prints a manifest's top pointed at Pebble, every section but
#       fragments and certificates: directory $PEBBLE_URL, ca_bundle
#       $PEBBLE_TRUST, store $T/store, domains [example.com] (MF_DOMAINS:
#       another list, or omit), DNS (preflight) from challtestsrv (every
#       name 127.0.0.1, no CAA), challenge http-01 listen
#       127.0.0.1:$PEBBLE_HTTP_PORT. The MF_ knobs below apply (all but
#       MF_HOSTS_<i>, MF_MULTI).
#
#   write_manifest FILE N [KEYTYPE]
#       A manifest for N certificates c1..cN (hostnames c<i>.example.com,
#       certificate 1 also www.c1.example.com when MF_MULTI=1) pointed at
#       Pebble: directory $PEBBLE_URL, ca_bundle $PEBBLE_TRUST, store
#       $T/store, fragments $T/frag, challenge http-01 listen
#       127.0.0.1:$PEBBLE_HTTP_PORT, DNS (preflight) from challtestsrv
#       (every name 127.0.0.1, no CAA). Knobs (environment):
#         MF_TERMS=true|false|omit   acme.terms_accepted (default true)
#         MF_CA_BUNDLE=path|omit     default $PEBBLE_TRUST
#         MF_CHALLENGE='{webroot: /x}'  the http-01 block
#         MF_ACME_EXTRA='eab: {...}'  one more line under acme:
#         MF_TOP_EXTRA='renew_before: 10m'  one more top-level line
#         MF_HOSTS_<i>='a.example.com, b.example.com'  hostnames of cert i
#         MF_DNS_SERVER=host:port|omit  dns.resolvers for the preflight
#                                    (default challtestsrv's DNS port)

PEBBLE_BIN=${PEBBLE_BIN:-/usr/bin/pebble}
PEBBLE_CHALLTESTSRV=${PEBBLE_CHALLTESTSRV:-/usr/bin/pebble-challtestsrv}

_pebble_certs() {
	_pd=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_pd/ca.key" -out "$_pd/ca.pem" -days 3650 \
	    -subj "/CN=certkeep test Pebble HTTPS CA" 2>/dev/null || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_pd/key.pem" -out "$_pd/server.csr" \
	    -subj "/CN=localhost" 2>/dev/null || return 1
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:false\nextendedKeyUsage=serverAuth\n' \
	    >"$_pd/server.ext"
	openssl x509 -req -in "$_pd/server.csr" -CA "$_pd/ca.pem" \
	    -CAkey "$_pd/ca.key" -CAcreateserial -days 3650 \
	    -extfile "$_pd/server.ext" -out "$_pd/cert.pem" 2>/dev/null
}

start_pebble() {
	_tweak=${1:-"{}"}
	_pd="$T/pebble"
	mkdir -p "$_pd"
	if [ ! -x "$PEBBLE_BIN" ]; then
		echo "start_pebble: $PEBBLE_BIN not found" >&2; return 1
	fi
	_pebble_certs "$_pd" || { echo "start_pebble: openssl failed" >&2; return 1; }
	# A port free_port picked may be taken by a test running alongside
	# before Pebble binds it: then try again on new ports.
	_try=1
	while ! _pebble_run "$_tweak"; do
		grep -qs 'address already in use' "$_pd/pebble.log" \
		    "$_pd/challtestsrv.log" && [ $_try -lt 3 ] || return 1
		echo "start_pebble: a port was taken, trying again" >&2
		stop_pebble
		_try=$((_try + 1))
	done
}

# _pebble_run TWEAK: one start of challtestsrv and Pebble on free ports.
_pebble_run() {
	_tweak=$1 _pd="$T/pebble"
	_lp=$(free_port); _mp=$(free_port); _hp=$(free_port); _tp=$(free_port)
	_dp=$(free_port); _cm=$(free_port)
	/usr/bin/python3 - "$_pd/config.json" "$_tweak" "$_lp" "$_mp" "$_hp" "$_tp" "$_pd" <<'EOF' || { echo "start_pebble: bad config tweak: $_tweak" >&2; return 1; }
import json, sys
path, tweak, lp, mp, hp, tp, d = sys.argv[1:]
cfg = {"listenAddress": "127.0.0.1:" + lp,
       "managementListenAddress": "127.0.0.1:" + mp,
       "certificate": d + "/cert.pem", "privateKey": d + "/key.pem",
       "httpPort": int(hp), "tlsPort": int(tp),
       "ocspResponderURL": "", "externalAccountBindingRequired": False}
cfg.update(json.loads(tweak))
json.dump({"pebble": cfg}, open(path, "w"), indent=1)
EOF
	"$PEBBLE_CHALLTESTSRV" -dns01 "127.0.0.1:$_dp" -http01 "" -https01 "" \
	    -tlsalpn01 "" -management "127.0.0.1:$_cm" \
	    -defaultIPv4 127.0.0.1 -defaultIPv6 "" >"$_pd/challtestsrv.log" 2>&1 &
	PEBBLE_CHALL_PID=$!
	track_pid "$PEBBLE_CHALL_PID"
	(unset PEBBLE_VA_ALWAYS_VALID
	 PEBBLE_WFE_NONCEREJECT=${PEBBLE_WFE_NONCEREJECT:-0}
	 export PEBBLE_WFE_NONCEREJECT
	 PEBBLE_VA_NOSLEEP=1 exec "$PEBBLE_BIN" \
	    -config "$_pd/config.json" -dnsserver "${PEBBLE_DNS_SERVER:-127.0.0.1:$_dp}") \
	    >"$_pd/pebble.log" 2>&1 &
	PEBBLE_PID=$!
	track_pid "$PEBBLE_PID"
	PEBBLE_URL="https://127.0.0.1:$_lp/dir"
	PEBBLE_MGMT="https://127.0.0.1:$_mp"
	PEBBLE_TRUST="$_pd/ca.pem"
	PEBBLE_HTTP_PORT=$_hp
	PEBBLE_DNS_PORT=$_dp
	PEBBLE_CHALL_MGMT="http://127.0.0.1:$_cm"
	PEBBLE_LOG="$_pd/pebble.log"
	export PEBBLE_URL PEBBLE_MGMT PEBBLE_TRUST PEBBLE_HTTP_PORT \
	    PEBBLE_DNS_PORT PEBBLE_CHALL_MGMT PEBBLE_LOG PEBBLE_PID PEBBLE_CHALL_PID
	wait_up "$PEBBLE_PID" "$PEBBLE_LOG" "start_pebble: pebble ($PEBBLE_URL)" \
	    150 curl -sf --cacert "$PEBBLE_TRUST" -o /dev/null "$PEBBLE_URL" ||
	    return 1
	wait_port "$_dp" 5 || { echo "start_pebble: challtestsrv did not start" >&2; tail -5 "$_pd/challtestsrv.log" >&2; return 1; }
}

stop_pebble() {
	stop_pids ${PEBBLE_PID:-} ${PEBBLE_CHALL_PID:-}
	PEBBLE_PID= PEBBLE_CHALL_PID=
}

pebble_roots() {
	{ curl -sf --cacert "$PEBBLE_TRUST" "$PEBBLE_MGMT/roots/0" &&
	  curl -sf --cacert "$PEBBLE_TRUST" "$PEBBLE_MGMT/intermediates/0"; } >"$1"
}

pebble_requests() {
	grep -cE ' (GET|POST|HEAD) [^ ]+ -> calling handler' "$PEBBLE_LOG"
}

pebble_mark() { _pebble_mark=$(pebble_requests); }
pebble_since_mark() { echo $(( $(pebble_requests) - ${_pebble_mark:-0} )); }

pebble_webroot() {
	mkdir -p "$1"
	/usr/bin/python3 -m http.server "$PEBBLE_HTTP_PORT" --bind 127.0.0.1 \
	    --directory "$1" >"$T/httpd.log" 2>&1 &
	track_pid $!
	wait_port "$PEBBLE_HTTP_PORT" 10
}

pebble_manifest_head() {
	_terms=${MF_TERMS:-true}
	_cab=${MF_CA_BUNDLE:-$PEBBLE_TRUST}
	_ch=${MF_CHALLENGE:-"{listen: \"127.0.0.1:$PEBBLE_HTTP_PORT\"}"}
	echo "version: 1"
	echo "acme:"
	echo "  directory: $PEBBLE_URL"
	echo "  contact: [hostmaster@example.com]"
	[ "$_terms" = omit ] || echo "  terms_accepted: $_terms"
	[ "$_cab" = omit ] || echo "  ca_bundle: $_cab"
	[ -z "${MF_ACME_EXTRA:-}" ] || echo "  $MF_ACME_EXTRA"
	echo "store: $T/store"
	# The preflight's DNS: challtestsrv (or MF_DNS_SERVER, e.g.
	# Knot), never the host's resolver.
	[ "${MF_DNS_SERVER:-}" = omit ] ||
	    echo "dns: {resolvers: [\"${MF_DNS_SERVER:-127.0.0.1:$PEBBLE_DNS_PORT}\"], timeout: 2s}"
	[ -z "${MF_TOP_EXTRA:-}" ] || echo "$MF_TOP_EXTRA"
	[ "${MF_DOMAINS:-}" = omit ] || echo "domains: [${MF_DOMAINS:-example.com}]"
	echo "challenge:"
	echo "  type: http-01"
	echo "  http-01: $_ch"
}

write_manifest() {
	_f=$1 _n=$2 _kt=${3:-ec-p256}
	{
		pebble_manifest_head
		echo "fragments:"
		echo "  dir: $T/frag"
		echo "certificates:"
		_i=1
		while [ $_i -le "$_n" ]; do
			eval "_h=\${MF_HOSTS_$_i:-}"
			if [ -z "$_h" ]; then
				_h="c$_i.example.com"
				[ $_i -eq 1 ] && [ "${MF_MULTI:-0}" = 1 ] &&
				    _h="c1.example.com, www.c1.example.com"
			fi
			echo "  - name: c$_i"
			echo "    hostnames: [$_h]"
			echo "    key_type: $_kt"
			echo "    listeners:"
			echo "      - {server: dovecot, service: imap, address: \"127.0.0.1:$((9900 + _i))\"}"
			_i=$((_i + 1))
		done
	} >"$_f"
}

