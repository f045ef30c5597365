# tests/lib.sh - sourced by every shell test: TAP output, a private
# temporary directory removed at exit, free loopback ports, and the PIDs
# of what a test started (stopped at exit by PID, never by name).
# Needs: $CERTKEEP (the binary under test); set by tests/run.sh.

set -u
: "${CERTKEEP:?set CERTKEEP to the certkeep binary}"
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
SRC_DIR=$(cd "$TESTS_DIR/.." && pwd)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

_tap_n=0
_tap_failed=0
_pids=""
T=$(mktemp -d "${TMPDIR:-/tmp}/certkeep-test.XXXXXX")

_cleanup() {
	for p in $_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $_pids; do
		# Give each a moment, then insist.
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# Registers a PID to stop at exit.
track_pid() { _pids="$_pids $1"; }

ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION  (use: ok $? "desc")
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# check DESCRIPTION COMMAND...: passes when the command exits 0.
check() {
	_d=$1; shift
	"$@"; ok $? "$_d"
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"; printf '#   got: %s\n#  want: %s\n' "$1" "$2"; fi
}

like() {	# like GOT REGEX DESCRIPTION (grep -E)
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"; printf '#   got: %s\n#  want match: %s\n' \
		    "$(printf '%s' "$1" | head -c 2000)" "$2"; fi
}

unlike() {	# unlike GOT REGEX DESCRIPTION
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 1 "$3"
		printf '#   got: %s\n#  must not match: %s\n' \
		    "$(printf '%s' "$1" | head -c 2000)" "$2"; else ok 0 "$3"; fi
}

skip() {	# skip REASON
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1"
}

diag() { printf '# %s\n' "$*"; }

done_testing() {
	echo "1..$_tap_n"
	[ $_tap_failed -eq 0 ]
	exit $?
}

# Prints a free TCP port on 127.0.0.1 (the kernel's pick).
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT [SECONDS]: waits until something listens on 127.0.0.1:PORT.
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

# ck ARGS...: runs certkeep, output in $OUT (stdout), $ERR (stderr), $RC.
ck() {
	"$CERTKEEP" "$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	if grep -q 'Sanitizer' "$T/.err"; then
		diag "sanitizer report from: certkeep $*"
		sed 's/^/#   /' "$T/.err" | head -40
		_tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - no sanitizer report (certkeep $*)"
	fi
	return 0
}
