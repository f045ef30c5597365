# tests/lib/smtp.sh - a real SMTP server for tests: Debian's aiosmtpd run
# with /usr/bin/python3 on a free loopback port, keeping every message it
# receives as files (tests/lib/smtpd.py). Source after tests/lib.sh.
#
#   smtp_start DIR [smtpd.py options]   sets SMTP_PORT, SMTP_PID, SMTP_OUT
#   smtp_count                          number of messages received
#   smtp_wait N [SECONDS]               waits until N messages are there
#   smtp_msg I                          path of message I (1-based) .eml
#   smtp_env I                          path of its envelope .json
#   smtp_stop                           stops it (by PID)

smtp_start() {
	SMTP_OUT=$1; shift
	mkdir -p "$SMTP_OUT"
	SMTP_PORT=$(free_port)
	/usr/bin/python3 "$TESTS_DIR/lib/smtpd.py" --port "$SMTP_PORT" \
	    --out "$SMTP_OUT" "$@" 2>"$SMTP_OUT.log" &
	SMTP_PID=$!
	track_pid "$SMTP_PID"
	wait_port "$SMTP_PORT" 20
}

smtp_count() {
	ls "$SMTP_OUT" 2>/dev/null | grep -c '\.eml$'
}

smtp_wait() {
	_w=0; _wmax=$(( ${2:-10} * 10 ))
	while [ "$(smtp_count)" -lt "$1" ] && [ $_w -lt $_wmax ]; do
		sleep 0.1; _w=$((_w + 1))
	done
	[ "$(smtp_count)" -ge "$1" ]
}

smtp_msg() { printf '%s/%04d.eml' "$SMTP_OUT" "$1"; }
smtp_env() { printf '%s/%04d.json' "$SMTP_OUT" "$1"; }

smtp_stop() {
	kill "$SMTP_PID" 2>/dev/null
	wait "$SMTP_PID" 2>/dev/null
	return 0
}
