#!/bin/sh
# What a deploy hook gets and what its output can leak, against Pebble:
# certkeep started with SIGCHLD ignored (as some supervisors do) still sees
# a hook's exit status 1 as a failure; a hook inherits no descriptor but
# 0-2 (not the ACME client's sockets); CERTKEEP_PASSPHRASE is not in its
# environment; a private key the hook prints never reaches the log.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }

# manifest HOOK-ARGV: one certificate c1 with that deploy_hook.
manifest() {
	{
		pebble_manifest_head
		echo "fragments:"
		echo "  dir: $T/frag"
		echo "certificates:"
		echo "  - name: c1"
		echo "    hostnames: [c1.example.com]"
		echo "    deploy_hook: $1"
		echo "    listeners:"
		echo "      - {server: dovecot, service: imap, address: \"127.0.0.1:9901\"}"
	} >"$T/m.yaml"
}

# SIGCHLD ignored by the parent: waitpid() then fails with ECHILD, which
# must not read as "the hook exited 0".
manifest '[sh, -c, "exit 1"]'
python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$CERTKEEP" -m "$T/m.yaml" apply \
    >"$T/.out" 2>"$T/.err"
ck_result $? "apply (SIGCHLD ignored)"
rc_is 1 "SIGCHLD ignored: a hook that exits 1 fails the run"
like "$ERR" 'deploy_hook c1: exit status 1' "and is reported as exit status 1"

# Descriptors, environment, a key printed by the hook. ls runs in a child
# of the shell (the "; true" keeps sh from exec'ing it), so it lists the
# shell's descriptors: what the hook was given.
cat >"$T/hook.yaml" <<'EOF'
[sh, -c, 'ls /proc/$$/fd; echo "passphrase: ${CERTKEEP_PASSPHRASE-unset}"; echo key follows; cat "$CERTKEEP_KEY"; echo key printed >&2; true']
EOF
manifest "$(cat "$T/hook.yaml")"
CERTKEEP_PASSPHRASE=hunter2-secret ck -m "$T/m.yaml" apply --force-renew
rc_is 0 "apply with the hook"
fds=$(printf '%s\n' "$ERR" | sed -n 's/^certkeep: deploy_hook c1: \([0-9][0-9]*\)$/\1/p' |
    sort -n | tr '\n' ' ')
is "$fds" "0 1 2 " "the hook gets descriptors 0-2 only"
like "$ERR" 'deploy_hook c1: passphrase: unset' \
    "CERTKEEP_PASSPHRASE is not passed to hooks"
unlike "$ERR" 'hunter2-secret' "the passphrase is nowhere in the log"
like "$ERR" 'deploy_hook c1: key follows' "lines before the key are logged"
like "$ERR" 'deploy_hook c1: key printed' "lines after the key are logged"
key="$T/store/letsencrypt/c1/key.pem"
n=0 leaked=0
while IFS= read -r line; do
	case "$line" in -----*) continue;; esac
	n=$((n + 1))
	printf '%s\n' "$ERR" | grep -qF -- "$line" && leaked=$((leaked + 1))
done <"$key"
ok_if "the key has a base64 body ($n lines)" test "$n" -gt 0
is "$leaked" 0 "no line of the key's body is in the log"
unlike "$ERR" 'PRIVATE KEY' "nor its armour"
done_testing
