#!/bin/sh
# The ACME account: terms_accepted false/missing is a clear error naming
# the terms URL and the manifest place (exit 65); account register/show/
# update; the account is reused and re-found when its URL is lost; key
# rollover then apply still works; deactivate then apply registers anew;
# External Account Binding when the CA requires it.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }

MF_TERMS=false write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" apply
rc_is 65 "terms_accepted false: exit 65"
like "$ERR" "m\.yaml:[0-9]+:[0-9]+: acme\.terms_accepted must be true to register an account \(terms: data:" "names the place and the terms URL"
ok_if "nothing issued" test ! -e "$T/store/letsencrypt/c1"

MF_TERMS=omit write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" account register
rc_is 65 "terms_accepted missing: exit 65"
like "$ERR" 'terms_accepted must be true' "clear message"

write_manifest "$T/m.yaml" 2
ck -m "$T/m.yaml" account show
rc_is 1 "show without an account fails"
like "$ERR" 'no ACME account' "says there is none"
ck -m "$T/m.yaml" account register
rc_is 0 "register"
ck -m "$T/m.yaml" -o json account show
rc_is 0 "show"
url=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["url"])')
like "$url" '^https://127\.0\.0\.1:[0-9]+/my-account/' "account URL"
like "$OUT" '"status":[[:space:]]*"valid"' "status valid"
th1=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["thumbprint"])')

sed -i 's/contact: \[hostmaster@example.com\]/contact: [hostmaster@example.com, ops@example.com]/' "$T/m.yaml"
ck -m "$T/m.yaml" account update
rc_is 0 "update"
ck -m "$T/m.yaml" account show
like "$OUT" 'mailto:ops@example.com' "the CA has the new contact"

# The URL blob lost: found again by key (onlyReturnExisting).
rm -f "$T/store/accounts/"*/url
ck -m "$T/m.yaml" -o json account show
is "$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["url"])')" "$url" "same account re-found by its key"

ck -m "$T/m.yaml" -o json account rollover
rc_is 0 "rollover"
th2=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["thumbprint"])')
ok_if "new key thumbprint" test "$th1" != "$th2"
ck -m "$T/m.yaml" apply
rc_is 0 "apply after rollover"
like "$ERR" 'issuing c2 \.\.\. done' "issued with the rolled key"
rm -f "$T/store/accounts/"*/url
ck -m "$T/m.yaml" -o json account show
is "$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["url"])')" "$url" "the new key belongs to the same account"

ck -m "$T/m.yaml" account deactivate
rc_is 0 "deactivate"
ck -m "$T/m.yaml" apply --force-renew c1
rc_is 0 "apply after deactivation registers a new account"
ck -m "$T/m.yaml" -o json account show
nurl=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["url"])')
if [ -n "$nurl" ] && [ "$nurl" != "$url" ]; then pass "a different account"
else fail "a different account"; fi
stop_pebble

# EAB required.
mac=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
start_pebble "{\"externalAccountBindingRequired\": true, \"externalAccountMACKeys\": {\"kid-1\": \"$mac\"}}" ||
    { fail "start_pebble with EAB"; done_testing; }
rm -rf "$T/store"
write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" apply
rc_is 1 "EAB required but not configured: fails"
like "$ERR" 'External Account Binding' "says EAB is needed"
printf '%s\n' "$mac" >"$T/eab.key"
chmod 644 "$T/eab.key"
MF_ACME_EXTRA="eab: {kid: kid-1, hmac_key_file: $T/eab.key}" write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" apply
rc_is 1 "a world-readable EAB key file is refused"
like "$ERR" "acme.eab.hmac_key_file $T/eab.key: readable or writable by group or others" \
    "says which file and why"
chmod 600 "$T/eab.key"
ln -s "$T/eab.key" "$T/eab.link"
MF_ACME_EXTRA="eab: {kid: kid-1, hmac_key_file: $T/eab.link}" write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" apply
rc_is 1 "a symlinked EAB key file is refused"
like "$ERR" 'eab.link: a symbolic link' "says it is a symlink"
MF_ACME_EXTRA="eab: {kid: kid-1, hmac_key_file: $T/eab.key}" write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" apply
rc_is 0 "apply with EAB"
like "$ERR" 'issuing c1 \.\.\. done' "issued through an EAB account"
printf 'AAAA%s\n' "$mac" >"$T/eab.key"
rm -rf "$T/store"
ck -m "$T/m.yaml" apply
rc_is 1 "a wrong HMAC key fails"
like "$ERR" 'registering an ACME account' "says registration failed"
done_testing
