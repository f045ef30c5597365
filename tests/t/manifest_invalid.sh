#!/bin/sh
# The invalid-manifest corpus: every tests/manifests/invalid/NN-what.yaml
# makes `certkeep plan -m FILE` exit 65 with exactly the lines of
# NN-what.err on stderr (FILE as given: a relative name, run from the
# copy's directory), and creates nothing: the store each one names (under
# $T) must not exist afterwards. Then check/apply/status/render on an
# invalid manifest exit 65 too, and the valid example loads.
. "$(dirname "$0")/../lib.sh"

SRC=$TESTS_DIR/manifests/invalid
INV=$T/inv
mkdir -p "$INV"
cd "$INV" || exit 1
n=0
for y in "$SRC"/*.yaml; do
	base=$(basename "$y" .yaml)
	# Each manifest stores into its own path under $T (replacing @STORE@).
	sed "s|@STORE@|$T/store-$base|" "$y" >"$INV/$base.yaml"
	ck plan -m "$base.yaml"
	rc_is 65 "$base: exit 65"
	is "$ERR" "$(cat "$SRC/$base.err")" "$base: the expected diagnostics"
	is "$OUT" "" "$base: nothing on stdout"
	ok_if "$base: no store created" test ! -e "$T/store-$base"
	n=$((n + 1))
done
ok_if "at least 45 invalid manifests ($n)" test "$n" -ge 45

# Over the size limit: refused before parsing (made here, not committed).
python3 -c "
import sys
sys.stdout.write('version: 1\n' + '#' * (64 * 1024 * 1024) + '\n')" >"$INV/big.yaml"
ck plan -m big.yaml
rc_is 65 "oversized: exit 65"
is "$ERR" "big.yaml:1:1: the manifest is larger than 67108864 bytes" \
    "oversized: refused before parsing"

# Invalid UTF-8 is a syntax error with a place.
printf 'version: 1\ndomains: [ex\377ample.com]\n' >"$INV/utf8.yaml"
ck plan -m utf8.yaml
rc_is 65 "invalid UTF-8: exit 65"
like "$ERR" '^utf8\.yaml:[0-9]+:[0-9]+: invalid leading UTF-8 octet' \
    "invalid UTF-8: named with a place"

# An alias bomb fails at the first anchor, fast and small.
{
	echo 'version: 1'
	echo 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'
	for i in b c d e f g h i j; do
		echo "$i: &$i [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]"
	done
} >"$INV/bomb.yaml"
ck plan -m bomb.yaml
rc_is 65 "alias bomb: exit 65"
is "$ERR" "bomb.yaml:2:4: YAML aliases and anchors are not allowed" \
    "alias bomb: refused at the first anchor"

# Every command that reads the manifest refuses an invalid one with 65.
M=$INV/55-several-errors.yaml
for cmd in check apply status render; do
	ck -m "$M" $cmd
	rc_is 65 "$cmd on an invalid manifest: exit 65"
	like "$ERR" "^$M:4:14: acme.directory" "$cmd: diagnostics with FILE:LINE:COL"
done
ck -m "$M" -o json plan
rc_is 65 "plan -o json on an invalid manifest: exit 65"
is "$OUT" "" "plan -o json: no JSON for an invalid manifest"
ok_if "no store created by any command" test ! -e "$T/store-55-several-errors"

# A missing manifest names the file.
ck -m "$T/nonexistent.yaml" plan
rc_is 65 "missing manifest: exit 65"
like "$ERR" "$T/nonexistent.yaml: No such file" "missing manifest: named"

# The example is valid (its store is not touched: plan only reads).
ck -m "$TESTS_DIR/../manifest.example.yaml" status
rc_is 0 "manifest.example.yaml loads (status exit 0)"
if [ ! -e /var/opt/certkeep ]; then
	ck -m "$TESTS_DIR/../manifest.example.yaml" -o json plan
	rc_is 2 "example: plan exits 2 (changes pending)"
	is "$(printf '%s' "$OUT" | python3 -c 'import json,sys
print(sorted(set(c["action"] for c in json.load(sys.stdin)["certificates"])))')" \
	    "['issue']" "example: every certificate is to be issued"
else
	skip "/var/opt/certkeep exists here: the example's plan is not all issue"
fi
done_testing
