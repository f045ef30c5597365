# tests/lib.sh - sourced by every shell test: TAP output, a private
# temporary directory removed at exit, free loopback ports, and the PIDs
# of what a test started (stopped at exit by PID, never by name).
# Needs: $CERTKEEP (the binary under test); set by tests/run.sh.

set -u
: "${CERTKEEP:?set CERTKEEP to the certkeep binary}"
# A test runs as tests/t/NAME.sh (or tests/bench/NAME.sh); whoever sources
# this from elsewhere sets TESTS_DIR first (tests/unit/pebble.h does).
TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
SRC_DIR=$(cd "$TESTS_DIR/.." && pwd)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# track_pid, stop_pids, free_port, wait_port, wait_up.
. "$TESTS_DIR/lib/proc.sh"

_tap_n=0
_tap_failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/certkeep-test.XXXXXX")

_cleanup() {
	stop_tracked
	[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$T"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# Assertions: ok_if DESC CMD..., ok_unless DESC CMD..., pass DESC, fail DESC,
# is GOT WANT DESC, like GOT REGEX DESC, unlike GOT REGEX DESC, rc_is WANT
# DESC. Each states the condition forwards; all return 0 on a pass and 1 on
# a failure (so that `is ... || diag ...` can say more). _ok is their
# private core: tests do not call it.
_ok() {	# _ok PASSED(0|1) DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
		return 0
	fi
	echo "not ok $_tap_n - $2"
	_tap_failed=$((_tap_failed + 1))
	return 1
}

# ok_if DESCRIPTION COMMAND...: passes when the command exits 0, e.g.
#   ok_if "key is 0600" test "$(stat -c %a "$k")" = 600
ok_if() {
	_ok_d=$1; shift
	if "$@"; then _ok 0 "$_ok_d"; else _ok 1 "$_ok_d"; fi
}
# ok_unless DESCRIPTION COMMAND...: passes when the command exits non-zero,
# e.g. ok_unless "pebble stopped" kill -0 "$pid"
ok_unless() {
	_ok_d=$1; shift
	if "$@"; then _ok 1 "$_ok_d"; else _ok 0 "$_ok_d"; fi
}
# pass DESCRIPTION / fail DESCRIPTION: an outcome decided by the caller.
pass() { _ok 0 "$1"; }
fail() { _ok 1 "$1"; }

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then _ok 0 "$3"; else
		_ok 1 "$3"; printf '#   got: %s\n#  want: %s\n' "$1" "$2"
		return 1; fi
}

# rc_is WANT DESCRIPTION: the exit status of the last ck is WANT; on a
# failure the end of its stderr is shown (CI logs then say why).
rc_is() {
	is "$RC" "$1" "$2" && return 0
	show_stderr
	return 1
}

# show_stderr: the end of the last ck's stderr, as TAP comments.
show_stderr() { printf '%s\n' "$ERR" | tail -n 15 | sed 's/^/#   stderr: /'; }

like() {	# like GOT REGEX DESCRIPTION (grep -E)
	if printf '%s' "$1" | grep -Eq -- "$2"; then _ok 0 "$3"; else
		_ok 1 "$3"; printf '#   got: %s\n#  want match: %s\n' \
		    "$(printf '%s' "$1" | head -c 2000)" "$2"
		return 1; fi
}

unlike() {	# unlike GOT REGEX DESCRIPTION
	if printf '%s' "$1" | grep -Eq -- "$2"; then _ok 1 "$3"
		printf '#   got: %s\n#  must not match: %s\n' \
		    "$(printf '%s' "$1" | head -c 2000)" "$2"
		return 1; else _ok 0 "$3"; fi
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

# ck ARGS...: runs certkeep, output in $OUT (stdout), $ERR (stderr), $RC.
ck() {
	"$CERTKEEP" "$@" >"$T/.out" 2>"$T/.err"
	ck_result $? "$*"
}

# ck_result STATUS WHAT: after a run of certkeep (ck, or ck_at in
# tests/lib/ari.sh) with stdout in $T/.out and stderr in $T/.err, sets $RC
# (STATUS), $OUT and $ERR; a sanitizer report in stderr is a failed test
# (WHAT: the arguments, for the message).
ck_result() {
	RC=$1
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	if grep -q 'Sanitizer' "$T/.err"; then
		diag "sanitizer report from: certkeep $2"
		sed 's/^/#   /' "$T/.err" | head -40
		_ok 1 "no sanitizer report (certkeep $2)"
	fi
	return 0
}
