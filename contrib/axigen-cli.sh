#!/bin/sh
# axigen-cli.sh - feeds a CLI script written by certkeep (fragments/axigen/
# listeners.cli) to Axigen's CLI service (default 127.0.0.1:7000).
#
#   axigen-cli.sh -P /root/axigen-admin.pass [-H host] [-p port] [-u admin]
#                 [--add-missing] [-v] listeners.cli
#
# The admin password is read from the file given with -P (never from the
# command line, never printed). The script logs in (USER, then the password
# at the <password> prompt), sends every line of the file that is not blank
# and does not start with '#', reads each answer up to the next prompt, and
# stops at the first "-ERR" (exit 1, naming the line and Axigen's answer);
# it always ends the session with QUIT. Facts used (Axigen's CLI service,
# as documented): telnet-style lines ending in CRLF, every command answered by
# "+OK: ..." or "-ERR: ..." and then a prompt "<ctx#> ".
# --add-missing: when "UPDATE Listener ..." or "UPDATE UrlRedirect ..."
# gets -ERR (the object does not exist yet; after a failed UPDATE the
# context does not change), the same line is sent again as ADD. [I]
# Needs python3 (Debian: python3-minimal).
set -eu

usage() {
	echo "usage: $0 -P PASSWORD_FILE [-H HOST] [-p PORT] [-u USER] [--add-missing] [-v] SCRIPT" >&2
	exit 64
}

HOST=127.0.0.1 PORT=7000 USERNAME=admin PASSFILE="" ADD=0 VERBOSE=0
while [ $# -gt 0 ]; do
	case "$1" in
	-H) [ $# -ge 2 ] || usage; HOST=$2; shift 2 ;;
	-p) [ $# -ge 2 ] || usage; PORT=$2; shift 2 ;;
	-u) [ $# -ge 2 ] || usage; USERNAME=$2; shift 2 ;;
	-P) [ $# -ge 2 ] || usage; PASSFILE=$2; shift 2 ;;
	--add-missing) ADD=1; shift ;;
	-v) VERBOSE=1; shift ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] && [ -n "$PASSFILE" ] || usage
[ -r "$PASSFILE" ] || { echo "$0: $PASSFILE: cannot read the password file" >&2; exit 1; }
[ -r "$1" ] || { echo "$0: $1: cannot read the script" >&2; exit 1; }

export AXCLI_HOST="$HOST" AXCLI_PORT="$PORT" AXCLI_USER="$USERNAME" \
    AXCLI_PASSFILE="$PASSFILE" AXCLI_ADD="$ADD" AXCLI_VERBOSE="$VERBOSE" \
    AXCLI_SCRIPT="$1"
exec python3 -c '
import os, re, socket, sys

env = os.environ
script = env["AXCLI_SCRIPT"]
verbose = env["AXCLI_VERBOSE"] == "1"
PROMPT = re.compile(rb"\r?\n?<([^<>\r\n]*)> ?$")

def say(msg):
    sys.stderr.write("axigen-cli: %s\n" % msg)

def safe(b):
    return b.decode("utf-8", "backslashreplace").encode(
        "ascii", "backslashreplace").decode("ascii")

class Cli:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, int(port)), timeout=30)
        self.buf = b""
    def read(self):
        """Reads up to the next prompt; returns (text before it, prompt)."""
        while True:
            m = PROMPT.search(self.buf)
            if m:
                text, prompt = self.buf[:m.start()], m.group(1)
                self.buf = b""
                return text, prompt
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed by the server")
            self.buf += chunk
    def send(self, line):
        self.s.sendall(line.encode("utf-8") + b"\r\n")

def failed(text):
    for l in text.splitlines():
        if l.startswith(b"-ERR"):
            return l
    return None

try:
    with open(env["AXCLI_PASSFILE"], "rb") as f:
        password = f.read().decode("utf-8").splitlines()[0]
except (OSError, IndexError) as e:
    say("%s: cannot read the password: %s" % (env["AXCLI_PASSFILE"], e))
    sys.exit(1)
try:
    with open(script, encoding="utf-8") as f:
        lines = f.read().splitlines()
except OSError as e:
    say("%s: %s" % (script, e))
    sys.exit(1)

cli = None
rc = 1
try:
    cli = Cli(env["AXCLI_HOST"], env["AXCLI_PORT"])
    text, prompt = cli.read()
    if prompt != b"login":
        raise RuntimeError("expected the <login> prompt, got <%s>" % safe(prompt))
    cli.send("USER " + env["AXCLI_USER"])
    text, prompt = cli.read()
    if prompt != b"password":
        raise RuntimeError("USER: expected the <password> prompt, got %s <%s>"
                           % (safe(text.strip()), safe(prompt)))
    cli.send(password)
    text, prompt = cli.read()
    if failed(text) or b"#" not in prompt:
        raise RuntimeError("login refused: %s" % safe(text.strip()))
    rc = 0
    for n, line in enumerate(lines, 1):
        cmd = line.strip()
        if not cmd or cmd.startswith("#"):
            continue
        cli.send(cmd)
        text, prompt = cli.read()
        if verbose:
            say("%s:%d: %s -> <%s>" % (script, n, cmd, safe(prompt)))
        err = failed(text)
        if err and env["AXCLI_ADD"] == "1" and re.match(
                r"UPDATE (Listener|UrlRedirect) ", cmd, re.I):
            add = "ADD" + cmd[len("UPDATE"):]
            say("%s:%d: %s: %s; trying %s" % (script, n, cmd, safe(err), add))
            cli.send(add)
            text, prompt = cli.read()
            err = failed(text)
        if err:
            say("%s:%d: %s: %s" % (script, n, cmd, safe(err)))
            rc = 1
            break
except (OSError, EOFError, RuntimeError) as e:
    say("%s:%s: %s" % (env["AXCLI_HOST"], env["AXCLI_PORT"], e))
    rc = 1
finally:
    if cli is not None:
        try:
            cli.send("QUIT")
            cli.s.settimeout(5)
            cli.s.recv(4096)
        except OSError:
            pass
        cli.s.close()
sys.exit(rc)
'
