# tests/lib/etcd.sh - a throwaway etcd cluster for tests: Debian's etcd
# (3.4) on 127.0.0.1, free ports, data under $T/etcd/, stopped by PID.
# Sourced after tests/lib.sh (uses $T, free_port, track_pid, stop_pids).
#
#   start_etcd [N]       starts an N-member cluster (default 3) and waits
#                        until every member answers /health. Exports
#                        ETCD_ENDPOINTS "127.0.0.1:P1,127.0.0.1:P2,..." (the
#                        client ports, for a store: etcd://...), ETCD_N, and
#                        per member i (1..N) ETCD_PORT_i, ETCD_PID_i.
#                        Returns non-zero (and prints why) when it could not.
#   etcd_stop_member I   stops member I (by PID).
#   etcd_start_member I  starts member I again on its data directory.
#   stop_etcd            stops every member (also done at exit).
#   etcd_get KEY         prints the value of KEY (etcdctl, first endpoint
#                        that answers).
#
# With ETCD_TLS=1 set before start_etcd, clients speak TLS and must show a
# certificate: $T/etcd/tls/ holds ca.pem (the CA of both), server.pem/key
# (IP 127.0.0.1), client.pem/key (clientAuth), and other-ca.pem (a CA that
# signed nothing here).

ETCD_BIN=${ETCD_BIN:-/usr/bin/etcd}
ETCDCTL_BIN=${ETCDCTL_BIN:-/usr/bin/etcdctl}

_etcd_scheme=http
_etcd_tls_args=""

# _etcd_tls_certs DIR: the CA, server and client certificates.
_etcd_tls_certs() {
	_td=$1
	mkdir -p "$_td"
	for _tn in ca other-ca; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout "$_td/$_tn.key" -out "$_td/$_tn.pem" -days 30 \
		    -subj "/CN=certkeep test etcd $_tn" 2>/dev/null || return 1
	done
	for _tn in server client; do
		if [ $_tn = server ]; then
			printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >"$_td/$_tn.ext"
		else
			printf 'extendedKeyUsage=clientAuth\n' >"$_td/$_tn.ext"
		fi
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout "$_td/$_tn.key" -out "$_td/$_tn.csr" \
		    -subj "/CN=$_tn" 2>/dev/null &&
		openssl x509 -req -in "$_td/$_tn.csr" -CA "$_td/ca.pem" \
		    -CAkey "$_td/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
		    -days 30 -extfile "$_td/$_tn.ext" -out "$_td/$_tn.pem" \
		    2>/dev/null || return 1
	done
	chmod 600 "$_td"/*.key
}

_etcd_run_member() {	# _etcd_run_member I [new|existing]
	_ei=$1
	eval "_ecp=\$ETCD_PORT_$_ei; _epp=\$ETCD_PEER_$_ei"
	# shellcheck disable=SC2086
	"$ETCD_BIN" --name "m$_ei" --data-dir "$T/etcd/m$_ei" \
	    --listen-client-urls "$_etcd_scheme://127.0.0.1:$_ecp" \
	    --advertise-client-urls "$_etcd_scheme://127.0.0.1:$_ecp" \
	    $_etcd_tls_args \
	    --listen-peer-urls "http://127.0.0.1:$_epp" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$_epp" \
	    --initial-cluster "$_etcd_cluster" \
	    --initial-cluster-token "certkeep-test" \
	    --initial-cluster-state "$2" \
	    --heartbeat-interval 50 --election-timeout 500 \
	    --log-outputs "$T/etcd/m$_ei.log" --logger zap \
	    >>"$T/etcd/m$_ei.out" 2>&1 &
	eval "ETCD_PID_$_ei=$!"
	track_pid $!
}

_etcd_healthy() {	# every running member answers /health true
	for _eh in $(seq 1 "$ETCD_N"); do
		eval "_ecp=\$ETCD_PORT_$_eh; _epid=\${ETCD_PID_$_eh:-}"
		[ -n "$_epid" ] || continue
		# shellcheck disable=SC2086
		curl -s --max-time 1 $_etcd_curl_tls "$_etcd_scheme://127.0.0.1:$_ecp/health" 2>/dev/null |
		    grep -q '"health":"true"' || return 1
	done
	return 0
}

_etcd_wait() {
	_ew=0
	while [ $_ew -lt 150 ]; do
		_etcd_healthy && return 0
		sleep 0.1; _ew=$((_ew + 1))
	done
	echo "etcd: the cluster did not become healthy" >&2
	tail -3 "$T"/etcd/m*.out >&2
	return 1
}

_etcd_curl_tls=""
_etcd_ctl_tls=""

start_etcd() {
	ETCD_N=${1:-3}
	mkdir -p "$T/etcd"
	if [ "${ETCD_TLS:-}" = 1 ]; then
		_t=$T/etcd/tls
		_etcd_tls_certs "$_t" || { echo "etcd: openssl failed" >&2; return 1; }
		_etcd_scheme=https
		_etcd_tls_args="--cert-file $_t/server.pem --key-file $_t/server.key --client-cert-auth --trusted-ca-file $_t/ca.pem"
		_etcd_curl_tls="--cacert $_t/ca.pem --cert $_t/client.pem --key $_t/client.key"
		_etcd_ctl_tls="--cacert $_t/ca.pem --cert $_t/client.pem --key $_t/client.key"
	fi
	_etcd_cluster=""
	ETCD_ENDPOINTS=""
	for _es in $(seq 1 "$ETCD_N"); do
		_ecp=$(free_port); _epp=$(free_port)
		eval "ETCD_PORT_$_es=$_ecp; ETCD_PEER_$_es=$_epp"
		_etcd_cluster="${_etcd_cluster:+$_etcd_cluster,}m$_es=http://127.0.0.1:$_epp"
		ETCD_ENDPOINTS="${ETCD_ENDPOINTS:+$ETCD_ENDPOINTS,}127.0.0.1:$_ecp"
	done
	for _es in $(seq 1 "$ETCD_N"); do
		_etcd_run_member "$_es" new
	done
	export ETCD_ENDPOINTS ETCD_N
	_etcd_wait
}

etcd_stop_member() {
	eval "_epid=\${ETCD_PID_$1:-}"
	[ -n "$_epid" ] && stop_pids "$_epid"
	eval "ETCD_PID_$1="
}

etcd_start_member() {
	_etcd_run_member "$1" existing
	_etcd_wait
}

stop_etcd() {
	for _es in $(seq 1 "${ETCD_N:-0}"); do
		etcd_stop_member "$_es"
	done
}

etcd_get() {
	# shellcheck disable=SC2086
	ETCDCTL_API=3 "$ETCDCTL_BIN" --endpoints "$ETCD_ENDPOINTS" $_etcd_ctl_tls \
	    --command-timeout 3s get --print-value-only "$1"
}
