# tests/lib/proc.sh - processes and loopback ports, shared by tests/lib.sh
# (every test) and contrib/demo.sh (which has no TAP): what was started is
# remembered by PID and stopped by PID, never by name.
#
#   track_pid PID         remembers PID; stop_tracked stops them all.
#   stop_tracked          stops every tracked PID (the exit traps call it).
#   stop_pids PID...      TERM to each, up to 5 s for each to go, then KILL.
#   free_port             prints a free TCP port on 127.0.0.1 (the kernel's
#                         pick).
#   wait_port PORT [SECONDS]
#                         waits (default 20 s) until something listens on
#                         127.0.0.1:PORT; non-zero when nothing did.
#   wait_up PID LOG WHAT TRIES COMMAND...
#                         runs COMMAND every 0.1 s, TRIES times at most,
#                         until it succeeds; fails early (with LOG's tail on
#                         stderr) when PID has exited. WHAT names the
#                         process in the messages.

_pids=""

track_pid() { _pids="$_pids $1"; }

stop_pids() {
	for _sp in "$@"; do
		kill "$_sp" 2>/dev/null
	done
	for _sp in "$@"; do
		# Give each a moment, then insist.
		_si=0
		while kill -0 "$_sp" 2>/dev/null && [ $_si -lt 50 ]; do
			sleep 0.1; _si=$((_si + 1))
		done
		kill -9 "$_sp" 2>/dev/null
	done
	return 0
}

# shellcheck disable=SC2086
stop_tracked() { stop_pids $_pids; }

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
	_i=0; _max=$(( ${2:-20} * 10 ))
	while [ $_i -lt $_max ]; do
		if /usr/bin/python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then
			return 0
		fi
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

wait_up() {
	_wpid=$1 _wlog=$2 _what=$3 _wmax=$4; shift 4
	_wi=0
	while [ $_wi -lt "$_wmax" ]; do
		"$@" && return 0
		if ! kill -0 "$_wpid" 2>/dev/null; then
			echo "$_what exited:" >&2
			tail -5 "$_wlog" >&2
			return 1
		fi
		sleep 0.1; _wi=$((_wi + 1))
	done
	echo "$_what did not answer" >&2
	tail -5 "$_wlog" >&2
	return 1
}
