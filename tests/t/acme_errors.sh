#!/bin/sh
# Failures: an untrusted CA is refused with a clear message; a blocked
# domain fails with the CA's error naming it while the others are issued
# (exit 1); repeated validation failures put the certificate on a
# persisted backoff shown by plan and status, which --force-renew
# overrides; a second apply holding the lock is refused (or waits).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble '{"domainBlocklist": ["blocked.example.com"]}' ||
    { fail "start_pebble"; done_testing; }

# No ca_bundle and no cacert_default.pem: the system bundle does not know
# Pebble's CA.
MF_CA_BUNDLE=omit write_manifest "$T/m.yaml" 1
cd "$T" && ck -m "$T/m.yaml" apply; cd "$SRC_DIR"
rc_is 1 "untrusted CA: exit 1"
like "$ERR" "TLS certificate is not trusted" "says the certificate is not trusted"
like "$ERR" "ca_bundle" "points at acme.ca_bundle"
ok_if "no account made" test -z "$(ls "$T/store/accounts/"*/url 2>/dev/null)"
# cacert_default.pem in the manifest's directory is the second choice;
# the shell's working directory is not looked at.
mkdir -p "$T/wd" && cp "$PEBBLE_TRUST" "$T/wd/cacert_default.pem"
cd "$T/wd" && ck -m "$T/m.yaml" apply; cd "$SRC_DIR"
rc_is 1 "cacert_default.pem in the working directory is not used"
like "$ERR" "TLS certificate is not trusted" "(the CA stays untrusted)"
cp "$PEBBLE_TRUST" "$T/cacert_default.pem"
chown 65534 "$T/cacert_default.pem"
cd "$T/wd" && ck -m "$T/m.yaml" apply; cd "$SRC_DIR"
rc_is 1 "cacert_default.pem owned by another user: refused"
like "$ERR" "$T/cacert_default.pem: owned by uid 65534" "the message names the file and its owner"
chown 0 "$T/cacert_default.pem"
chmod 664 "$T/cacert_default.pem"
cd "$T/wd" && ck -m "$T/m.yaml" apply; cd "$SRC_DIR"
rc_is 1 "cacert_default.pem writable by the group: refused"
like "$ERR" "$T/cacert_default.pem: writable by group or others" "the message says why"
chmod 644 "$T/cacert_default.pem"
cd "$T/wd" && ck -m "$T/m.yaml" apply; cd "$SRC_DIR"
rc_is 0 "cacert_default.pem in the manifest's directory is trusted"
rm -f "$T/cacert_default.pem"

MF_HOSTS_2="blocked.example.com" write_manifest "$T/m.yaml" 3
ck -m "$T/m.yaml" apply
rc_is 1 "a blocked domain: exit 1"
like "$ERR" 'c2 .*failed.*blocked\.example\.com' "the error names the blocked name"
like "$ERR" 'rejectedIdentifier|policy' "with the CA's problem"
like "$ERR" 'issuing c3 \.\.\. done' "the others are issued"
ok_if "c3 is in the repository" test -s "$T/store/letsencrypt/c3/cert.pem"
ck -m "$T/m.yaml" -o json status
like "$OUT" 'rejectedIdentifier' "status shows the last error"

# Validation that cannot succeed: the responder is not where the VA looks.
bad=$(free_port)
MF_CHALLENGE="{listen: \"127.0.0.1:$bad\"}" MF_HOSTS_1=v.example.com write_manifest "$T/v.yaml" 1
sed -i "s|store: .*|store: $T/vstore|" "$T/v.yaml"
ck -m "$T/v.yaml" apply
rc_is 1 "validation failure: exit 1"
like "$ERR" 'v\.example\.com: validation failed' "names the hostname that failed validation"
ck -m "$T/v.yaml" apply
rc_is 1 "second validation failure"
like "$ERR" 'no new attempt before' "repeated failures start a backoff"
pebble_mark
ck -m "$T/v.yaml" apply
rc_is 1 "held back: still exit 1"
like "$ERR" 'held back until' "says it is held back"
is "$(pebble_since_mark)" 0 "a held-back certificate sends the CA nothing"
ck -m "$T/v.yaml" -o json plan
like "$OUT" '"backoff_until":[[:space:]]*"20' "plan shows the backoff"
ck -m "$T/v.yaml" -o json status
like "$OUT" '"backoff_until":[[:space:]]*"20' "status shows the backoff"
ck -m "$T/v.yaml" apply --force-renew
like "$ERR" 'validation failed' "--force-renew tries again"

# The store lock.
write_manifest "$T/m.yaml" 1
lockfile=store.lock
if [ -e "$T/store/locks/$lockfile" ]; then
	flock "$T/store/locks/$lockfile" sleep 3 &
	track_pid $!
	sleep 0.5
	ck -m "$T/m.yaml" apply
	rc_is 1 "a second apply is refused while the lock is held"
	like "$ERR" 'lock|held|pid' "with a clear message"
	ck -m "$T/m.yaml" apply --wait
	rc_is 0 "--wait waits for the lock"
else
	fail "store lock file exists"
fi
done_testing
