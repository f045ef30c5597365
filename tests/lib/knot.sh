# tests/lib/knot.sh - a throwaway authoritative DNS server for tests: Knot
# DNS (knotd) on 127.0.0.1 (and ::1 when available) on a free port, with
# its config, zone files, rundir and database under $T/knot, stopped by
# PID. Sourced after tests/lib.sh (uses $T and, from tests/lib/proc.sh,
# free_port, track_pid, wait_up, stop_pids).
#
#   knot_zone ZONE [RECORDS...]
#       Writes $T/knot/zones/ZONE.zone: an SOA and NS (ns.ZONE, 127.0.0.1)
#       plus every RECORDS argument as one zone-file line (owner relative
#       to ZONE, or "@"), e.g.
#         knot_zone example.test 'www A 192.0.2.1' '@ CAA 0 issue "x.org"'
#       Call before start_knot (or knot_reload after it). ZONE "." is the
#       root. Root and "test." are always served by start_knot so that
#       every name climbs to an answer instead of REFUSED.
#   knot_broken_zone ZONE
#       A zone file Knot cannot load: Knot answers SERVFAIL for the zone.
#   knot_update_acl ZONE
#       Allows RFC 2136 updates of ZONE signed with the TSIG key below.
#   start_knot
#       Writes $T/knot/knot.conf and starts knotd in the foreground; waits
#       until it answers (kdig). Exports:
#         KNOT_PORT        the port (UDP and TCP) on 127.0.0.1
#         KNOT_SERVER      "127.0.0.1:$KNOT_PORT"
#         KNOT_PID         knotd's PID (tracked)
#         KNOT_LOG         its log
#         KNOT_TSIG_NAME   "certkeep." - the TSIG key name
#         KNOT_TSIG_FILE   $T/knot/tsig.key: the base64 secret (0600)
#         KNOT_TSIG_SECRET the same secret
#   knot_reload          re-reads zone files (knotc zone-reload).
#   knot_dig ARGS...     kdig @127.0.0.1 -p $KNOT_PORT ARGS
#   stop_knot            stops knotd (by PID); also done at exit.

KNOTD=${KNOTD:-/usr/sbin/knotd}
KNOT_DIR=
KNOT_ZONES=""
KNOT_UPDATE_ZONES=""

_knot_dir() {
	KNOT_DIR="$T/knot"
	[ -d "$KNOT_DIR/zones" ] && return 0
	mkdir -p "$KNOT_DIR/zones" "$KNOT_DIR/run" "$KNOT_DIR/db"
	KNOT_TSIG_NAME=certkeep.
	KNOT_TSIG_FILE="$KNOT_DIR/tsig.key"
	KNOT_TSIG_SECRET=$(head -c 32 /dev/urandom | base64)
	(umask 077; printf '%s\n' "$KNOT_TSIG_SECRET" >"$KNOT_TSIG_FILE")
	export KNOT_TSIG_NAME KNOT_TSIG_FILE KNOT_TSIG_SECRET
}

_knot_add_zone() {
	case " $KNOT_ZONES " in *" $1 "*) ;; *) KNOT_ZONES="$KNOT_ZONES $1";; esac
}

knot_zone() {
	_knot_dir
	_z=$1; shift
	_f="$KNOT_DIR/zones/$(_knot_file "$_z")"
	if [ "$_z" = . ]; then _ns=ns.root-servers.test.; else _ns=ns.$_z.; fi
	{
		echo "\$ORIGIN ${_z%.}."
		echo "\$TTL 5"
		echo "@ IN SOA $_ns hostmaster.test. 1 60 60 600 5"
		echo "@ IN NS $_ns"
		[ "$_z" = . ] || echo "ns.$_z. IN A 127.0.0.1"
		for _r in "$@"; do echo "$_r"; done
	} >"$_f"
	_knot_add_zone "$_z"
}

knot_broken_zone() {
	_knot_dir
	echo 'this is not a zone file (' >"$KNOT_DIR/zones/$(_knot_file "$1")"
	_knot_add_zone "$1"
}

knot_update_acl() {
	KNOT_UPDATE_ZONES="$KNOT_UPDATE_ZONES $1"
}

_knot_file() {
	if [ "$1" = . ]; then echo root.zone; else echo "${1%.}.zone"; fi
}

start_knot() {
	_knot_dir
	[ -f "$KNOT_DIR/zones/root.zone" ] || knot_zone .
	[ -f "$KNOT_DIR/zones/test.zone" ] || knot_zone test
	KNOT_PORT=$(free_port)
	_v6=""
	if /usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
		_v6="    listen: ::1@$KNOT_PORT"
	fi
	{
		echo "server:"
		echo "    rundir: \"$KNOT_DIR/run\""
		echo "    listen: 127.0.0.1@$KNOT_PORT"
		[ -z "$_v6" ] || echo "$_v6"
		echo "database:"
		echo "    storage: \"$KNOT_DIR/db\""
		echo "control:"
		echo "    listen: \"$KNOT_DIR/run/knot.sock\""
		echo "key:"
		echo "  - id: $KNOT_TSIG_NAME"
		echo "    algorithm: hmac-sha256"
		echo "    secret: $KNOT_TSIG_SECRET"
		echo "acl:"
		echo "  - id: update"
		echo "    key: $KNOT_TSIG_NAME"
		echo "    action: update"
		echo "log:"
		echo "  - target: stderr"
		echo "    any: info"
		echo "template:"
		echo "  - id: default"
		echo "    storage: \"$KNOT_DIR/zones\""
		echo "    zonefile-sync: -1"
		echo "    zonefile-load: difference-no-serial"
		echo "    journal-content: all"
		echo "    semantic-checks: off"
		echo "zone:"
		for _z in $KNOT_ZONES; do
			echo "  - domain: \"$_z\""
			echo "    file: \"$(_knot_file "$_z")\""
			case " $KNOT_UPDATE_ZONES " in
			*" $_z "*) echo "    acl: update";;
			esac
		done
	} >"$KNOT_DIR/knot.conf"
	KNOT_LOG="$KNOT_DIR/knot.log"
	"$KNOTD" -c "$KNOT_DIR/knot.conf" >"$KNOT_LOG" 2>&1 &
	KNOT_PID=$!
	track_pid "$KNOT_PID"
	KNOT_SERVER="127.0.0.1:$KNOT_PORT"
	export KNOT_PORT KNOT_SERVER KNOT_PID KNOT_LOG
	wait_up "$KNOT_PID" "$KNOT_LOG" "start_knot: knotd (port $KNOT_PORT)" \
	    100 _knot_answers
}

# Whether knotd answers for test. (one of the zones start_knot serves).
_knot_answers() {
	kdig @127.0.0.1 -p "$KNOT_PORT" +timeout=1 +retry=0 test. SOA 2>/dev/null |
	    grep -q 'status: NOERROR'
}

knot_reload() {
	/usr/sbin/knotc -s "$KNOT_DIR/run/knot.sock" zone-reload >/dev/null
}

knot_dig() {
	kdig @127.0.0.1 -p "$KNOT_PORT" +timeout=2 +retry=0 "$@"
}

stop_knot() {
	stop_pids ${KNOT_PID:-}
	KNOT_PID=
}
