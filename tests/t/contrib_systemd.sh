#!/bin/sh
# contrib/systemd: certkeep.service and certkeep.timer pass
# `systemd-analyze verify` (the service checked as a copy whose ExecStart
# names the binary under test, since /usr/bin/certkeep need not exist
# here; nothing else differs), the timer fires twice a day with a
# randomized delay and catches up missed runs, the service runs
# `apply --next-run 12h` as a oneshot, certkeep.tmpfiles makes the
# repository (0700) and fragments directories, and `systemd-analyze security
# --offline=yes` rates the service at most 1.7.
#
# Why 1.7: that is the floor for a service that runs as root and needs the
# network (User= 0.4, PrivateNetwork= 0.5, AF_INET/AF_INET6 0.3,
# IPAddressDeny= 0.2 are what certkeep needs to talk to a CA as the
# owner of the repository). Dropping any of ProtectSystem=,
# ProtectHome=, PrivateTmp=, PrivateDevices=, NoNewPrivileges= lifts it
# to 1.9; the system call filter or the capability bounding set, past 3.
. "$(dirname "$0")/../lib.sh"

U=$SRC_DIR/contrib/systemd
BIN=${CERTKEEP_PLAIN:-$CERTKEEP}
command -v systemd-analyze >/dev/null || { fail "systemd-analyze installed"; done_testing; }

sed "s|^ExecStart=/usr/bin/certkeep |ExecStart=$BIN |" "$U/certkeep.service" >"$T/certkeep.service"
cp "$U/certkeep.timer" "$T/certkeep.timer"
is "$(diff "$U/certkeep.service" "$T/certkeep.service" | grep -c '^[<>]')" 2 \
    "the copy differs only in the ExecStart line"
out=$(cd "$T" && systemd-analyze verify --man=no "$T/certkeep.service" "$T/certkeep.timer" 2>&1)
rc=$?
is "$rc" 0 "systemd-analyze verify: service and timer" || diag "$out"
is "$out" "" "systemd-analyze verify: no complaint" || diag "$out"

# A broken unit is refused (the check can fail).
sed 's/^Type=oneshot/Type=oneshott/' "$T/certkeep.service" >"$T/broken.service"
out=$(cd "$T" && systemd-analyze verify --man=no "$T/broken.service" 2>&1)
like "$out" 'Failed to parse service type' "systemd-analyze verify complains about a bad Type="

svc=$(cat "$U/certkeep.service")
like "$svc" '^Type=oneshot$' "the service is a oneshot"
like "$svc" '^ExecStart=/usr/bin/certkeep apply --next-run 12h' "it runs apply --next-run 12h"
like "$svc" 'ReadWritePaths=/var/opt/certkeep' "the repository is writable"
like "$svc" 'ReadWritePaths=-/etc/certkeep/fragments' "the fragments are writable"
tim=$(cat "$U/certkeep.timer")
like "$tim" 'OnCalendar=\*-\*-\* 00,12:00:00' "the timer fires twice a day"
like "$tim" 'RandomizedDelaySec=' "with a randomized delay"
like "$tim" 'Persistent=true' "missed runs are caught up"
# The calendar expression really means twice a day.
next=$(systemd-analyze calendar --iterations=3 '*-*-* 00,12:00:00' 2>&1 | grep -c 'Iter\|Next elapse')
is "$next" 3 "systemd-analyze calendar: three elapses listed"

sec=$(cd "$T" && systemd-analyze security --offline=yes "$T/certkeep.service" 2>&1)
score=$(printf '%s\n' "$sec" | sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
diag "systemd-analyze security --offline=yes certkeep.service: exposure $score"
like "$score" '^[0-9]+\.[0-9]$' "security: an exposure score"
ok_if "security: exposure $score <= 1.7" awk -v s="$score" 'BEGIN { exit !(s <= 1.7) }'
for opt in ProtectSystem ProtectHome PrivateTmp NoNewPrivileges CapabilityBoundingSet=~CAP_SYS_ADMIN; do
	like "$sec" "✓ $opt" "security: $opt counted"
done
# Without its hardening the same unit scores worse (the measure works).
grep -v '^ProtectSystem=\|^NoNewPrivileges=' "$T/certkeep.service" >"$T/weak.service"
weak=$(cd "$T" && systemd-analyze security --offline=yes "$T/weak.service" 2>&1 |
    sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
ok_if "security: without ProtectSystem/NoNewPrivileges it is worse ($weak)" \
    awk -v s="$weak" 'BEGIN { exit !(s > 1.7) }'

# certkeep-serve-http01.service: verified the same way (a copy naming
# the binary under test); it runs serve-http01 as a dynamic user that may
# bind port 80 and nothing more, sees of the repository only the http-01
# token directory (read-only), gets the manifest as a credential, and
# rates at most 1.7 too.
sed "s|^ExecStart=/usr/bin/certkeep |ExecStart=$BIN |" "$U/certkeep-serve-http01.service" \
    >"$T/certkeep-serve-http01.service"
is "$(diff "$U/certkeep-serve-http01.service" "$T/certkeep-serve-http01.service" | grep -c '^[<>]')" 2 \
    "serve-http01: the copy differs only in the ExecStart line"
out=$(cd "$T" && systemd-analyze verify --man=no "$T/certkeep-serve-http01.service" 2>&1)
is "$?" 0 "systemd-analyze verify: certkeep-serve-http01.service" || diag "$out"
is "$out" "" "systemd-analyze verify: no complaint about it" || diag "$out"
srv=$(cat "$U/certkeep-serve-http01.service")
like "$srv" '^ExecStart=/usr/bin/certkeep serve-http01 --listen \*:80$' "it runs serve-http01 --listen *:80"
like "$srv" '^Type=simple$' "a long-running service"
like "$srv" '^DynamicUser=yes$' "as a dynamic (unprivileged) user"
like "$srv" '^AmbientCapabilities=CAP_NET_BIND_SERVICE$' "that may bind port 80"
like "$srv" '^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$' "and has no other capability"
like "$srv" '^TemporaryFileSystem=/var/opt/certkeep:ro$' "the repository is hidden"
like "$srv" '^BindReadOnlyPaths=/var/opt/certkeep/http-01$' "but for its token directory, read-only"
like "$srv" '^LoadCredential=manifest:/etc/certkeep/certkeep.yaml$' "the manifest comes as a credential"
unlike "$srv" '^ReadWritePaths=' "nothing is writable"
# The ExecStart names a real command of this certkeep.
"$BIN" help 2>&1 | grep -q 'serve-http01' && pass "certkeep help lists serve-http01" ||
    fail "certkeep help lists serve-http01"
sec=$(cd "$T" && systemd-analyze security --offline=yes "$T/certkeep-serve-http01.service" 2>&1)
score=$(printf '%s\n' "$sec" | sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
diag "systemd-analyze security --offline=yes certkeep-serve-http01.service: exposure $score"
ok_if "serve-http01 security: exposure $score <= 1.7" awk -v s="${score:-9}" 'BEGIN { exit !(s <= 1.7) }'
like "$sec" "✓ User=/DynamicUser=" "serve-http01 security: not root"

# tmpfiles.d makes the repository the unit needs writable, 0700.
mkdir -p "$T/root"
out=$(systemd-tmpfiles --root="$T/root" --create "$U/certkeep.tmpfiles" 2>&1)
is "$?" 0 "systemd-tmpfiles --create certkeep.tmpfiles" || diag "$out"
is "$(stat -c %a "$T/root/var/opt/certkeep" 2>&1)" 700 "the repository is made 0700"
ok_if "the fragments directory is made" test -d "$T/root/etc/certkeep/fragments"
is "$(stat -c %a "$T/root/var/opt/certkeep/http-01" 2>&1)" 755 \
    "the token directory serve-http01 binds is made, 0755"
done_testing
