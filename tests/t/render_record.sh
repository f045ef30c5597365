#!/bin/sh
# The record of what a fragment directory holds (<dir>/.certkeep-verified)
# spares a run with nothing to change from reading every fragment, and
# never hides a change: a fragment edited in place (same size, same
# times), replaced, or a damaged record are all seen as a full read would
# see them, and apply puts the fragment right.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib/mkcerts.sh"

mkcerts_site
F=$S/fragments/nginx
R=$F/.certkeep-verified
NAMES="a b c"
mkcerts_site_leaves $NAMES
mkcerts_site_manifest 'fragments: {dir: fragments}' \
    '    listeners: [{server: nginx, service: webmail, address: "0.0.0.0:443"}]'

ck -m "$M" apply
rc_is 0 "first apply writes the fragments"
ok_if "no record of fragments just written" test ! -e "$R"
ck -m "$M" apply
rc_is 0 "second apply"
ok_if "the second apply recorded what it read" test -s "$R"
like "$(head -1 "$R")" "^certkeep fragments 1$" "record header"
is "$(grep -c '^a\.conf	' "$R")" 1 "a.conf is in the record"
ino=$(ls -i "$R")
ck -m "$M" plan
rc_is 0 "plan: nothing to write"
ck -m "$M" apply
is "$(ls -i "$R")" "$ino" "a run with nothing to change keeps the record as it is"
cp "$F/b.conf" "$T/b.conf.good"

# Edited in place: same inode, same size, times put back; only the
# change time and the content differ.
stamp=$(stat -c %y "$F/a.conf")
python3 - "$F/a.conf" <<'EOF'
import sys
with open(sys.argv[1], "r+") as f:	# same inode, same size
    t = f.read().replace("listen", "lIsten")
    f.seek(0)
    f.write(t)
EOF
touch -d "$stamp" "$F/a.conf"
# Replaced by a file of the same content: read once, still the same.
cp -p "$F/c.conf" "$T/c.conf" && mv "$T/c.conf" "$F/c.conf"
ck -m "$M" plan
rc_is 2 "plan: a fragment to write"
like "$OUT" "write +nginx +.*/a\\.conf" "edited fragment: to be written"
unlike "$OUT" "write +nginx +.*/[bc]\\.conf" "untouched and replaced-but-same fragments: nothing to write"
ck -m "$M" apply
rc_is 0 "apply puts the fragment right"
unlike "$(cat "$F/a.conf")" "lIsten" "a.conf rewritten"
ck -m "$M" plan
rc_is 0 "plan after apply: nothing to write"

# A damaged record: every fragment is read again; apply writes it afresh.
printf 'certkeep fragments 1\nb.conf\t1:2:3\tzz\n' >"$R"
printf '# edited\n' >>"$F/b.conf"
ck -m "$M" plan
rc_is 2 "damaged record: the edited fragment is still seen"
like "$OUT" "write +nginx +.*/b\\.conf" "b.conf to be written"
ck -m "$M" apply
rc_is 0 "apply with a damaged record"
is "$(cat "$F/b.conf")" "$(cat "$T/b.conf.good")" "b.conf rewritten"
ck -m "$M" apply
is "$(grep -c . "$R")" "$(($(ls "$F" | grep -c .) + 1))" \
    "apply wrote the record again: one line per fragment"
# A record that lies about a file's content (right identity, another
# hash) is not believed either.
sed -i 's/\t[0-9a-f]*$/\t0000000000000000000000000000000000000000000000000000000000000000/' "$R"
ck -m "$M" plan
rc_is 0 "a record with other hashes: files read, nothing to write"
done_testing
