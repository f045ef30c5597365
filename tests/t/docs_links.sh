#!/bin/sh
# The documentation holds together: every relative link of README.md,
# tests/README.md and docs/*.md leads to a file that exists (and a #part to
# a heading of that page), and README.md stays a front door of at most 250
# lines. tests/lib/doclinks.py does the checking; it is first shown to
# catch a broken link, a broken anchor and a long README planted in a copy
# of the documentation.
. "$(dirname "$0")/../lib.sh"

LINKS="$TESTS_DIR/lib/doclinks.py"

# A copy of the documentation whose link targets are the real ones: the
# Markdown files copied, every other top-level entry linked.
C="$T/copy"
mkdir -p "$C/tests"
cp "$SRC_DIR/README.md" "$C/"
cp -R "$SRC_DIR/docs" "$C/docs"
cp "$SRC_DIR/tests/README.md" "$C/tests/"
for e in "$SRC_DIR"/* "$SRC_DIR"/tests/*; do
	rel=${e#"$SRC_DIR"/}
	[ -e "$C/$rel" ] || ln -s "$e" "$C/$rel"
done

out=$(python3 "$LINKS" "$C"); rc=$?
is "$rc" 0 "the copy passes as the tree does"
[ "$rc" -eq 0 ] || diag "$out"

# A link to a file that does not exist.
cp "$C/docs/store.md" "$T/store.md"
printf '\nSee [the old page](backups.md) and `[code](nope.md)`.\n' \
    >>"$C/docs/store.md"
out=$(python3 "$LINKS" "$C"); rc=$?
is "$rc" 1 "a broken link fails the check"
like "$out" '^docs/store\.md:[0-9]+: backups\.md: no such file$' \
    "it is named with its file and line"
unlike "$out" 'nope\.md' "a link inside a code span is not a link"
cp "$T/store.md" "$C/docs/store.md"

# A link to a heading that does not exist, from README.md.
cp "$C/README.md" "$T/README.md"
printf '\nSee [restore](docs/backup.md#restoring).\n' >>"$C/README.md"
out=$(python3 "$LINKS" "$C"); rc=$?
is "$rc" 1 "a broken anchor fails the check"
like "$out" 'README\.md:[0-9]+: docs/backup\.md#restoring: no heading #restoring in docs/backup\.md' \
    "the anchor and the page are named"
cp "$T/README.md" "$C/README.md"

# The README grows past 250 lines.
seq 1 250 | sed 's/^/filler /' >>"$C/README.md"
out=$(python3 "$LINKS" "$C"); rc=$?
is "$rc" 1 "a README over 250 lines fails the check"
like "$out" '^README\.md: [0-9]+ lines, more than 250$' "and says so"
cp "$T/README.md" "$C/README.md"

# And the project's own documentation keeps the rules.
out=$(python3 "$LINKS" "$SRC_DIR"); rc=$?
is "$rc" 0 "README.md, tests/README.md and docs/*.md: every link holds"
is "$out" "" "no broken link, README.md at most 250 lines"
done_testing
