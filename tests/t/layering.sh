#!/bin/sh
# src/ is in folders by layer (docs/hacking.md): base, dns, chall, acme,
# store, manifest, then checks and render, deploy, reconcile, cli. A file
# includes only its own folder and lower layers, and the include graph has
# no cycle. tests/lib/layers.py holds the ranks and reports every breach.
. "$(dirname "$0")/../lib.sh"

LAYERS="$TESTS_DIR/lib/layers.py"

# The checker bites: an upward include, a same-rank sibling, a folder with
# no rank and a cycle are each reported, with file and line.
mkdir -p "$T/src/base" "$T/src/acme" "$T/src/render" "$T/src/checks" \
    "$T/src/extra"
printf '#include "acme/acme.h"\n' >"$T/src/base/util.h"
printf '#include "base/util.h"\n' >"$T/src/acme/acme.h"
printf '#include "checks/check.h"\n' >"$T/src/render/render.h"
printf '\n' >"$T/src/checks/check.h"
printf '\n' >"$T/src/extra/x.c"
out=$(python3 "$LAYERS" "$T/src"); rc=$?
is "$rc" 1 "a breach fails the check"
like "$out" 'src/base/util\.h:1: base \(rank 0\) includes acme/acme\.h' \
    "an upward include is named with its line"
like "$out" 'src/render/render\.h:1: render \(rank 6\) includes checks/check\.h' \
    "a sibling of the same rank is a breach"
like "$out" 'extra/x\.c: folder extra has no rank' "a folder must be ranked"
like "$out" 'include cycle: (acme/acme\.h -> base/util\.h -> acme/acme\.h|base/util\.h -> acme/acme\.h -> base/util\.h)' \
    "a cycle is found"

# A tree that keeps the rule passes.
rm -rf "$T/src"; mkdir -p "$T/src/base" "$T/src/acme"
printf '\n' >"$T/src/base/util.h"
printf '#include "base/util.h"\n' >"$T/src/acme/acme.h"
out=$(python3 "$LAYERS" "$T/src"); rc=$?
is "$rc" 0 "a downward include is fine"

# And the project's own tree keeps it.
out=$(python3 "$LAYERS" "$SRC_DIR/src"); rc=$?
is "$rc" 0 "src/ keeps the layering"
is "$out" "" "no breach in src/"
done_testing
