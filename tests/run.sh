#!/bin/sh
# tests/run.sh [NAME...] - runs every unit test binary ($TESTBIN/test_*)
# and every shell test (tests/t/*.sh), each producing TAP, JOBS at a time.
# Prints one line per test file, the failures' output, and a closing line
# "N passed, N failed, N skipped" counting individual TAP results.
# Exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${CERTKEEP:?}" "${TESTBIN:?}"
JOBS=${JOBS:-2}
TIMEOUT=${TEST_TIMEOUT:-600}
OUTDIR=${TEST_OUT:-tests/out}
rm -rf "$OUTDIR"; mkdir -p "$OUTDIR"
export CERTKEEP TESTBIN

list=""
for f in "$TESTBIN"/test_* tests/t/*.sh; do
	[ -e "$f" ] || continue
	case "$f" in *.d|*.o) continue;; esac
	name=$(basename "$f"); name=${name%.sh}
	if [ $# -gt 0 ]; then
		match=0
		for want in "$@"; do case "$name" in *$want*) match=1;; esac; done
		[ $match -eq 1 ] || continue
	fi
	list="$list $f"
done

start=$(date +%s)
# One job: run a test, keep its TAP in OUTDIR/name.tap and its exit status.
printf '%s\n' $list | xargs -P "$JOBS" -I{} sh -c '
	f=$1; out=$2; to=$3
	name=$(basename "$f"); name=${name%.sh}
	t0=$(date +%s)
	case "$f" in
	*.sh) timeout -k 10 "$to" sh "$f" >"$out/$name.tap" 2>"$out/$name.err" ;;
	*) timeout -k 10 "$to" "$f" >"$out/$name.tap" 2>"$out/$name.err" ;;
	esac
	rc=$?
	echo "$rc $(( $(date +%s) - t0 ))" >"$out/$name.rc"
	p=$(grep -c "^ok " "$out/$name.tap"); fl=$(grep -c "^not ok " "$out/$name.tap")
	if [ $rc -eq 0 ] && [ "$fl" -eq 0 ]; then s=PASS; else s=FAIL; fi
	printf "%-4s %-28s %3d ok %3d not ok  %4ss\n" $s "$name" "$p" "$fl" "$(( $(date +%s) - t0 ))"
' _ {} "$OUTDIR" "$TIMEOUT"

passed=0; failed=0; skipped=0
for f in $list; do
	name=$(basename "$f"); name=${name%.sh}
	tap="$OUTDIR/$name.tap"
	read rc secs <"$OUTDIR/$name.rc"
	s=$(grep -c '^ok .*# SKIP' "$tap")
	p=$(grep -c '^ok ' "$tap"); p=$((p - s))
	fl=$(grep -c '^not ok ' "$tap")
	passed=$((passed + p)); skipped=$((skipped + s)); failed=$((failed + fl))
	plan=$(grep -E '^1\.\.[0-9]+' "$tap" | tail -1 | cut -c4-)
	bad=""
	if [ "$rc" -ne 0 ] && [ "$fl" -eq 0 ]; then
		bad="exited with status $rc"
	elif [ -z "$plan" ]; then
		bad="no TAP plan (crashed or stopped early)"
	elif [ "$plan" -ne $((p + s + fl)) ]; then
		bad="planned $plan, ran $((p + s + fl))"
	fi
	if [ -n "$bad" ]; then
		failed=$((failed + 1))
		echo "not ok - $name: $bad"
	fi
	if [ "$fl" -gt 0 ] || [ -n "$bad" ]; then
		echo "---- $name (TAP in $tap, stderr in $OUTDIR/$name.err)"
		grep -v '^ok ' "$tap" | head -60
		tail -20 "$OUTDIR/$name.err"
	fi
	grep '# SKIP' "$tap" | sed "s/^/skipped in $name: /"
done
echo "tests took $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
