# tests/lib/unbound.sh - a throwaway recursive resolver for tests: Unbound
# on 127.0.0.1 on a free port, resolving every name through the test's
# Knot (tests/lib/knot.sh), so that a client asking it sees what a CA's
# recursive resolver sees: CNAMEs chased from one zone into another, which
# Knot alone (authoritative) does not do. Sourced after tests/lib.sh and
# tests/lib/knot.sh; call after start_knot.
#
#   start_unbound
#       Writes $T/unbound/unbound.conf (a stub zone per Knot zone and for
#       the root, all at $KNOT_SERVER; no DNSSEC validation; caching at
#       most 1 second, so records that the tests add or remove are seen at
#       once), starts unbound in the foreground, waits until it answers.
#       Exports UNBOUND_PORT, UNBOUND_SERVER ("127.0.0.1:$UNBOUND_PORT"),
#       UNBOUND_PID (tracked: stopped at exit). Returns non-zero (and
#       prints why) when it could not start.

UNBOUND=${UNBOUND:-/usr/sbin/unbound}

start_unbound() {
	_ud="$T/unbound"
	mkdir -p "$_ud"
	UNBOUND_PORT=$(free_port)
	{
		cat <<EOF
server:
  interface: 127.0.0.1@$UNBOUND_PORT
  port: $UNBOUND_PORT
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "$_ud"
  pidfile: "$_ud/unbound.pid"
  logfile: ""
  use-syslog: no
  verbosity: 1
  module-config: "iterator"
  do-not-query-localhost: no
  cache-max-ttl: 1
  cache-max-negative-ttl: 1
  local-zone: "test." nodefault
remote-control:
  control-enable: no
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@$KNOT_PORT
EOF
		for _z in $KNOT_ZONES; do
			[ "$_z" = . ] && continue
			printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@%s\n' \
			    "${_z%.}." "$KNOT_PORT"
		done
	} >"$_ud/unbound.conf"
	"$UNBOUND" -d -c "$_ud/unbound.conf" >"$_ud/unbound.log" 2>&1 &
	UNBOUND_PID=$!
	track_pid "$UNBOUND_PID"
	UNBOUND_SERVER="127.0.0.1:$UNBOUND_PORT"
	export UNBOUND_PORT UNBOUND_SERVER UNBOUND_PID
	wait_up "$UNBOUND_PID" "$_ud/unbound.log" \
	    "start_unbound: unbound ($UNBOUND_SERVER)" 100 _unbound_answers
}

# Whether unbound answers for test. (through Knot).
_unbound_answers() {
	kdig +short +time=1 +tries=1 @127.0.0.1 -p "$UNBOUND_PORT" \
	    SOA test. 2>/dev/null | grep -q .
}
