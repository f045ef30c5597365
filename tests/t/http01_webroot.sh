#!/bin/sh
# http-01 webroot mode against Pebble, a web server (python3 http.server)
# serving the webroot: when the webroot's owner (uid 65534 here) makes
# .well-known/acme-challenge a symlink to a directory of theirs, apply
# fails naming the link and writes nothing there; with a plain directory
# the certificate is issued and the token file is removed afterwards.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/pebble.sh"

start_pebble || { fail "start_pebble"; done_testing; }
www=$T/www out=$T/outside
mkdir -p "$www/.well-known" "$out"
chmod 755 "$T"
chown -R 65534:65534 "$www" "$out"
pebble_webroot "$www" || fail "web server up"

ln -s "$out" "$www/.well-known/acme-challenge"
chown -h 65534:65534 "$www/.well-known/acme-challenge"
MF_CHALLENGE="{webroot: \"$www\"}" write_manifest "$T/m.yaml" 1
ck -m "$T/m.yaml" apply
rc_is 1 "a symlink planted by the webroot's owner: apply fails"
like "$ERR" "$www/.well-known/acme-challenge: a symlink owned by uid 65534" \
    "the message names the link and its owner"
is "$(ls -A "$out")" "" "nothing left in the link's target"
unlike "$(cat "$T/httpd.log")" 'GET /\.well-known/acme-challenge/[^ ]* HTTP/1\.1" 200' \
    "and no token was ever served from it"

rm "$www/.well-known/acme-challenge"
ck -m "$T/m.yaml" apply
rc_is 0 "plain directories: apply succeeds"
like "$ERR" 'issuing c1 \.\.\. done' "the certificate is issued"
is "$(ls -A "$www/.well-known/acme-challenge")" "" "the token file is removed afterwards"
is "$(stat -c %a "$www/.well-known/acme-challenge")" 755 \
    "acme-challenge made 0755 (the web server reads it)"
done_testing
