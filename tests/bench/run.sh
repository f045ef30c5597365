#!/bin/sh
# tests/bench/run.sh - `make bench`: runs every tests/bench/*.sh (except
# this file) against the optimised ./certkeep and prints what each
# measured. Each bench is a shell script that sources tests/lib.sh, prints
# "# name: value" lines and TAP; a failing bench fails `make bench`.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${CERTKEEP:=$(pwd)/certkeep}"
export CERTKEEP
rc=0
for f in tests/bench/*.sh; do
	[ "$(basename "$f")" = run.sh ] && continue
	echo "== $f"
	sh "$f" || rc=1
done
exit $rc
