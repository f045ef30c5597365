#!/bin/sh
# The shell assertions of tests/lib.sh read forwards and bite both ways:
# ok_if/ok_unless/pass/fail/is/like/unlike give "ok" or "not ok" as their
# condition says, the old backwards `cmd; ok $? desc` (and `check`) cannot
# be called, and no test, helper or benchmark still calls them.
. "$(dirname "$0")/../lib.sh"

# A call of ok or check in command position (not a word inside a string).
BACKWARDS='(^|[;&|{(]|then|else|do)[[:space:]]*(ok|check)[[:space:]]+["$0-9]'

# The pattern finds the old forms (else the scan below would prove nothing).
cat >"$T/old.sh" <<'EOF'
test -f x; ok $? "x written"
ok $(( n < 1 )) "counted"
	ok 1 "start"; done_testing
start || { ok 1 "start"; done_testing; }
check "started" start
ok "$([ -n "$m" ]; echo $?)" "message"
EOF
is "$(grep -cE "$BACKWARDS" "$T/old.sh")" 6 "the scan finds each backwards form"
cat >"$T/new.sh" <<'EOF'
ok_if "x written" test -f x
pass "ok 1 done"; fail "and check $x"
like "$OUT" 'ok' "says ok; check it"
EOF
is "$(grep -cE "$BACKWARDS" "$T/new.sh")" 0 "and not the forwards ones"

cd "$SRC_DIR" || exit 1
found=$(grep -nE "$BACKWARDS" tests/lib.sh tests/lib/*.sh tests/t/*.sh \
    tests/bench/*.sh | grep -v '^tests/t/tests_assertions\.sh:')
is "$found" "" "no test, helper or benchmark asserts backwards"
is "$(grep -cE '^(ok|check)[[:space:]]*\(\)' tests/lib.sh)" 0 \
    "tests/lib.sh defines no ok or check"

# Each helper passes and fails as its condition says; ok and check are
# not callable from a test.
cat >"$T/h.sh" <<'EOF'
. "$TESTS_DIR/lib.sh"
ok_if "if-true" true; ok_if "if-false" false
ok_unless "unless-false" false; ok_unless "unless-true" true
pass "pass"; fail "fail"
is a a "is-same"; is a b "is-other"
like abc b "like-match"; like abc x "like-miss"
unlike abc x "unlike-miss"; unlike abc b "unlike-match"
ok_if "returns 1 on a failure" false || echo "returned $?"
command -v ok >/dev/null || echo "no ok"
command -v check >/dev/null || echo "no check"
done_testing
EOF
got=$(TESTS_DIR="$TESTS_DIR" sh "$T/h.sh" | grep -v '^#' | tr '\n' '|')
is "$got" "ok 1 - if-true|not ok 2 - if-false|ok 3 - unless-false|not ok 4 - unless-true|ok 5 - pass|not ok 6 - fail|ok 7 - is-same|not ok 8 - is-other|ok 9 - like-match|not ok 10 - like-miss|ok 11 - unlike-miss|not ok 12 - unlike-match|not ok 13 - returns 1 on a failure|returned 1|no ok|no check|1..13|" \
    "each helper passes and fails as its condition says"
TESTS_DIR="$TESTS_DIR" sh "$T/h.sh" >/dev/null 2>&1
is "$?" 1 "a test with a failed assertion exits 1"
done_testing
