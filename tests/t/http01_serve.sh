#!/bin/sh
# serve-http01 with the directory backend against Pebble: one responder on
# Pebble's http-01 port (IPv4 and IPv6), two `apply` runs started at once
# with challenge.http-01.publish issuing different certificates through
# it while 200 idle connections are held open: both exit 0, all ten
# certificates issued, every validation logged by the responder, and no
# token left in the store afterwards. The responder answers a published
# token (the file's mtime is its expiry) and not an expired one, 404 for
# unknown tokens, other paths and other methods, closes oversized and
# slow request heads, and stops cleanly on SIGTERM. Last, the systemd
# unit's sandbox rebuilt by hand (mount namespace, uid 65534).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }
P=$PEBBLE_HTTP_PORT
CH=/.well-known/acme-challenge

MF_CHALLENGE="{publish: true}" write_manifest "$T/m.yaml" 10
mkdir -p "$T/store"
chmod 700 "$T/store"

"$CERTKEEP" -m "$T/m.yaml" serve-http01 --listen "127.0.0.1:$P,[::1]:$P" \
    2>"$T/serve.log" &
SERVE=$!
track_pid "$SERVE"
ok_if "serve-http01 listens" wait_port "$P" 20
like "$(cat "$T/serve.log")" "listening on 127\.0\.0\.1:$P" "it says where it listens (IPv4)"
like "$(cat "$T/serve.log")" "listening on \[::1\]:$P" "and IPv6"

code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
is "$(code "http://127.0.0.1:$P$CH/nosuchtoken")" 404 "an unknown token: 404"
is "$(code "http://127.0.0.1:$P/")" 404 "a path outside the challenges: 404"
is "$(code "http://127.0.0.1:$P$CH/../../etc/passwd")" 404 "a path with ..: 404"

# A token published by hand in the layout apply uses: served until its
# mtime (the expiry) has passed.
mkdir -p "$T/store/http-01"
printf 'tok_A-1.thumb' >"$T/store/http-01/tok_A-1"
touch -d '+10 minutes' "$T/store/http-01/tok_A-1"
is "$(curl -s --max-time 5 "http://127.0.0.1:$P$CH/tok_A-1")" "tok_A-1.thumb" \
    "a published token is served (IPv4)"
is "$(curl -s --max-time 5 "http://[::1]:$P$CH/tok_A-1")" "tok_A-1.thumb" \
    "and over IPv6"
is "$(code -I "http://127.0.0.1:$P$CH/tok_A-1")" 200 "HEAD of it: 200"
is "$(python3 "$TESTS_DIR/lib/http_probe.py" 127.0.0.1 "$P" post)" \
    "answered HTTP/1.1 404 Not Found" "POST to it: 404"
touch -d '-1 minute' "$T/store/http-01/tok_A-1"
is "$(code "http://127.0.0.1:$P$CH/tok_A-1")" 404 "an expired token: 404"
rm -f "$T/store/http-01/tok_A-1"

big=$(python3 "$TESTS_DIR/lib/http_probe.py" 127.0.0.1 "$P" big)
like "$big" '^closed' "a request head over 4096 bytes: closed unanswered ($big)"
slow=$(python3 "$TESTS_DIR/lib/http_probe.py" 127.0.0.1 "$P" slow)
like "$slow" '^closed [0-9.]+' "a slow head is closed ($slow)"
secs=${slow#closed }
ok_if "within the 2 s head deadline (+1 s) ($secs s)" \
    awk -v s="${secs:-99}" 'BEGIN { exit !(s >= 1.5 && s <= 3.0) }'

# 200 idle connections while the CA validates.
python3 "$TESTS_DIR/lib/idle_conns.py" 127.0.0.1 "$P" 200 \
    "$T/idle.stats" 2>"$T/idle.err" &
IDLE=$!
track_pid "$IDLE"
sleep 1

# Two runs at once, different certificates: they take turns on the
# store's lock (--wait) and share the one responder.
"$CERTKEEP" -m "$T/m.yaml" apply --wait c1 c2 c3 c4 c5 >"$T/a1.out" 2>"$T/a1.err" &
A1=$!
"$CERTKEEP" -m "$T/m.yaml" apply --wait c6 c7 c8 c9 c10 >"$T/a2.out" 2>"$T/a2.err" &
A2=$!
track_pid "$A1"
track_pid "$A2"
wait "$A1"; rc1=$?
wait "$A2"; rc2=$?
kill "$IDLE"
wait "$IDLE" 2>/dev/null
is "$rc1" 0 "apply c1..c5: exit 0" || sed 's/^/#   /' "$T/a1.err" | tail -15
is "$rc2" 0 "apply c6..c10: exit 0" || sed 's/^/#   /' "$T/a2.err" | tail -15
n=$(cat "$T/a1.err" "$T/a2.err" | grep -c 'issuing c[0-9]* \.\.\. done')
is "$n" 10 "all ten certificates issued"
for i in 1 2 3 4 5 6 7 8 9 10; do
	ok_if "c$i: a certificate in the store" \
	    openssl x509 -noout -in "$T/store/letsencrypt/c$i/cert.pem"
done
stats=$(cat "$T/idle.stats" 2>/dev/null)
most=$(printf '%s' "$stats" | sed -n 's/.*max=\([0-9]*\).*/\1/p')
ok_if "the idle client held 200 connections at once (${most:-none})" \
    test "${most:-0}" -ge 200
served=$(grep -c 'http-01 token [A-Za-z0-9_-]* served to' "$T/serve.log")
ok_if "the responder logged each validation it answered ($served >= 10)" \
    test "$served" -ge 10
unlike "$(cat "$T/a1.err" "$T/a2.err")" 'cannot bind' \
    "apply started no responder of its own"
is "$(stat -c %a "$T/store/http-01")" 755 "the token directory is 0755"
is "$(stat -c %a "$T/store")" 700 "inside the 0700 repository"
is "$(ls -A "$T/store/http-01" | wc -l)" 0 "no token is left after the orders"

# The unit's sandbox by hand (as root): as uid 65534 the responder cannot
# enter the 0700 repository and exits 1 at once, naming the token
# directory; with the repository hidden under an empty read-only file
# system and only http-01/ bound back read-only (what
# certkeep-serve-http01.service does with TemporaryFileSystem= and
# BindReadOnlyPaths=), the same user serves a published token and sees
# nothing else of the repository.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v setpriv >/dev/null; then
	S=$T/sb
	chmod 711 "$T"
	mkdir -p "$S/store/http-01" "$S/store/accounts" "$S/hold"
	chmod 755 "$S" "$S/store/http-01"
	chmod 700 "$S/store" "$S/store/accounts"
	printf 'secret' >"$S/store/accounts/key.pem"
	sed "s|^store: .*|store: $S/store|" "$T/m.yaml" >"$S/m.yaml"
	chmod 644 "$S/m.yaml"
	printf 'sbTok.thumb' >"$S/store/http-01/sbTok"
	chmod 644 "$S/store/http-01/sbTok"
	touch -d '+10 minutes' "$S/store/http-01/sbTok"
	P2=$(free_port)
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$CERTKEEP" -m "$S/m.yaml" \
	    serve-http01 --listen "127.0.0.1:$P2" >/dev/null 2>"$T/nobody.err"
	is "$?" 1 "uid 65534 without the sandbox: exit 1"
	like "$(cat "$T/nobody.err")" "$S/store/http-01/certkeep-probe: Permission denied" \
	    "naming the token directory it cannot read"
	# sandbox.sh S CMD...: CMD as uid 65534 in a mount namespace where
	# S/store is an empty read-only tmpfs holding http-01/ (read-only);
	# run under unshare -m, every step an exec (the PID stays CMD's).
	cat >"$T/sandbox.sh" <<'SH'
S=$1; shift
mount --make-rprivate / &&
mount --bind "$S/store/http-01" "$S/hold" &&
mount -t tmpfs -o mode=755 tmpfs "$S/store" &&
mkdir "$S/store/http-01" &&
mount --bind "$S/hold" "$S/store/http-01" &&
mount -o remount,bind,ro "$S/store/http-01" &&
mount -o remount,ro "$S/store" || exit 9
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
SH
	ok_if "in the sandbox, the rest of the repository is not there" \
	    unshare -m sh "$T/sandbox.sh" "$S" sh -c \
	    'test ! -e "$1/store/accounts" && test -r "$1/store/http-01/sbTok"' _ "$S"
	unshare -m sh "$T/sandbox.sh" "$S" "$CERTKEEP" -m "$S/m.yaml" \
	    serve-http01 --listen "127.0.0.1:$P2" 2>"$T/sandbox.log" &
	SBX=$!
	track_pid "$SBX"
	if wait_port "$P2" 20; then
		is "$(curl -s --max-time 5 "http://127.0.0.1:$P2$CH/sbTok")" "sbTok.thumb" \
		    "in the sandbox, uid 65534 serves the token"
		kill -TERM "$SBX"
		wait "$SBX"
		is "$?" 0 "and stops on SIGTERM"
	else
		fail "the sandboxed responder listens"
		diag "$(cat "$T/sandbox.log")"
	fi
	ok_if "outside, the repository is untouched" test -f "$S/store/accounts/key.pem"
else
	skip "not root, or no unshare/setpriv: the sandbox is not tried"
fi

kill -TERM "$SERVE"
wait "$SERVE"
is "$?" 0 "SIGTERM: serve-http01 exits 0"
like "$(cat "$T/serve.log")" 'stopped by SIGTERM' "and says why it stopped"
ok_unless "the port is free again" wait_port "$P" 1
unlike "$(cat "$T/serve.log")" 'Sanitizer' "no sanitizer report from the responder"
done_testing
