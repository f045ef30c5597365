#!/bin/sh
# contrib/axigen-cli.sh against a stand-in for Axigen's CLI service
# (tests/lib/axigen_fake.py: login dialogue, +OK/-ERR, prompts): it logs
# in with the password from a file (never in argv), sends the script's
# commands without comments, stops at the first -ERR and says where,
# retries UPDATE as ADD with --add-missing, and always QUITs.
. "$(dirname "$0")/../lib.sh"

# Debian's python3 first (a pyenv shim in PATH costs seconds per start).
PATH="/usr/bin:$PATH"; export PATH
FEED="$SRC_DIR/contrib/axigen-cli.sh"
SCRIPT="$SRC_DIR/tests/golden/axigen/webmail-listeners.cli"
printf 'pa ss\n' >"$T/pass"; chmod 600 "$T/pass"

# fake [--fail REGEX]...: starts a fresh stand-in, sets $PORT, $LOG.
fake() {
	PORT=$(free_port); LOG="$T/cli-$PORT.log"
	/usr/bin/python3 "$TESTS_DIR/lib/axigen_fake.py" --port "$PORT" \
	    --password-file "$T/pass" --log "$LOG" "$@" 2>"$T/fake.err" &
	track_pid $!
	wait_port "$PORT" 10
}

fake
out=$(sh "$FEED" -p "$PORT" -P "$T/pass" "$SCRIPT" 2>&1); rc=$?
is "$rc" 0 "the whole script is accepted"
is "$(sed -n 1,2p "$LOG" | tr '\n' '|')" "USER admin|<password>|" "logs in: USER, then the password from the file"
want=$(grep -v '^#' "$SCRIPT" | grep -v '^$')
is "$(sed -e 1,2d -e '$d' "$LOG")" "$want" "sends every command line, no comments, in order"
is "$(tail -1 "$LOG")" "QUIT" "ends with QUIT"
unlike "$out" "pa ss" "the password is never printed"

fake --fail '^UPDATE Listener 0\.0\.0\.0:443'
out=$(sh "$FEED" -p "$PORT" -P "$T/pass" "$SCRIPT" 2>&1); rc=$?
is "$rc" 1 "-ERR stops the feed with exit 1"
like "$out" "webmail-listeners.cli:[0-9]+: UPDATE Listener 0.0.0.0:443: -ERR" "names the line and Axigen's answer"
unlike "$(cat "$LOG")" "SET certFile" "nothing after the failing command is sent"
is "$(tail -1 "$LOG")" "QUIT" "QUIT after a failure too"

fake --fail '^UPDATE (Listener|UrlRedirect)'
out=$(sh "$FEED" -p "$PORT" -P "$T/pass" --add-missing "$SCRIPT" 2>&1); rc=$?
is "$rc" 0 "--add-missing: a failed UPDATE is retried as ADD"
like "$(cat "$LOG")" "ADD Listener 0.0.0.0:443" "ADD Listener sent"
like "$(cat "$LOG")" "ADD UrlRedirect address 0.0.0.0:80 port 443" "ADD UrlRedirect sent"

printf 'wrong\n' >"$T/wrongpass"
fake
out=$(sh "$FEED" -p "$PORT" -P "$T/wrongpass" "$SCRIPT" 2>&1); rc=$?
is "$rc" 1 "a wrong password fails"
like "$out" "login refused" "and says so"
unlike "$(cat "$LOG")" "CONFIG" "no command sent without a login"

out=$(sh "$FEED" -p "$PORT" "$SCRIPT" 2>&1); rc=$?
is "$rc" 64 "no password file: usage error"
done_testing
